"""Redis cache for engine results, with namespace generations for invalidation, failing closed on outages.

Keys are `<prefix>:<namespace>:e<epoch>:g<generation>:<sha1 of the parts>`. A write that changes data a
namespace depends on bumps the namespace's generation (`invalidate`), so no stale result is served
afterwards and old keys simply expire with their TTL.

Outages: an invalidation that fails while Redis is unreachable would leave the old entries live once Redis
returns. So any Redis failure marks this process's cache "suspect": nothing is read or stored until Redis
answers again, and the first thing done then — by the next call, or by a background healer retrying with
backoff — is to bump the mesh-wide epoch, which kills every entry stored before the outage in every
process. A key whose epoch or generation cannot be read is never served nor stored (fail closed).

`ttl_seconds <= 0` (CACHE_TTL_SECONDS=0) means no cache: reads miss and writes are skipped without
touching Redis; invalidations still bump generations for processes that do cache.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from typing import Any

import redis.asyncio as redis

from services.common.config import DEFAULT_CACHE_PREFIX

log = logging.getLogger("aimee.cache")

HEAL_BACKOFF_MIN = 0.2
HEAL_BACKOFF_MAX = 2.0


class Cache:
    def __init__(self, url: str, prefix: str = DEFAULT_CACHE_PREFIX, ttl_seconds: int = 3600):
        self._redis = redis.from_url(url, decode_responses=False, socket_timeout=1.0, socket_connect_timeout=1.0)
        self.prefix = prefix
        self.ttl = ttl_seconds
        self.suspect = False  # a Redis call failed: entries may have missed an invalidation
        self._healer: asyncio.Task | None = None

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    async def close(self) -> None:
        if self._healer is not None:
            self._healer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._healer
        await self._redis.aclose()

    # ---- outage handling ---------------------------------------------------------------------------------
    def _failed(self) -> None:
        """Remember that Redis failed us and make sure the epoch is bumped as soon as it answers."""
        self.suspect = True
        if self._healer is None or self._healer.done():
            with contextlib.suppress(RuntimeError):  # no running loop: the next call heals
                self._healer = asyncio.get_running_loop().create_task(self._heal_loop(), name="cache-heal")

    async def _heal(self) -> None:
        """After an outage: bump the epoch (every older entry dies) before anything else is read or stored."""
        if self.suspect:
            await self._redis.incr(f"{self.prefix}:epoch")
            self.suspect = False
            log.info("cache healed after a Redis outage: entries from before it are dead")

    async def _heal_loop(self) -> None:
        delay = HEAL_BACKOFF_MIN
        while self.suspect:
            try:
                await self._heal()
                return
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - still down: try again later
                await asyncio.sleep(delay)
                delay = min(HEAL_BACKOFF_MAX, delay * 2)

    async def _call(self, op):
        """Run one Redis operation after healing; a failure marks the cache suspect and re-raises."""
        try:
            await self._heal()
            return await op()
        except Exception:
            self._failed()
            raise

    # ---- operations --------------------------------------------------------------------------------------
    async def ping(self) -> bool:
        return bool(await self._call(self._redis.ping))

    async def key(self, namespace: str, *parts: Any) -> str:
        digest = hashlib.sha1(json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()
        epoch, generation = await self._call(
            lambda: self._redis.mget(f"{self.prefix}:epoch", f"{self.prefix}:gen:{namespace}"))
        return f"{self.prefix}:{namespace}:e{_int(epoch)}:g{_int(generation)}:{digest}"

    async def get_bytes(self, key: str) -> bytes | None:
        return await self._call(lambda: self._redis.get(key))

    async def set_bytes(self, key: str, value: bytes, ttl: int | None = None) -> None:
        await self._call(lambda: self._redis.set(key, value, ex=ttl or self.ttl))

    async def invalidate(self, *namespaces: str) -> None:
        """Make every cached result of these namespaces stale. If Redis is unreachable this raises, and the
        epoch bump after the outage makes them (and everything else cached before it) stale instead."""
        async def bump():
            async with self._redis.pipeline(transaction=False) as pipe:
                for namespace in namespaces:
                    pipe.incr(f"{self.prefix}:gen:{namespace}")
                await pipe.execute()
        await self._call(bump)

    async def invalidate_quietly(self, *namespaces: str, timeout: float = 1.0) -> bool:
        """The one way a writer makes namespaces stale without failing its own write: True when done. When
        Redis is away it logs, and this process's cache turns suspect: the epoch bump once Redis answers
        again kills every older entry (see the module docstring), so nothing stale outlives the outage."""
        try:
            await asyncio.wait_for(self.invalidate(*namespaces), timeout)
            return True
        except Exception as exc:  # noqa: BLE001 - the write itself succeeded; the healer finishes the job
            self._failed()
            log.warning("cache invalidation deferred until Redis answers", extra={"fields": {
                "namespaces": list(namespaces), "error": str(exc) or type(exc).__name__}})
            return False

    async def safe_get_bytes(self, key_parts: tuple[str, tuple]) -> tuple[str | None, bytes | None]:
        """Cache lookup that never fails the caller: Redis down (or no cache) means a miss and no key."""
        if not self.enabled:
            return None, None
        try:
            key = await self.key(key_parts[0], *key_parts[1])
            return key, await self.get_bytes(key)
        except Exception as exc:  # noqa: BLE001 - the cache is an optimisation, never a failure
            log.warning("cache unavailable", extra={"fields": {"error": str(exc)}})
            return None, None

    async def safe_set_bytes(self, key: str | None, value: bytes) -> None:
        if key is None or not self.enabled:
            return
        try:
            await self.set_bytes(key, value)
        except Exception as exc:  # noqa: BLE001
            log.warning("cache unavailable", extra={"fields": {"error": str(exc)}})


def _int(value: bytes | None) -> int:
    return int(value) if value else 0
