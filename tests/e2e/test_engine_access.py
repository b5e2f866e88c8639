"""Engines answer only the gateway: a direct call to an engine's port without the mesh's internal token is
refused (UNAUTHENTICATED, Japanese message) and changes nothing; the same action through Envoy and the
gateway works. The token lives in the run directory, readable by the operator's account only."""
from __future__ import annotations

import stat
import uuid

import grpc
import pytest

from aimee.knowledge.v1 import knowledge_pb2, knowledge_pb2_grpc
from db.connect import connect
from services.common.grpc_auth import METADATA_KEY
from tests.conftest import TEST_DATABASE

# One RPC per engine service, each called with an empty request.
ENGINE_RPCS = {
    "INTENT_PORT": "/aimee.intent.v1.IntentService/ParseIntent",
    "ANALYTICS_PORT": "/aimee.analytics.v1.AnalyticsService/ListAlerts",
    "SOLVER_PORT": "/aimee.solver.v1.SolverService/GetCurrentAssignments",
    "KNOWLEDGE_PORT": "/aimee.knowledge.v1.KnowledgeService/Search",
    "SYNTHESIS_PORT": "/aimee.synthesis.v1.SynthesisService/Compose",
}


def _documents(doc_id: str) -> int:
    with connect(TEST_DATABASE) as conn, conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM knowledge_documents WHERE doc_id = %s", (doc_id,))
        return int(cur.fetchone()[0])


def _mesh_token(mesh) -> str:
    path = mesh.run_dir / "internal_token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    return path.read_text().strip()


@pytest.mark.parametrize("port_env,method", sorted(ENGINE_RPCS.items()))
async def test_every_engine_refuses_a_call_without_the_token(mesh, port_env, method):
    async with grpc.aio.insecure_channel(f"127.0.0.1:{mesh.env[port_env]}") as channel:
        for metadata in ((), ((METADATA_KEY, "guess"),)):
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await channel.unary_unary(method)(b"", metadata=metadata, timeout=10)
            assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED, method
            assert "ゲートウェイからの呼び出しだけ" in err.value.details()


async def test_direct_delete_document_is_refused_and_deletes_nothing_the_gateway_deletes(mesh, http):
    added = http.post("/api/v1/knowledge/documents", json={
        "title": "佐世保の朝礼", "category": "現場ノウハウ", "location": "佐世保",
        "source": f"e2e-access-{uuid.uuid4().hex[:6]}",
        "text": "佐世保拠点では朝礼で当日の物量と欠勤者を共有し、応援の要否を8時までに決める。"})
    assert added.status_code == 200, added.text
    doc_id = added.json()["doc_id"]
    assert _documents(doc_id) == 1

    async with grpc.aio.insecure_channel(f"127.0.0.1:{mesh.env['KNOWLEDGE_PORT']}") as channel:
        knowledge = knowledge_pb2_grpc.KnowledgeServiceStub(channel)
        request = knowledge_pb2.DeleteDocumentRequest(doc_id=doc_id)
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await knowledge.DeleteDocument(request, timeout=10)
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert _documents(doc_id) == 1  # nothing deleted
        # The engine still has every chunk: the operator (who can read the token file) sees it.
        found = await knowledge.Search(knowledge_pb2.SearchRequest(q="佐世保の朝礼で応援の要否を決める時刻", top_k=10),
                                       metadata=((METADATA_KEY, _mesh_token(mesh)),), timeout=30)
        assert doc_id in [hit.doc_id for hit in found.hits]

    deleted = http.delete(f"/api/v1/knowledge/documents/{doc_id}")
    assert deleted.status_code == 200, deleted.text
    assert _documents(doc_id) == 0
