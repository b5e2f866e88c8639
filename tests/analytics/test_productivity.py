"""GetProductivityTrend: numbers equal independent SQL, breakdowns add up, bad input is rejected."""
from __future__ import annotations

import datetime as dt
import math

import pytest

from services.common.errors import InvalidArgument, NotFound

from services.analytics.productivity import productivity_trend
from tests.analytics.helpers import sql


async def test_daily_points_equal_sql(deps, pool):
    result = await productivity_trend(deps, "大阪")
    rows = await sql(pool, """
        SELECT record_date, AVG(productivity_score) AS mean, STDDEV_SAMP(productivity_score) AS sd, COUNT(*) AS n
        FROM productivity_records WHERE location_id = 4 AND record_date BETWEEN CURDATE() - INTERVAL 29 DAY AND CURDATE()
        GROUP BY record_date ORDER BY record_date""")
    assert [(p["period_start"], p["mean"], p["stddev"], p["sample_size"]) for p in result["points"]] == [
        (r["record_date"].isoformat(), round(float(r["mean"]), 2), round(float(r["sd"]), 2), r["n"]) for r in rows]
    assert result["current"]["sample_size"] == sum(r["n"] for r in rows)


async def test_weekly_by_process_adds_up_and_compares_with_previous_period(deps):
    today = dt.date.today()
    start = today - dt.timedelta(days=55)
    result = await productivity_trend(deps, "横浜", start.isoformat(), today.isoformat(), "week", group_by="process")
    assert {p["process"] for p in result["points"]} == {"ピッキング", "検品", "梱包", "入荷", "出荷", "仕分け"}
    assert all(p["period_start"] >= start.isoformat() and p["period_end"] <= today.isoformat() for p in result["points"])
    assert sum(p["sample_size"] for p in result["points"]) == result["current"]["sample_size"]
    weighted = sum(p["mean"] * p["sample_size"] for p in result["points"]) / result["current"]["sample_size"]
    assert math.isclose(weighted, result["current"]["mean"], abs_tol=0.01)
    assert result["previous"]["date_to"] == (start - dt.timedelta(days=1)).isoformat()
    assert result["comparable"]
    expected = (result["current"]["mean"] - result["previous"]["mean"]) / result["previous"]["mean"] * 100
    assert math.isclose(result["change_pct"], expected, abs_tol=0.02)
    # 横浜's productivity falls over the last four weeks (planted): clearly lower than the 8 weeks before
    assert result["change_pts"] < -1.5 and result["change_t"] < -3


async def test_employee_filter_and_breakdown(deps, pool):
    emp = (await sql(pool, "SELECT employee_id FROM employees WHERE location_id = 1 AND is_active = 1 "
                           "ORDER BY employee_id LIMIT 1"))[0]["employee_id"]
    one = await productivity_trend(deps, "横浜", employee_id=emp)
    n = (await sql(pool, "SELECT COUNT(*) AS n FROM productivity_records WHERE employee_id = %s AND "
                         "record_date BETWEEN CURDATE() - INTERVAL 29 DAY AND CURDATE()", (emp,)))[0]["n"]
    assert one["current"]["sample_size"] == n > 0
    by_employee = await productivity_trend(deps, "横浜", granularity="month", group_by="employee")
    assert emp in {p["employee_id"] for p in by_employee["points"]}
    with pytest.raises(NotFound, match="横浜の所属ではありません"):
        other = (await sql(pool, "SELECT employee_id FROM employees WHERE location_id = 2 LIMIT 1"))[0]["employee_id"]
        await productivity_trend(deps, "横浜", employee_id=other)


async def test_process_filter(deps):
    result = await productivity_trend(deps, "品川", process="検品", group_by="process")
    assert {p["process"] for p in result["points"]} == {"検品"}
    with pytest.raises(NotFound, match="ピッキング"):
        await productivity_trend(deps, "品川", process="溶接")


@pytest.mark.parametrize("kwargs, fragment", [
    ({"granularity": "year"}, "granularity"),
    ({"group_by": "site; DROP TABLE alerts"}, "group_by"),
    ({"date_from": "2026-02-30"}, "date_from"),
    ({"date_from": "2026-03-01", "date_to": "2026-02-01"}, "以前"),
    ({"date_from": "2024-01-01", "date_to": "2025-06-01"}, "最大 366 日"),
    # date_to alone: the default window before 0001-01-01 used to overflow (500).
    ({"date_to": "0001-01-01"}, "2000-01-01〜2099-12-31"),
])
async def test_bad_input_is_invalid_argument(deps, kwargs, fragment):
    with pytest.raises(InvalidArgument, match=fragment):
        await productivity_trend(deps, "横浜", **kwargs)


async def test_site_is_required_and_checked(deps):
    with pytest.raises(InvalidArgument, match="横浜"):
        await productivity_trend(deps, "")
    with pytest.raises(NotFound, match="佐世保"):
        await productivity_trend(deps, "横浜' OR '1'='1")
