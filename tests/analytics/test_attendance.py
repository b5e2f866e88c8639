"""GetAttendancePattern: cells equal SQL, rates add up, planted patterns stand out, noise does not."""
from __future__ import annotations

import re

import pytest

from services.common.errors import InvalidArgument, NotFound

from services.analytics.attendance import attendance_pattern
from tests.analytics.helpers import sql


async def test_cells_equal_sql_and_rates_add_up(deps, pool):
    result = await attendance_pattern(deps, "佐世保")
    rows = await sql(pool, """
        SELECT DAYOFWEEK(attendance_date) AS dow, attendance_status, COUNT(*) AS n FROM attendance_records
        WHERE location_id = 5 AND attendance_date BETWEEN CURDATE() - INTERVAL 29 DAY AND CURDATE()
        GROUP BY dow, attendance_status""")
    assert sorted((c["day_of_week"], c["attendance_status"], c["count"]) for c in result["cells"]) == \
        sorted((r["dow"], r["attendance_status"], r["n"]) for r in rows)
    assert result["total"] == sum(r["n"] for r in rows)
    for day in result["weekdays"]:
        rates = [c["rate"] for c in result["cells"] if c["day_of_week"] == day["day_of_week"]]
        assert abs(sum(rates) - 1.0) < 0.001


async def test_yokohama_monday_stands_out_with_its_size(deps):
    result = await attendance_pattern(deps, "横浜")
    top = result["standouts"][0]
    assert (top["dimension"], top["key"], top["metric"]) == ("weekday", "月", "absence_rate")
    assert top["value"] > 2 * top["baseline"] and top["difference_pts"] > 8 and top["z_score"] >= 3
    assert "月曜" in top["description"]
    printed = float(re.search(r"は (\d+\.\d)%", top["description"]).group(1))
    assert abs(printed - top["value"] * 100) <= 0.05 + 1e-6      # the exact share, to one decimal
    monday = next(w for w in result["weekdays"] if w["weekday_name"] == "月")
    assert monday["absence_rate"] == top["value"]


async def test_an_ordinary_site_has_no_weekday_standout(deps):
    result = await attendance_pattern(deps, "大阪")
    assert not [s for s in result["standouts"] if s["dimension"] == "weekday"]


@pytest.mark.parametrize("kwargs", [{"date_from": "x"}, {"date_from": "2025-01-01", "date_to": "2026-06-01"}])
async def test_bad_ranges(deps, kwargs):
    with pytest.raises(InvalidArgument):
        await attendance_pattern(deps, "横浜", **kwargs)


async def test_unknown_site(deps):
    with pytest.raises(NotFound, match="札幌"):
        await attendance_pattern(deps, "名古屋")
