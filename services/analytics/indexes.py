"""Which optional covering indexes the database has, so all-site queries can take the cheapest form.

With a date-leading covering index (e.g. productivity_records(record_date, productivity_score)) an
all-site daily aggregate is one ordered range scan with no site filter at all; without it, the same query
is cheapest as `location_id IN (every site)` over the (location_id, date, ...) index (see bench/). The
catalogue is read once per process from information_schema; schema changes need a restart.
"""
from __future__ import annotations

from services.common.db import fetch_all


class IndexCatalog:
    def __init__(self, pool):
        self._pool = pool
        self._indexes: dict[str, list[list[str]]] = {}

    async def _load(self, table: str) -> list[list[str]]:
        if table not in self._indexes:
            rows = await fetch_all(self._pool, """
                SELECT index_name, column_name FROM information_schema.statistics
                WHERE table_schema = DATABASE() AND table_name = %s ORDER BY index_name, seq_in_index""", (table,))
            by_name: dict[str, list[str]] = {}
            for r in rows:
                by_name.setdefault(r["index_name"], []).append(r["column_name"])
            self._indexes[table] = list(by_name.values())
        return self._indexes[table]

    async def covers(self, table: str, leading: str, columns: tuple[str, ...]) -> bool:
        """True when some index starts with `leading` and contains every column in `columns`."""
        return any(cols[0] == leading and set(columns) <= set(cols) for cols in await self._load(table))
