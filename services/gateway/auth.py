"""Bearer-token check for the public API, in one interceptor. /health (MeshStatusService) stays open."""
from __future__ import annotations

import hmac

import grpc

from services.common.grpc_auth import deny_handler

OPEN_PREFIXES = ("/aimee.gateway.v1.MeshStatusService/", "/grpc.")
PROTECTED_PREFIX = "/aimee.gateway.v1."


def token_ok(header: str, tokens: tuple[str, ...]) -> bool:
    """`Bearer <token>` with a token from AIMEE_API_TOKENS (constant-time compare)."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not value:
        return False
    sent = value.strip().encode("utf-8", "surrogateescape")
    return any(hmac.compare_digest(sent, t.encode("utf-8")) for t in tokens)


class BearerAuthInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, tokens: tuple[str, ...]):
        self.tokens = tokens

    async def intercept_service(self, continuation, handler_call_details):
        method = handler_call_details.method
        if not self.tokens or method.startswith(OPEN_PREFIXES) or not method.startswith(PROTECTED_PREFIX):
            return await continuation(handler_call_details)
        header = dict(handler_call_details.invocation_metadata or ()).get("authorization", "")
        if token_ok(header, self.tokens):
            return await continuation(handler_call_details)
        return deny_handler(await continuation(handler_call_details), grpc.StatusCode.UNAUTHENTICATED,
                            "認証が必要です: Authorization: Bearer <token> ヘッダーを付けてください")
