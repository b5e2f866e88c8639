"""The gateway's intake: undecodable or out-of-limit requests are INVALID_ARGUMENT before any work, and the
structured fields a request carries are used or refused (never dropped). Engines are down in these tests,
so a request that got past intake would show as UNAVAILABLE or a degraded answer, not INVALID_ARGUMENT."""
from __future__ import annotations

import time
import uuid

import grpc
import pytest

from aimee.gateway.v1 import gateway_pb2, gateway_pb2_grpc
from aimee.solver.v1 import solver_pb2
from services.common.db import create_pool, fetch_one
from services.gateway import validation


async def _raw_call(channel, method: str, payload: bytes):
    call = channel.unary_unary(method, request_serializer=lambda b: b, response_deserializer=lambda b: b)
    return await call(payload, timeout=5)


def _string_field(number: int, value: bytes) -> bytes:
    """A length-delimited proto field by hand: what Envoy sends for `?location=%FF%FE`."""
    return bytes([(number << 3) | 2, len(value)]) + value


@pytest.mark.parametrize("method, number", [
    ("/aimee.gateway.v1.AlertsApiService/ListAlerts", 1),
    ("/aimee.gateway.v1.KnowledgeApiService/SearchKnowledge", 1),
    ("/aimee.gateway.v1.KnowledgeApiService/DeleteKnowledgeDocument", 1),
    ("/aimee.gateway.v1.AnalyticsApiService/GetProductivity", 1),
    ("/aimee.gateway.v1.AnalyticsApiService/GetAttendance", 1),
    ("/aimee.gateway.v1.AnalyticsApiService/GetAlertStatistics", 1),
    ("/aimee.gateway.v1.AssignmentsApiService/GetCurrentAssignments", 1),
    ("/aimee.gateway.v1.ChatApiService/GetChatHistory", 1),
])
async def test_invalid_utf8_is_invalid_argument_not_unknown(gateway_settings, start_gateway, method, number):
    channel, _ = await start_gateway(gateway_settings())
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await _raw_call(channel, method, _string_field(number, b"\xff\xfe"))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "UTF-8" in err.value.details()


async def test_without_a_token_bad_bytes_are_still_401_not_500(gateway_settings, start_gateway):
    channel, _ = await start_gateway(gateway_settings(api_tokens=("t0ken",)))
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await _raw_call(channel, "/aimee.gateway.v1.AlertsApiService/ListAlerts", _string_field(1, b"\xff"))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_a_4mb_location_is_refused_at_once_and_health_is_not_held_up(gateway_settings, start_gateway):
    channel, _ = await start_gateway(gateway_settings())
    ai = gateway_pb2_grpc.AiServiceStub(channel)
    started = time.perf_counter()
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await ai.Analyze(gateway_pb2.AnalyzeRequest(query="生産性", location="あ" * 1_300_000), timeout=5)
    assert time.perf_counter() - started < 1.0
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert f"location は {validation.MAX_SITE_CHARS} 文字以内" in err.value.details()
    assert len(err.value.details()) < 200, "the value is never echoed back"


@pytest.mark.parametrize("request_, fragment", [
    (gateway_pb2.AnalyzeRequest(query="生産性", date_to="0001-01-01"), "2000-01-01〜2099-12-31"),
    (gateway_pb2.AnalyzeRequest(query="生産性", date_from="bad"), "YYYY-MM-DD"),
    (gateway_pb2.AnalyzeRequest(query="生産性", date_from="2026-03-02", date_to="2026-03-01"), "以前"),
    (gateway_pb2.AnalyzeRequest(query="生産性", context=gateway_pb2.RequestContext(urgency="urgent")),
     "low / medium / high"),
    (gateway_pb2.AnalyzeRequest(query="生産性", context=gateway_pb2.RequestContext(user_id="u" * 65)),
     "context.user_id は 64 文字以内"),
    (gateway_pb2.AnalyzeRequest(query="生産性", context=gateway_pb2.RequestContext(session_id="s" * 65)),
     "context.session_id は 64 文字以内"),
    # One character more than the intent engine reads: refused here, not answered degraded.
    (gateway_pb2.AnalyzeRequest(query="q" * 1001), "query は 1,000 文字以内"),
    (gateway_pb2.AnalyzeRequest(query="生産性\x00"), "NUL"),
])
async def test_analyze_fields_are_validated(gateway_settings, start_gateway, request_, fragment):
    channel, _ = await start_gateway(gateway_settings())
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await gateway_pb2_grpc.AiServiceStub(channel).Analyze(request_, timeout=5)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert fragment in err.value.details()


async def test_analyze_unknown_site_is_not_found_listing_sites_never_the_default(gateway_settings, start_gateway):
    channel, _ = await start_gateway(gateway_settings())
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await gateway_pb2_grpc.AiServiceStub(channel).Analyze(
            gateway_pb2.AnalyzeRequest(query="生産性を分析して", location="東京"), timeout=5)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert "東京" in err.value.details() and "横浜、品川、札幌、大阪、佐世保" in err.value.details()


async def test_analyze_location_and_period_are_used(gateway_settings, start_gateway):
    channel, _ = await start_gateway(gateway_settings())
    answer = await gateway_pb2_grpc.AiServiceStub(channel).Analyze(gateway_pb2.AnalyzeRequest(
        query="生産性を分析して", location="札幌", date_from="2026-11-01", date_to="2026-11-10"), timeout=10)
    assert answer.intent.location == "札幌"
    assert (answer.intent.date_from, answer.intent.date_to) == ("2026-11-01", "2026-11-10")
    assert "拠点の指定がなかった" not in answer.answer


@pytest.mark.parametrize("rpc, request_", [
    ("RecommendAssignments", gateway_pb2.RecommendAssignmentsRequest(recommend=solver_pb2.RecommendRequest())),
    ("SimulateAssignments", gateway_pb2.SimulateAssignmentsRequest(
        simulation=solver_pb2.SimulateRequest(demand_change_pct=10))),
])
async def test_plans_without_a_location_say_it_is_required(gateway_settings, start_gateway, rpc, request_):
    channel, _ = await start_gateway(gateway_settings())
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await getattr(gateway_pb2_grpc.AssignmentsApiServiceStub(channel), rpc)(request_, timeout=5)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "location（拠点）は必須です" in err.value.details() and "横浜" in err.value.details()


async def _chat_rows(database_url: str, session_id: str) -> int:
    pool = await create_pool(database_url, maxsize=1)
    try:
        row = await fetch_one(pool, "SELECT COUNT(*) AS n FROM chat_messages WHERE session_id = %s", (session_id,))
        return row["n"]
    finally:
        pool.close()
        await pool.wait_closed()


async def test_a_65_character_user_id_stores_and_computes_nothing(gateway_settings, start_gateway, database_url):
    channel, _ = await start_gateway(gateway_settings())
    session = f"sess_{uuid.uuid4().hex[:10]}"
    started = time.perf_counter()
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await gateway_pb2_grpc.ChatApiServiceStub(channel).PostChatMessage(gateway_pb2.PostChatMessageRequest(
            session_id=session, user_id="u" * 65, message="横浜のアラート件数は？"), timeout=5)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "user_id は 64 文字以内" in err.value.details()
    # With the engines down an answer would take the intent budget at least; refusing takes milliseconds.
    assert time.perf_counter() - started < 0.4
    assert await _chat_rows(database_url, session) == 0


async def test_context_session_is_the_chat_memory_and_user_id_is_stored(gateway_settings, start_gateway,
                                                                       database_url):
    channel, _ = await start_gateway(gateway_settings())
    session = f"sess_{uuid.uuid4().hex[:10]}"
    ctx = gateway_pb2.RequestContext(user_id="manager001", session_id=session, urgency="high")
    ai = gateway_pb2_grpc.AiServiceStub(channel)
    await ai.Optimize(gateway_pb2.OptimizeRequest(query="札幌拠点の明日の配置を最適化して", context=ctx), timeout=10)
    follow = await ai.Query(gateway_pb2.QueryRequest(query="じゃあ品川は？", context=ctx), timeout=10)
    assert follow.intent.location == "品川"
    assert follow.intent.intent == "optimize_assignment", "the follow-up was read against the session"
    history = await gateway_pb2_grpc.ChatApiServiceStub(channel).GetChatHistory(
        gateway_pb2.GetChatHistoryRequest(session_id=session), timeout=5)
    assert [m.role for m in history.messages] == ["user", "assistant", "user", "assistant"]
    assert history.messages[0].content == "札幌拠点の明日の配置を最適化して"
    pool = await create_pool(database_url, maxsize=1)
    try:
        row = await fetch_one(pool, "SELECT COUNT(*) AS n FROM chat_messages WHERE session_id = %s "
                                    "AND user_id = 'manager001'", (session,))
    finally:
        pool.close()
        await pool.wait_closed()
    assert row["n"] == 4


async def test_an_oversized_engine_reply_is_400_not_429(gateway_settings, start_gateway):
    """A reply over gRPC's 4 MB receive limit is RESOURCE_EXHAUSTED at the gateway's client: a size error,
    which must not reach REST as 429 "too many requests" (nor echo megabytes back)."""
    from aimee.analytics.v1 import analytics_pb2, analytics_pb2_grpc

    class Huge(analytics_pb2_grpc.AnalyticsServiceServicer):
        async def ListAlerts(self, request, context):
            return analytics_pb2.ListAlertsResponse(next_page_token="x" * 5_000_000)

    engine = grpc.aio.server()
    analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server(Huge(), engine)
    port = engine.add_insecure_port("127.0.0.1:0")
    await engine.start()
    try:
        channel, _ = await start_gateway(gateway_settings(analytics_addr=f"127.0.0.1:{port}"))
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await gateway_pb2_grpc.AlertsApiServiceStub(channel).ListAlerts(gateway_pb2.ListAlertsRequest(), timeout=5)
    finally:
        await engine.stop(0)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "大きすぎます" in err.value.details() and len(err.value.details()) < 200


async def test_every_consultation_writes_an_audit_line_with_the_context(gateway_settings, start_gateway, caplog):
    channel, _ = await start_gateway(gateway_settings())
    ctx = gateway_pb2.RequestContext(user_id="manager007", urgency="high")
    with caplog.at_level("INFO", logger="aimee.gateway.audit"):
        await gateway_pb2_grpc.AiServiceStub(channel).Query(
            gateway_pb2.QueryRequest(query="現在のアラート件数は？", context=ctx), timeout=10)
    lines = [r.fields for r in caplog.records if r.name == "aimee.gateway.audit"]
    assert lines and lines[-1]["rpc"] == "Query"
    assert (lines[-1]["user_id"], lines[-1]["urgency"]) == ("manager007", "high")
