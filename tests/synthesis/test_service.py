"""The gRPC contract: an in-process server (server.build) on port 0, called over a real grpc.aio channel."""
from __future__ import annotations

import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from aimee.synthesis.v1 import synthesis_pb2, synthesis_pb2_grpc
from services.synthesis.config import Settings
from services.synthesis.server import SERVICE_NAME, build
from tests.support.fake_ollama import FakeModelServer
from tests.support.in_process import serving
from tests.synthesis import fixtures as f


@pytest.fixture
async def stub():
    async with serving(await build(Settings())) as channel:
        yield synthesis_pb2_grpc.SynthesisServiceStub(channel), channel


async def test_compose_over_grpc_returns_the_full_plan(stub):
    client, channel = stub
    r = await client.Compose(f.request("optimize", parts=f.FULL), metadata=(("x-request-id", "syn-1"),))
    assert r.answer == "横浜拠点の最優先課題は残業時間超過アラート（3件）です。"
    assert list(r.model_chain) == ["deterministic-writer"]
    assert r.improvement_plan.priority_analysis["1"].startswith("残業時間超過アラート（3件）")
    apply = next(a for a in r.improvement_plan.action_plan if a.action == "最適化配置案の適用")
    assert list(apply.sources) == ["solver"] and "84.4% → 配置案93.5%" in apply.expected_effect
    assert r.improvement_plan.quantitative_forecast["充足率"] == "現在の配置 84.4% → 配置案 93.5%（+9.1ポイント）"
    assert "Day1" in r.improvement_plan.implementation_schedule
    assert "月曜の欠勤率を他の曜日平均6.8%に近づける" in r.next_monitoring.success_criteria
    assert sorted(r.knowledge_used) == ["doc-ot-02:1", "doc-rules-01:0"] and list(r.context_used) == [7]
    assert r.grounding.numbers_checked > 40 and list(r.grounding.unsupported_numbers) == []
    assert not r.grounding.fallback_used
    health = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME))
    assert health.status == health_pb2.HealthCheckResponse.SERVING


async def test_compose_alert_flow_with_struct_evidence(stub):
    client, _ = stub
    r = await client.Compose(f.request("alert_analyze", parts=("alert", "overview", "attendance", "knowledge"),
                                       query="アラート#42の原因分析"))
    assert "検知時の数値: 欠勤率 18.5%" in r.narrative
    assert r.improvement_plan.action_plan[0].action == "アラート根拠の確認"


async def test_compose_stream_over_grpc(stub):
    client, _ = stub
    call = client.ComposeStream(synthesis_pb2.ComposeStreamRequest(
        request=f.request("optimize", parts=("overview", "knowledge"), degraded=(("solver", "timeout"),))))
    chunks, final = [], None
    async for event in call:
        kind = event.WhichOneof("event")
        if kind == "narrative_chunk":
            chunks.append(event.narrative_chunk)
        elif kind == "final":
            final = event.final
        else:
            pytest.fail(f"unexpected event {kind}")
    assert final is not None and len(chunks) > 5
    assert "".join(chunks) == final.narrative
    assert "最適化エンジンが応答しなかったため、配置案は含まれていません。" in final.narrative


async def test_empty_mode_follows_the_intent(stub):
    client, _ = stub
    r = await client.Compose(f.request("", parts=("overview",), query="現在のアラート件数は？", intent_name="simple_query"))
    assert r.answer.startswith("現在、未解決のアラートは横浜で8件です")


async def test_unknown_mode_is_invalid_argument(stub):
    client, _ = stub
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await client.Compose(f.request("dance", parts=()))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "optimize" in err.value.details()
    with pytest.raises(grpc.aio.AioRpcError) as err:
        async for _ in client.ComposeStream(synthesis_pb2.ComposeStreamRequest(request=f.request("dance", parts=()))):
            pass
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_llm_from_settings_over_grpc_with_reset_event():
    async with FakeModelServer(model="gemma3:4b-instruct", chunk_size=4) as fake:
        fake.reply = "残業時間超過アラートは3件です。配置を変えれば生産性が37%向上します。"
        settings = Settings(main_host="127.0.0.1", main_port=fake.port, llm_timeout_seconds=5)
        async with serving(await build(settings)) as channel:
            client = synthesis_pb2_grpc.SynthesisServiceStub(channel)
            kinds, reset, final = [], None, None
            async for event in client.ComposeStream(synthesis_pb2.ComposeStreamRequest(
                    request=f.request("optimize", parts=f.FULL))):
                kinds.append(event.WhichOneof("event"))
                if kinds[-1] == "narrative_reset":
                    reset = event.narrative_reset
                elif kinds[-1] == "final":
                    final = event.final
            assert kinds.count("narrative_reset") == 1 and kinds[-1] == "final"
            assert reset.reason == "ungrounded" and list(reset.unsupported_numbers) == ["37%"]
            assert list(final.model_chain) == ["ollama:gemma3:4b-instruct (rejected: ungrounded)", "deterministic-writer"]
            assert final.grounding.fallback_used and "37%" in final.grounding.rejected_narrative


def test_settings_from_env(monkeypatch):
    monkeypatch.setenv("OLLAMA_MAIN_HOST", "ollama-main")
    monkeypatch.setenv("MAIN_MODEL", "gemma3:4b-instruct")
    monkeypatch.setenv("SYNTHESIS_LLM_TIMEOUT_SECONDS", "7.5")
    monkeypatch.setenv("STREAMING_RESPONSE", "false")
    monkeypatch.setenv("SYNTHESIS_PORT", "50155")
    s = Settings.from_env()
    assert (s.main_host, s.main_model, s.llm_timeout_seconds, s.streaming, s.port) == (
        "ollama-main", "gemma3:4b-instruct", 7.5, False, 50155)
    assert s.llm_enabled
    monkeypatch.setenv("LLM_PROVIDER", "none")
    assert not Settings.from_env().llm_enabled
    monkeypatch.delenv("OLLAMA_MAIN_HOST")
    monkeypatch.setenv("LLM_PROVIDER", "ollama")
    assert not Settings.from_env().llm_enabled


async def test_the_model_gets_only_the_callers_remaining_time():
    """A slow model never makes Compose miss the caller's deadline: the budget shrinks to the time left."""
    async with FakeModelServer(model="gemma3:4b-instruct", delay=5.0) as fake:
        settings = Settings(main_host="127.0.0.1", main_port=fake.port, llm_timeout_seconds=20)
        async with serving(await build(settings)) as channel:
            client = synthesis_pb2_grpc.SynthesisServiceStub(channel)
            started = time.perf_counter()
            r = await client.Compose(f.request("optimize", parts=f.FULL), timeout=1.5)
            assert time.perf_counter() - started < 1.5
            assert list(r.model_chain) == ["ollama:gemma3:4b-instruct (failed: timeout)", "deterministic-writer"]
            assert r.answer == "横浜拠点の最優先課題は残業時間超過アラート（3件）です。"
            fake.reset(delay=5.0)
            r = await client.Compose(f.request("optimize", parts=f.FULL), timeout=0.4)  # no time for a model
            assert list(r.model_chain) == ["deterministic-writer"] and fake.received == []
