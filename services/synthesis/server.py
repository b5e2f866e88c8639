"""Synthesis service process: wiring only. `python -m services.synthesis.server`.

`build(settings)` assembles the service without binding a port, so tests and the gateway's tests can run it
in-process with services.common.grpc_server.create_server on port 0. `llm` may be passed to inject a client
(tests); by default it is made from the settings (none when OLLAMA_MAIN_HOST is empty).
"""
from __future__ import annotations

import logging

from aimee.synthesis.v1 import synthesis_pb2, synthesis_pb2_grpc

from services.common.grpc_server import Built, run_engine
from services.common.llm import make_client
from services.synthesis.composer import Composer
from services.synthesis.config import Settings
from services.synthesis.servicer import SynthesisServicer

SERVICE_NAME = synthesis_pb2.DESCRIPTOR.services_by_name["SynthesisService"].full_name
log = logging.getLogger("aimee.synthesis")
_FROM_SETTINGS = object()


async def build(settings: Settings, llm=_FROM_SETTINGS) -> Built:
    if llm is _FROM_SETTINGS:
        llm = make_client(settings.llm_provider, settings.main_host, settings.main_port, settings.main_model,
                          keep_alive=settings.keep_alive, api_key=settings.llm_api_key) if settings.llm_enabled else None
    composer = Composer(llm, llm_timeout=settings.llm_timeout_seconds, streaming=settings.streaming)
    servicer = SynthesisServicer(composer)

    async def cleanup() -> None:
        if llm is not None and hasattr(llm, "aclose"):
            await llm.aclose()

    log.info("synthesis engine ready", extra={"fields": {
        "llm": llm.name if llm is not None else "none (deterministic writer)",
        "llm_timeout_seconds": settings.llm_timeout_seconds, "streaming": settings.streaming}})
    return Built([lambda server: synthesis_pb2_grpc.add_SynthesisServiceServicer_to_server(servicer, server)],
                 [SERVICE_NAME], cleanup)


def main() -> None:
    run_engine("synthesis", Settings, build)


if __name__ == "__main__":
    main()
