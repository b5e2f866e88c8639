"""How well the light LLM alone types the dev set's questions, against the rules' typed question.

    PYTHONPATH=.:gen .venv/bin/python bench/answers_llm_only.py --provider openai --port 8080 \\
        --model qwen2.5-coder-1.5b-instruct [--file bench/answers_holdout.jsonl] [--timeout 120]

The product asks the model only where the rules find no metric (the dev set has no such line), so the
product evaluator (answers_eval.py) cannot show what the model would do. This asks it for EVERY line, through
the same code (question.llm_fill: schema, validation against the request, merge with the rules' reading),
and reports per line whether its question agrees with the rules' on the parts that decide the answer —
metric, sites, period, grouping, order — plus how often validation rejected it and the latency p50/p95.
The rules' question is right on every dev line (answers_eval: 24/24), so agreement ≈ accuracy.
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

from bench.answers_eval import DEV, render  # noqa: E402
from services.common.errors import AimeeError  # noqa: E402
from services.common.llm import make_client  # noqa: E402
from services.intent import parser  # noqa: E402
from services.intent.llm_parser import LlmRejected  # noqa: E402
from services.intent.question import llm_fill  # noqa: E402

DECISIVE = ("metric", "sites", "all_sites", "date_from", "date_to", "group_by", "order")


def _decisive(q) -> dict:
    fields = {name: getattr(q, name) for name in DECISIVE}
    if fields["metric"] == "headcount" and q.process:
        fields["metric"] = "qualified_headcount"   # analytics reads both the same way
    return fields


async def run(args) -> dict:
    client = make_client(args.provider, args.host, args.port, args.model)
    today = dt.date.today()
    counts = {"agree": 0, "differ": 0, "rejected": 0, "failed": 0, "no_rules_question": 0}
    latencies = []
    try:
        for line in (json.loads(l) for l in args.file.read_text(encoding="utf-8").splitlines() if l.strip()):
            query = render(line["query"], today)
            rules = parser.parse(query, today).question
            scope = parser.question_scope(query, today)
            started = time.perf_counter()
            try:
                got = await llm_fill.fill(client, query, scope.text, today, scope.sites, scope.all_sites_word,
                                          scope.process, None, args.timeout)
                verdict, detail = "", ""
            except LlmRejected as exc:
                got, verdict, detail = None, "rejected", exc.reason
            except AimeeError as exc:
                got, verdict, detail = None, "failed", exc.message
            latencies.append((time.perf_counter() - started) * 1000)
            if not verdict:
                if rules is None or not rules.metric:
                    verdict = "no_rules_question"
                else:
                    mine, theirs = _decisive(got), _decisive(rules)
                    diff = {k: (mine[k], theirs[k]) for k in DECISIVE if mine[k] != theirs[k]}
                    verdict, detail = ("agree", "") if not diff else ("differ", f"llm/rules: {diff}")
            counts[verdict] += 1
            print(f"{verdict:8} {latencies[-1] / 1000:5.1f}s {query}  {detail}", flush=True)
    finally:
        await client.aclose()
    total = sum(counts.values())
    summary = {"total": total, **counts, "agreement": counts["agree"] / total,
               "p50_ms": statistics.median(latencies), "p95_ms": sorted(latencies)[max(0, int(0.95 * total) - 1)]}
    print(json.dumps(summary, ensure_ascii=False))
    return summary


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--provider", default="openai")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--model", default="qwen2.5-coder-1.5b-instruct")
    ap.add_argument("--file", type=Path, default=DEV)
    ap.add_argument("--timeout", type=float, default=120.0)
    asyncio.run(run(ap.parse_args()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
