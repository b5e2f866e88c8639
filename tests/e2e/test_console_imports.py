"""The console's データ取込 pane in real Chromium against the real mesh: a CP932 attendance CSV made here is
checked first (the bad row shows with its line, column, value and Japanese message, and 取り込む stays
disabled), then the fixed file is checked and imported, and the row is in MySQL."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from db.connect import connect
from tests.conftest import TEST_DATABASE
from tests.e2e.console_browser import ensure_console_build, launch

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-dev.txt")
expect = playwright_api.expect
SHOTS = Path(__file__).resolve().parents[2] / "var" / "console-failures"
TIMEOUT_MS = 45_000
HEADER = "従業員コード,勤務日,勤怠区分,所定時間,実働時間,残業時間\n"


@pytest.fixture
def page(mesh, request):
    ensure_console_build()
    with playwright_api.sync_playwright() as p:
        browser = launch(p)
        ctx = browser.new_context(viewport={"width": 1024, "height": 900}, locale="ja-JP")
        ctx.set_default_timeout(TIMEOUT_MS)
        failed_before = request.session.testsfailed
        yield ctx.new_page()
        if request.session.testsfailed > failed_before:
            SHOTS.mkdir(parents=True, exist_ok=True)
            ctx.pages[0].screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
        browser.close()


@pytest.fixture
def new_day():
    """An employee and a day without attendance (the day before their first record); the row is removed after."""
    with connect(database=TEST_DATABASE) as conn, conn.cursor() as cur:
        cur.execute("SELECT e.employee_id, e.employee_code, MIN(a.attendance_date) FROM employees e "
                    "JOIN attendance_records a USING (employee_id) GROUP BY e.employee_id, e.employee_code "
                    "ORDER BY e.employee_id LIMIT 1")
        employee_id, code, first = cur.fetchone()
    day = first - dt.timedelta(days=1)
    yield code, day
    with connect(database=TEST_DATABASE, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM attendance_records WHERE employee_id = %s AND attendance_date = %s", (employee_id, day))


def _choose(page, name: str, text: str) -> None:
    page.get_by_label("ファイル").set_input_files(files=[
        {"name": name, "mimeType": "text/csv", "buffer": text.encode("cp932")}])


def test_check_shows_the_bad_row_then_the_fixed_file_imports(mesh, page, new_day):
    code, day = new_day
    page.goto(mesh.base_url + "/#/imports")
    expect(page.get_by_role("heading", name="データ取込")).to_be_visible()
    page.get_by_label("データの種類").select_option("attendance")
    _choose(page, "勤怠.csv", HEADER + f"{code},{day.isoformat()},出勤,8,8,0\n{code},2026-02-30,出勤,8,8,0\n")
    page.get_by_role("button", name="確認する（書き込みなし）").click()
    bad = page.get_by_test_id("bad-rows")
    expect(bad).to_contain_text("3行目 勤務日: 2026-02-30 は日付ではありません")
    expect(bad.locator("tbody td").first).to_have_text("3")
    expect(page.get_by_test_id("import-report")).to_contain_text("誤りあり")
    expect(page.get_by_role("button", name="取り込む")).to_be_disabled()

    _choose(page, "勤怠_修正.csv", HEADER + f"{code},{day.isoformat()},出勤,8,8,0\n")
    expect(page.get_by_role("button", name="取り込む")).to_be_disabled()  # a new file needs a new check
    page.get_by_role("button", name="確認する（書き込みなし）").click()
    expect(page.get_by_test_id("import-message")).to_contain_text("確認のみ")
    with connect(database=TEST_DATABASE) as conn, conn.cursor() as cur:  # the check wrote nothing
        cur.execute("SELECT COUNT(*) FROM attendance_records a JOIN employees e USING (employee_id) "
                    "WHERE e.employee_code = %s AND a.attendance_date = %s", (code, day))
        assert cur.fetchone()[0] == 0
    page.get_by_role("button", name="取り込む").click()
    expect(page.get_by_test_id("import-message")).to_contain_text("取り込みました")
    expect(page.get_by_test_id("count-inserted")).to_have_text("1")
    with connect(database=TEST_DATABASE) as conn, conn.cursor() as cur:
        cur.execute("SELECT a.actual_hours FROM attendance_records a JOIN employees e USING (employee_id) "
                    "WHERE e.employee_code = %s AND a.attendance_date = %s", (code, day))
        assert float(cur.fetchone()[0]) == 8.0
