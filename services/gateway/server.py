"""Gateway process: the public gRPC API (behind Envoy) plus the WebSocket bridge.

`build` wires everything and is what tests use in-process; `main` runs it until SIGTERM.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from aimee.gateway.v1 import gateway_pb2, gateway_pb2_grpc, imports_pb2_grpc
from services.common import logs
from services.common.cache import Cache
from services.common.db import create_pool
from services.common.grpc_auth import MissingToken
from services.common.sites import SiteDirectory
from services.common.grpc_server import serve
from services.common.schema import ready_with_schema
from services.gateway.auth import BearerAuthInterceptor
from services.gateway.chat import ChatStore
from services.gateway.config import Settings
from services.gateway.engines import Engines, Passthrough
from services.gateway.health import HealthProbe
from services.gateway.intake import IntakeInterceptor
from services.gateway.imports import SERVICE_NAME as IMPORTS_SERVICE_NAME, ImportsApiServicer
from services.gateway.orchestrator import Orchestrator
from services.gateway.rosters import RostersApiServicer
from services.gateway.servicer import (AiServicer, AlertsApiServicer, AnalyticsApiServicer, AssignmentsApiServicer,
                                       ChatApiServicer, KnowledgeApiServicer, MeshStatusServicer)
from services.gateway.ws import WebSocketBridge

log = logging.getLogger("aimee.gateway")
SERVICE_NAMES = [s.full_name for s in gateway_pb2.DESCRIPTOR.services_by_name.values()] + [IMPORTS_SERVICE_NAME]


@dataclass
class Gateway:
    settings: Settings
    registrars: list = field(default_factory=list)
    orchestrator: Orchestrator | None = None
    bridge: WebSocketBridge | None = None
    ready: object = None  # raises while MySQL (chat memory) does not answer: health NOT_SERVING
    _closers: list = field(default_factory=list)

    @property
    def interceptors(self):
        # Authentication first (an unauthenticated caller learns nothing about the limits), then intake.
        return [BearerAuthInterceptor(self.settings.api_tokens), IntakeInterceptor()]

    async def close(self) -> None:
        for close in reversed(self._closers):
            try:
                await close()
            except Exception as exc:  # noqa: BLE001 - shutdown continues
                log.warning("close failed", extra={"fields": {"error": str(exc)}})


async def build(settings: Settings) -> Gateway:
    s = settings
    pool = await create_pool(s.database_url, maxsize=s.db_pool_size)
    cache = Cache(s.redis_url, prefix=s.cache_prefix, ttl_seconds=s.cache_ttl_seconds)
    engines = Engines({"intent": s.intent_addr, "analytics": s.analytics_addr, "solver": s.solver_addr,
                       "knowledge": s.knowledge_addr, "synthesis": s.synthesis_addr},
                      internal_token=s.internal_token, default_timeout=s.hybrid_timeout_seconds)
    orchestrator = Orchestrator(engines, s, cache)
    passthrough = Passthrough(s)
    chat = ChatStore(pool)
    sites = SiteDirectory(pool)
    probe = HealthProbe(engines, s, pool, cache)
    servicers = [
        (gateway_pb2_grpc.add_AiServiceServicer_to_server, AiServicer(orchestrator, chat, sites)),
        (gateway_pb2_grpc.add_KnowledgeApiServiceServicer_to_server, KnowledgeApiServicer(engines, passthrough, cache)),
        (gateway_pb2_grpc.add_AnalyticsApiServiceServicer_to_server, AnalyticsApiServicer(engines, passthrough)),
        (gateway_pb2_grpc.add_AlertsApiServiceServicer_to_server,
         AlertsApiServicer(engines, passthrough, orchestrator, chat)),
        (gateway_pb2_grpc.add_AssignmentsApiServiceServicer_to_server,
         AssignmentsApiServicer(engines, passthrough, cache, sites)),
        (gateway_pb2_grpc.add_ChatApiServiceServicer_to_server, ChatApiServicer(orchestrator, chat)),
        (gateway_pb2_grpc.add_MeshStatusServiceServicer_to_server, MeshStatusServicer(probe)),
        (imports_pb2_grpc.add_ImportsApiServiceServicer_to_server, ImportsApiServicer(s, pool, engines)),
        (gateway_pb2_grpc.add_RostersApiServiceServicer_to_server, RostersApiServicer(engines, passthrough, cache)),
    ]
    gateway = Gateway(settings=s, orchestrator=orchestrator,
                      bridge=WebSocketBridge(orchestrator, chat, s.api_tokens))
    gateway.registrars = [lambda server, add=add, svc=svc: add(svc, server) for add, svc in servicers]
    gateway.ready = ready_with_schema(pool, s.database_url)

    async def close_pool():
        pool.close()
        await pool.wait_closed()

    gateway._closers = [close_pool, cache.close, engines.close, orchestrator.drain]  # closed in reverse
    return gateway


async def _main() -> None:
    logs.setup("gateway")
    settings = Settings.from_env()
    if not settings.internal_token:
        raise MissingToken("ゲートウェイに INTERNAL_TOKEN（または INTERNAL_TOKEN_FILE）が設定されていません。"
                           "エンジンと同じ値を設定してください")
    gateway = await build(settings)
    ws_server = await gateway.bridge.start(settings.bind_host, settings.ws_port)
    log.info("websocket bridge listening", extra={"fields": {"address": f"{settings.bind_host}:{settings.ws_port}"}})

    async def shutdown():
        ws_server.close()
        await ws_server.wait_closed()
        await gateway.close()

    await serve("gateway", gateway.registrars, SERVICE_NAMES, settings.port, settings.bind_host,
                on_shutdown=shutdown, extra_interceptors=gateway.interceptors, ready=gateway.ready, public=True)


def main() -> None:
    asyncio.run(_main())


if __name__ == "__main__":
    main()
