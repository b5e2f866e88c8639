"""Who may call an engine: only the gateway, proven by the internal token it sends as gRPC metadata.

Why a shared secret and not mTLS: every engine and the gateway already get their settings from one
supervisor (or one compose file), so one random token handed to each through the environment is as strong
on loopback / a private network as a client certificate, with nothing to rotate or expire. The token comes
from INTERNAL_TOKEN, or from the file named by INTERNAL_TOKEN_FILE; the supervisor makes a fresh one at
every launch in its run directory (mode 0600) and passes it to every child.

Open without the token: gRPC health (container healthchecks, the gateway's /health and the launcher probe
it; it tells only SERVING or not) and reflection (the schema, which is public in protos/ anyway). Every
engine RPC without the right token answers UNAUTHENTICATED and its handler never runs.
"""
from __future__ import annotations

import hmac
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

import grpc

from services.common import request_id

METADATA_KEY = "x-aimee-internal-token"
OPEN_PREFIXES = ("/grpc.health.", "/grpc.reflection.")
REFUSED = ("内部認証に失敗しました: エンジンはゲートウェイからの呼び出しだけを受け付けます"
           "（REST API は Envoy 経由でご利用ください）")

log = logging.getLogger("aimee.grpc.auth")


class MissingToken(RuntimeError):
    """No internal token configured: an engine must not start open to every caller."""


def token_from_env(environ: Mapping[str, str] | None = None) -> str:
    """INTERNAL_TOKEN, else the content of INTERNAL_TOKEN_FILE, else "" (from `environ`, default os.environ)."""
    environ = os.environ if environ is None else environ
    token = (environ.get("INTERNAL_TOKEN") or "").strip()
    if token:
        return token
    path = environ.get("INTERNAL_TOKEN_FILE") or ""
    if path and Path(path).is_file():
        return Path(path).read_text(encoding="utf-8").strip()
    return ""


def require_token() -> str:
    token = token_from_env()
    if not token:
        raise MissingToken("INTERNAL_TOKEN（または INTERNAL_TOKEN_FILE）が設定されていません。"
                           "`make up` で起動するか、ゲートウェイと同じ値を設定してください")
    return token


def write_token_file(path: Path, token: str = "") -> str:
    """Write `token` (a new random one when empty) to `path` with mode 0600, atomically; returns it."""
    token = token or secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    os.replace(tmp, path)
    return token


def token_matches(metadata, expected: str) -> bool:
    """Constant-time comparison of the caller's token with ours."""
    sent = ""
    for key, value in metadata or ():
        if key == METADATA_KEY:
            sent = value if isinstance(value, str) else value.decode("utf-8", "replace")
            break
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


def deny_handler(handler, code: grpc.StatusCode, message: str):
    """A handler of the same kind as `handler` that answers `code` without running it."""

    async def deny(request, context):
        await context.abort(code, message)

    serializers = ((handler.request_deserializer, handler.response_serializer) if handler is not None
                   else (None, None))
    if handler is not None and handler.unary_stream:
        async def deny_stream(request, context):
            await deny(request, context)
            yield  # pragma: no cover - abort raises first

        return grpc.unary_stream_rpc_method_handler(deny_stream, *serializers)
    return grpc.unary_unary_rpc_method_handler(deny, *serializers)


class InternalTokenInterceptor(grpc.aio.ServerInterceptor):
    """Outermost interceptor of every engine: refuses any RPC (but health/reflection) without the token."""

    def __init__(self, token: str):
        if not token:
            raise MissingToken("an engine server needs a non-empty internal token")
        self.token = token

    async def intercept_service(self, continuation, handler_call_details):
        method = handler_call_details.method
        metadata = handler_call_details.invocation_metadata
        if method.startswith(OPEN_PREFIXES) or token_matches(metadata, self.token):
            return await continuation(handler_call_details)
        log.warning("call refused: no valid internal token", extra={"fields": {
            "method": method, "caller_request_id": request_id.from_metadata(metadata)}})
        return deny_handler(await continuation(handler_call_details), grpc.StatusCode.UNAUTHENTICATED, REFUSED)
