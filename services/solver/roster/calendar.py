"""Japanese public holidays for rosters (国民の祝日に関する法律), from the `holidays` package."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _japan(year: int) -> dict[dt.date, str]:
    return dict(holidays.Japan(years=year, language="ja"))


def holiday_name(day: dt.date) -> str | None:
    return _japan(day.year).get(day)


def is_holiday(day: dt.date) -> bool:
    return holiday_name(day) is not None
