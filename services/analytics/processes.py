"""The processes table (ピッキング, 検品 ...) held in memory: it is small and changes only on reloads."""
from __future__ import annotations

from dataclasses import dataclass

from services.common.db import fetch_all
from services.common.errors import NotFound


@dataclass(frozen=True)
class Process:
    process_id: int
    code: str
    name: str
    standard_units_per_hour: float


class ProcessDirectory:
    def __init__(self, pool):
        self._pool = pool
        self._by_id: dict[int, Process] = {}

    async def refresh(self) -> None:
        rows = await fetch_all(self._pool, "SELECT process_id, process_code, process_name, standard_units_per_hour "
                                           "FROM processes ORDER BY process_id")
        self._by_id = {r["process_id"]: Process(r["process_id"], r["process_code"], r["process_name"],
                                                float(r["standard_units_per_hour"])) for r in rows}

    async def all(self) -> list[Process]:
        if not self._by_id:
            await self.refresh()
        return list(self._by_id.values())

    async def by_id(self, process_id: int) -> Process | None:
        if process_id not in self._by_id:
            await self.refresh()
        return self._by_id.get(process_id)

    async def name_of(self, process_id: int) -> str:
        process = await self.by_id(process_id)
        return process.name if process else f"工程{process_id}"

    async def get(self, name: str) -> Process:
        """The process named `name` (Japanese name or code), or NOT_FOUND listing the valid names."""
        key = (name or "").strip()
        for attempt in range(2):
            if attempt or not self._by_id:
                await self.refresh()
            for process in self._by_id.values():
                if key in (process.name, process.code):
                    return process
        valid = "、".join(p.name for p in self._by_id.values())
        raise NotFound(f"工程「{name}」は見つかりません。指定できる工程: {valid}")
