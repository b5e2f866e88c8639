"""Numbered migrations: fresh, repeated, pre-migration databases, .py migrations; nothing is ever dropped."""
from __future__ import annotations

import shutil

import pytest

from db.apply import apply_schema
from db.connect import connect, drop_database, ensure_database
from db.migrate import MIGRATIONS_DIR, discover, migrate, schema_version, status
from tests.conftest import TEST_DATABASE

DB = f"{TEST_DATABASE}_mig"


@pytest.fixture
def fresh_db():
    drop_database(DB)
    yield DB
    drop_database(DB)


def _tables(cur) -> set[str]:
    cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
    return {r[0] for r in cur.fetchall()}


def test_fresh_database_gets_every_migration_once(fresh_db):
    first = migrate(fresh_db)
    assert first["applied"] == [m.version for m in discover()] and first["applied"][:2] == [1, 2]
    again = migrate(fresh_db)
    assert again["applied"] == [] and again["statements"] == 0
    assert schema_version(fresh_db) == first["version"]
    assert {r["state"] for r in status(fresh_db)} == {"applied"}
    with connect(database=fresh_db) as conn, conn.cursor() as cur:
        assert {"employees", "attendance_records", "import_jobs", "schema_migrations"} <= _tables(cur)


def test_database_from_before_migrations_keeps_its_rows(fresh_db):
    """A database created by the old schema.sql (no ledger) is brought forward in place."""
    ensure_database(fresh_db)
    baseline = discover()[0]
    with connect(database=fresh_db, autocommit=True) as conn, conn.cursor() as cur:
        for stmt in baseline.statements():
            cur.execute(stmt)
        cur.execute("INSERT INTO locations (location_name, location_code, region) VALUES ('横浜', 'yokohama', '関東')")
    assert apply_schema(fresh_db) > 0  # the public helper still works and runs the pending migrations
    with connect(database=fresh_db) as conn, conn.cursor() as cur:
        cur.execute("SELECT location_name FROM locations")
        assert cur.fetchall() == (("横浜",),)
        assert "import_jobs" in _tables(cur)
        cur.execute("SELECT version FROM schema_migrations ORDER BY version")
        assert [r[0] for r in cur.fetchall()][:2] == [1, 2]


def test_python_migration_runs_once_and_bad_numbering_is_refused(fresh_db, tmp_path):
    for m in discover():
        shutil.copy(m.path, tmp_path / m.path.name)
    (tmp_path / "900_add_note.py").write_text(
        "def up(cur):\n"
        "    cur.execute(\"SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() \"\n"
        "                \"AND table_name = 'locations' AND column_name = 'note'\")\n"
        "    if not cur.fetchone()[0]:\n"
        "        cur.execute('ALTER TABLE locations ADD COLUMN note VARCHAR(20) NULL')\n")
    assert migrate(fresh_db, directory=tmp_path)["applied"][-1] == 900
    assert migrate(fresh_db, directory=tmp_path)["applied"] == []
    (tmp_path / "900_other.sql").write_text("SELECT 1;")
    with pytest.raises(RuntimeError, match="900"):
        discover(tmp_path)


def test_migrations_directory_is_numbered_without_gaps():
    versions = [m.version for m in discover(MIGRATIONS_DIR)]
    assert versions == list(range(1, len(versions) + 1))
