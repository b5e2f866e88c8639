"""Fixtures for the import/export/backup tests: the sample files (made from the generator, today) and a
database of their own that starts empty (migrations only) and is filled through the importer."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from db.connect import connect, drop_database
from db.migrate import migrate
from services.dataio.importer import ImportOptions, run_import
from services.dataio.samples import FILES, IMPORT_ORDER, write_samples
from tests.conftest import TEST_DATABASE

IMPORT_DB = f"{TEST_DATABASE}_imp"
FIRST_REPORTS: dict[str, dict] = {}  # kind -> report of the first import into IMPORT_DB (tests change it later)
SECOND_REPORTS: dict[str, dict] = {}  # kind -> report of importing the same file again, right after


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    write_samples(out, dt.date.today(), days=30)
    return out


def import_file(database: str, path: Path, kind: str, **options) -> dict:
    with open(path, "rb") as fh:
        return run_import(database, fh, ImportOptions(kind=kind, file_name=path.name, **options))


def count(database: str, table: str) -> int:
    with connect(database=database) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM `{table}`")
        return cur.fetchone()[0]


@pytest.fixture(scope="session")
def imported_db(samples) -> str:
    """IMPORT_DB holding every sample file, imported in dependency order (fresh each session)."""
    drop_database(IMPORT_DB)
    migrate(IMPORT_DB)
    for kind in IMPORT_ORDER:
        report = import_file(IMPORT_DB, samples / FILES[kind], kind)
        assert report["status"] == "imported", report["message"]
        FIRST_REPORTS[kind] = report
    for kind in IMPORT_ORDER:
        SECOND_REPORTS[kind] = import_file(IMPORT_DB, samples / FILES[kind], kind)
    yield IMPORT_DB
    drop_database(IMPORT_DB)
