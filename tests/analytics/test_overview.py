"""GetSiteOverview against the sample data: the seed's own SQL (verbatim, CURDATE and joins through
employees) must give the same rows as the engine's index-friendly rewrite, and the planted patterns show."""
from __future__ import annotations

import datetime as dt

import pytest

from db import seed_queries
from services.common.errors import NotFound

from services.analytics.overview import site_overview
from tests.analytics.helpers import sql

SITES = ["横浜", "品川", "札幌", "大阪", "佐世保"]

@pytest.mark.parametrize("site", ["横浜", "品川"])
async def test_seed_queries_give_the_same_rows(deps, pool, site):
    overview = await site_overview(deps, site)
    trend = await sql(pool, seed_queries.PRODUCTIVITY_TREND, (site,))
    assert [(p["record_date"], p["daily_productivity"], p["record_count"]) for p in overview["productivity_trend"]] == [
        (r["record_date"].isoformat(), round(float(r["daily_productivity"]), 2), r["record_count"]) for r in trend]
    pattern = await sql(pool, seed_queries.ATTENDANCE_PATTERN, (site,))
    assert sorted((c["day_of_week"], c["attendance_status"], c["count"]) for c in overview["attendance_pattern"]) == \
        sorted((r["day_of_week"], r["attendance_status"], r["count"]) for r in pattern)
    adjustments = await sql(pool, seed_queries.CURRENT_ALERTS, (site,))
    assert {a["adjustment_type"]: (a["count"], a["avg_confidence"]) for a in overview["current_alerts"]} == {
        r["adjustment_type"]: (r["count"], round(float(r["avg_confidence"] or 0), 3)) for r in adjustments}
    assert len(trend) == 7 and adjustments, "the sample must have data for these windows"


async def test_headline_numbers_match_sql(deps, pool):
    overview = await site_overview(deps, "品川")
    row = (await sql(pool, """
        SELECT AVG(productivity_score) AS avg, COUNT(*) AS n FROM productivity_records
        WHERE location_id = 2 AND record_date BETWEEN CURDATE() - INTERVAL 30 DAY AND CURDATE()"""))[0]
    assert overview["productivity_avg"] == round(float(row["avg"]), 2)
    assert overview["productivity_records"] == row["n"]
    att = (await sql(pool, """
        SELECT SUM(attendance_status IN ('present','late','early_leave')) AS worked, COUNT(*) AS n,
               SUM(CASE WHEN attendance_status IN ('present','late','early_leave') THEN overtime_hours END) AS ot
        FROM attendance_records WHERE location_id = 2 AND attendance_date BETWEEN CURDATE() - INTERVAL 30 DAY AND CURDATE()"""))[0]
    assert overview["attendance_rate"] == round(100 * float(att["worked"]) / att["n"], 2)
    assert overview["overtime_hours_avg"] == round(float(att["ot"]) / float(att["worked"]), 2)
    today = (await sql(pool, """
        SELECT COUNT(*) AS n FROM assignment_adjustments aa JOIN daily_assignments da
          ON aa.original_assignment_id = da.assignment_id
        WHERE da.location_id = 2 AND aa.adjustment_date = CURDATE()"""))[0]["n"]
    assert overview["adjustments_today"] == today > 0
    open_alerts = (await sql(pool, "SELECT COUNT(*) AS n FROM alerts WHERE location_id = 2 "
                                   "AND status IN ('open', 'acknowledged')"))[0]["n"]
    assert overview["alert_count"] == open_alerts == sum(t["count"] for t in overview["alerts_by_type"])


async def test_yokohama_monday_is_the_worst_absence_day_and_staff_is_new(deps):
    overviews = {site: await site_overview(deps, site) for site in SITES}
    yokohama = overviews["横浜"]
    assert yokohama["worst_absence_weekday"] == "月"
    rates = {w["weekday_name"]: w["absence_rate"] for w in yokohama["absence_by_weekday"]}
    assert rates["月"] > 2 * max(r for day, r in rates.items() if day not in ("月", "日"))
    share = {s: o["new_staff"] / o["active_staff"] for s, o in overviews.items()}
    assert share["横浜"] == max(share.values()) and share["横浜"] > 0.3


async def test_shinagawa_overtime_is_highest(deps):
    overtime = {site: (await site_overview(deps, site))["overtime_hours_avg"] for site in SITES}
    assert max(overtime, key=overtime.get) == "品川" and overtime["品川"] > 2 * sorted(overtime.values())[-2]


@pytest.mark.parametrize("location", ["", "unclear", "全拠点"])
async def test_all_sites_aggregates_every_site(deps, location):
    overall = await site_overview(deps, location)
    per_site = [await site_overview(deps, s) for s in SITES]
    assert overall["location"] == "全拠点"
    assert overall["active_staff"] == sum(o["active_staff"] for o in per_site)
    assert overall["attendance_records"] == sum(o["attendance_records"] for o in per_site)
    assert overall["alert_count"] == sum(o["alert_count"] for o in per_site)
    simple = (await sql(deps.pool, seed_queries.SIMPLE_QUERY_ADJUSTMENTS_TODAY))[0]["count"]
    assert overall["adjustments_today"] == simple > 0


async def test_past_date_moves_the_windows(deps):
    as_of = dt.date.today() - dt.timedelta(days=40)
    overview = await site_overview(deps, "大阪", as_of.isoformat())
    assert overview["as_of"] == as_of.isoformat()
    assert all(p["record_date"] <= as_of.isoformat() for p in overview["productivity_trend"])


async def test_unknown_site_lists_valid_sites(deps):
    with pytest.raises(NotFound) as info:
        await site_overview(deps, "東京")
    assert all(site in info.value.message for site in SITES)


class _EveryIndex:
    """An index catalogue that claims the optional date-leading covering indexes exist."""

    async def covers(self, table, leading, columns):
        return True


async def test_unfiltered_all_site_form_gives_the_same_numbers(deps):
    from dataclasses import replace

    with_covering = replace(deps, indexes=_EveryIndex())
    assert await site_overview(with_covering, "") == await site_overview(deps, "")
    assert await site_overview(with_covering, "札幌") == await site_overview(deps, "札幌")
