"""Which engines each intent needs, and the synthesis mode that writes its answer.

Kept as data so the orchestrator stays one generic fan-out and a new intent is one line here.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flow:
    mode: str                     # synthesis mode
    overview: bool = False        # analytics.GetSiteOverview
    plan: bool = False            # solver.Recommend
    simulation: bool = False      # solver.Simulate with the what-if said in the request
    knowledge: bool = False       # knowledge.Search
    productivity: bool = False    # analytics.GetProductivityTrend
    attendance: bool = False      # analytics.GetAttendancePattern
    forecast: bool = False        # analytics.ForecastWorkload
    alert_stats: bool = False     # analytics.GetAlertStats
    needs_site: bool = False      # a single site is required (default site used when unclear)


FLOWS: dict[str, Flow] = {
    "improve_alerts": Flow("optimize", overview=True, plan=True, knowledge=True, needs_site=True),
    "optimize_assignment": Flow("optimize", overview=True, plan=True, knowledge=True, needs_site=True),
    "simulate_assignment": Flow("optimize", overview=True, simulation=True, knowledge=True, needs_site=True),
    "analyze_productivity": Flow("analyze", overview=True, productivity=True, knowledge=True, needs_site=True),
    "analyze_attendance": Flow("analyze", overview=True, attendance=True, knowledge=True, needs_site=True),
    "forecast_workload": Flow("forecast", overview=True, forecast=True, needs_site=True),
    "simple_query": Flow("query", overview=True, alert_stats=True),
    "search_knowledge": Flow("search_knowledge", knowledge=True),
    "unsupported": Flow("unsupported"),
}

ALERT_FLOWS: dict[str, Flow] = {
    "alert_analyze": Flow("alert_analyze", overview=True, knowledge=True, attendance=True, needs_site=True),
    "alert_improve": Flow("alert_improve", overview=True, plan=True, knowledge=True, needs_site=True),
}


def flow_for(intent: str) -> Flow:
    return FLOWS.get(intent, FLOWS["unsupported"])
