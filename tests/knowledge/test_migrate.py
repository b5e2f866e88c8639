"""`make migrate-knowledge`: idempotent, replaces changed files, removes vanished sections, seeds on start."""
from __future__ import annotations

import shutil

from services.common.db import fetch_all
from services.knowledge.config import PROJECT_ROOT
from services.knowledge.corpus import SOURCE_PREFIX
from services.knowledge.migrate import main as migrate_main
from services.knowledge.migrate import migrate
from services.knowledge.server import open_app

KNOWLEDGE = PROJECT_ROOT / "knowledge"
DROPPED = "knowledge/failure_patterns.txt#【全拠点】需要増を残業だけで吸収"


async def shipped_rows(service) -> dict[str, int]:
    rows = await fetch_all(service.pool, "SELECT source, chunk_count FROM knowledge_documents WHERE source LIKE %s",
                           (SOURCE_PREFIX + "%",))
    return {r["source"]: r["chunk_count"] for r in rows}


async def test_rerun_is_idempotent(service):
    before, chunks = await shipped_rows(service), service.store.count()
    report = await migrate(service, str(KNOWLEDGE))
    assert report.count("unchanged") == 21 and report.chunks == 57 and not report.removed
    assert await shipped_rows(service) == before and service.store.count() == chunks


async def test_changed_and_vanished_sections(service, tmp_path):
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    failures = folder / "failure_patterns.txt"
    text = failures.read_text(encoding="utf-8")
    failures.write_text(text[: text.index("## 【全拠点】需要増を残業だけで吸収")], encoding="utf-8")
    rules = folder / "management_rules.txt"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n## 休憩の取り方\n休憩は工程ごとにずらして取る。\n",
                     encoding="utf-8")
    try:
        report = await migrate(service, str(folder))
        status = {source: st for source, _, _, st in report.rows}
        assert status["knowledge/management_rules.txt"] == "replaced"
        assert report.count("unchanged") == 19 and report.removed == [DROPPED]
        rows = await shipped_rows(service)
        assert DROPPED not in rows and rows["knowledge/management_rules.txt"] == 10
        hits = (await service.search("休みを取る時間帯の工夫", top_k=3)).hits
        assert "休憩は工程ごとにずらして取る" in hits[0].text
    finally:
        restored = await migrate(service, str(KNOWLEDGE))
    assert {source: st for source, _, _, st in restored.rows}[DROPPED] == "added"
    assert len(await shipped_rows(service)) == 21


async def test_server_seeds_an_empty_collection_only(knowledge_settings, embedder):
    settings = knowledge_settings("seed", seed_on_start=True)
    app = await open_app(settings, embedder=embedder)
    assert app.seeding is not None
    await app.seeded()
    assert await app.service.chunk_count() == 57
    await app.cleanup()
    again = await open_app(settings, embedder=embedder)  # same folder: not empty any more
    assert again.seeding is None and len(again.service.index) == 57
    registrars, names, cleanup = again
    assert names == ["aimee.knowledge.v1.KnowledgeService"] and len(registrars) == 1
    await cleanup()


def test_cli_reports_every_document(knowledge_settings, embedder, monkeypatch, capsys):
    settings = knowledge_settings("cli")
    monkeypatch.setattr("services.knowledge.runtime.shared_embedder", lambda: embedder)  # session's model
    monkeypatch.setattr("services.knowledge.migrate.logs.setup", lambda name: None)     # keep pytest's logging
    for name, value in {"DATABASE_URL": settings.database_url, "CHROMADB_PATH": settings.chroma_path,
                        "CHROMADB_COLLECTION": settings.collection, "REDIS_URL": settings.redis_url,
                        "CACHE_PREFIX": settings.cache_prefix}.items():
        monkeypatch.setenv(name, value)
    assert migrate_main([]) == 0
    out = capsys.readouterr().out
    assert "21 documents, 57 chunks" in out and "knowledge/location_practices.txt#札幌" in out
