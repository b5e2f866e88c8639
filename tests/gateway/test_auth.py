"""AIMEE_API_TOKENS: every public RPC needs a bearer token; /health stays open."""
from __future__ import annotations

import grpc
import pytest

from aimee.gateway.v1 import gateway_pb2, gateway_pb2_grpc
from services.gateway.auth import token_ok


def test_token_parsing():
    assert token_ok("Bearer s3cret", ("s3cret",))
    assert token_ok("bearer s3cret", ("other", "s3cret"))
    assert not token_ok("Bearer wrong", ("s3cret",))
    assert not token_ok("s3cret", ("s3cret",))
    assert not token_ok("", ("s3cret",))


async def test_tokens_required_when_configured(gateway_settings, start_gateway):
    channel, _ = await start_gateway(gateway_settings(api_tokens=("s3cret",)))
    ai = gateway_pb2_grpc.AiServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await ai.Query(gateway_pb2.QueryRequest(query="現在のアラート件数は？"), timeout=5)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await ai.Query(gateway_pb2.QueryRequest(query="現在のアラート件数は？"), timeout=5,
                       metadata=(("authorization", "Bearer nope"),))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    # The right token passes the interceptor (the answer itself is partial: engines are down here).
    resp = await ai.Query(gateway_pb2.QueryRequest(query="現在のアラート件数は？"), timeout=10,
                          metadata=(("authorization", "Bearer s3cret"),))
    assert resp.status == "partial"
    health = gateway_pb2_grpc.MeshStatusServiceStub(channel)
    assert (await health.GetHealth(gateway_pb2.GetHealthRequest(), timeout=5)).components


def test_websocket_token_from_header_or_subprotocol():
    from services.gateway.auth import ws_offered_protocols, ws_token_ok
    offered = ws_offered_protocols(["aimee.bearer.s3cret, aimee.v1"])
    assert offered == ["aimee.bearer.s3cret", "aimee.v1"]
    assert ws_token_ok("", offered, ("s3cret",))
    assert ws_token_ok("Bearer s3cret", ["aimee.v1"], ("s3cret",))
    assert not ws_token_ok("", ["aimee.bearer.wrong", "aimee.v1"], ("s3cret",))
    assert not ws_token_ok("", ["s3cret", "aimee.v1"], ("s3cret",))  # a bare value is not a bearer offer
    assert not ws_token_ok("Bearer 東京", [], ("s3cret",))  # non-ASCII compares as bytes, never raises
