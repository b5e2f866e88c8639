"""Serve an engine's `build(...)` result in-process on port 0 and hand back a channel to it — the one way
every test folder runs a real engine over real gRPC."""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import grpc

from services.common.grpc_server import create_server


@contextlib.asynccontextmanager
async def serving(built, cleanup: bool = True) -> AsyncIterator[grpc.aio.Channel]:
    """`built` has registrars and service_names (and cleanup, called on exit unless cleanup=False)."""
    server, port, _ = await create_server(built.registrars, built.service_names, port=0)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield channel
    finally:
        await channel.close()
        await server.stop(0)
        if cleanup:
            await built.cleanup()
