"""The shared server bootstrap: domain errors become statuses, bugs become INTERNAL with the request id,
the caller's request id is the one the handler sees, health + reflection are always there, and an engine
server runs no handler for a call without the internal token."""
from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common import request_id
from services.common import errors
from services.common.errors import Conflict, NotFound
from services.common.grpc_auth import METADATA_KEY, InternalTokenInterceptor, MissingToken
from services.common.grpc_server import create_server
from tests.support.in_process import TEST_INTERNAL_TOKEN, engine_channel

SEEN: dict[str, str] = {}


async def _echo(request: bytes, context) -> bytes:
    text = request.decode()
    SEEN["request_id"] = request_id.current()
    if text == "missing":
        raise NotFound("拠点「東京」は見つかりません")
    if text == "stale":
        raise Conflict("他の人が先に更新しました")
    if text == "bug":
        raise RuntimeError("boom")
    if text.startswith("raise:"):
        raise getattr(errors, text[6:])(f"{text[6:]}のテスト")
    return request


async def _stream(request: bytes, context):
    yield b"first"
    raise getattr(errors, request.decode())(f"{request.decode()}のテスト")


def _register(server: grpc.aio.Server) -> None:
    handler = grpc.method_handlers_generic_handler("test.Echo", {
        "Call": grpc.unary_unary_rpc_method_handler(_echo),
        "Stream": grpc.unary_stream_rpc_method_handler(_stream)})
    server.add_generic_rpc_handlers((handler,))


@pytest.fixture
async def server_port():
    SEEN.clear()
    server, port, _ = await create_server([_register], ["test.Echo"], port=0, internal_token=TEST_INTERNAL_TOKEN)
    yield port
    await server.stop(0)


@pytest.fixture
async def channel(server_port):
    async with engine_channel(f"127.0.0.1:{server_port}") as ch:
        yield ch


def _call(channel):
    return channel.unary_unary("/test.Echo/Call")


@pytest.mark.parametrize("payload,code,fragment", [
    (b"missing", grpc.StatusCode.NOT_FOUND, "東京"),
    (b"stale", grpc.StatusCode.ABORTED, "先に更新"),
    (b"bug", grpc.StatusCode.INTERNAL, "req-123"),
])
async def test_errors_map_to_statuses(channel, payload, code, fragment):
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await _call(channel)(payload, metadata=(("x-request-id", "req-123"),), timeout=5)
    assert err.value.code() == code
    assert fragment in err.value.details()


# Every domain error class and the status a caller sees (Envoy then maps it to HTTP).
EVERY_ERROR = {
    "AimeeError": grpc.StatusCode.INTERNAL,
    "InvalidArgument": grpc.StatusCode.INVALID_ARGUMENT,
    "NotFound": grpc.StatusCode.NOT_FOUND,
    "FailedPrecondition": grpc.StatusCode.FAILED_PRECONDITION,
    "Conflict": grpc.StatusCode.ABORTED,
    "Unavailable": grpc.StatusCode.UNAVAILABLE,
    "DeadlineExceeded": grpc.StatusCode.DEADLINE_EXCEEDED,
    "Unimplemented": grpc.StatusCode.UNIMPLEMENTED,
}


def test_the_table_names_every_error_class():
    classes = {name for name, value in vars(errors).items()
               if isinstance(value, type) and issubclass(value, errors.AimeeError)}
    assert classes == set(EVERY_ERROR)


@pytest.mark.parametrize("name", sorted(EVERY_ERROR))
async def test_every_error_class_maps_to_its_status_unary_and_streaming(channel, name):
    with pytest.raises(grpc.aio.AioRpcError) as unary:
        await _call(channel)(f"raise:{name}".encode(), timeout=5)
    assert (unary.value.code(), unary.value.details()) == (EVERY_ERROR[name], f"{name}のテスト")
    stream = channel.unary_stream("/test.Echo/Stream")(name.encode(), timeout=5)
    assert await stream.read() == b"first"
    with pytest.raises(grpc.aio.AioRpcError) as streamed:
        await stream.read()
    assert (streamed.value.code(), streamed.value.details()) == (EVERY_ERROR[name], f"{name}のテスト")


async def test_request_id_reaches_the_handler(channel):
    assert await _call(channel)(b"hello", metadata=(("x-request-id", "abc-42"),), timeout=5) == b"hello"
    assert SEEN["request_id"] == "abc-42"
    await _call(channel)(b"hello", timeout=5)
    assert SEEN["request_id"] and SEEN["request_id"] != "abc-42"  # a fresh id when the caller sent none


async def test_health_serves_each_service(channel):
    stub = health_pb2_grpc.HealthStub(channel)
    for service in ("", "test.Echo"):
        resp = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
        assert resp.status == health_pb2.HealthCheckResponse.SERVING


@pytest.mark.parametrize("metadata", [
    (),                                              # no token at all
    ((METADATA_KEY, "wrong-token"),),                # a guessed one
    ((METADATA_KEY, TEST_INTERNAL_TOKEN[:-1]),),     # a prefix of the right one
    (("authorization", f"Bearer {TEST_INTERNAL_TOKEN}"),),  # the right value under the public header
])
async def test_a_call_without_the_internal_token_is_refused_before_the_handler(server_port, metadata):
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server_port}") as plain:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await _call(plain)(b"hello", metadata=(("x-request-id", "intruder-1"), *metadata), timeout=5)
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert "ゲートウェイからの呼び出しだけ" in err.value.details()
        assert "request_id" not in SEEN  # the handler never ran
        # Health stays open (container healthchecks, /health); it tells only SERVING or not.
        health = await health_pb2_grpc.HealthStub(plain).Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
        assert health.status == health_pb2.HealthCheckResponse.SERVING


async def test_the_right_token_sent_as_plain_metadata_is_accepted(server_port):
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server_port}") as plain:
        reply = await _call(plain)(b"hello", metadata=((METADATA_KEY, TEST_INTERNAL_TOKEN),), timeout=5)
    assert reply == b"hello"


def test_an_engine_server_cannot_be_built_with_an_empty_token():
    with pytest.raises(MissingToken):
        InternalTokenInterceptor("")


async def test_an_engine_will_not_serve_without_a_configured_token(monkeypatch):
    from services.common.grpc_server import serve
    monkeypatch.delenv("INTERNAL_TOKEN", raising=False)
    monkeypatch.delenv("INTERNAL_TOKEN_FILE", raising=False)
    with pytest.raises(MissingToken, match="INTERNAL_TOKEN"):
        await serve("test", [_register], ["test.Echo"], port=0, host="127.0.0.1")
