"""Independent plan checker: restates the rules of the issue and verifies a returned plan against them.

Written from the specification (the Instance/Solution dataclasses and the issue text), not from the
model: it imports nothing from services.solver.model. It also recomputes the objective of the plan from
the weights, so a solver that reported a number its plan does not have would be caught.
"""
from __future__ import annotations

from collections import defaultdict

from services.solver.instance import Instance, Solution

TOL = 1e-5


def _hours_available(m, block: str) -> float:
    if block == "morning":
        return m.morning_hours
    if block == "afternoon":
        return m.afternoon_hours
    return m.overtime_cap


def check(inst: Instance, sol: Solution) -> list[str]:
    """Every violated rule, as text; [] means the plan is valid."""
    errors: list[str] = []
    staff = {m.employee_id: m for m in inst.staff}
    procs = {p.name: p for p in inst.processes}
    rules = inst.rules
    seen: dict[tuple[int, str], str] = {}
    site_of_person: dict[int, set[str]] = defaultdict(set)
    cells: dict[tuple[str, str, str], list] = defaultdict(list)

    for a in sol.assignments:
        m = staff.get(a.employee_id)
        if m is None:
            errors.append(f"unknown employee {a.employee_id}")
            continue
        p = procs.get(a.process)
        if p is None or a.block not in inst.blocks:
            errors.append(f"unknown process/block {a}")
            continue
        if (a.employee_id, a.block) in seen:
            errors.append(f"{a.employee_id} has two processes in {a.block}")
        seen[(a.employee_id, a.block)] = a.process
        allowed = m.sites or (m.home_site,)
        if a.site not in allowed:
            errors.append(f"{a.employee_id} may not work at {a.site}")
        site_of_person[a.employee_id].add(a.site)
        if m.process_skill.get(a.process, 0) < p.min_skill or a.process not in m.process_skill:
            errors.append(f"{a.employee_id} not certified for {a.process}")
        cap = _hours_available(m, a.block)
        if a.block == "overtime":
            low = min(rules.min_overtime_hours, cap)
            if cap <= 0 or a.hours < low - TOL or a.hours > cap + TOL:
                errors.append(f"{a.employee_id} overtime {a.hours} outside [{low}, {cap}]")
        elif cap <= 0 or abs(a.hours - cap) > TOL:
            errors.append(f"{a.employee_id} {a.block} hours {a.hours} != available {cap}")
        cells[(a.site, a.process, a.block)].append(a)

    for eid, where in site_of_person.items():
        if len(where) > 1:
            errors.append(f"{eid} works at several sites {sorted(where)}")
    for (eid, block), _ in seen.items():
        if block == "overtime" and (eid, "afternoon") not in seen:
            errors.append(f"{eid} works overtime without an afternoon")

    ot_by_site: dict[str, float] = defaultdict(float)
    for a in sol.assignments:
        if a.block == "overtime":
            ot_by_site[a.site] += a.hours
    for site, used in ot_by_site.items():
        limit = inst.site_overtime_limit.get(site)
        if limit is not None and used > limit + TOL:
            errors.append(f"{site} overtime {used} > limit {limit}")

    for (site, process, block), people in cells.items():
        members = [staff[a.employee_id] for a in people]
        if procs[process].requires_veteran and not any(
                m.process_skill.get(process, 0) >= rules.veteran_skill for m in members):
            errors.append(f"{site} {process} {block} staffed without a veteran")
        if any(m.is_new for m in members) and all(m.is_new for m in members):
            errors.append(f"{site} {process} {block} new staff alone")

    covered = _covered(inst, sol)
    demand = _demand(inst)
    reported = {(c.site, c.process, c.block): c for c in sol.cells}
    for key, (d, _u, _deferred) in demand.items():
        c = reported.get(key)
        if c is None:
            if d > TOL:
                errors.append(f"cell {key} with demand {d} not reported")
            continue
        if abs(c.covered - covered.get(key, 0.0)) > 1e-4:
            errors.append(f"cell {key} covered {c.covered} != recomputed {covered.get(key, 0.0)}")
        if abs(c.shortage - max(0.0, d - covered.get(key, 0.0))) > 1e-4:
            errors.append(f"cell {key} shortage {c.shortage} inconsistent")
    for key in covered:
        if key not in demand:
            errors.append(f"people assigned to {key} without demand")

    transfers = {(eid, staff[eid].home_site, next(iter(where))) for eid, where in site_of_person.items()
                 if len(where) == 1 and next(iter(where)) != staff[eid].home_site}
    if transfers != set(sol.transfers):
        errors.append(f"transfers {sorted(sol.transfers)} != {sorted(transfers)}")

    r = sol.report
    if r.has_solution:
        expected = objective(inst, sol)
        if abs(expected - r.objective) > 1e-4 * max(1.0, abs(expected)):
            errors.append(f"objective {r.objective} != recomputed {expected}")
        if r.dual_bound > r.objective + 1e-4 * max(1.0, abs(r.objective)):
            errors.append(f"dual bound {r.dual_bound} above objective {r.objective}")
    return errors


def _demand(inst: Instance) -> dict[tuple[str, str, str], tuple[float, float, float]]:
    out: dict = {}
    for d in inst.demand:
        key = (d.site, d.process, d.block)
        prev = out.get(key, (0.0, 0.0, 0.0))
        out[key] = (prev[0] + max(0.0, d.staff_hours), prev[1] + max(d.staff_hours, d.upper_staff_hours, 0.0),
                    prev[2] + d.deferred_staff_hours)
    return {k: v for k, v in out.items() if v[1] > 1e-9}


def _covered(inst: Instance, sol: Solution) -> dict[tuple[str, str, str], float]:
    staff = {m.employee_id: m for m in inst.staff}
    out: dict = defaultdict(float)
    for a in sol.assignments:
        m = staff[a.employee_id]
        out[(a.site, a.process, a.block)] += a.hours * float(m.productivity.get(a.process, 100.0)) / 100.0
    return dict(out)


def objective(inst: Instance, sol: Solution) -> float:
    """The issue's objective for this plan, all terms as penalties (see Weights):
    shortage, buffer shortfall up to the upper forecast, overtime hours, largest personal overtime,
    transfers, stored assignments not kept, and effective hours below each person's best certified
    process that has demand at a site they may work at."""
    w = inst.weights
    staff = {m.employee_id: m for m in inst.staff}
    covered = _covered(inst, sol)
    total = 0.0
    for key, (d, u, _) in _demand(inst).items():
        cov = covered.get(key, 0.0)
        total += w.shortage * max(0.0, d - cov) + w.buffer * min(max(0.0, u - cov), u - d)
    ot: dict[int, float] = defaultdict(float)
    for a in sol.assignments:
        if a.block == "overtime":
            ot[a.employee_id] += a.hours
    total += w.overtime * sum(ot.values()) + w.fairness * max(ot.values(), default=0.0)
    total += w.transfer * len(sol.transfers)
    plan = {(a.employee_id, a.block): a for a in sol.assignments}
    for m in inst.staff:
        planned_site = (m.sites or (m.home_site,))[0]
        for block, process in m.current.items():
            if block not in inst.blocks or process not in {p.name for p in inst.processes}:
                continue
            a = plan.get((m.employee_id, block))
            if a is None or a.process != process or a.site != planned_site:
                total += w.change
    demand_cells = _demand(inst)
    for m in inst.staff:
        for block in ("morning", "afternoon"):
            hours = _hours_available(m, block)
            best = 0.0
            for p in inst.processes:
                if m.process_skill.get(p.name, 0) < p.min_skill or p.name not in m.process_skill:
                    continue
                if not any((s, p.name, block) in demand_cells for s in (m.sites or (m.home_site,))):
                    continue
                best = max(best, hours * float(m.productivity.get(p.name, 100.0)) / 100.0)
            a = plan.get((m.employee_id, block))
            got = a.hours * float(m.productivity.get(a.process, 100.0)) / 100.0 if a else 0.0
            total += w.productivity * (best - got)
    del staff
    return total
