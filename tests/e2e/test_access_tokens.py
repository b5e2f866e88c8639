"""AIMEE_API_TOKENS through Envoy: /api/v1 and /ws need the bearer token, /health stays open."""
from __future__ import annotations

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
