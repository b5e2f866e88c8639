"""The intent engine's domain types and closed vocabularies (no grpc here: the servicer maps these to protos).

The vocabularies are closed on purpose: every downstream engine switches on them, so a value outside them
(from the rules or from an LLM) must never leave this service.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from services.intent.question.model import Question

INTENTS: tuple[str, ...] = (
    "improve_alerts", "optimize_assignment", "simulate_assignment", "analyze_productivity",
    "analyze_attendance", "forecast_workload", "simple_query", "search_knowledge", "unsupported",
)
SITE_NAMES: tuple[str, ...] = ("横浜", "品川", "札幌", "大阪", "佐世保")
UNCLEAR = "unclear"
LOCATIONS: tuple[str, ...] = (*SITE_NAMES, UNCLEAR)

# Intents answered from one lookup or one retrieval (the light path); the rest need several engines.
SIMPLE_INTENTS = frozenset({"simple_query", "search_knowledge", "unsupported"})

# Intents that act on a specific day: a bare weekday (月曜日) means its next occurrence for them, while for
# analyses it names a recurring pattern (月曜日に欠勤が多い) and no single date.
SCHEDULING_INTENTS = frozenset({"optimize_assignment", "simulate_assignment", "forecast_workload", "simple_query"})


def complexity_of(intent: str) -> str:
    return "simple" if intent in SIMPLE_INTENTS else "complex"


@dataclass(frozen=True)
class RosterWish:
    """A day off one person is said to wish in a roster what-if; mirrors aimee.intent.v1.RosterWish."""

    employee_name: str           # as written, without the honorific
    date: str                    # YYYY-MM-DD
    day_phrase: str = ""


@dataclass(frozen=True)
class Intent:
    """One typed reading of a request; mirrors aimee.intent.v1.Intent field for field."""

    intent: str
    location: str = UNCLEAR
    date: str = ""
    complexity: str = "simple"
    confidence: float = 0.0
    data_required: str = ""
    date_phrase: str = ""
    process: str = ""
    from_context: bool = False
    date_from: str = ""
    date_to: str = ""
    weekday: str = ""
    locations: tuple[str, ...] = field(default_factory=tuple)
    demand_change_pct: float = 0.0
    cutoff_time: str = ""
    overtime_limit_hours: float = 0.0
    question: Question | None = None             # the typed question, when the request is one
    absent_employee_names: tuple[str, ...] = field(default_factory=tuple)  # what-if: who is absent
    absent_employee_ids: tuple[int, ...] = field(default_factory=tuple)    # resolved by the gateway
    roster_wish: RosterWish | None = None        # roster what-if: a day off wished (period: date_from..date_to)


@dataclass(frozen=True)
class ParseOutcome:
    """The intent plus which parser produced it and, when the LLM was tried and lost, why."""

    intent: Intent
    parser: str                 # "deterministic" or "llm:<model>"
    fallback_reason: str = ""
    elapsed_ms: float = 0.0
