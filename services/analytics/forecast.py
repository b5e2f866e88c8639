"""ForecastWorkload: volume per site x process x day for the next N days, with a prediction interval, the
staff-hours it implies, and a rolling-origin backtest against the seasonal-naive baseline.

History of volume = workload_forecasts.actual_units summed over time blocks (filled in for past dates);
when a site has none, productivity_records.units_processed summed per process and day.
Staff-hours = units / (standard_units_per_hour x mean productivity / 100), productivity measured at the
site per process over the 30 days before the forecast starts.
Read-only: nothing is written to workload_forecasts.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict

from services.common.dates import parse_date, today
from services.common.db import fetch_all
from services.common.errors import FailedPrecondition, InvalidArgument

from services.analytics import forecast_model as fm
from services.analytics.choices import bounded_int
from services.analytics.deps import Deps
from services.analytics.processes import Process
from services.analytics.scope import Scope, resolve_site
from services.analytics.stats import mape, smape, wape

MAX_DAYS = 60
DEFAULT_DAYS = 14
BACKTEST_FOLDS = 3
BACKTEST_HORIZON = 14
HISTORY_DAYS = fm.FIT_DAYS + BACKTEST_FOLDS * BACKTEST_HORIZON
PRODUCTIVITY_DAYS = 30
MAX_START_AHEAD_DAYS = 60


async def forecast_workload(deps: Deps, location: str, days: int = 0, process: str = "", start_date: str = "") -> dict:
    scope = await resolve_site(deps.sites, location)
    horizon = bounded_int(days, "days", 1, MAX_DAYS, DEFAULT_DAYS)
    start = parse_date(start_date, "start_date", today() + dt.timedelta(days=1))
    if start > today() + dt.timedelta(days=MAX_START_AHEAD_DAYS):
        raise InvalidArgument(f"start_date は今日から {MAX_START_AHEAD_DAYS} 日以内にしてください（指定: {start}）")
    processes = [await deps.processes.get(process)] if (process or "").strip() else await deps.processes.all()
    parts = ("forecast", scope.name, start.isoformat(), horizon, [p.process_id for p in processes])
    return await deps.cache.get_or_compute(scope.cache_namespace, parts,
                                           lambda: compute_forecast(deps, scope, start, horizon, processes))


async def compute_forecast(deps: Deps, scope: Scope, start: dt.date, horizon: int, processes: list[Process]) -> dict:
    (source, series), productivity = await asyncio.gather(
        load_history(deps, scope, start, [p.process_id for p in processes]),
        _productivity(deps, scope, start))
    if not series:
        raise FailedPrecondition(f"{scope.name}には {start} より前の業務量の実績がないため予測できません")
    site_n = sum(n for _, n in productivity.values())
    if site_n == 0:
        raise FailedPrecondition(f"{scope.name}には直近{PRODUCTIVITY_DAYS}日の生産性実績がないため、必要工数を計算できません")
    site_mean = sum(m * n for m, n in productivity.values()) / site_n
    points, used, backtest_pairs, history_days = [], [], defaultdict(list), 0
    for process in processes:
        dates, units = series.get(process.process_id, ([], []))
        if len(dates) < fm.MIN_FIT_DAYS:
            raise FailedPrecondition(f"{scope.name}の{process.name}は業務量の実績が {len(dates)} 日分しかなく、"
                                     f"予測には {fm.MIN_FIT_DAYS} 日以上必要です")
        history_days = max(history_days, len(dates))
        mean, n = productivity.get(process.process_id, (site_mean, 0))
        per_hour = process.standard_units_per_hour * mean / 100.0
        used.append({"process": process.name, "standard_units_per_hour": process.standard_units_per_hour,
                     "mean_productivity": round(mean, 2), "sample_size": n,
                     "units_per_staff_hour": round(per_hour, 2)})
        model = fm.fit(dates, units)
        for k in range(horizon):
            day = start + dt.timedelta(days=k)
            p = fm.predict(model, day)
            points.append({"date": day.isoformat(), "process": process.name,
                           "forecast_units": round(p.units, 1), "lower_units": round(p.lower, 1),
                           "upper_units": round(p.upper, 1), "staff_hours": round(p.units / per_hour, 2),
                           "staff_hours_lower": round(p.lower / per_hour, 2),
                           "staff_hours_upper": round(p.upper / per_hour, 2)})
        for key, values in backtest_series(dates, units).items():
            backtest_pairs[key].extend(values)
    points.sort(key=lambda p: p["date"])
    return {"location": scope.name, "method": "seasonal_trend", "points": points,
            "backtest": summarize_backtest(backtest_pairs), "history_source": source,
            "history_days": history_days, "interval_level": fm.INTERVAL_LEVEL, "productivity": used}


async def load_history(deps: Deps, scope: Scope, start: dt.date,
                       process_ids: list[int]) -> tuple[str, dict[int, tuple[list[dt.date], list[float]]]]:
    """{process_id: (consecutive dates, units)} ending the day before `start` (missing days = 0 units)."""
    first, last = start - dt.timedelta(days=HISTORY_DAYS), start - dt.timedelta(days=1)
    # process_id IN (...) turns uq_forecast (location_id, process_id, forecast_date, ...) into one tight range
    # per process; without it the optimiser scans the whole table.
    in_list = ", ".join(["%s"] * len(process_ids))
    rows = await fetch_all(deps.pool, f"""
        SELECT forecast_date AS day, process_id, SUM(actual_units) AS units FROM workload_forecasts
        WHERE location_id = %s AND process_id IN ({in_list}) AND forecast_date BETWEEN %s AND %s
          AND actual_units IS NOT NULL
        GROUP BY forecast_date, process_id""", (scope.site.location_id, *process_ids, first, last))
    source = "workload_forecasts.actual_units"
    if not rows:
        rows = await fetch_all(deps.pool, f"""
            SELECT record_date AS day, process_id, SUM(units_processed) AS units FROM productivity_records
            WHERE location_id = %s AND record_date BETWEEN %s AND %s AND process_id IN ({in_list})
            GROUP BY record_date, process_id""", (scope.site.location_id, first, last, *process_ids))
        source = "productivity_records.units_processed"
    by_process: dict[int, dict[dt.date, float]] = defaultdict(dict)
    for r in rows:
        by_process[int(r["process_id"])][r["day"]] = float(r["units"] or 0.0)
    if not rows:
        return source, {}
    # History ends on the site's last day with actuals (today's actuals are usually not in yet): a missing
    # day inside the history is a day without volume, a missing day after it is simply not known.
    last = max(r["day"] for r in rows)
    series = {}
    for pid in process_ids:
        values = by_process.get(pid)
        if not values:
            continue
        first_day = min(values)
        n = (last - first_day).days + 1
        dates = [first_day + dt.timedelta(days=i) for i in range(n)]
        series[pid] = (dates, [values.get(d, 0.0) for d in dates])
    return source, series


async def _productivity(deps: Deps, scope: Scope, start: dt.date) -> dict[int, tuple[float, int]]:
    rows = await fetch_all(deps.pool, """
        SELECT process_id, AVG(productivity_score) AS mean, COUNT(*) AS n FROM productivity_records
        WHERE location_id = %s AND record_date BETWEEN %s AND %s GROUP BY process_id""",
                           (scope.site.location_id, start - dt.timedelta(days=PRODUCTIVITY_DAYS), start - dt.timedelta(days=1)))
    return {int(r["process_id"]): (float(r["mean"]), int(r["n"])) for r in rows}


def backtest_series(dates: list[dt.date], units: list[float]) -> dict[str, list]:
    """Rolling origin: fit on history up to each origin, forecast the next BACKTEST_HORIZON days."""
    out: dict[str, list] = {"actual": [], "method": [], "baseline": [], "covered": []}
    for fold in range(BACKTEST_FOLDS, 0, -1):
        cut = len(dates) - fold * BACKTEST_HORIZON
        if cut < fm.MIN_FIT_DAYS:
            continue
        train_d, train_u = dates[:cut], units[:cut]
        model = fm.fit(train_d, train_u)
        for i in range(cut, min(cut + BACKTEST_HORIZON, len(dates))):
            p = fm.predict(model, dates[i])
            out["actual"].append(units[i])
            out["method"].append(p.units)
            out["baseline"].append(fm.seasonal_naive(train_d, train_u, dates[i]))
            out["covered"].append(bool(p.lower <= units[i] <= p.upper))
    out["folds"] = [sum(1 for fold in range(BACKTEST_FOLDS, 0, -1)
                        if len(dates) - fold * BACKTEST_HORIZON >= fm.MIN_FIT_DAYS)]
    return out


def summarize_backtest(pairs: dict[str, list]) -> dict:
    actual = pairs.get("actual", [])
    return {"horizon_days": BACKTEST_HORIZON, "folds": max(pairs.get("folds", [0]) or [0]), "points": len(actual),
            "smape": round(smape(actual, pairs.get("method", [])), 2), "mape": round(mape(actual, pairs.get("method", [])), 2),
            "baseline_smape": round(smape(actual, pairs.get("baseline", [])), 2),
            "baseline_mape": round(mape(actual, pairs.get("baseline", [])), 2),
            "wape": round(wape(actual, pairs.get("method", [])), 2),
            "baseline_wape": round(wape(actual, pairs.get("baseline", [])), 2),
            "baseline_method": "seasonal_naive_7",
            "interval_coverage": round(sum(pairs.get("covered", [])) / len(actual), 3) if actual else 0.0}
