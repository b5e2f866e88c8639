"""Shared fixtures: the suite's own database (never the demo's aimee_db), Redis db 15, free ports."""
from __future__ import annotations

import os
import socket
import uuid

import pytest

# Tests start child processes (supervisor, mesh, proxies) from a process that also runs gRPC threads. gRPC's
# fork handlers then abort a forked child now and then (SIGABRT before exec); the children exec at once
# and need none of them. Set before anything imports grpc.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

TEST_DATABASE = os.environ.get("AIMEE_TEST_DATABASE", "aimee_test")
BASE_URL = os.environ.get("AIMEE_TEST_MYSQL", "mysql://root@127.0.0.1:3306")
TEST_DATABASE_URL = f"{BASE_URL}/{TEST_DATABASE}"
TEST_REDIS_URL = os.environ.get("AIMEE_TEST_REDIS", "redis://127.0.0.1:6379/15")


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port free now and not handed out before in this session. Binding port 0 again right after a
    socket closed can return the same port (a CI run gave the intent engine and the web server both
    41087, and the mesh never became healthy), so every port a fixture takes is distinct."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


@pytest.fixture(scope="session")
def database_url() -> str:
    """aimee_test with the deterministic sample data and the alerts detection finds in it, once per session."""
    import asyncio

    from db.load import load_sample
    from services.analytics.backfill import backfill

    load_sample(TEST_DATABASE, seed=42)
    asyncio.run(backfill(TEST_DATABASE_URL, TEST_REDIS_URL, days=14, cache_prefix="aimee-test-load"))
    os.environ["DATABASE_URL"] = TEST_DATABASE_URL
    return TEST_DATABASE_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    os.environ["REDIS_URL"] = TEST_REDIS_URL
    return TEST_REDIS_URL


@pytest.fixture
def cache_prefix() -> str:
    """A fresh key prefix per test so cached values never leak between tests."""
    return f"aimee-test-{uuid.uuid4().hex[:8]}"
