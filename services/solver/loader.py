"""A site-day from MySQL (plus a what-if) as a model Instance, with what the explanation needs.

Why these rules (all from the data, none invented):
- available = shift_plans 'scheduled' and no absence already recorded in attendance_records; a what-if
  can mark people absent or add people (their own shift, or 09:00-18:00 when they were off);
- hours per block come from the shift times, the contract and the overtime limit (blocks.day_hours);
- certified = an employee_skills row at or above the process minimum; veteran = that level >= 4;
  new = overall skill <= 2 or hired fewer than 90 days ago;
- expected productivity = the person's hours-weighted mean score on the process over the last
  `history_days`, shrunk towards the site mean of people at the same per-process level (a person with
  one day of history is not trusted fully); people without history get that mean;
- demand = forecast_units / standard_units_per_hour (staff-hours at score 100), scaled by a what-if
  demand change; a cut-off moves the share of a block after the cut-off to the next day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.sites import Site, SiteDirectory
from services.solver.blocks import BLOCKS, cutoff_share, day_hours
from services.solver.instance import DemandCell, Instance, ProcessSpec, Rules, StaffMember
from services.solver.options import PlanOptions
from services.solver.repository import AssignmentRow, ProcessRow, SolverRepository, StaffRow

DEFAULT_SHIFT = (9 * 60, 18 * 60)
SHRINK_HOURS = 8.0          # prior weight: one day of work
OFF_STATUS_JA = {"day_off": "公休", "paid_leave": "有給休暇", "absent_notified": "欠勤連絡済み",
                 "absent": "欠勤", "no_plan": "勤務計画なし", "what_if": "欠勤（シミュレーション）",
                 "attendance_absent": "欠勤（勤怠記録）", "attendance_paid_leave": "有給休暇（勤怠記録）"}


@dataclass
class DayContext:
    """An Instance plus the facts behind it, for KPIs, explanations and the wire."""
    site: Site
    day: dt.date
    options: PlanOptions
    instance: Instance
    processes: list[ProcessRow]
    names: dict[int, str] = field(default_factory=dict)
    skill: dict[int, int] = field(default_factory=dict)
    skills: dict[int, dict[str, int]] = field(default_factory=dict)   # everyone loaded, available or not
    home: dict[int, str] = field(default_factory=dict)
    current: dict[tuple[int, str], AssignmentRow] = field(default_factory=dict)   # target site, not cancelled
    unavailable: dict[int, str] = field(default_factory=dict)   # target staff → reason key (OFF_STATUS_JA)
    added: dict[int, str] = field(default_factory=dict)         # employee → home site name
    helper_sites: list[Site] = field(default_factory=list)
    skipped_sites: list[str] = field(default_factory=list)      # same region but no forecast that day
    no_history: set[tuple[int, str]] = field(default_factory=set)

    @property
    def available_ids(self) -> list[int]:
        """People planned at the site that day (its own available staff and people added to it)."""
        return [m.employee_id for m in self.instance.staff if m.sites and m.sites[0] == self.site.name]


async def load_day(repo: SolverRepository, sites: SiteDirectory, location: str, day: dt.date,
                   options: PlanOptions, history_days: int, travel_cost_yen: float) -> DayContext:
    site = await sites.get(location)
    processes = await repo.processes()
    forecasts = await repo.forecasts([site.location_id], day)
    if not forecasts:
        raise FailedPrecondition(f"{site.name}の{day.isoformat()}の需要予測（workload_forecasts）がありません。"
                                 "予測のある日付を指定するか、先に需要予測を作成してください")
    if await repo.shift_plan_count(site.location_id, day) == 0:
        raise FailedPrecondition(f"{site.name}の{day.isoformat()}の勤務計画（shift_plans）がありません。"
                                 "勤務計画のある日付を指定してください")
    helpers, skipped = [], []
    if options.allow_cross_site:
        for other in await sites.all():
            if other.region == site.region and other.location_id != site.location_id:
                if await repo.forecasts([other.location_id], day):
                    helpers.append(other)
                else:
                    skipped.append(other.name)
    all_sites = [site, *helpers]
    by_id = {s.location_id: s for s in await sites.all()}
    staff = await repo.site_staff([s.location_id for s in all_sites], day)
    staff_ids = {r.employee_id for r in staff}
    absent, added = await _what_if(repo, site, day, options, by_id, staff)
    extra = [r for r in added if r.employee_id not in staff_ids]
    rows = staff + extra
    ids = [r.employee_id for r in rows]
    skills = await repo.skills(ids)
    history = await repo.productivity(ids, day - dt.timedelta(days=history_days), day)
    current_rows = await repo.assignments([s.location_id for s in all_sites], day, include_cancelled=False)
    if helpers:
        forecasts += await repo.forecasts([s.location_id for s in helpers], day)

    ctx = DayContext(site=site, day=day, options=options, instance=None, processes=processes,  # type: ignore[arg-type]
                     helper_sites=helpers, skipped_sites=skipped, skills=skills)
    productivity = _expected_productivity(rows, skills, history, processes, ctx)
    current_by_emp: dict[int, dict[str, str]] = {}
    for a in current_rows:
        current_by_emp.setdefault(a.employee_id, {})[a.time_block] = a.process
        if a.location_id == site.location_id:
            ctx.current[(a.employee_id, a.time_block)] = a
    added_ids = {r.employee_id for r in added}
    members = []
    for r in rows:
        home = by_id[r.location_id].name
        ctx.names[r.employee_id], ctx.skill[r.employee_id], ctx.home[r.employee_id] = r.name, r.skill_level, home
        if r.employee_id in added_ids:
            ctx.added[r.employee_id] = home
            span = (r.start_min, r.end_min) if r.planned_status == "scheduled" and r.start_min is not None \
                else DEFAULT_SHIFT
            where = (site.name,)
        else:
            reason = _unavailable(r, absent)
            if reason:
                if r.location_id == site.location_id:
                    ctx.unavailable[r.employee_id] = reason
                continue
            span = (r.start_min, r.end_min)
            where = (site.name,) if r.location_id == site.location_id else (home, site.name)
        ot_limit = r.max_overtime if options.overtime_limit_hours is None else options.overtime_limit_hours
        hours = day_hours(span[0], span[1], r.contract_hours, ot_limit, options.cutoff)
        if hours.morning <= 0 and hours.afternoon <= 0:
            if r.location_id == site.location_id and r.employee_id not in added_ids:
                ctx.unavailable[r.employee_id] = "no_plan"
            continue
        is_new = r.skill_level <= Rules().new_max_skill or (day - r.hire_date).days < Rules().new_days
        members.append(StaffMember(
            employee_id=r.employee_id, name=r.name, home_site=home, skill_level=r.skill_level, is_new=is_new,
            morning_hours=hours.morning, afternoon_hours=hours.afternoon, overtime_cap=hours.overtime_cap,
            process_skill=skills.get(r.employee_id, {}), productivity=productivity.get(r.employee_id, {}),
            current={} if r.employee_id in added_ids and r.location_id != site.location_id
            else current_by_emp.get(r.employee_id, {}),
            sites=where))
    ctx.instance = Instance(
        target_site=site.name, sites=tuple(s.name for s in all_sites),
        processes=tuple(ProcessSpec(p.name, p.min_skill, p.requires_veteran) for p in processes),
        staff=tuple(members), demand=tuple(_demand(forecasts, by_id, site, options)),
        site_overtime_limit={s.name: (options.site_overtime_limit_hours
                                      if s.location_id == site.location_id and options.site_overtime_limit_hours
                                      is not None else s.overtime_limit_hours) for s in all_sites},
        travel_cost_yen=travel_cost_yen)
    return ctx


def _unavailable(r: StaffRow, absent: set[int]) -> str | None:
    if r.employee_id in absent:
        return "what_if"
    if r.attendance_status in ("absent", "paid_leave"):
        return f"attendance_{r.attendance_status}"
    if r.planned_status is None:
        return "no_plan"
    if r.planned_status != "scheduled" or r.start_min is None or r.end_min is None:
        return r.planned_status if r.planned_status in OFF_STATUS_JA else "no_plan"
    return None


async def _what_if(repo: SolverRepository, site: Site, day: dt.date, options: PlanOptions,
                   by_id: dict[int, Site], staff: list[StaffRow]) -> tuple[set[int], list[StaffRow]]:
    """Checks the people a what-if names: they must exist, be absent from this site, be added from
    this region. Returns (absent ids, rows of added people)."""
    wanted = [*options.absent_ids, *options.added_ids]
    if not wanted:
        return set(), []
    found = {r.employee_id: r for r in await repo.staff_by_ids(wanted, day)}
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise NotFound(f"従業員ID {', '.join(missing)} は見つかりません")
    for eid in options.absent_ids:
        r = found[eid]
        if r.location_id != site.location_id:
            raise InvalidArgument(f"従業員ID {eid}（{r.name}、{by_id[r.location_id].name}所属）は{site.name}の従業員では"
                                  f"ありません。欠勤に指定できるのは{site.name}の従業員です")
    added = []
    for eid in options.added_ids:
        r = found[eid]
        home = by_id[r.location_id]
        if home.region != site.region:
            raise InvalidArgument(f"従業員ID {eid}（{r.name}）は{home.name}（{home.region}）所属です。"
                                  f"{site.name}（{site.region}）へ追加できるのは同じ地域の従業員です")
        if not r.is_active:
            raise InvalidArgument(f"従業員ID {eid}（{r.name}）は在籍していません")
        added.append(r)
    return set(options.absent_ids), added


def _expected_productivity(rows: list[StaffRow], skills: dict[int, dict[str, int]], history, processes,
                           ctx: DayContext) -> dict[int, dict[str, float]]:
    """Person mean shrunk towards the mean of people at the same per-process level (see module doc)."""
    own: dict[tuple[int, str], tuple[float, float]] = {(h.employee_id, h.process): (h.score, h.hours)
                                                      for h in history}
    level_sum: dict[tuple[str, int], list[float]] = {}
    proc_sum: dict[str, list[float]] = {}
    for (eid, proc), (score, hours) in own.items():
        level = skills.get(eid, {}).get(proc)
        if level is not None:
            acc = level_sum.setdefault((proc, level), [0.0, 0.0])
            acc[0] += score * hours
            acc[1] += hours
        acc = proc_sum.setdefault(proc, [0.0, 0.0])
        acc[0] += score * hours
        acc[1] += hours
    out: dict[int, dict[str, float]] = {}
    for r in rows:
        for proc, level in skills.get(r.employee_id, {}).items():
            prior_acc = level_sum.get((proc, level)) or proc_sum.get(proc)
            prior = prior_acc[0] / prior_acc[1] if prior_acc and prior_acc[1] > 0 else 100.0
            score, hours = own.get((r.employee_id, proc), (prior, 0.0))
            if hours <= 0:
                ctx.no_history.add((r.employee_id, proc))
            out.setdefault(r.employee_id, {})[proc] = round((score * hours + prior * SHRINK_HOURS)
                                                            / (hours + SHRINK_HOURS), 2)
    return out


def _demand(forecasts, by_id: dict[int, Site], site: Site, options: PlanOptions) -> list[DemandCell]:
    factor = 1.0 + options.demand_change_pct / 100.0
    cells = []
    for f in forecasts:
        if f.time_block not in BLOCKS or f.units_per_hour <= 0:
            continue
        scale = factor if f.location_id == site.location_id else 1.0
        need = f.forecast_units / f.units_per_hour * scale
        upper = max(need, (f.upper_units or f.forecast_units) / f.units_per_hour * scale)
        share = cutoff_share(f.time_block, options.cutoff)
        cells.append(DemandCell(by_id[f.location_id].name, f.process, f.time_block, round(need * share, 4),
                                round(upper * share, 4), round(need * (1 - share), 4)))
    return cells

