"""aimee.intent.v1.Intent ↔ the engine's domain Intent: plain message conversion, no transport.

It lives apart from servicer.py so the gateway's fallback parser can reuse it without importing the intent
engine's gRPC service (and with it the stubs and the LLM client): only the message module is needed.
"""
from __future__ import annotations

import dataclasses

from aimee.intent.v1 import intent_pb2

from services.intent.model import Intent

_SCALARS = tuple(f.name for f in dataclasses.fields(Intent) if f.name != "locations")


def to_proto(intent: Intent) -> intent_pb2.Intent:
    return intent_pb2.Intent(**{name: getattr(intent, name) for name in _SCALARS}, locations=list(intent.locations))


def from_proto(message: intent_pb2.Intent) -> Intent:
    return Intent(**{name: getattr(message, name) for name in _SCALARS}, locations=tuple(message.locations))
