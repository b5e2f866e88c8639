"""Every cache namespace of the mesh, named once.

Readers and writers in different processes must agree on these strings to the letter, or an invalidation
misses the entries it should kill. So no module spells a namespace itself: it calls one of these.
| namespace            | cached by                              | made stale by                                   |
|----------------------|----------------------------------------|-------------------------------------------------|
| analytics(site)      | analytics engine, gateway fan-out       | detection, assignment updates, data loads        |
| analytics() ("all")  | the same, for all-site results          | any write at any site                            |
| solver(site)         | gateway fan-out (Recommend, Simulate)   | assignment updates, data loads                   |
| KNOWLEDGE            | gateway fan-out (Search)                | document/context writes, knowledge migration     |
"""
from __future__ import annotations

from collections.abc import Iterable

ALL_SITES = "all"
KNOWLEDGE = "knowledge"


def analytics(site: str = "") -> str:
    """Analytics results about one site, or (no site) about every site together."""
    return f"analytics:{site or ALL_SITES}"


def solver(site: str = "") -> str:
    """Solver plans and simulations for one site ("" = a request that named none)."""
    return f"solver:{site}"


def site_data(sites: Iterable[str]) -> list[str]:
    """What a write of a site's own records (attendance, assignments, loads) makes stale: its analytics,
    the all-site analytics and its plans."""
    names = list(sites)
    return [analytics(), *(analytics(s) for s in names), *(solver(s) for s in names)]
