"""The day axis shared by every generator: history ending on end_date (today) plus forecast days.

Index 0 is the first history day, `today` = history_days - 1 is end_date, `tomorrow` = today + 1 and
`last` = today + forecast_days. Working with indices keeps the per-day loops cheap.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class Timeline:
    end_date: date
    history_days: int
    forecast_days: int = 14
    dates: tuple[date, ...] = field(init=False)
    strs: tuple[str, ...] = field(init=False)
    weekdays: tuple[int, ...] = field(init=False)  # 0 = Monday (Python), MySQL DAYOFWEEK Monday = 2

    def __post_init__(self) -> None:
        if self.history_days < 8:
            raise ValueError("history_days must be at least 8")
        start = self.end_date - timedelta(days=self.history_days - 1)
        days = tuple(start + timedelta(days=i) for i in range(self.history_days + self.forecast_days))
        object.__setattr__(self, "dates", days)
        object.__setattr__(self, "strs", tuple(d.isoformat() for d in days))
        object.__setattr__(self, "weekdays", tuple(d.weekday() for d in days))

    @property
    def today(self) -> int:
        return self.history_days - 1

    @property
    def tomorrow(self) -> int:
        return self.history_days

    @property
    def last(self) -> int:
        return len(self.dates) - 1

    def index_of(self, d: date) -> int:
        return (d - self.dates[0]).days


# Absence multiplier on the 15th of each month (snow season Nov-Mar, worst in January); linear in between.
WINTER_ABSENCE_BY_MONTH = {1: 3.4, 2: 3.2, 3: 2.2, 4: 1.2, 5: 1.0, 6: 1.0, 7: 1.0, 8: 1.0, 9: 1.0,
                           10: 1.6, 11: 2.4, 12: 3.0}


def winter_absence_factor(d: date) -> float:
    """1.0 in summer, ~2.6 late November, 3.4 mid-January: what a snowy site's absence rate is multiplied by."""
    mid = d.replace(day=15)
    if d >= mid:
        nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 15)
        a, b, frac = d.month, nxt.month, (d - mid).days / (nxt - mid).days
    else:
        prev = date(d.year - (d.month == 1), (d.month - 2) % 12 + 1, 15)
        a, b, frac = prev.month, d.month, (d - prev).days / (mid - prev).days
    return WINTER_ABSENCE_BY_MONTH[a] + (WINTER_ABSENCE_BY_MONTH[b] - WINTER_ABSENCE_BY_MONTH[a]) * frac
