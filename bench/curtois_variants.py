"""Curtois-format instances of the sizes the benchmark ships without, cut from the ones it ships.

    python -m bench.curtois_variants [--out DIR] [--time-limit 60] [--seed 1] [--no-run]

Why: the search is judged on instances 6, 7, 9 and 10 too (28 days; 18, 20, 36 and 40 staff), which are
not here. Each variant keeps a random subset of one shipped instance's staff (their limits, days off and
requests unchanged) and scales every cover requirement by the share of staff kept, so it is feasible
wherever the source is and keeps the source's rules and weights. No best known value exists for them: the
table shows what the search proves against what it finds, and the independent checker validates each
roster. The variants are written to DIR (default /tmp/curtois_variants) and solved one at a time.
"""
from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from bench.curtois import format_solution
from services.solver.roster.curtois_reader import parse
from services.solver.roster.model import build
from services.solver.roster.search import SearchParams, solve

# (name, source instance, staff kept): the staff counts of the instances the benchmark does not ship. The
# two larger sizes are cut from two sources: Instance11's cuts are proven in seconds, Instance12's (more
# shift types, columns per employee) are what tests the larger path's time
VARIANTS = (("V6", "Instance8.txt", 18), ("V7", "Instance8.txt", 20),
            ("V9", "Instance11.txt", 36), ("V10", "Instance11.txt", 40),
            ("W9", "Instance12.txt", 36), ("W10", "Instance12.txt", 40))


def cut(text: str, keep: int, seed: int) -> str:
    """`text` (a Curtois instance) with `keep` of its staff, drawn with `seed`, and cover scaled to them."""
    out: list[str] = []
    section, staff_seen = None, []
    lines = text.splitlines()
    for raw in lines:                                   # first pass: the staff IDs in order
        line = raw.strip()
        if line.startswith("SECTION_"):
            section = line
        elif section == "SECTION_STAFF" and line and not line.startswith("#"):
            staff_seen.append(line.split(",")[0])
    kept = set(random.Random(seed).sample(staff_seen, keep))
    share = keep / len(staff_seen)
    section = None
    for raw in lines:
        line = raw.strip()
        if line.startswith("SECTION_"):
            section = line
        elif line and not line.startswith("#"):
            fields = line.split(",")
            if section in ("SECTION_STAFF", "SECTION_DAYS_OFF", "SECTION_SHIFT_ON_REQUESTS",
                           "SECTION_SHIFT_OFF_REQUESTS") and fields[0] not in kept:
                continue
            if section == "SECTION_COVER":
                fields[2] = str(round(int(fields[2]) * share))
                raw = ",".join(fields)
        out.append(raw)
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="/tmp/curtois_variants")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-run", action="store_true", help="only write the variants")
    args = ap.parse_args(argv)
    from tests.solver.roster.curtois_checker import check      # written apart from the model
    from tests.solver.roster.curtois_instances import EVAL

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print("| variant | source | staff | objective | bound | gap | seconds | checker |")
    print("|---|---|---|---|---|---|---|---|")
    for i, (name, source, keep) in enumerate(VARIANTS):
        text = cut((EVAL / source).read_text(encoding="utf-8"), keep, seed=i + 1)
        path = out / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        if args.no_run:
            print(f"| {name} | {source} | {keep} | | | | | |")
            continue
        model = build(parse(text))
        started = time.perf_counter()
        result = solve(model, SearchParams(time_limit=args.time_limit, seed=args.seed))
        took = time.perf_counter() - started
        if result.values is None:
            print(f"| {name} | {source} | {keep} | none | {result.bound:.0f} | | {took:.1f} | |")
            continue
        solution = format_solution(model.assignment(result.values))
        (out / f"{name}.solution.txt").write_text(solution, encoding="utf-8")
        errors, recomputed = check(text, solution)
        verdict = "valid" if not errors and recomputed == round(result.objective) else f"{len(errors)} errors"
        gap = max(0.0, result.objective - result.bound) / max(1.0, result.objective)
        print(f"| {name} | {source} | {keep} | {result.objective:.0f} | {result.bound:.0f} | {gap:.1%} | "
              f"{took:.1f} | {verdict} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
