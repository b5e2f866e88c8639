"""import_jobs rows: every run's report, so `GET /api/v1/imports/{id}` (and a clerk, later) can read it."""
from __future__ import annotations

import json

from db.connect import connect
from services.common.errors import InvalidArgument, NotFound

_REPORT_KEYS_SKIPPED = ("changes",)


def save(conn, report: dict) -> None:
    """Store the report (autocommit on the import's connection, after its data transaction ended)."""
    body = {k: v for k, v in report.items() if k not in _REPORT_KEYS_SKIPPED}
    with conn.cursor() as cur:
        cur.execute("INSERT INTO import_jobs (import_id, kind, file_name, status, dry_run, row_count, report_json) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    (report["import_id"], report["kind"], (report.get("file_name") or "")[:255], report["status"],
                     int(bool(report.get("dry_run"))), report.get("rows", 0),
                     json.dumps(body, ensure_ascii=False, default=str)))
    conn.commit()


def load(database: str | None, import_id: str, url: str | None = None) -> dict:
    if not import_id or len(import_id) > 36 or not import_id.isalnum():
        raise InvalidArgument("取り込みIDの形式が正しくありません（取り込み時に返された import_id を指定してください）")
    with connect(database=database, url=url) as conn, conn.cursor() as cur:
        cur.execute("SELECT report_json FROM import_jobs WHERE import_id = %s", (import_id,))
        row = cur.fetchone()
    if not row:
        raise NotFound(f"取り込み {import_id} は見つかりません")
    return json.loads(row[0])
