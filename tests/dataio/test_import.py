"""The importer on the sample files: dry run, all-or-nothing, re-import no-op, counts, replace, reports."""
from __future__ import annotations

import io

import pytest

from services.common.errors import InvalidArgument
from services.dataio import jobs
from services.dataio.importer import ImportOptions, run_import
from services.dataio.samples import FILES, IMPORT_ORDER
from tests.dataio.conftest import FIRST_REPORTS, SECOND_REPORTS, count, import_file

TABLE = {"attendance": "attendance_records", "productivity": "productivity_records"}


def _csv(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def test_every_sample_file_imports_with_the_generators_row_counts(imported_db, samples):
    expected = dict(line.split("\t") for line in (samples / "counts.txt").read_text().splitlines())
    for kind in IMPORT_ORDER:
        first = FIRST_REPORTS[kind]
        assert (first["rows"], first["inserted"], first["bad_row_count"]) == (int(expected[kind]),) * 2 + (0,), kind
        assert count(imported_db, TABLE.get(kind, kind)) >= int(expected[kind]), kind


def test_reimporting_every_sample_file_is_a_no_op(imported_db):
    for kind in IMPORT_ORDER:
        again = SECOND_REPORTS[kind]
        assert (again["inserted"], again["updated"], again["deleted"]) == (0, 0, 0), kind
        assert again["unchanged"] == again["rows"] and again["changes"] is None, kind


def test_reimport_later_changes_nothing(imported_db, samples):
    for kind in ("employees", "employee_skills", "shift_plans", "productivity", "workload_forecasts"):
        report = import_file(imported_db, samples / FILES[kind], kind)
        assert (report["inserted"], report["updated"]) == (0, 0), kind
        assert report["unchanged"] == report["rows"] > 0
        assert report["changes"] is None  # nothing to invalidate or detect


def test_dry_run_counts_and_writes_nothing(imported_db):
    before = count(imported_db, "attendance_records")
    src = _csv("従業員コード,勤務日,勤怠区分,実働時間,残業時間\nYOKOHAMA-0001,2001-01-02,出勤,9,1\n")
    report = run_import(imported_db, src, ImportOptions(kind="attendance", dry_run=True))
    assert report["status"] == "validated" and report["inserted"] == 1
    assert "確認のみ" in report["message"]
    assert count(imported_db, "attendance_records") == before
    assert jobs.load(imported_db, report["import_id"])["status"] == "validated"


def test_one_bad_row_rejects_the_file_with_a_clerks_message(imported_db, samples):
    before = count(imported_db, "attendance_records")
    report = import_file(imported_db, samples / "bad" / "bad_date.csv", "attendance")
    assert report["status"] == "rejected"
    assert report["bad_rows"][0]["message"].startswith("3行目 勤務日: 2026-02-30 は日付ではありません")
    assert (report["bad_rows"][0]["line"], report["bad_rows"][0]["column"]) == (3, "勤務日")
    assert count(imported_db, "attendance_records") == before


def test_skip_bad_rows_imports_the_rest_and_lists_unknown_codes(imported_db):
    src = _csv("従業員コード,勤務日,勤怠区分,実働時間,残業時間\n"
               "YOKOHAMA-0001,2001-01-03,出勤,8,0\nNOBODY-9,2001-01-03,出勤,8,0\nYOKOHAMA-0001,2001-01-04,休み,8,0\n")
    report = run_import(imported_db, src, ImportOptions(kind="attendance", skip_bad_rows=True))
    assert report["status"] == "imported" and report["inserted"] == 1 and report["bad_row_count"] == 2
    assert report["unknown_codes"] == {"従業員": ["NOBODY-9"]}
    assert any("休み は使えません" in b["message"] for b in report["bad_rows"])
    assert report["sites"] == ["横浜"] and len(report["changes"].location_ids) == 1


def test_changed_rows_are_updated_and_assignments_get_a_new_version(imported_db):
    head = "拠点,従業員コード,工程,日付,時間帯,計画時間,状態\n"
    run_import(imported_db, _csv(head + "横浜,YOKOHAMA-0001,picking,2001-02-01,午前,4,計画\n"),
               ImportOptions(kind="daily_assignments"))
    again = run_import(imported_db, _csv(head + "横浜,YOKOHAMA-0001,梱包,2001-02-01,午前,4,計画\n"),
                       ImportOptions(kind="daily_assignments"))
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 1, 0)
    from db.connect import connect
    with connect(database=imported_db) as conn, conn.cursor() as cur:
        cur.execute("SELECT p.process_code, a.version FROM daily_assignments a JOIN processes p USING (process_id) "
                    "JOIN employees e USING (employee_id) WHERE e.employee_code = 'YOKOHAMA-0001' "
                    "AND a.assignment_date = '2001-02-01'")
        assert cur.fetchall() == (("packing", 2),)


def test_full_replace_deletes_only_unmentioned_rows_of_the_period_and_site(imported_db):
    head = "従業員コード,勤務日,勤怠区分,実働時間\n"
    run_import(imported_db, _csv(head + "YOKOHAMA-0001,2001-03-01,出勤,8\nYOKOHAMA-0002,2001-03-02,出勤,8\n"
                                 "SHINAGAWA-0001,2001-03-01,出勤,8\nYOKOHAMA-0001,2001-03-09,出勤,8\n"),
               ImportOptions(kind="attendance"))
    report = run_import(imported_db, _csv(head + "YOKOHAMA-0001,2001-03-01,出勤,8\nYOKOHAMA-0003,2001-03-02,欠勤,0\n"),
                        ImportOptions(kind="attendance", replace=True))
    assert (report["inserted"], report["unchanged"], report["deleted"]) == (1, 1, 1)
    from db.connect import connect
    with connect(database=imported_db) as conn, conn.cursor() as cur:
        cur.execute("SELECT e.employee_code, a.attendance_date FROM attendance_records a JOIN employees e "
                    "USING (employee_id) WHERE a.attendance_date BETWEEN '2001-03-01' AND '2001-03-31' ORDER BY 1, 2")
        left = [(c, d.isoformat()) for c, d in cur.fetchall()]
    assert left == [("SHINAGAWA-0001", "2001-03-01"), ("YOKOHAMA-0001", "2001-03-01"),
                    ("YOKOHAMA-0001", "2001-03-09"), ("YOKOHAMA-0003", "2001-03-02")]


def test_duplicate_keys_in_one_file_reject_it(imported_db):
    src = _csv("従業員コード,勤務日,勤怠区分\nYOKOHAMA-0001,2001-04-01,出勤\nYOKOHAMA-0001,2001-04-01,欠勤\n")
    report = run_import(imported_db, src, ImportOptions(kind="attendance"))
    assert report["status"] == "rejected" and report["duplicate_rows"] == 1
    assert "重複" in report["messages"][0]


def test_english_headers_names_instead_of_codes_and_slash_dates(imported_db):
    src = _csv("location,process,date,block,forecast,actual\nyokohama,ピッキング,2001/5/1,morning,120.5,118\n")
    report = run_import(imported_db, src, ImportOptions(kind="workload_forecasts"))
    assert report["status"] == "imported" and report["inserted"] == 1


def test_cp932_and_xlsx_are_detected_by_content(imported_db, samples, tmp_path):
    att = import_file(imported_db, samples / FILES["attendance"], "attendance", dry_run=True)
    assert att["encoding"] == "cp932" and att["bad_row_count"] == 0
    renamed = tmp_path / "employees.csv"
    renamed.write_bytes((samples / FILES["employees"]).read_bytes())
    emp = import_file(imported_db, renamed, "employees", dry_run=True)
    assert emp["format"] == "xlsx" and emp["unchanged"] == emp["rows"] > 0


@pytest.mark.parametrize("name, kind, message", [
    ("empty.csv", "attendance", "ファイルが空です"),
    ("binary.csv", "attendance", "バイナリファイル"),
    ("wide.csv", "attendance", "列が多すぎます（10000列、上限200列）"),
    ("mixed.csv", "attendance", "文字コードが混在しています（3行目付近"),
    ("wrong_kind.csv", "attendance", "このファイルは「拠点」（locations）のようです"),
])
def test_bad_files_are_refused_and_nothing_is_written(imported_db, samples, name, kind, message):
    before = (count(imported_db, "attendance_records"), count(imported_db, "import_jobs"))
    with pytest.raises(InvalidArgument) as err:
        import_file(imported_db, samples / "bad" / name, kind)
    assert message in err.value.message
    assert (count(imported_db, "attendance_records"), count(imported_db, "import_jobs")) == before


def test_header_only_file_and_unknown_kind_are_refused(imported_db):
    with pytest.raises(InvalidArgument, match="データ行がありません"):
        run_import(imported_db, _csv("従業員コード,勤務日,勤怠区分\n"), ImportOptions(kind="attendance"))
    with pytest.raises(InvalidArgument, match="使える種類"):
        run_import(imported_db, _csv("a\n1\n"), ImportOptions(kind="payroll"))


def test_formula_text_is_stored_verbatim(imported_db, samples):
    report = import_file(imported_db, samples / "bad" / "formula_employees.csv", "employees")
    assert report["status"] == "imported"
    from db.connect import connect
    with connect(database=imported_db) as conn, conn.cursor() as cur:
        cur.execute("SELECT employee_name FROM employees WHERE employee_code = 'FORMULA-0001'")
        assert cur.fetchone()[0] == "=cmd|' /C calc'!A0"


def test_multirow_insert_fallback_gives_the_same_report(imported_db, samples):
    fast = import_file(imported_db, samples / FILES["shift_plans"], "shift_plans", dry_run=True, use_infile=True)
    slow = import_file(imported_db, samples / FILES["shift_plans"], "shift_plans", dry_run=True, use_infile=False)
    keys = ("rows", "inserted", "updated", "unchanged", "bad_row_count")
    assert [fast[k] for k in keys] == [slow[k] for k in keys]


def test_xlsx_number_cells_and_dates_resolve(imported_db, tmp_path):
    """Excel stores a numeric code as a float and a date as a datetime: both are read as the clerk meant."""
    import datetime as dt

    from services.dataio.writers import xlsx_bytes
    run_import(imported_db, _csv("従業員コード,氏名,拠点,スキルレベル,入社日\n1001,数字 太郎,横浜,2,2026-01-05\n"),
               ImportOptions(kind="employees"))
    book = tmp_path / "att.xlsx"
    book.write_bytes(xlsx_bytes(["従業員コード", "勤務日", "勤怠区分", "実働時間"],
                                [(1001.0, dt.date(2001, 6, 1), "出勤", 7.5)]))
    report = import_file(imported_db, book, "attendance")
    assert (report["status"], report["inserted"], report["format"]) == ("imported", 1, "xlsx"), report["bad_rows"]


def test_first_import_into_an_empty_table_locks_it_against_concurrent_inserts(imported_db):
    """The bulk path (unique_checks off into an empty table) is only taken under a lock that keeps other
    writers out until the import commits; a table with rows is never taken that way."""
    import types

    import pymysql

    from db.connect import connect
    from services.dataio.importer import _lock_if_empty

    table = types.SimpleNamespace(table="_aimee_lock_probe")
    with connect(database=imported_db, autocommit=True) as setup, setup.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS _aimee_lock_probe")
        cur.execute("CREATE TABLE _aimee_lock_probe (id INT PRIMARY KEY) ENGINE=InnoDB")
    try:
        importer_conn = connect(database=imported_db, autocommit=False)
        other = connect(database=imported_db, autocommit=True)
        try:
            with importer_conn.cursor() as cur:
                assert _lock_if_empty(cur, table) is True
            with other.cursor() as cur:
                cur.execute("SET SESSION innodb_lock_wait_timeout = 1")
                with pytest.raises(pymysql.err.OperationalError) as blocked:
                    cur.execute("INSERT INTO _aimee_lock_probe VALUES (1)")
                assert blocked.value.args[0] == 1205  # lock wait timeout: kept out while the import runs
            importer_conn.rollback()
            with other.cursor() as cur:
                cur.execute("INSERT INTO _aimee_lock_probe VALUES (1)")
            with importer_conn.cursor() as cur:
                assert _lock_if_empty(cur, table) is False
            importer_conn.rollback()
        finally:
            importer_conn.close()
            other.close()
    finally:
        with connect(database=imported_db, autocommit=True) as setup, setup.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS _aimee_lock_probe")
