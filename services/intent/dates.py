"""Date phrases in a request → concrete dates, resolved against the request's reference date.

Three kinds of mention:
- a day (今日, 明日, あさって, 3日後, 来週月曜, 11/30, 12月1日, 2026-12-01, tomorrow) → `day`;
- a period (来週, 今月, 直近7日, next week) → `period` (first, last day; weeks run Monday-Sunday);
- a bare weekday (月曜日, 月曜朝) → `weekday`; whether it means "its next occurrence" or "that weekday in
  general" depends on the intent, so the parser decides (see model.SCHEDULING_INTENTS).
A month/day without a year means the occurrence nearest the reference date (so 1/5 said in December is
next January). Impossible dates (2/30) are not dates. Input must be `text.normalize`d.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable

from services.common.dates import WEEKDAY_JA

_EN_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_JA_WD = "[月火水木金土日]"
_EN_WD = "|".join(_EN_WEEKDAYS)
_WEEK_SHIFT = {"先週": -1, "last": -1, "今週": 0, "this": 0, "来週": 1, "next": 1, "再来週": 2}
_DAY_WORDS = {
    "一昨日": -2, "おととい": -2, "昨日": -1, "きのう": -1, "yesterday": -1,
    "今日": 0, "本日": 0, "きょう": 0, "today": 0,
    "明後日": 2, "あさって": 2, "day after tomorrow": 2, "明日": 1, "あした": 1, "あす": 1, "tomorrow": 1,
}


@dataclass(frozen=True)
class DateMention:
    phrase: str
    start: int
    end: int
    day: dt.date | None = None
    period: tuple[dt.date, dt.date] | None = None
    weekday: int | None = None        # Monday = 0, for a bare weekday
    recurring: bool = False           # 毎週月曜 / 月曜ごと: a weekday in general, never one date


def _weekday_index(token: str) -> int:
    return WEEKDAY_JA.index(token) if token in WEEKDAY_JA else _EN_WEEKDAYS.index(token)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def _nearest(month: int, day: int, ref: dt.date) -> dt.date | None:
    """The month/day in the reference year, or the adjacent year when that is nearer (±half a year)."""
    candidate = _safe_date(ref.year, month, day)
    if candidate is None:
        return None
    if (candidate - ref).days > 183:
        return _safe_date(ref.year - 1, month, day)
    if (ref - candidate).days > 183:
        return _safe_date(ref.year + 1, month, day)
    return candidate


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _iso(m: re.Match, ref: dt.date) -> dict:
    return {"day": _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))}


def _month_day(m: re.Match, ref: dt.date) -> dict:
    return {"day": _nearest(int(m["m"]), int(m["d"]), ref)}


def _week_weekday(m: re.Match, ref: dt.date) -> dict:
    shift = _WEEK_SHIFT[m["w"]]
    return {"day": _monday(ref) + dt.timedelta(days=7 * shift + _weekday_index(m["wd"]))}


def _offset(m: re.Match, ref: dt.date) -> dict:
    sign = -1 if m["dir"] in ("前", "ago") else 1
    return {"day": ref + dt.timedelta(days=sign * int(m["n"]))}


def _word(m: re.Match, ref: dt.date) -> dict:
    return {"day": ref + dt.timedelta(days=_DAY_WORDS[m.group(0)])}


def _recent(m: re.Match, ref: dt.date) -> dict:
    n, unit = int(m["n"]), m["unit"]
    days = n * 7 if unit.startswith(("週", "week")) else n * 30 if unit.startswith(("か", "ヶ", "カ", "month")) else n
    return {"period": (ref - dt.timedelta(days=days - 1), ref)}


def _week(m: re.Match, ref: dt.date) -> dict:
    return {"period": week_of(ref + dt.timedelta(days=7 * _WEEK_SHIFT[m["w"]]))}


def _month(m: re.Match, ref: dt.date) -> dict:
    shift = {"先月": -1, "last": -1, "今月": 0, "this": 0, "来月": 1, "next": 1}[m["w"]]
    return {"period": _month_range(ref.year, ref.month + shift)}


def _bare_weekday(m: re.Match, ref: dt.date) -> dict:
    return {"weekday": _weekday_index(m["wd"]), "recurring": bool(m["every"] or m["each"])}


def _day_of_month(m: re.Match, ref: dt.date) -> dict:
    return {"day": _nearest(ref.month, int(m["d"]), ref)}


_WORDS_PATTERN = "|".join(re.escape(w) for w in sorted(_DAY_WORDS, key=len, reverse=True))

# Most specific first: a span taken by an earlier rule is not read again by a later one
# (so 来週月曜 is one day, not the period 来週 plus a weekday).
_RULES: tuple[tuple[re.Pattern, Callable[[re.Match, dt.date], dict]], ...] = tuple(
    (re.compile(pattern), resolve) for pattern, resolve in (
        (r"(?<!\d)(?P<y>\d{4})[-/年.](?P<m>\d{1,2})[-/月.](?P<d>\d{1,2})日?", _iso),
        (r"(?<!\d)(?P<m>\d{1,2})月(?P<d>\d{1,2})日", _month_day),
        (r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\d/%])", _month_day),
        (rf"(?P<w>再来週|来週|今週|先週) ?の? ?(?P<wd>{_JA_WD})曜日?", _week_weekday),
        (rf"(?<![a-z])(?P<w>next|this|last) (?P<wd>{_EN_WD})", _week_weekday),
        (r"(?P<n>\d{1,3}) ?日(?P<dir>後|前|先)", _offset),
        (r"(?<![a-z])in (?P<n>\d{1,3}) days?(?P<dir>)", _offset),
        (r"(?<![a-z])(?P<n>\d{1,3}) days? (?P<dir>ago)", _offset),
        (_WORDS_PATTERN, _word),
        (r"(?:直近|過去|ここ|最近) ?(?P<n>\d{1,3}) ?(?P<unit>日間?|週間?|か月|ヶ月|カ月)", _recent),
        (r"(?<![a-z])(?:last|past) (?P<n>\d{1,3}) (?P<unit>days?|weeks?|months?)", _recent),
        (r"(?P<w>再来週|来週|今週|先週)", _week),
        (r"(?<![a-z])(?P<w>next|this|last) week", _week),
        (r"(?P<w>来月|今月|先月)", _month),
        (r"(?<![a-z])(?P<w>next|this|last) month", _month),
        (rf"(?P<every>毎週|毎)?(?P<wd>{_JA_WD})曜日?(?P<each>ごと|毎)?", _bare_weekday),
        (rf"(?<![a-z])(?P<every>every )?(?P<wd>{_EN_WD})s?(?P<each>)", _bare_weekday),
        (r"(?<![\d/月直近去こ])(?P<d>\d{1,2})日(?=[のにはを(]| |$)", _day_of_month),
    )
)


def find_dates(text: str, reference: dt.date) -> list[DateMention]:
    """Every date mention in normalised `text`, in order of appearance; unresolvable ones dropped."""
    taken: list[tuple[int, int]] = []
    mentions: list[DateMention] = []
    for pattern, resolve in _RULES:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            resolved = resolve(match, reference)
            if not any(v is not None for k, v in resolved.items() if k != "recurring"):
                continue
            taken.append((start, end))
            mentions.append(DateMention(match.group(0).strip(), start, end, **resolved))
    return sorted(mentions, key=lambda mention: mention.start)


def primary(mentions: list[DateMention]) -> DateMention | None:
    """The mention a request is about: the first single day, else the first period, else a weekday."""
    for kind in ("day", "period", "weekday"):
        for mention in mentions:
            if getattr(mention, kind) is not None:
                return mention
    return None


def next_occurrence(weekday: int, reference: dt.date) -> dt.date:
    """The weekday's next date on or after the reference date (月曜 said on a Monday means today)."""
    return reference + dt.timedelta(days=(weekday - reference.weekday()) % 7)


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday-Sunday week holding `day` (weeks run Monday-Sunday, as 来週 does)."""
    monday = _monday(day)
    return monday, monday + dt.timedelta(days=6)


def next_week(reference: dt.date) -> tuple[dt.date, dt.date]:
    """来週: the week after the reference day's (PlanRoster's default first day is that Monday)."""
    return week_of(reference + dt.timedelta(days=7))
