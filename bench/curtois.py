"""Curtois benchmark: solve one instance with the roster model and write the solution file.

    python -m bench.curtois INSTANCE.txt --time-limit 60 --out SOLUTION.txt [--threads 2] [--seed 1]
                            [--solver highs|cpsat] [--log]

The solution has one line per employee in the instance's staff order, one tab-separated field per day:
the shift ID, or nothing for a day off. The last lines printed are `objective N` and `bound B`.
HiGHS runs the full MIP and, with --threads 2, a large-neighbourhood search beside it
(services/solver/roster/search.py). --solver cpsat runs the OR-tools CP-SAT peer on the same rules
(bench/curtois_cpsat.py; ortools is a bench-only dependency).
"""
from __future__ import annotations

import argparse
import sys
import time

from services.solver.roster.curtois_reader import read
from services.solver.roster.model import build
from services.solver.roster.search import SearchParams, solve


def format_solution(assignment: list[list[str | None]]) -> str:
    return "".join("\t".join(s or "" for s in row) + "\n" for row in assignment)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instance")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--solver", choices=("highs", "cpsat"), default="highs")
    ap.add_argument("--log", action="store_true")
    ap.add_argument("--mip-share", type=float, default=SearchParams.mip_share,
                    help="share of the time the full MIP runs before its thread turns to LNS as well")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    spec = read(args.instance)
    if args.solver == "cpsat":
        from bench.curtois_cpsat import solve_cpsat
        assignment, objective, bound = solve_cpsat(spec, args.time_limit, args.threads, args.seed)
        status = "optimal" if assignment is not None and objective <= bound else "feasible"
    else:
        model = build(spec)
        result = solve(model, SearchParams(time_limit=args.time_limit, threads=args.threads, seed=args.seed,
                                           log=args.log, mip_share=args.mip_share))
        if result.values is None:
            print("no solution found", file=sys.stderr)
            return 1
        assignment = model.assignment(result.values)
        objective, bound = round(result.objective), result.bound
        status = "optimal" if result.proven else "feasible"
        print(f"lns_moves {result.lns_moves} lns_improvements {result.lns_improvements}")
        if result.stuck_threads:
            print(f"search threads left running past the deadline: {result.stuck_threads}", file=sys.stderr)
        if args.log:
            for kind, (n, secs, free, better, timeouts) in sorted(result.lns_stats.items()):
                print(f"  {kind:14s} moves {n:4d} avg {secs / n:.2f} s free {free / n:6.0f} "
                      f"improved {better:3d} timeouts {timeouts:3d}")
    if assignment is None:
        print("no solution found", file=sys.stderr)
        return 1
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(format_solution(assignment))
    print(f"status {status} seconds {time.perf_counter() - started:.1f}")
    print(f"bound {bound:.0f}")
    print(f"objective {objective:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
