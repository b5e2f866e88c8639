"""Brute-force optimum of tiny instances without overtime: every choice per person and block, each
plan filtered by the independent checker and priced by its objective. Only for a handful of people."""
from __future__ import annotations

import itertools
import math

from services.solver.instance import Assigned, CellResult, Instance, Solution, SolverReport
from tests.solver import checker


def _plan(inst: Instance, assignments: list[Assigned]) -> Solution:
    staff = {m.employee_id: m for m in inst.staff}
    covered: dict = {}
    for a in assignments:
        key = (a.site, a.process, a.block)
        covered[key] = covered.get(key, 0.0) + a.hours * float(staff[a.employee_id].productivity.get(a.process, 100.0)) / 100.0
    cells = []
    for (site, process, block), (d, u, _) in checker._demand(inst).items():
        c = covered.get((site, process, block), 0.0)
        cells.append(CellResult(site, process, block, d, u, c, max(0.0, d - c)))
    transfers = tuple(sorted({(a.employee_id, staff[a.employee_id].home_site, a.site) for a in assignments
                              if a.site != staff[a.employee_id].home_site}))
    report = SolverReport("brute", 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, has_solution=False)
    return Solution(tuple(assignments), tuple(cells), transfers, report)


def optimum(inst: Instance) -> tuple[float, Solution]:
    """(best objective, a best plan) over all plans the checker accepts. Overtime is not enumerated."""
    assert all(m.overtime_cap == 0 for m in inst.staff), "brute force enumerates regular blocks only"
    demand = checker._demand(inst)
    choices = []
    for m in inst.staff:
        for block in ("morning", "afternoon"):
            hours = m.regular_hours(block)
            options: list[Assigned | None] = [None]
            if hours > 0:
                for site in (m.sites or (m.home_site,)):
                    for p in inst.processes:
                        if p.name in m.process_skill and m.process_skill[p.name] >= p.min_skill \
                                and (site, p.name, block) in demand:
                            options.append(Assigned(m.employee_id, site, p.name, block, hours))
            choices.append(options)
    best, best_plan = math.inf, None
    for combo in itertools.product(*choices):
        plan = _plan(inst, [a for a in combo if a is not None])
        if checker.check(inst, plan):
            continue
        value = checker.objective(inst, plan)
        if value < best - 1e-9:
            best, best_plan = value, plan
    return best, best_plan
