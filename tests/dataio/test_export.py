"""Exports: Japanese headers, typed dates and numbers in .xlsx, formula text escaped, BOM in CSV."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest

from db.connect import connect

from services.common.db import create_pool, with_database
from services.common.errors import InvalidArgument
from services.dataio.export import export_bytes, points_table
from services.dataio.importer import ImportOptions, run_import
from services.dataio.writers import escape_formula
from tests.conftest import TEST_DATABASE_URL


async def _export(database: str, dataset: str, fmt: str, **params):
    pool = await create_pool(with_database(TEST_DATABASE_URL, database), maxsize=2)
    try:
        return await export_bytes(dataset, fmt, pool, **params)
    finally:
        pool.close()
        await pool.wait_closed()


def _formula_assignment(database: str) -> str:
    day = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    run_import(database, io.BytesIO("従業員コード,氏名,拠点,スキルレベル,入社日\n"
                                    "FORMULA-0002,\"=cmd|' /C calc'!A0\",横浜,1,2026-01-05\n".encode()),
               ImportOptions(kind="employees"))
    run_import(database, io.BytesIO(f"従業員コード,工程,日付,時間帯,計画時間\nFORMULA-0002,梱包,{day},午前,4\n".encode()),
               ImportOptions(kind="daily_assignments"))
    return day


async def test_assignments_xlsx_is_typed_and_formula_text_stays_text(imported_db):
    day = _formula_assignment(imported_db)
    content, media, name = await _export(imported_db, "assignments", "xlsx", location="横浜", date_from=day, date_to=day)
    assert media.endswith("spreadsheetml.sheet") and name.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == ("拠点", "日付", "時間帯", "従業員コード", "氏名", "工程", "計画時間")
    mine = next(r for r in rows[1:] if r[3] == "FORMULA-0002")
    assert isinstance(mine[1], dt.datetime) and mine[1].date().isoformat() == day
    assert isinstance(mine[6], (int, float)) and mine[6] == 4  # a number cell, not text
    assert mine[4] == "=cmd|' /C calc'!A0"  # a text cell, not a formula
    cell = next(c for c in sheet.iter_rows(min_row=2) if c[3].value == "FORMULA-0002")[4]
    assert cell.data_type == "s"


async def test_assignments_csv_has_a_bom_and_escapes_formulas(imported_db):
    day = _formula_assignment(imported_db)
    content, media, _ = await _export(imported_db, "assignments", "csv", date_from=day, date_to=day)
    assert content.startswith(b"\xef\xbb\xbf") and media.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    mine = next(r for r in rows if r[3] == "FORMULA-0002")
    assert mine[4] == "'=cmd|' /C calc'!A0"


async def test_alerts_and_productivity_exports(imported_db):
    content, _, _ = await _export(imported_db, "alerts", "csv")
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header[:5] == ["アラートID", "拠点", "種別", "重要度", "状態"]
    content, _, _ = await _export(imported_db, "productivity", "xlsx", location="横浜")
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("開始日", "終了日", "工程") and len(rows) > 1
    assert isinstance(rows[1][0], dt.datetime) and isinstance(rows[1][3], (int, float))


async def test_a_status_filter_outside_alerts_is_refused_not_ignored(imported_db):
    with pytest.raises(InvalidArgument, match="alerts"):
        await _export(imported_db, "assignments", "csv", status="open")


def test_escape_rules_and_points_table():
    assert escape_formula("=1+1") == "'=1+1" and escape_formula("@SUM(A1)") == "'@SUM(A1)"
    assert escape_formula("-3") == "-3" and escape_formula("横浜") == "横浜"
    header, rows = points_table([{"period_start": "2026-01-01", "mean": 98.5, "sample_size": 3}])
    assert header == ["開始日", "平均生産性", "件数"] and rows[0][0] == dt.date(2026, 1, 1)


def _roster_versions(database: str, start: dt.date) -> tuple[str, str]:
    """A published version and a newer draft of one week at 横浜 (two of its staff); returns their codes."""
    with connect(database=database, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT location_id FROM locations WHERE location_name = '横浜'")
        site = cur.fetchone()[0]
        cur.execute("SELECT employee_id, employee_code FROM employees WHERE location_id = %s "
                    "ORDER BY employee_code LIMIT 2", (site,))
        (first, first_code), (second, second_code) = cur.fetchall()
        cur.execute("DELETE FROM roster_versions WHERE location_id = %s AND period_start = %s", (site, start))
        cur.execute("INSERT IGNORE INTO roster_shift_types (location_id, shift_code, shift_name, start_time, end_time) "
                    "VALUES (%s, 'early', '早番', '07:00:00', '16:00:00'), (%s, 'late', '遅番', '13:00:00', '22:00:00')",
                    (site, site))
        published = {str(first): ["early", None, "late", "early", "early", None, "late"],
                     str(second): ["late", "late", None, "early", "early", "early", None]}
        draft = {str(first): [None] * 7, str(second): [None] * 7}
        for version, status, cells in ((1, "published", published), (2, "draft", draft)):
            cur.execute("INSERT INTO roster_versions (location_id, period_start, period_days, version, status, "
                        "cells_json, costs_json, objective, bound) VALUES (%s, %s, 7, %s, %s, %s, '{}', 0, 0)",
                        (site, start, version, status, json.dumps(cells)))
    return first_code, second_code


async def test_rosters_export_the_published_week_with_shift_names_and_typed_dates(imported_db):
    start = dt.date.today() + dt.timedelta(days=70)  # a week nobody else writes
    first, second = _roster_versions(imported_db, start)
    content, media, name = await _export(imported_db, "rosters", "xlsx", location="横浜",
                                         date_from=start.isoformat(), date_to=(start + dt.timedelta(days=2)).isoformat())
    assert name.startswith("rosters_") and media.endswith("spreadsheetml.sheet")
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0] == ("拠点", "日付", "曜日", "従業員コード", "氏名", "シフト", "開始", "終了", "版", "状態")
    assert len(rows) == 1 + 3 * 2  # three days of the range, two staff; the newer draft is not what staff work to
    assert isinstance(rows[1][1], dt.datetime) and rows[1][1].date() == start
    mine = [r for r in rows[1:] if r[3] == first]
    assert [r[5] for r in mine] == ["早番", "休み", "遅番"]
    assert mine[0][6:] == ("07:00", "16:00", 1, "公開済") and mine[1][6] in (None, "")
    content, _, _ = await _export(imported_db, "rosters", "csv", location="横浜", date_from=start.isoformat(),
                                  date_to=(start + dt.timedelta(days=6)).isoformat())
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(lines) == 1 + 7 * 2 and {r[3] for r in lines[1:]} == {first, second}
