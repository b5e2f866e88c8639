"""When the intent engine is down or late, the gateway still reads the request with the same
deterministic parser the intent engine uses (a pure module), and marks intent as degraded."""
from __future__ import annotations

import datetime as dt

from aimee.intent.v1 import intent_pb2
from services.intent import parser
from services.intent.servicer import from_proto, to_proto


def fallback_intent(query: str, previous: intent_pb2.Intent | None = None) -> intent_pb2.Intent:
    prior = from_proto(previous) if previous is not None and previous.intent else None
    return to_proto(parser.parse(query, dt.date.today(), prior))
