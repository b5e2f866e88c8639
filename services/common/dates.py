"""Date parsing and ranges for requests: clear Japanese errors instead of tracebacks.

Every date a caller sends is held to [MIN_DATE, MAX_DATE]: the analyses shift dates by at most a few
hundred days (history windows, forecast and detection horizons), so inside that range date arithmetic
can never overflow (0001-01-01 minus a day, 9999-12-31 plus a horizon) and every query stays meaningful.
"""
from __future__ import annotations

import datetime as dt
import re

from services.common.echo import clip
from services.common.errors import InvalidArgument

MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2099, 12, 31)
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

WEEKDAY_JA = ["月", "火", "水", "木", "金", "土", "日"]  # Python weekday(): Monday = 0
MYSQL_DOW_JA = {1: "日", 2: "月", 3: "火", 4: "水", 5: "木", 6: "金", 7: "土"}  # MySQL DAYOFWEEK


def today() -> dt.date:
    return dt.date.today()


def parse_date(value: str, field: str, default: dt.date | None = None) -> dt.date:
    """YYYY-MM-DD → date; empty → default (or error when no default)."""
    if not value:
        if default is None:
            raise InvalidArgument(f"{field} を YYYY-MM-DD 形式で指定してください")
        return default
    try:
        day = dt.date.fromisoformat(value) if _ISO_DAY.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidArgument(f"{field} は YYYY-MM-DD 形式で指定してください（現在: {clip(value)!r}）")
    if not MIN_DATE <= day <= MAX_DATE:
        raise InvalidArgument(f"{field} は {MIN_DATE}〜{MAX_DATE} の範囲の日付で指定してください（現在: {day}）")
    return day


def parse_range(date_from: str, date_to: str, default_days: int = 30, max_days: int = 366,
                reference: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """A validated [from, to] range: defaults to the last `default_days` days ending today."""
    end = parse_date(date_to, "date_to", reference or today())
    start = parse_date(date_from, "date_from", end - dt.timedelta(days=default_days - 1))
    if start > end:
        raise InvalidArgument(f"date_from（{start}）は date_to（{end}）以前の日付にしてください")
    if (end - start).days + 1 > max_days:
        raise InvalidArgument(f"期間は最大 {max_days} 日までです（指定: {(end - start).days + 1} 日）")
    return start, end
