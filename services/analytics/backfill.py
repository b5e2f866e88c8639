"""Alert detection over the recent history of a freshly loaded database, and cache invalidation after a load.

`python -m services.analytics.backfill [--days 14]` (run by `make data`, and by the test fixtures): the
generator writes only resolved historic alerts; every open alert is raised here by the same rules the
scheduler runs, so "alerts exist because detection found them". A load rewrites the data, so every cached
analytics and solver result is made stale too.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys

from services.analytics.cached import ResultCache
from services.analytics.config import Settings
from services.analytics.deps import Deps
from services.analytics.detection.runner import detect_alerts
from services.common import cache_names
from services.common.cache import Cache
from services.common.config import DEFAULT_CACHE_PREFIX
from services.common.db import create_pool, with_database


async def backfill(database_url: str, redis_url: str, days: int = 14,
                   cache_prefix: str = DEFAULT_CACHE_PREFIX) -> dict:
    pool = await create_pool(database_url, minsize=1, maxsize=4)
    cache = Cache(redis_url, prefix=cache_prefix)
    try:
        deps = Deps.create(pool, ResultCache(cache))
        today = dt.date.today()
        result = await detect_alerts(deps, date=today.isoformat(),
                                     date_from=(today - dt.timedelta(days=days - 1)).isoformat())
        sites = [s.name for s in await deps.sites.all()]
        if not await cache.invalidate_quietly(*cache_names.site_data(sites), cache_names.solver()):
            # A one-shot process cannot wait for Redis to heal its cache (a long-lived one bumps the epoch).
            print("warning: Redis unreachable, cached results not invalidated; run this again "
                  "once Redis is back (or restart the mesh)", file=sys.stderr)
        return {"created": result["created"], "unchanged": result["unchanged"], "days": days}
    finally:
        await cache.close()
        pool.close()
        await pool.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.analytics.backfill")
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--database", help="database name (default: the one in DATABASE_URL)")
    args = parser.parse_args()
    settings = Settings.from_env()
    url = with_database(settings.database_url, args.database) if args.database else settings.database_url
    report = asyncio.run(backfill(url, settings.redis_url, args.days, settings.cache_prefix))
    print(f"alert detection over the last {report['days']} days: {report['created']} new, "
          f"{report['unchanged']} already known")


if __name__ == "__main__":
    main()
