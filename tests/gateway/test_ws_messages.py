"""WebSocket messages are checked by the same rules as REST: a wrong type, a list, an unknown field or an
over-long id is an error event with {code, message}, the connection stays usable, and nothing is stored."""
from __future__ import annotations

import json
import uuid

import pytest
from websockets.asyncio.client import connect

from services.common.db import create_pool, fetch_one
from tests.conftest import free_port


@pytest.fixture
async def bridge(gateway_settings, start_gateway):
    _, gateway = await start_gateway(gateway_settings())
    port = free_port()
    server = await gateway.bridge.start("127.0.0.1", port)
    yield f"ws://127.0.0.1:{port}"
    server.close()
    await server.wait_closed()


@pytest.mark.parametrize("message, fragment", [
    ('{"query": 123}', "query は文字列"),
    ('{"query": ["横浜"]}', "query は文字列"),
    ("[1, 2]", "JSON オブジェクト"),
    ('{"query": "件数", "context": "x"}', "context は JSON オブジェクト"),
    ('{"query": "件数", "context": {"urgency": "now"}}', "low / medium / high"),
    ('{"query": "件数", "context": {"user_id": 7}}', "context.user_id は文字列"),
    ('{"quer": "件数"}', "項目 quer は使えません"),
    ('{"query": ""}', "query（相談内容）"),
    ("{not json", "JSON を解析できません"),
])
async def test_bad_stream_messages_get_an_error_event_and_the_connection_stays(bridge, message, fragment):
    async with connect(f"{bridge}/ws/ai/stream", open_timeout=5) as ws:
        for _ in range(2):  # the same bad message twice: the first did not close the connection
            await ws.send(message)
            event = json.loads(await ws.recv())
            assert event["type"] == "error" and event["code"] == "INVALID_ARGUMENT"
            assert fragment in event["message"]


async def test_bytes_that_are_not_utf8_get_an_error_event(bridge):
    async with connect(f"{bridge}/ws/ai/stream", open_timeout=5) as ws:
        await ws.send(b"\xff\xfe{")
        event = json.loads(await ws.recv())
        assert event == {"type": "error", "code": "INVALID_ARGUMENT", "message": "メッセージは UTF-8 のテキストで送ってください"}


async def test_chat_with_a_65_character_user_id_is_refused_before_answering_and_stores_nothing(bridge, database_url):
    session = f"sess_{uuid.uuid4().hex[:10]}"
    async with connect(f"{bridge}/ws/chat/{session}", open_timeout=5) as ws:
        await ws.send(json.dumps({"message": "横浜のアラート件数は？", "user_id": "u" * 65}, ensure_ascii=False))
        event = json.loads(await ws.recv())
        assert event["type"] == "error" and "user_id は 64 文字以内" in event["message"]
        await ws.send(json.dumps({"message": 5}))
        assert "message は文字列" in json.loads(await ws.recv())["message"]
    pool = await create_pool(database_url, maxsize=1)
    try:
        row = await fetch_one(pool, "SELECT COUNT(*) AS n FROM chat_messages WHERE session_id = %s", (session,))
    finally:
        pool.close()
        await pool.wait_closed()
    assert row["n"] == 0


async def test_chat_session_id_from_the_path_is_held_to_its_limit(bridge):
    async with connect(f"{bridge}/ws/chat/{'s' * 65}", open_timeout=5) as ws:
        await ws.send(json.dumps({"message": "横浜のアラート件数は？"}, ensure_ascii=False))
        event = json.loads(await ws.recv())
        assert event["type"] == "error" and "session_id は 64 文字以内" in event["message"]


async def test_an_over_long_query_is_an_error_event_on_a_connection_that_stays_open(bridge):
    async with connect(f"{bridge}/ws/ai/stream", open_timeout=5) as ws:
        await ws.send(json.dumps({"query": "あ" * 100_000}, ensure_ascii=False))  # 300 KB
        event = json.loads(await ws.recv())
        assert event["type"] == "error" and "query は 1,000 文字以内" in event["message"]
        await ws.send(json.dumps({"query": 5}))
        assert json.loads(await ws.recv())["type"] == "error"
