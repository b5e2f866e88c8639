"""Period phrases the shared date reader (services/intent/dates.py) does not know, for questions only:
先々月, a bare month (11月 → that month, the nearest one not in the future), 年末まで, 今年/去年.
"""
from __future__ import annotations

import datetime as dt
import re

from services.intent import dates

_MONTH = re.compile(r"(?<![\d/年])(?P<m>1[0-2]|[1-9])月(?!\d{1,2}日)(?!ごと|別|毎)")
_BEFORE_LAST = re.compile(r"先々月|先先月")
_YEAR_END = re.compile(r"年末(?:まで)?")
_YEAR = re.compile(r"(?P<w>今年|去年|昨年)")


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    first = dt.date(year, month, 1)
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def find_period(text: str, reference: dt.date) -> tuple[str, dt.date, dt.date] | None:
    """(phrase, first day, last day) of the request's period, or None when none is named."""
    if m := _BEFORE_LAST.search(text):
        return (m.group(0), *_month_range(reference.year, reference.month - 2))
    if m := _YEAR_END.search(text):
        return m.group(0), reference, dt.date(reference.year, 12, 31)
    mentions = dates.find_dates(text, reference)
    primary = dates.primary(mentions)
    if primary is not None and primary.day is not None:
        return primary.phrase, primary.day, primary.day
    if primary is not None and primary.period is not None:
        return (primary.phrase, *primary.period)
    if m := _MONTH.search(text):
        month = int(m["m"])
        year = reference.year if month <= reference.month else reference.year - 1
        return (m.group(0), *_month_range(year, month))
    if m := _YEAR.search(text):
        year = reference.year - (0 if m["w"] == "今年" else 1)
        return m.group(0), dt.date(year, 1, 1), min(dt.date(year, 12, 31), reference) if m["w"] == "今年" else dt.date(year, 12, 31)
    return None


_VERSUS = re.compile(r"(?P<p>先々月|先月|前月|先週|前週|昨日|前日|去年|昨年)(?:と|に)(?:比べ|比較)|"
                     r"(?P<q>先々月|先月|前月|先週|前週|昨日|前日|去年|昨年)(?:より|から)(?:増|減|多|少|上|下)")
_CURRENT = {"先々月": "今月", "先月": "今月", "前月": "今月", "先週": "今週", "前週": "今週", "昨日": "今日",
            "前日": "今日", "去年": "今年", "昨年": "今年"}
_ALIAS = {"前月": "先月", "前週": "先週", "前日": "昨日", "昨年": "去年"}


def find_comparison(text: str, reference: dt.date
                    ) -> tuple[tuple[str, dt.date, dt.date], tuple[str, dt.date, dt.date]] | None:
    """「今月と先月を比べて」「先月と比べて」: (asked period, comparison period), or None.

    With only the baseline said, the asked period is the current one of the same kind, up to today
    (先月と比べて → 今月, 先週より → 今週)."""
    m = _VERSUS.search(text)
    if m is None:
        return None
    phrase = m["p"] or m["q"]
    baseline = find_period(_ALIAS.get(phrase, phrase), reference)
    rest = text[:m.start()] + " " * (m.end() - m.start()) + text[m.end():]
    asked = find_period(rest, reference)
    if asked is None or asked[1:] == (baseline[1:] if baseline else None):
        current = _CURRENT[phrase]
        found = find_period(current, reference)
        asked = (current, found[1], min(found[2], reference)) if found else None
    if baseline is None or asked is None:
        return None
    return asked, baseline
