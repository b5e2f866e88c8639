"""Settings from the environment and the periodic detection task."""
from __future__ import annotations

import asyncio

import pytest

from services.common.errors import InvalidArgument

from services.analytics.config import Settings
from services.analytics.scheduler import DetectionScheduler


def test_settings_defaults_and_overrides(monkeypatch):
    for name in ("ALERT_DETECTION_INTERVAL_SECONDS", "ANALYTICS_CACHE", "ANALYTICS_PORT", "CACHE_TTL_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    s = Settings.from_env()
    assert (s.port, s.alert_detection_interval_seconds, s.cache_enabled, s.cache_ttl_seconds) == (50052, 0, True, 3600)
    monkeypatch.setenv("ALERT_DETECTION_INTERVAL_SECONDS", "3600")
    monkeypatch.setenv("ANALYTICS_CACHE", "0")
    monkeypatch.setenv("ANALYTICS_PORT", "6000")
    s = Settings.from_env()
    assert (s.port, s.alert_detection_interval_seconds, s.cache_enabled) == (6000, 3600, False)
    monkeypatch.setenv("ALERT_DETECTION_INTERVAL_SECONDS", "hourly")
    with pytest.raises(InvalidArgument, match="ALERT_DETECTION_INTERVAL_SECONDS"):
        Settings.from_env()


async def test_interval_zero_never_starts(deps):
    scheduler = DetectionScheduler(deps, 0)
    scheduler.start()
    await asyncio.sleep(0.05)
    assert scheduler.runs == 0
    await scheduler.stop()


async def test_periodic_runs_detect_and_stop_cleanly(deps):
    scheduler = DetectionScheduler(deps, interval_seconds=1, lookback_days=2)
    scheduler.start()
    for _ in range(100):
        if scheduler.runs:
            break
        await asyncio.sleep(0.05)
    await scheduler.stop()
    assert scheduler.runs >= 1
    result = await scheduler.run_once()
    assert result["created"] == 0 and result["alerts"]  # idempotent: the periodic run already stored them
