"""Site (拠点) lookup shared by every engine: name → id, with a NOT_FOUND that lists the valid names."""
from __future__ import annotations

from dataclasses import dataclass

from services.common.db import fetch_all
from services.common.echo import clip
from services.common.errors import NotFound

ALL_SITES_WORDS = {"", "unclear", "all", "全拠点", "全体"}


@dataclass(frozen=True)
class Site:
    location_id: int
    name: str
    code: str
    region: str
    overtime_limit_hours: float


class SiteDirectory:
    """Caches the locations table (it changes rarely; `refresh` reloads it)."""

    def __init__(self, pool):
        self._pool = pool
        self._by_name: dict[str, Site] = {}

    async def refresh(self) -> None:
        rows = await fetch_all(self._pool, "SELECT location_id, location_name, location_code, region, "
                                           "overtime_limit_hours FROM locations ORDER BY location_id")
        self._by_name = {
            r["location_name"]: Site(r["location_id"], r["location_name"], r["location_code"], r["region"],
                                     float(r["overtime_limit_hours"]))
            for r in rows
        }

    async def all(self) -> list[Site]:
        if not self._by_name:
            await self.refresh()
        return list(self._by_name.values())

    async def get(self, name: str) -> Site:
        """The site called `name` (site name or code), or NOT_FOUND naming the valid sites."""
        if not self._by_name:
            await self.refresh()
        key = (name or "").strip()
        site = self._by_name.get(key) or next((s for s in self._by_name.values() if s.code == key.lower()), None)
        if site is None:
            await self.refresh()
            site = self._by_name.get(key)
        if site is None:
            valid = "、".join(self._by_name) or "（拠点が未登録です）"
            raise NotFound(f"拠点「{clip(name)}」は見つかりません。指定できる拠点: {valid}")
        return site

    async def get_optional(self, name: str) -> Site | None:
        """None for 'all sites' words, else the site (or NOT_FOUND)."""
        if (name or "").strip().lower() in ALL_SITES_WORDS:
            return None
        return await self.get(name)
