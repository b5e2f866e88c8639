"""Which sites a request covers, and the parameterised SQL filter for them.

"All sites" is written as `location_id IN (%s, ...)` over every site id rather than no filter at all:
the (location_id, date, ...) covering indexes then serve it as a set of index ranges instead of a scan.
"""
from __future__ import annotations

from dataclasses import dataclass

from services.common import cache_names
from services.common.errors import InvalidArgument
from services.common.sites import Site, SiteDirectory

from services.analytics.labels import ALL_SITES_LABEL


@dataclass(frozen=True)
class Scope:
    """One site, or every site (site is None)."""

    site: Site | None
    location_ids: tuple[int, ...]

    @property
    def name(self) -> str:
        return self.site.name if self.site else ALL_SITES_LABEL

    @property
    def cache_namespace(self) -> str:
        return cache_names.analytics(self.site.name if self.site else "")

    def filter(self, column: str, every_row: bool = False) -> tuple[str, tuple[int, ...]]:
        """`<column> IN (%s, ...)` and its arguments. `column` is always a literal from our own code.

        every_row=True lets an all-site scope drop the filter altogether (every record belongs to a site),
        for tables that have a date-leading covering index the unfiltered query can use.
        """
        if not self.location_ids:  # no sites registered: match nothing rather than everything
            return "1 = 0", ()
        if every_row and self.site is None:
            return "1 = 1", ()
        return f"{column} IN ({', '.join(['%s'] * len(self.location_ids))})", self.location_ids


async def resolve_scope(sites: SiteDirectory, location: str) -> Scope:
    """Empty / 'unclear' / 全拠点 → all sites; a name or code → that site; else NOT_FOUND listing sites."""
    site = await sites.get_optional(location)
    if site is not None:
        return Scope(site, (site.location_id,))
    return Scope(None, tuple(s.location_id for s in await sites.all()))


async def resolve_site(sites: SiteDirectory, location: str) -> Scope:
    """A required single site: empty → INVALID_ARGUMENT, unknown → NOT_FOUND, both listing the valid names."""
    if not (location or "").strip():
        names = "、".join(s.name for s in await sites.all())
        raise InvalidArgument(f"location（拠点名）を指定してください。指定できる拠点: {names}")
    site = await sites.get(location)
    return Scope(site, (site.location_id,))
