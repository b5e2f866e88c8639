"""The gateway's one client layer to the engines (like hotrod's client.go): what every outgoing call carries,
and what a failed call means to the gateway's caller.

- `engine_interceptors` sit on every engine channel, so no call site can forget it: it attaches the
  request id (the caller's, or a fresh one), the internal token, and a deadline when the caller gave none.
- `translate` turns any failure of an engine call (AioRpcError, a local timeout, anything else) into a
  `services.common.errors` exception with Japanese wording. It is the only place that reads AioRpcError:
  pass-through RPCs raise what it returns (the shared server interceptor maps it to a status), and the
  fan-out puts its message into the degraded part.
"""
from __future__ import annotations

import asyncio

import grpc

from services.common import request_id
from services.common.echo import clip
from services.common.errors import (AimeeError, Conflict, DeadlineExceeded, FailedPrecondition, InvalidArgument,
                                    NotFound, Unavailable, Unimplemented)
from services.common.grpc_auth import METADATA_KEY as TOKEN_KEY

LABELS = {"intent": "意図解析エンジン", "analytics": "分析エンジン", "solver": "最適化エンジン",
          "knowledge": "ナレッジエンジン", "synthesis": "合成エンジン"}

# The engine's own message is meant for the caller (which site is unknown, which version is stale ...).
_PASS_THROUGH = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.ABORTED: Conflict,
}


class _Attach:
    """Adds x-request-id, the internal token and a default deadline to a call's details."""

    def __init__(self, internal_token: str, default_timeout: float):
        self.internal_token = internal_token
        self.default_timeout = default_timeout

    def _details(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        pairs = [(k, v) for k, v in (details.metadata or ()) if k != TOKEN_KEY]
        if not request_id.from_metadata(pairs):  # an id the caller set explicitly wins
            pairs.append((request_id.METADATA_KEY, request_id.current() or request_id.new_request_id()))
        if self.internal_token:
            pairs.append((TOKEN_KEY, self.internal_token))
        timeout = details.timeout if details.timeout is not None else self.default_timeout
        return grpc.aio.ClientCallDetails(details.method, timeout, grpc.aio.Metadata(*pairs),
                                          details.credentials, details.wait_for_ready)


class _UnaryUnary(_Attach, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(self, continuation, client_call_details, request):
        return await continuation(self._details(client_call_details), request)


class _UnaryStream(_Attach, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(self, continuation, client_call_details, request):
        return await continuation(self._details(client_call_details), request)


def engine_interceptors(internal_token: str, default_timeout: float) -> list:
    """The client interceptors for an engine channel (every engine RPC is unary-unary or unary-stream).

    Two objects on purpose: grpc.aio files each interceptor under the first kind it is an instance of, so
    one class implementing both would silently skip streaming calls (ComposeStream).
    """
    return [_UnaryUnary(internal_token, default_timeout), _UnaryStream(internal_token, default_timeout)]


MAX_DETAIL_CHARS = 300  # an engine's error message handed on, at most


def _engine_authored(details: str) -> bool:
    """Engines write Japanese messages; gRPC's own transport errors ("failed to connect ...") are ASCII."""
    return any(ord(ch) > 127 for ch in details)


def translate(exc: BaseException, engine: str, timeout: float) -> AimeeError:
    """The domain error a failed call to `engine` (under `timeout` seconds) stands for."""
    label = LABELS.get(engine, f"{engine}エンジン")
    if isinstance(exc, AimeeError):
        return exc
    if isinstance(exc, asyncio.TimeoutError):
        return DeadlineExceeded(f"{label}の応答が制限時間（{timeout:.1f}秒）内に届きませんでした")
    if not isinstance(exc, grpc.aio.AioRpcError):
        return AimeeError(f"{label}の呼び出しに失敗しました: {exc}")
    code, details = exc.code(), clip(exc.details() or "", MAX_DETAIL_CHARS)
    if code in _PASS_THROUGH:
        return _PASS_THROUGH[code](details or f"{label}が要求を受け付けませんでした")
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return DeadlineExceeded(f"{label}の応答が制限時間（{timeout:.1f}秒）内に届きませんでした")
    if code == grpc.StatusCode.UNAVAILABLE:
        if _engine_authored(details):  # e.g. the engine's database is away: say so
            return Unavailable(f"{label}: {details}")
        return Unavailable(f"{label}に接続できません（停止中の可能性）。しばらくしてから再度お試しください")
    if code in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED):
        # Not the public caller's fault: the mesh's own credential is wrong. Never a 401 to the client.
        return Unavailable(f"{label}との内部認証に失敗しました。ゲートウェイとエンジンの INTERNAL_TOKEN が"
                           "同じか確認してください")
    if code == grpc.StatusCode.UNIMPLEMENTED:
        return Unimplemented(f"{label}のこの機能は未実装です")
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        # gRPC's message-size limits, not a rate limit: HTTP 400, never 429.
        return InvalidArgument(f"{label}への要求または応答が大きすぎます。条件を絞って（期間を短く、件数を少なく）再度お試しください")
    return AimeeError(f"{label}でエラーが発生しました: {details}" if _engine_authored(details)
                      else f"{label}でエラーが発生しました（{code.name}）")
