"""Redis caching: hits, staleness after detection and after a data write (the mesh's invalidation
convention), per-site namespaces, and a dead Redis never failing a request."""
from __future__ import annotations

import datetime as dt

import pytest

from services.common.cache import Cache

from services.analytics.cached import ResultCache
from services.analytics.deps import Deps
from services.analytics.detection.runner import detect_alerts
from services.analytics.overview import site_overview
from tests.analytics.helpers import sql

TODAY = dt.date.today()


@pytest.fixture
async def cached(pool, redis_url, cache_prefix):
    cache = Cache(redis_url, prefix=cache_prefix, ttl_seconds=60)
    yield Deps.create(pool, ResultCache(cache))
    await cache.close()


async def test_second_call_is_a_hit(cached):
    first = await site_overview(cached, "大阪")
    second = await site_overview(cached, "大阪")
    assert first == second and (cached.cache.misses, cached.cache.hits) == (1, 1)


async def test_detection_makes_cached_overview_stale(cached, pool):
    day = TODAY - dt.timedelta(days=2)
    await sql(pool, "DELETE FROM alerts WHERE rule_key LIKE %s", (f"overtime_over_limit:shinagawa:day:{day}:%",))
    before = await site_overview(cached, "品川")
    assert (await site_overview(cached, "品川")) == before and cached.cache.hits == 1
    everywhere = await site_overview(cached, "")
    result = await detect_alerts(cached, "品川", day.isoformat())
    assert result["created"] >= 1
    after = await site_overview(cached, "品川")
    assert after["alert_count"] == before["alert_count"] + result["created"]
    assert (await site_overview(cached, ""))["alert_count"] == everywhere["alert_count"] + result["created"]


async def test_written_record_is_seen_after_the_writers_invalidation(cached, pool, redis_url, cache_prefix):
    free = (await sql(pool, """
        SELECT e.employee_id FROM employees e WHERE e.location_id = 5 AND e.is_active = 1 AND NOT EXISTS
          (SELECT 1 FROM attendance_records a WHERE a.employee_id = e.employee_id AND a.attendance_date = CURDATE())
        ORDER BY e.employee_id LIMIT 1"""))[0]["employee_id"]
    before = await site_overview(cached, "佐世保")
    await sql(pool, "INSERT INTO attendance_records (employee_id, location_id, attendance_date, attendance_status) "
                    "VALUES (%s, 5, CURDATE(), 'absent')", (free,))
    writer = Cache(redis_url, prefix=cache_prefix)  # another engine (e.g. the solver) writing
    try:
        assert (await site_overview(cached, "佐世保")) == before  # cached: the write is not seen yet
        await writer.invalidate("analytics:佐世保", "analytics:all")
        after = await site_overview(cached, "佐世保")
        assert after["attendance_records"] == before["attendance_records"] + 1
        assert after["absence_rate"] > before["absence_rate"]
    finally:
        await sql(pool, "DELETE FROM attendance_records WHERE employee_id = %s AND attendance_date = CURDATE() "
                        "AND scheduled_hours = 8.00 AND actual_hours = 0 AND attendance_status = 'absent'", (free,))
        await writer.invalidate("analytics:佐世保", "analytics:all")
        await writer.close()


async def test_namespaces_are_per_site(cached):
    await site_overview(cached, "横浜")
    await site_overview(cached, "札幌")
    await site_overview(cached, "")
    await cached.cache.invalidate_sites(["横浜"])
    misses = cached.cache.misses
    await site_overview(cached, "札幌")
    assert cached.cache.misses == misses  # 札幌 untouched
    await site_overview(cached, "横浜")
    await site_overview(cached, "")
    assert cached.cache.misses == misses + 2  # 横浜 and all-sites recomputed


async def test_dead_redis_is_a_miss_not_an_error(pool):
    dead = Cache("redis://127.0.0.1:1/0", prefix="nowhere")
    deps = Deps.create(pool, ResultCache(dead))
    try:
        result = await site_overview(deps, "大阪")
        assert result["location"] == "大阪" and result["active_staff"] > 0
        await deps.cache.invalidate_sites(["大阪"])  # logged, not raised
    finally:
        await dead.close()
