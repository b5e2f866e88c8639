"""The console's static server (services.webui): which file answers a path, over a real socket, and the
Japanese page when web/dist was never built."""
from __future__ import annotations

import asyncio
import gzip

import httpx
import pytest

from services.webui.config import Settings
from services.webui.files import resolve
from services.webui.server import make_handler


@pytest.fixture
def dist(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>AIMEE</title>" + "x" * 2000, encoding="utf-8")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('aimee');" * 200)
    (tmp_path.parent / "secret.txt").write_text("no")
    return tmp_path


def test_files_assets_and_spa_fallback(dist):
    asset = resolve(dist, "/assets/index-abc123.js?v=1")
    assert asset.status == 200 and asset.headers["Content-Type"].startswith("text/javascript")
    assert "immutable" in asset.headers["Cache-Control"]
    for client_route in ("/", "/alerts", "/board/2026-12-02"):
        page = resolve(dist, client_route)
        assert page.status == 200 and page.body.startswith(b"<!doctype html>")
        assert page.headers["Cache-Control"] == "no-cache"
    assert resolve(dist, "/assets/missing.js").status == 404
    assert resolve(dist, "/../secret.txt").status == 404
    assert resolve(dist, "/%2e%2e/secret.txt").status == 404


def test_missing_build_says_to_run_make_demo(tmp_path):
    reply = resolve(tmp_path / "nothing-here", "/")
    assert reply.status == 503
    text = reply.body.decode("utf-8")
    assert "make demo" in text and "ビルドされていません" in text


async def test_server_gzip_keepalive_and_methods(dist):
    server = await asyncio.start_server(make_handler(Settings(dist=dist)), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            js = await client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip"})
            assert js.status_code == 200 and js.headers["content-encoding"] == "gzip"
            assert js.text == "console.log('aimee');" * 200  # httpx decoded the gzip body
            assert int(js.headers["content-length"]) < len(js.text)
            plain = await client.get("/alerts", headers={"Accept-Encoding": "identity"})
            assert plain.status_code == 200 and "content-encoding" not in plain.headers
            assert plain.text.startswith("<!doctype html>")
            head = await client.head("/")
            assert head.status_code == 200 and head.content == b""
            post = await client.post("/", content=b"{}")
            assert post.status_code == 405
            assert gzip.decompress(gzip.compress(b"ok")) == b"ok"
    finally:
        server.close()
        await server.wait_closed()
