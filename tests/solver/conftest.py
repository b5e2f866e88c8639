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
from services.common.db import create_pool, execute, fetch_one
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


@pytest.fixture
async def target(solver_pool, server_today):
    """A stored assignment of tomorrow at 横浜 whose employee is certified for another process; restored after."""
    row = await fetch_one(
        solver_pool,
        "SELECT da.*, p.process_name, other.process_name AS other_process FROM daily_assignments da "
        "JOIN processes p ON p.process_id = da.process_id "
        "JOIN employee_skills es ON es.employee_id = da.employee_id AND es.process_id <> da.process_id "
        "JOIN processes other ON other.process_id = es.process_id AND es.skill_level >= other.min_skill_level "
        "WHERE da.location_id = 1 AND da.assignment_date = %s AND da.time_block = 'morning' "
        "AND da.status = 'planned' ORDER BY da.assignment_id LIMIT 1", (server_today + dt.timedelta(days=1),))
    assert row is not None
    before_max = (await fetch_one(solver_pool, "SELECT COALESCE(MAX(adjustment_id), 0) AS m FROM assignment_adjustments"))["m"]
    yield row
    await execute(solver_pool, "DELETE FROM assignment_adjustments WHERE adjustment_id > %s", (before_max,))
    await execute(solver_pool, "UPDATE daily_assignments SET process_id = %s, time_block = %s, planned_hours = %s, "
                               "status = %s, source = %s, version = %s, updated_at = %s WHERE assignment_id = %s",
                  (row["process_id"], row["time_block"], row["planned_hours"], row["status"], row["source"],
                   row["version"], row["updated_at"], row["assignment_id"]))
