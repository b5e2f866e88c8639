"""The hybrid flow: intent, then analytics · solver · knowledge in parallel under deadlines, then synthesis.

Engines never call each other; only this module fans out. Each branch yields an `Outcome`; missing parts
become `DegradedPart`s that synthesis states plainly, so a slow or dead engine gives a partial answer,
never a failed request.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aimee.analytics.v1 import analytics_pb2
from aimee.intent.v1 import intent_pb2
from aimee.knowledge.v1 import knowledge_pb2
from aimee.synthesis.v1 import synthesis_pb2
from services.common.cache import Cache
from services.gateway.answer import build_answer
from services.gateway.branches import Branch, plan_branches
from services.gateway.config import Settings
from services.gateway.engines import Budget, Engines, Outcome, call_engine, invoke
from services.gateway.flows import ALERT_FLOWS, Flow, flow_for
from services.gateway.intent_fallback import fallback_intent
from services.gateway import question_flow, roster_flow, roster_whatif

log = logging.getLogger("aimee.gateway")

EventSink = Callable[[dict], Awaitable[None]]
ALL_SITES = ("", "unclear")


@dataclass(frozen=True)
class Pinned:
    """What the caller stated in structured fields (already validated): it wins over the parsed text."""

    location: str = ""                  # a known site name
    period: tuple[str, str] = ("", "")  # analysis window (date_from, date_to), YYYY-MM-DD

    def apply(self, intent: intent_pb2.Intent) -> None:
        if self.location:
            intent.location = self.location
            intent.locations[:] = [self.location]
        if any(self.period):
            intent.date_from, intent.date_to = self.period


class Orchestrator:
    def __init__(self, engines: Engines, settings: Settings, cache: Cache | None):
        self.engines = engines
        self.settings = settings
        self.cache = cache
        # Bookkeeping started after an answer: kept here so it is neither garbage-collected mid-call
        # (the event loop holds tasks only weakly) nor left running when the gateway closes.
        self._background: set[asyncio.Task] = set()

    def without_cache(self) -> "Orchestrator":
        """The same flows with the result cache bypassed (reads and writes), for cold measurements."""
        return type(self)(self.engines, self.settings, None)

    # ---- intent -------------------------------------------------------------------------------------
    async def parse(self, query: str, budget: Budget, previous: intent_pb2.Intent | None = None
                    ) -> tuple[intent_pb2.Intent, str, Outcome]:
        request = intent_pb2.ParseIntentRequest(query=query, reference_date=dt.date.today().isoformat())
        if previous is not None:
            request.previous.CopyFrom(previous)
        outcome = await call_engine(
            "intent",
            lambda t: self.engines.intent.ParseIntent(request, timeout=t),
            budget.cap(self.settings.budgets.intent),
        )
        if outcome.ok:
            return outcome.value.intent, outcome.value.parser, outcome
        return fallback_intent(query, previous), "gateway-fallback-parser", outcome

    # ---- the generic fan-out ------------------------------------------------------------------------
    async def gather(self, flow: Flow, intent: intent_pb2.Intent, query: str, budget: Budget,
                     sink: EventSink | None = None, period: tuple[str, str] = ("", "")
                     ) -> tuple[synthesis_pb2.EngineData, list[Outcome]]:
        """Run the branches the flow needs in parallel; every branch returns an Outcome."""
        location = intent.location if intent.location not in ALL_SITES else ""
        plan_date = intent.date or (dt.date.today() + dt.timedelta(days=1)).isoformat()
        branches = plan_branches(flow, location, plan_date, query, intent, period)

        async def run(branch: Branch) -> Outcome:
            stub = getattr(self.engines, branch.engine)
            rpc = getattr(stub, branch.rpc)
            outcome = await call_engine(
                branch.engine, lambda t: rpc(branch.request, timeout=t),
                budget.cap(getattr(self.settings.budgets, branch.engine)), cache=self.cache,
                cache_key=(branch.namespace, branch.key), parse=branch.response_cls.FromString)
            if sink is not None:
                await sink({"type": "progress", "stage": outcome.engine, "part": branch.part,
                            "status": outcome.status, "elapsed_ms": round(outcome.elapsed_ms, 1),
                            "reason": outcome.reason})
            return outcome

        outcomes = await asyncio.gather(*(run(b) for b in branches))
        data = synthesis_pb2.EngineData()
        for branch, outcome in zip(branches, outcomes):
            if outcome.ok:
                value = getattr(outcome.value, branch.field) if branch.field else outcome.value
                getattr(data, branch.part).CopyFrom(value)
        return data, list(outcomes)

    # ---- synthesis ----------------------------------------------------------------------------------
    async def compose(self, request: synthesis_pb2.ComposeRequest, budget: Budget,
                      sink: EventSink | None = None) -> Outcome:
        timeout = budget.cap(self.settings.budgets.synthesis)
        if sink is None:
            return await call_engine("synthesis",
                                     lambda t: self.engines.synthesis.Compose(request, timeout=t),
                                     timeout)

        async def streamed(t: float) -> Any:
            final = None
            call = self.engines.synthesis.ComposeStream(synthesis_pb2.ComposeStreamRequest(request=request),
                                                        timeout=t)
            async for event in call:
                kind = event.WhichOneof("event")
                if kind == "final":
                    final = event.final
                elif kind == "narrative_reset":
                    # The streamed model text failed the number check: clients drop what they showed.
                    await sink({"type": "narrative_reset"})
                elif kind == "narrative_chunk":
                    await sink({"type": "narrative", "text": event.narrative_chunk})
            if final is None:
                raise RuntimeError("合成エンジンが最終結果を返しませんでした")
            return final

        return await call_engine("synthesis", streamed, timeout)

    # ---- public flows -------------------------------------------------------------------------------
    async def answer(self, query: str, previous: intent_pb2.Intent | None = None,
                     sink: EventSink | None = None, pinned: Pinned | None = None) -> Any:
        """The full consultation for any request: the intent decides which engines run."""
        budget = Budget(self.settings.hybrid_timeout_seconds)
        pinned = pinned or Pinned()
        intent, parser, intent_outcome = await self.parse(query, budget, previous)
        pinned.apply(intent)
        if sink is not None:
            await sink({"type": "progress", "stage": "intent", "status": intent_outcome.status,
                        "elapsed_ms": round(intent_outcome.elapsed_ms, 1), "intent": intent.intent,
                        "location": intent.location, "parser": parser})
        if roster_whatif.applies(intent):  # 「佐藤さんが水曜休み希望だったら」: a dry-run PlanRoster with compare
            return await roster_whatif.answer(self, query, intent, parser, intent_outcome, budget, sink)
        if roster_flow.applies(intent, query):  # several days' shifts: the solver's roster model
            return await roster_flow.answer(self, query, intent, parser, intent_outcome, budget, sink)
        if question_flow.applies(intent):  # a typed question: the short analytics path
            return await question_flow.answer(self, query, intent, parser, intent_outcome, budget, sink)
        flow = flow_for(intent.intent)
        notes = []
        if flow.needs_site and intent.location in ALL_SITES:
            intent.location = self.settings.default_location
            notes.append(f"拠点の指定がなかったため{intent.location}拠点で計算しました。")
        if intent.absent_employee_names and (ask := await question_flow.resolve_absent(self, intent, budget)):
            return await question_flow.reply(self, query, intent, parser, [intent_outcome], budget, ask, sink)
        data, outcomes = await self.gather(flow, intent, query, budget, sink, pinned.period)
        return await self._finish(query, intent, parser, flow.mode, data, [intent_outcome, *outcomes],
                                  budget, sink, notes)

    async def alert_flow(self, alert_id: int, mode: str, sink: EventSink | None = None) -> Any:
        """Cause analysis (alert_analyze) or improvement plan (alert_improve) for one stored alert.

        The alert itself must exist: its absence is the caller's error (NOT_FOUND), not a degraded part.
        """
        budget = Budget(self.settings.hybrid_timeout_seconds)
        alert_resp = await invoke("analytics", self.engines.analytics.GetAlert,
                                  analytics_pb2.GetAlertRequest(alert_id=alert_id),
                                  budget.cap(self.settings.budgets.analytics))
        alert = alert_resp.alert
        flow = ALERT_FLOWS[mode]
        target = dt.date.today() + dt.timedelta(days=1)
        intent = intent_pb2.Intent(intent="improve_alerts", location=alert.location, date=target.isoformat(),
                                   complexity="complex", confidence=1.0)
        query = f"{alert.location} {alert.title}"
        data, outcomes = await self.gather(flow, intent, query, budget, sink)
        data.alert.CopyFrom(alert)
        verb = "原因分析" if mode == "alert_analyze" else "改善提案"
        request_text = f"アラート#{alert_id}（{alert.title}）の{verb}"
        return await self._finish(request_text, intent, "alert-id", mode, data, outcomes, budget, sink, [])

    async def _finish(self, query: str, intent, parser: str, mode: str, data, outcomes: list[Outcome],
                      budget: Budget, sink: EventSink | None, notes: list[str]) -> Any:
        degraded = [synthesis_pb2.DegradedPart(engine=o.engine, reason=o.reason, elapsed_ms=round(o.elapsed_ms, 1))
                    for o in outcomes if not o.ok]
        request = synthesis_pb2.ComposeRequest(query=query, intent=intent, data=data, degraded=degraded, mode=mode)
        synth = await self.compose(request, budget, sink)
        answer = build_answer(query=query, intent=intent, parser=parser, data=data, outcomes=[*outcomes, synth],
                              composed=synth.value, elapsed_ms=budget.elapsed_ms(), notes=notes)
        if synth.ok and synth.value.context_used:
            self._in_background(self._mark_context_used(list(synth.value.context_used)))
        if sink is not None:
            await sink({"type": "final", "answer": answer})
        return answer

    def _in_background(self, work: Awaitable[None]) -> None:
        """Run `work` after the answer (it inherits the request id: tasks copy the context)."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def drain(self, timeout: float = 3.0) -> None:
        """Let background bookkeeping finish (bounded), cancelling what is still running after `timeout`."""
        pending = list(self._background)
        if not pending:
            return
        _, late = await asyncio.wait(pending, timeout=timeout)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    async def _mark_context_used(self, ids: list[int]) -> None:
        """use_count bookkeeping; best effort, never delays or fails the answer."""
        try:
            await invoke("knowledge", self.engines.knowledge.MarkContextUsed,
                         knowledge_pb2.MarkContextUsedRequest(context_ids=ids), 2.0)
        except Exception as exc:  # noqa: BLE001
            log.warning("mark context used failed", extra={"fields": {"error": str(exc)}})

