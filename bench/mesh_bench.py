"""End-to-end latency through Envoy: p50/p95 of /api/v1/ai/query and /api/v1/ai/optimize on a running mesh.

`python -m bench.mesh_bench [--base http://127.0.0.1:8000] [--n 30]` (start the mesh with `make up` first).
Each request is measured warm (Redis cache hit on engine results) and cold (cache namespaces bumped first,
under the mesh's CACHE_PREFIX read from the same environment as the mesh, so every engine really runs),
which brackets what a manager sees. The response's timings say which stages were cache hits: a "cold" run
that still has one is reported, not silently averaged in.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

from services.common import cache_names
from services.common.cache import Cache
from services.common.config import cache_prefix, redis_url

REQUESTS = (
    ("/api/v1/ai/query", "現在のアラート件数は？"),
    ("/api/v1/ai/query", "横浜拠点の生産性トレンドは？"),
    ("/api/v1/ai/optimize", "横浜拠点のアラートを改善して"),
    ("/api/v1/ai/optimize", "明日の最適配置を提案して"),
)
SITES = ("横浜", "品川", "札幌", "大阪", "佐世保")


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def mesh_cache() -> Cache:
    """The mesh's cache as the gateway sees it: same REDIS_URL and CACHE_PREFIX (services.common.config)."""
    return Cache(redis_url(), prefix=cache_prefix())


async def bust(cache: Cache) -> None:
    await cache.invalidate(*cache_names.site_data(SITES), cache_names.KNOWLEDGE)


async def run(base: str, n: int) -> None:
    cache = mesh_cache()
    print(f"cache prefix {cache.prefix!r}; 'hit runs' = requests with any stage answered from the gateway cache")
    print(f"{'endpoint':<22} {'query':<28} {'mode':<5} {'p50 ms':>8} {'p95 ms':>8} {'server p50':>10} {'hit runs':>8}")
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for path, query in REQUESTS:
            for mode in ("warm", "cold"):
                wall, server, hits = [], [], 0
                for _ in range(n):
                    if mode == "cold":
                        await bust(cache)
                    started = time.perf_counter()
                    resp = await client.post(path, json={"query": query})
                    wall.append((time.perf_counter() - started) * 1000)
                    resp.raise_for_status()
                    body = resp.json()
                    server.append(body["processing_time_ms"])
                    hits += any(t.get("status") == "cached" for t in body.get("timings", []))
                print(f"{path:<22} {query:<28} {mode:<5} {pct(wall, 50):>8.1f} {pct(wall, 95):>8.1f} "
                      f"{pct(server, 50):>10.1f} {hits:>5}/{n}")
    await cache.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.mesh_bench")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(run(args.base, args.n))


if __name__ == "__main__":
    main()
