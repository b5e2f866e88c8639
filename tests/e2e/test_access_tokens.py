"""AIMEE_API_TOKENS through Envoy: /api/v1 and /ws need the bearer token, /health stays open."""
from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.e2e.conftest import start_mesh, stop_mesh

TOKEN = "e2e-token-7f3a"


@pytest.fixture(scope="module")
def token_mesh(tmp_path_factory, database_url, redis_url):
    mesh = start_mesh(tmp_path_factory.mktemp("token-mesh"), database_url, redis_url,
                      {"AIMEE_API_TOKENS": TOKEN, "ENVOY_LISTEN_HOST": "127.0.0.1",
                       "KNOWLEDGE_SEED_ON_START": "false"})
    yield mesh
    stop_mesh(mesh)


def test_api_needs_the_token_health_does_not(token_mesh):
    with httpx.Client(base_url=token_mesh.base_url, timeout=30) as http:
        assert http.get("/health").status_code == 200
        body = {"query": "現在のアラート件数は？"}
        missing = http.post("/api/v1/ai/query", json=body)
        assert missing.status_code == 401
        assert "Bearer" in missing.json()["message"]
        assert http.post("/api/v1/ai/query", json=body,
                         headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = http.post("/api/v1/ai/query", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200, ok.text
        assert http.get("/api/v1/alerts", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


async def test_websocket_needs_the_token(token_mesh):
    with pytest.raises(InvalidStatus) as err:
        async with connect(f"{token_mesh.ws_url}/ws/ai/stream", open_timeout=10):
            pass
    assert err.value.response.status_code == 401
    async with connect(f"{token_mesh.ws_url}/ws/ai/stream", open_timeout=10,
                       additional_headers={"Authorization": f"Bearer {TOKEN}"}) as ws:
        await ws.send('{"query": "現在のアラート件数は？"}')
        assert (await ws.recv())


async def test_browser_websocket_sends_the_token_as_a_subprotocol(token_mesh):
    """Through Envoy, as a browser does it: `new WebSocket(url, ["aimee.bearer.<token>", "aimee.v1"])`."""
    async with connect(f"{token_mesh.ws_url}/ws/ai/stream", open_timeout=10,
                       subprotocols=[f"aimee.bearer.{TOKEN}", "aimee.v1"]) as ws:
        assert ws.subprotocol == "aimee.v1"  # the plain one is echoed, never the token
        assert TOKEN not in str(ws.response.headers)
        await ws.send('{"query": "現在のアラート件数は？"}')
        first = json.loads(await ws.recv())
        assert first["type"] == "progress"
    for protocols, status in (([f"aimee.bearer.{TOKEN}x", "aimee.v1"], 401),  # wrong token
                              (["aimee.v1"], 401),                             # none at all
                              ([f"aimee.bearer.{TOKEN}"], 400)):               # browser would fail: no plain one
        with pytest.raises(InvalidStatus) as err:
            async with connect(f"{token_mesh.ws_url}/ws/ai/stream", open_timeout=10, subprotocols=protocols):
                pass
        assert err.value.response.status_code == status, protocols
    # Neither Envoy's access log nor the gateway's log holds the token (Envoy writes a WebSocket's line
    # when it closes, and flushes about once a second).
    deadline = time.monotonic() + 10
    while True:
        logs = "".join(p.read_text(errors="replace") for p in (token_mesh.run_dir / "log").glob("*.log"))
        if logs.count('"path":"/ws/ai/stream"') >= 4 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert logs.count('"path":"/ws/ai/stream"') >= 4 and TOKEN not in logs


async def test_a_token_in_the_websocket_url_is_refused(token_mesh):
    for query in (f"access_token={TOKEN}", f"token={TOKEN}"):
        with pytest.raises(InvalidStatus) as err:
            async with connect(f"{token_mesh.ws_url}/ws/ai/stream?{query}", open_timeout=10):
                pass
        assert err.value.response.status_code == 400
        assert "URL に含めないで" in err.value.response.body.decode()
