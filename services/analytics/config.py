"""Settings of the analytics engine, read once from the environment."""
from __future__ import annotations

from dataclasses import dataclass

from services.common import config as env


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    database_url: str
    redis_url: str
    cache_enabled: bool
    cache_prefix: str
    cache_ttl_seconds: int
    alert_detection_interval_seconds: int
    alert_lookback_days: int
    db_pool_size: int

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            **env.engine_storage("analytics", pool_size=8),
            # ANALYTICS_CACHE=0 turns the Redis cache off (benchmarks measure real query time that way).
            cache_enabled=env.env_bool("ANALYTICS_CACHE", True),
            cache_ttl_seconds=env.cache_ttl_seconds(),
            # 0 = no periodic detection (tests); e.g. 3600 in production.
            alert_detection_interval_seconds=env.env_int("ALERT_DETECTION_INTERVAL_SECONDS", 0),
            # Days before today a scheduled run re-checks, so a missed run is caught up idempotently.
            alert_lookback_days=env.env_int("ALERT_LOOKBACK_DAYS", 7),
        )
