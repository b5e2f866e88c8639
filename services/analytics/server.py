"""Analytics engine process: wiring only (pool, cache, servicer, scheduler) — `python -m services.analytics.server`.

`build(settings)` is what tests and the gateway's tests use to run the engine in-process (it binds no port):
    built = await build(Settings.from_env())      # or: registrars, service_names, cleanup = await build(...)
    server, port, health = await create_server(built.registrars, built.service_names, port=0,
                                               internal_token=token)  # callers send it
    ...; await server.stop(0); await built.cleanup()
"""
from __future__ import annotations


from aimee.analytics.v1 import analytics_pb2, analytics_pb2_grpc

from services.common.cache import Cache
from services.common.db import create_pool
from services.common.grpc_server import Built, run_engine
from services.common.schema import ready_with_schema

from services.analytics.cached import ResultCache
from services.analytics.config import Settings
from services.analytics.deps import Deps
from services.analytics.scheduler import DetectionScheduler
from services.analytics.servicer import AnalyticsServicer

SERVICE_NAME = analytics_pb2.DESCRIPTOR.services_by_name["AnalyticsService"].full_name



async def build(settings: Settings) -> Built:
    """Create the engine's resources (pool, cache, servicer, scheduler when its interval > 0)."""
    pool = await create_pool(settings.database_url, minsize=1, maxsize=settings.db_pool_size)
    redis_cache = (Cache(settings.redis_url, prefix=settings.cache_prefix, ttl_seconds=settings.cache_ttl_seconds)
                   if settings.cache_enabled else None)
    deps = Deps.create(pool, ResultCache(redis_cache, enabled=settings.cache_enabled))
    servicer = AnalyticsServicer(deps)
    scheduler = DetectionScheduler(deps, settings.alert_detection_interval_seconds, settings.alert_lookback_days)
    scheduler.start()

    async def cleanup() -> None:
        await scheduler.stop()
        if redis_cache is not None:
            await redis_cache.close()
        pool.close()
        await pool.wait_closed()

    def register(server) -> None:
        analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server(servicer, server)

    return Built([register], [SERVICE_NAME], cleanup,
                 ready=ready_with_schema(pool, settings.database_url))


def main() -> None:
    run_engine("analytics", Settings, build)


if __name__ == "__main__":
    main()
