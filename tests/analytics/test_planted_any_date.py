"""The planted patterns are found whatever day the sample is loaded on.

The sample is generated relative to its load date, so a pattern that only shows on lucky dates makes the
suite fail on some calendar days. Here the sample is loaded for a spread of awkward end dates (the 1st of a
month, New Year's Eve and Day, a leap day, a Monday, a Sunday, midsummer) into the suite's own database, and
the analytics must find every pattern the generator plants (db/reference.py) *as of that date*:
- 横浜: Monday absence at least twice every other weekday's (overview, attendance standouts, detection),
  the largest share of new staff, a recent productivity drop;
- 品川: the highest overtime, over the site cap on (nearly) every day;
- 札幌: the highest absence of all sites in the snow season (planted factor >= 2.4), a recent-absence alert
  while the season sets in, none while it is flat or easing, and its winter months standing out;
- 大阪 and 佐世保: none of the planted alerts.
"""
from __future__ import annotations

import datetime as dt

import pytest

from db.connect import drop_database
from db.load import load_sample
from db.reference import NAMED_SITES
from db.timeline import winter_absence_factor
from services.analytics.attendance import attendance_pattern
from services.analytics.cached import ResultCache
from services.analytics.deps import Deps
from services.analytics.detection.runner import detect_alerts
from services.analytics.overview import site_overview
from services.common.db import create_pool, with_database
from tests.conftest import TEST_DATABASE, TEST_DATABASE_URL

DATES_DB = f"{TEST_DATABASE}_dates"
SITES = ("横浜", "品川", "札幌", "大阪", "佐世保")
END_DATES = ("2026-11-15", "2026-12-01", "2026-12-31", "2027-01-01", "2028-02-29", "2027-03-15", "2027-06-06", "2027-07-15")
SNOW_SEASON_FACTOR = 2.4
SAPPORO_BASE_ABSENCE = next(p.base_absence for p in NAMED_SITES if p.name == "札幌")  # winter_absence_factor at or above this: 札幌's absence is planted to lead


@pytest.fixture(scope="module", params=END_DATES)
async def loaded(request):
    end = dt.date.fromisoformat(request.param)
    load_sample(DATES_DB, seed=42, end_date=end)
    pool = await create_pool(with_database(TEST_DATABASE_URL, DATES_DB), maxsize=4)
    deps = Deps.create(pool, ResultCache(None))
    overviews = {site: await site_overview(deps, site, end.isoformat()) for site in SITES}
    detected = await detect_alerts(deps, "", end.isoformat(), (end - dt.timedelta(days=13)).isoformat())
    yield end, deps, overviews, detected
    pool.close()
    await pool.wait_closed()


@pytest.fixture(scope="module", autouse=True)
def _drop_dates_db_at_end():
    yield
    drop_database(DATES_DB)


def found(detected, site, alert_type, subject_prefix=""):
    return [a for a in detected["alerts"] if a["location"] == site and a["alert_type"] == alert_type
            and str(a["evidence"].get("subject", "")).startswith(subject_prefix)]


async def test_yokohama_monday_absence_doubles_every_other_weekday(loaded):
    end, deps, overviews, detected = loaded
    yokohama = overviews["横浜"]
    assert yokohama["worst_absence_weekday"] == "月"
    rates = {w["weekday_name"]: w["absence_rate"] for w in yokohama["absence_by_weekday"]}
    assert rates["月"] > 2 * max(r for day, r in rates.items() if day not in ("月", "日")), rates
    pattern = await attendance_pattern(deps, "横浜", (end - dt.timedelta(days=29)).isoformat(), end.isoformat())
    top = pattern["standouts"][0]
    assert (top["dimension"], top["key"], top["metric"]) == ("weekday", "月", "absence_rate")
    assert top["value"] > 2 * top["baseline"] and top["z_score"] >= 3
    assert found(detected, "横浜", "absence_spike", "weekday")


async def test_yokohama_has_the_most_new_staff_and_a_productivity_drop(loaded):
    _, _, overviews, detected = loaded
    share = {s: o["new_staff"] / o["active_staff"] for s, o in overviews.items()}
    assert max(share, key=share.get) == "横浜" and share["横浜"] > 0.3, share
    assert found(detected, "横浜", "productivity_drop")


async def test_shinagawa_overtime_is_highest_and_over_the_cap(loaded):
    _, _, overviews, detected = loaded
    overtime = {site: o["overtime_hours_avg"] for site, o in overviews.items()}
    assert max(overtime, key=overtime.get) == "品川" and overtime["品川"] > 2 * sorted(overtime.values())[-2]
    assert len({a["period_start"] for a in found(detected, "品川", "overtime_over_limit")}) >= 10


def planted_rise(as_of: dt.date) -> float:
    """The generator's own 札幌 factor: mean over detection's recent 28 days / mean over the 56 days before."""
    recent = sum(winter_absence_factor(as_of - dt.timedelta(days=i)) for i in range(28)) / 28
    base = sum(winter_absence_factor(as_of - dt.timedelta(days=28 + i)) for i in range(56)) / 56
    return recent / base


async def test_sapporo_absence_follows_the_snow_season(loaded):
    end, deps, overviews, detected = loaded
    rates = {site: o["absence_rate"] for site, o in overviews.items()}
    if winter_absence_factor(end) >= SNOW_SEASON_FACTOR:
        assert max(rates, key=rates.get) == "札幌", rates
    recent = found(detected, "札幌", "absence_spike", "recent")
    if planted_rise(end) >= 1.6:  # the snow season setting in: detection must see the rise
        assert recent and recent[-1]["evidence"]["absence_rate"] > recent[-1]["evidence"]["baseline_rate"]
    if max(planted_rise(end - dt.timedelta(days=k)) for k in range(14)) <= 1.0:  # flat or easing: no alarm
        assert not recent, recent


async def test_sapporo_snowiest_month_stands_out_in_a_long_window(loaded):
    end, deps, _, _ = loaded
    start = end - dt.timedelta(days=110)
    by_month: dict[str, list[float]] = {}
    for day in (start + dt.timedelta(days=i) for i in range(111)):
        by_month.setdefault(f"{day.year}年{day.month}月", []).append(winter_absence_factor(day))
    planted = {month: sum(f) / len(f) for month, f in by_month.items() if len(f) >= 10}
    snowiest = max(planted, key=planted.get)
    rest = [f for month, fs in by_month.items() if month != snowiest for f in fs]
    planted_gap_pts = 100 * SAPPORO_BASE_ABSENCE * (planted[snowiest] - sum(rest) / len(rest))
    if planted_gap_pts < 5:
        pytest.skip(f"{end} までの110日では札幌の月ごとの計画差が {planted_gap_pts:.1f} ポイントしかない")
    pattern = await attendance_pattern(deps, "札幌", start.isoformat(), end.isoformat())
    months = {s["key"] for s in pattern["standouts"] if s["dimension"] == "month" and s["metric"] == "absence_rate"}
    assert snowiest in months, (planted, pattern["standouts"])


async def test_ordinary_sites_raise_none_of_the_planted_alerts(loaded):
    _, _, _, detected = loaded
    for site in ("大阪", "佐世保"):
        for alert_type in ("overtime_over_limit", "productivity_drop", "absence_spike"):
            assert not found(detected, site, alert_type), (site, alert_type)
