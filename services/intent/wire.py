"""aimee.intent.v1 messages ↔ the engine's domain types (Intent, Question): plain message conversion, no transport.

It lives apart from servicer.py so the gateway's fallback parser can reuse it without importing the intent
engine's gRPC service (and with it the stubs and the LLM client): only the message module is needed.
"""
from __future__ import annotations

import dataclasses

from aimee.intent.v1 import intent_pb2

from services.intent.model import Intent, RosterWish
from services.intent.question.model import Question

_REPEATED = ("locations", "absent_employee_names", "absent_employee_ids")
_MESSAGES = ("question", "roster_wish")
_SCALARS = tuple(f.name for f in dataclasses.fields(Intent) if f.name not in (*_REPEATED, *_MESSAGES))
_Q_SCALARS = tuple(f.name for f in dataclasses.fields(Question) if f.name != "sites")


def question_to_proto(question: Question) -> intent_pb2.Question:
    return intent_pb2.Question(**{name: getattr(question, name) for name in _Q_SCALARS}, sites=list(question.sites))


def to_proto(intent: Intent) -> intent_pb2.Intent:
    message = intent_pb2.Intent(**{name: getattr(intent, name) for name in _SCALARS},
                                **{name: list(getattr(intent, name)) for name in _REPEATED})
    if intent.question is not None:
        message.question.CopyFrom(question_to_proto(intent.question))
    if intent.roster_wish is not None:
        message.roster_wish.CopyFrom(intent_pb2.RosterWish(**dataclasses.asdict(intent.roster_wish)))
    return message


def from_proto(message: intent_pb2.Intent) -> Intent:
    question = None
    if message.question.metric:
        q = message.question
        question = Question(**{name: getattr(q, name) for name in _Q_SCALARS}, sites=tuple(q.sites))
    w = message.roster_wish
    wish = RosterWish(w.employee_name, w.date, w.day_phrase) if w.employee_name else None
    return Intent(**{name: getattr(message, name) for name in _SCALARS},
                  **{name: tuple(getattr(message, name)) for name in _REPEATED}, question=question, roster_wish=wish)
