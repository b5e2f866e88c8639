"""MySQL access for every engine: a pool that never fails to start, and one mapping of "MySQL is gone".

`create_pool` returns a `Database`: an aiomysql pool made without opening a connection (minsize 0), so an
engine starts while MySQL is down and its connections open on first use. Losing MySQL (refused, reset,
"server has gone away", lost during a query) becomes `Unavailable` with a message that names the database,
here and only here, so every caller answers 503 instead of a 500 internal error. The engine's health loop
(services.common.grpc_server) pings through the same path and reports NOT_SERVING until MySQL answers.
Every query is parameterised (%s).
"""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Sequence
from urllib.parse import urlparse

import aiomysql
import pymysql

from db.connect import parse_database_url  # the one DATABASE_URL parser (sync loader and services)

from services.common.errors import InvalidArgument, Unavailable


def with_database(url: str, database: str) -> str:
    """The same URL pointing at another database name (tests use their own)."""
    parsed = urlparse(url)
    return parsed._replace(path="/" + database).geturl()


# MySQL 8's default sql_mode, set on every connection so MariaDB here runs our SQL as MySQL 8 would
# (ONLY_FULL_GROUP_BY above all): what passes the tests passes in docker-compose's mysql:8.0 too.
MYSQL8_SQL_MODE = ("ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
                   "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION")

# Client/server error numbers that mean "no usable connection", not "your SQL is wrong": can't connect
# (2002/2003), gone away (2006), lost (2013, 2055), too many connections (1040), shutting down (1053),
# connection killed (1927), handshake/unknown host (1042/2005), disconnected by the server (4031).
CONNECTION_ERRNOS = frozenset({1040, 1042, 1053, 1927, 2002, 2003, 2005, 2006, 2013, 2055, 4031})
CONNECT_TIMEOUT_SECONDS = 3
# Every database-unreachable message starts with this, so the gateway can tell "the engine's database is
# down" from "the engine is down" in its degraded reasons without another channel.
DATABASE_MESSAGE_PREFIX = "データベース("


def database_name(url: str) -> str:
    """The schema name of a DATABASE_URL (the documented default when the URL has none)."""
    try:
        return parse_database_url(url)["database"] or "aimee_db"
    except ValueError:
        return "aimee_db"


def unavailable_message(name: str) -> str:
    return (f"{DATABASE_MESSAGE_PREFIX}{name})に接続できません。しばらくしてから再度お試しください"
            "（続く場合は MySQL が起動しているか管理者に確認してください）")


def is_database_message(text: str) -> bool:
    return DATABASE_MESSAGE_PREFIX in (text or "")


def is_connection_error(exc: BaseException) -> bool:
    """True when the error says the connection is unusable (MySQL down, restarted, network cut)."""
    if isinstance(exc, (pymysql.err.OperationalError, pymysql.err.InterfaceError)):
        errno = exc.args[0] if exc.args and isinstance(exc.args[0], int) else 0
        # InterfaceError(0, '') is aiomysql's "this connection is already closed".
        return errno in CONNECTION_ERRNOS or isinstance(exc, pymysql.err.InterfaceError)
    return isinstance(exc, (ConnectionError, asyncio.IncompleteReadError, TimeoutError))


class Database:
    """The aiomysql pool behind one interface (`acquire`), translating lost connections to Unavailable."""

    def __init__(self, pool: aiomysql.Pool, name: str):
        self._pool = pool
        self.name = name

    def unavailable(self) -> Unavailable:
        return Unavailable(unavailable_message(self.name))

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[aiomysql.Connection]:
        try:
            async with self._pool.acquire() as conn:
                yield conn
        except Exception as exc:
            if is_connection_error(exc):
                raise self.unavailable() from exc
            raise

    def close(self) -> None:
        self._pool.close()

    async def wait_closed(self) -> None:
        await self._pool.wait_closed()


async def create_pool(url: str, minsize: int = 1, maxsize: int = 10) -> Database:
    """A Database for DATABASE_URL; opens no connection, so it succeeds while MySQL is down.

    `minsize` is accepted for the callers' sake but connections are opened on demand (aiomysql would
    otherwise connect here and fail the engine's start); idle ones stay in the pool for reuse.
    """
    del minsize
    try:
        kwargs = parse_database_url(url)
    except ValueError as exc:
        raise InvalidArgument(f"DATABASE_URL は mysql://user:pass@host:port/db 形式で指定してください（現在: {url!r}）") from exc
    kwargs["db"] = kwargs.pop("database") or "aimee_db"
    pool = await aiomysql.create_pool(
        **kwargs, minsize=0, maxsize=maxsize, autocommit=True, pool_recycle=3600,
        connect_timeout=CONNECT_TIMEOUT_SECONDS, init_command=f"SET SESSION sql_mode = '{MYSQL8_SQL_MODE}'",
    )
    return Database(pool, kwargs["db"])


async def fetch_all(pool: Database, sql: str, args: Sequence[Any] | dict | None = None) -> list[dict]:
    async with pool.acquire() as conn:
        async with conn.cursor(aiomysql.DictCursor) as cur:
            await cur.execute(sql, args)
            return list(await cur.fetchall())


async def fetch_one(pool: Database, sql: str, args: Sequence[Any] | dict | None = None) -> dict | None:
    rows = await fetch_all(pool, sql, args)
    return rows[0] if rows else None


async def execute(pool: Database, sql: str, args: Sequence[Any] | dict | None = None) -> int:
    """Run one statement; returns lastrowid when it inserted, else the affected row count."""
    async with pool.acquire() as conn:
        async with conn.cursor() as cur:
            affected = await cur.execute(sql, args)
            return cur.lastrowid or affected


async def ping(pool: Database) -> None:
    """Raises Unavailable unless MySQL answers a query now."""
    await fetch_one(pool, "SELECT 1 AS ok")
