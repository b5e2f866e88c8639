"""ListAlerts and GetAlert: filtered, keyset-paged listing and one alert with the records behind it.

Paging is keyset on (period_end, alert_id) descending, so a page never repeats or skips rows when alerts
are added meanwhile. The token also carries a fingerprint of the filters: reusing it with other filters
is INVALID_ARGUMENT instead of a silently wrong page.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import json

from services.common.dates import parse_date
from services.common.db import fetch_all, fetch_one
from services.common.errors import InvalidArgument, NotFound

from services.analytics.alert_evidence import related_records
from services.analytics.alert_rows import ALERT_COLUMNS, ALERT_DATE_SQL, ALERT_FROM, alert_dict
from services.analytics.choices import bounded_int, choose
from services.analytics.deps import Deps
from services.analytics.labels import ALERT_STATUSES, ALERT_TYPES, SEVERITY_RANK
from services.analytics.scope import resolve_scope

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


async def list_alerts(deps: Deps, location: str = "", alert_type: str = "", severity: str = "", status: str = "",
                      date_from: str = "", date_to: str = "", page_size: int = 0, page_token: str = "") -> dict:
    scope = await resolve_scope(deps.sites, location)
    where, args = scope.filter("a.location_id")
    filters = {"location": scope.name}
    if alert_type:
        filters["alert_type"] = choose(alert_type, "alert_type", ALERT_TYPES)
        where, args = where + " AND a.alert_type = %s", (*args, filters["alert_type"])
    if severity:
        filters["severity"] = choose(severity, "severity", SEVERITY_RANK)
        where, args = where + " AND a.severity = %s", (*args, filters["severity"])
    if status:
        filters["status"] = choose(status, "status", ALERT_STATUSES)
        where, args = where + " AND a.status = %s", (*args, filters["status"])
    start = parse_date(date_from, "date_from") if date_from else None
    end = parse_date(date_to, "date_to") if date_to else None
    if start and end and start > end:
        raise InvalidArgument(f"date_from（{start}）は date_to（{end}）以前の日付にしてください")
    if start:
        filters["from"] = start.isoformat()
        where, args = where + f" AND {ALERT_DATE_SQL} >= %s", (*args, start)
    if end:
        filters["to"] = end.isoformat()
        where, args = where + f" AND {ALERT_DATE_SQL} <= %s", (*args, end)
    size = bounded_int(page_size, "page_size", 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)
    fingerprint = hashlib.sha1(json.dumps(filters, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]
    page_where, page_args = where, args
    if page_token:
        last_end, last_id = _decode_token(page_token, fingerprint)
        page_where += " AND (a.period_end < %s OR (a.period_end = %s AND a.alert_id < %s))"
        page_args = (*args, last_end, last_end, last_id)
    rows, count = await asyncio.gather(
        fetch_all(deps.pool, f"SELECT {ALERT_COLUMNS} FROM {ALERT_FROM} WHERE {page_where} "
                             "ORDER BY a.period_end DESC, a.alert_id DESC LIMIT %s", (*page_args, size + 1)),
        fetch_one(deps.pool, f"SELECT COUNT(*) AS n FROM alerts a WHERE {where}", args))
    more = len(rows) > size
    alerts = [alert_dict(r) for r in rows[:size]]
    token = _encode_token(alerts[-1]["period_end"], alerts[-1]["alert_id"], fingerprint) if more else ""
    return {"alerts": alerts, "total": int(count["n"]), "next_page_token": token}


def _encode_token(period_end: str, alert_id: int, fingerprint: str) -> str:
    raw = json.dumps({"e": period_end, "i": alert_id, "f": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, fingerprint: str) -> tuple[str, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        period_end, alert_id, fp = str(data["e"]), int(data["i"]), str(data["f"])
        parse_date(period_end, "page_token")
    except Exception as exc:  # noqa: BLE001 - any malformed token is the caller's error
        raise InvalidArgument("page_token が不正です。前回の応答の next_page_token をそのまま指定してください") from exc
    if fp != fingerprint:
        raise InvalidArgument("page_token は別の検索条件のものです。同じ条件で指定するか、page_token を外してください")
    return period_end, alert_id


async def get_alert(deps: Deps, alert_id: int) -> dict:
    if alert_id <= 0:
        raise InvalidArgument(f"alert_id は正の整数で指定してください（現在: {alert_id}）")
    row = await fetch_one(deps.pool, f"SELECT {ALERT_COLUMNS}, a.location_id FROM {ALERT_FROM} WHERE a.alert_id = %s",
                          (alert_id,))
    if row is None:
        raise NotFound(f"アラートID {alert_id} は見つかりません")
    alert = alert_dict(row)
    return {"alert": alert, "related_records": await related_records(deps.pool, row["location_id"], alert)}
