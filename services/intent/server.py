"""Intent service process: wiring only. `python -m services.intent.server`.

`build(settings)` assembles the service without binding a port, so tests and the gateway's tests can run it
in-process with services.common.grpc_server.create_server on port 0.
"""
from __future__ import annotations

import logging

from aimee.intent.v1 import intent_pb2, intent_pb2_grpc

from services.common.grpc_server import Built, run_engine
from services.common.llm import make_client
from services.intent.config import Settings
from services.intent.engine import IntentEngine
from services.intent.servicer import IntentServicer

SERVICE_NAME = intent_pb2.DESCRIPTOR.services_by_name["IntentService"].full_name
log = logging.getLogger("aimee.intent")


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
                 [SERVICE_NAME], cleanup)


def main() -> None:
    run_engine("intent", Settings, build)


if __name__ == "__main__":
    main()
