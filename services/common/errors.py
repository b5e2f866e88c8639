"""Domain errors that carry their gRPC status name, so the mapping lives in one place (Envoy maps statuses to
HTTP codes: INVALID_ARGUMENT 400, NOT_FOUND 404, ABORTED 409, UNAVAILABLE 503, ...).

Domain modules raise these and never import grpc; the shared server interceptor turns them into statuses.
Messages are Japanese and say what the manager can do about it.
"""
from __future__ import annotations


class AimeeError(Exception):
    """Base of every error a service reports to its caller."""

    code = "INTERNAL"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidArgument(AimeeError):
    code = "INVALID_ARGUMENT"


class NotFound(AimeeError):
    code = "NOT_FOUND"


class FailedPrecondition(AimeeError):
    code = "FAILED_PRECONDITION"


class Conflict(AimeeError):
    """A stale version or a concurrent change: nothing was written."""

    code = "ABORTED"



class Unavailable(AimeeError):
    code = "UNAVAILABLE"


class DeadlineExceeded(AimeeError):
    code = "DEADLINE_EXCEEDED"


class Unimplemented(AimeeError):
    code = "UNIMPLEMENTED"
