"""Backup → restore into another database and Chroma folder: same row counts, same knowledge search answer.

The know-how goes in through the importer's knowhow path (the sample .md/.txt files), so this also tests
that door's domain half: validated first, registered once, unchanged on re-import.
"""
from __future__ import annotations

import dataclasses
import shutil
import tarfile

import pytest

from db.connect import connect, drop_database
from db.migrate import discover, migrate
from services.common.db import with_database
from services.common.errors import FailedPrecondition, InvalidArgument
from services.dataio.backup import backup, read_manifest, restore, row_counts
from services.dataio.knowhow import import_documents, parse_document
from services.knowledge.config import Settings as KnowledgeSettings
from services.knowledge.embedding import shared_embedder
from services.knowledge.runtime import open_runtime
from tests.conftest import TEST_DATABASE, TEST_DATABASE_URL

RESTORED_DB = f"{TEST_DATABASE}_restored"
QUESTION = "横浜 月曜 欠勤 対策"


def _settings(database: str, chroma) -> KnowledgeSettings:
    return dataclasses.replace(KnowledgeSettings.from_env(), database_url=with_database(TEST_DATABASE_URL, database),
                               chroma_host="", chroma_path=str(chroma), collection="aimee_knowledge",
                               seed_on_start=False)


async def _search(database: str, chroma) -> list[tuple[str, str]]:
    runtime = await open_runtime(_settings(database, chroma), embedder=shared_embedder())
    try:
        result = await runtime.service.search(QUESTION, location="横浜")
        return [(h.doc_id, h.text[:40]) for h in result.hits]
    finally:
        await runtime.close()


async def _import_knowhow(database: str, chroma, samples) -> dict:
    runtime = await open_runtime(_settings(database, chroma), embedder=shared_embedder())

    async def add(doc):
        r = await runtime.service.add_document(doc.title, doc.text, doc.category, doc.location, doc.source)
        return "unchanged" if r.unchanged else "replaced" if r.replaced else "added"

    try:
        files = [(p.name, p.read_bytes()) for p in sorted((samples / "knowhow").iterdir())]
        return await import_documents(files, add)
    finally:
        await runtime.close()


@pytest.fixture
def restored_db():
    drop_database(RESTORED_DB)
    yield RESTORED_DB
    drop_database(RESTORED_DB)


async def test_backup_restore_round_trip(imported_db, samples, tmp_path, restored_db):
    chroma = tmp_path / "chroma"
    first = await _import_knowhow(imported_db, chroma, samples)
    assert (first["inserted"], first["status"]) == (2, "imported")
    assert (await _import_knowhow(imported_db, chroma, samples))["unchanged"] == 2
    before = await _search(imported_db, chroma)
    assert before and "月曜" in "".join(t for _, t in before)

    archive = backup(imported_db, tmp_path / "backups", chroma)
    manifest = read_manifest(archive)
    assert manifest["schema_version"] >= 2 and manifest["row_counts"]["attendance_records"] > 0
    assert manifest["chroma"] and "dump.sql" in manifest["checksums"]

    restored_chroma = tmp_path / "restored-chroma"
    report = restore(archive, restored_db, restored_chroma)
    assert report["mismatched"] == {}
    expected = {t: n for t, n in row_counts(imported_db).items() if t != "import_jobs"}
    assert {t: n for t, n in row_counts(restored_db).items() if t != "import_jobs"} == expected
    assert await _search(restored_db, restored_chroma) == before

    with pytest.raises(FailedPrecondition, match="空ではありません"):
        restore(archive, restored_db, tmp_path / "other-chroma")


def test_an_older_backup_is_brought_forward_by_migrations(tmp_path, restored_db):
    """A backup of a database at schema version 1 restores, then migrations 002.. run on it."""
    old_db = f"{TEST_DATABASE}_old"
    only_001 = tmp_path / "migrations"
    only_001.mkdir()
    shutil.copy(discover()[0].path, only_001 / discover()[0].path.name)
    drop_database(old_db)
    try:
        migrate(old_db, directory=only_001)
        with connect(database=old_db, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute("INSERT INTO locations (location_name, location_code, region) VALUES ('横浜', 'yokohama', '関東')")
        archive = backup(old_db, tmp_path, None)
    finally:
        drop_database(old_db)
    assert read_manifest(archive)["schema_version"] == 1
    report = restore(archive, restored_db, None)
    assert report["backup_schema_version"] == 1 and report["migrations_applied"][0] == 2
    assert report["schema_version"] == discover()[-1].version and report["mismatched"] == {}
    with connect(database=restored_db) as conn, conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM import_jobs")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT location_name FROM locations")
        assert cur.fetchall() == (("横浜",),)


def test_a_tampered_archive_is_refused_before_anything_is_written(imported_db, tmp_path, restored_db):
    archive = backup(imported_db, tmp_path, None)
    work = tmp_path / "t"
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    (work / "dump.sql").write_text("DROP DATABASE mysql;", encoding="utf-8")
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        tar.add(work / "manifest.json", arcname="manifest.json")
        tar.add(work / "dump.sql", arcname="dump.sql")
    with pytest.raises(InvalidArgument, match="チェックサム"):
        restore(bad, restored_db, None)
    with connect(database="") as conn, conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = %s", (restored_db,))
        assert cur.fetchone()[0] == 0


def test_knowhow_files_are_checked_before_registering():
    with pytest.raises(InvalidArgument, match=r"\.txt または \.md"):
        parse_document("notes.pdf", b"%PDF-1.4")
    with pytest.raises(InvalidArgument, match="バイナリ"):
        parse_document("notes.txt", b"\x00\x01\x02abc")
    doc = parse_document("a.md", "カテゴリ: 成功事例\n拠点: 品川\n# 残業の削減\n本文".encode("cp932"))
    assert (doc.category, doc.location, doc.source) == ("成功事例", "品川", "import:a.md")
