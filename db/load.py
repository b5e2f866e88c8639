"""Create the database, apply the schema, wipe generated tables and load generated data.

  python -m db.load [--database aimee_db] [--seed 42] [--end-date YYYY-MM-DD] [--reset]
  python -m db.load --scale [--sites 50] [--staff 200] [--days 365] --database aimee_scale

A normal load wipes the generator's tables (TRUNCATE, FOREIGN_KEY_CHECKS=0) but keeps
knowledge_documents, chat_messages and the rag_context rows mirrored from knowledge documents, which other
engines own. --reset drops and recreates the whole database first.
Python API: load_sample(database, seed, end_date) -> row counts; load(database, config, ...) for scale.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from db.apply import apply_schema
from db.bulk import BulkWriter
from db.connect import connect, drop_database, ensure_database, parse_database_url
from db.roster_seed import seed_rosters
from db.sample_data import GenConfig, generate
from db.tables import ALL_TABLES, GENERATED_TABLES

WIPE_ORDER = tuple(t for t in ALL_TABLES if t in GENERATED_TABLES)  # children before parents


def server_today(database: str, url: str | None = None) -> date:
    """CURDATE() of the server: the seed's queries are relative to it, not to this process's clock."""
    with connect(database=database, url=url) as conn, conn.cursor() as cur:
        cur.execute("SELECT CURDATE()")
        return cur.fetchone()[0]


def wipe(database: str, url: str | None = None) -> None:
    """Empty the generator's tables, children first, with FK checks off for TRUNCATE."""
    with connect(database=database, url=url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SET SESSION foreign_key_checks = 0")
        try:
            for table in WIPE_ORDER:
                if table == "rag_context":
                    cur.execute("DELETE FROM rag_context WHERE doc_id IS NULL")
                else:
                    cur.execute(f"TRUNCATE TABLE `{table}`")
        finally:
            cur.execute("SET SESSION foreign_key_checks = 1")


def load(database: str, config: GenConfig, url: str | None = None, reset: bool = False,
         use_infile: bool | None = None, batch_rows: int = 50_000, on_site=None) -> dict:
    """Full pipeline. Returns {'counts': {table: rows}, 'seconds': float, 'end_date': 'YYYY-MM-DD', ...}."""
    started = time.perf_counter()
    if reset:
        drop_database(database, url)
    apply_schema(database, url)
    wipe(database, url)
    writer = BulkWriter(database, url, use_infile=use_infile, batch_rows=batch_rows)
    try:
        generate(config, writer, on_site=on_site)
    finally:
        counts = writer.close()
    counts.update(seed_rosters(database, config.end_date, config.seed, url))
    seconds = time.perf_counter() - started
    total = sum(counts.values())
    return {"database": database, "end_date": config.end_date.isoformat(), "seed": config.seed,
            "counts": counts, "total_rows": total, "seconds": round(seconds, 2),
            "rows_per_second": round(total / seconds) if seconds else None,
            "method": "load_data_infile" if writer.use_infile else "multi_row_insert"}


def load_sample(database: str, seed: int = 42, end_date: date | None = None) -> dict:
    """The sample data set (five sites, 120 days ending on end_date = server CURDATE() by default).
    Returns row counts per table."""
    ensure_database(database)
    end = end_date or server_today(database)
    return load(database, GenConfig(end_date=end, seed=seed))["counts"]


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m db.load", description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database name (default: the one in DATABASE_URL, else aimee_db)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end-date", type=date.fromisoformat, help="last history day (default: server CURDATE())")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--scale", action="store_true", help="scale mode: --sites x --staff x --days")
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--days", type=int, help="history days (default 120 sample, 365 scale)")
    parser.add_argument("--batch-rows", type=int, default=50_000)
    parser.add_argument("--no-infile", action="store_true", help="use multi-row INSERT instead of LOAD DATA")
    parser.add_argument("--if-stale", action="store_true",
                        help="skip the load when the history already ends on the end date (keeps demo edits)")
    return parser.parse_args(argv)


def history_end(database: str) -> date | None:
    """Last attendance day in the database, or None when the schema or data is missing."""
    try:
        with connect(database=database) as conn, conn.cursor() as cur:
            cur.execute("SELECT MAX(attendance_date) FROM attendance_records")
            return cur.fetchone()[0]
    except Exception:  # noqa: BLE001 - a missing table means "not loaded"
        return None


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    database = args.database or parse_database_url()["database"] or "aimee_db"
    ensure_database(database)
    end = args.end_date or server_today(database)
    if args.if_stale and not args.scale and history_end(database) == end:
        apply_schema(database)
        print(f"{database} already holds sample data ending {end}; kept (make data-reset reloads)")
        return 0
    if args.scale:
        config = GenConfig(end_date=end, seed=args.seed, history_days=args.days or 365, sites=args.sites,
                           staff_per_site=args.staff)
    else:
        config = GenConfig(end_date=end, seed=args.seed, **({"history_days": args.days} if args.days else {}))
    started = time.perf_counter()

    def on_site(done: int, total: int, profile) -> None:
        if args.scale:
            print(f"  site {done}/{total} {profile.name} generated ({time.perf_counter() - started:.1f}s)",
                  file=sys.stderr, flush=True)

    report = load(database, config, reset=args.reset, use_infile=False if args.no_infile else None,
                  batch_rows=args.batch_rows, on_site=on_site)
    for table, n in report["counts"].items():
        print(f"{table:24s} {n:>12,d}")
    print(f"loaded {report['total_rows']:,d} rows into {database} (end_date {report['end_date']}, "
          f"seed {report['seed']}) in {report['seconds']:.2f}s = {report['rows_per_second']:,d} rows/s "
          f"via {report['method']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
