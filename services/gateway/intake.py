"""The gateway's intake: every public request is decoded safely and checked (validation.check) before its
servicer runs, in one interceptor instead of one check per route.

Why a deserializer wrapper: Envoy's transcoder copies query parameters byte for byte into proto string
fields, so `?location=%FF%FE` reaches the gateway as a string field with invalid UTF-8. The generated
`FromString` then raises DecodeError inside grpc's own deserialisation, which grpc reports as UNKNOWN
(HTTP 500 "Unexpected <class 'DecodeError'>"). Here the deserializer never raises: it hands a
`Rejected` marker to the wrapped method, which answers INVALID_ARGUMENT (400) with a Japanese message.
"""
from __future__ import annotations

import logging

import grpc
from google.protobuf.message import DecodeError

from services.common.errors import AimeeError, InvalidArgument
from services.common.grpc_server import status_of
from services.gateway import validation

log = logging.getLogger("aimee.gateway.intake")
PUBLIC_PREFIX = "/aimee.gateway.v1."
UNDECODABLE = ("リクエストを読み取れません。文字列は UTF-8 で送ってください"
               "（URL のクエリやパスでは %E6%A8%AA%E6%B5%9C のように UTF-8 をパーセントエンコードします）")


class Rejected:
    """What the safe deserializer returns for bytes that are not a valid request."""

    def __init__(self, message: str):
        self.message = message


def safe_deserializer(deserialize):
    def parse(raw: bytes):
        try:
            return deserialize(raw)
        except DecodeError:
            return Rejected(UNDECODABLE)
    return parse


class IntakeInterceptor(grpc.aio.ServerInterceptor):
    """Rejects undecodable or out-of-limit public requests with INVALID_ARGUMENT before any work."""

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or not handler.unary_unary or not method.startswith(PUBLIC_PREFIX):
            return handler
        inner = handler.unary_unary

        async def unary_unary(request, context):
            try:
                if isinstance(request, Rejected):
                    raise InvalidArgument(request.message)
                validation.check(request)
            except AimeeError as exc:
                log.info("request rejected", extra={"fields": {"method": method, "reason": exc.message}})
                await context.abort(status_of(exc), exc.message)
            return await inner(request, context)

        return grpc.unary_unary_rpc_method_handler(
            unary_unary, safe_deserializer(handler.request_deserializer), handler.response_serializer)
