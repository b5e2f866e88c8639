"""DATABASE_URL → PyMySQL connection parameters, plus create-database helpers.

Kept free of aiomysql/services imports so `python -m db.*` works before anything else is set up.
"""
from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import pymysql

DEFAULT_DATABASE_URL = "mysql://root@127.0.0.1:3306/aimee_db"
_DB_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")


def database_url() -> str:
    """The configured URL (env DATABASE_URL) or the documented default."""
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def parse_database_url(url: str | None = None) -> dict[str, Any]:
    """`mysql://user:pass@host:port/dbname` → PyMySQL connect kwargs (charset utf8mb4).

    Accepts `mysql+pymysql://` / `mysql+aiomysql://` too; `?unix_socket=/path` is honoured.
    The database name may be empty (connect without a default schema).
    """
    url = url or database_url()
    parsed = urlparse(url)
    if not parsed.scheme.startswith("mysql"):
        raise ValueError(f"DATABASE_URL must look like mysql://user:pass@host:port/dbname, got {url!r}")
    kwargs: dict[str, Any] = {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 3306,
        "user": unquote(parsed.username) if parsed.username else "root",
        "password": unquote(parsed.password) if parsed.password else "",
        "database": unquote(parsed.path.lstrip("/")) or None,
        "charset": "utf8mb4",
    }
    socket = parse_qs(parsed.query).get("unix_socket")
    if socket:
        kwargs["unix_socket"] = socket[0]
    return kwargs


def check_database_name(name: str) -> str:
    """Database names are interpolated into DDL (they cannot be parameters), so allow only [A-Za-z0-9_]."""
    if not _DB_NAME.match(name or ""):
        raise ValueError(f"invalid database name {name!r}: use letters, digits and underscore only")
    return name


def connect(database: str | None = None, url: str | None = None, **overrides: Any) -> pymysql.connections.Connection:
    """A PyMySQL connection; `database` overrides the URL's name ('' = no default schema)."""
    kwargs = parse_database_url(url)
    if database is not None:
        kwargs["database"] = check_database_name(database) if database else None
    kwargs.update(overrides)
    return pymysql.connect(**kwargs)


def ensure_database(name: str, url: str | None = None) -> bool:
    """CREATE DATABASE IF NOT EXISTS (utf8mb4). Returns True when it had to be created."""
    check_database_name(name)
    with connect(database="", url=url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (name,))
        if cur.fetchone():
            return False
        cur.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
        return True


def drop_database(name: str, url: str | None = None) -> None:
    """DROP DATABASE IF EXISTS — used by `db.load --reset` and by tests cleaning up after themselves."""
    check_database_name(name)
    with connect(database="", url=url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
