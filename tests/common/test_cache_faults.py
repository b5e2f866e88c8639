"""The cache across a Redis outage (a TCP proxy in front of the real Redis) and with CACHE_TTL_SECONDS=0."""
from __future__ import annotations

import asyncio
import logging

import pytest
import redis.asyncio as redis

from services.common.cache import Cache
from tests.conftest import TEST_REDIS_URL
from tests.support.tcp_proxy import TcpProxy


@pytest.fixture
def redis_proxy():
    port = int(TEST_REDIS_URL.rsplit(":", 1)[1].split("/")[0])
    p = TcpProxy(port)
    p.open()
    yield p
    p.shutdown()


def _url(proxy: TcpProxy) -> str:
    return f"redis://127.0.0.1:{proxy.port}/{TEST_REDIS_URL.rsplit('/', 1)[1]}"


async def _store(cache: Cache, namespace: str, value: bytes) -> str:
    key, raw = await cache.safe_get_bytes((namespace, ("count",)))
    assert key is not None and raw is None
    await cache.safe_set_bytes(key, value)
    return key


async def test_failed_invalidation_leaves_no_stale_entry_after_redis_returns(redis_proxy, cache_prefix):
    writer = Cache(_url(redis_proxy), prefix=cache_prefix)
    reader = Cache(TEST_REDIS_URL, prefix=cache_prefix)  # another process: never saw the outage
    try:
        await _store(reader, "analytics:横浜", b"old count")
        assert (await reader.safe_get_bytes(("analytics:横浜", ("count",))))[1] == b"old count"
        redis_proxy.close()
        with pytest.raises(Exception):
            await writer.invalidate("analytics:横浜")  # the write's invalidation cannot reach Redis
        assert writer.suspect
        redis_proxy.open()
        for _ in range(100):  # the writer's healer bumps the epoch by itself as soon as Redis answers
            if not writer.suspect:
                break
            await asyncio.sleep(0.05)
        assert not writer.suspect
        assert (await reader.safe_get_bytes(("analytics:横浜", ("count",))))[1] is None
    finally:
        await writer.close()
        await reader.close()


async def test_a_reader_that_saw_the_outage_fails_closed(redis_proxy, cache_prefix):
    cache = Cache(_url(redis_proxy), prefix=cache_prefix)
    try:
        await _store(cache, "solver:品川", b"plan")
        redis_proxy.close()
        assert await cache.safe_get_bytes(("solver:品川", ("count",))) == (None, None)  # no key: nothing stored
        redis_proxy.open()
        key, raw = await cache.safe_get_bytes(("solver:品川", ("count",)))
        assert raw is None and key is not None  # the pre-outage entry is dead (new epoch)
    finally:
        await cache.close()


async def test_ttl_zero_means_no_cache(cache_prefix, caplog):
    cache = Cache(TEST_REDIS_URL, prefix=cache_prefix, ttl_seconds=0)
    plain = redis.from_url(TEST_REDIS_URL)
    try:
        with caplog.at_level(logging.WARNING, logger="aimee.cache"):
            key, raw = await cache.safe_get_bytes(("analytics:all", ("overview",)))
            await cache.safe_set_bytes(key or f"{cache_prefix}:analytics:all:x", b"value")
        assert raw is None and not caplog.records
        assert [k async for k in plain.scan_iter(f"{cache_prefix}:analytics:*")] == []
    finally:
        await plain.aclose()
        await cache.close()
