"""gRPC adapter: aimee.intent.v1 messages ↔ the engine's domain types. No parsing logic lives here."""
from __future__ import annotations

from aimee.intent.v1 import intent_pb2, intent_pb2_grpc

from services.intent.engine import IntentEngine
from services.intent.wire import from_proto, to_proto


class IntentServicer(intent_pb2_grpc.IntentServiceServicer):
    def __init__(self, engine: IntentEngine):
        self._engine = engine

    async def ParseIntent(self, request: intent_pb2.ParseIntentRequest, context) -> intent_pb2.ParseIntentResponse:
        previous = from_proto(request.previous) if request.HasField("previous") else None
        outcome = await self._engine.parse(request.query, request.reference_date, previous)
        return intent_pb2.ParseIntentResponse(intent=to_proto(outcome.intent), parser=outcome.parser,
                                              elapsed_ms=outcome.elapsed_ms, fallback_reason=outcome.fallback_reason)
