"""MySQL down and back, through a TCP proxy in front of the real server: the pool starts without it, every
lost connection is Unavailable naming the database (never a raw OperationalError), the pool heals by itself,
and a server whose readiness is the database ping flips NOT_SERVING → SERVING → NOT_SERVING on its own."""
from __future__ import annotations

import asyncio
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common import grpc_server
from services.common.db import create_pool, fetch_one, is_database_message, ping
from services.common.errors import Unavailable
from tests.conftest import TEST_DATABASE
from tests.support.tcp_proxy import TcpProxy


@pytest.fixture
def proxy():
    p = TcpProxy(3306)
    yield p
    p.shutdown()


def _url(proxy: TcpProxy) -> str:
    return f"mysql://root@127.0.0.1:{proxy.port}/{TEST_DATABASE}"


async def test_pool_starts_while_mysql_is_down_and_heals(proxy, database_url):
    db = await create_pool(_url(proxy), maxsize=2)  # nothing listens yet: must not raise
    try:
        with pytest.raises(Unavailable) as down:
            await fetch_one(db, "SELECT 1 AS ok")
        assert f"データベース({TEST_DATABASE})に接続できません" in down.value.message
        assert is_database_message(down.value.message)
        proxy.open()
        assert (await fetch_one(db, "SELECT COUNT(*) AS n FROM locations"))["n"] > 0
        proxy.close()  # lost mid-run: the pooled connection is cut
        with pytest.raises(Unavailable):
            await fetch_one(db, "SELECT COUNT(*) AS n FROM locations")
        with pytest.raises(Unavailable):  # and a new connection is refused
            await ping(db)
        proxy.open()
        await ping(db)  # same pool, no restart
    finally:
        db.close()
        await db.wait_closed()


async def test_sql_errors_stay_what_they_are(database_url):
    db = await create_pool(database_url, maxsize=1)
    try:
        with pytest.raises(Exception) as err:
            await fetch_one(db, "SELECT no_such_column FROM locations")
        assert not isinstance(err.value, Unavailable)  # a bug in SQL is not "the database is down"
    finally:
        db.close()
        await db.wait_closed()


async def test_health_follows_the_database(proxy, database_url, monkeypatch):
    monkeypatch.setattr(grpc_server, "READY_INTERVAL", 0.2)
    db = await create_pool(_url(proxy), maxsize=2)
    server, port, health = await grpc_server.create_server([], ["test.Db"], port=0, ready=lambda: ping(db),
                                                        internal_token=None)
    watcher = asyncio.create_task(grpc_server.watch_readiness(health, ["test.Db"], lambda: ping(db), "test"))
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    stub = health_pb2_grpc.HealthStub(channel)

    async def status_becomes(expected, within: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < within:
            for service in ("", "test.Db"):
                resp = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=2)
                if resp.status != expected:
                    break
            else:
                return time.monotonic() - started
            await asyncio.sleep(0.05)
        raise AssertionError(f"health did not become {expected} within {within}s")

    try:
        NOT_SERVING, SERVING = health_pb2.HealthCheckResponse.NOT_SERVING, health_pb2.HealthCheckResponse.SERVING
        await status_becomes(NOT_SERVING, 1)
        await asyncio.sleep(1.5)  # stays down while MySQL is down
        await status_becomes(NOT_SERVING, 0.1)
        proxy.open()
        recovered = await status_becomes(SERVING, grpc_server.READY_BACKOFF_MAX + 2)
        assert recovered <= grpc_server.READY_BACKOFF_MAX + 1
        proxy.close()
        await status_becomes(NOT_SERVING, 3)
        proxy.open()
        await status_becomes(SERVING, grpc_server.READY_BACKOFF_MAX + 2)
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        await channel.close()
        await server.stop(0)
        db.close()
        await db.wait_closed()
