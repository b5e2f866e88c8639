"""POST /api/v1/benchmark: runs the seed's standard requests and reports per-stage p50/p95.

Why the cache is named here: the gateway caches engine results, so as served every iteration after the first
is mostly cache hits and the percentiles would describe Redis, not the engines. Every run therefore lists the
stages that came from cache, the stats are also split into cold runs (no stage from cache) and cached runs,
and `bypass_cache` runs every iteration without the gateway's cache (engines' own caches, e.g. analytics,
still apply: they are part of what an uncached gateway request costs)."""
from __future__ import annotations

import statistics

from aimee.gateway.v1 import gateway_pb2
from services.common.errors import InvalidArgument

STANDARD_REQUESTS = (
    "現在のアラート件数は？",
    "横浜拠点の生産性トレンドは？",
    "横浜拠点のアラートを改善して",
    "明日の最適配置を提案して",
)
MAX_ITERATIONS = 50


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


def _stats(target, samples: dict[str, list[float]]) -> None:
    for stage, values in samples.items():
        target.add(stage=stage, p50_ms=round(_percentile(values, 50), 1),
                   p95_ms=round(_percentile(values, 95), 1), count=len(values))


async def run_benchmark(orchestrator, test_type: str, iterations: int,
                        bypass_cache: bool = False) -> gateway_pb2.RunBenchmarkResponse:
    if test_type != "full_performance":
        raise InvalidArgument("test_type は full_performance のみ指定できます")
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise InvalidArgument(f"iterations は 1〜{MAX_ITERATIONS} で指定してください")
    runner = orchestrator.without_cache() if bypass_cache else orchestrator
    response = gateway_pb2.RunBenchmarkResponse(test_type=test_type, iterations=iterations,
                                                requests=list(STANDARD_REQUESTS), bypass_cache=bypass_cache)
    groups: dict[str, dict[str, list[float]]] = {"all": {}, "cold": {}, "cached": {}}
    for iteration in range(1, iterations + 1):
        for query in STANDARD_REQUESTS:
            answer = await runner.answer(query)
            cached = [t.stage for t in answer.timings if t.status == "cached"]
            response.runs.add(iteration=iteration, request=query, total_ms=answer.processing_time_ms,
                              cached_stages=cached)
            for group in ("all", "cached" if cached else "cold"):
                samples = groups[group]
                samples.setdefault("total", []).append(answer.processing_time_ms)
                for timing in answer.timings:
                    samples.setdefault(timing.stage, []).append(timing.elapsed_ms)
    _stats(response.stages, groups["all"])
    _stats(response.cold_stages, groups["cold"])
    _stats(response.cached_stages, groups["cached"])
    return response
