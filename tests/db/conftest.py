"""Fixtures for the db package tests: their own database (aimee_test_db), never aimee_db or aimee_test."""
from __future__ import annotations

import pytest

from db.connect import connect, drop_database
from tests.conftest import TEST_DATABASE

TEST_DB = f"{TEST_DATABASE}_db"  # aimee_test_db unless AIMEE_TEST_DATABASE names another suite database


class Sql:
    """Tiny query helper bound to the test database (fresh connection per call: loads happen in between)."""

    def __init__(self, database: str) -> None:
        self.database = database

    def rows(self, sql: str, args=None) -> list[dict]:
        import pymysql.cursors
        with connect(database=self.database, cursorclass=pymysql.cursors.DictCursor) as conn, \
                conn.cursor() as cur:
            cur.execute(sql, args)
            return list(cur.fetchall())

    def value(self, sql: str, args=None):
        rows = self.rows(sql, args)
        return next(iter(rows[0].values())) if rows else None

    def execute(self, sql: str, args=None) -> int:
        with connect(database=self.database, autocommit=True) as conn, conn.cursor() as cur:
            return cur.execute(sql, args)


@pytest.fixture(scope="session")
def sql() -> Sql:
    return Sql(TEST_DB)


@pytest.fixture(scope="session", autouse=True)
def _drop_test_db_at_end():
    yield
    drop_database(TEST_DB)
