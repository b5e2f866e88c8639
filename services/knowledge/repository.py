"""MySQL side of the knowledge engine: knowledge_documents and rag_context. Every statement parameterised.

A document and its mirrored rag_context rows change together, in one transaction, so a failure never
leaves a document without its context rows (or rows pointing at a document that is gone).
"""
from __future__ import annotations

from collections.abc import Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiomysql

from services.common.db import execute, fetch_all, fetch_one
from services.knowledge.models import ContextRow


@dataclass(frozen=True)
class DocumentRow:
    doc_id: str
    title: str
    category: str
    location_id: int | None
    source: str
    chunk_count: int
    content_hash: str


@dataclass(frozen=True)
class NewContext:
    context_type: str
    context_key: str
    context_value: str
    relevance_score: float
    location_id: int | None
    doc_id: str | None = None


_DOC_COLUMNS = "doc_id, title, category, location_id, source, chunk_count, content_hash"
_CTX_COLUMNS = "context_id, context_type, context_key, context_value, relevance_score, use_count"


def _document(row: dict | None) -> DocumentRow | None:
    return DocumentRow(**row) if row else None


def _context(row: dict) -> ContextRow:
    return ContextRow(int(row["context_id"]), row["context_type"], row["context_key"], row["context_value"],
                      float(row["relevance_score"]), int(row["use_count"]))


@asynccontextmanager
async def _transaction(pool: aiomysql.Pool):
    async with pool.acquire() as conn:
        await conn.begin()
        try:
            async with conn.cursor() as cur:
                yield cur
            await conn.commit()
        except BaseException:
            await conn.rollback()
            raise


async def document_by_source(pool: aiomysql.Pool, source: str) -> DocumentRow | None:
    return _document(await fetch_one(pool, f"SELECT {_DOC_COLUMNS} FROM knowledge_documents WHERE source = %s",
                                     (source,)))


async def document_by_id(pool: aiomysql.Pool, doc_id: str) -> DocumentRow | None:
    return _document(await fetch_one(pool, f"SELECT {_DOC_COLUMNS} FROM knowledge_documents WHERE doc_id = %s",
                                     (doc_id,)))


async def documents_with_source_prefix(pool: aiomysql.Pool, prefix: str) -> list[DocumentRow]:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = await fetch_all(pool, f"SELECT {_DOC_COLUMNS} FROM knowledge_documents WHERE source LIKE %s",
                           (escaped + "%",))
    return [DocumentRow(**r) for r in rows]


async def save_document(pool: aiomysql.Pool, doc: DocumentRow, context: Sequence[NewContext]) -> None:
    """Replace whatever is stored under this doc_id or source by `doc` and its context rows."""
    async with _transaction(pool) as cur:
        await cur.execute("SELECT doc_id FROM knowledge_documents WHERE doc_id = %s OR source = %s FOR UPDATE",
                          (doc.doc_id, doc.source))
        old_ids = {row[0] for row in await cur.fetchall()} | {doc.doc_id}
        for old in old_ids:
            await cur.execute("DELETE FROM rag_context WHERE doc_id = %s", (old,))
            await cur.execute("DELETE FROM knowledge_documents WHERE doc_id = %s", (old,))
        await cur.execute(
            f"INSERT INTO knowledge_documents ({_DOC_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (doc.doc_id, doc.title, doc.category, doc.location_id, doc.source, doc.chunk_count, doc.content_hash))
        if context:
            await cur.executemany(
                "INSERT INTO rag_context (context_type, context_key, context_value, relevance_score, "
                "location_id, doc_id) VALUES (%s, %s, %s, %s, %s, %s)",
                [(c.context_type, c.context_key, c.context_value, c.relevance_score, c.location_id, c.doc_id)
                 for c in context])


async def delete_document(pool: aiomysql.Pool, doc_id: str) -> tuple[bool, int]:
    """(document row existed, rag_context rows removed)."""
    async with _transaction(pool) as cur:
        context_rows = await cur.execute("DELETE FROM rag_context WHERE doc_id = %s", (doc_id,))
        documents = await cur.execute("DELETE FROM knowledge_documents WHERE doc_id = %s", (doc_id,))
    return bool(documents), int(context_rows)


async def insert_context(pool: aiomysql.Pool, ctx: NewContext) -> int:
    return int(await execute(
        pool, "INSERT INTO rag_context (context_type, context_key, context_value, relevance_score, location_id, "
              "doc_id) VALUES (%s, %s, %s, %s, %s, %s)",
        (ctx.context_type, ctx.context_key, ctx.context_value, ctx.relevance_score, ctx.location_id, ctx.doc_id)))


async def mark_used(pool: aiomysql.Pool, context_ids: Sequence[int]) -> int:
    placeholders = ", ".join(["%s"] * len(context_ids))
    async with pool.acquire() as conn:
        async with conn.cursor() as cur:
            return int(await cur.execute(
                f"UPDATE rag_context SET use_count = use_count + 1 WHERE context_id IN ({placeholders})",
                tuple(context_ids)))


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def find_context(pool: aiomysql.Pool, words: Sequence[str], location_id: int | None,
                       limit: int = 3) -> list[ContextRow]:
    """The seed's query — `WHERE context_key LIKE %s ORDER BY relevance_score DESC, use_count DESC LIMIT 3` —
    generalised to several keywords: a row matches when its key holds any of them, rows holding more of
    them come first, then the seed's order. With a site, rows of other sites are left out."""
    if not words:
        return []
    patterns = [_like(w) for w in words]
    any_match = " OR ".join(["context_key LIKE %s"] * len(patterns))
    matched = " + ".join(["(context_key LIKE %s)"] * len(patterns))
    site_sql, site_args = "", ()
    if location_id is not None:
        site_sql, site_args = " AND (location_id = %s OR location_id IS NULL)", (location_id,)
    rows = await fetch_all(
        pool,
        f"SELECT {_CTX_COLUMNS} FROM rag_context WHERE ({any_match}){site_sql} "
        f"ORDER BY ({matched}) DESC, relevance_score DESC, use_count DESC, context_id LIMIT %s",
        (*patterns, *site_args, *patterns, limit))
    return [_context(r) for r in rows]
