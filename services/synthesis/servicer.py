"""SynthesisService: proto <-> domain only. Errors are domain exceptions mapped by the shared interceptor."""
from __future__ import annotations

from collections.abc import AsyncIterator

from google.protobuf.json_format import MessageToDict

from aimee.synthesis.v1 import synthesis_pb2, synthesis_pb2_grpc
from services.synthesis.builders import resolve_mode
from services.synthesis.composer import Composer
from services.synthesis.model import Chunk, ComposeInput, Composition, Degraded, Final, Reset


def _dict(message) -> dict:
    return MessageToDict(message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)


def to_input(request: synthesis_pb2.ComposeRequest) -> ComposeInput:
    intent = _dict(request.intent) if request.HasField("intent") else {}
    return ComposeInput(
        query=request.query,
        intent=intent,
        data=_dict(request.data),
        degraded=[Degraded(d.engine, d.reason, d.elapsed_ms) for d in request.degraded],
        mode=resolve_mode(request.mode, intent.get("intent", "")),
    )


def to_response(c: Composition) -> synthesis_pb2.ComposeResponse:
    response = synthesis_pb2.ComposeResponse(
        narrative=c.narrative, answer=c.answer, model_chain=c.model_chain,
        knowledge_used=c.knowledge_used, context_used=c.context_used,
        grounding=synthesis_pb2.Grounding(
            numbers_checked=c.grounding.numbers_checked, unsupported_numbers=c.grounding.unsupported_numbers,
            fallback_used=c.grounding.fallback_used, rejected_narrative=c.grounding.rejected_narrative),
        next_monitoring=synthesis_pb2.NextMonitoring(
            daily_check=c.monitoring.daily_check, weekly_review=c.monitoring.weekly_review,
            success_criteria=c.monitoring.success_criteria),
    )
    plan = response.improvement_plan
    plan.priority_analysis.update(c.plan.priority_analysis)
    plan.quantitative_forecast.update(c.plan.quantitative_forecast)
    plan.implementation_schedule.update(c.plan.implementation_schedule)
    for a in c.plan.action_plan:
        plan.action_plan.append(synthesis_pb2.Action(action=a.action, method=a.method, expected_effect=a.expected_effect,
                                                     timeline=a.timeline, cost=a.cost, sources=a.sources))
    return response


class SynthesisServicer(synthesis_pb2_grpc.SynthesisServiceServicer):
    def __init__(self, composer: Composer):
        self.composer = composer

    async def Compose(self, request, context) -> synthesis_pb2.ComposeResponse:
        return to_response(await self.composer.compose(to_input(request), context.time_remaining()))

    async def ComposeStream(self, request, context) -> AsyncIterator[synthesis_pb2.ComposeStreamResponse]:
        async for event in self.composer.stream(to_input(request.request), context.time_remaining()):
            if isinstance(event, Chunk):
                yield synthesis_pb2.ComposeStreamResponse(narrative_chunk=event.text)
            elif isinstance(event, Reset):
                yield synthesis_pb2.ComposeStreamResponse(narrative_reset=synthesis_pb2.NarrativeReset(
                    reason=event.reason, unsupported_numbers=list(event.unsupported_numbers)))
            elif isinstance(event, Final):
                yield synthesis_pb2.ComposeStreamResponse(final=to_response(event.composition))
