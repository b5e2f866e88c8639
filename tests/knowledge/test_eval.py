"""Retrieval quality on the project's labelled set: recall@5 and MRR for vector, keyword and hybrid, plus the
threshold's job (off-topic questions return nothing). Runs on its own store holding only the shipped know-how."""
from __future__ import annotations

import pytest

from services.knowledge.config import PROJECT_ROOT
from services.knowledge.evaluation import calibrate, evaluate, load_jsonl
from services.knowledge.migrate import migrate
from services.knowledge.runtime import open_runtime

EVAL = PROJECT_ROOT / "knowledge" / "eval"


@pytest.fixture(scope="module")
async def eval_service(knowledge_settings, embedder):
    runtime = await open_runtime(knowledge_settings("eval"), embedder)
    await migrate(runtime.service, str(PROJECT_ROOT / "knowledge"))
    yield runtime.service
    await runtime.close()


async def test_hybrid_recall_at_5_and_mrr(eval_service):
    items = load_jsonl(EVAL / "retrieval_eval.jsonl")
    scores = {s.mode: s for s in await evaluate(eval_service, items)}
    print("\nmode                recall@5   MRR@10  misses")
    for s in scores.values():
        print(f"{s.mode:<18} {s.recall_at_5:>9.3f} {s.mrr:>8.3f}  {' '.join(s.misses)}")
    hybrid, deployed = scores["hybrid"], scores[f"hybrid ≥ {eval_service.threshold:g}"]
    assert hybrid.recall_at_5 >= 0.9 and deployed.recall_at_5 >= 0.9
    # Fusion must beat each retriever alone — otherwise one of them is dead weight.
    assert hybrid.recall_at_5 > max(scores["vector"].recall_at_5, scores["keyword"].recall_at_5)
    assert hybrid.mrr > max(scores["vector"].mrr, scores["keyword"].mrr)


async def test_threshold_drops_off_topic_questions(eval_service):
    items = load_jsonl(EVAL / "retrieval_eval.jsonl")
    offtopic = load_jsonl(EVAL / "offtopic_eval.jsonl")
    result = await calibrate(eval_service, items, offtopic)
    print(f"\nlowest relevant: {result.lowest_relevant[:4]}\nhighest off-topic: {result.highest_offtopic[:4]}")
    assert result.offtopic_answered == []
    kept = sum(1 for score, _ in result.lowest_relevant if score >= eval_service.threshold)
    assert kept / len(items) >= 0.9
