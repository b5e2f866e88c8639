"""With engines down, the gateway still answers: a partial answer, each missing part named, in time."""
from __future__ import annotations

import time

import grpc
import pytest

from aimee.gateway.v1 import gateway_pb2, gateway_pb2_grpc


async def test_all_engines_down_gives_partial_answer_within_deadline(gateway_settings, start_gateway):
    channel, _ = await start_gateway(gateway_settings())
    stub = gateway_pb2_grpc.AiServiceStub(channel)
    started = time.perf_counter()
    answer = await stub.Optimize(gateway_pb2.OptimizeRequest(query="横浜拠点のアラートを改善して"), timeout=10)
    elapsed = time.perf_counter() - started
    assert elapsed < 3.5, "the hybrid budget (3 s) bounds the whole request"
    assert answer.status == "partial"
    degraded = {part.engine for part in answer.degraded}
    assert {"intent", "analytics", "solver", "knowledge", "synthesis"} <= degraded
    assert all(part.reason for part in answer.degraded)
    # The gateway's fallback parser still read the request.
    assert answer.intent.location == "横浜"
    assert answer.intent.intent == "improve_alerts"
    assert "gateway-fallback-parser" in answer.model_chain[0]
    assert "回答文を生成できませんでした" in answer.answer
    # No numbers were invented: the supporting data is empty because no engine answered.
    assert answer.supporting_data.mysql_analysis.alert_count == 0
    assert not answer.supporting_data.engine_data.HasField("plan")


async def test_passthrough_to_a_dead_engine_is_unavailable(gateway_settings, start_gateway):
    channel, _ = await start_gateway(gateway_settings())
    stub = gateway_pb2_grpc.AnalyticsApiServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.GetProductivity(gateway_pb2.GetProductivityRequest(location="横浜"), timeout=5)
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "分析エンジンに接続できません" in err.value.details()


async def test_empty_query_is_invalid_argument(gateway_settings, start_gateway):
    channel, _ = await start_gateway(gateway_settings())
    stub = gateway_pb2_grpc.AiServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.Query(gateway_pb2.QueryRequest(query="   "), timeout=5)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "query" in err.value.details()


async def test_health_reports_every_component(gateway_settings, start_gateway):
    channel, _ = await start_gateway(gateway_settings())
    stub = gateway_pb2_grpc.MeshStatusServiceStub(channel)
    resp = await stub.GetHealth(gateway_pb2.GetHealthRequest(), timeout=5)
    by_name = {c.name: c.status for c in resp.components}
    assert by_name["mysql"] == "ok" and by_name["redis"] == "ok" and by_name["gateway"] == "ok"
    for engine in ("intent", "analytics", "solver", "knowledge", "synthesis", "chroma"):
        assert by_name[engine] == "down"
    assert resp.status == "degraded"
