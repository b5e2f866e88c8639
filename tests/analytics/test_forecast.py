"""Workload forecasting: the method on synthetic series with a known answer, then ForecastWorkload on the
sample history (staff-hours from measured productivity, backtest against seasonal-naive, bad input)."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument, NotFound

from services.analytics import forecast_model as fm
from services.analytics.forecast import forecast_workload
from tests.analytics.helpers import sql

TODAY = dt.date.today()
LEVELS = [1000, 1100, 1050, 1080, 990, 500, 80]  # Monday..Sunday


def synthetic(days: int, slope: float, noise: float, seed: int = 1):
    rng = random.Random(seed)
    start = dt.date(2026, 1, 5)  # a Monday
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    units = [LEVELS[d.weekday()] + slope * i + rng.gauss(0, noise) for i, d in enumerate(dates)]
    return dates, units


def test_recovers_weekday_levels_without_inventing_a_trend():
    dates, units = synthetic(84, 0.0, 20.0)
    model = fm.fit(dates, units)
    assert not model.has_trend
    for k in range(1, 8):
        day = dates[-1] + dt.timedelta(days=k)
        assert abs(fm.predict(model, day).units - LEVELS[day.weekday()]) < 25


def test_keeps_a_real_trend_and_damps_it():
    dates, units = synthetic(84, 3.0, 20.0)
    model = fm.fit(dates, units)
    assert model.has_trend and abs(model.beta[7] - 3.0) < 0.5
    near = fm.predict(model, dates[-1] + dt.timedelta(days=7))
    far = fm.predict(model, dates[-1] + dt.timedelta(days=56))
    undamped_growth = 3.0 * 49
    assert 0 < far.units - near.units < undamped_growth  # still rising, but damped


def test_interval_covers_about_the_nominal_share():
    covered = total = 0
    for seed in range(30):
        dates, units = synthetic(98, 0.0, 40.0, seed)
        model = fm.fit(dates[:84], units[:84])
        for d, u in zip(dates[84:], units[84:]):
            p = fm.predict(model, d)
            covered += p.lower <= u <= p.upper
            total += 1
    assert 0.82 <= covered / total <= 0.97


def test_too_little_history_is_refused():
    dates, units = synthetic(20, 0.0, 10.0)
    with pytest.raises(ValueError):
        fm.fit(dates, units)


async def test_forecast_points_and_staff_hours(deps, pool):
    result = await forecast_workload(deps, "品川", days=7)
    assert result["method"] == "seasonal_trend" and result["history_source"] == "workload_forecasts.actual_units"
    assert len(result["points"]) == 7 * 6
    assert result["points"][0]["date"] == (TODAY + dt.timedelta(days=1)).isoformat()
    per_hour = {p["process"]: p["units_per_staff_hour"] for p in result["productivity"]}
    for point in result["points"]:
        assert point["lower_units"] <= point["forecast_units"] <= point["upper_units"]
        assert abs(point["staff_hours"] - point["forecast_units"] / per_hour[point["process"]]) < 0.05
    picking = next(p for p in result["productivity"] if p["process"] == "ピッキング")
    row = (await sql(pool, """SELECT AVG(productivity_score) AS m, COUNT(*) AS n FROM productivity_records
        WHERE location_id = 2 AND process_id = 1 AND record_date BETWEEN CURDATE() - INTERVAL 29 DAY AND CURDATE()"""))[0]
    assert (picking["mean_productivity"], picking["sample_size"]) == (round(float(row["m"]), 2), row["n"])
    assert picking["units_per_staff_hour"] == round(110.0 * float(row["m"]) / 100, 2)
    by_day = {}
    for p in result["points"]:
        by_day.setdefault(dt.date.fromisoformat(p["date"]).weekday(), []).append(p["forecast_units"])
    assert sum(by_day[6]) < 0.3 * sum(by_day[1])  # Sunday is a fraction of Tuesday: weekday seasonality


async def test_backtest_beats_seasonal_naive(deps):
    wape, baseline = [], []
    for site in ("横浜", "品川", "札幌", "大阪", "佐世保"):
        bt = (await forecast_workload(deps, site, days=1))["backtest"]
        assert bt["folds"] == 3 and bt["points"] == 3 * 14 * 6 and bt["baseline_method"] == "seasonal_naive_7"
        assert 0.7 <= bt["interval_coverage"] <= 1.0
        wape.append(bt["wape"])
        baseline.append(bt["baseline_wape"])
    assert sum(wape) < 0.9 * sum(baseline), (wape, baseline)


async def test_process_filter_and_defaults(deps):
    result = await forecast_workload(deps, "大阪", process="検品")
    assert {p["process"] for p in result["points"]} == {"検品"} and len(result["points"]) == 14


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"days": 61}, InvalidArgument, "days"),
    ({"days": -1}, InvalidArgument, "days"),
    ({"start_date": "2099-01-01"}, InvalidArgument, "start_date"),
    # The history window before 0001-01-01 used to overflow (500).
    ({"start_date": "0001-01-01"}, InvalidArgument, "2000-01-01〜2099-12-31"),
    ({"start_date": "2020-01-01"}, FailedPrecondition, "実績"),
    ({"process": "溶接"}, NotFound, "仕分け"),
])
async def test_bad_requests(deps, kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        await forecast_workload(deps, "横浜", **kwargs)
