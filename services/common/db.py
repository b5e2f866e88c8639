"""aiomysql pool from DATABASE_URL plus small query helpers. Every query is parameterised (%s)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence
from urllib.parse import unquote, urlparse

import aiomysql

from services.common.errors import InvalidArgument


@dataclass(frozen=True)
class DatabaseTarget:
    host: str
    port: int
    user: str
    password: str
    database: str


def parse_database_url(url: str) -> DatabaseTarget:
    """`mysql://user:pass@host:port/db` (also mysql+aiomysql://) → connection parameters."""
    parsed = urlparse(url)
    if not parsed.scheme.startswith("mysql"):
        raise InvalidArgument(f"DATABASE_URL は mysql://user:pass@host:port/db 形式で指定してください（現在: {url!r}）")
    return DatabaseTarget(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 3306,
        user=unquote(parsed.username or "root"),
        password=unquote(parsed.password or ""),
        database=(parsed.path or "/aimee_db").lstrip("/") or "aimee_db",
    )


def with_database(url: str, database: str) -> str:
    """The same URL pointing at another database name (tests use their own)."""
    parsed = urlparse(url)
    return parsed._replace(path="/" + database).geturl()


async def create_pool(url: str, minsize: int = 1, maxsize: int = 10) -> aiomysql.Pool:
    t = parse_database_url(url)
    return await aiomysql.create_pool(
        host=t.host, port=t.port, user=t.user, password=t.password, db=t.database,
        minsize=minsize, maxsize=maxsize, autocommit=True, charset="utf8mb4", pool_recycle=3600,
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
