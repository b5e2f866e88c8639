"""gRPC adapter: aimee.intent.v1 messages ↔ the engine's domain types. No parsing logic lives here."""
from __future__ import annotations

import dataclasses

from aimee.intent.v1 import intent_pb2, intent_pb2_grpc

from services.intent.engine import IntentEngine
from services.intent.model import Intent

_SCALARS = tuple(f.name for f in dataclasses.fields(Intent) if f.name != "locations")


def to_proto(intent: Intent) -> intent_pb2.Intent:
    return intent_pb2.Intent(**{name: getattr(intent, name) for name in _SCALARS}, locations=list(intent.locations))


def from_proto(message: intent_pb2.Intent) -> Intent:
    return Intent(**{name: getattr(message, name) for name in _SCALARS}, locations=tuple(message.locations))


class IntentServicer(intent_pb2_grpc.IntentServiceServicer):
    def __init__(self, engine: IntentEngine):
        self._engine = engine

    async def ParseIntent(self, request: intent_pb2.ParseIntentRequest, context) -> intent_pb2.ParseIntentResponse:
        previous = from_proto(request.previous) if request.HasField("previous") else None
        outcome = await self._engine.parse(request.query, request.reference_date, previous)
        return intent_pb2.ParseIntentResponse(intent=to_proto(outcome.intent), parser=outcome.parser,
                                              elapsed_ms=outcome.elapsed_ms, fallback_reason=outcome.fallback_reason)
