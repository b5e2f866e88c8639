"""workload_forecasts for one site: every history day (method 'history', actual_units filled) and
today..today+forecast_days (method 'seasonal_trend', prediction interval, actual_units NULL).

Magnitudes follow staffing on purpose: demand staff-hours = planned staff-hours x a day factor of
0.90-1.06 (+ the site's Monday boost), so after absences the optimiser sees realistic, mostly small
shortages — larger at 横浜 on Mondays. forecast_units / standard_units_per_hour = staff-hours needed at
productivity_score 100.
"""
from __future__ import annotations

import random
from statistics import fmean

from db.reference import BLOCKS, PROCESSES, SiteProfile
from db.simulate import OT_HEAVY, OT_NORMAL, Ids, SiteStats
from db.staff import Staff
from db.timeline import Timeline


def process_mix(roster: list[Staff]) -> dict[int, float]:
    """Half the default demand shares, half where the site's people actually are (primary process)."""
    active = [s for s in roster if s.leave_idx is None] or roster
    mix = {}
    for p in PROCESSES:
        staffed = sum(1 for s in active if s.primary == p.process_id) / len(active)
        mix[p.process_id] = 0.5 * p.demand_share + 0.5 * staffed
    return mix


def emit_forecasts(tl: Timeline, profile: SiteProfile, location_id: int, roster: list[Staff], stats: SiteStats,
                   rng: random.Random, ids: Ids, sink) -> list[float]:
    """Writes the rows; returns the regular-block demand in staff-hours per history day (for alerts)."""
    mix = process_mix(roster)
    ot_mean = fmean(OT_HEAVY if profile.heavy_overtime else OT_NORMAL)
    demand_hours = [0.0] * tl.history_days
    future_created = f"{tl.strs[tl.today]} 05:00:00"
    for d in range(len(tl.dates)):
        history = d < tl.today
        factor = rng.uniform(0.90, 1.06) + (profile.monday_demand_boost if tl.weekdays[d] == 0 else 0.0)
        width = 0.06 if history else 0.06 + 0.01 * (d - tl.today)
        created = f"{tl.dates[d - 1].isoformat() if d else tl.strs[0]} 20:00:00" if history else future_created
        method = "history" if history else "seasonal_trend"
        ot_hours = stats.full_time_scheduled[d] * profile.overtime_prob * ot_mean * rng.uniform(0.85, 1.15)
        for p in PROCESSES:
            share = mix[p.process_id] * rng.uniform(0.9, 1.1)
            for bi, block in enumerate(BLOCKS):
                if bi < 2:
                    hours = stats.planned_hours[d][bi] * factor * share
                    if d < tl.history_days:
                        demand_hours[d] += hours
                else:
                    hours = ot_hours * share
                units = round(hours * p.units_per_hour, 1)
                actual = round(stats.actual_units[d][(p.process_id - 1) * 3 + bi], 1) if history else None
                ids.forecast += 1
                sink.add("workload_forecasts", (
                    ids.forecast, location_id, p.process_id, tl.strs[d], block, units,
                    round(units * (1 - width), 1), round(units * (1 + width), 1), actual, method, created))
    return demand_hours
