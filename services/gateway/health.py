"""/health: probes every engine (gRPC health), MySQL, Redis and Chroma in parallel, each with a short timeout.

Under the local supervisor (AIMEE_SUPERVISOR_STATE names its mesh.json) a `supervisor` component reports
children it has given up restarting, so a crash-looping engine is visible here and not only in its log.
"""
from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

from aimee.gateway.v1 import gateway_pb2
from services.common.cache import Cache
from services.common.db import ping
from services.gateway.config import Settings
from services.gateway.engines import ENGINES, Engines

PROBE_TIMEOUT = 1.0


async def _timed(name: str, probe) -> gateway_pb2.ComponentHealth:
    started = time.perf_counter()
    try:
        detail = await asyncio.wait_for(probe(), PROBE_TIMEOUT)
        status = "ok"
    except Exception as exc:  # noqa: BLE001 - a failed probe is reported, not raised
        detail, status = f"{type(exc).__name__}: {exc}"[:300], "down"
    return gateway_pb2.ComponentHealth(name=name, status=status, detail=str(detail or ""),
                                       latency_ms=round((time.perf_counter() - started) * 1000, 1))


class HealthProbe:
    def __init__(self, engines: Engines, settings: Settings, pool, cache: Cache | None):
        self.engines, self.settings, self.pool, self.cache = engines, settings, pool, cache
        self.health_stubs = {name: health_pb2_grpc.HealthStub(engines.channels[name]) for name in ENGINES}

    def _engine_probe(self, name: str):
        async def probe():
            resp = await self.health_stubs[name].Check(health_pb2.HealthCheckRequest(service=""),
                                                       timeout=PROBE_TIMEOUT)
            if resp.status != health_pb2.HealthCheckResponse.SERVING:
                raise RuntimeError(health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status))
            return self.engines.addresses[name]
        return probe

    async def _mysql(self):
        await ping(self.pool)
        return f"{self.pool.name} reachable"

    async def _supervisor(self):
        state = json.loads(Path(self.settings.supervisor_state).read_text(encoding="utf-8"))
        children = state.get("children", {})
        given_up = [f"{name} (restarts {info.get('restarts', 0)}, log {info.get('log', '')})"
                    for name, info in children.items() if info.get("given_up")]
        if given_up:
            raise RuntimeError("再起動を諦めたプロセス: " + ", ".join(given_up))
        return f"{len(children)} processes supervised"

    async def _redis(self):
        if self.cache is None:
            raise RuntimeError("cache not configured")
        await self.cache.ping()
        return "PONG"

    async def _chroma(self):
        if self.settings.chromadb_host:
            url = f"http://{self.settings.chromadb_host}:{self.settings.chromadb_port}/api/v2/heartbeat"
            async with httpx.AsyncClient(timeout=PROBE_TIMEOUT) as client:
                (await client.get(url)).raise_for_status()
            return f"server {self.settings.chromadb_host}:{self.settings.chromadb_port}"
        await self._engine_probe("knowledge")()
        return "embedded (PersistentClient in the knowledge engine)"

    async def check(self) -> gateway_pb2.GetHealthResponse:
        probes = [(name, self._engine_probe(name)) for name in ENGINES]
        probes += [("mysql", self._mysql), ("redis", self._redis), ("chroma", self._chroma)]
        if self.settings.supervisor_state:
            probes.append(("supervisor", self._supervisor))
        components = await asyncio.gather(*(_timed(name, probe) for name, probe in probes))
        status = "ok" if all(c.status == "ok" for c in components) else "degraded"
        return gateway_pb2.GetHealthResponse(status=status, components=components, version="2.0.0")
