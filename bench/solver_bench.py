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

CONT_SCALE = 1000     # continuous column v = v' / CONT_SCALE, v' integer (the one discretisation CP-SAT needs)
ROUNDING_TOL = 1e-4   # every scaled coefficient within 0.01 % of its float value
MAX_SCALE = 10 ** 9   # largest power of ten a row or the objective is multiplied by


@dataclass
class Run:
    build_ms: float
    solve_ms: float
    objective: float
    gap: float
    status: str


@dataclass
class Translation:
    """How far the integer model CP-SAT sees is from the float model HiGHS solves."""
    max_row_error: float      # largest relative rounding error of a matrix coefficient
    max_obj_error: float      # largest relative rounding error of an objective coefficient
    off_columns: int          # columns with any coefficient rounded by more than 0.1 %
    columns: int
    max_scale: int


def run_highs(inst, limit: float, gap: float, decompose: bool) -> tuple[Run, int, int]:
    sol = solve(inst, SolveParams(time_limit_seconds=limit, mip_rel_gap=gap, decompose=decompose))
    r = sol.report
    return Run(r.build_ms, r.solve_ms, r.objective, r.mip_gap, r.status), r.variables, r.constraints


def integer_scale(values: np.ndarray, tol: float = ROUNDING_TOL, limit: int = MAX_SCALE) -> int:
    """The smallest power of ten that turns every value into an integer within `tol` (relative), capped at
    `limit` (then the remaining error is reported, never hidden)."""
    values = np.abs(values[values != 0])
    scale = 1
    while scale < limit:
        scaled = values * scale
        if np.all(np.abs(np.rint(scaled) - scaled) <= tol * scaled):
            return scale
        scale *= 10
    return limit


def _relative_error(values: np.ndarray, scale: int) -> np.ndarray:
    scaled = values * scale
    return np.where(values != 0, np.abs(np.rint(scaled) - scaled) / np.maximum(np.abs(scaled), 1e-300), 0.0)


def translate(lp: highspy.HighsLp):
    """The HiGHS matrix as a CP-SAT model: continuous columns in 1/CONT_SCALE units, each row and the
    objective multiplied by their own power of ten (integer_scale) so coefficients round by < 0.01 %."""
    from ortools.sat.python import cp_model

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
    unscaled = value[order] / col_scale[cols]
    bounds = np.searchsorted(rows, np.arange(lp.num_row_ + 1))
    row_lo, row_hi = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    col_error = np.zeros(n)
    max_scale = 1
    for r in range(lp.num_row_):
        s, e = bounds[r], bounds[r + 1]
        c = unscaled[s:e]
        scale = integer_scale(c)
        max_scale = max(max_scale, scale)
        np.maximum.at(col_error, cols[s:e], _relative_error(c, scale))
        coef = np.rint(c * scale).astype(np.int64)
        keep = coef != 0
        if not keep.any():
            continue
        expr = cp_model.LinearExpr.weighted_sum([xs[j] for j in cols[s:e][keep]], coef[keep].tolist())
        if row_lo[r] > -1e29:
            model.add(expr >= int(math.ceil(row_lo[r] * scale - 1e-6)))
        if row_hi[r] < 1e29:
            model.add(expr <= int(math.floor(row_hi[r] * scale + 1e-6)))
    row_error = float(col_error.max()) if n else 0.0
    cost = np.asarray(lp.col_cost_) / col_scale
    obj_scale = integer_scale(cost)
    obj_error = _relative_error(cost, obj_scale)
    col_error = np.maximum(col_error, obj_error)
    icost = np.rint(cost * obj_scale).astype(np.int64)
    nz = np.nonzero(icost)[0]
    model.minimize(cp_model.LinearExpr.weighted_sum([xs[j] for j in nz], icost[nz].tolist()))
    info = Translation(row_error, float(obj_error.max()) if n else 0.0, int((col_error > 1e-3).sum()), n,
                       max(max_scale, obj_scale))
    return model, xs, integer, col_scale, obj_scale, info


def run_cpsat(lp: highspy.HighsLp, limit: float, gap: float, workers: int) -> tuple[Run, Translation]:
    """CP-SAT on the HiGHS matrix (see translate). build_ms is the translation, solve_ms the solver alone."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    model, xs, integer, col_scale, obj_scale, info = translate(lp)
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
        return Run(build_ms, solve_ms, float("nan"), float("nan"), solver.status_name(status)), info
    objective = solver.objective_value / obj_scale + lp.offset_
    bound = solver.best_objective_bound / obj_scale + lp.offset_
    values = np.array([solver.value(v) for v in xs], float) / col_scale
    return Run(build_ms, solve_ms, _float_objective(lp, integer, values),
               abs(objective - bound) / max(abs(objective), 1e-9), solver.status_name(status)), info


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


def _ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(a) else float("nan")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.solver_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="15,60,200,1000")
    parser.add_argument("--processes", type=int, default=12)
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--gap", type=float, default=0.005)
    parser.add_argument("--cpsat-workers", type=int, default=os.cpu_count() or 1,
                        help="CP-SAT search workers (default: the machine's cores)")
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
          f"(1 thread per model; the service runs 3 block models side by side) CP-SAT workers={args.cpsat_workers} "
          f"time_limit={args.time_limit}s gap={args.gap:.3%} processes={args.processes} blocks=3")
    print("CP-SAT objective = its integer choices priced in the ORIGINAL float model (continuous part re-solved "
          "by HiGHS); build ms of CP-SAT = translation, outside its solve ms")
    head = f"{'build ms':>8} {'solve ms':>9} {'objective':>11} {'gap':>7}"
    print(f"{'staff':>5} {'seed':>4} {'bins':>6} {'rows':>6} | HiGHS (service) {head} | HiGHS whole day {head} "
          f"| CP-SAT {head} | obj/whole obj/serv solve/whole | coef err (rows, obj, cols >0.1%)")
    summary: dict[int, list[float]] = {}
    ratios: dict[int, list[tuple[float, float]]] = {}
    for n in sizes:
        for seed in seeds:
            inst = generate(n, args.processes, seed=seed)
            service, variables, rows = run_highs(inst, args.time_limit, args.gap, decompose=True)
            whole = None if args.no_whole_day else run_highs(inst, args.time_limit, args.gap, decompose=False)[0]
            built = build(inst, SolveParams(decompose=False))
            binaries = built.n_integer
            peer, info = run_cpsat(built.lp, args.time_limit, args.gap, args.cpsat_workers) if cpsat else (None, None)
            ratio_whole = _ratio(peer.objective, whole.objective) if peer and whole else float("nan")
            ratio_service = _ratio(peer.objective, service.objective) if peer else float("nan")
            ratio_t = _ratio(peer.solve_ms, whole.solve_ms) if peer and whole else float("nan")
            summary.setdefault(n, []).append(service.build_ms + service.solve_ms)
            ratios.setdefault(n, []).append((ratio_whole, ratio_service))
            err = (f"{info.max_row_error:.1e} {info.max_obj_error:.1e} {info.off_columns}/{info.columns}"
                   if info else "-")
            print(f"{n:5d} {seed:4d} {binaries:6d} {rows:6d} | {service.status[:15]:>15} {_fmt(service)} | "
                  f"{(whole.status[:15] if whole else '-'):>15} {_fmt(whole)} | "
                  f"{(peer.status[:6] if peer else '-'):>6} {_fmt(peer)} | {ratio_whole:9.4f} {ratio_service:8.4f} "
                  f"{ratio_t:11.1f} | {err}", flush=True)
    print("\nHiGHS as served (build + solve, wall clock):")
    for n, times in summary.items():
        print(f"  {n:5d} staff: median {statistics.median(times):7.0f} ms, max {max(times):7.0f} ms")
    if cpsat:
        print("\nCP-SAT objective / HiGHS objective (1.0 = equal; > 1 = CP-SAT worse):")
        for n, pairs in ratios.items():
            whole_r = [w for w, _ in pairs if not math.isnan(w)]
            serv_r = [s for _, s in pairs if not math.isnan(s)]
            print(f"  {n:5d} staff: vs whole day median {statistics.median(whole_r) if whole_r else float('nan'):.4f} "
                  f"(min {min(whole_r, default=float('nan')):.4f}, max {max(whole_r, default=float('nan')):.4f}); "
                  f"vs service median {statistics.median(serv_r) if serv_r else float('nan'):.4f}")


if __name__ == "__main__":
    main()
