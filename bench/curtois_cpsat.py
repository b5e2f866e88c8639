"""The OR-tools CP-SAT peer for the Curtois benchmark: the same rules from the same RosterSpec.

Bench-only (ortools is in requirements-bench.txt). Booleans x[e,d,s]; one shift a day, days off,
forbidden successions as clauses, max shifts per type, total minutes, max consecutive as sliding
windows, minimum runs as forbidden patterns (runs touching an end exempt), weekends as max-equalities;
requests and cover in the objective. Same time limit and worker count as the HiGHS run.
"""
from __future__ import annotations

from ortools.sat.python import cp_model

from services.solver.roster.spec import RosterSpec


def solve_cpsat(spec: RosterSpec, time_limit: float, workers: int, seed: int = 1):
    m = cp_model.CpModel()
    D, S = spec.days, len(spec.shifts)
    sid = spec.shift_index()
    x = {}
    for e, emp in enumerate(spec.employees):
        for d in range(D):
            for s, sh in enumerate(spec.shifts):
                if d not in emp.days_off and emp.max_shifts.get(sh.id, D) > 0:
                    x[e, d, s] = m.NewBoolVar("")
    works = {}
    for e, emp in enumerate(spec.employees):
        for d in range(D):
            cells = [x[e, d, s] for s in range(S) if (e, d, s) in x]
            w = m.NewBoolVar("")
            m.Add(sum(cells) == w)
            works[e, d] = w
        w = [works[e, d] for d in range(D)]
        for d in range(D - 1):
            for s, sh in enumerate(spec.shifts):
                for t in sh.forbidden_next:
                    if (e, d, s) in x and (e, d + 1, sid[t]) in x:
                        m.AddBoolOr([x[e, d, s].Not(), x[e, d + 1, sid[t]].Not()])
        for s, sh in enumerate(spec.shifts):
            if sh.id in emp.max_shifts:
                m.Add(sum(x[e, d, s] for d in range(D) if (e, d, s) in x) <= emp.max_shifts[sh.id])
        minutes = sum(spec.shifts[s].minutes * x[e, d, s] for d in range(D) for s in range(S) if (e, d, s) in x)
        m.Add(minutes <= emp.max_minutes)
        m.Add(minutes >= emp.min_minutes)
        for d in range(D - emp.max_consecutive):
            m.Add(sum(w[d:d + emp.max_consecutive + 1]) <= emp.max_consecutive)
        for length in range(1, emp.min_consecutive):
            for d in range(D - length - 1):
                m.AddBoolOr([w[d], w[d + length + 1]] + [w[j].Not() for j in range(d + 1, d + length + 1)])
        for length in range(1, emp.min_days_off):
            for d in range(D - length - 1):
                m.AddBoolOr([w[d].Not(), w[d + length + 1].Not()] + [w[j] for j in range(d + 1, d + length + 1)])
        if spec.weekend_days:
            ks = []
            for days in spec.weekend_days:
                k = m.NewBoolVar("")
                m.AddMaxEquality(k, [w[d] for d in days])
                ks.append(k)
            m.Add(sum(ks) <= emp.max_weekends)
    terms = []
    const = 0
    for r in spec.requests:
        v = x.get((r.employee, r.day, sid[r.shift]))
        if v is None:
            const += r.weight if r.on else 0
            continue
        if r.on:
            const += r.weight
            terms.append(-r.weight * v)
        else:
            terms.append(r.weight * v)
    for cv in spec.cover:
        have = sum(x[e, cv.day, sid[cv.shift]] for e in range(len(spec.employees)) if (e, cv.day, sid[cv.shift]) in x)
        under = m.NewIntVar(0, cv.requirement, "")
        over = m.NewIntVar(0, len(spec.employees), "")
        m.Add(have + under - over == cv.requirement)
        terms += [cv.weight_under * under, cv.weight_over * over]
    m.Minimize(sum(terms) + const)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    status = solver.Solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, float("nan"), float("nan")
    out = [[None] * D for _ in spec.employees]
    for (e, d, s), v in x.items():
        if solver.Value(v):
            out[e][d] = spec.shifts[s].id
    return out, round(solver.ObjectiveValue()), round(solver.BestObjectiveBound())
