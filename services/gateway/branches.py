"""The engine calls a flow fans out to, as data: which engine, which RPC, the cache namespace and key, and
where the result lands in `EngineData`. The orchestrator runs whatever this returns, all in parallel.

Cache namespaces are shared with the writers, so they come from services.common.cache_names (which says who
bumps each).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from aimee.analytics.v1 import analytics_pb2
from aimee.intent.v1 import intent_pb2
from aimee.knowledge.v1 import knowledge_pb2
from aimee.solver.v1 import solver_pb2
from services.common import cache_names
from services.gateway.flows import Flow


@dataclass(frozen=True)
class Branch:
    part: str              # EngineData field the result fills
    engine: str            # engine name (budget, stub, degraded label)
    rpc: str               # method on the engine's stub
    request: Any           # request message
    response_cls: Any      # response message class (to parse cached bytes)
    namespace: str         # cache namespace
    key: tuple             # cache key parts (everything the result depends on)
    field: str = ""        # response field copied into EngineData ("" = the whole response)


def plan_branches(flow: Flow, location: str, plan_date: str, query: str,
                  intent: intent_pb2.Intent | None = None, period: tuple[str, str] = ("", "")) -> list[Branch]:
    """`period` (date_from, date_to) is the caller's analysis window; ("", "") = the engines' default."""
    today = dt.date.today().isoformat()
    date_from, date_to = period
    site_ns = cache_names.analytics(location)
    branches: list[Branch] = []
    if flow.overview:
        branches.append(Branch("overview", "analytics", "GetSiteOverview",
                               analytics_pb2.GetSiteOverviewRequest(location=location),
                               analytics_pb2.GetSiteOverviewResponse, site_ns, ("overview", location, today),
                               field="overview"))
    if flow.alert_stats:
        branches.append(Branch("alert_stats", "analytics", "GetAlertStats",
                               analytics_pb2.GetAlertStatsRequest(location=location),
                               analytics_pb2.GetAlertStatsResponse, site_ns, ("alert_stats", location, today)))
    if flow.productivity:
        branches.append(Branch("productivity", "analytics", "GetProductivityTrend",
                               analytics_pb2.GetProductivityTrendRequest(location=location, granularity="day",
                                                                         date_from=date_from, date_to=date_to),
                               analytics_pb2.GetProductivityTrendResponse, site_ns,
                               ("productivity", location, today, *period)))
    if flow.attendance:
        branches.append(Branch("attendance", "analytics", "GetAttendancePattern",
                               analytics_pb2.GetAttendancePatternRequest(location=location, date_from=date_from,
                                                                         date_to=date_to),
                               analytics_pb2.GetAttendancePatternResponse, site_ns,
                               ("attendance", location, today, *period)))
    if flow.forecast:
        branches.append(Branch("forecast", "analytics", "ForecastWorkload",
                               analytics_pb2.ForecastWorkloadRequest(location=location, days=7),
                               analytics_pb2.ForecastWorkloadResponse, site_ns, ("forecast", location, today)))
    if flow.plan:
        branches.append(Branch("plan", "solver", "Recommend",
                               solver_pb2.RecommendRequest(location=location, date=plan_date),
                               solver_pb2.RecommendResponse, cache_names.solver(location),
                               ("recommend", location, plan_date, today), field="plan"))
    if flow.simulation:
        what_if = solver_pb2.SimulateRequest(
            location=location, date=plan_date, demand_change_pct=intent.demand_change_pct if intent else 0.0,
            cutoff_time=intent.cutoff_time if intent else "",
            overtime_limit_hours=intent.overtime_limit_hours if intent else 0.0,
            absent_employee_ids=list(intent.absent_employee_ids) if intent else [])
        branches.append(Branch("simulation", "solver", "Simulate", what_if, solver_pb2.SimulateResponse,
                               cache_names.solver(location), ("simulate", what_if.SerializeToString(), today)))
    if flow.knowledge:
        branches.append(Branch("knowledge", "knowledge", "Search",
                               knowledge_pb2.SearchRequest(q=query, location=location, include_context=True),
                               knowledge_pb2.SearchResponse, cache_names.KNOWLEDGE, ("search", query, location)))
    return branches
