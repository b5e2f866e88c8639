"""bench/mesh_bench.py measures "cold" by bumping the mesh's cache namespaces: it must bump them under the
CACHE_PREFIX the mesh runs with, or every "cold" request is a cache hit."""
from __future__ import annotations

from bench.mesh_bench import bust, mesh_cache
from services.common import cache_names


async def test_bust_bumps_the_configured_prefix(redis_url, cache_prefix, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("CACHE_PREFIX", cache_prefix)
    cache = mesh_cache()
    try:
        assert cache.prefix == cache_prefix
        before = await cache.key(cache_names.analytics("横浜"), "overview")
        await bust(cache)
        after = await cache.key(cache_names.analytics("横浜"), "overview")
        assert before != after and after.startswith(f"{cache_prefix}:{cache_names.analytics('横浜')}:") and ":g1:" in after
    finally:
        await cache.close()
