"""The gateway's client layer: how each way an engine call can fail reads to the gateway's caller (one
translation for pass-throughs and degraded parts), over real gRPC against a server that answers each status."""
from __future__ import annotations

import asyncio

import grpc
import pytest

from services.common import errors
from services.common.grpc_server import create_server
from services.gateway.engine_client import translate
from services.gateway.engines import call_engine, invoke
from tests.conftest import free_port
from tests.support.in_process import TEST_INTERNAL_TOKEN, engine_channel


async def _abort_as_asked(request: bytes, context) -> bytes:
    code, _, message = request.decode().partition("|")
    if code == "sleep":
        await asyncio.sleep(float(message))
        return b"late"
    await context.abort(getattr(grpc.StatusCode, code), message)


def _register(server: grpc.aio.Server) -> None:
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("test.Engine", {
        "Call": grpc.unary_unary_rpc_method_handler(_abort_as_asked)}),))


@pytest.fixture
async def engine_port():
    server, port, _ = await create_server([_register], ["test.Engine"], port=0, internal_token=TEST_INTERNAL_TOKEN)
    yield port
    await server.stop(0)


async def _failure(address: str, payload: bytes, timeout: float = 5.0, token: str = TEST_INTERNAL_TOKEN):
    async with engine_channel(address, token) as channel:
        with pytest.raises(errors.AimeeError) as err:
            await invoke("analytics", channel.unary_unary("/test.Engine/Call"), payload, timeout)
    return err.value


@pytest.mark.parametrize("code,message,error_class,fragment", [
    ("INVALID_ARGUMENT", "date_from は YYYY-MM-DD で指定してください", errors.InvalidArgument, "YYYY-MM-DD"),
    ("NOT_FOUND", "拠点「東京」は見つかりません", errors.NotFound, "東京"),
    ("FAILED_PRECONDITION", "配置計画がありません", errors.FailedPrecondition, "配置計画"),
    ("ABORTED", "他の人が先に更新しました", errors.Conflict, "先に更新"),
    # An engine that says its database is away: the caller learns that, not "cannot connect".
    ("UNAVAILABLE", "データベースに接続できません", errors.Unavailable, "分析エンジン: データベースに接続できません"),
    ("UNIMPLEMENTED", "not here", errors.Unimplemented, "未実装"),
    ("RESOURCE_EXHAUSTED", "too big", errors.InvalidArgument, "大きすぎます"),
    ("INTERNAL", "内部エラーが発生しました。管理者に request_id r-1 をお伝えください", errors.AimeeError, "r-1"),
    ("DATA_LOSS", "boom", errors.AimeeError, "DATA_LOSS"),
    # The mesh's own credential is wrong: never a 401 to the public caller, and it says what to check.
    ("UNAUTHENTICATED", "x", errors.Unavailable, "INTERNAL_TOKEN"),
    ("PERMISSION_DENIED", "x", errors.Unavailable, "INTERNAL_TOKEN"),
])
async def test_each_engine_status_becomes_one_domain_error(engine_port, code, message, error_class, fragment):
    error = await _failure(f"127.0.0.1:{engine_port}", f"{code}|{message}".encode())
    assert type(error) is error_class
    assert fragment in error.message


async def test_transport_failures_and_timeouts(engine_port):
    stopped = await _failure(f"127.0.0.1:{free_port()}", b"x", timeout=2.0)
    assert isinstance(stopped, errors.Unavailable) and "分析エンジンに接続できません" in stopped.message
    late = await _failure(f"127.0.0.1:{engine_port}", b"sleep|2", timeout=0.3)
    assert isinstance(late, errors.DeadlineExceeded) and "0.3秒" in late.message
    wrong_token = await _failure(f"127.0.0.1:{engine_port}", b"sleep|0", token="not-the-token")
    assert isinstance(wrong_token, errors.Unavailable) and "INTERNAL_TOKEN" in wrong_token.message
    assert isinstance(translate(asyncio.TimeoutError(), "solver", 6.0), errors.DeadlineExceeded)
    assert "最適化エンジン" in translate(RuntimeError("x"), "solver", 6.0).message


async def test_a_degraded_part_uses_the_same_wording(engine_port):
    async with engine_channel(f"127.0.0.1:{engine_port}") as channel:
        rpc = channel.unary_unary("/test.Engine/Call")
        outcome = await call_engine("analytics", lambda t: rpc("UNAVAILABLE|データベースに接続できません".encode(), timeout=t), 2.0)
    assert not outcome.ok and outcome.code == "UNAVAILABLE"
    assert outcome.reason == "分析エンジン: データベースに接続できません"
