"""Gateway process: the public gRPC API (behind Envoy) plus the WebSocket bridge.

`build` wires everything and is what tests use in-process; `main` runs it until SIGTERM.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from aimee.gateway.v1 import gateway_pb2, gateway_pb2_grpc
from services.common import logs
from services.common.cache import Cache
from services.common.db import create_pool
from services.common.grpc_server import serve
from services.gateway.auth import BearerAuthInterceptor
from services.gateway.chat import ChatStore
from services.gateway.config import Settings
from services.gateway.engines import Engines
from services.gateway.health import HealthProbe
from services.gateway.orchestrator import Orchestrator
from services.gateway.rosters import RostersApiServicer
from services.gateway.servicer import (AiServicer, AlertsApiServicer, AnalyticsApiServicer, AssignmentsApiServicer,
                                       ChatApiServicer, KnowledgeApiServicer, MeshStatusServicer, Passthrough)
from services.gateway.ws import WebSocketBridge

log = logging.getLogger("aimee.gateway")
SERVICE_NAMES = [s.full_name for s in gateway_pb2.DESCRIPTOR.services_by_name.values()]


@dataclass
class Gateway:
    settings: Settings
    registrars: list = field(default_factory=list)
    orchestrator: Orchestrator | None = None
    bridge: WebSocketBridge | None = None
    _closers: list = field(default_factory=list)

    @property
    def interceptors(self):
        return [BearerAuthInterceptor(self.settings.api_tokens)]

    async def close(self) -> None:
        for close in reversed(self._closers):
            try:
                await close()
            except Exception as exc:  # noqa: BLE001 - shutdown continues
                log.warning("close failed", extra={"fields": {"error": str(exc)}})


async def build(settings: Settings) -> Gateway:
    s = settings
    pool = await create_pool(s.database_url, minsize=1, maxsize=5)
    cache = Cache(s.redis_url, prefix=s.cache_prefix, ttl_seconds=s.cache_ttl_seconds)
    engines = Engines({"intent": s.intent_addr, "analytics": s.analytics_addr, "solver": s.solver_addr,
                       "knowledge": s.knowledge_addr, "synthesis": s.synthesis_addr})
    orchestrator = Orchestrator(engines, s, cache)
    passthrough = Passthrough(s)
    chat = ChatStore(pool)
    probe = HealthProbe(engines, s, pool, cache)
    servicers = [
        (gateway_pb2_grpc.add_AiServiceServicer_to_server, AiServicer(orchestrator, s)),
        (gateway_pb2_grpc.add_KnowledgeApiServiceServicer_to_server, KnowledgeApiServicer(engines, passthrough, cache)),
        (gateway_pb2_grpc.add_AnalyticsApiServiceServicer_to_server, AnalyticsApiServicer(engines, passthrough)),
        (gateway_pb2_grpc.add_AlertsApiServiceServicer_to_server,
         AlertsApiServicer(engines, passthrough, orchestrator)),
        (gateway_pb2_grpc.add_AssignmentsApiServiceServicer_to_server,
         AssignmentsApiServicer(engines, passthrough, cache)),
        (gateway_pb2_grpc.add_ChatApiServiceServicer_to_server, ChatApiServicer(orchestrator, chat)),
        (gateway_pb2_grpc.add_MeshStatusServiceServicer_to_server, MeshStatusServicer(probe)),
        (gateway_pb2_grpc.add_RostersApiServiceServicer_to_server, RostersApiServicer(engines, passthrough)),
    ]
    gateway = Gateway(settings=s, orchestrator=orchestrator,
                      bridge=WebSocketBridge(orchestrator, chat, s.api_tokens))
    gateway.registrars = [lambda server, add=add, svc=svc: add(svc, server) for add, svc in servicers]

    async def close_pool():
        pool.close()
        await pool.wait_closed()

    gateway._closers = [close_pool, cache.close, engines.close]
    return gateway


async def _main() -> None:
    logs.setup("gateway")
    settings = Settings.from_env()
    gateway = await build(settings)
    ws_server = await gateway.bridge.start(settings.bind_host, settings.ws_port)
    log.info("websocket bridge listening", extra={"fields": {"address": f"{settings.bind_host}:{settings.ws_port}"}})

    async def shutdown():
        ws_server.close()
        await ws_server.wait_closed()
        await gateway.close()

    await serve("gateway", gateway.registrars, SERVICE_NAMES, settings.port, settings.bind_host,
                on_shutdown=shutdown, extra_interceptors=gateway.interceptors)


def main() -> None:
    asyncio.run(_main())


if __name__ == "__main__":
    main()
