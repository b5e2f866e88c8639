"""aiomysql pool from DATABASE_URL plus small query helpers. Every query is parameterised (%s)."""
from __future__ import annotations

from typing import Any, Sequence
from urllib.parse import urlparse

import aiomysql

from db.connect import parse_database_url  # the one DATABASE_URL parser (sync loader and services)

from services.common.errors import InvalidArgument


def with_database(url: str, database: str) -> str:
    """The same URL pointing at another database name (tests use their own)."""
    parsed = urlparse(url)
    return parsed._replace(path="/" + database).geturl()


# MySQL 8's default sql_mode, set on every connection so MariaDB here runs our SQL as MySQL 8 would
# (ONLY_FULL_GROUP_BY above all): what passes the tests passes in docker-compose's mysql:8.0 too.
MYSQL8_SQL_MODE = ("ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
                   "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION")


async def create_pool(url: str, minsize: int = 1, maxsize: int = 10) -> aiomysql.Pool:
    try:
        kwargs = parse_database_url(url)
    except ValueError as exc:
        raise InvalidArgument(f"DATABASE_URL は mysql://user:pass@host:port/db 形式で指定してください（現在: {url!r}）") from exc
    kwargs["db"] = kwargs.pop("database") or "aimee_db"
    return await aiomysql.create_pool(
        **kwargs, minsize=minsize, maxsize=maxsize, autocommit=True, pool_recycle=3600,
        init_command=f"SET SESSION sql_mode = '{MYSQL8_SQL_MODE}'",
    )


async def fetch_all(pool: aiomysql.Pool, sql: str, args: Sequence[Any] | dict | None = None) -> list[dict]:
    async with pool.acquire() as conn:
        async with conn.cursor(aiomysql.DictCursor) as cur:
            await cur.execute(sql, args)
            return list(await cur.fetchall())


async def fetch_one(pool: aiomysql.Pool, sql: str, args: Sequence[Any] | dict | None = None) -> dict | None:
    rows = await fetch_all(pool, sql, args)
    return rows[0] if rows else None


async def execute(pool: aiomysql.Pool, sql: str, args: Sequence[Any] | dict | None = None) -> int:
    """Run one statement; returns lastrowid when it inserted, else the affected row count."""
    async with pool.acquire() as conn:
        async with conn.cursor() as cur:
            affected = await cur.execute(sql, args)
            return cur.lastrowid or affected


async def ping(pool: aiomysql.Pool) -> None:
    await fetch_one(pool, "SELECT 1 AS ok")
