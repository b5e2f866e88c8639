"""The gateway's public gRPC services (Envoy transcodes them to REST). Transport only: the flows live in
orchestrator.py, chat memory in chat.py, health probes in health.py.

Pass-through RPCs forward to one engine (engines.Passthrough: the timeout policy); a failure comes back as the
domain error the client layer (engine_client.translate) gives (NOT_FOUND stays 404, a stopped engine 503 ...).
Input is checked before any servicer runs (intake.py, validation.py); what a write makes stale is
invalidation.py's.
"""
from __future__ import annotations

import time

from aimee.analytics.v1 import analytics_pb2
from aimee.gateway.v1 import gateway_pb2, gateway_pb2_grpc
from aimee.knowledge.v1 import knowledge_pb2
from aimee.solver.v1 import solver_pb2
from services.common.cache import Cache
from services.common.dates import parse_range
from services.common.errors import InvalidArgument
from services.common.sites import SiteDirectory
from services.gateway import invalidation, validation
from services.gateway.benchmark import run_benchmark
from services.gateway.chat import ChatStore
from services.gateway.consult import Consultations
from services.gateway.engines import Engines, Passthrough
from services.gateway.health import HealthProbe
from services.gateway.orchestrator import Orchestrator, Pinned

ADD_DOCUMENT_SECONDS = 590.0  # embedding a long document takes minutes; Envoy's route allows 600 s


async def known_site(sites: SiteDirectory, location: str, *, required: bool) -> str:
    """The named site's name ("" when none is named and none is required): 400 when a required site is
    missing, 404 listing the valid sites when unknown (503 naming the database when it cannot be read:
    services.common.db maps a lost connection)."""
    if (location or "").strip():
        return (await sites.get(location)).name
    if not required:
        return ""
    names = "、".join(s.name for s in await sites.all())
    raise InvalidArgument(f"location（拠点）は必須です。指定できる拠点: {names}")


class AiServicer(gateway_pb2_grpc.AiServiceServicer):
    def __init__(self, orchestrator: Orchestrator, chat: ChatStore, sites: SiteDirectory):
        self.orchestrator, self.sites = orchestrator, sites
        self.consult = Consultations(chat)

    async def _answer(self, rpc: str, query: str, ctx, pinned: Pinned | None = None):
        return await self.consult.run(
            rpc, query, ctx, lambda previous: self.orchestrator.answer(query, previous=previous, pinned=pinned))

    async def Optimize(self, request, context):
        return await self._answer("Optimize", validation.query_text(request.query), request.context)

    async def Query(self, request, context):
        return await self._answer("Query", validation.query_text(request.query), request.context)

    async def Analyze(self, request, context):
        site = await known_site(self.sites, request.location, required=False)
        query = validation.query_text(request.query or (f"{site}の生産性を分析して" if site else ""))
        period = ("", "")
        if request.date_from or request.date_to:
            start, end = parse_range(request.date_from, request.date_to)
            period = (start.isoformat(), end.isoformat())
        return await self._answer("Analyze", query, request.context, Pinned(location=site, period=period))

    async def RunBenchmark(self, request, context):
        return await run_benchmark(self.orchestrator, request.test_type or "full_performance",
                                   request.iterations or 10, bypass_cache=request.bypass_cache)


class KnowledgeApiServicer(gateway_pb2_grpc.KnowledgeApiServiceServicer):
    def __init__(self, engines: Engines, passthrough: Passthrough, cache: Cache | None):
        self.engines, self.call, self.cache = engines, passthrough, cache
        self.budget = passthrough.settings.budgets.knowledge

    async def _invalidate(self):
        await invalidation.knowledge_changed(self.cache)

    async def AddKnowledgeDocument(self, request, context):
        result = await self.call(context, "knowledge", self.engines.knowledge.AddDocument, request.document,
                                 ADD_DOCUMENT_SECONDS)
        await self._invalidate()
        return result

    async def SearchKnowledge(self, request, context):
        req = knowledge_pb2.SearchRequest(q=request.q, location=request.location, category=request.category,
                                          top_k=request.top_k)
        result = await self.call(context, "knowledge", self.engines.knowledge.Search, req, self.budget)
        return result

    async def DeleteKnowledgeDocument(self, request, context):
        req = knowledge_pb2.DeleteDocumentRequest(doc_id=request.doc_id)
        result = await self.call(context, "knowledge", self.engines.knowledge.DeleteDocument, req, self.budget)
        await self._invalidate()
        return result

    async def AddKnowledgeContext(self, request, context):
        result = await self.call(context, "knowledge", self.engines.knowledge.AddContext, request.context,
                                 self.budget)
        await self._invalidate()
        return result


class AnalyticsApiServicer(gateway_pb2_grpc.AnalyticsApiServiceServicer):
    def __init__(self, engines: Engines, passthrough: Passthrough):
        self.engines, self.call = engines, passthrough
        self.budget = passthrough.settings.budgets.analytics

    async def GetProductivity(self, request, context):
        req = analytics_pb2.GetProductivityTrendRequest(
            location=request.location, date_from=request.date_from, date_to=request.date_to,
            granularity=request.granularity, process=request.process, employee_id=request.employee_id,
            group_by=request.group_by)
        result = await self.call(context, "analytics", self.engines.analytics.GetProductivityTrend, req, self.budget)
        return result

    async def GetAttendance(self, request, context):
        req = analytics_pb2.GetAttendancePatternRequest(location=request.location, date_from=request.date_from,
                                                        date_to=request.date_to)
        result = await self.call(context, "analytics", self.engines.analytics.GetAttendancePattern, req, self.budget)
        return result

    async def GetAlertStatistics(self, request, context):
        req = analytics_pb2.GetAlertStatsRequest(location=request.location, date_from=request.date_from,
                                                 date_to=request.date_to, period=request.period)
        result = await self.call(context, "analytics", self.engines.analytics.GetAlertStats, req, self.budget)
        return result

    async def ForecastWorkload(self, request, context):
        result = await self.call(context, "analytics", self.engines.analytics.ForecastWorkload, request.forecast,
                                 self.budget)
        return result


class AlertsApiServicer(gateway_pb2_grpc.AlertsApiServiceServicer):
    def __init__(self, engines: Engines, passthrough: Passthrough, orchestrator: Orchestrator, chat: ChatStore):
        self.engines, self.call, self.orchestrator = engines, passthrough, orchestrator
        self.budget = passthrough.settings.budgets.analytics
        self.consult = Consultations(chat)

    async def ListAlerts(self, request, context):
        req = analytics_pb2.ListAlertsRequest(
            location=request.location, alert_type=request.alert_type, severity=request.severity,
            status=request.status, date_from=request.date_from, date_to=request.date_to,
            page_size=request.page_size, page_token=request.page_token)
        result = await self.call(context, "analytics", self.engines.analytics.ListAlerts, req, self.budget)
        return result

    async def GetAlert(self, request, context):
        req = analytics_pb2.GetAlertRequest(alert_id=request.alert_id)
        result = await self.call(context, "analytics", self.engines.analytics.GetAlert, req, self.budget)
        return result

    async def _alert_answer(self, context, request, rpc: str, mode: str):
        alert_id = request.alert_id
        if alert_id <= 0:
            raise InvalidArgument("alert_id は正の整数で指定してください")
        verb = "原因分析" if mode == "alert_analyze" else "改善提案"
        return await self.consult.run(rpc, f"アラート#{alert_id}の{verb}", request.context,
                                      lambda previous: self.orchestrator.alert_flow(alert_id, mode))

    async def AnalyzeAlert(self, request, context):
        return await self._alert_answer(context, request, "AnalyzeAlert", "alert_analyze")

    async def ImproveAlert(self, request, context):
        return await self._alert_answer(context, request, "ImproveAlert", "alert_improve")

    async def DetectAlerts(self, request, context):
        req = analytics_pb2.DetectAlertsRequest(location=request.location, date=request.date,
                                                date_from=request.date_from)
        result = await self.call(context, "analytics", self.engines.analytics.DetectAlerts, req, 30.0)
        return result


class AssignmentsApiServicer(gateway_pb2_grpc.AssignmentsApiServiceServicer):
    def __init__(self, engines: Engines, passthrough: Passthrough, cache: Cache | None, sites: SiteDirectory):
        self.engines, self.call, self.cache, self.sites = engines, passthrough, cache, sites
        self.budget = passthrough.settings.budgets.solver

    async def GetCurrentAssignments(self, request, context):
        req = solver_pb2.GetCurrentAssignmentsRequest(location=request.location, date=request.date)
        result = await self.call(context, "solver", self.engines.solver.GetCurrentAssignments, req, self.budget)
        return result

    async def RecommendAssignments(self, request, context):
        await known_site(self.sites, request.recommend.location, required=True)
        result = await self.call(context, "solver", self.engines.solver.Recommend, request.recommend,
                                 max(self.budget, 30.0))
        return result

    async def UpdateAssignment(self, request, context):
        req = solver_pb2.UpdateAssignmentRequest(
            assignment_id=request.assignment_id, expected_version=request.expected_version, process=request.process,
            time_block=request.time_block, planned_hours=request.planned_hours, status=request.status,
            reason=request.reason, adjusted_by=request.adjusted_by, ai_confidence_score=request.ai_confidence_score)
        result = await self.call(context, "solver", self.engines.solver.UpdateAssignment, req, self.budget)
        await invalidation.assignment_changed(self.cache, result.assignment.location)
        return result

    async def GetAssignmentHistory(self, request, context):
        req = solver_pb2.GetAssignmentHistoryRequest(assignment_id=request.assignment_id)
        return await self.call(context, "solver", self.engines.solver.GetAssignmentHistory, req, self.budget)

    async def SimulateAssignments(self, request, context):
        await known_site(self.sites, request.simulation.location, required=True)
        result = await self.call(context, "solver", self.engines.solver.Simulate, request.simulation,
                                 max(self.budget, 30.0))
        return result


class ChatApiServicer(gateway_pb2_grpc.ChatApiServiceServicer):
    def __init__(self, orchestrator: Orchestrator, chat: ChatStore):
        self.orchestrator, self.chat = orchestrator, chat

    async def PostChatMessage(self, request, context):
        text = validation.required_text(request.message, "message", "メッセージ")
        return await self.chat.converse(lambda previous: self.orchestrator.answer(text, previous=previous),
                                        request.session_id, request.user_id, text)

    async def GetChatHistory(self, request, context):
        return await self.chat.history(request.session_id, request.limit or 50)


class MeshStatusServicer(gateway_pb2_grpc.MeshStatusServiceServicer):
    def __init__(self, probe: HealthProbe):
        self.probe = probe

    async def GetHealth(self, request, context):
        started = time.perf_counter()
        response = await self.probe.check()
        response.components.append(gateway_pb2.ComponentHealth(
            name="gateway", status="ok", latency_ms=round((time.perf_counter() - started) * 1000, 1)))
        return response
