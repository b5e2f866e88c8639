"""Channels and stubs to the five engines, and the two ways the gateway calls them.

Both go through the client layer (engine_client.py: request id, internal token and deadline on every call;
one translation of failures):
- `invoke` for a pass-through or a call whose failure is the caller's answer: raises a domain error.
- `call_engine` for a fan-out branch: under a budget, result-or-degraded. It returns an `Outcome` instead
  of raising, so one slow or dead engine never fails the request; the reason travels into the answer as a
  degraded part.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc

from aimee.analytics.v1 import analytics_pb2_grpc
from aimee.intent.v1 import intent_pb2_grpc
from aimee.knowledge.v1 import knowledge_pb2_grpc
from aimee.solver.v1 import solver_pb2_grpc
from aimee.synthesis.v1 import synthesis_pb2_grpc
from services.common.cache import Cache
from services.gateway.config import Settings
from services.gateway.engine_client import engine_interceptors, translate

log = logging.getLogger("aimee.gateway")

ENGINES = ("intent", "analytics", "solver", "knowledge", "synthesis")


@dataclass
class Outcome:
    """What one engine call gave: a value, or the reason it is missing."""

    engine: str
    value: Any = None
    reason: str = ""
    code: str = "OK"
    elapsed_ms: float = 0.0
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.value is not None

    @property
    def status(self) -> str:
        if self.cached:
            return "cached"
        return "ok" if self.ok else "degraded"


class Budget:
    """The request's overall time budget; each engine call gets min(its own budget, what is left)."""

    def __init__(self, total_seconds: float):
        self.started = time.perf_counter()
        self.total = total_seconds

    def remaining(self) -> float:
        return max(0.0, self.total - (time.perf_counter() - self.started))

    def cap(self, engine_seconds: float) -> float:
        return max(0.0, min(engine_seconds, self.remaining()))

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000


class Engines:
    """Long-lived channels (one per engine) shared by every request, each behind the client interceptor."""

    def __init__(self, addresses: dict[str, str], internal_token: str = "", default_timeout: float = 10.0):
        options = [("grpc.keepalive_time_ms", 30000), ("grpc.enable_retries", 0)]
        interceptors = engine_interceptors(internal_token, default_timeout)
        self.addresses = addresses
        self.channels = {name: grpc.aio.insecure_channel(addr, options=options, interceptors=interceptors)
                         for name, addr in addresses.items()}
        self.intent = intent_pb2_grpc.IntentServiceStub(self.channels["intent"])
        self.analytics = analytics_pb2_grpc.AnalyticsServiceStub(self.channels["analytics"])
        self.solver = solver_pb2_grpc.SolverServiceStub(self.channels["solver"])
        self.knowledge = knowledge_pb2_grpc.KnowledgeServiceStub(self.channels["knowledge"])
        self.synthesis = synthesis_pb2_grpc.SynthesisServiceStub(self.channels["synthesis"])

    async def close(self) -> None:
        await asyncio.gather(*(ch.close() for ch in self.channels.values()), return_exceptions=True)


async def invoke(engine: str, rpc: Callable[..., Awaitable[Any]], request, timeout: float) -> Any:
    """One unary call to `engine` (`rpc` is a stub method); any failure is raised as the domain error
    `translate` gives."""
    try:
        return await rpc(request, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - translated in one place
        raise translate(exc, engine, timeout) from exc


async def call_engine(
    engine: str,
    invoke: Callable[[float], Awaitable[Any]],
    timeout: float,
    cache: Cache | None = None,
    cache_key: tuple[str, tuple] | None = None,
    parse: Callable[[bytes], Any] | None = None,
) -> Outcome:
    """Call one engine under `timeout`, optionally through the Redis cache; never raises."""
    started = time.perf_counter()
    key = None
    if cache is not None and cache_key is not None and parse is not None:
        # "gateway" keeps these protobuf entries apart from the engines' own JSON entries, which share the
        # namespace and could share the parts (analytics caches ("overview", site, date) too).
        namespace, parts = cache_key
        key, raw = await cache.safe_get_bytes((namespace, ("gateway", *parts)))
        if raw is not None:
            try:
                return Outcome(engine, parse(raw), elapsed_ms=(time.perf_counter() - started) * 1000, cached=True)
            except Exception:  # noqa: BLE001 - an unreadable entry is a miss, never a failed request
                log.warning("cache entry unreadable", extra={"fields": {"key": key}})
    if timeout <= 0:
        return Outcome(engine, reason="全体の制限時間を使い切ったため呼び出しませんでした", code="DEADLINE_EXCEEDED")
    try:
        value = await asyncio.wait_for(invoke(timeout), timeout + 0.25)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a degraded part
        error = translate(exc, engine, timeout)
        return Outcome(engine, reason=error.message, code=error.code,
                       elapsed_ms=(time.perf_counter() - started) * 1000)
    if key is not None:
        await cache.safe_set_bytes(key, value.SerializeToString())
    return Outcome(engine, value, elapsed_ms=(time.perf_counter() - started) * 1000)


class Passthrough:
    """Forward one call to an engine under its budget (at least the request budget, never past the caller's
    deadline); a failure is the domain error engine_client.translate gives."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def timeout(self, context, engine_budget: float) -> float:
        remaining = context.time_remaining()
        limit = max(engine_budget, self.settings.hybrid_timeout_seconds)
        return min(limit, remaining) if remaining is not None else limit

    async def __call__(self, context, engine: str, rpc, request, engine_budget: float):
        return await invoke(engine, rpc, request, self.timeout(context, engine_budget))
