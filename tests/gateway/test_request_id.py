"""Every call the gateway makes to an engine carries the caller's request id (and the internal token): the
five real engines run in-process behind the token check, each with an interceptor that records what every
call that reached it carried. Covered: the fan-out (ParseIntent, analytics, solver, knowledge, Compose),
the streamed synthesis (ComposeStream), an alert flow's GetAlert, the background MarkContextUsed, and
pass-throughs."""
from __future__ import annotations

import contextlib
import dataclasses
import os

import grpc
import pytest

from aimee.gateway.v1 import gateway_pb2, gateway_pb2_grpc
from aimee.knowledge.v1 import knowledge_pb2
from services.analytics.config import Settings as AnalyticsSettings
from services.analytics.server import build as build_analytics
from services.common import request_id
from services.gateway.config import EngineBudgets
from services.intent.config import Settings as IntentSettings
from services.intent.server import build as build_intent
from services.knowledge.config import Settings as KnowledgeSettings
from services.knowledge.server import build as build_knowledge
from services.solver.config import Settings as SolverSettings
from services.solver.server import build as build_solver
from services.synthesis.config import Settings as SynthesisSettings
from services.synthesis.server import build as build_synthesis
from tests.support.in_process import serving_at


class Recorder(grpc.aio.ServerInterceptor):
    """(method, x-request-id) of every call that passed the token check."""

    def __init__(self):
        self.calls: list[tuple[str, str]] = []

    async def intercept_service(self, continuation, handler_call_details):
        if not handler_call_details.method.startswith("/grpc."):
            self.calls.append((handler_call_details.method,
                               request_id.from_metadata(handler_call_details.invocation_metadata)))
        return await continuation(handler_call_details)


@pytest.fixture(scope="module")
async def engines(database_url, redis_url, tmp_path_factory):
    """The five engines on port 0, each behind the internal token; yields (addresses, recorder)."""
    recorder = Recorder()
    prefix = f"aimee-test-rid-{os.getpid()}"
    builds = {
        "intent": build_intent(IntentSettings()),
        "synthesis": build_synthesis(SynthesisSettings()),
        "analytics": build_analytics(dataclasses.replace(
            AnalyticsSettings.from_env(), database_url=database_url, redis_url=redis_url, port=0,
            cache_prefix=prefix, alert_detection_interval_seconds=0)),
        "solver": build_solver(dataclasses.replace(
            SolverSettings.from_env(), database_url=database_url, redis_url=redis_url, port=0, cache_prefix=prefix)),
    }
    knowledge = await build_knowledge(dataclasses.replace(
        KnowledgeSettings.from_env(), database_url=database_url, redis_url=redis_url, port=0, chroma_host="",
        chroma_path=str(tmp_path_factory.mktemp("chroma-rid")), collection="kn_rid", cache_prefix=prefix,
        seed_on_start=False))  # the test adds the one document it needs (seeding all takes ~20 s)
    addresses = {}
    async with contextlib.AsyncExitStack() as stack:
        for name, pending in builds.items():
            addresses[name] = await stack.enter_async_context(serving_at(await pending, interceptors=[recorder]))
        addresses["knowledge"] = await stack.enter_async_context(serving_at(knowledge, interceptors=[recorder]))
        yield addresses, recorder


async def _ask(recorder, gateway, rid: str, call) -> list[tuple[str, str]]:
    """Run `call` with request id `rid`; returns the engine calls it caused (background ones included)."""
    start = len(recorder.calls)
    await call((("x-request-id", rid),))
    await gateway.orchestrator.drain()
    return recorder.calls[start:]


async def test_every_outgoing_engine_call_carries_the_request_id(engines, gateway_settings, start_gateway):
    addresses, recorder = engines
    settings = gateway_settings(
        **{f"{name}_addr": addr for name, addr in addresses.items()}, hybrid_timeout_seconds=30.0,
        budgets=EngineBudgets(intent=10.0, analytics=20.0, solver=25.0, knowledge=20.0, synthesis=20.0))
    channel, gateway = await start_gateway(settings)
    ai = gateway_pb2_grpc.AiServiceStub(channel)
    alerts = gateway_pb2_grpc.AlertsApiServiceStub(channel)
    knowledge = gateway_pb2_grpc.KnowledgeApiServiceStub(channel)
    seen: dict[str, list[tuple[str, str]]] = {}

    # A document whose chunks become context rows, so the answer below uses one (→ MarkContextUsed).
    document = gateway_pb2.AddKnowledgeDocumentRequest(document=knowledge_pb2.AddDocumentRequest(
        title="横浜のアラート改善手順", category="現場ノウハウ", location="横浜", source=f"test-rid-{os.getpid()}",
        text="横浜拠点のアラートを改善するには、残業時間超過のアラートから先に対応する。"
             "出荷工程の応援を午前中に手配し、新人には熟練者を付けて生産性の低下を防ぐ。"))
    added = await knowledge.AddKnowledgeDocument(document, metadata=(("x-request-id", "rid-add"),), timeout=120)
    seen["rid-add"] = recorder.calls[-1:]
    seen["rid-optimize"] = await _ask(recorder, gateway, "rid-optimize", lambda md: ai.Optimize(
        gateway_pb2.OptimizeRequest(query="横浜拠点のアラートを改善して"), metadata=md, timeout=60))
    listed = await alerts.ListAlerts(gateway_pb2.ListAlertsRequest(page_size=100), timeout=30)
    # Any type will do here; staffing_shortage evidence has its own open bug (reliability issue §2).
    alert = next(a for a in listed.alerts if a.alert_type != "staffing_shortage")
    seen["rid-alert"] = await _ask(recorder, gateway, "rid-alert", lambda md: alerts.AnalyzeAlert(
        gateway_pb2.AnalyzeAlertRequest(alert_id=alert.alert_id), metadata=md, timeout=60))
    seen["rid-search"] = await _ask(recorder, gateway, "rid-search", lambda md: knowledge.SearchKnowledge(
        gateway_pb2.SearchKnowledgeRequest(q="残業を減らすには"), metadata=md, timeout=30))

    async def streamed(md):  # the WebSocket path: the orchestrator with a sink, under the bound id
        token = request_id.bind(dict(md)["x-request-id"])
        try:
            async def sink(event):
                return None
            await gateway.orchestrator.answer("横浜拠点のアラートを改善して", sink=sink)
        finally:
            request_id.reset(token)
    seen["rid-stream"] = await _ask(recorder, gateway, "rid-stream", streamed)

    seen["rid-delete"] = await _ask(recorder, gateway, "rid-delete", lambda md: knowledge.DeleteKnowledgeDocument(
        gateway_pb2.DeleteKnowledgeDocumentRequest(doc_id=added.doc_id), metadata=md, timeout=30))

    methods = {method.rsplit("/", 1)[-1] for calls in seen.values() for method, _ in calls}
    assert {"ParseIntent", "Compose", "ComposeStream", "GetAlert", "MarkContextUsed", "Search", "AddDocument",
            "DeleteDocument"} <= methods, methods
    assert {method.split("/")[1] for calls in seen.values() for method, _ in calls} == {
        "aimee.intent.v1.IntentService", "aimee.analytics.v1.AnalyticsService", "aimee.solver.v1.SolverService",
        "aimee.knowledge.v1.KnowledgeService", "aimee.synthesis.v1.SynthesisService"}
    for rid, calls in seen.items():
        assert calls, rid
        assert [(m, r) for m, r in calls if r != rid] == [], f"{rid}: calls without the caller's request id"
