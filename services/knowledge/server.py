"""Knowledge engine process: `python -m services.knowledge.server` (KNOWLEDGE_PORT, default 50054).

`build(settings)` wires everything (model loaded once, MySQL, Chroma, keyword index rebuilt from Chroma) and
is what tests and the gateway's tests use in-process; `main` runs it until SIGTERM.

Start-up seeding: when KNOWLEDGE_SEED_ON_START (default true) and the collection is empty, `build` starts
migrating the shipped know-how (knowledge/) in a background task; `KnowledgeApp.seeded()` waits for it. The
engine listens at once but reports SERVING only once a fresh mesh has its know-how
(first start only: ~5 s for the 57 shipped chunks on an idle 2-core machine; later starts find the collection
filled and skip it). While MySQL is down the engine listens but reports NOT_SERVING, and the seeding waits
for the database (retrying with backoff) instead of failing; SERVING follows once both are done.

`open_app` returns the KnowledgeApp (tests reach its service and seeding); `build` returns the common Built
that every engine's builder returns, and `main` is the shared engine main.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from aimee.knowledge.v1 import knowledge_pb2, knowledge_pb2_grpc
from services.common.db import ping
from services.common.errors import Unavailable
from services.common.grpc_server import Built, run_engine
from services.common.schema import SchemaGate
from services.knowledge.config import Settings
from services.knowledge.embedding import Embedder
from services.knowledge.migrate import invalidate_gateway_cache, migrate
from services.knowledge.runtime import Runtime, open_runtime
from services.knowledge.service import KnowledgeService
from services.knowledge.servicer import KnowledgeServicer

log = logging.getLogger("aimee.knowledge")
SERVICE_NAMES = [knowledge_pb2.DESCRIPTOR.services_by_name["KnowledgeService"].full_name]
SEED_RETRY_MAX_SECONDS = 2.0


@dataclass
class KnowledgeApp:
    settings: Settings
    runtime: Runtime
    registrars: list = field(default_factory=list)
    service_names: list[str] = field(default_factory=lambda: list(SERVICE_NAMES))
    seeding: asyncio.Task | None = None
    schema: SchemaGate | None = None  # pending migrations, run by the first probe that reaches MySQL

    @property
    def service(self) -> KnowledgeService:
        return self.runtime.service

    async def seeded(self) -> None:
        """Wait for the start-up seeding (no-op when there was none); re-raises its failure."""
        if self.seeding is not None:
            await asyncio.shield(self.seeding)

    def __iter__(self):
        return iter((self.registrars, self.service_names, self.cleanup))

    async def ready(self) -> None:
        """Raises until MySQL answers, the schema is current and the start-up seeding has finished."""
        await ping(self.service.pool)
        await self.schema.ensure()
        if self.seeding is not None and not self.seeding.done():
            raise Unavailable("ナレッジを初期登録しています")

    async def cleanup(self) -> None:
        if self.seeding is not None and not self.seeding.done():
            self.seeding.cancel()
            await asyncio.gather(self.seeding, return_exceptions=True)
        await self.runtime.close()


async def _seed(app: KnowledgeApp) -> None:
    delay = 0.25
    while True:
        try:
            await ping(app.service.pool)
            await app.schema.ensure()  # seed into the current schema
            break
        except Unavailable:  # MySQL not there yet: seed as soon as it answers
            await asyncio.sleep(delay)
            delay = min(SEED_RETRY_MAX_SECONDS, delay * 2)
    try:
        report = await migrate(app.service, app.settings.knowledge_dir)
        await invalidate_gateway_cache(app.settings)
        log.info("seeded shipped know-how", extra={"fields": {
            "documents": len(report.rows), "chunks": report.chunks, "seconds": round(report.seconds, 1)}})
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("seeding the shipped know-how failed; run `make migrate-knowledge`")
        raise


async def open_app(settings: Settings, embedder: Embedder | None = None) -> KnowledgeApp:
    """The engine with its runtime (tests reach its service and seeding); `build` wraps it for serving."""
    runtime = await open_runtime(settings, embedder)
    app = KnowledgeApp(settings=settings, runtime=runtime, schema=SchemaGate(settings.database_url))
    servicer = KnowledgeServicer(runtime.service)
    app.registrars = [lambda server: knowledge_pb2_grpc.add_KnowledgeServiceServicer_to_server(servicer, server)]
    if settings.seed_on_start and await runtime.service.chunk_count() == 0:
        app.seeding = asyncio.create_task(_seed(app), name="knowledge-seed")
        # A failed seed is logged by _seed; retrieve it here so asyncio does not warn when nobody awaits it.
        app.seeding.add_done_callback(lambda t: t.cancelled() or t.exception())
    return app


async def build(settings: Settings, embedder: Embedder | None = None) -> Built:
    app = await open_app(settings, embedder)
    # Listens at once; health says SERVING only when MySQL answers and the seeding is done (app.ready).
    return Built(app.registrars, app.service_names, app.cleanup, ready=app.ready)


def main() -> None:
    run_engine("knowledge", Settings, build)


if __name__ == "__main__":
    main()
