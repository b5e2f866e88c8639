"""An unknown site's NOT_FOUND quotes the name the caller sent, but never more than a glance of it."""
from __future__ import annotations

import pytest

from services.common.db import create_pool
from services.common.errors import NotFound
from services.common.sites import SiteDirectory


async def test_unknown_site_message_lists_sites_and_clips_the_name(database_url):
    pool = await create_pool(database_url, maxsize=1)
    try:
        sites = SiteDirectory(pool)
        with pytest.raises(NotFound) as short:
            await sites.get("東京")
        with pytest.raises(NotFound) as long:
            await sites.get("x" * 1_000_000)
    finally:
        pool.close()
        await pool.wait_closed()
    assert short.value.message == "拠点「東京」は見つかりません。指定できる拠点: 横浜、品川、札幌、大阪、佐世保"
    assert "…（全1000000文字）" in long.value.message
    assert len(long.value.message) < 200
