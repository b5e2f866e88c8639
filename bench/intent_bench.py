"""Intent accuracy and latency on the labelled sets; prints tables, never part of `make test`.

    PYTHONPATH=.:gen .venv/bin/python bench/intent_bench.py            # rules only
    PYTHONPATH=.:gen .venv/bin/python bench/intent_bench.py --llm      # + LLM modes (light client from env)

Modes:
- rules:      the deterministic parser alone (what runs with no model);
- llm-raw:    the model alone, one schema-constrained call per query (no rules at all);
- llm-always: the engine with the model consulted on every query (threshold above 1);
- hybrid:     the engine as deployed (model consulted below SIMPLE_TASK_THRESHOLD).
A row counts as right when intent and location match (and the date, where the set labels one).
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "gen")]

from services.common.llm import LlmClient, light_client_from_env  # noqa: E402
from services.intent import llm_parser  # noqa: E402
from services.intent.config import Settings  # noqa: E402
from services.intent.engine import IntentEngine  # noqa: E402
from services.intent.parser import parse  # noqa: E402

SETS = {"dev": REPO.parent / "shared" / "eval" / "intent_dev.jsonl",
        # Written together with the parser rules: a regression set, not a held-out one (bench/README.md).
        "regression": REPO / "tests" / "intent" / "intent_regression.jsonl"}
DEFAULT_REF = "2026-11-25"


def load(name: str) -> list[dict]:
    path = SETS[name]
    if not path.exists():
        print(f"(skipping {name}: {path} not found)")
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def right(row: dict, intent: str, location: str, date: str | None) -> bool:
    return (intent, location) == (row["intent"], row["location"]) and ("date" not in row or date == row["date"])


async def run_mode(mode: str, rows: list[dict], client: LlmClient | None, settings: Settings) -> dict:
    engine = None
    if mode in ("llm-always", "hybrid"):
        threshold = 1.01 if mode == "llm-always" else settings.simple_task_threshold
        engine = IntentEngine(client, threshold=threshold, llm_timeout=settings.llm_timeout_seconds)
    correct, latencies, llm_used, fallbacks, misses = 0, [], 0, 0, []
    for row in rows:
        ref = row.get("reference_date", DEFAULT_REF)
        started = time.perf_counter()
        if mode == "rules":
            got = parse(row["query"], dt.date.fromisoformat(ref))
            intent, location, date = got.intent, got.location, got.date
        elif mode == "llm-raw":
            try:
                raw = await client.generate(llm_parser.build_prompt(row["query"], None), system=llm_parser.SYSTEM,
                                            json_schema=llm_parser.SCHEMA, max_tokens=llm_parser.MAX_TOKENS,
                                            timeout=settings.llm_timeout_seconds)
                intent, location = llm_parser.validate(raw.strip())
                llm_used += 1
            except Exception as exc:  # noqa: BLE001 - a bench counts failures, it does not stop on them
                intent, location, fallbacks = f"<{type(exc).__name__}>", "", fallbacks + 1
            date = row.get("date")  # the model is not asked for dates
        else:
            outcome = await engine.parse(row["query"], ref)
            intent, location, date = outcome.intent.intent, outcome.intent.location, outcome.intent.date
            llm_used += outcome.parser.startswith("llm:")
            fallbacks += bool(outcome.fallback_reason)
        latencies.append((time.perf_counter() - started) * 1000)
        if right(row, intent, location, date):
            correct += 1
        else:
            misses.append(f"    {row['query']}  want {row['intent']}/{row['location']}  got {intent}/{location}")
    latencies.sort()
    return {"n": len(rows), "correct": correct, "p50": statistics.median(latencies),
            "p95": latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))], "llm": llm_used,
            "fallbacks": fallbacks, "misses": misses}


def calibration(rows: list[dict]) -> None:
    bins = [(0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)]
    print("\nrules confidence calibration (all sets)\n  confidence   n   accuracy")
    for low, high in bins:
        hits = []
        for row in rows:
            got = parse(row["query"], dt.date.fromisoformat(row.get("reference_date", DEFAULT_REF)))
            if low <= got.confidence < high:
                hits.append(right(row, got.intent, got.location, got.date))
        accuracy = f"{sum(hits) / len(hits):.1%}" if hits else "-"
        print(f"  [{low:.1f}, {min(high, 1.0):.1f})  {len(hits):3d}   {accuracy}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm", action="store_true", help="also run the LLM modes (needs OLLAMA_LIGHT_HOST)")
    parser.add_argument("--sets", default="dev,regression")
    parser.add_argument("--modes", default="rules,llm-raw,llm-always,hybrid",
                        help="subset of rules,llm-raw,llm-always,hybrid (LLM modes need --llm)")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    settings = Settings.from_env()
    client = light_client_from_env() if args.llm else None
    if args.llm and client is None:
        sys.exit("--llm needs OLLAMA_LIGHT_HOST (and LLM_PROVIDER / OLLAMA_LIGHT_PORT / INTENT_MODEL); see tools/llm_local.sh")
    modes = [m for m in args.modes.split(",") if m == "rules" or client is not None]
    print(f"model: {client.name if client else 'none'}  threshold: {settings.simple_task_threshold}  "
          f"llm timeout: {settings.llm_timeout_seconds}s")
    print(f"{'set':8} {'mode':11} {'n':>3} {'right':>6} {'accuracy':>9} {'p50 ms':>9} {'p95 ms':>9} {'llm used':>9} "
          f"{'fallback':>9}")
    all_rows = []
    try:
        for name in args.sets.split(","):
            rows = load(name)
            all_rows += rows
            for mode in modes if rows else []:
                r = await run_mode(mode, rows, client, settings)
                print(f"{name:8} {mode:11} {r['n']:3d} {r['correct']:6d} {r['correct'] / r['n']:9.1%} "
                      f"{r['p50']:9.2f} {r['p95']:9.2f} {r['llm']:9d} {r['fallbacks']:9d}")
                if args.show_misses and r["misses"]:
                    print("\n".join(r["misses"]))
    finally:
        if client is not None:
            await client.aclose()
    calibration(all_rows)


if __name__ == "__main__":
    asyncio.run(main())
