"""The shipped know-how: per-site documents, categories, keyword keys; the eval set points at real chunks."""
from __future__ import annotations

from collections import Counter

from services.knowledge.chunking import chunk_text
from services.knowledge.config import PROJECT_ROOT
from services.knowledge.corpus import shipped_documents
from services.knowledge.evaluation import load_split, word_overlap
from services.knowledge.keywords import MAX_KEY_LENGTH, context_key, extract_keywords
from services.knowledge.models import CATEGORIES

KNOWLEDGE = PROJECT_ROOT / "knowledge"


def test_shipped_files_become_documents_with_sites_and_categories():
    docs = shipped_documents(KNOWLEDGE)
    by_source = {d.source: d for d in docs}
    assert len(by_source) == len(docs)
    assert {d.category for d in docs} == set(CATEGORIES)
    practices = [d for d in docs if d.source.startswith("knowledge/location_practices.txt#")]
    assert sorted(d.location for d in practices) == sorted(["横浜", "品川", "札幌", "大阪", "佐世保"])
    assert by_source["knowledge/management_rules.txt"].location == ""
    case = by_source["knowledge/success_cases.txt#【品川】16時以降の新規業務停止で残業を削減"]
    assert (case.location, case.category, case.title) == ("品川", "成功事例", "16時以降の新規業務停止で残業を削減")
    assert by_source["knowledge/failure_patterns.txt#【全拠点】新人を単独で出荷に配置"].location == ""


def test_planted_patterns_are_in_the_know_how():
    text = {d.source: d.text for d in shipped_documents(KNOWLEDGE)}
    assert "月曜の午前は熟練者を優先して配置" in text["knowledge/location_practices.txt#横浜"]
    assert "冬季は毎日予備要員を確保" in text["knowledge/location_practices.txt#札幌"]
    assert "16時以降は新規業務の受付を止め" in text["knowledge/location_practices.txt#品川"]
    assert "検品と出荷にはそれぞれ熟練者を最低1名配置" in text["knowledge/management_rules.txt"]


def test_eval_set_is_large_enough_and_every_answer_exists():
    tuning, tuning_off = load_split("tuning")
    heldout, heldout_off = load_split("heldout")
    items, offtopic = tuning + heldout, tuning_off + heldout_off
    assert len(tuning) >= 40 and len(heldout) >= 40 and len(heldout_off) >= 80
    assert len({i["id"] for i in items + offtopic}) == len(items) + len(offtopic)
    # The held-out split shares no question with the tuning split.
    assert not {i["question"] for i in heldout + heldout_off} & {i["question"] for i in tuning + tuning_off}
    chunks = {d.source: chunk_text(d.text, 512, 64) for d in shipped_documents(KNOWLEDGE)}
    for item in items:
        for answer in item["answers"]:
            assert any(answer["phrase"] in c for c in chunks[answer["source"]]), (item["id"], answer)
    # Paraphrased, not copied: on average under a third of a tuning question's bigrams occur in its answer; the
    # held-out questions name sites and processes more often (37 %), still well short of copying.
    docs = {d.source: d.text for d in shipped_documents(KNOWLEDGE)}
    assert word_overlap(tuning, docs) < 0.33 and word_overlap(heldout, docs) < 0.40
    assert "今日の東京の天気は？" in {o["question"] for o in offtopic}
    assert Counter(o.get("kind", "") for o in offtopic)[""] >= 20


def test_keywords_and_context_key():
    assert extract_keywords("横浜の月曜朝は熟練者を午前に配置する") == ["横浜", "月曜", "朝", "熟練者", "熟練", "午前", "配置"]
    key = context_key("月曜の朝は熟練者を置く。" * 50, "横浜")
    assert key.startswith("横浜 ") and len(key) <= MAX_KEY_LENGTH
    assert context_key("ただの文", "") == ""
