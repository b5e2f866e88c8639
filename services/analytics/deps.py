"""What every analytics use case needs, bundled once at startup (no globals)."""
from __future__ import annotations

from dataclasses import dataclass

import aiomysql

from services.common.sites import SiteDirectory

from services.analytics.cached import ResultCache
from services.analytics.indexes import IndexCatalog
from services.analytics.processes import ProcessDirectory


@dataclass(frozen=True)
class Deps:
    pool: aiomysql.Pool
    sites: SiteDirectory
    processes: ProcessDirectory
    cache: ResultCache
    indexes: IndexCatalog

    @classmethod
    def create(cls, pool: aiomysql.Pool, cache: ResultCache) -> "Deps":
        return cls(pool=pool, sites=SiteDirectory(pool), processes=ProcessDirectory(pool), cache=cache,
                   indexes=IndexCatalog(pool))
