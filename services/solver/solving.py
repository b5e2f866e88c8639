"""Running HiGHS on the assignment model: the day split into block models solved side by side.

Pure like model.py (no database, no gRPC). solve(instance, params) -> Solution is the one entry point.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import highspy
import numpy as np

from services.solver.cells import cell_parts
from services.solver.instance import Assigned, CellResult, Instance, Solution, SolveParams, SolverReport
from services.solver.model import (
    B_AFTERNOON, B_MORNING, B_OVERTIME, INF, Built, Compiled, build, compile_instance,
)
from services.solver.warmstart import overtime_start, regular_start


def solve(inst: Instance, params: SolveParams | None = None) -> Solution:
    """Build and solve; always returns a Solution (shortage is a variable, never infeasibility).

    When nobody may change site, the day splits into three block models whose only coupling is
    "overtime needs an afternoon" (see _solve_by_block); otherwise the whole day is one model (a helper
    works the whole day at one site, which ties the blocks together). A site-relaxed split was tried
    and measured: its lower bound is good but fixing helpers' sites from it lost up to 6%, so the
    day model was faster overall on the 関東 sample.
    """
    params = params or SolveParams()
    started = time.perf_counter()
    comp = compile_instance(inst)
    if params.decompose and not (comp.allowed.sum(axis=1) > 1).any():
        return _solve_by_block(inst, params, comp, started)
    built = build(inst, params, comp=comp)
    run = _run(built, params, started)
    return _assemble(inst, [extract(built, run)], run.build_ms, run.solve_ms, params.mip_rel_gap)


def _highs(params: SolveParams, time_limit: float | None = None) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(0.05, float(params.time_limit_seconds if time_limit is None else time_limit)))
    h.setOptionValue("mip_rel_gap", float(params.mip_rel_gap))
    # One thread per model: HiGHS shares one scheduler per process and every model must agree on it;
    # parallelism comes from solving the block models side by side.
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", int(params.random_seed))
    for key, value in params.highs_options:
        h.setOptionValue(key, value)
    return h


def _relaxation(built: Built, params: SolveParams) -> tuple[float, np.ndarray | None]:
    """The LP relaxation: its objective (a lower bound of the block's MIP) and its solution."""
    h = _highs(params)
    h.setOptionValue("solve_relaxation", True)
    h.passModel(built.lp)
    h.run()
    if h.modelStatusToString(h.getModelStatus()) != "Optimal":
        return 0.0, None
    return max(0.0, float(h.getInfo().objective_function_value)), np.asarray(h.getSolution().col_value)


def _start(built: Built, lp_x: np.ndarray | None, block: int,
           budget: float = 0.05) -> tuple[np.ndarray, np.ndarray] | None:
    """A partial MIP start (integer columns of the block's candidates) from the LP solution."""
    if lp_x is None or not len(built.ki):
        return None
    if block == B_OVERTIME:
        return overtime_start(built, lp_x)
    x = regular_start(built, lp_x, budget)
    cols = np.nonzero(built.kb != B_OVERTIME)[0]
    return cols, x[cols]


class _DayGap:
    """Shared bounds of the block models of one day; says stop once the day's gap target is met.

    The day's objective is the sum of the blocks' objectives and so are its bounds, so the day's gap
    (sum(primal) - sum(dual)) / sum(primal) can reach the target while a block with a small objective
    (overtime) is still far from its own relative gap, and vice versa. Each block's HiGHS run reports its
    bounds through the MIP interrupt callback and is stopped as soon as the day as a whole is within the
    target.
    """

    def __init__(self, n: int, gap: float):
        self.primal = [INF] * n
        self.dual = [-INF] * n
        self.gap = gap
        self._lock = threading.Lock()

    def report(self, block: int, primal: float, dual: float) -> bool:
        with self._lock:
            self.primal[block] = min(self.primal[block], primal)
            self.dual[block] = max(self.dual[block], dual)
            if any(p >= INF for p in self.primal) or any(d <= -INF for d in self.dual):
                return False
            total, bound = sum(self.primal), sum(self.dual)
            return total - bound <= self.gap * max(abs(total), 1e-9) or total - bound <= 1e-9


@dataclass
class _Run:
    """What one HiGHS run produced, with the objective recomputed from the returned vector."""
    values: np.ndarray | None
    objective: float
    bound: float
    status: str
    nodes: int
    build_ms: float
    solve_ms: float


def _objective(built: Built, values) -> float:
    return float(np.dot(built.lp.col_cost_, np.asarray(values))) + built.lp.offset_


def _polish(built: Built, params: SolveParams, value: float, values: np.ndarray) -> tuple[float, np.ndarray]:
    """The incumbent with its integer columns fixed and the continuous ones (hours, shortage slacks)
    re-solved as an LP: the cheapest vector for the chosen assignments.

    Why: a MIP stopped within its gap may hand back continuous columns above what its integers need
    (a shortage slack 0.25 too large), so the reported objective was not the plan's own; the plan read
    from the polished vector and its objective agree."""
    lp = built.lp
    integer = np.array([t == highspy.HighsVarType.kInteger for t in lp.integrality_], bool)
    fixed = np.round(values[integer])
    h = _highs(params, 1.0)
    h.passModel(lp)
    idx = np.flatnonzero(integer).astype(np.int32)
    h.changeColsIntegrality(len(idx), idx, np.full(len(idx), highspy.HighsVarType.kContinuous))
    h.changeColsBounds(len(idx), idx, fixed, fixed)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return value, values
    polished = np.asarray(h.getSolution().col_value, float)
    better = _objective(built, polished)
    return (better, polished) if better < value - 1e-9 else (value, values)


def _run(built: Built, params: SolveParams, started: float, start: tuple[np.ndarray, np.ndarray] | None = None,
         day: _DayGap | None = None, block: int = 0, abs_gap: float | None = None,
         time_limit: float | None = None) -> _Run:
    """One HiGHS run. The plan returned is the best incumbent whose objective we recomputed ourselves.

    Why: with a MIP start, HiGHS 1.16 can map the start into its presolved space at a better objective
    than the start really has, then report that objective while handing back the start's vector
    (log: "MIP start solution is feasible: objective value is 1.75 / ... in the reduced space: 1.25").
    Every improving solution is therefore priced from its own vector (the improving-solution callback),
    the day gap only ever sees such prices, and a run whose start fooled it is repeated without one.
    """
    h = _highs(params, time_limit)
    if abs_gap is not None:
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", max(abs_gap, 1e-6))
    h.passModel(built.lp)
    if start is not None and len(start[0]):
        h.setSolution(len(start[0]), start[0].astype(np.int32), start[1].astype(float))
    best: list = [INF, None]
    lock = threading.Lock()
    if built.n_integer:
        def improving(event) -> None:
            values = np.asarray(event.data_out.mip_solution, float)
            if len(values) == built.n_cols:
                value = _objective(built, values)
                with lock:
                    if value < best[0]:
                        best[0], best[1] = value, values.copy()
        h.cbMipImprovingSolution.subscribe(improving)
        if day is not None:
            def check(event) -> None:
                if day.report(block, best[0], event.data_out.mip_dual_bound):
                    event.interrupt()
            h.cbMipInterrupt.subscribe(check)
    build_ms = (time.perf_counter() - started) * 1000.0
    t_solve = time.perf_counter()
    if h.run() == highspy.HighsStatus.kError:
        raise RuntimeError(f"HiGHS failed: {h.modelStatusToString(h.getModelStatus())}")
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    if info.primal_solution_status == 2:
        values = np.asarray(h.getSolution().col_value, float)
        value = _objective(built, values)
        if value < best[0]:
            best[0], best[1] = value, values
    bound = float(info.mip_dual_bound) if built.n_integer else best[0]
    if not built.n_integer and status != "Optimal":
        bound = -INF
    solve_ms = (time.perf_counter() - t_solve) * 1000.0
    fooled = start is not None and best[1] is not None and status == "Optimal" \
        and best[0] - bound > max(params.mip_rel_gap * abs(best[0]), abs_gap or 0.0) + 1e-6
    if fooled:
        left = (time_limit if time_limit is not None else params.time_limit_seconds) - solve_ms / 1000.0
        again = _run(built, params, time.perf_counter(), None, day, block, abs_gap, max(left, 0.05))
        if again.values is not None and again.objective <= best[0]:
            return replace(again, build_ms=build_ms, solve_ms=solve_ms + again.solve_ms)
    if built.n_integer and best[1] is not None:
        best[0], best[1] = _polish(built, params, best[0], best[1])
    if day is not None and best[1] is not None:
        day.report(block, best[0], bound)
    return _Run(best[1], best[0] if best[1] is not None else float("nan"), bound, status,
                int(info.mip_node_count), build_ms, solve_ms)


def _solve_blocks(builts: list[Built], params: SolveParams) -> list[Solution]:
    """The three block models side by side, stopped together once the day is within the gap."""
    day = _DayGap(len(builts), params.mip_rel_gap)
    with ThreadPoolExecutor(max_workers=len(builts)) as pool:
        relaxed = list(pool.map(lambda b: _relaxation(b, params), builts))
        # Each block may also stop on its own once its absolute gap is within an equal share of the
        # day's allowance, gap x (sum of LP bounds) <= gap x (day's objective): safe for the day, and it
        # lets the small overtime model finish at once instead of competing for the two cores.
        share = params.mip_rel_gap * sum(r[0] for r in relaxed) / len(builts)

        def solve_block(b: int) -> _Run:
            start = _start(builts[b], relaxed[b][1], b, params.warm_start_seconds) if params.warm_start else None
            return _run(builts[b], params, time.perf_counter(), start, day, b, share)
        runs = list(pool.map(solve_block, range(len(builts))))
    return [extract(b, r) for b, r in zip(builts, runs)]


def _solve_by_block(inst: Instance, params: SolveParams, comp: Compiled, started: float) -> Solution:
    """Solve 午前, 午後 and 残業 as three models at once; their sum is the whole-day model.

    Dropping the one coupling row family (overtime only after an afternoon) turns the day into three
    independent models, so the sum of their dual bounds is a valid lower bound for the day and a
    composed solution that satisfies the dropped rows is feasible for the day: the reported gap is a
    true gap of the whole-day model. If some overtime pick has no afternoon in the afternoon plan (rare:
    the candidate mask already keeps overtime to people with an afternoon candidate), the whole-day
    model is solved instead, started from the block plans, in the time that is left.
    """
    builts = [build(inst, params, (b,), comp) for b in (B_MORNING, B_AFTERNOON, B_OVERTIME)]
    build_ms = (time.perf_counter() - started) * 1000.0
    t_solve = time.perf_counter()
    parts = _solve_blocks(builts, params)
    afternoon = {a.employee_id for a in parts[B_AFTERNOON].assignments}
    lone = {a.employee_id for a in parts[B_OVERTIME].assignments} - afternoon
    if lone:
        # Rare (someone with overtime but no afternoon in the afternoon model's plan): solve the
        # whole-day model instead, started from the block plans with those people's overtime removed.
        whole = build(inst, params, comp=comp)
        start = _start_from(whole, [p for p in parts[:2]] + [replace(parts[B_OVERTIME], assignments=tuple(
            a for a in parts[B_OVERTIME].assignments if a.employee_id not in lone))])
        left = params.time_limit_seconds - (time.perf_counter() - started)
        run = _run(whole, params, time.perf_counter(), start, time_limit=left)
        solve_ms = (time.perf_counter() - t_solve) * 1000.0
        return _assemble(inst, [extract(whole, run)], build_ms, solve_ms)
    solve_ms = (time.perf_counter() - t_solve) * 1000.0
    return _assemble(inst, parts, build_ms, solve_ms, params.mip_rel_gap)


def _start_from(built: Built, parts: list[Solution]) -> tuple[np.ndarray, np.ndarray]:
    """The x columns of `built` set from block solutions (a partial MIP start)."""
    inst = built.comp.inst
    site_i = {s: i for i, s in enumerate(inst.sites)}
    proc_i = {p.name: i for i, p in enumerate(inst.processes)}
    block_i = {b: i for i, b in enumerate(inst.blocks)}
    staff_i = {m.employee_id: i for i, m in enumerate(inst.staff)}
    chosen = {(staff_i[a.employee_id], site_i[a.site], proc_i[a.process], block_i[a.block])
              for p in parts for a in p.assignments}
    keys = zip(built.ki.tolist(), built.ks.tolist(), built.kp.tolist(), built.kb.tolist())
    values = np.array([1.0 if k in chosen else 0.0 for k in keys])
    return np.arange(len(values)), values


def _assemble(inst: Instance, parts: list[Solution], build_ms: float, solve_ms: float,
              target_gap: float | None = None) -> Solution:
    """One Solution from block parts: objectives and bounds add up, the gap is recomputed."""
    site_i = {s: i for i, s in enumerate(inst.sites)}
    proc_i = {p.name: i for i, p in enumerate(inst.processes)}
    block_i = {b: i for i, b in enumerate(inst.blocks)}
    assignments = tuple(sorted((a for p in parts for a in p.assignments),
                               key=lambda a: (a.employee_id, block_i[a.block])))
    cells = tuple(sorted((c for p in parts for c in p.cells),
                         key=lambda c: (site_i[c.site], proc_i[c.process], block_i[c.block])))
    home = {m.employee_id: m.home_site for m in inst.staff}
    transfers = tuple(sorted({(a.employee_id, home[a.employee_id], a.site) for a in assignments
                              if a.site != home[a.employee_id]}))
    reports = [p.report for p in parts]
    has_solution = all(r.has_solution for r in reports)
    objective = sum(r.objective for r in reports) if has_solution else float("nan")
    bound = sum(r.dual_bound for r in reports)
    gap = abs(objective - bound) / max(abs(objective), 1e-9) if has_solution else float("inf")
    if has_solution and abs(objective) < 1e-9 and abs(bound) < 1e-9:
        gap = 0.0
    statuses = [r.status for r in reports]
    status = next((s for s in statuses if s not in ("Optimal", "Interrupted by user")), "Optimal")
    if target_gap is not None and has_solution and gap > target_gap + 1e-9 and status == "Optimal":
        status = "Gap above target"   # every run ended but the day's gap is still wider than asked
    report = SolverReport(status=status, objective=objective, dual_bound=bound, mip_gap=gap,
                          build_ms=build_ms, solve_ms=solve_ms,
                          variables=sum(r.variables for r in reports),
                          constraints=sum(r.constraints for r in reports),
                          nodes=sum(max(0, r.nodes) for r in reports), has_solution=has_solution)
    return Solution(assignments, cells, transfers, report)


def extract(built: Built, run: _Run) -> Solution:
    """The incumbent of one solved model as a (partial) Solution."""
    comp, inst = built.comp, built.comp.inst
    has_solution = run.values is not None
    values = run.values if has_solution else np.zeros(built.n_cols)
    K = len(built.ki)
    chosen = np.nonzero(values[:K] > 0.5)[0]
    hours = np.where(built.kb[chosen] == B_OVERTIME,
                     values[np.maximum(built.y_col[chosen], 0)],
                     comp.hours[built.ki[chosen], np.minimum(built.kb[chosen], 1)])
    staff, procs, blocks, sites = inst.staff, inst.processes, inst.blocks, inst.sites
    assignments = []
    covered = np.zeros_like(comp.demand)
    for k, hrs in zip(chosen.tolist(), hours.tolist()):
        # Full precision (display rounds later): rounding here would turn HiGHS's exact cover of a
        # cell into a shortage of 1e-4 staff-hours, which the shortage weight makes visible.
        hrs = min(max(hrs, 0.0), float(comp.hours[built.ki[k], built.kb[k]]))
        if hrs <= 1e-6:
            continue
        i, s, p, b = int(built.ki[k]), int(built.ks[k]), int(built.kp[k]), int(built.kb[k])
        assignments.append(Assigned(staff[i].employee_id, sites[s], procs[p].name, blocks[b], hrs))
        covered[s, p, b] += hrs * comp.prod[i, p] / 100.0
    cells = []
    npr = comp.demand.shape[1]
    for key in built.cell_keys.tolist():
        s, p, b = cell_parts(key, npr)
        d, u, c = comp.demand[s, p, b], comp.upper[s, p, b], covered[s, p, b]
        cells.append(CellResult(sites[s], procs[p].name, blocks[b], float(d), float(u), float(c),
                                float(max(0.0, d - c))))
    gap = abs(run.objective - run.bound) / max(abs(run.objective), 1e-9) if has_solution else float("inf")
    report = SolverReport(
        status=run.status, objective=run.objective, dual_bound=run.bound, mip_gap=gap,
        build_ms=run.build_ms, solve_ms=run.solve_ms, variables=built.n_cols, constraints=built.n_rows,
        nodes=max(0, run.nodes), has_solution=has_solution)
    return Solution(tuple(assignments), tuple(cells), (), report)
