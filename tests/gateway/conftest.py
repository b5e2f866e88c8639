"""Gateway fixtures: an in-process gateway on port 0 whose engine addresses are given per test."""
from __future__ import annotations

import dataclasses

import grpc
import pytest

from services.common.grpc_server import create_server
from services.gateway.config import EngineBudgets, Settings
from services.gateway.server import SERVICE_NAMES, build
from tests.conftest import free_port
from tests.support.in_process import TEST_INTERNAL_TOKEN


def dead_address() -> str:
    """An address where nothing listens (a stopped engine)."""
    return f"127.0.0.1:{free_port()}"


@pytest.fixture
def gateway_settings(database_url, redis_url, cache_prefix):
    def make(**overrides) -> Settings:
        base = Settings(
            intent_addr=dead_address(), analytics_addr=dead_address(), solver_addr=dead_address(),
            knowledge_addr=dead_address(), synthesis_addr=dead_address(), database_url=database_url,
            redis_url=redis_url, cache_prefix=cache_prefix, hybrid_timeout_seconds=3.0,
            budgets=EngineBudgets(intent=0.5, analytics=1.0, solver=2.0, knowledge=1.0, synthesis=1.0),
            internal_token=TEST_INTERNAL_TOKEN)  # what engines served by tests.support.in_process expect
        return dataclasses.replace(base, **overrides)
    return make


@pytest.fixture
async def start_gateway():
    """Start a gateway from Settings; returns (channel, gateway). Everything is stopped after the test."""
    started = []

    async def start(settings: Settings):
        gateway = await build(settings)
        server, port, _ = await create_server(gateway.registrars, SERVICE_NAMES, port=0,
                                              extra_interceptors=gateway.interceptors, internal_token=None)
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        started.append((server, channel, gateway))
        return channel, gateway

    yield start
    for server, channel, gateway in started:
        await channel.close()
        await server.stop(0)
        await gateway.close()
