"""Site roster planning time: how long the roster model takes to plan a horizon for each sample site.

    python -m bench.roster_site_bench [--days 28] [--time-limit 60] [--site 横浜] [--start YYYY-MM-DD]

Reads the site's staff, rules, requests and forecasts from DATABASE_URL (aimee_db after `make data`) exactly
as PlanRoster does (loader.load_problem -> planner's spec -> model -> search) and prints per site: staff,
model size, the time of the first roster, of the last improvement and of the proof (if any), objective
and bound. Nothing is saved. "Time to plan" is the time of the last improvement: a manager's answer is
final from then on, whatever the limit.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import time

from services.common.config import database_url
from services.common.db import create_pool
from services.common.sites import SiteDirectory
from services.solver.roster.loader import load_problem
from services.solver.roster.model import build
from services.solver.roster.site import to_spec
from services.solver.roster.planner import search_params
from services.solver.roster.repository import RosterRepository
from services.solver.roster.search import solve
from services.solver.roster.service import next_monday

SITES = ("横浜", "品川", "札幌", "大阪", "佐世保")


async def _problems(sites: list[str], start: dt.date, days: int):
    pool = await create_pool(database_url(), maxsize=2)
    try:
        directory, repo = SiteDirectory(pool), RosterRepository(pool)
        out = []
        for name in sites:
            site = await directory.get(name)
            out.append((name, await load_problem(repo, site.location_id, start, days)))
        return out
    finally:
        pool.close()
        await pool.wait_closed()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--site", action="append", help="one site (repeatable); default: all five")
    ap.add_argument("--start", help="first day, YYYY-MM-DD; default: next Monday")
    args = ap.parse_args(argv)
    start = dt.date.fromisoformat(args.start) if args.start else next_monday(dt.date.today())
    print(f"horizon {start} + {args.days} days, limit {args.time_limit:.0f} s, {args.threads} threads")
    print("| site | staff | x columns | rows | first roster | last improvement | proof | objective | bound |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, problem in asyncio.run(_problems(args.site or list(SITES), start, args.days)):
        t0 = time.perf_counter()
        spec = to_spec(problem)
        model = build(spec)
        built = time.perf_counter() - t0
        r = solve(model, search_params(problem, spec, model, args.time_limit, args.threads))
        first = r.history[0][0] if r.history else float("nan")
        last = r.history[-1][0] if r.history else float("nan")
        proof = f"{r.seconds + built:.1f} s" if r.proven else "-"
        print(f"| {name} | {len(problem.people)} | {len(model.cells)} | {model.lp.num_row_} | {first + built:.2f} s "
              f"| {last + built:.2f} s | {proof} | {r.objective:.0f} | {r.bound:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
