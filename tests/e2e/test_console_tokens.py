"""The console on a mesh with AIMEE_API_TOKENS: the first 401 asks for a token, which is then sent as
`Authorization: Bearer` on every REST call and as the `aimee.bearer.<token>` WS subprotocol, so chat works."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import start_mesh, stop_mesh
from tests.e2e.console_browser import ensure_console_build, launch
from tests.e2e.test_console import SHOTS, TIMEOUT_MS

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-dev.txt")
expect = playwright_api.expect
TOKEN = "console-e2e-token-51c2"


@pytest.fixture(scope="module")
def token_mesh(tmp_path_factory, database_url, redis_url):
    mesh = start_mesh(tmp_path_factory.mktemp("console-token-mesh"), database_url, redis_url,
                      {"AIMEE_API_TOKENS": TOKEN, "ENVOY_LISTEN_HOST": "127.0.0.1",
                       "KNOWLEDGE_SEED_ON_START": "false"})
    yield mesh
    stop_mesh(mesh)


def test_console_asks_for_a_token_and_then_uses_it(token_mesh):
    ensure_console_build()
    with playwright_api.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 820, "height": 1100})  # a tablet in portrait
        page.set_default_timeout(TIMEOUT_MS)
        sent: list[str] = []
        page.on("request", lambda r: sent.append(r.headers.get("authorization", "")) if "/api/v1/" in r.url else None)
        try:
            page.goto(token_mesh.base_url + "/#/alerts")
            dialog = page.get_by_role("dialog", name="APIトークン")
            expect(dialog).to_be_visible()
            expect(page.get_by_role("alert").first).to_contain_text("認証が必要です")
            dialog.locator("input[name=token]").fill(TOKEN)
            dialog.get_by_role("button", name="保存して再読み込み").click()
            expect(page.get_by_test_id("alert-item").first).to_be_visible()
            assert f"Bearer {TOKEN}" in sent and sent[0] == ""
            assert page.evaluate("localStorage.getItem('aimee.token')") == TOKEN
            # The chat WebSocket carries the same token as a subprotocol (no header, never in the URL).
            page.goto(token_mesh.base_url + "/#/ask")
            page.get_by_role("button", name="新しい会話").click()
            page.get_by_role("textbox").fill("現在のアラート件数は？")
            page.get_by_role("button", name="送信").click()
            expect(page.get_by_test_id("answer")).to_be_visible()
        except Exception:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "test_console_asks_for_a_token.png"), full_page=True)
            raise
        finally:
            browser.close()
