"""Migrations at engine start: an engine pointed at a database one migration behind brings it forward from its
readiness probe, reports SERVING only once that migration is in, and still starts (NOT_SERVING) and heals
while MySQL is down."""
from __future__ import annotations

import asyncio
import dataclasses
import re
import shutil
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from db.connect import connect, drop_database
from db.migrate import LOCK_NAME, discover, migrate, schema_version
from services.analytics.config import Settings as AnalyticsSettings
from services.analytics.server import build as build_analytics
from services.common import grpc_server
from services.common.db import with_database
from services.common.schema import SchemaGate
from services.common.errors import Unavailable
from tests.conftest import TEST_DATABASE, TEST_DATABASE_URL
from tests.support.tcp_proxy import TcpProxy

DB = f"{TEST_DATABASE}_old"
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


@pytest.fixture
def older_db(tmp_path):
    """DB at the schema version before the latest migration (as a restored older backup would be)."""
    *older, latest = discover()
    for m in older:
        shutil.copy(m.path, tmp_path / m.path.name)
    drop_database(DB)
    migrate(DB, directory=tmp_path)
    assert schema_version(DB) == older[-1].version
    yield latest
    drop_database(DB)


def _tables_of(migration) -> set[str]:
    if migration.path.suffix != ".sql":
        return set()
    return set(re.findall(r"CREATE TABLE IF NOT EXISTS `?(\w+)", migration.path.read_text(encoding="utf-8")))


def _tables(database: str) -> set[str]:
    with connect(database=database) as conn, conn.cursor() as cur:
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
        return {r[0] for r in cur.fetchall()}


async def _status(stub) -> int:
    return (await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=2)).status


async def test_engine_serves_only_after_the_missing_migration(older_db, monkeypatch):
    latest = older_db
    new_tables = _tables_of(latest)
    assert not new_tables & _tables(DB)
    monkeypatch.setattr(grpc_server, "READY_INTERVAL", 0.2)
    settings = dataclasses.replace(AnalyticsSettings.from_env(), database_url=with_database(TEST_DATABASE_URL, DB),
                                   port=0, alert_detection_interval_seconds=0, cache_enabled=False)
    built = await build_analytics(settings)
    server, port, health = await grpc_server.create_server(
        built.registrars, built.service_names, port=0, ready=built.ready, internal_token=None)
    # Another runner holds the migration lock: the engine must wait for it, not serve an old schema.
    holder = connect(database=DB, autocommit=True)
    with holder.cursor() as cur:
        cur.execute("SELECT GET_LOCK(%s, 0)", (LOCK_NAME,))
        assert cur.fetchone()[0] == 1
    watcher = asyncio.create_task(grpc_server.watch_readiness(health, built.service_names, built.ready, "t"))
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    stub = health_pb2_grpc.HealthStub(channel)
    try:
        await asyncio.sleep(1.5)
        assert await _status(stub) == NOT_SERVING
        assert schema_version(DB) < latest.version
        with holder.cursor() as cur:
            cur.execute("SELECT RELEASE_LOCK(%s)", (LOCK_NAME,))
        deadline = time.monotonic() + 30
        while await _status(stub) != SERVING:
            assert time.monotonic() < deadline, "engine never reported SERVING after the lock was released"
            await asyncio.sleep(0.1)
        assert schema_version(DB) == latest.version
        assert new_tables <= _tables(DB)
    finally:
        holder.close()
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        await channel.close()
        await server.stop(0)
        await built.cleanup()


async def test_gate_is_unavailable_while_mysql_is_down_and_runs_once_back(database_url):
    proxy = TcpProxy(3306)
    try:
        gate = SchemaGate(f"mysql://root@127.0.0.1:{proxy.port}/{TEST_DATABASE}")
        with pytest.raises(Unavailable):  # down: a 503-style "not yet", never a crash of the engine
            await gate.ensure()
        assert gate.report is None
        proxy.open()
        await gate.ensure()
        assert gate.report["version"] == discover()[-1].version
        first = gate.report
        await gate.ensure()  # once per process: no second run
        assert gate.report is first
    finally:
        proxy.shutdown()
