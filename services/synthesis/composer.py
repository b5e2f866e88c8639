"""Synthesis as a domain service: engine data in, structured plan + grounded Japanese narrative out.

Order of work, for both Compose and ComposeStream:
  1. the mode's builder computes the Draft (plan, findings) from the engine data — deterministic, ms;
  2. the deterministic writer renders it (always; it is the fallback and the no-model answer);
  3. with a main model configured, the model words the same Draft; its text is used only if every number in
     it is supported by the data (grounding), otherwise the deterministic narrative is, and model_chain says
     both what ran and what was rejected.
The `answer` (headline) is always the deterministic sentence: the one line a manager acts on is never
left to a model.
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from services.synthesis import grounding, notes, prompts, writer
from services.synthesis.builders import build_draft
from services.synthesis.model import Chunk, ComposeInput, Composition, Draft, Final, Grounding, Reset
from services.synthesis.narrator import Narrator, Outcome

log = logging.getLogger("aimee.synthesis")


class Prepared:
    """One request worked out up to the model: draft, notes, deterministic narrative, support index."""

    def __init__(self, inp: ComposeInput):
        self.inp = inp
        self.draft: Draft = build_draft(inp)
        self.notes = notes.missing_notes(inp)
        self.deterministic = writer.render(self.draft, inp.mode, self.notes)
        self.index = support_index(inp, self.draft)
        self.det_check = grounding.check(self.deterministic, self.index)
        if not self.det_check.ok:
            log.warning("deterministic narrative has unsupported numbers",
                        extra={"fields": {"mode": inp.mode, "numbers": self.det_check.unsupported}})

    def composition(self, narrative: str, chain: list[str], ground: Grounding) -> Composition:
        d = self.draft
        return Composition(plan=d.plan, monitoring=d.monitoring, narrative=narrative, answer=d.headline,
                           model_chain=chain, grounding=ground, knowledge_used=d.knowledge_used,
                           context_used=d.context_used)

    def deterministic_result(self, chain_prefix: list[str], outcome: Outcome | None = None) -> Composition:
        if outcome is None:
            ground = Grounding(self.det_check.numbers_checked, list(self.det_check.unsupported), False)
        else:
            ground = Grounding(outcome.numbers_checked, list(outcome.unsupported), True, outcome.text)
        return self.composition(self.deterministic, [*chain_prefix, writer.NAME], ground)


def schedule_constants(draft: Draft) -> list[str]:
    """Planning constants of the plan (Day7, 3日以内): the plan's own timing, not a claim about the data."""
    plan = draft.plan
    return [*plan.implementation_schedule.keys(), *(a.timeline for a in plan.action_plan)]


def draft_texts(draft: Draft) -> list[str]:
    """Every text of the draft that states numbers (what the model is shown, what tests trace)."""
    plan, m = draft.plan, draft.monitoring
    texts = [draft.headline, *draft.findings, *plan.priority_analysis.values(), *plan.quantitative_forecast.values(),
             *plan.implementation_schedule.values(), *m.daily_check, *m.weekly_review, m.success_criteria]
    for a in plan.action_plan:
        texts += [a.action, a.method, a.expected_effect, a.cost]
    texts += [f"{k.title} {k.excerpt}" for k in draft.knowledge]
    return texts


def support_index(inp: ComposeInput, draft: Draft) -> grounding.SupportIndex:
    """What a narrative may state: the engine data, numbers derived from it, the request, the plan."""
    index = grounding.SupportIndex.build(inp.data, inp.query, schedule_constants(draft))
    for text in draft_texts(draft):
        index.add_text(text)
    return index


# Kept back from the caller's deadline for rendering and transport; below MIN_LLM_SECONDS the model is not
# asked at all (it could not finish), so the caller always gets an answer before its deadline.
RESERVE_SECONDS = 0.25
MIN_LLM_SECONDS = 0.5


def llm_budget(configured: float, time_left: float | None) -> float:
    """The model's time for this request: the configured budget, shrunk to the caller's remaining time."""
    if time_left is None:
        return configured
    return min(configured, time_left - max(RESERVE_SECONDS, 0.1 * time_left))


def _chain_entry(name: str, outcome: Outcome) -> str:
    kind = "rejected" if outcome.rejected else "failed"
    return f"{name} ({kind}: {outcome.reason})"


class Composer:
    """Compose / stream answers; `llm` is an LlmClient (services.common.llm) or None for rules only."""

    def __init__(self, llm=None, *, llm_timeout: float = 20.0, streaming: bool = True):
        self.llm = llm
        self.llm_timeout = llm_timeout
        self.streaming = streaming

    def _narrator(self, p: Prepared, time_left: float | None) -> Narrator | None:
        """The model for this request, or None: not configured, not wanted (unsupported), or no time left."""
        if self.llm is None or not p.draft.use_llm:
            return None
        budget = llm_budget(self.llm_timeout, time_left)
        if budget <= 0 or (budget < self.llm_timeout and budget < MIN_LLM_SECONDS):
            log.info("llm skipped: caller's deadline too close", extra={"fields": {"time_left": time_left}})
            return None
        return Narrator(self.llm, budget)

    async def compose(self, inp: ComposeInput, time_left: float | None = None) -> Composition:
        """The answer; `time_left` is the caller's remaining deadline in seconds (None = no deadline)."""
        p = Prepared(inp)
        narrator = self._narrator(p, time_left)
        if narrator is None:
            return p.deterministic_result([])
        outcome = await narrator.write(prompts.build(inp, p.draft, p.notes), p.index)
        return self._result(p, narrator.name, outcome)

    def _result(self, p: Prepared, name: str, outcome: Outcome) -> Composition:
        if outcome.ok:
            narrative = "\n".join([*p.notes, outcome.text]) if p.notes else outcome.text
            return p.composition(narrative, [name], Grounding(outcome.numbers_checked, [], False))
        log.info("llm narrative not used", extra={"fields": {"reason": outcome.reason,
                                                              "unsupported": outcome.unsupported}})
        return p.deterministic_result([_chain_entry(name, outcome)], outcome)

    async def stream(self, inp: ComposeInput, time_left: float | None = None) -> AsyncIterator[Chunk | Reset | Final]:
        """Narrative chunks, possibly a Reset (then the replacement chunks), then the Final composition.

        Invariant: the chunks after the last Reset, joined, equal the Final narrative.
        """
        p = Prepared(inp)
        narrator = self._narrator(p, time_left)
        if narrator is None:
            for s in writer.sentences(p.deterministic):
                yield Chunk(s)
            yield Final(p.deterministic_result([]))
            return
        prompt = prompts.build(inp, p.draft, p.notes)
        if not self.streaming:
            outcome = await narrator.write(prompt, p.index)
            result = self._result(p, narrator.name, outcome)
            for s in writer.sentences(result.narrative):
                yield Chunk(s)
            yield Final(result)
            return
        emitted = False
        if p.notes:
            yield Chunk("\n".join(p.notes) + "\n")
            emitted = True
        outcome: Outcome | None = None
        async with contextlib.aclosing(narrator.stream(prompt, p.index)) as events:  # closes the model's stream
            async for event in events:                                               # if the client goes away
                if isinstance(event, Chunk):
                    emitted = True
                    yield event
                else:
                    outcome = event
        assert outcome is not None
        result = self._result(p, narrator.name, outcome)
        if not outcome.ok:
            if emitted:
                yield Reset(outcome.reason, tuple(outcome.unsupported))
            for s in writer.sentences(result.narrative):
                yield Chunk(s)
        yield Final(result)

