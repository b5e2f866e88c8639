"""After a real import: the changed sites' cache generations move and alert detection runs for the file's days."""
from __future__ import annotations

import datetime as dt
import io

import redis

from services.common.db import with_database
from services.dataio.aftercare import after_import, detection_window
from services.dataio.importer import Changes, ImportOptions, run_import
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL


def _generation(prefix: str, namespace: str) -> int:
    value = redis.Redis.from_url(TEST_REDIS_URL).get(f"{prefix}:gen:{namespace}")
    return int(value or 0)


async def test_import_invalidates_the_sites_it_touched_and_detects_alerts(imported_db, cache_prefix):
    today = dt.date.today().isoformat()
    src = io.BytesIO(f"従業員コード,勤務日,勤怠区分,実働時間,残業時間\nSHINAGAWA-0002,{today},出勤,11.75,3.75\n".encode())
    report = run_import(imported_db, src, ImportOptions(kind="attendance"))
    assert report["changes"] is not None, report["message"]
    before = {ns: _generation(cache_prefix, ns) for ns in ("analytics:品川", "analytics:横浜", "solver:品川")}
    done = await after_import(report["changes"], with_database(TEST_DATABASE_URL, imported_db), TEST_REDIS_URL,
                              cache_prefix)
    assert _generation(cache_prefix, "analytics:品川") > before["analytics:品川"]  # + detection's own bump
    assert _generation(cache_prefix, "solver:品川") == before["solver:品川"] + 1
    assert _generation(cache_prefix, "analytics:横浜") == before["analytics:横浜"]  # untouched site
    assert done["detected_sites"] == ["品川"] and done["detected_to"] == today


async def test_nothing_changed_means_nothing_to_do():
    assert await after_import(None, "mysql://unused/x", TEST_REDIS_URL) == {
        "invalidated": [], "alerts_created": 0, "detected_sites": []}


def test_detection_window_is_clipped_to_today_and_the_rules_limit():
    today = dt.date(2026, 6, 30)
    assert detection_window(Changes("shift_plans", {1}, "2026-07-01", "2026-07-14"), today) is None
    assert detection_window(Changes("attendance", {1}, "2026-06-01", "2026-07-10"), today) == (
        dt.date(2026, 6, 1), today)
    start, end = detection_window(Changes("attendance", {1}, "2025-01-01", "2026-06-30"), today)
    assert (end - start).days + 1 == 92
