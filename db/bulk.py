"""Batched writer for generated rows: LOAD DATA LOCAL INFILE when the server allows it, else multi-row INSERT.

Why: scale mode streams 10M+ rows. Rows are buffered per table and flushed in batches; with LOAD DATA a
background thread (own connection) loads batch files while the generator builds the next ones, so the
Python generator and mysqld use both cores. The queue is bounded, so memory stays bounded.
"""
from __future__ import annotations

import os
import queue
import shutil
import tempfile
import threading
from typing import Any, Iterable

import pymysql

from db.connect import connect
from db.tables import COLUMNS

_SESSION_SETUP = ("SET SESSION foreign_key_checks = 0", "SET SESSION unique_checks = 0")
# Tables whose generated values are numbers, ISO dates/times and fixed ASCII codes (never free text).
_PLAIN_TABLES = frozenset({"productivity_records", "attendance_records", "shift_plans", "daily_assignments",
                           "workload_forecasts", "employee_skills", "processes"})
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"})


def _tsv_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return str(value)


def _session(conn: pymysql.connections.Connection) -> None:
    with conn.cursor() as cur:
        for stmt in _SESSION_SETUP:
            cur.execute(stmt)


def infile_supported(database: str, url: str | None = None) -> bool:
    """True when both client and server accept LOAD DATA LOCAL INFILE."""
    try:
        with connect(database=database, url=url, local_infile=True) as conn, conn.cursor() as cur:
            cur.execute("SELECT @@GLOBAL.local_infile")
            return bool(int(cur.fetchone()[0]))
    except pymysql.MySQLError:
        return False


class BulkWriter:
    """`add(table, row)`; `close()` flushes everything and returns rows written per table."""

    def __init__(self, database: str, url: str | None = None, use_infile: bool | None = None,
                 batch_rows: int = 50_000, queue_depth: int = 3):
        self.database = database
        self.url = url
        self.use_infile = infile_supported(database, url) if use_infile is None else use_infile
        self.batch_rows = batch_rows
        self.counts: dict[str, int] = {t: 0 for t in COLUMNS}
        self._buffers: dict[str, list[tuple]] = {t: [] for t in COLUMNS}
        self._error: BaseException | None = None
        if self.use_infile:
            self._tmpdir = tempfile.mkdtemp(prefix="aimee-load-")
            self._files = 0
            self._queue: queue.Queue = queue.Queue(maxsize=queue_depth)
            self._thread = threading.Thread(target=self._load_worker, name="aimee-bulk-load", daemon=True)
            self._thread.start()
        else:
            self._conn = connect(database=database, url=url, autocommit=False)
            _session(self._conn)

    # -- public API ---------------------------------------------------------------------------
    def add(self, table: str, row: tuple) -> None:
        buf = self._buffers[table]
        buf.append(row)
        if len(buf) >= self.batch_rows:
            self.flush(table)

    def add_many(self, table: str, rows: Iterable[tuple]) -> None:
        for row in rows:
            self.add(table, row)

    def flush(self, table: str | None = None) -> None:
        for name in ([table] if table else list(self._buffers)):
            rows = self._buffers[name]
            if not rows:
                continue
            self._buffers[name] = []
            self.counts[name] += len(rows)
            if self.use_infile:
                self._enqueue_file(name, rows)
            else:
                self._insert(name, rows)

    def close(self) -> dict[str, int]:
        try:
            self.flush()
        finally:
            if self.use_infile:
                self._queue.put(None)
                self._thread.join()
                shutil.rmtree(self._tmpdir, ignore_errors=True)
            else:
                self._conn.commit()
                self._conn.close()
        if self._error:
            raise self._error
        return dict(self.counts)

    # -- multi-row INSERT path ----------------------------------------------------------------
    def _insert(self, table: str, rows: list[tuple]) -> None:
        cols = COLUMNS[table]
        sql = (f"INSERT INTO `{table}` ({', '.join(cols)}) "
               f"VALUES ({', '.join(['%s'] * len(cols))})")
        with self._conn.cursor() as cur:
            cur.executemany(sql, rows)  # PyMySQL folds this into ~1 MB multi-row statements
        self._conn.commit()

    # -- LOAD DATA path -----------------------------------------------------------------------
    def _enqueue_file(self, table: str, rows: list[tuple]) -> None:
        if self._error:
            raise self._error
        self._files += 1
        path = os.path.join(self._tmpdir, f"{self._files:06d}-{table}.tsv")
        if table in _PLAIN_TABLES:  # numbers, dates and fixed codes only: str() is exact, no escaping needed
            lines = ["\t".join(map(str, row)) if None not in row else "\t".join(map(_tsv_value, row))
                     for row in rows]
        else:
            lines = ["\t".join([_tsv_value(v) for v in row]) for row in rows]
        lines.append("")
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write("\n".join(lines))
        self._queue.put((table, path, len(rows)))

    def _load_worker(self) -> None:
        conn = None
        try:
            conn = connect(database=self.database, url=self.url, local_infile=True, autocommit=True)
            _session(conn)
            with conn.cursor() as cur:
                while True:
                    item = self._queue.get()
                    if item is None:
                        return
                    if self._error:
                        continue  # drain so the producer never blocks
                    table, path, expected = item
                    loaded = cur.execute(
                        f"LOAD DATA LOCAL INFILE %s INTO TABLE `{table}` CHARACTER SET utf8mb4 "
                        "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' "
                        f"({', '.join(COLUMNS[table])})",
                        (path,),
                    )
                    if loaded != expected:  # LOCAL turns row errors into warnings: never lose rows silently
                        cur.execute("SHOW WARNINGS LIMIT 5")
                        raise RuntimeError(f"{table}: loaded {loaded} of {expected} rows: {cur.fetchall()}")
                    os.unlink(path)
        except BaseException as exc:  # surfaced by close() / the next flush
            self._error = exc
            while True:  # keep draining so the producer does not deadlock on a full queue
                item = self._queue.get()
                if item is None:
                    return
        finally:
            if conn is not None:
                conn.close()
