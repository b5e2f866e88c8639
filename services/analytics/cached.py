"""Redis caching of analytics results, following the mesh convention for invalidation.

Results are cached under the namespace of the site they describe (`analytics:<location_name>`, or
`analytics:all` for all-site results). Any writer that changes data calls
`invalidate('analytics:<site>', 'analytics:all')`, which bumps the namespaces' generations so later reads
miss. The cache never fails a request: when Redis is down a read is a miss and a write is skipped.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from services.common import cache_names
from services.common.cache import Cache

log = logging.getLogger("aimee.analytics.cache")

class ResultCache:
    """get-or-compute over services.common.cache.Cache; `cache=None` or enabled=False turns it off."""

    def __init__(self, cache: Cache | None, enabled: bool = True):
        self._cache = cache if enabled else None
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self._cache is not None

    async def get_or_compute(self, namespace: str, parts: tuple, compute: Callable[[], Awaitable[Any]]) -> Any:
        """The cached JSON value for (namespace, parts), else compute() stored with the configured TTL.

        The key (with the namespace's generation) is taken BEFORE computing: if a writer invalidates while
        we compute, our possibly-old result lands under the old generation and is never served.
        """
        if self._cache is None:
            return await compute()
        key, raw = await self._cache.safe_get_bytes((namespace, parts))
        if raw is not None:
            try:
                value = json.loads(raw)
                self.hits += 1
                return value
            except ValueError:
                log.warning("cache entry unreadable", extra={"fields": {"key": key}})
        self.misses += 1
        value = await compute()
        await self._cache.safe_set_bytes(key, json.dumps(value, ensure_ascii=False, default=str).encode())
        return value

    async def invalidate_sites(self, location_names: list[str] | tuple[str, ...]) -> None:
        """Make cached results of these sites and of all-site results stale (never raises)."""
        if self._cache is None:
            return
        await self._cache.invalidate_quietly(*(cache_names.analytics(name) for name in location_names),
                                             cache_names.analytics())
