"""Analytics fixtures: a domain Deps on aimee_test (cache off unless a test brings its own) and an in-process
gRPC server built with services.analytics.server.build, both shared by the session."""
from __future__ import annotations

import dataclasses
import uuid

import grpc
import pytest

from aimee.analytics.v1 import analytics_pb2_grpc
from services.common.db import create_pool
from services.common.grpc_server import create_server

from services.analytics.cached import ResultCache
from services.analytics.config import Settings
from services.analytics.deps import Deps
from services.analytics.server import build


@pytest.fixture(scope="session")
async def pool(database_url):
    p = await create_pool(database_url, maxsize=8)
    yield p
    p.close()
    await p.wait_closed()


@pytest.fixture(scope="session")
async def deps(pool) -> Deps:
    """Domain dependencies without a cache: every call reads MariaDB."""
    return Deps.create(pool, ResultCache(None))


@pytest.fixture(scope="session")
async def stub(database_url, redis_url):
    settings = dataclasses.replace(
        Settings.from_env(), database_url=database_url, redis_url=redis_url, port=0,
        cache_prefix=f"aimee-test-analytics-{uuid.uuid4().hex[:8]}", alert_detection_interval_seconds=0)
    registrars, names, cleanup = await build(settings)
    server, port, _ = await create_server(registrars, names, port=0)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    yield analytics_pb2_grpc.AnalyticsServiceStub(channel)
    await channel.close()
    await server.stop(0)
    await cleanup()

