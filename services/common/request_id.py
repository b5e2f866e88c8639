"""The request id carried through every hop (gRPC metadata `x-request-id`) and printed in every log line.

Servers bind it (services.common.grpc_server); the gateway's client interceptor sends it on
(services.gateway.engine_client)."""
from __future__ import annotations

import contextvars
import uuid

METADATA_KEY = "x-request-id"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def current() -> str:
    return _current.get()


def bind(request_id: str) -> contextvars.Token:
    return _current.set(request_id)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


def from_metadata(metadata) -> str:
    for key, value in metadata or ():
        if key == METADATA_KEY and value:
            return str(value)
    return ""
