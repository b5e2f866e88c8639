"""What a write through the gateway makes stale: the policy, in one place (the namespaces themselves are
services.common.cache_names'). Never fails the write: Cache.invalidate_quietly defers to the epoch bump
when Redis is away."""
from __future__ import annotations

from services.common import cache_names
from services.common.cache import Cache


async def knowledge_changed(cache: Cache | None) -> None:
    """A document or context was added or deleted: cached searches may miss it or still show it."""
    if cache is not None:
        await cache.invalidate_quietly(cache_names.KNOWLEDGE)


async def assignment_changed(cache: Cache | None, site: str) -> None:
    """An assignment of `site` changed: the gateway's cached plans and simulations of that site are stale
    (the solver engine itself bumps the site's analytics, which count assignments)."""
    if cache is not None:
        await cache.invalidate_quietly(cache_names.solver(site))


async def shift_plans_changed(cache: Cache | None, site: str) -> None:
    """A roster was published into `site`'s shift_plans: who is scheduled changed, so the site's plans and
    analytics (scheduled / off counts) are stale."""
    if cache is not None:
        await cache.invalidate_quietly(*cache_names.site_data([site]))
