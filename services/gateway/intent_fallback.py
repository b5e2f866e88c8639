"""When the intent engine is down or late, the gateway still reads the request with the same
deterministic parser the intent engine uses, and marks intent as degraded.

Kept on purpose (docs/architecture.md): a stopped intent engine must not stop every answer. The parser and
the message converters are plain library modules of the intent package (parser.py, wire.py); nothing of the
intent engine's transport (servicer, stubs, LLM client) is imported here."""
from __future__ import annotations

import datetime as dt

from aimee.intent.v1 import intent_pb2
from services.intent import parser
from services.intent.wire import from_proto, to_proto


def fallback_intent(query: str, previous: intent_pb2.Intent | None = None) -> intent_pb2.Intent:
    prior = from_proto(previous) if previous is not None and previous.intent else None
    return to_proto(parser.parse(query, dt.date.today(), prior))
