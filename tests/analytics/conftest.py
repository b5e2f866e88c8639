"""Analytics fixtures: a domain Deps on aimee_test (cache off unless a test brings its own) and an in-process
gRPC server built with services.analytics.server.build, both shared by the session."""
from __future__ import annotations

import dataclasses
import uuid

import pytest

from aimee.analytics.v1 import analytics_pb2_grpc
from services.common.db import create_pool

from services.analytics.cached import ResultCache
from services.analytics.config import Settings
from services.analytics.deps import Deps
from services.analytics.server import build
from tests.support.in_process import serving


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
    async with serving(await build(settings)) as channel:
        yield analytics_pb2_grpc.AnalyticsServiceStub(channel)

