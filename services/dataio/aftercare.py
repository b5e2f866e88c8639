"""After a real import: stale caches of what changed, and alert detection for the affected sites and days.

Why here and not in each door: every door (CLI, REST) must leave the mesh consistent in the same way.
Cache namespaces come from services.common.cache_names (a site's data: its analytics and plans, all-site analytics);
master kinds (sites, processes, employees, skills) touch every site. Detection runs the analytics
engine's own rules (`detect_alerts`, idempotent) over the file's days up to today, at most the last
MAX_BACKFILL_DAYS of them.
"""
from __future__ import annotations

import datetime as dt

from services.analytics.cached import ResultCache
from services.analytics.deps import Deps
from services.analytics.detection.runner import MAX_BACKFILL_DAYS, detect_alerts
from services.common import cache_names
from services.common.cache import Cache
from services.common.config import DEFAULT_CACHE_PREFIX
from services.common.db import create_pool
from services.dataio.importer import Changes

MASTER_KINDS = ("locations", "processes", "employees", "employee_skills")


async def after_import(changes: Changes | None, database_url: str, redis_url: str,
                       cache_prefix: str = DEFAULT_CACHE_PREFIX,
                       detect: bool = True) -> dict:
    """Returns {'invalidated': [namespaces], 'alerts_created': n, 'detected_sites': [...], ...}."""
    if changes is None:
        return {"invalidated": [], "alerts_created": 0, "detected_sites": []}
    pool = await create_pool(database_url, minsize=1, maxsize=4)
    cache = Cache(redis_url, prefix=cache_prefix)
    try:
        deps = Deps.create(pool, ResultCache(cache))
        every = await deps.sites.all()
        names = {s.location_id: s.name for s in every}
        if changes.kind in MASTER_KINDS or not changes.location_ids:
            sites = [s.name for s in every]
        else:
            sites = sorted(names[i] for i in changes.location_ids if i in names)
        namespaces = [*cache_names.site_data(sites), cache_names.solver()]
        if not await cache.invalidate_quietly(*namespaces):
            namespaces = []
        result = {"invalidated": namespaces, "alerts_created": 0, "detected_sites": [], "detected_from": "",
                  "detected_to": ""}
        window = detection_window(changes)
        if detect and window and changes.kind not in ("locations", "processes", "employee_skills"):
            start, end = window
            for site in sites:
                found = await detect_alerts(deps, location=site, date=end.isoformat(), date_from=start.isoformat())
                result["alerts_created"] += found["created"]
            result.update(detected_sites=sites, detected_from=start.isoformat(), detected_to=end.isoformat())
        return result
    finally:
        await cache.close()
        pool.close()
        await pool.wait_closed()


def detection_window(changes: Changes, today: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """The file's days clipped to today and to the rules' backfill limit (None: nothing to detect)."""
    today = today or dt.date.today()
    if not changes.date_from:
        return (today - dt.timedelta(days=13), today) if changes.kind == "employees" else None
    start, end = dt.date.fromisoformat(changes.date_from), min(dt.date.fromisoformat(changes.date_to), today)
    if end < start:
        return None  # only future days (plans, forecasts): nothing has happened yet
    return max(start, end - dt.timedelta(days=MAX_BACKFILL_DAYS - 1)), end
