"""AnalyticsService over a real grpc.aio channel to the in-process server: content and status codes."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

import grpc
import pytest
import redis.asyncio as aioredis
from google.protobuf.json_format import MessageToDict

from aimee.analytics.v1 import analytics_pb2 as pb
from aimee.analytics.v1 import analytics_pb2_grpc
from services.analytics.config import Settings
from services.analytics.server import build
from tests.analytics.helpers import expect_status, sql
from tests.support.in_process import serving

TODAY = dt.date.today()
SITES = ("横浜", "品川", "札幌", "大阪", "佐世保")


async def test_overview(stub):
    response = await stub.GetSiteOverview(pb.GetSiteOverviewRequest(location="横浜"))
    o = response.overview
    assert o.location == "横浜" and o.as_of == TODAY.isoformat()
    assert o.worst_absence_weekday == "月" and len(o.productivity_trend) == 7 and o.active_staff > 0
    everywhere = await stub.GetSiteOverview(pb.GetSiteOverviewRequest(location="unclear"))
    assert everywhere.overview.location == "全拠点" and everywhere.overview.active_staff > o.active_staff


async def test_productivity_trend(stub):
    r = await stub.GetProductivityTrend(pb.GetProductivityTrendRequest(
        location="横浜", granularity="week", group_by="process", process="ピッキング"))
    assert r.granularity == "week" and r.points and all(p.process == "ピッキング" for p in r.points)
    assert sum(p.sample_size for p in r.points) == r.current.sample_size and r.comparable


async def test_attendance_pattern(stub):
    r = await stub.GetAttendancePattern(pb.GetAttendancePatternRequest(location="横浜"))
    assert r.standouts[0].key == "月" and r.standouts[0].z_score >= 3 and r.total == sum(c.count for c in r.cells)


async def test_forecast(stub):
    r = await stub.ForecastWorkload(pb.ForecastWorkloadRequest(location="札幌", days=3, process="梱包"))
    assert len(r.points) == 3 and r.points[0].staff_hours > 0 and r.backtest.points > 0
    assert r.interval_level == pytest.approx(0.9)


async def test_employee_stats(stub, pool):
    r = await stub.GetEmployeeStats(pb.GetEmployeeStatsRequest(location="大阪"))
    active = (await sql(pool, "SELECT COUNT(*) AS n FROM employees WHERE location_id = 4 AND is_active = 1"))[0]["n"]
    assert len(r.employees) == active
    worked = [e for e in r.employees if e.records]
    assert worked and all(0 < e.attendance_rate <= 1 and e.avg_productivity > 30 for e in worked)
    one = await stub.GetEmployeeStats(pb.GetEmployeeStatsRequest(location="大阪", employee_id=worked[0].employee_id))
    assert [e.employee_id for e in one.employees] == [worked[0].employee_id]
    assert one.employees[0].records == worked[0].records


async def test_detect_list_get_and_stats(stub):
    detected = await stub.DetectAlerts(pb.DetectAlertsRequest(location="品川", date=TODAY.isoformat()))
    assert detected.evaluations == 4 and detected.date_to == TODAY.isoformat()
    overtime = [a for a in detected.alerts if a.alert_type == "overtime_over_limit"]
    assert overtime and overtime[0].evidence["site_overtime_hours"] > 0
    again = await stub.DetectAlerts(pb.DetectAlertsRequest(location="品川", date=TODAY.isoformat()))
    assert again.created == 0 and {a.alert_id for a in again.alerts} == {a.alert_id for a in detected.alerts}
    listed = await stub.ListAlerts(pb.ListAlertsRequest(location="品川", alert_type="overtime_over_limit", page_size=2))
    assert listed.total > len(listed.alerts) == 2 and listed.next_page_token
    detail = await stub.GetAlert(pb.GetAlertRequest(alert_id=overtime[0].alert_id))
    assert detail.alert.rule_key == overtime[0].rule_key and detail.related_records
    as_json = MessageToDict(detail, preserving_proto_field_name=True)
    assert as_json["alert"]["evidence"]["site_limit_hours"] > 0
    stats = await stub.GetAlertStats(pb.GetAlertStatsRequest(location="品川", period="day"))
    assert stats.total >= 1 and sum(b.count for b in stats.by_type) == stats.total


@pytest.mark.parametrize("call, request_, code, fragments", [
    ("GetSiteOverview", pb.GetSiteOverviewRequest(location="東京"), grpc.StatusCode.NOT_FOUND, SITES),
    ("GetProductivityTrend", pb.GetProductivityTrendRequest(location="横浜", granularity="hour"),
     grpc.StatusCode.INVALID_ARGUMENT, ("granularity",)),
    ("GetProductivityTrend", pb.GetProductivityTrendRequest(location="横浜", date_from="2026-05-01", date_to="2026-04-01"),
     grpc.StatusCode.INVALID_ARGUMENT, ("date_from",)),
    ("GetProductivityTrend", pb.GetProductivityTrendRequest(location=""), grpc.StatusCode.INVALID_ARGUMENT, SITES),
    ("GetAttendancePattern", pb.GetAttendancePatternRequest(location="横浜", date_from="2024-01-01"),
     grpc.StatusCode.INVALID_ARGUMENT, ("366",)),
    ("GetAlertStats", pb.GetAlertStatsRequest(period="hour"), grpc.StatusCode.INVALID_ARGUMENT, ("period",)),
    ("ForecastWorkload", pb.ForecastWorkloadRequest(location="横浜", days=90), grpc.StatusCode.INVALID_ARGUMENT, ("days",)),
    ("ForecastWorkload", pb.ForecastWorkloadRequest(location="横浜", start_date="2019-01-01"),
     grpc.StatusCode.FAILED_PRECONDITION, ("実績",)),
    ("ListAlerts", pb.ListAlertsRequest(status="done"), grpc.StatusCode.INVALID_ARGUMENT, ("status",)),
    ("ListAlerts", pb.ListAlertsRequest(severity="severe"), grpc.StatusCode.INVALID_ARGUMENT, ("severity",)),
    ("GetAlert", pb.GetAlertRequest(alert_id=987654), grpc.StatusCode.NOT_FOUND, ("987654",)),
    ("DetectAlerts", pb.DetectAlertsRequest(location="京都"), grpc.StatusCode.NOT_FOUND, SITES),
    ("GetEmployeeStats", pb.GetEmployeeStatsRequest(location="大阪", employee_id=1), grpc.StatusCode.NOT_FOUND, ("1",)),
])
async def test_error_statuses(stub, call, request_, code, fragments):
    await expect_status(getattr(stub, call)(request_), code, *fragments)


async def test_second_identical_call_is_served_from_the_cache(database_url, redis_url, cache_prefix):
    """The second call must come from Redis, not from MariaDB: the cached entry is marked between the
    calls and the marked value is what the second call returns."""
    settings = dataclasses.replace(Settings.from_env(), database_url=database_url, redis_url=redis_url, port=0,
                                   cache_prefix=cache_prefix, alert_detection_interval_seconds=0)
    async with serving(await build(settings)) as channel:
        stub = analytics_pb2_grpc.AnalyticsServiceStub(channel)
        request = pb.GetAttendancePatternRequest(location="札幌")
        first = await stub.GetAttendancePattern(request)
        client = aioredis.from_url(redis_url)
        try:
            keys = [k for k in await client.keys(f"{cache_prefix}:*") if b":gen:" not in k]
            assert len(keys) == 1, keys
            entry = json.loads(await client.get(keys[0]))
            entry["total"] = first.total + 12345
            await client.set(keys[0], json.dumps(entry, ensure_ascii=False))
        finally:
            await client.aclose()
        second = await stub.GetAttendancePattern(request)
    assert second.total == first.total + 12345
    assert list(second.weekdays) == list(first.weekdays)


