"""Shared test helpers: run the domain on a ComposeRequest, and trace every number to the engine data."""
from __future__ import annotations

from services.synthesis import grounding
from services.synthesis.composer import Composer, Prepared, draft_texts, schedule_constants
from services.synthesis.model import ComposeInput, Composition
from services.synthesis.servicer import to_input


def prepared(request) -> Prepared:
    return Prepared(to_input(request))


async def compose(request, llm=None, **kw) -> Composition:
    return await Composer(llm, **kw).compose(to_input(request))


def raw_index(inp: ComposeInput, draft) -> grounding.SupportIndex:
    """The engine data + facts + request + the plan's schedule constants — NOT the draft's own texts, so a
    number the builder made up (instead of taking from the data) shows as unsupported."""
    return grounding.SupportIndex.build(inp.data, inp.query, schedule_constants(draft))


def untraceable(request) -> dict[str, list[str]]:
    """Every text of the answer whose numbers are not all traceable to the engine data."""
    p = prepared(request)
    index = raw_index(p.inp, p.draft)
    out: dict[str, list[str]] = {}
    for text in [*draft_texts(p.draft), p.deterministic, *p.notes]:
        result = grounding.check(text, index)
        if not result.ok:
            out[text[:60]] = result.unsupported
    return out


def all_text(c: Composition) -> str:
    plan = c.plan
    parts = [c.narrative, c.answer, *plan.priority_analysis.values(), *plan.quantitative_forecast.values(),
             *plan.implementation_schedule.values(), *c.monitoring.daily_check, *c.monitoring.weekly_review,
             c.monitoring.success_criteria]
    for a in plan.action_plan:
        parts += [a.action, a.method, a.expected_effect, a.timeline, a.cost]
    return "\n".join(parts)
