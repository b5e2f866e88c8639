"""What-if parameters said in a simulation request, read by general patterns:

「物量が20%増えたら」「需要が1割減ったら」 → demand_change_pct; 「16時以降は止めたら」 → cutoff_time;
「残業を1時間までにしたら」 → overtime_limit_hours. The solver's Simulate takes them as they are.
「佐藤さんが水曜休み希望だったら」 → a roster what-if (who, which day, over which period), which the gateway
answers with dry-run roster plans with and without the wish.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from services.intent import dates
from services.intent.question.parse import named_people

_VOLUME = r"(?:物量|業務量|需要|作業量|出荷量|入荷量|荷物|仕事量|量)"
_DEMAND = re.compile(_VOLUME + r"[^0-9。]{0,8}?(\d+(?:\.\d+)?)\s*(%|％|パーセント|割)\s*(?:も|ほど|くらい|ぐらい)?\s*"
                     r"(増|減|アップ|ダウン|up|down)", re.IGNORECASE)
_CUTOFF = re.compile(r"(\d{1,2})\s*(?:時|:00)\s*(?:以降|から|過ぎ)[^。]{0,12}?(?:停止|止め|止まる|打ち切|なし|しない|禁止|やめ)")
_OVERTIME = re.compile(r"残業[^0-9。]{0,8}?(\d+(?:\.\d+)?)\s*時間\s*(?:まで|以内|上限|に制限|に抑え)")


@dataclass(frozen=True)
class WhatIf:
    demand_change_pct: float = 0.0
    cutoff_time: str = ""
    overtime_limit_hours: float = 0.0


def read_whatif(text: str) -> WhatIf:
    demand = 0.0
    if m := _DEMAND.search(text):
        amount = float(m.group(1)) * (10 if m.group(2) == "割" else 1)
        demand = -amount if m.group(3).lower() in ("減", "ダウン", "down") else amount
    cutoff = ""
    if (m := _CUTOFF.search(text)) and 0 <= int(m.group(1)) <= 23:
        cutoff = f"{int(m.group(1)):02d}:00"
    overtime = float(m.group(1)) if (m := _OVERTIME.search(text)) else 0.0
    return WhatIf(demand, cutoff, overtime)


# ---- roster what-if: 「佐藤さんが水曜休み希望だったら」 ------------------------------------------------------
# One home for the words that make a request about the roster (several days' shifts); the gateway's roster
# paths read them from here.
ROSTER_WORDS = re.compile(r"シフト|勤務表|勤務計画|ローテーション")
# A wish said as a wish: it is about the roster whatever else the request names.
_WISH = re.compile(r"休み?希望|希望休|休みたい|休ませ(?:たい|たら|て)|休みに(?:し|な)(?:たら|ると|る場合)|休みだったら|"
                   r"休みなら|休暇(?:を|が)?(?:希望|申請|取|と[っりれる]|欲し|ほし|だったら|なら|にしたら)|"
                   r"有給(?:休暇)?(?:を|が)?(?:取|と[っりれる]|使|申請|希望)")
# An absence said as a hypothesis (「田中さんが明日休んだら」) is the daily Simulate's, unless the request
# talks about the roster: a roster word or a period of days (「来週の横浜で…金曜に休んだら」).
_ABSENCE = re.compile(r"休ん(?:だら|だ場合|だとき)|休む(?:と|なら|場合)")


@dataclass(frozen=True)
class DayOffWhatIf:
    employee_name: str
    day: dt.date
    day_phrase: str
    period: tuple[dt.date, dt.date]   # the roster's days (Monday-Sunday week unless a period is named)
    period_phrase: str


def says_day_off_wish(text: str) -> bool:
    return bool(_WISH.search(text))


def _without_dates(text: str, mentions: list[dates.DateMention]) -> str:
    """`text` with each date phrase blanked out, so 「明日田中さん」 names 田中, not 明日田中."""
    for m in mentions:
        text = text[:m.start] + "、" * (m.end - m.start) + text[m.end:]
    return text


def read_day_off_wish(text: str, mentions: list[dates.DateMention], sites: tuple[str, ...], reference: dt.date,
                      prior: DayOffWhatIf | None = None) -> DayOffWhatIf | None:
    """A roster what-if in normalised `text`: one person named with an honorific, a day (水曜, 12月9日) and a
    day-off wish. The period is the one named, else the future week of a date named, else next week; a
    bare weekday is that weekday within the period. None when any part is missing.

    `prior`: the previous turn's wish when this request is a follow-up of it (「じゃあ木曜は？」「鈴木さんは？」
    「品川は？」): what is not said again (person, day, period) is the prior's; `sites` are the sites named."""
    has_period = any(m.period is not None for m in mentions)
    said = _WISH.search(text) or (_ABSENCE.search(text) and (has_period or ROSTER_WORDS.search(text)))
    people = named_people(_without_dates(text, mentions), sites)
    day_mention = next((m for m in mentions if m.day is not None or (m.weekday is not None and not m.recurring)),
                       None)
    if prior is None and not (said and people and day_mention):
        return None
    if prior is not None and not (people or day_mention or has_period or sites):
        return None   # 「品川は？」 keeps the wish at the newly named site
    name = people[0] if people else prior.employee_name
    named_period = next((m for m in mentions if m.period is not None), None)
    if named_period is not None:
        period, period_phrase = named_period.period, named_period.phrase
    elif day_mention is not None and day_mention.day is not None and (
            prior is None or not prior.period[0] <= day_mention.day <= prior.period[1]) \
            and dates.week_of(day_mention.day)[0] > reference:
        period = dates.week_of(day_mention.day)
        period_phrase = "来週" if period == dates.next_week(reference) else f"{period[0].month}月{period[0].day}日からの週"
    elif prior is not None:
        period, period_phrase = prior.period, prior.period_phrase
    else:
        period, period_phrase = dates.next_week(reference), "来週"
    if day_mention is None:
        day, phrase = prior.day, prior.day_phrase
        if not period[0] <= day <= period[1]:   # a new period: the same weekday in it
            day = period[0] + dt.timedelta(days=(day.weekday() - period[0].weekday()) % 7)
    elif day_mention.day is None:   # a weekday: its first occurrence within the period
        day = period[0] + dt.timedelta(days=(day_mention.weekday - period[0].weekday()) % 7)
        phrase = day_mention.phrase
    else:
        day, phrase = day_mention.day, day_mention.phrase
    return DayOffWhatIf(name, day, phrase, period, period_phrase)
