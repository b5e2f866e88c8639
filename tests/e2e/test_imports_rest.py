"""POST /api/v1/imports, GET /api/v1/imports/{id}, GET /api/v1/exports/... through Envoy's transcoder."""
from __future__ import annotations

import base64

from db.connect import connect
from tests.conftest import TEST_DATABASE


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _existing_attendance_row() -> str:
    with connect(database=TEST_DATABASE) as conn, conn.cursor() as cur:
        cur.execute("SELECT e.employee_code, a.attendance_date, a.attendance_status, a.scheduled_hours, "
                    "a.actual_hours, a.overtime_hours FROM attendance_records a JOIN employees e USING (employee_id) "
                    "ORDER BY a.attendance_id LIMIT 1")
        code, day, status, scheduled, actual, overtime = cur.fetchone()
    return f"{code},{day.isoformat()},{status},{scheduled},{actual},{overtime}\n"


HEADER = "従業員コード,勤務日,勤怠区分,所定時間,実働時間,残業時間\n"


def test_dry_run_report_with_a_clerks_message_then_get_it_back(http):
    row = _existing_attendance_row()
    bad = (HEADER + row + row.split(",")[0] + ",2026-02-30,出勤,8,8,0\n").encode("cp932")
    resp = http.post("/api/v1/imports", json={"kind": "attendance", "file_name": "勤怠.csv", "content": _b64(bad),
                                             "dry_run": True})
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert (report["status"], report["encoding"]) == ("rejected", "cp932")
    assert report["bad_rows"][0]["message"].startswith("3行目 勤務日: 2026-02-30 は日付ではありません")
    again = http.get(f"/api/v1/imports/{report['import_id']}")
    assert again.status_code == 200 and again.json()["bad_rows"] == report["bad_rows"]


def test_real_import_of_known_rows_changes_nothing(http):
    resp = http.post("/api/v1/imports", json={"kind": "attendance", "text": HEADER + _existing_attendance_row()})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["status"], body["unchanged"], body["inserted"], body["updated"]) == ("imported", "1", "0", "0")


def test_bad_uploads_are_4xx_with_japanese_messages(http):
    binary = http.post("/api/v1/imports", json={"kind": "attendance", "content": _b64(b"\x00\x01\x02" * 100)})
    assert binary.status_code == 400 and "バイナリ" in binary.json()["message"]
    big = http.post("/api/v1/imports", json={"kind": "attendance", "text": HEADER + "x" * 900_000})
    assert big.status_code in (400, 413) and ("大きすぎ" in big.text)
    missing = http.get("/api/v1/imports/0123456789abcdef0123456789abcdef")
    assert missing.status_code == 404


def test_exports_are_files_with_japanese_headers(http):
    csv_resp = http.get("/api/v1/exports/alerts", params={"format": "csv"})
    assert csv_resp.status_code == 200, csv_resp.text
    assert csv_resp.headers["content-type"].startswith("text/csv")
    assert csv_resp.content.decode("utf-8-sig").startswith("アラートID,拠点,種別")
    xlsx = http.get("/api/v1/exports/assignments", params={"location": "横浜"})
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK\x03\x04")
    unknown = http.get("/api/v1/exports/payroll")
    assert unknown.status_code == 400


def test_knowhow_dry_run_through_rest(http):
    text = "カテゴリ: 成功事例\n拠点: 横浜\n# 月曜の朝礼\n月曜は朝礼で欠勤連絡を確認する。\n"
    resp = http.post("/api/v1/imports", json={"kind": "knowhow", "file_name": "朝礼.md", "text": text, "dry_run": True})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["status"], body["rows"]) == ("validated", "1") and "1 件の文書" in body["message"]
    pdf = http.post("/api/v1/imports", json={"kind": "knowhow", "file_name": "x.pdf", "text": "abc", "dry_run": True})
    assert pdf.status_code == 400 and ".md" in pdf.json()["message"]


def test_chunked_upload_imports_the_assembled_file(http):
    import uuid
    data = (HEADER + _existing_attendance_row()).encode("cp932")
    uid = uuid.uuid4().hex
    pieces = [data[:10], data[10:25], data[25:]]
    first = http.post("/api/v1/imports", json={"kind": "attendance", "upload_id": uid, "offset": 0,
                                               "content": _b64(pieces[0])})
    assert first.status_code == 200 and first.json()["status"] == "receiving"
    gap = http.post("/api/v1/imports", json={"kind": "attendance", "upload_id": uid, "offset": 99,
                                             "content": _b64(pieces[1])})
    assert gap.status_code == 409 and "10 バイト目から" in gap.json()["message"]
    http.post("/api/v1/imports", json={"kind": "attendance", "upload_id": uid, "offset": 10,
                                       "content": _b64(pieces[1])}).raise_for_status()
    last = http.post("/api/v1/imports", json={"kind": "attendance", "upload_id": uid, "offset": 25, "final": True,
                                              "content": _b64(pieces[2])})
    assert last.status_code == 200, last.text
    body = last.json()
    assert (body["status"], body["unchanged"], body["received_bytes"]) == ("imported", "1", str(len(data)))
