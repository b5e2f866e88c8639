"""Deterministic data generator: the same code produces the sample data set and the scale data set.

`generate(config, sink)` streams rows (tuples in db.tables.COLUMNS order) into `sink.add(table, row)`.
Everything derives from random.Random instances seeded with (seed, site code), so a given
(seed, end_date, sizes) always yields identical rows, and one site's data does not depend on the others.

Sample mode: the five named sites with their own staff counts and planted patterns, 120 days of history
ending on end_date (the load day, so CURDATE()-relative queries find it).
Scale mode: N sites (the five named ones, then 拠点006/site006 ... with regions cycling), M active staff
per site, D days of history.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from db.forecasts import emit_forecasts
from db.knowhow import rag_rows
from db.reference import NAMED_SITES, PROCESSES, SiteProfile, synthetic_site
from db.seed_alerts import emit_alerts
from db.simulate import Ids, SiteSimulation
from db.staff import make_roster, roster_rows
from db.timeline import Timeline

SAMPLE_HISTORY_DAYS = 120


@dataclass(frozen=True)
class GenConfig:
    end_date: date
    seed: int = 42
    history_days: int = SAMPLE_HISTORY_DAYS
    forecast_days: int = 14
    sites: int | None = None            # None = the five named sites (sample mode)
    staff_per_site: int | None = None   # None = each named site's own sample size
    alerts_per_type: int = 4

    def site_profiles(self) -> list[SiteProfile]:
        count = self.sites or len(NAMED_SITES)
        return [NAMED_SITES[i] if i < len(NAMED_SITES) else synthetic_site(i + 1, self.staff_per_site or 40)
                for i in range(count)]

    def staff_for(self, profile: SiteProfile) -> int:
        return self.staff_per_site or profile.sample_staff


def overtime_limit(n_staff: int) -> float:
    """Site-wide daily overtime cap (staff-hours): about 0.4 h per active employee."""
    return float(max(8, round(n_staff * 0.4)))


def generate(config: GenConfig, sink, on_site=None) -> dict[str, int]:
    """Stream every generated row into `sink`. Returns {location_name: location_id}."""
    tl = Timeline(config.end_date, config.history_days, config.forecast_days)
    profiles = config.site_profiles()
    site_ids = {p.name: i for i, p in enumerate(profiles, start=1)}
    limits = {p.name: overtime_limit(config.staff_for(p)) for p in profiles}
    for p in profiles:
        sink.add("locations", (site_ids[p.name], p.name, p.code, p.region, limits[p.name]))
    for p in PROCESSES:
        sink.add("processes", (p.process_id, p.code, p.name, p.min_skill, p.requires_veteran, p.units_per_hour))
    ids = Ids()
    for k, profile in enumerate(profiles):
        loc = site_ids[profile.name]
        rng = random.Random(f"aimee:{config.seed}:{profile.code}")
        roster = make_roster(rng, profile, loc, config.staff_for(profile), ids.employee + 1, tl)
        ids.employee += len(roster)
        employees, skills = roster_rows(roster, loc, profile.code, tl, rng)
        for row in employees:
            sink.add("employees", row)
        for row in skills:
            sink.add("employee_skills", row)
        stats = SiteSimulation(tl, profile, loc, roster, rng, ids, sink).run()
        demand = emit_forecasts(tl, profile, loc, roster, stats, rng, ids, sink)
        emit_alerts(tl, profile, loc, stats, demand, limits[profile.name], rng, ids, sink, config.alerts_per_type)
        if on_site:
            on_site(k + 1, len(profiles), profile)
    for row in rag_rows(site_ids, config.end_date):
        sink.add("rag_context", row)
    return site_ids
