"""Answer accuracy on ../shared/eval/answers_dev.jsonl through Envoy, judged against each line's SQL.

    PYTHONPATH=.:gen .venv/bin/python bench/answers_eval.py --url http://127.0.0.1:8000 --database aimee_db
    PYTHONPATH=.:gen .venv/bin/python bench/answers_eval.py --start-mesh --database aimee_t_question
    # with the light LLM of `make llm-local` (tools/llm_local.sh) behind the intent engine:
    PYTHONPATH=.:gen .venv/bin/python bench/answers_eval.py --start-mesh --database aimee_db \
        --mesh-env LLM_PROVIDER=openai OLLAMA_LIGHT_HOST=127.0.0.1 OLLAMA_LIGHT_PORT=8080 \
        INTENT_MODEL=qwen2.5-coder-1.5b-instruct INTENT_LLM_TIMEOUT_SECONDS=60

Each question is POSTed to /api/v1/ai/query; its SQL runs on the same database the mesh reads. Prints every
line's verdict, then accuracy, the confidently-wrong rate (wrong, not "cannot"), latency p50/p95 and how many
answers used the LLM's parse (`llm_used`).
`{date+N}` in a query is that day (today + N) written as M月D日.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "gen")]

import httpx  # noqa: E402
import pymysql  # noqa: E402

from bench.answers_judge import judge  # noqa: E402

DEV = REPO.parent / "shared" / "eval" / "answers_dev.jsonl"
_DATE = re.compile(r"\{date\+(-?\d+)\}")


def render(query: str, today: dt.date) -> str:
    def day(m: re.Match) -> str:
        d = today + dt.timedelta(days=int(m.group(1)))
        return f"{d.month}月{d.day}日"
    return _DATE.sub(day, query)


def run(url: str, database: str, path: Path, verbose: bool = True) -> dict:
    lines = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
    conn = pymysql.connect(host="127.0.0.1", port=3306, user="root", database=database, charset="utf8mb4")
    today = dt.date.today()
    counts = {"right": 0, "wrong": 0, "cannot": 0}
    latencies = []
    llm_used = 0
    with httpx.Client(base_url=url, timeout=60) as client:
        for line in lines:
            query = render(line["query"], today)
            rows = None
            if line.get("sql"):
                with conn.cursor() as cur:
                    cur.execute(line["sql"])
                    rows = list(cur.fetchall())
            started = time.perf_counter()
            response = client.post("/api/v1/ai/query", json={"query": query})
            latencies.append((time.perf_counter() - started) * 1000)
            body = response.json() if response.status_code == 200 else {}
            answer = body.get("answer", "") if body else f"HTTP {response.status_code}"
            parser = body.get("intent_parser", "")
            llm_used += parser.startswith("llm:")
            verdict = judge(line["kind"], answer, rows, line)
            counts[verdict] += 1
            if verbose:
                print(f"{verdict:6} {line['kind']:11} {query}  [{parser}]\n       → {answer[:160]}\n       SQL: {rows}")
    conn.close()
    total = len(lines)
    summary = {"total": total, **counts, "accuracy": counts["right"] / total,
               "wrong_rate": counts["wrong"] / total, "p50_ms": statistics.median(latencies),
               "p95_ms": sorted(latencies)[max(0, int(0.95 * total) - 1)], "llm_used": llm_used}
    print(json.dumps(summary, ensure_ascii=False))
    return summary


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", help="Envoy base URL of a running mesh")
    ap.add_argument("--start-mesh", action="store_true", help="start a mesh on free ports against --database")
    ap.add_argument("--database", default="aimee_db")
    ap.add_argument("--file", type=Path, default=DEV)
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/15", help="the started mesh's cache")
    ap.add_argument("--mesh-env", nargs="*", default=[], metavar="NAME=VALUE",
                    help="environment of the started mesh (e.g. the light LLM's host, port, model, timeout)")
    args = ap.parse_args()
    if args.start_mesh:
        from tests.e2e.conftest import start_mesh, stop_mesh
        mesh = start_mesh(Path(tempfile.mkdtemp(prefix="answers-eval-")), f"mysql://root@127.0.0.1:3306/{args.database}",
                          args.redis_url, dict(item.split("=", 1) for item in args.mesh_env))
        try:
            run(mesh.base_url, args.database, args.file)
        finally:
            stop_mesh(mesh)
        return 0
    if not args.url:
        ap.error("--url or --start-mesh")
    run(args.url, args.database, args.file)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
