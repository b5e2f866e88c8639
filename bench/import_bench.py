"""Import rate and peak memory of a large attendance CSV (issue 14: 1,000,000 rows at >= 50,000 rows/s).

    python -m bench.import_bench [--rows 1000000] [--employees 10000] [--encoding utf-8|cp932] [--database NAME]

Builds its own database (`aimee_bench_import` unless --database names another; dropped afterwards): sites and processes from the sample
files, `--employees` synthetic employees, then a streamed attendance CSV of `--rows` rows (employees x
days, Japanese headers). Each import runs in a child process so its peak RSS is its own:
1. dry run (validate + stage + count, rolled back), 2. real import into empty tables (all inserts),
3. re-import of the same file (all unchanged: the no-op path).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATABASE = "aimee_bench_import"
SITES = ("横浜", "品川", "札幌", "大阪", "佐世保")
STATUSES = ("出勤", "出勤", "出勤", "出勤", "出勤", "出勤", "出勤", "遅刻", "欠勤", "有給")


def _write_inputs(folder: Path, rows: int, employees: int, encoding: str) -> tuple[Path, Path]:
    emp = folder / "employees.csv"
    with open(emp, "w", encoding="utf-8", newline="") as fh:
        fh.write("従業員コード,氏名,拠点,スキルレベル,入社日\n")
        for i in range(employees):
            fh.write(f"B{i:06d},社員{i},{SITES[i % len(SITES)]},{1 + i % 5},2020-04-01\n")
    days = -(-rows // employees)
    start = dt.date.today() - dt.timedelta(days=days + 200)
    att = folder / "attendance.csv"
    written = 0
    with open(att, "w", encoding=encoding, newline="") as fh:
        fh.write("従業員コード,勤務日,勤怠区分,所定時間,実働時間,残業時間\n")
        for d in range(days):
            day = (start + dt.timedelta(days=d)).isoformat()
            lines = []
            for i in range(min(employees, rows - written)):
                status = STATUSES[(i + d) % len(STATUSES)]
                hours = "0" if status in ("欠勤", "有給") else "8.5"
                overtime = "0.5" if hours != "0" else "0"
                lines.append(f"B{i:06d},{day},{status},8,{hours},{overtime}\n")
            fh.write("".join(lines))
            written += len(lines)
    return emp, att


def _child(path: str, kind: str, dry_run: bool, database: str, bulk: bool = True) -> None:
    from services.dataio import importer
    from services.dataio.importer import ImportOptions, run_import
    importer.BULK_INTO_EMPTY = bulk
    with open(path, "rb") as fh:
        report = run_import(database, fh, ImportOptions(kind=kind, dry_run=dry_run, file_name=Path(path).name))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({k: report[k] for k in ("status", "rows", "inserted", "updated", "unchanged", "bad_row_count",
                                             "seconds", "rows_per_second")} | {"peak_rss_mb": round(peak_mb, 1)}))


def _run(path: Path, kind: str, database: str, dry_run: bool = False, bulk: bool = True) -> dict:
    argv = [sys.executable, "-m", "bench.import_bench", "--child", str(path), "--kind", kind, "--database", database]
    if dry_run:
        argv.append("--dry-run")
    if not bulk:
        argv.append("--no-bulk")
    started = time.perf_counter()
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["wall_seconds"] = round(time.perf_counter() - started, 2)
    return result


def _empty_attendance(database: str) -> None:
    from db.connect import connect
    with connect(database=database, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("TRUNCATE attendance_records")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--encoding", default="utf-8", choices=("utf-8", "cp932"))
    parser.add_argument("--database", default=DATABASE, help="scratch database (dropped before and after)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="first imports to time (the table is emptied between them; the machine is shared)")
    parser.add_argument("--no-bulk", action="store_true",
                        help="first import without the empty-table bulk path (unique checks stay on)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--kind", default="attendance", help=argparse.SUPPRESS)
    parser.add_argument("--dry-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.kind, args.dry_run, args.database, bulk=not args.no_bulk)
        return 0

    from db.connect import drop_database
    from db.migrate import migrate
    from services.dataio.samples import FILES, write_samples

    drop_database(args.database)
    migrate(args.database)
    try:
        with tempfile.TemporaryDirectory(prefix="aimee-import-bench-") as tmp:
            folder = Path(tmp)
            write_samples(folder / "samples", dt.date.today(), days=8)
            for kind in ("locations", "processes"):
                _run(folder / "samples" / FILES[kind], kind, args.database)
            started = time.perf_counter()
            emp, att = _write_inputs(folder, args.rows, args.employees, args.encoding)
            size_mb = att.stat().st_size / 1e6
            print(f"wrote {args.rows:,d} attendance rows ({size_mb:.1f} MB, {args.encoding}) in "
                  f"{time.perf_counter() - started:.1f} s")
            _run(emp, "employees", args.database)
            runs = [("dry run", _run(att, "attendance", args.database, dry_run=True))]
            for i in range(args.repeat):
                if i:
                    _empty_attendance(args.database)
                runs.append((f"import (all new){' #' + str(i + 1) if args.repeat > 1 else ''}",
                             _run(att, "attendance", args.database, bulk=not args.no_bulk)))
            runs.append(("re-import (no-op)", _run(att, "attendance", args.database)))
        print(f"\n{'run':20s} {'rows':>10s} {'ins':>9s} {'upd':>6s} {'same':>9s} {'s':>7s} {'rows/s':>9s} {'peak RSS':>9s}")
        for name, r in runs:
            print(f"{name:20s} {r['rows']:>10,d} {r['inserted']:>9,d} {r['updated']:>6,d} {r['unchanged']:>9,d} "
                  f"{r['seconds']:>7.2f} {r['rows_per_second']:>9,d} {r['peak_rss_mb']:>7.1f}MB")
    finally:
        drop_database(args.database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
