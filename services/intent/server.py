"""Intent service process: wiring only. `python -m services.intent.server`.

`build(settings)` assembles the service without binding a port, so tests and the gateway's tests can run it
in-process with services.common.grpc_server.create_server on port 0.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aimee.intent.v1 import intent_pb2, intent_pb2_grpc

from services.common import grpc_server, logs
from services.common.grpc_server import Registrar
from services.common.llm import make_client
from services.intent.config import Settings
from services.intent.engine import IntentEngine
from services.intent.servicer import IntentServicer

SERVICE_NAME = intent_pb2.DESCRIPTOR.services_by_name["IntentService"].full_name
log = logging.getLogger("aimee.intent")


@dataclass(frozen=True)
class Built:
    registrars: list[Registrar]
    service_names: list[str]
    cleanup: Callable[[], Awaitable[None]]
    engine: IntentEngine


async def build(settings: Settings) -> Built:
    llm = make_client(settings.llm_provider, settings.light_host, settings.light_port, settings.intent_model,
                      keep_alive=settings.keep_alive, api_key=settings.llm_api_key)
    engine = IntentEngine(llm, threshold=settings.simple_task_threshold, llm_timeout=settings.llm_timeout_seconds)
    servicer = IntentServicer(engine)

    async def cleanup() -> None:
        if llm is not None:
            await llm.aclose()

    log.info("intent engine ready", extra={"fields": {
        "llm": llm.name if llm else "none (rules only)", "threshold": settings.simple_task_threshold,
        "llm_timeout_seconds": settings.llm_timeout_seconds}})
    return Built([lambda server: intent_pb2_grpc.add_IntentServiceServicer_to_server(servicer, server)],
                 [SERVICE_NAME], cleanup, engine)


async def run(settings: Settings) -> None:
    built = await build(settings)
    await grpc_server.serve("intent", built.registrars, built.service_names, settings.port, settings.bind_host,
                            on_shutdown=built.cleanup)


def main() -> None:
    logs.setup("intent")
    asyncio.run(run(Settings.from_env()))


if __name__ == "__main__":
    main()
