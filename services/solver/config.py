"""Settings of the solver engine, read once from the environment."""
from __future__ import annotations

from dataclasses import dataclass

from services.common import config as env
from services.common.errors import InvalidArgument


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    database_url: str
    redis_url: str
    # Same prefix in every engine, or the analytics invalidation after an update misses its keys.
    cache_prefix: str
    time_limit_seconds: float
    mip_gap: float
    # Solves run in worker threads (HiGHS releases the GIL); more at once than cores only queues work.
    max_concurrent_solves: int
    travel_cost_yen: float
    history_days: int
    db_pool_size: int
    # Roster planning (PlanRoster): HiGHS full MIP + LNS side by side on this many threads, for this long.
    roster_time_limit_seconds: float = 10.0
    roster_threads: int = 2

    @classmethod
    def from_env(cls) -> "Settings":
        settings = cls(
            **env.engine_storage("solver", pool_size=8),
            time_limit_seconds=env.env_float("SOLVER_TIME_LIMIT_SECONDS", 5.0),
            mip_gap=env.env_float("SOLVER_MIP_GAP", 0.005),
            max_concurrent_solves=env.env_int("SOLVER_MAX_CONCURRENT_SOLVES", 2),
            travel_cost_yen=env.env_float("SOLVER_TRAVEL_COST_YEN", 3000.0),
            history_days=env.env_int("SOLVER_HISTORY_DAYS", 90),
            roster_time_limit_seconds=env.env_float("SOLVER_ROSTER_TIME_LIMIT_SECONDS", 10.0),
            roster_threads=env.env_int("SOLVER_ROSTER_THREADS", 2),
        )
        if settings.time_limit_seconds <= 0 or settings.mip_gap < 0 or settings.max_concurrent_solves < 1:
            raise InvalidArgument("SOLVER_TIME_LIMIT_SECONDS は正、SOLVER_MIP_GAP は0以上、"
                                  "SOLVER_MAX_CONCURRENT_SOLVES は1以上で指定してください")
        return settings
