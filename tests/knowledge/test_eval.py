"""Retrieval quality on the project's labelled sets: recall@5 and MRR for vector, keyword and hybrid, plus the
threshold's job (off-topic questions return nothing). Runs on its own store holding only the shipped know-how.

The tuning split is what the constants were chosen on; the held-out split (knowledge/eval/README.md) is only
measured, so its assertions are the ones that say the retriever generalises."""
from __future__ import annotations

import pytest

from services.knowledge.config import PROJECT_ROOT
from services.knowledge.evaluation import calibrate, evaluate, load_split, rejection, score_mode
from services.knowledge.migrate import migrate
from services.knowledge.keyword import BigramBM25
from services.knowledge.relevance import (MIN_EVIDENCE_TERMS, content_terms, evidence_query, keyword_query,
                                          mentions_domain)
from services.knowledge.runtime import open_runtime


@pytest.fixture(scope="module")
async def eval_service(knowledge_settings, embedder):
    runtime = await open_runtime(knowledge_settings("eval"), embedder)
    await migrate(runtime.service, str(PROJECT_ROOT / "knowledge"))
    yield runtime.service
    await runtime.close()


async def test_hybrid_recall_at_5_and_mrr(eval_service):
    items, _ = load_split("tuning")
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
    items, offtopic = load_split("tuning")
    result = await calibrate(eval_service, items, offtopic)
    print(f"\nlowest relevant: {result.lowest_relevant[:4]}\nhighest off-topic: {result.highest_offtopic[:4]}")
    kept = sum(1 for score, _ in result.lowest_relevant if score >= eval_service.threshold)
    assert kept / len(items) >= 0.9
    tuned = await rejection(eval_service, items, offtopic)
    assert tuned.rejection_rate >= 0.95, tuned.answered_offtopic


async def test_held_out_set_generalises(eval_service):
    """Measured on questions nothing was tuned on: before relevance.py 64 of 98 off-topic questions were
    rejected (65 %), most leaks naming a site or a generic word; the bar is 90 % with on-topic recall kept."""
    items, offtopic = load_split("heldout")
    result = await rejection(eval_service, items, offtopic)
    deployed = await score_mode(eval_service, items, "hybrid", threshold=None)
    print(f"\nheld-out: off-topic rejected {result.offtopic_rejected}/{result.offtopic} "
          f"({result.rejection_rate:.3f}), precision {result.precision:.3f}, recall@5 {deployed.recall_at_5:.3f}, "
          f"MRR {deployed.mrr:.3f}, leaks {result.answered_offtopic}")
    assert result.rejection_rate >= 0.9, result.answered_offtopic
    assert result.precision >= 0.85
    assert deployed.recall_at_5 >= 0.85 and deployed.mrr >= 0.75


async def test_site_names_and_generic_words_are_not_evidence(eval_service):
    """The issue's reproductions: a site name or 時期/方法 must not carry an off-topic question over the bar,
    while the same site in a real question still finds its section."""
    for question in ("冬のタイヤ交換の時期", "ゴルフのスコアを上げる方法", "宅配便の再配達の頼み方", "札幌の夏の気温",
                     "明日の大阪の天気予報"):
        assert (await eval_service.search(question)).hits == [], question
    hits = (await eval_service.search("札幌で冬に休む人が増えたときの人手の確保")).hits
    assert hits and hits[0].source.startswith("knowledge/") and "予備要員" in " ".join(h.text for h in hits[:3])


def test_keyword_query_drops_places_and_generic_words():
    assert "大阪" not in keyword_query("明日の大阪の天気予報") and "天気予報" in keyword_query("明日の大阪の天気予報")
    assert keyword_query("冬のタイヤ交換の時期") == "冬のタイヤ交換の"
    assert mentions_domain("月曜の朝に新人を検品に入れてよい？")
    assert not mentions_domain("冬のタイヤ交換の時期") and not mentions_domain("ゴルフのスコアを上げる方法")


def test_scene_words_are_not_evidence():
    assert evidence_query("明日の大阪の天気予報") == ""  # the particles left behind are dropped too
    assert "冷凍品" in evidence_query("冬に冷凍品が届いたら")


def test_keyword_evidence_needs_two_content_terms():
    """One shared word is not evidence: bigrams straddling a particle do not count as a second one."""
    assert content_terms("の平均") == ["平均"]
    index = BigramBM25()
    index.add([("c1", "全拠点の平均的な水準で推移", {}), ("c2", "方面ラベルの色を毎朝確認する", {})])
    assert index.shared_terms(content_terms("の平均"), "c1") == 1 < MIN_EVIDENCE_TERMS
    assert index.shared_terms(content_terms("方面ラベルの色"), "c2") >= MIN_EVIDENCE_TERMS
