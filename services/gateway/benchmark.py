"""POST /api/v1/benchmark: runs the seed's standard requests and reports per-stage p50/p95."""
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


async def run_benchmark(orchestrator, test_type: str, iterations: int) -> gateway_pb2.RunBenchmarkResponse:
    if test_type != "full_performance":
        raise InvalidArgument("test_type は full_performance のみ指定できます")
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise InvalidArgument(f"iterations は 1〜{MAX_ITERATIONS} で指定してください")
    samples: dict[str, list[float]] = {}
    for _ in range(iterations):
        for query in STANDARD_REQUESTS:
            answer = await orchestrator.answer(query)
            samples.setdefault("total", []).append(answer.processing_time_ms)
            for timing in answer.timings:
                samples.setdefault(timing.stage, []).append(timing.elapsed_ms)
    response = gateway_pb2.RunBenchmarkResponse(test_type=test_type, iterations=iterations,
                                                requests=list(STANDARD_REQUESTS))
    for stage, values in samples.items():
        response.stages.add(stage=stage, p50_ms=round(_percentile(values, 50), 1),
                            p95_ms=round(_percentile(values, 95), 1), count=len(values))
    return response
