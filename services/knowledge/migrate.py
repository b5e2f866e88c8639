"""`make migrate-knowledge` (`python -m services.knowledge.migrate`): the seed's migrate_knowledge_to_chromadb.

Loads the know-how files shipped in knowledge/, registers them through KnowledgeService.add_document (chunk,
embed, Chroma, knowledge_documents, rag_context mirror with context_type implicit_knowledge, relevance 0.8,
doc_id) and removes documents of shipped files that no longer exist. Idempotent: a source already stored with
the same content is left alone, a changed one is replaced, nothing is duplicated.

Embedded Chroma (no CHROMADB_HOST) is a single-process store: run this while the knowledge server is stopped
(the server also seeds an empty collection by itself at start-up). With CHROMADB_HOST both may run together;
restart the knowledge server afterwards so its keyword index reloads.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from dataclasses import dataclass, field

from services.common import logs
from services.common import cache_names
from services.common.cache import Cache
from services.common.errors import AimeeError, FailedPrecondition
from services.knowledge import repository as repo
from services.knowledge.config import Settings
from services.knowledge.corpus import SOURCE_PREFIX, shipped_documents
from services.knowledge.runtime import open_runtime
from services.knowledge.service import KnowledgeService

log = logging.getLogger("aimee.knowledge")


@dataclass
class MigrationReport:
    rows: list[tuple[str, str, int, str]] = field(default_factory=list)  # source, doc_id, chunks, status
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def chunks(self) -> int:
        return sum(r[2] for r in self.rows)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r[3] == status)


async def migrate(service: KnowledgeService, directory: str, prune: bool = True) -> MigrationReport:
    started = time.perf_counter()
    specs = shipped_documents(directory)
    if not specs:
        raise FailedPrecondition(f"ナレッジファイルが見つかりません（{directory}）。knowledge/ の配置を確認してください")
    report = MigrationReport()
    docs = [await service.validate_document(s.title, s.text, s.category, s.location, s.source) for s in specs]
    for spec, result in zip(specs, await service.add_documents(docs)):
        status = "unchanged" if result.unchanged else "replaced" if result.replaced else "added"
        report.rows.append((spec.source, result.doc_id, result.chunk_count, status))
    if prune:
        current = {spec.source for spec in specs}
        for row in await repo.documents_with_source_prefix(service.pool, SOURCE_PREFIX):
            if row.source not in current:
                await service.delete_document(row.doc_id)
                report.removed.append(row.source)
    report.seconds = time.perf_counter() - started
    return report


async def invalidate_gateway_cache(settings: Settings) -> None:
    """The gateway caches knowledge searches under the `knowledge` namespace: make them stale (best effort)."""
    cache = Cache(settings.redis_url, prefix=settings.cache_prefix)
    try:
        await cache.invalidate_quietly(cache_names.KNOWLEDGE)  # a cold cache is harmless, a failed migration not
    finally:
        await cache.close()


async def _run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    runtime = await open_runtime(settings)
    try:
        report = await migrate(runtime.service, args.dir or settings.knowledge_dir, prune=not args.no_prune)
    finally:
        await runtime.close()
    await invalidate_gateway_cache(settings)
    print(f"{'source':<70} {'doc_id':<24} {'chunks':>6}  status")
    for source, doc_id, chunks, status in report.rows:
        print(f"{source:<70} {doc_id:<24} {chunks:>6}  {status}")
    for source in report.removed:
        print(f"{source:<70} {'':<24} {'':>6}  removed")
    print(f"{len(report.rows)} documents, {report.chunks} chunks (added {report.count('added')}, replaced "
          f"{report.count('replaced')}, unchanged {report.count('unchanged')}, removed {len(report.removed)}) "
          f"in {report.seconds:.1f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="knowledge/ のノウハウを ChromaDB と rag_context に移行します")
    parser.add_argument("--dir", default="", help="know-how folder (default: KNOWLEDGE_DIR or ./knowledge)")
    parser.add_argument("--no-prune", action="store_true", help="keep documents of files no longer shipped")
    args = parser.parse_args(argv)
    logs.setup("knowledge-migrate")
    try:
        return asyncio.run(_run(args))
    except AimeeError as exc:
        print(f"移行に失敗しました: {exc.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
