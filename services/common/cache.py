"""Redis cache for engine results, with namespace generations for invalidation.

Keys are `<prefix>:<namespace>:g<generation>:<sha1 of the parts>`. A write that changes data a namespace
depends on bumps the namespace's generation (`invalidate`), so no stale result is served afterwards and
old keys simply expire with their TTL.
"""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import redis.asyncio as redis

log = logging.getLogger("aimee.cache")


class Cache:
    def __init__(self, url: str, prefix: str = "aimee", ttl_seconds: int = 3600):
        self._redis = redis.from_url(url, decode_responses=False, socket_timeout=1.0, socket_connect_timeout=1.0)
        self.prefix = prefix
        self.ttl = ttl_seconds

    async def close(self) -> None:
        await self._redis.aclose()

    async def ping(self) -> bool:
        return bool(await self._redis.ping())

    async def _generation(self, namespace: str) -> str:
        value = await self._redis.get(f"{self.prefix}:gen:{namespace}")
        return value.decode() if value else "0"

    async def key(self, namespace: str, *parts: Any) -> str:
        digest = hashlib.sha1(json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()
        return f"{self.prefix}:{namespace}:g{await self._generation(namespace)}:{digest}"

    async def get_bytes(self, key: str) -> bytes | None:
        return await self._redis.get(key)

    async def set_bytes(self, key: str, value: bytes, ttl: int | None = None) -> None:
        await self._redis.set(key, value, ex=ttl or self.ttl)

    async def get_json(self, key: str) -> Any | None:
        value = await self._redis.get(key)
        return json.loads(value) if value is not None else None

    async def set_json(self, key: str, value: Any, ttl: int | None = None) -> None:
        await self._redis.set(key, json.dumps(value, ensure_ascii=False, default=str).encode(), ex=ttl or self.ttl)

    async def invalidate(self, *namespaces: str) -> None:
        """Make every cached result of these namespaces stale."""
        for namespace in namespaces:
            await self._redis.incr(f"{self.prefix}:gen:{namespace}")

    async def safe_get_bytes(self, key_parts: tuple[str, tuple]) -> tuple[str | None, bytes | None]:
        """Cache lookup that never fails the caller: Redis down means a miss."""
        try:
            key = await self.key(key_parts[0], *key_parts[1])
            return key, await self.get_bytes(key)
        except Exception as exc:  # noqa: BLE001 - the cache is an optimisation, never a failure
            log.warning("cache unavailable", extra={"fields": {"error": str(exc)}})
            return None, None

    async def safe_set_bytes(self, key: str | None, value: bytes) -> None:
        if key is None:
            return
        try:
            await self.set_bytes(key, value)
        except Exception as exc:  # noqa: BLE001
            log.warning("cache unavailable", extra={"fields": {"error": str(exc)}})
