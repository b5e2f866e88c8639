"""gRPC adapter: aimee.intent.v1 messages ↔ the engine's domain types. No parsing logic lives here."""
from __future__ import annotations

import dataclasses

from aimee.intent.v1 import intent_pb2, intent_pb2_grpc

from services.intent.engine import IntentEngine
from services.intent.model import Intent
from services.intent.question.model import Question

_REPEATED = ("locations", "absent_employee_names", "absent_employee_ids")
_SCALARS = tuple(f.name for f in dataclasses.fields(Intent) if f.name not in (*_REPEATED, "question"))
_Q_SCALARS = tuple(f.name for f in dataclasses.fields(Question) if f.name != "sites")


def question_to_proto(question: Question) -> intent_pb2.Question:
    return intent_pb2.Question(**{name: getattr(question, name) for name in _Q_SCALARS}, sites=list(question.sites))


def to_proto(intent: Intent) -> intent_pb2.Intent:
    message = intent_pb2.Intent(**{name: getattr(intent, name) for name in _SCALARS},
                                **{name: list(getattr(intent, name)) for name in _REPEATED})
    if intent.question is not None:
        message.question.CopyFrom(question_to_proto(intent.question))
    return message


def from_proto(message: intent_pb2.Intent) -> Intent:
    question = None
    if message.question.metric:
        q = message.question
        question = Question(**{name: getattr(q, name) for name in _Q_SCALARS}, sites=tuple(q.sites))
    return Intent(**{name: getattr(message, name) for name in _SCALARS},
                  **{name: tuple(getattr(message, name)) for name in _REPEATED}, question=question)


class IntentServicer(intent_pb2_grpc.IntentServiceServicer):
    def __init__(self, engine: IntentEngine):
        self._engine = engine

    async def ParseIntent(self, request: intent_pb2.ParseIntentRequest, context) -> intent_pb2.ParseIntentResponse:
        previous = from_proto(request.previous) if request.HasField("previous") else None
        outcome = await self._engine.parse(request.query, request.reference_date, previous)
        return intent_pb2.ParseIntentResponse(intent=to_proto(outcome.intent), parser=outcome.parser,
                                              elapsed_ms=outcome.elapsed_ms, fallback_reason=outcome.fallback_reason)
