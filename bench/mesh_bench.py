"""End-to-end latency through Envoy: p50/p95 of /api/v1/ai/query and /api/v1/ai/optimize on a running mesh.

`python -m bench.mesh_bench [--base http://127.0.0.1:8000] [--n 30]` (start the mesh with `make up` first).
Each request is measured warm (Redis cache hit on engine results) and cold (cache namespaces bumped first,
so every engine really runs), which brackets what a manager sees.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

from services.common.cache import Cache
from services.common.config import redis_url

REQUESTS = (
    ("/api/v1/ai/query", "現在のアラート件数は？"),
    ("/api/v1/ai/query", "横浜拠点の生産性トレンドは？"),
    ("/api/v1/ai/optimize", "横浜拠点のアラートを改善して"),
    ("/api/v1/ai/optimize", "明日の最適配置を提案して"),
)
SITES = ("横浜", "品川", "札幌", "大阪", "佐世保")


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def bust(cache: Cache) -> None:
    await cache.invalidate("analytics:all", "knowledge", *(f"analytics:{s}" for s in SITES),
                           *(f"solver:{s}" for s in SITES))


async def run(base: str, n: int) -> None:
    cache = Cache(redis_url())
    print(f"{'endpoint':<22} {'query':<28} {'mode':<5} {'p50 ms':>8} {'p95 ms':>8} {'server p50':>10}")
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for path, query in REQUESTS:
            for mode in ("warm", "cold"):
                wall, server = [], []
                for _ in range(n):
                    if mode == "cold":
                        await bust(cache)
                    started = time.perf_counter()
                    resp = await client.post(path, json={"query": query})
                    wall.append((time.perf_counter() - started) * 1000)
                    resp.raise_for_status()
                    server.append(resp.json()["processing_time_ms"])
                print(f"{path:<22} {query:<28} {mode:<5} {pct(wall, 50):>8.1f} {pct(wall, 95):>8.1f} "
                      f"{pct(server, 50):>10.1f}")
    await cache.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.mesh_bench")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(run(args.base, args.n))


if __name__ == "__main__":
    main()
