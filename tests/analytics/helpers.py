"""Helpers for analytics tests: independent SQL for expected values, the planted-season guard, status checks."""
from __future__ import annotations

import datetime as dt

import grpc
import pytest

from services.common.db import fetch_all


async def sql(pool, query: str, args=()) -> list[dict]:
    """Independent SQL the tests compare the engine with."""
    return await fetch_all(pool, query, args)


WINTER_MONTHS = (11, 12, 1, 2, 3)  # db/README.md: 札幌 has the highest absence in windows ending Nov-Mar


def require_winter() -> None:
    """札幌's planted absence follows the snow season; out of season there is nothing true to find."""
    if dt.date.today().month not in WINTER_MONTHS:
        pytest.skip("札幌の冬季欠勤は季節外（11月〜3月のみ検証）")


async def expect_status(call, code: grpc.StatusCode, *fragments: str) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    assert info.value.code() == code, info.value.details()
    for fragment in fragments:
        assert fragment in info.value.details()
    return info.value.details()
