"""WebSocket streaming through Envoy, and chat with memory through REST and WS."""
from __future__ import annotations

import json
import uuid

from websockets.asyncio.client import connect


async def _collect(ws, limit: int = 500) -> list[dict]:
    events = []
    for _ in range(limit):
        event = json.loads(await ws.recv())
        events.append(event)
        if event["type"] in ("final", "error"):
            break
    return events


async def test_ws_ai_stream_sends_progress_narrative_then_final(mesh):
    async with connect(f"{mesh.ws_url}/ws/ai/stream", open_timeout=10) as ws:
        await ws.send(json.dumps({"query": "横浜拠点のアラートを改善して"}, ensure_ascii=False))
        events = await _collect(ws)
    kinds = [e["type"] for e in events]
    assert kinds[0] == "progress" and events[0]["stage"] == "intent"
    stages = {e.get("stage") for e in events if e["type"] == "progress"}
    assert {"intent", "analytics", "solver", "knowledge"} <= stages
    assert "narrative" in kinds
    assert kinds[-1] == "final"
    final = events[-1]["answer"]
    after_reset = events[max((i for i, e in enumerate(events) if e["type"] == "narrative_reset"), default=-1) + 1:]
    narrative = "".join(e["text"] for e in after_reset if e["type"] == "narrative")
    assert final["intent"]["location"] == "横浜"
    assert narrative.strip() and narrative.strip() in final["narrative"]


async def test_ws_bad_message_gets_error_event_and_connection_stays(mesh):
    async with connect(f"{mesh.ws_url}/ws/ai/stream", open_timeout=10) as ws:
        await ws.send("{not json")
        error = json.loads(await ws.recv())
        assert error["type"] == "error" and error["code"] == "INVALID_ARGUMENT"
        await ws.send(json.dumps({"query": "現在のアラート件数は？"}, ensure_ascii=False))
        events = await _collect(ws)
        assert events[-1]["type"] == "final"


def test_chat_follow_up_resolves_against_previous_intent(http):
    session = f"sess_{uuid.uuid4().hex[:10]}"
    first = http.post("/api/v1/chat/messages", json={"session_id": session, "user_id": "manager001",
                                                     "message": "横浜拠点の勤怠パターンを分析して"})
    assert first.status_code == 200, first.text
    assert first.json()["reply"]["intent"]["location"] == "横浜"
    follow = http.post("/api/v1/chat/messages", json={"session_id": session, "user_id": "manager001",
                                                      "message": "札幌は？"})
    assert follow.status_code == 200, follow.text
    intent = follow.json()["reply"]["intent"]
    assert intent["location"] == "札幌"
    assert intent["intent"] == "analyze_attendance"
    history = http.get("/api/v1/chat/history", params={"session_id": session}).json()
    assert [m["role"] for m in history["messages"]] == ["user", "assistant", "user", "assistant"]
    assert history["messages"][2]["content"] == "札幌は？"


async def test_ws_chat_stores_the_conversation(mesh, http):
    session = f"sess_{uuid.uuid4().hex[:10]}"
    async with connect(f"{mesh.ws_url}/ws/chat/{session}", open_timeout=10) as ws:
        await ws.send(json.dumps({"message": "品川の残業の状況は？"}, ensure_ascii=False))
        events = await _collect(ws)
        stored = json.loads(await ws.recv())
    assert events[-1]["type"] == "final"
    assert stored["type"] == "stored" and stored["session_id"] == session
    history = http.get("/api/v1/chat/history", params={"session_id": session}).json()
    assert len(history["messages"]) == 2
