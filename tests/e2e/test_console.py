"""The manager console in real Chromium against the real mesh (Envoy → static server + API): the first
view's size and paint, a streamed chat answer with its parts, alerts of each type, a what-if, a cell edit
whose stale second tab gets the 409 path, a cell's audit trail after an edit, and dashboard charts that change with the site.
Screenshots go to var/console-failures/ when a test fails."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import httpx
import pymysql
import pytest

from tests.e2e.console_browser import FIRST_VIEW_METRICS_JS, ensure_console_build, launch

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-dev.txt")
expect = playwright_api.expect
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "var" / "console-failures"
TIMEOUT_MS = 45_000
FIRST_VIEW_JS_LIMIT = 300 * 1024


@pytest.fixture(scope="module")
def browser(mesh):
    ensure_console_build()
    with playwright_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def context(browser, request):
    ctx = browser.new_context(viewport={"width": 1024, "height": 900}, locale="ja-JP")
    ctx.set_default_timeout(TIMEOUT_MS)
    failed_before = request.session.testsfailed
    yield ctx
    if request.session.testsfailed > failed_before:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for i, page in enumerate(ctx.pages):
            page.screenshot(path=str(SHOTS / f"{request.node.name}-{i}.png"), full_page=True)
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


def test_console_is_served_beside_the_unchanged_api(mesh, http):
    index = http.get("/")
    assert index.status_code == 200 and "AIMEE 管理コンソール" in index.text
    assert http.get("/board").text == index.text  # client-side path → the app
    script = re.search(r'src="(/assets/[^"]+\.js)"', index.text).group(1)
    js = http.get(script, headers={"Accept-Encoding": "gzip"})
    assert js.status_code == 200 and js.headers["content-encoding"] == "gzip"
    missing = http.get("/api/v1/no-such-route")
    assert missing.status_code == 404 and missing.json()["code"] == 5  # still the transcoder's JSON 404
    assert http.get("/health").json()["status"] == "ok"


def test_native_grpc_still_passes_through_envoy_with_the_console_route(mesh):
    import grpc
    from aimee.gateway.v1 import gateway_pb2, gateway_pb2_grpc
    with grpc.insecure_channel(mesh.base_url.removeprefix("http://")) as channel:
        health = gateway_pb2_grpc.MeshStatusServiceStub(channel).GetHealth(gateway_pb2.GetHealthRequest(), timeout=10)
    assert health.status == "ok"


def test_first_view_is_small_and_fast(mesh, page):
    page.goto(mesh.base_url + "/")
    expect(page.get_by_role("heading", name="問い合わせ")).to_be_visible()
    page.wait_for_function("performance.getEntriesByName('aimee:first-view').length > 0")
    m = page.evaluate(FIRST_VIEW_METRICS_JS)
    print("console first view:", json.dumps(m, ensure_ascii=False))
    assert m["js_transfer_bytes"] <= FIRST_VIEW_JS_LIMIT, m
    assert not any(s.startswith("Dashboard") for s in m["scripts"]), "ECharts must load with the dashboard only"
    # The target is 1 s from the local mesh (the bench prints the figure); a shared 2-core CI gets slack.
    assert m["first_view_ms"] is not None and m["first_view_ms"] < 5000, m


def test_ask_streams_progress_then_answer_with_its_parts(mesh, page):
    page.goto(mesh.base_url + "/#/ask")
    page.get_by_role("button", name="新しい会話").click()
    box = page.get_by_role("textbox")
    box.fill("横浜拠点のアラートを改善して")
    page.get_by_role("button", name="送信").click()
    expect(page.get_by_test_id("progress-event").first).to_contain_text("意図解析")
    answer = page.get_by_test_id("answer")
    expect(answer).to_be_visible()
    stages = page.get_by_test_id("progress-event").all_inner_texts()
    for stage in ("意図解析", "分析", "最適化", "ノウハウ検索"):
        assert any(s.startswith(stage) for s in stages), stages
    expect(answer).to_contain_text("横浜")
    expect(page.get_by_test_id("plan")).to_contain_text("改善計画")
    page.get_by_test_id("knowledge").locator("summary").click()
    expect(page.get_by_test_id("knowledge")).to_contain_text("参照したノウハウ")
    page.get_by_test_id("interpretation").locator("summary").click()
    expect(page.get_by_test_id("interpretation")).to_contain_text("横浜")
    first = page.evaluate("window.__aimeeMetrics.firstProgressMs[0]")
    print(f"console first progress event: {first:.1f} ms")
    assert first < 1000  # target 200 ms without an LLM; the bench prints the figure
    # A follow-up in the same conversation, then a reload shows both turns from GET /api/v1/chat/history.
    box.fill("札幌は？")
    page.get_by_role("button", name="送信").click()
    expect(page.get_by_test_id("answer")).to_have_count(2)
    page.reload()
    expect(page.get_by_test_id("history-message")).to_have_count(4)
    expect(page.get_by_test_id("history-message").nth(2)).to_contain_text("札幌は？")


def test_alerts_of_each_type_open_with_evidence_and_actions_run(mesh, page, http):
    types = {a["alert_type"] for a in http.get("/api/v1/alerts", params={"page_size": 200}).json()["alerts"]}
    assert len(types) >= 3, types
    page.goto(mesh.base_url + "/#/alerts")
    page.get_by_label("状態").select_option("")
    for alert_type in sorted(types):
        page.get_by_label("種類").select_option(alert_type)
        item = page.locator(f'[data-testid=alert-item][data-alert-type="{alert_type}"]').first
        item.click()
        detail = page.get_by_test_id("alert-detail")
        expect(detail).to_contain_text("根拠")
        expect(page.get_by_test_id("evidence")).to_contain_text("データの出典")
    page.get_by_test_id("analyze").click()
    expect(page.get_by_test_id("alert-detail").get_by_test_id("answer")).to_be_visible()
    page.get_by_test_id("detect").click()
    expect(page.get_by_test_id("detect-result")).to_contain_text("検知しました")


def _open_board(page, base_url: str, site: str) -> None:
    page.goto(base_url + "/#/board")
    page.get_by_label("拠点").select_option(site)
    expect(page.get_by_test_id(f"board-{site}")).to_be_visible()
    expect(page.locator("[data-testid=cell][data-assignment]").first).to_be_visible()


def test_what_if_runs_simulate(mesh, page):
    _open_board(page, mesh.base_url, "札幌")
    expect(page.get_by_test_id("board-kpis")).to_contain_text("推奨のカバー率")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert page.get_by_label("日付").input_value() == tomorrow
    expect(page.locator("[data-testid=cell][data-diff='1']").first).to_be_visible()  # differences highlighted
    expect(page.get_by_test_id("shortages")).to_contain_text("不足")
    page.get_by_test_id("simulate").click()
    result = page.get_by_test_id("whatif-result")
    expect(result).to_contain_text("シナリオ")
    expect(result).to_contain_text("カバー率")


def test_edit_cell_then_stale_second_tab_gets_the_409_path(mesh, context):
    site = "佐世保"
    first, second = context.new_page(), context.new_page()
    _open_board(first, mesh.base_url, site)
    _open_board(second, mesh.base_url, site)
    # Two processes the person may move to (the solver refuses others): one per tab.
    aid, _before, (target, other) = _movable_cell(mesh.env["DATABASE_URL"], site,
                                                  (date.today() + timedelta(days=1)).isoformat(), others=2)
    assignment = str(aid)
    first.locator(f"[data-testid=cell][data-assignment='{assignment}'] .cell-btn").click()
    first.get_by_label("工程").select_option(target)
    first.get_by_test_id("save-cell").click()
    expect(first.locator(f"[data-testid=cell][data-assignment='{assignment}'] .cell-btn")).to_contain_text(target)
    # The second tab still holds the old version: its change is refused, shown, and nothing is overwritten.
    second.locator(f"[data-testid=cell][data-assignment='{assignment}'] .cell-btn").click()
    second.get_by_label("工程").select_option(other)
    second.get_by_test_id("save-cell").click()
    conflict = second.get_by_test_id("conflict")
    expect(conflict).to_contain_text("他の人が先に変更しました")
    expect(conflict).to_contain_text(f"現在の値: {target}")
    second.get_by_test_id("reload-latest").click()
    expect(second.locator(f"[data-testid=cell][data-assignment='{assignment}'] .cell-btn")).to_contain_text(target)
    current = httpx.get(f"{mesh.base_url}/api/v1/assignments/current", params={"location": site,
                        "date": (date.today() + timedelta(days=1)).isoformat()}).json()["assignments"]
    assert {str(a["assignment_id"]): a["process"] for a in current}[assignment] == target


def _movable_cell(database_url: str, site: str, day: str, others: int = 1) -> tuple[int, str, list[str]]:
    """(assignment id, its process, `others` other processes its employee is certified for) of the first
    planned cell of `site` on `day` whose employee can move that many ways."""
    from db.connect import parse_database_url
    conn = pymysql.connect(**parse_database_url(database_url))
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT da.assignment_id, p.process_name, GROUP_CONCAT(other.process_name ORDER BY other.process_id) "
                "FROM daily_assignments da "
                "JOIN locations l ON l.location_id = da.location_id JOIN processes p ON p.process_id = da.process_id "
                "JOIN employee_skills es ON es.employee_id = da.employee_id AND es.process_id <> da.process_id "
                "JOIN processes other ON other.process_id = es.process_id AND es.skill_level >= other.min_skill_level "
                "WHERE l.location_name = %s AND da.assignment_date = %s AND da.status <> 'cancelled' "
                "GROUP BY da.assignment_id, p.process_name HAVING COUNT(*) >= %s "
                "ORDER BY da.assignment_id LIMIT 1", (site, day, others))
            row = cur.fetchone()
    finally:
        conn.close()
    assert row is not None, f"{site} {day}: no assignment whose employee can take {others} other processes"
    return int(row[0]), row[1], row[2].split(",")[:others]


def test_an_edited_cell_shows_the_change_in_its_history(mesh, context):
    """Edit a cell with a reason, reopen it: its audit trail lists the change first (who, kind, before → after,
    why); the refused change of a stale second tab adds no row."""
    site, day = "品川", (date.today() + timedelta(days=1)).isoformat()
    assignment, before, (target,) = _movable_cell(mesh.env["DATABASE_URL"], site, day)
    rows_before = len(httpx.get(f"{mesh.base_url}/api/v1/assignments/{assignment}/history").json()["entries"])
    first, second = context.new_page(), context.new_page()
    _open_board(first, mesh.base_url, site)
    _open_board(second, mesh.base_url, site)
    cell = first.locator(f"[data-testid=cell][data-assignment='{assignment}'] .cell-btn")
    cell.click()
    first.get_by_test_id("open-history").click()
    history = first.get_by_test_id("history")
    expect(history).to_contain_text("変更履歴")
    expect(history.get_by_test_id("history-row")).to_have_count(rows_before)
    first.get_by_label("工程").select_option(target)
    first.get_by_placeholder("例: 出荷の締めに備えて").fill("e2e 履歴の確認")
    first.get_by_test_id("save-cell").click()
    expect(cell).to_contain_text(target)
    # The stale tab's change is refused (409) and must not appear in the trail.
    second.locator(f"[data-testid=cell][data-assignment='{assignment}'] .cell-btn").click()
    second.get_by_label("工程").select_option(target)   # the stale tab still shows `before`
    second.get_by_test_id("save-cell").click()
    expect(second.get_by_test_id("conflict")).to_contain_text("他の人が先に変更しました")
    cell.click()
    first.get_by_test_id("open-history").click()
    rows = first.get_by_test_id("history").get_by_test_id("history-row")
    expect(rows).to_have_count(rows_before + 1)
    head = first.get_by_test_id("history-table").locator("thead")
    for column in ("日時", "変更者", "種別", "変更前→変更後", "理由"):
        expect(head).to_contain_text(column)
    newest = rows.first
    expect(newest).to_contain_text("manager001")
    expect(newest).to_contain_text("工程変更")
    expect(newest).to_contain_text(f"工程: {before} → {target}")
    expect(newest).to_contain_text("e2e 履歴の確認")
    assert re.match(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}$", newest.locator("td").first.inner_text().strip())


def _signature(page, chart: str) -> str:
    locator = page.get_by_test_id(f"chart-{chart}")
    expect(locator.locator("canvas").first).to_be_visible()
    return locator.get_attribute("data-signature")


def test_dashboard_charts_change_with_the_site(mesh, page):
    page.goto(mesh.base_url + "/#/dashboard")
    expect(page.get_by_test_id("site-横浜")).to_be_visible()
    charts = ("productivity", "absence", "forecast")
    before = {c: _signature(page, c) for c in charts}
    for c in charts:
        expect(page.get_by_test_id(f"chart-{c}")).to_contain_text("期間:")
        expect(page.get_by_test_id(f"chart-{c}")).to_contain_text("出典:")
    page.get_by_role("tab", name="品川").click()
    expect(page.get_by_test_id("site-品川")).to_be_visible()
    page.wait_for_function("""(before) => Object.entries(before).every(([c, sig]) => {
        const el = document.querySelector(`[data-testid=chart-${c}]`);
        return el && el.querySelector('canvas') && el.dataset.signature !== sig; })""", arg=before)
    expect(page.get_by_test_id("chart-overtime").locator("canvas")).to_be_visible()  # 品川 exceeds its limit
    expect(page.get_by_test_id("kpi-coverage")).to_contain_text("%")
    page.get_by_role("tab", name="全拠点").click()
    expect(page.get_by_test_id("chart-alerts-by-site").locator("canvas")).to_be_visible()


def test_know_how_search_add_and_delete(mesh, page):
    page.goto(mesh.base_url + "/#/knowledge")
    expect(page.get_by_test_id("knowledge-hits").locator("li").first).to_be_visible()  # the opening search
    title = "コンソール試験 フォークリフト充電の段取り"
    form = page.get_by_test_id("knowledge-add")
    form.get_by_label("タイトル").fill(title)
    form.get_by_label("本文").fill("フォークリフトの充電は昼休みの前に済ませ、午後の入荷ピークに全台を使えるようにする。")
    form.get_by_label("カテゴリ").select_option("現場ノウハウ")
    form.get_by_role("button", name="登録").click()
    expect(page.get_by_test_id("knowledge-msg")).to_contain_text("登録しました")
    page.get_by_label("キーワード").fill("フォークリフト 充電 昼休み")
    page.get_by_role("button", name="検索").click()
    hit = page.get_by_test_id("knowledge-hits").locator("li", has_text=title)
    expect(hit.first).to_be_visible()
    page.once("dialog", lambda d: d.accept())
    hit.first.get_by_role("button", name="削除").click()
    expect(page.get_by_test_id("knowledge-msg")).to_contain_text("削除しました")
    expect(page.get_by_test_id("knowledge-hits").locator("li", has_text=title)).to_have_count(0)


def test_alert_list_and_board_download_as_excel_and_csv_with_japanese_headers(mesh, page):
    """The download buttons export what the pane shows: a real .xlsx (typed cells, Japanese headers) and a CSV."""
    import io

    import openpyxl

    page.goto(mesh.base_url + "/#/alerts")
    page.get_by_label("拠点").select_option("品川")
    with page.expect_download() as xlsx_download:
        page.get_by_role("button", name="アラート一覧をExcelで出力").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert "拠点" in header and sheet.max_row > 1, header
    sites = {row[header.index("拠点")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert sites == {"品川"}, sites
    _open_board(page, mesh.base_url, "大阪")
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="配置表をCSVで出力").click()
    text = Path(csv_download.value.path()).read_bytes().decode("utf-8-sig")
    first_line = text.splitlines()[0]
    assert "拠点" in first_line and "大阪" in text, first_line
