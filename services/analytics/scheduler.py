"""In-process periodic alert detection (ALERT_DETECTION_INTERVAL_SECONDS; 0 = off).

Each run re-checks the last ALERT_LOOKBACK_DAYS days as of today, so a missed run (restart, downtime) is
caught up; detection is idempotent, so re-checking costs nothing but the queries. A failing run is logged
and retried at the next tick — it never takes the server down.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time

from services.common.dates import today

from services.analytics.deps import Deps
from services.analytics.detection.runner import detect_alerts

log = logging.getLogger("aimee.analytics.scheduler")


class DetectionScheduler:
    def __init__(self, deps: Deps, interval_seconds: int, lookback_days: int = 7):
        self._deps = deps
        self.interval = interval_seconds
        self.lookback_days = max(1, lookback_days)
        self._task: asyncio.Task | None = None
        self.runs = 0

    def start(self) -> None:
        if self.interval > 0 and self._task is None:
            self._task = asyncio.create_task(self._loop(), name="alert-detection")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_once(self) -> dict:
        end = today()
        start = end - dt.timedelta(days=self.lookback_days - 1)
        started = time.perf_counter()
        result = await detect_alerts(self._deps, "", end.isoformat(), start.isoformat())
        self.runs += 1
        log.info("scheduled alert detection", extra={"fields": {
            "created": result["created"], "unchanged": result["unchanged"], "date_from": result["date_from"],
            "date_to": result["date_to"], "elapsed_ms": round((time.perf_counter() - started) * 1000, 1)}})
        return result

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a bad run must not stop the schedule or the server
                log.exception("scheduled alert detection failed")
            await asyncio.sleep(self.interval)
