"""The gRPC contract: an in-process server (built by server.build) on port 0, called over a real channel."""
from __future__ import annotations

import dataclasses

import grpc
import pytest
from aimee.intent.v1 import intent_pb2, intent_pb2_grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.intent.config import Settings
from services.intent.model import Intent
from services.intent.server import SERVICE_NAME, build
from services.intent.wire import from_proto, to_proto
from tests.support.in_process import serving


@pytest.fixture
async def stub():
    async with serving(await build(Settings())) as channel:
        yield intent_pb2_grpc.IntentServiceStub(channel), channel


async def test_parse_intent_over_grpc(stub):
    client, channel = stub
    response = await client.ParseIntent(intent_pb2.ParseIntentRequest(
        query="来週月曜の札幌の最適なシフトを組んで", reference_date="2026-11-25"), metadata=(("x-request-id", "t-1"),))
    assert (response.intent.intent, response.intent.location, response.intent.date) == (
        "optimize_assignment", "札幌", "2026-11-30")
    assert (response.intent.date_phrase, response.intent.complexity, list(response.intent.locations)) == (
        "来週月曜", "complex", ["札幌"])
    assert response.parser == "deterministic" and response.fallback_reason == "" and response.intent.confidence >= 0.7
    health = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME))
    assert health.status == health_pb2.HealthCheckResponse.SERVING


async def test_follow_up_over_grpc(stub):
    client, _ = stub
    first = await client.ParseIntent(intent_pb2.ParseIntentRequest(
        query="横浜の明日の最適配置を提案して", reference_date="2026-11-25"))
    second = await client.ParseIntent(intent_pb2.ParseIntentRequest(
        query="札幌は？", reference_date="2026-11-25", previous=first.intent))
    assert (second.intent.intent, second.intent.location, second.intent.date, second.intent.from_context) == (
        "optimize_assignment", "札幌", "2026-11-26", True)


@pytest.mark.parametrize("request_, code, text", [
    (intent_pb2.ParseIntentRequest(query=""), grpc.StatusCode.INVALID_ARGUMENT, "query"),
    (intent_pb2.ParseIntentRequest(query="横浜の配置", reference_date="11/25"), grpc.StatusCode.INVALID_ARGUMENT,
     "reference_date"),
])
async def test_invalid_requests_are_invalid_argument(stub, request_, code, text):
    client, _ = stub
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await client.ParseIntent(request_)
    assert error.value.code() == code and text in error.value.details()


async def test_llm_path_over_grpc(fake_llm):
    fake_llm.reset(reply={"intent": "analyze_attendance", "location": "横浜"})
    settings = Settings(light_host="127.0.0.1", light_port=fake_llm.port, intent_model="qwen-test",
                        llm_timeout_seconds=1.0)
    async with serving(await build(settings)) as channel:
        response = await intent_pb2_grpc.IntentServiceStub(channel).ParseIntent(
            intent_pb2.ParseIntentRequest(query="横浜の新人について", reference_date="2026-11-25"))
        assert (response.parser, response.intent.intent, response.intent.location) == (
            "llm:ollama:qwen-test", "analyze_attendance", "横浜")
        fake_llm.reset(status=500)
        response = await intent_pb2_grpc.IntentServiceStub(channel).ParseIntent(
            intent_pb2.ParseIntentRequest(query="横浜の新人について", reference_date="2026-11-25"))
        assert response.parser == "deterministic" and response.fallback_reason.startswith("unavailable:")


def test_proto_round_trip_keeps_every_field():
    intent = Intent(intent="forecast_workload", location="札幌", date="", complexity="complex", confidence=0.95,
                    data_required="", date_phrase="来週", process="入荷", from_context=True,
                    date_from="2026-11-30", date_to="2026-12-06", weekday="", locations=("札幌", "横浜"))
    assert from_proto(to_proto(intent)) == intent
    assert {f.name for f in dataclasses.fields(Intent)} == set(intent_pb2.Intent.DESCRIPTOR.fields_by_name)
