"""Solver benchmark: the assignment MIP on generated instances, HiGHS next to OR-tools CP-SAT.

    python -m bench.solver_bench [--sizes 15,60,200,1000] [--processes 12] [--seeds 1,2,3]
                                 [--time-limit 10] [--gap 0.005] [--cpsat-workers 8] [--no-cpsat]

For each size (staff x processes x 3 blocks, instances from services.solver.synthetic) it prints:
- HiGHS as the service runs it (model.solve: 午前/午後/残業 models side by side, warm start from the LP,
  stopped when the whole day is within the gap): build ms, solve ms, objective, proven gap, status;
- HiGHS on the whole-day model as one MIP (the same model without the block split);
- CP-SAT on the very same whole-day matrix: continuous columns in 1/100 units, rows x1000 rounded
  (demand rounded up), objective x10000; its choice is re-priced in the float model by HiGHS (integer
  columns fixed) so both objectives are in the same units;
- ratios: CP-SAT time / HiGHS time and CP-SAT objective / HiGHS objective.
Requires `ortools` (a dev/bench dependency only); without it the CP-SAT columns are skipped.
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import time
from dataclasses import dataclass

import highspy
import numpy as np

from services.solver.instance import SolveParams
from services.solver.model import build
from services.solver.solving import solve
from services.solver.synthetic import generate

CONT_SCALE = 100      # continuous column v = v' / CONT_SCALE, v' integer
ROW_SCALE = 1000      # rows multiplied by this and rounded
OBJ_SCALE = 10000     # objective multiplied by this and rounded


@dataclass
class Run:
    build_ms: float
    solve_ms: float
    objective: float
    gap: float
    status: str


def run_highs(inst, limit: float, gap: float, decompose: bool) -> tuple[Run, int, int]:
    sol = solve(inst, SolveParams(time_limit_seconds=limit, mip_rel_gap=gap, decompose=decompose))
    r = sol.report
    return Run(r.build_ms, r.solve_ms, r.objective, r.mip_gap, r.status), r.variables, r.constraints


def run_cpsat(lp: highspy.HighsLp, limit: float, gap: float, workers: int) -> Run:
    """CP-SAT on the HiGHS matrix, coefficients scaled to integers (see module doc)."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    n = lp.num_col_
    integer = np.array([int(t) == int(highspy.HighsVarType.kInteger) for t in lp.integrality_], bool)
    col_scale = np.where(integer, 1, CONT_SCALE)
    lo, hi = np.asarray(lp.col_lower_) * col_scale, np.asarray(lp.col_upper_) * col_scale
    model = cp_model.CpModel()
    xs = [model.new_int_var(int(math.ceil(lo[j] - 1e-9)), int(math.floor(hi[j] + 1e-9)), "") for j in range(n)]
    a = lp.a_matrix_
    start, index, value = np.asarray(a.start_), np.asarray(a.index_), np.asarray(a.value_)
    cols = np.repeat(np.arange(n), np.diff(start))
    order = np.lexsort((cols, index))
    rows, cols = index[order], cols[order]
    coef = np.rint(value[order] / col_scale[cols] * ROW_SCALE).astype(np.int64)
    bounds = np.searchsorted(rows, np.arange(lp.num_row_ + 1))
    row_lo, row_hi = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    for r in range(lp.num_row_):
        s, e = bounds[r], bounds[r + 1]
        keep = coef[s:e] != 0
        if not keep.any():
            continue
        expr = cp_model.LinearExpr.weighted_sum([xs[j] for j in cols[s:e][keep]], coef[s:e][keep].tolist())
        if row_lo[r] > -1e29:
            model.add(expr >= int(math.ceil(row_lo[r] * ROW_SCALE - 1e-6)))
        if row_hi[r] < 1e29:
            model.add(expr <= int(math.floor(row_hi[r] * ROW_SCALE + 1e-6)))
    cost = np.rint(np.asarray(lp.col_cost_) / col_scale * OBJ_SCALE).astype(np.int64)
    nz = np.nonzero(cost)[0]
    model.minimize(cp_model.LinearExpr.weighted_sum([xs[j] for j in nz], cost[nz].tolist()))
    build_ms = (time.perf_counter() - started) * 1000.0

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(limit)
    solver.parameters.relative_gap_limit = float(gap)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = 7
    t0 = time.perf_counter()
    status = solver.solve(model)
    solve_ms = (time.perf_counter() - t0) * 1000.0
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Run(build_ms, solve_ms, float("nan"), float("nan"), solver.status_name(status))
    objective = solver.objective_value / OBJ_SCALE + lp.offset_
    bound = solver.best_objective_bound / OBJ_SCALE + lp.offset_
    values = np.array([solver.value(v) for v in xs], float) / col_scale
    return Run(build_ms, solve_ms, _float_objective(lp, integer, values),
               abs(objective - bound) / max(abs(objective), 1e-9), solver.status_name(status))


def _float_objective(lp: highspy.HighsLp, integer: np.ndarray, values: np.ndarray) -> float:
    """The float model's objective with the integer choices fixed (continuous part re-solved)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.passModel(lp)
    idx = np.nonzero(integer)[0].astype(np.int32)
    fixed = np.rint(values[idx])
    h.changeColsBounds(len(idx), idx, fixed, fixed)
    h.run()
    if h.modelStatusToString(h.getModelStatus()) != "Optimal":
        return float("nan")
    return float(h.getInfo().objective_function_value)


def _fmt(run: Run | None) -> str:
    if run is None:
        return f"{'-':>8} {'-':>9} {'-':>11} {'-':>7}"
    return f"{run.build_ms:8.0f} {run.solve_ms:9.0f} {run.objective:11.1f} {run.gap * 100:6.2f}%"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.solver_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="15,60,200,1000")
    parser.add_argument("--processes", type=int, default=12)
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--gap", type=float, default=0.005)
    parser.add_argument("--cpsat-workers", type=int, default=8)
    parser.add_argument("--no-cpsat", action="store_true")
    parser.add_argument("--no-whole-day", action="store_true", help="skip HiGHS on the one-model formulation")
    args = parser.parse_args(argv)
    try:
        import ortools  # noqa: F401
        cpsat = not args.no_cpsat
    except ImportError:
        cpsat = False
        print("ortools not installed: CP-SAT columns skipped (pip install ortools)")
    sizes = [int(s) for s in args.sizes.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"cores={os.cpu_count()} load={os.getloadavg()[0]:.2f} HiGHS {highspy.Highs().version()} "
          f"time_limit={args.time_limit}s gap={args.gap:.3%} processes={args.processes} blocks=3")
    head = f"{'build ms':>8} {'solve ms':>9} {'objective':>11} {'gap':>7}"
    print(f"{'staff':>5} {'seed':>4} {'bins':>6} {'rows':>6} | HiGHS (service) {head} | HiGHS whole day {head} "
          f"| CP-SAT {head} | time x  obj x")
    summary: dict[int, list[float]] = {}
    for n in sizes:
        for seed in seeds:
            inst = generate(n, args.processes, seed=seed)
            service, variables, rows = run_highs(inst, args.time_limit, args.gap, decompose=True)
            whole = None if args.no_whole_day else run_highs(inst, args.time_limit, args.gap, decompose=False)[0]
            built = build(inst, SolveParams(decompose=False))
            binaries = built.n_integer
            peer = run_cpsat(built.lp, args.time_limit, args.gap, args.cpsat_workers) if cpsat else None
            total = service.build_ms + service.solve_ms
            ratio_t = (peer.build_ms + peer.solve_ms) / total if peer else float("nan")
            ratio_o = peer.objective / service.objective if peer and service.objective else float("nan")
            summary.setdefault(n, []).append(total)
            print(f"{n:5d} {seed:4d} {binaries:6d} {rows:6d} | {service.status[:15]:>15} {_fmt(service)} | "
                  f"{(whole.status[:15] if whole else '-'):>15} {_fmt(whole)} | "
                  f"{(peer.status[:6] if peer else '-'):>6} {_fmt(peer)} | {ratio_t:6.1f} {ratio_o:6.3f}", flush=True)
    print("\nHiGHS as served (build + solve, wall clock):")
    for n, times in summary.items():
        print(f"  {n:5d} staff: median {statistics.median(times):7.0f} ms, max {max(times):7.0f} ms")


if __name__ == "__main__":
    main()
