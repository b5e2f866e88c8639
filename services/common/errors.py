"""Domain errors that carry their gRPC status name and HTTP code, so the mapping lives in one place.

Domain modules raise these and never import grpc; the shared server interceptor turns them into statuses.
Messages are Japanese and say what the manager can do about it.
"""
from __future__ import annotations


class AimeeError(Exception):
    """Base of every error a service reports to its caller."""

    code = "INTERNAL"
    http_status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidArgument(AimeeError):
    code = "INVALID_ARGUMENT"
    http_status = 400


class NotFound(AimeeError):
    code = "NOT_FOUND"
    http_status = 404


class FailedPrecondition(AimeeError):
    code = "FAILED_PRECONDITION"
    http_status = 400


class Conflict(AimeeError):
    """A stale version or a concurrent change: nothing was written."""

    code = "ABORTED"
    http_status = 409


class Unauthenticated(AimeeError):
    code = "UNAUTHENTICATED"
    http_status = 401


class Unavailable(AimeeError):
    code = "UNAVAILABLE"
    http_status = 503


class DeadlineExceeded(AimeeError):
    code = "DEADLINE_EXCEEDED"
    http_status = 504


class Unimplemented(AimeeError):
    code = "UNIMPLEMENTED"
    http_status = 501
