"""Plain-Python shapes of what synthesis takes and gives, so the domain never touches protobuf or grpc.

The engine data stays in the proto's JSON shape (snake_case dicts, defaults included) because that is the
shape the gateway returns in `supporting_data.engine_data`: a number quoted here can be found there by the
same field name.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MODES = ("optimize", "query", "analyze", "alert_analyze", "alert_improve", "forecast", "search_knowledge",
         "unsupported")

# EngineData part -> the engine that produces it (for "which engine is missing" sentences).
PART_ENGINE = {
    "overview": "analytics", "productivity": "analytics", "attendance": "analytics", "alert": "analytics",
    "alert_stats": "analytics", "forecast": "analytics", "plan": "solver", "simulation": "solver",
    "current_plan": "solver", "knowledge": "knowledge",
}


@dataclass(frozen=True)
class Degraded:
    """An engine whose data is missing or partial (ComposeRequest.degraded)."""

    engine: str
    reason: str = ""
    elapsed_ms: float = 0.0


@dataclass
class ComposeInput:
    """One compose request: the manager's text, the parsed intent, the engines' results and what is missing."""

    query: str
    intent: dict[str, Any]
    data: dict[str, Any]
    degraded: list[Degraded] = field(default_factory=list)
    mode: str = "optimize"

    def part(self, name: str) -> dict[str, Any] | None:
        """An EngineData part, or None when the gateway did not fill it."""
        value = self.data.get(name)
        return value if isinstance(value, dict) and value else None

    def solver_plan(self) -> dict[str, Any] | None:
        """The plan to act on: the solver's plan, else a simulation's scenario."""
        return self.part("plan") or (self.part("simulation") or {}).get("scenario") or None

    def is_degraded(self, engine: str) -> bool:
        return any(d.engine == engine for d in self.degraded)

    @property
    def location(self) -> str:
        for source in (self.part("overview"), self.part("plan"), self.part("alert"), self.part("productivity"),
                       self.part("attendance"), self.part("forecast")):
            if source and source.get("location"):
                return str(source["location"])
        loc = str(self.intent.get("location") or "")
        return "" if loc in ("", "unclear") else loc


@dataclass
class Action:
    """One step of the action plan; every number in its texts comes from the engine data."""

    action: str
    method: str
    expected_effect: str
    timeline: str
    cost: str
    sources: list[str] = field(default_factory=list)


@dataclass
class ImprovementPlan:
    priority_analysis: dict[str, str] = field(default_factory=dict)
    action_plan: list[Action] = field(default_factory=list)
    quantitative_forecast: dict[str, str] = field(default_factory=dict)
    implementation_schedule: dict[str, str] = field(default_factory=dict)


@dataclass
class NextMonitoring:
    daily_check: list[str] = field(default_factory=list)
    weekly_review: list[str] = field(default_factory=list)
    success_criteria: str = ""


@dataclass
class KnowledgeRef:
    """A knowledge chunk or rag_context row the plan cites."""

    title: str
    excerpt: str
    doc_id: str = ""
    chunk_id: str = ""
    context_id: int = 0


@dataclass
class Draft:
    """What a mode's plan builder computed: the structured plan plus the findings the writers put in words.

    `headline` is the short answer; `findings` are factual Japanese sentences (numbers included);
    `notes` say what is missing. Both writers (deterministic and LLM) work from this, never from raw data.
    """

    headline: str
    findings: list[str] = field(default_factory=list)
    plan: ImprovementPlan = field(default_factory=ImprovementPlan)
    monitoring: NextMonitoring = field(default_factory=NextMonitoring)
    knowledge: list[KnowledgeRef] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    closing: str = ""
    use_llm: bool = True

    @property
    def knowledge_used(self) -> list[str]:
        return [k.chunk_id for k in self.knowledge if k.chunk_id]

    @property
    def context_used(self) -> list[int]:
        return [k.context_id for k in self.knowledge if k.context_id]


@dataclass
class Grounding:
    numbers_checked: int = 0
    unsupported_numbers: list[str] = field(default_factory=list)
    fallback_used: bool = False
    rejected_narrative: str = ""


@dataclass
class Composition:
    """The answer: ComposeResponse in domain form."""

    plan: ImprovementPlan
    monitoring: NextMonitoring
    narrative: str
    answer: str
    model_chain: list[str]
    grounding: Grounding
    knowledge_used: list[str]
    context_used: list[int]


# Stream events (ComposeStreamResponse in domain form).
@dataclass(frozen=True)
class Chunk:
    text: str


@dataclass(frozen=True)
class Reset:
    reason: str
    unsupported_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Final:
    composition: Composition
