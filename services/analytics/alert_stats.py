"""GetAlertStats: alert counts by site, type, severity, status and period.

An alert counts on its alert date (alert_rows.ALERT_DATE_SQL: the end of the period it describes, or the
day it was raised if earlier), so a backfilled detection counts in the week it describes and an alert about
next week counts now. ListAlerts filters by the same date.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from services.common.dates import parse_range
from services.common.db import fetch_all

from services.analytics.alert_rows import ALERT_DATE_SQL
from services.analytics.choices import choose
from services.analytics.deps import Deps
from services.analytics.labels import ALERT_STATUSES, ALERT_TYPES, OPEN_STATUSES, SEVERITY_RANK
from services.analytics.scope import Scope, resolve_scope

MAX_RANGE_DAYS = 366
PERIOD_SQL: dict[str, str] = {
    "day": ALERT_DATE_SQL,
    "week": f"{ALERT_DATE_SQL} - INTERVAL WEEKDAY({ALERT_DATE_SQL}) DAY",
    "month": f"{ALERT_DATE_SQL} - INTERVAL (DAYOFMONTH({ALERT_DATE_SQL}) - 1) DAY",
}


async def alert_stats(deps: Deps, location: str = "", date_from: str = "", date_to: str = "",
                      period: str = "") -> dict:
    scope = await resolve_scope(deps.sites, location)
    start, end = parse_range(date_from, date_to, max_days=MAX_RANGE_DAYS)
    period = choose(period, "period", PERIOD_SQL, default="week")
    return await deps.cache.get_or_compute(
        scope.cache_namespace, ("alert_stats", scope.name, start.isoformat(), end.isoformat(), period),
        lambda: compute_stats(deps, scope, start, end, period))


async def compute_stats(deps: Deps, scope: Scope, start: dt.date, end: dt.date, period: str) -> dict:
    where, args = scope.filter("a.location_id")
    rows = await fetch_all(deps.pool, f"""
        SELECT l.location_name, a.alert_type, a.severity, a.status, {PERIOD_SQL[period]} AS bucket, COUNT(*) AS n
        FROM alerts a JOIN locations l ON l.location_id = a.location_id
        WHERE {where} AND {ALERT_DATE_SQL} BETWEEN %s AND %s
        GROUP BY l.location_name, a.alert_type, a.severity, a.status, bucket""", (*args, start, end))
    by = {name: Counter() for name in ("location", "type", "severity", "status", "period")}
    site_order = {s.name: i for i, s in enumerate(await deps.sites.all())}
    for r in rows:
        n = int(r["n"])
        by["location"][r["location_name"]] += n
        by["type"][r["alert_type"]] += n
        by["severity"][r["severity"]] += n
        by["status"][r["status"]] += n
        by["period"][r["bucket"].isoformat()] += n
    total = sum(by["type"].values())
    return {
        "total": total,
        "open": sum(n for s, n in by["status"].items() if s in OPEN_STATUSES),
        "by_location": _buckets(by["location"], key=lambda k: site_order.get(k, len(site_order))),
        "by_type": _buckets(by["type"], key=lambda k: list(ALERT_TYPES).index(k) if k in ALERT_TYPES else 99),
        "by_severity": _buckets(by["severity"], key=lambda k: -SEVERITY_RANK.get(k, 0)),
        "by_status": _buckets(by["status"], key=lambda k: list(ALERT_STATUSES).index(k) if k in ALERT_STATUSES else 99),
        "by_period": _buckets(by["period"], key=lambda k: k),
        "date_from": start.isoformat(), "date_to": end.isoformat(),
    }


def _buckets(counter: Counter, key) -> list[dict]:
    return [{"key": k, "count": n} for k, n in sorted(counter.items(), key=lambda kv: key(kv[0]))]
