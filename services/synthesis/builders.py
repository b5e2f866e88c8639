"""Mode -> plan builder. Each builder turns engine data into a Draft; none writes prose beyond facts."""
from __future__ import annotations

from collections.abc import Callable

from services.common.errors import InvalidArgument
from services.synthesis.model import MODES, ComposeInput, Draft
from services.synthesis.plan_analyze import build_alert_analyze, build_analyze
from services.synthesis.plan_optimize import build_alert_improve, build_optimize
from services.synthesis.plan_simple import build_forecast, build_query, build_search, build_unsupported

BUILDERS: dict[str, Callable[[ComposeInput], Draft]] = {
    "optimize": build_optimize,
    "query": build_query,
    "analyze": build_analyze,
    "alert_analyze": build_alert_analyze,
    "alert_improve": build_alert_improve,
    "forecast": build_forecast,
    "search_knowledge": build_search,
    "unsupported": build_unsupported,
}

# Intent -> mode, for callers that leave ComposeRequest.mode empty.
INTENT_MODE = {
    "improve_alerts": "optimize", "optimize_assignment": "optimize", "simulate_assignment": "optimize",
    "analyze_productivity": "analyze", "analyze_attendance": "analyze", "forecast_workload": "forecast",
    "simple_query": "query", "search_knowledge": "search_knowledge", "unsupported": "unsupported",
}


def resolve_mode(mode: str, intent: str) -> str:
    """The mode to compose in: the request's, else the intent's; an unknown mode is the caller's error."""
    mode = (mode or "").strip()
    if not mode:
        return INTENT_MODE.get(intent or "", "unsupported")
    if mode not in BUILDERS:
        raise InvalidArgument(f"mode「{mode}」は指定できません。指定できる値: {', '.join(MODES)}")
    return mode


def build_draft(inp: ComposeInput) -> Draft:
    return BUILDERS[inp.mode](inp)
