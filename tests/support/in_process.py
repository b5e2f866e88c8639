"""Serve an engine's `build(...)` result in-process on port 0 and hand back a channel to it — the one way
every test folder runs a real engine over real gRPC.

The engine checks the internal token like a deployed one; the channel carries it through the gateway's own
client interceptor (request id, token, default deadline), so engine tests call exactly as the gateway does.
"""
from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator

import grpc

from services.common.grpc_server import create_server
from services.gateway.engine_client import engine_interceptors

# One token for the whole test session: gateway fixtures send it to the engines served here.
TEST_INTERNAL_TOKEN = f"test-internal-{secrets.token_hex(8)}"


def engine_channel(address: str, token: str = TEST_INTERNAL_TOKEN) -> grpc.aio.Channel:
    """A channel to an engine that sends `token` (and a request id) on every call, as the gateway does."""
    return grpc.aio.insecure_channel(address, interceptors=engine_interceptors(token, default_timeout=30.0))


@contextlib.asynccontextmanager
async def serving_at(built, cleanup: bool = True, interceptors=()) -> AsyncIterator[str]:
    """Serve `built` (registrars, service_names, and cleanup, called on exit unless cleanup=False) on port 0
    behind the internal token; yields its address. `interceptors`: extra server interceptors (e.g. one that
    records what each call carried)."""
    server, port, _ = await create_server(built.registrars, built.service_names, port=0,
                                          extra_interceptors=interceptors, internal_token=TEST_INTERNAL_TOKEN)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(0)
        if cleanup:
            await built.cleanup()


@contextlib.asynccontextmanager
async def serving(built, cleanup: bool = True, interceptors=()) -> AsyncIterator[grpc.aio.Channel]:
    """Like `serving_at`, and yields a channel that calls the engine as the gateway does."""
    async with serving_at(built, cleanup, interceptors) as address:
        channel = engine_channel(address)
        try:
            yield channel
        finally:
            await channel.close()
