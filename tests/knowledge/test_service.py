"""KnowledgeService against real MariaDB and an embedded Chroma: storage, replacement, deletion, filters,
thresholding, rag_context, and the limits."""
from __future__ import annotations

import uuid

import pytest

from services.common.db import fetch_all, fetch_one
from services.common.errors import InvalidArgument, NotFound
from services.knowledge.corpus import SOURCE_PREFIX

FORKLIFT = """# フォークリフト点検
## 始業前点検
フォークリフトは始業前にブレーキ、ホーン、ツメの亀裂を点検する。点検表に記入してから鍵を受け取る。
## 異常時
異常があれば使用を止め、管理者に報告して代わりの車両を手配する。無資格者は運転しない。
"""


def store_ids(service) -> set[str]:
    return set(service.store.collection.get(include=[])["ids"])


async def test_seeded_know_how_is_in_chroma_mysql_and_rag_context(service):
    rows = await fetch_all(service.pool, "SELECT doc_id, source, chunk_count, location_id FROM knowledge_documents "
                                         "WHERE source LIKE %s", (SOURCE_PREFIX + "%",))
    assert len(rows) == 21 and sum(r["chunk_count"] for r in rows) == 57
    for row in rows:
        ids = service.store.ids_of_document(row["doc_id"])
        assert len(ids) == row["chunk_count"]
        ctx = await fetch_all(service.pool, "SELECT context_type, context_key, relevance_score, location_id "
                                            "FROM rag_context WHERE doc_id = %s", (row["doc_id"],))
        assert len(ctx) == row["chunk_count"]
        assert {c["context_type"] for c in ctx} == {"implicit_knowledge"}
        assert {float(c["relevance_score"]) for c in ctx} == {0.8}
        assert {c["location_id"] for c in ctx} == {row["location_id"]}
    yokohama = await fetch_all(service.pool, "SELECT context_key FROM rag_context r JOIN knowledge_documents d "
                                             "USING (doc_id) WHERE d.source = %s",
                               (SOURCE_PREFIX + "location_practices.txt#横浜",))
    assert yokohama and all(r["context_key"].startswith("横浜") for r in yokohama)
    assert service.index.ids() == store_ids(service)


async def test_add_replace_unchanged_delete_roundtrip(service):
    source = f"test://forklift/{uuid.uuid4().hex}"
    added = await service.add_document("フォークリフト点検", FORKLIFT, "現場ノウハウ", "横浜", source)
    assert (added.chunk_count, added.replaced, added.unchanged) == (2, False, False)
    row = await fetch_one(service.pool, "SELECT title, category, location_id, chunk_count FROM knowledge_documents "
                                        "WHERE doc_id = %s", (added.doc_id,))
    assert row == {"title": "フォークリフト点検", "category": "現場ノウハウ", "location_id": 1, "chunk_count": 2}
    assert service.index.ids() == store_ids(service)

    found = await service.search("フォークリフトを使う前の点検項目", location="横浜")
    top = found.hits[0]
    assert (top.doc_id, top.source, top.location, top.category) == (added.doc_id, source, "横浜", "現場ノウハウ")
    assert top.chunk_id == f"{added.doc_id}:0" and "ブレーキ" in top.text
    assert top.title == "フォークリフト点検"
    assert 0 < top.score <= 1 and top.vector_score > 0.8 and 0 <= top.keyword_score <= 1

    again = await service.add_document("フォークリフト点検", FORKLIFT, "現場ノウハウ", "横浜", source)
    assert (again.doc_id, again.unchanged, again.chunk_count) == (added.doc_id, True, 2)

    replaced = await service.add_document("フォークリフト点検（改訂）", "フォークリフトは有資格者だけが運転する。",
                                          "配置ルール", "", source)
    assert (replaced.doc_id, replaced.chunk_count, replaced.replaced) == (added.doc_id, 1, True)
    assert service.store.ids_of_document(added.doc_id) == [f"{added.doc_id}:0"]
    docs = await fetch_all(service.pool, "SELECT category, location_id FROM knowledge_documents WHERE source = %s",
                           (source,))
    assert docs == [{"category": "配置ルール", "location_id": None}]
    ctx = await fetch_all(service.pool, "SELECT context_value FROM rag_context WHERE doc_id = %s", (added.doc_id,))
    assert [c["context_value"] for c in ctx] == ["フォークリフトは有資格者だけが運転する。"]
    old = await service.search("ツメの亀裂とホーンの点検", top_k=50, threshold=0.0)
    assert all("ツメの亀裂" not in h.text for h in old.hits)
    assert service.index.ids() == store_ids(service)

    deleted = await service.delete_document(added.doc_id)
    assert (deleted.deleted_chunks, deleted.deleted_context_rows) == (1, 1)
    after = await service.search("フォークリフトを運転できる人", top_k=50, threshold=0.0)
    assert all(h.doc_id != added.doc_id for h in after.hits)
    assert await fetch_one(service.pool, "SELECT doc_id FROM knowledge_documents WHERE doc_id = %s",
                           (added.doc_id,)) is None
    assert service.index.ids() == store_ids(service)
    with pytest.raises(NotFound, match="見つかりません"):
        await service.delete_document(added.doc_id)


async def test_location_filter_returns_the_site_and_all_sites(service):
    result = await service.search("欠勤が多い日の朝の配置", location="横浜", top_k=50, threshold=0.0)
    locations = {h.location for h in result.hits}
    assert locations == {"横浜", ""}
    sapporo = await service.search("雪で出勤できない人が出る季節の備え", location="札幌")
    assert sapporo.hits[0].location == "札幌" and "予備要員" in sapporo.hits[0].text
    assert {h.location for h in sapporo.hits} <= {"札幌", ""}


async def test_category_filter(service):
    result = await service.search("残業を減らした例", category="成功事例", top_k=20, threshold=0.0)
    assert result.hits and {h.category for h in result.hits} == {"成功事例"}
    assert "30%削減" in result.hits[0].text


@pytest.mark.parametrize("question", ["今日の東京の天気は？", "Pythonのリスト内包表記", "カレーの作り方"])
async def test_unrelated_questions_return_nothing(service, question):
    assert (await service.search(question)).hits == []
    assert (await service.search(question, top_k=50)).hits == []


async def test_the_right_rule_for_each_planted_pattern(service):
    cases = [("週の初めに休みが多い拠点の朝の配置", "横浜", "熟練者"),
             ("雪の季節に欠員が出ても回すには", "札幌", "予備要員"),
             ("時間外労働を減らした方法", "品川", "16時以降")]
    for question, site, phrase in cases:
        hits = (await service.search(question, location=site)).hits
        assert any(phrase in h.text for h in hits[:3]), (question, [h.text[:40] for h in hits])


async def test_include_context_serves_rag_context_for_the_site(service):
    result = await service.search("横浜拠点のアラートを改善して", location="横浜", include_context=True)
    assert result.hits and 1 <= len(result.context) <= 3
    first = result.context[0]
    assert "横浜" in first.context_key and "アラート" in first.context_key  # the sample's seed-query row
    ids = [c.context_id for c in result.context]
    rows = await fetch_all(service.pool, "SELECT location_id FROM rag_context WHERE context_id IN (%s, %s, %s)",
                           tuple((ids * 3)[:3]))
    assert {r["location_id"] for r in rows} <= {1, None}
    plain = await service.search("横浜拠点のアラートを改善して", location="横浜")
    assert plain.context == []


async def test_add_context_and_mark_used(service):
    key = f"テスト {uuid.uuid4().hex[:8]} 佐世保 出荷"
    context_id = await service.add_context("manager_feedback", key, "出荷は兼務者を2名確保する。", 0.9, "佐世保")
    row = await fetch_one(service.pool, "SELECT context_type, relevance_score, use_count, location_id "
                                        "FROM rag_context WHERE context_id = %s", (context_id,))
    assert (row["context_type"], float(row["relevance_score"]), row["use_count"], row["location_id"]) == \
        ("manager_feedback", 0.9, 0, 5)
    assert await service.mark_context_used([context_id, context_id]) == 1
    assert await service.mark_context_used([context_id]) == 1
    row = await fetch_one(service.pool, "SELECT use_count FROM rag_context WHERE context_id = %s", (context_id,))
    assert row["use_count"] == 2
    with pytest.raises(NotFound):
        await service.mark_context_used([2_000_000_000])
    default = await service.add_context("manager_feedback", key, "既定の関連度", 0.0)
    row = await fetch_one(service.pool, "SELECT relevance_score, location_id FROM rag_context WHERE context_id = %s",
                          (default,))
    assert (float(row["relevance_score"]), row["location_id"]) == (0.5, None)


@pytest.mark.parametrize("kwargs,error,message", [
    (dict(text=""), InvalidArgument, "本文（text）が空です"),
    (dict(text="あ" * 200_001), InvalidArgument, "最大 200,000 文字"),
    (dict(category="雑談"), InvalidArgument, "指定できるカテゴリ: 配置ルール、現場ノウハウ、成功事例、失敗パターン、従業員特性"),
    (dict(category=""), InvalidArgument, "指定できるカテゴリ"),
    (dict(location="東京"), NotFound, "指定できる拠点: 横浜、品川、札幌、大阪、佐世保"),
    (dict(source="s" * 192), InvalidArgument, "最大 191 文字"),
])
async def test_add_document_limits(service, kwargs, error, message):
    args = dict(title="t", text="本文。", category="配置ルール", location="", source="test://limits") | kwargs
    with pytest.raises(error, match=message):
        await service.add_document(**args)


@pytest.mark.parametrize("kwargs,error,message", [
    (dict(q=""), InvalidArgument, "検索語（q）が空です"),
    (dict(q="   "), InvalidArgument, "検索語（q）が空です"),
    (dict(q="あ" * 1001), InvalidArgument, "最大 1,000 文字"),
    (dict(top_k=51), InvalidArgument, "top_k は 1〜50"),
    (dict(top_k=-1), InvalidArgument, "top_k は 1〜50"),
    (dict(category="雑談"), InvalidArgument, "指定できるカテゴリ"),
    (dict(location="東京"), NotFound, "拠点「東京」は見つかりません"),
])
async def test_search_limits(service, kwargs, error, message):
    with pytest.raises(error, match=message):
        await service.search(**(dict(q="新人の配置") | kwargs))


async def test_top_k_default_and_bounds(service):
    assert len((await service.search("新人の配置")).hits) == 5          # TOP_K_RESULTS
    assert len((await service.search("新人の配置", top_k=1)).hits) == 1
    assert len((await service.search("新人の配置", top_k=50, threshold=0.0)).hits) > 5


async def test_keyword_index_rebuilt_from_chroma_equals_the_store(service):
    before = service.index.ids()
    assert await service.rebuild_index() == len(before)
    assert service.index.ids() == before == store_ids(service)
