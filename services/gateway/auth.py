"""Bearer-token check for the public API, in one interceptor (/health, MeshStatusService, stays open), and
the same check for the WebSocket bridge.

Browsers cannot set headers on a WebSocket, so a browser sends the token as a subprotocol:
`new WebSocket(url, ["aimee.bearer." + token, "aimee.v1"])`; the bridge answers with the plain `aimee.v1`
(never echoing the token). Other clients may keep sending `Authorization: Bearer <token>`. A token is never
accepted in the URL: query strings land in access logs and browser history.
"""
from __future__ import annotations

import hmac

import grpc

from services.common.grpc_auth import deny_handler

OPEN_PREFIXES = ("/aimee.gateway.v1.MeshStatusService/", "/grpc.")
PROTECTED_PREFIX = "/aimee.gateway.v1."
WS_PROTOCOL = "aimee.v1"
WS_BEARER_PREFIX = "aimee.bearer."
# Query parameters that look like a credential: refused outright so a client that tries learns why.
URL_CREDENTIAL_PARAMS = frozenset({"token", "access_token", "bearer", "authorization", "auth", "api_key"})


def token_ok(header: str, tokens: tuple[str, ...]) -> bool:
    """`Bearer <token>` with a token from AIMEE_API_TOKENS (constant-time compare)."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not value:
        return False
    sent = value.strip().encode("utf-8", "surrogateescape")
    return any(hmac.compare_digest(sent, t.encode("utf-8")) for t in tokens)


def ws_offered_protocols(header_values: list[str]) -> list[str]:
    """Every protocol in the request's Sec-WebSocket-Protocol header(s), in order."""
    return [p.strip() for value in header_values for p in value.split(",") if p.strip()]


def ws_token_ok(authorization: str, protocols: list[str], tokens: tuple[str, ...]) -> bool:
    """The Authorization header's token, or one offered as `aimee.bearer.<token>`, is one of `tokens`."""
    if token_ok(authorization, tokens):
        return True
    return any(token_ok(f"Bearer {p[len(WS_BEARER_PREFIX):]}", tokens)
               for p in protocols if p.startswith(WS_BEARER_PREFIX))


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
