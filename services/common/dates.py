"""Date parsing and ranges for requests: clear Japanese errors instead of tracebacks."""
from __future__ import annotations

import datetime as dt

from services.common.errors import InvalidArgument

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
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidArgument(f"{field} は YYYY-MM-DD 形式で指定してください（現在: {value!r}）") from exc


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
