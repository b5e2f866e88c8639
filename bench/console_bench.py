"""The manager console in real Chromium: first meaningful paint, the first view's JS (gzipped, as sent),
and the first progress event's latency after a chat message is sent. Needs a running mesh (`make up`
after `make web`, or `make demo`); prints a table.

    python -m bench.console_bench [--url http://127.0.0.1:8000] [--runs 5]

First meaningful paint is the `aimee:first-view` mark (the first frame after the app mounted, i.e. the
Ask pane on screen); first contentful paint is the browser's own. Each run is a fresh browser context
(cold HTTP cache). The first progress event latency is measured in the page from the WebSocket send to
the first `progress` event (intent), through Envoy.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys

from playwright.sync_api import sync_playwright

from tests.e2e.console_browser import FIRST_VIEW_METRICS_JS, launch

QUERIES = ["横浜拠点のアラートを改善して", "現在のアラート件数は？", "明日の最適配置を提案して"]


def one_run(browser, url: str, query: str) -> dict:
    ctx = browser.new_context(viewport={"width": 1024, "height": 900})
    ctx.set_default_timeout(60_000)
    page = ctx.new_page()
    page.goto(url + "/#/ask")
    page.wait_for_function("performance.getEntriesByName('aimee:first-view').length > 0")
    metrics = page.evaluate(FIRST_VIEW_METRICS_JS)
    page.get_by_role("button", name="新しい会話").click()
    page.get_by_role("textbox").fill(query)
    page.get_by_role("button", name="送信").click()
    page.wait_for_function("window.__aimeeMetrics && window.__aimeeMetrics.firstProgressMs.length > 0")
    metrics["first_progress_ms"] = page.evaluate("window.__aimeeMetrics.firstProgressMs[0]")
    page.get_by_test_id("answer").wait_for()
    ctx.close()
    return metrics


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.console_bench")
    p.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('ENVOY_PORT', '8000')}")
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args(argv)
    rows = []
    with sync_playwright() as pw:
        browser = launch(pw)
        one_run(browser, args.url, QUERIES[0])  # warm-up: the mesh's first answers fill its caches
        for i in range(max(1, min(args.runs, 50))):
            rows.append(one_run(browser, args.url, QUERIES[i % len(QUERIES)]))
        browser.close()

    def line(name: str, key: str, unit: str, target: str) -> None:
        values = [r[key] for r in rows if r.get(key) is not None]
        print(f"{name:<42} {statistics.median(values):>9.1f} {max(values):>9.1f} {unit:<4} {target}")

    print(f"console bench: {args.url}, {len(rows)} runs (fresh browser context each), Chromium {browser.version}")
    print(f"{'what':<42} {'median':>9} {'max':>9} unit target")
    line("first meaningful paint (aimee:first-view)", "first_view_ms", "ms", "<= 1000 ms")
    line("first contentful paint", "fcp_ms", "ms", "")
    line("first progress event after send", "first_progress_ms", "ms", "<= 200 ms")
    kb = rows[0]["js_transfer_bytes"] / 1024
    print(f"{'first view JS, gzipped as sent':<42} {kb:>9.1f} {kb:>9.1f} kB   <= 300 kB "
          f"({rows[0]['js_decoded_bytes'] / 1024:.0f} kB decoded; {', '.join(rows[0]['scripts'])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
