"""DATABASE_URL parsing and database-name safety."""
from __future__ import annotations

import pytest

from db.connect import DEFAULT_DATABASE_URL, check_database_name, parse_database_url


def test_default_url():
    kw = parse_database_url(DEFAULT_DATABASE_URL)
    assert kw == {"host": "127.0.0.1", "port": 3306, "user": "root", "password": "", "database": "aimee_db",
                  "charset": "utf8mb4"}


def test_full_url_with_encoded_password_and_driver_suffix():
    kw = parse_database_url("mysql+aiomysql://aimee:p%40ss%3Aw@db.internal:3307/other_db")
    assert (kw["user"], kw["password"], kw["host"], kw["port"], kw["database"]) == (
        "aimee", "p@ss:w", "db.internal", 3307, "other_db")


def test_no_database_and_unix_socket():
    kw = parse_database_url("mysql://root@localhost?unix_socket=/run/mysqld/mysqld.sock")
    assert kw["database"] is None and kw["unix_socket"] == "/run/mysqld/mysqld.sock"


def test_env_is_used_when_no_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://u@h:1234/envdb")
    assert parse_database_url()["database"] == "envdb"


def test_rejects_other_schemes():
    with pytest.raises(ValueError):
        parse_database_url("postgres://u@h/db")


@pytest.mark.parametrize("name", ["aimee_db; DROP DATABASE x", "a-b", "", "x" * 65, "名前"])
def test_database_names_are_checked(name):
    with pytest.raises(ValueError):
        check_database_name(name)
