"""Solver test fixtures: the engine served in-process on port 0 against the sample database."""
from __future__ import annotations

import os
import tempfile

# Hypothesis keeps a cache directory; keep it out of the repository (set before hypothesis is imported).
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "aimee-hypothesis"))

import dataclasses
import datetime as dt
import uuid

import pytest

from aimee.solver.v1 import solver_pb2_grpc
from services.common.db import create_pool
from services.solver.config import Settings
from services.solver.server import build
from tests.support.in_process import serving


@pytest.fixture(scope="session")
def solver_cache_prefix() -> str:
    return f"aimee-test-solver-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def solver_settings(database_url, redis_url, solver_cache_prefix) -> Settings:
    return dataclasses.replace(Settings.from_env(), database_url=database_url, redis_url=redis_url, port=0,
                               cache_prefix=solver_cache_prefix, time_limit_seconds=10.0)


@pytest.fixture(scope="session")
async def solver_pool(database_url):
    p = await create_pool(database_url, maxsize=8)
    yield p
    p.close()
    await p.wait_closed()


@pytest.fixture(scope="session")
async def solver_stub(solver_settings):
    async with serving(await build(solver_settings)) as channel:
        yield solver_pb2_grpc.SolverServiceStub(channel)


@pytest.fixture(scope="session")
async def server_today(solver_pool) -> dt.date:
    """CURDATE() of the database: the sample data is laid out relative to it."""
    from services.common.db import fetch_one
    return (await fetch_one(solver_pool, "SELECT CURDATE() AS d"))["d"]
