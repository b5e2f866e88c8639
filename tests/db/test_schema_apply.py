"""schema.sql applies idempotently: twice in a row changes nothing, and all 14 tables exist."""
from __future__ import annotations

from db.apply import apply_schema, split_statements
from db.connect import connect
from tests.db.conftest import TEST_DB

EXPECTED_TABLES = {
    "locations", "processes", "employees", "employee_skills", "productivity_records", "attendance_records",
    "shift_plans", "daily_assignments", "assignment_adjustments", "workload_forecasts", "alerts",
    "knowledge_documents", "rag_context", "chat_messages",
}


def _snapshot() -> dict[str, str]:
    with connect(database=TEST_DB) as conn, conn.cursor() as cur:
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (TEST_DB,))
        names = sorted(r[0] for r in cur.fetchall())
        out = {}
        for name in names:
            cur.execute(f"SHOW CREATE TABLE `{name}`")
            out[name] = cur.fetchone()[1]
        return out


def test_schema_applies_twice_without_change():
    apply_schema(TEST_DB)
    first = _snapshot()
    apply_schema(TEST_DB)
    assert _snapshot() == first
    assert set(first) >= EXPECTED_TABLES
    assert len(EXPECTED_TABLES) == 14


def test_splitter_ignores_semicolons_in_comments_and_strings():
    sql = "-- a; comment\nCREATE TABLE a (x INT COMMENT 'x;y'); # c;\nSELECT 1;"
    assert split_statements(sql) == ["CREATE TABLE a (x INT COMMENT 'x;y')", "SELECT 1"]
