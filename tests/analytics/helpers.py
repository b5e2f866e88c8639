"""Helpers for analytics tests: independent SQL for expected values, status checks."""
from __future__ import annotations


import grpc
import pytest

from services.common.db import fetch_all


async def sql(pool, query: str, args=()) -> list[dict]:
    """Independent SQL the tests compare the engine with."""
    return await fetch_all(pool, query, args)


async def expect_status(call, code: grpc.StatusCode, *fragments: str) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    assert info.value.code() == code, info.value.details()
    for fragment in fragments:
        assert fragment in info.value.details()
    return info.value.details()
