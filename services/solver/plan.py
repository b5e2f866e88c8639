"""A solved site-day as the manager sees it: assignments, coverage, KPIs, changes, transfers.

Every number is recomputed here from the model's input and the chosen assignments (not read back from
slack variables), so what the API reports is what the plan actually does.
"""
from __future__ import annotations

from dataclasses import dataclass

from services.solver.blocks import BLOCKS, OVERTIME
from services.solver.instance import Solution, SolverReport
from services.solver.loader import DayContext

SHORTAGE_TOLERANCE = 0.05   # staff-hours (3 minutes): below this a cell counts as covered


@dataclass(frozen=True)
class PlanAssignment:
    employee_id: int
    employee_name: str
    home_location: str
    process: str
    time_block: str
    hours: float
    is_overtime: bool
    changed_from_current: bool
    expected_productivity: float
    skill_level: int
    current_process: str
    assignment_id: int
    version: int


@dataclass(frozen=True)
class Coverage:
    process: str
    time_block: str
    demand: float
    covered: float
    coverage_pct: float
    shortage: float
    assigned_staff: int
    veterans: int
    deferred: float
    upper: float


@dataclass(frozen=True)
class ShortageNote:
    process: str
    time_block: str
    staff_hours: float
    binding: str
    reason: str


@dataclass(frozen=True)
class TransferNote:
    employee_id: int
    employee_name: str
    from_location: str
    to_location: str
    travel_cost: float


@dataclass(frozen=True)
class Change:
    employee_id: int
    employee_name: str
    time_block: str
    from_process: str
    to_process: str
    assignment_id: int
    version: int
    reason: str   # optimised | unavailable | transferred | new (no stored assignment for that block)


@dataclass(frozen=True)
class Kpis:
    demand: float
    covered: float
    shortage: float
    coverage_pct: float
    overtime_hours: float
    changes: int
    expected_productivity: float
    available_staff: int
    assigned_staff: int
    max_person_overtime: float
    deferred: float
    transfers: int
    travel_cost: float
    current_shortage: float       # the stored plan, unchanged, under the same demand and availability
    current_coverage_pct: float


@dataclass
class PlanResult:
    location: str
    date: str
    assignments: list[PlanAssignment]
    coverage: list[Coverage]
    kpis: Kpis
    shortages: list[ShortageNote]
    transfers: list[TransferNote]
    changes: list[Change]
    report: SolverReport
    feasible: bool
    violations: list[str]
    explanation: list[str]


def pct(covered: float, demand: float) -> float:
    return 100.0 if demand <= 1e-9 else min(100.0, 100.0 * covered / demand)


def _stored_plan_coverage(ctx: DayContext) -> dict[tuple[str, str], float]:
    """Effective staff-hours per (process, block) if the stored plan were kept as it is: people who are
    off that day contribute nothing, others their planned hours at their expected productivity (the hours
    capped by what they can work, e.g. under a cut-off)."""
    members = {m.employee_id: m for m in ctx.instance.staff}
    out: dict[tuple[str, str], float] = {}
    for (eid, block), row in ctx.current.items():
        m = members.get(eid)
        if m is None or ctx.site.name not in m.sites:
            continue
        limit = m.overtime_cap if block == OVERTIME else m.regular_hours(block)
        hours = min(row.planned_hours, limit)
        score = float(m.productivity.get(row.process, 100.0))
        out[(row.process, block)] = out.get((row.process, block), 0.0) + hours * score / 100.0
    return out


def summarise(ctx: DayContext, solution: Solution) -> PlanResult:
    """Everything but the explanation (explain.explain fills shortages, violations and text)."""
    inst, target = ctx.instance, ctx.site.name
    members = {m.employee_id: m for m in inst.staff}
    vet_level = inst.rules.veteran_skill
    block_order = {b: i for i, b in enumerate(BLOCKS)}
    proc_order = {p.name: i for i, p in enumerate(inst.processes)}
    here = [a for a in solution.assignments if a.site == target]
    planned = {(a.employee_id, a.block): a for a in here}

    assignments = []
    for a in sorted(here, key=lambda a: (block_order[a.block], proc_order[a.process], a.employee_id)):
        m = members[a.employee_id]
        stored = ctx.current.get((a.employee_id, a.block))
        assignments.append(PlanAssignment(
            employee_id=a.employee_id, employee_name=m.name, home_location=m.home_site, process=a.process,
            time_block=a.block, hours=round(a.hours, 2), is_overtime=a.block == OVERTIME,
            changed_from_current=stored is None or stored.process != a.process,
            expected_productivity=round(float(m.productivity.get(a.process, 100.0)), 1),
            skill_level=m.skill_level, current_process=stored.process if stored else "",
            assignment_id=stored.assignment_id if stored else 0, version=stored.version if stored else 0))

    coverage = []
    deferred_of = {(d.process, d.block): d.deferred_staff_hours for d in inst.demand if d.site == target}
    for c in solution.cells:
        if c.site != target:
            continue
        people = [a for a in here if a.process == c.process and a.block == c.block]
        vets = sum(1 for a in people if members[a.employee_id].process_skill.get(a.process, 0) >= vet_level)
        coverage.append(Coverage(c.process, c.block, round(c.demand, 2), round(c.covered, 2),
                                 round(pct(c.covered, c.demand), 1), round(max(0.0, c.demand - c.covered), 2),
                                 len(people), vets, round(deferred_of.get((c.process, c.block), 0.0), 2),
                                 round(c.upper, 2)))
    covered_cells = {(c.process, c.time_block) for c in coverage}
    for d in inst.demand:   # cells with only deferred work (e.g. overtime under a cut-off)
        if d.site == target and (d.process, d.block) not in covered_cells and d.deferred_staff_hours > 0:
            coverage.append(Coverage(d.process, d.block, 0.0, 0.0, 100.0, 0.0, 0, 0,
                                     round(d.deferred_staff_hours, 2), 0.0))
    coverage.sort(key=lambda c: (block_order[c.time_block], proc_order.get(c.process, 99)))

    changes = []
    for (eid, block), stored in sorted(ctx.current.items(), key=lambda kv: (block_order.get(kv[0][1], 9), kv[0][0])):
        new = planned.get((eid, block))
        if new is not None and new.process == stored.process:
            continue
        moved = next((a.site for a in solution.assignments if a.employee_id == eid and a.site != target), None)
        reason = "unavailable" if eid in ctx.unavailable else "transferred" if moved else "optimised"
        changes.append(Change(eid, stored.employee_name, block, stored.process, new.process if new else "",
                              stored.assignment_id, stored.version, reason))
    for a in assignments:
        if a.assignment_id == 0:
            changes.append(Change(a.employee_id, a.employee_name, a.time_block, "", a.process, 0, 0, "new"))

    transfers = [TransferNote(eid, members[eid].name, src, dst, inst.travel_cost_yen)
                 for eid, src, dst in solution.transfers if dst == target]

    demand = sum(c.demand for c in coverage)
    current_covered = _stored_plan_coverage(ctx)
    current_shortage = sum(max(0.0, c.demand - current_covered.get((c.process, c.time_block), 0.0)) for c in coverage)
    covered = sum(min(c.covered, c.demand) for c in coverage)
    shortage = sum(c.shortage for c in coverage)
    ot = {}
    for a in here:
        if a.block == OVERTIME:
            ot[a.employee_id] = ot.get(a.employee_id, 0.0) + a.hours
    hours = sum(a.hours for a in here)
    productivity = sum(a.hours * float(members[a.employee_id].productivity.get(a.process, 100.0)) for a in here)
    kpis = Kpis(
        demand=round(demand, 2), covered=round(covered, 2), shortage=round(shortage, 2),
        coverage_pct=round(pct(covered, demand), 1), overtime_hours=round(sum(ot.values()), 2),
        changes=len(changes), expected_productivity=round(productivity / hours, 1) if hours else 0.0,
        available_staff=len(ctx.available_ids), assigned_staff=len({a.employee_id for a in here}),
        max_person_overtime=round(max(ot.values(), default=0.0), 2),
        deferred=round(sum(c.deferred for c in coverage), 2), transfers=len(transfers),
        travel_cost=round(sum(t.travel_cost for t in transfers), 0),
        current_shortage=round(current_shortage, 2),
        current_coverage_pct=round(pct(demand - current_shortage, demand), 1))
    feasible = solution.report.has_solution and all(c.shortage < SHORTAGE_TOLERANCE for c in coverage)
    return PlanResult(location=target, date=ctx.day.isoformat(), assignments=assignments, coverage=coverage,
                      kpis=kpis, shortages=[], transfers=transfers, changes=changes, report=solution.report,
                      feasible=feasible, violations=[], explanation=[])
