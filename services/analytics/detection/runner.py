"""DetectAlerts: run every rule for the requested sites and as-of days, store what they find, and make the
affected sites' cached analytics stale (the mesh's invalidation convention).

Runs are serialised across processes with a MariaDB named lock, so a scheduled run and an on-demand run
never interleave their episode checks.
"""
from __future__ import annotations

import asyncio
import contextlib

from services.common.dates import parse_date, today
from services.common.db import fetch_all
from services.common.errors import InvalidArgument, Unavailable

from services.analytics.alert_rows import ALERT_COLUMNS, ALERT_FROM, alert_dict
from services.analytics.deps import Deps
from services.analytics.detection import absence, overtime, productivity_drop, staffing
from services.analytics.detection.store import store_findings
from services.analytics.scope import resolve_scope

RULES = (overtime, productivity_drop, absence, staffing)
MAX_BACKFILL_DAYS = 92
LOCK_NAME = "aimee:analytics:alert_detection"
LOCK_WAIT_SECONDS = 30
SITE_CONCURRENCY = 3


async def detect_alerts(deps: Deps, location: str = "", date: str = "", date_from: str = "") -> dict:
    scope = await resolve_scope(deps.sites, location)
    end = parse_date(date, "date", today())
    start = parse_date(date_from, "date_from", end)
    if start > end:
        raise InvalidArgument(f"date_from（{start}）は date（{end}）以前の日付にしてください")
    if (end - start).days + 1 > MAX_BACKFILL_DAYS:
        raise InvalidArgument(f"一度に検出できる期間は最大 {MAX_BACKFILL_DAYS} 日です（指定: {(end - start).days + 1} 日）")
    sites = [scope.site] if scope.site else await deps.sites.all()
    async with _run_lock(deps.pool):
        gate = asyncio.Semaphore(SITE_CONCURRENCY)

        async def one_site(site):
            async with gate:
                found = []
                for rule in RULES:
                    found.extend(await rule.detect(deps, site, start, end))
                return found

        findings = [f for per_site in await asyncio.gather(*(one_site(s) for s in sites)) for f in per_site]
        results = await store_findings(deps.pool, findings)
    created_sites = sorted({f.site.name for _, created, f in results if created})
    if created_sites:
        await deps.cache.invalidate_sites(created_sites)
    ids = sorted({alert_id for alert_id, _, _ in results})
    return {
        "created": sum(1 for _, created, _ in results if created),
        "unchanged": len(ids) - sum(1 for _, created, _ in results if created),
        "alerts": await _load(deps, ids),
        "date_from": start.isoformat(), "date_to": end.isoformat(),
        "evaluations": len(sites) * len(RULES) * ((end - start).days + 1),
    }


async def _load(deps: Deps, ids: list[int]) -> list[dict]:
    alerts = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        rows = await fetch_all(deps.pool, f"SELECT {ALERT_COLUMNS} FROM {ALERT_FROM} "
                                          f"WHERE a.alert_id IN ({', '.join(['%s'] * len(chunk))})", chunk)
        alerts.extend(alert_dict(r) for r in rows)
    alerts.sort(key=lambda a: (a["location"], a["alert_type"], a["period_end"], a["alert_id"]), reverse=False)
    return alerts


@contextlib.asynccontextmanager
async def _run_lock(pool):
    async with pool.acquire() as conn:
        async with conn.cursor() as cur:
            await cur.execute("SELECT GET_LOCK(%s, %s)", (LOCK_NAME, LOCK_WAIT_SECONDS))
            (got,) = await cur.fetchone()
        if got != 1:
            raise Unavailable("別のアラート検出処理が実行中です。しばらくしてから再実行してください")
        try:
            yield
        finally:
            async with conn.cursor() as cur:
                await cur.execute("SELECT RELEASE_LOCK(%s)", (LOCK_NAME,))
                await cur.fetchone()
