"""Character-bigram BM25: Japanese terms without a tokenizer, normalised scores, filters, consistent updates."""
from __future__ import annotations

from services.knowledge.keyword import BigramBM25, terms

DOCS = [
    ("a:0", "横浜は月曜の朝に欠勤が多いので熟練者を午前に配置する。", {"location": "横浜", "category": "現場ノウハウ"}),
    ("b:0", "札幌は冬季に欠勤が増えるため予備要員を確保する。", {"location": "札幌", "category": "現場ノウハウ"}),
    ("c:0", "検品と出荷には熟練者を必ず置く。", {"location": "", "category": "配置ルール"}),
    ("d:0", "16時以降の新規業務を止めて残業を削減した。", {"location": "品川", "category": "成功事例"}),
]


def index() -> BigramBM25:
    ix = BigramBM25()
    ix.add(DOCS)
    return ix


def test_terms_are_bigrams_without_particle_only_pairs():
    assert terms("熟練者の配置") == ["熟練", "練者", "者の", "の配", "配置"]
    assert "して" not in terms("配置して")          # pure hiragana pair: a particle/inflection
    assert terms("雪") == ["雪"]                    # one-character run kept as a unigram
    assert terms("ＰＹＴＨＯＮ") == terms("python")  # NFKC + lower-case


def test_ranking_and_score_range():
    ranked, _ = index().search("熟練者を午前に", 10)
    assert ranked[0][0] == "a:0"
    assert {cid for cid, _ in ranked} == {"a:0", "c:0"}
    assert all(0.0 < score <= 1.0 for _, score in ranked)


def test_unrelated_query_scores_nothing():
    ranked, extra = index().search("Pythonのリスト内包表記", 10, also=["a:0"])
    assert ranked == [] and extra == {"a:0": 0.0}


def test_filters_keep_the_site_and_all_sites():
    ranked, _ = index().search("熟練者 欠勤", 10, {"location": ["横浜", ""]})
    assert {cid for cid, _ in ranked} == {"a:0", "c:0"}
    ranked, _ = index().search("欠勤", 10, {"location": ["札幌", ""], "category": ["現場ノウハウ"]})
    assert [cid for cid, _ in ranked] == ["b:0"]


def test_remove_and_replace_keep_the_index_consistent():
    ix = index()
    assert ix.remove(["a:0", "missing"]) == 1
    assert ix.ids() == {"b:0", "c:0", "d:0"}
    assert all(cid != "a:0" for cid, _ in ix.search("月曜の朝", 10)[0])
    ix.add([("c:0", "月曜の朝は忙しい。", {"location": "", "category": "配置ルール"})])  # replace in place
    assert len(ix) == 3
    assert [cid for cid, _ in ix.search("月曜の朝", 10)[0]] == ["c:0"]
    assert ix.search("検品と出荷", 10)[0] == []  # the old text of c:0 is gone
    ix.add([("e:0", "検品", {"location": "", "category": "配置ルール"})])  # reuses the freed slot
    assert ix.ids() == {"b:0", "c:0", "d:0", "e:0"}


def test_also_returns_scores_for_requested_chunks():
    ranked, extra = index().search("残業を削減", 1, also=["d:0", "a:0"])
    assert ranked[0][0] == "d:0" and extra["d:0"] == ranked[0][1] and extra["a:0"] == 0.0
