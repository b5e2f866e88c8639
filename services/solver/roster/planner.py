"""Plan a site's roster: RosterProblem -> RosterResult (pure; the repository reads and writes the rows)."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from services.solver.roster.conflicts import explain as explain_conflicts
from services.solver.roster.model import build
from services.solver.roster.report import refused_requests, soft_costs
from services.solver.roster.search import SearchParams, solve
from services.solver.roster.site import RosterProblem, to_spec


@dataclass
class RosterResult:
    cells: dict[tuple[int, dt.date], str | None]     # (employee_id, date) -> shift code or None (off)
    objective: float
    bound: float
    proven: bool
    seconds: float
    costs: dict[str, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # Japanese, one line per refused request


class RosterInfeasible(Exception):
    """The hard rules leave no roster (e.g. a pinned shift on a leave day); the message names the
    conflicting pins, rules, people and days (conflicts.py), one per line."""

    def __init__(self, message: str, lines: list[str] | None = None) -> None:
        super().__init__(message)
        self.lines = lines or [message]


def _why_infeasible(problem: RosterProblem, spec, dates) -> RosterInfeasible:
    lines = explain_conflicts(spec, [p.name for p in problem.people], dates, {s.code: s.name for s in problem.shift_types})
    if not lines:
        lines = ["時間内に勤務表が見つかりませんでした。計画時間を延ばすか、指定勤務を減らしてください。"]
    return RosterInfeasible("\n".join(lines), lines)


def search_start(problem: RosterProblem, spec, model) -> dict[int, float] | None:
    """The MIP start of a site roster (x column -> value), or None to let HiGHS find one."""
    if problem.baseline:
        # A what-if's wish plan starts from its baseline: the same hard rules held it (the wish is soft),
        # and the search then only has to find the few changes the wish is worth.
        index = {d: i for i, d in enumerate(problem.dates())}
        emp = {person.employee_id: e for e, person in enumerate(problem.people)}
        on = {(emp[e], index[d], code) for (e, d), code in problem.baseline.items()
              if code is not None and e in emp and d in index}
        codes = [s.id for s in spec.shifts]
        return {c: float((e, d, codes[s]) in on) for c, (e, d, s) in enumerate(model.cells)}
    # Every hard rule of a site roster is an upper limit (or a fixed day off), so "everyone off" is a
    # feasible start; fixed working cells would break that, and then HiGHS starts from nothing.
    if any(v is not None for v in spec.fixed.values()):
        return None
    return {c: 0.0 for c in range(len(model.cells))}


def search_params(problem: RosterProblem, spec, model, time_limit: float, threads: int, seed: int = 1) -> SearchParams:
    """How a site roster is searched (PlanRoster and bench/roster_site_bench.py). The full MIP, not column
    generation, on thread one: it proves every sample site's 4-week roster optimal in 0.6-1.4 s and
    completes the start, so a plan exists however short the limit; the master's stronger bound is for
    cover-tight benchmark instances."""
    return SearchParams(time_limit=time_limit, threads=threads, seed=seed, start=search_start(problem, spec, model),
                        column_generation=False)


def plan(problem: RosterProblem, time_limit: float = 10.0, threads: int = 2, seed: int = 1) -> RosterResult:
    spec = to_spec(problem)
    model = build(spec)
    dates = problem.dates()
    sidx = spec.shift_index()
    if any(code is not None and (e, d, sidx.get(code, -1)) not in model.x for (e, d), code in spec.fixed.items()):
        raise _why_infeasible(problem, spec, dates)      # a pin on a cell the rules close (leave, skills)
    result = solve(model, search_params(problem, spec, model, time_limit, threads, seed))
    if result.values is None:
        raise _why_infeasible(problem, spec, dates)
    assignment = model.assignment(result.values)
    cells = {(person.employee_id, dates[d]): assignment[e][d]
             for e, person in enumerate(problem.people) for d in range(problem.days)}
    names = {s.code: s.name for s in problem.shift_types}
    refused = []
    for e, d, code in refused_requests(spec, assignment):
        person = problem.people[e]
        what = "休み希望" if code is None else f"{names.get(code, code)}希望"
        got = assignment[e][d]
        reason = f"{names.get(got, got)}に入っています（人員・ベテラン配置の充足を優先）" if got else "休みになっています"
        refused.append(f"{person.name}さん {dates[d]:%m/%d} の{what}はお受けできません: {reason}")
    # Every soft cost is >= 0, so 0 is a valid bound when HiGHS has not finished its root yet.
    bound = max(0.0, result.bound) if math.isfinite(result.bound) else 0.0
    return RosterResult(cells, result.objective, bound, result.proven, result.seconds,
                        soft_costs(spec, assignment), refused)
