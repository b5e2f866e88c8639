"""The gRPC contract through a real in-process server (port 0) and grpc.aio channel: content and status codes."""
from __future__ import annotations

import uuid

import grpc
import pytest

from aimee.knowledge.v1 import knowledge_pb2 as pb
from services.knowledge.config import DEFAULT_SIMILARITY_THRESHOLD


async def test_search_returns_ranked_hits_with_metadata(stub):
    response = await stub.Search(pb.SearchRequest(q="雪の季節に欠員が出ても作業を止めない準備", location="札幌"))
    assert 1 <= len(response.hits) <= 5
    top = response.hits[0]
    assert top.location == "札幌" and "予備要員" in top.text
    assert top.doc_id and top.chunk_id.startswith(top.doc_id + ":") and top.source.startswith("knowledge/")
    assert top.title and top.category in {"現場ノウハウ", "成功事例", "失敗パターン"}
    scores = [h.score for h in response.hits]
    assert scores == sorted(scores, reverse=True)
    assert all(DEFAULT_SIMILARITY_THRESHOLD <= s <= 1 for s in scores)
    assert response.threshold == pytest.approx(DEFAULT_SIMILARITY_THRESHOLD)
    assert not response.context


async def test_search_with_context_and_mark_used(stub):
    response = await stub.Search(pb.SearchRequest(q="横浜拠点のアラートを改善して", location="横浜",
                                                  include_context=True, top_k=3))
    assert len(response.hits) == 3 and 1 <= len(response.context) <= 3
    entry = response.context[0]
    assert entry.context_id > 0 and "横浜" in entry.context_key and entry.context_value and entry.relevance_score > 0
    used = await stub.MarkContextUsed(pb.MarkContextUsedRequest(context_ids=[c.context_id for c in response.context]))
    assert used.updated == len(response.context)


async def test_unrelated_question_returns_no_hits(stub):
    response = await stub.Search(pb.SearchRequest(q="今日の東京の天気は？"))
    assert list(response.hits) == []


async def test_add_search_delete_over_grpc(stub):
    source = f"test://grpc/{uuid.uuid4().hex}"
    text = "仕分けラインでは、方面ラベルの色を毎朝確認する。色の違うラベルが混ざると誤配送につながる。"
    added = await stub.AddDocument(pb.AddDocumentRequest(title="方面ラベルの確認", text=text, category="現場ノウハウ",
                                                         location="大阪", source=source))
    assert added.doc_id and added.chunk_count == 1 and not added.replaced and not added.unchanged
    again = await stub.AddDocument(pb.AddDocumentRequest(title="方面ラベルの確認", text=text, category="現場ノウハウ",
                                                         location="大阪", source=source))
    assert again.doc_id == added.doc_id and again.unchanged
    hits = (await stub.Search(pb.SearchRequest(q="行き先シールの色の点検", location="大阪"))).hits
    assert hits[0].doc_id == added.doc_id and hits[0].location == "大阪"
    deleted = await stub.DeleteDocument(pb.DeleteDocumentRequest(doc_id=added.doc_id))
    assert (deleted.doc_id, deleted.deleted_chunks, deleted.deleted_context_rows) == (added.doc_id, 1, 1)
    hits = (await stub.Search(pb.SearchRequest(q="行き先シールの色の点検", location="大阪", top_k=50))).hits
    assert all(h.doc_id != added.doc_id for h in hits)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.DeleteDocument(pb.DeleteDocumentRequest(doc_id=added.doc_id))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND and added.doc_id in err.value.details()


async def test_add_context_over_grpc(stub):
    response = await stub.AddContext(pb.AddContextRequest(
        context_type="manager_feedback", context_key="大阪 朝礼 作業量", context_value="朝礼で作業量を共有する。",
        relevance_score=0.7, location="大阪"))
    assert response.context_id > 0


@pytest.mark.parametrize("call,request_,code,message", [
    ("AddDocument", pb.AddDocumentRequest(title="t", text="", category="配置ルール"), "INVALID_ARGUMENT", "本文（text）が空"),
    ("AddDocument", pb.AddDocumentRequest(title="t", text="あ" * 200_001, category="配置ルール"),
     "INVALID_ARGUMENT", "最大 200,000 文字"),
    ("AddDocument", pb.AddDocumentRequest(title="t", text="本文。", category="雑談"), "INVALID_ARGUMENT",
     "指定できるカテゴリ"),
    ("AddDocument", pb.AddDocumentRequest(title="t", text="本文。", category="配置ルール", location="名古屋"),
     "NOT_FOUND", "指定できる拠点: 横浜、品川、札幌、大阪、佐世保"),
    ("Search", pb.SearchRequest(q=""), "INVALID_ARGUMENT", "検索語（q）が空"),
    ("Search", pb.SearchRequest(q="新人", top_k=51), "INVALID_ARGUMENT", "top_k は 1〜50"),
    ("Search", pb.SearchRequest(q="新人", location="名古屋"), "NOT_FOUND", "指定できる拠点"),
    ("Search", pb.SearchRequest(q="新人", category="雑談"), "INVALID_ARGUMENT", "指定できるカテゴリ"),
    ("DeleteDocument", pb.DeleteDocumentRequest(doc_id=""), "INVALID_ARGUMENT", "doc_id"),
    ("DeleteDocument", pb.DeleteDocumentRequest(doc_id="kd_missing"), "NOT_FOUND", "見つかりません"),
    ("AddContext", pb.AddContextRequest(context_type="x", context_key="", context_value="v"), "INVALID_ARGUMENT",
     "context_key"),
    ("AddContext", pb.AddContextRequest(context_type="x", context_key="k", context_value="v", relevance_score=1.5),
     "INVALID_ARGUMENT", "relevance_score は 0〜1"),
    ("MarkContextUsed", pb.MarkContextUsedRequest(), "INVALID_ARGUMENT", "context_ids"),
    ("MarkContextUsed", pb.MarkContextUsedRequest(context_ids=[2_000_000_000]), "NOT_FOUND", "見つかりません"),
])
async def test_errors_map_to_status_codes(stub, call, request_, code, message):
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await getattr(stub, call)(request_)
    assert err.value.code() == getattr(grpc.StatusCode, code)
    assert message in err.value.details()
