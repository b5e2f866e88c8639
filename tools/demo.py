"""The demo's last step: ask the running mesh the seed's two example requests through Envoy and print
the answers (the full JSON goes to var/demo/)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import httpx

BASE = f"http://127.0.0.1:{os.environ.get('ENVOY_PORT', '8000')}"
REQUESTS = [
    ("/api/v1/ai/optimize", "横浜拠点のアラートを改善して"),
    ("/api/v1/ai/query", "現在のアラート件数は？"),
]


def show(path: str, query: str, body: dict) -> None:
    print("=" * 78)
    print(f"POST {path}  「{query}」")
    intent = body.get("intent", {})
    print(f"status: {body.get('status')}   time: {body.get('processing_time')}   "
          f"intent: {intent.get('intent')} / {intent.get('location')}")
    print(f"model_chain: {' → '.join(body.get('model_chain', []))}")
    for part in body.get("degraded", []):
        print(f"degraded: {part['engine']}: {part['reason']}")
    print("-" * 78)
    print(body.get("narrative") or body.get("answer"))
    plan = body.get("improvement_plan", {})
    if plan.get("priority_analysis"):
        print("-" * 78)
        for rank, text in sorted(plan["priority_analysis"].items()):
            print(f"優先度{rank}: {text}")
    support = body.get("supporting_data", {})
    print("-" * 78)
    print("mysql_analysis:", json.dumps(support.get("mysql_analysis", {}), ensure_ascii=False))
    if support.get("constraint_check", {}).get("solver_status"):
        print("constraint_check:", json.dumps(support["constraint_check"], ensure_ascii=False))


def main() -> int:
    out = Path(os.environ.get("AIMEE_RUN_DIR", "var")) / "demo"
    out.mkdir(parents=True, exist_ok=True)
    failures = 0
    for i, (path, query) in enumerate(REQUESTS, 1):
        resp = httpx.post(BASE + path, json={"query": query, "context": {
            "user_id": "manager001", "session_id": "sess_demo_001", "urgency": "medium"}}, timeout=60)
        if resp.status_code != 200:
            print(f"{path}: HTTP {resp.status_code}: {resp.text}")
            failures += 1
            continue
        body = resp.json()
        (out / f"answer{i}.json").write_text(json.dumps(body, ensure_ascii=False, indent=2))
        show(path, query, body)
    print("=" * 78)
    print(f"full JSON: {out}/answer1.json, {out}/answer2.json   stop the mesh: make down")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
