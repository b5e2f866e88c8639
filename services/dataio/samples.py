"""`make sample-files`: the sample data set as the files a site would bring (var/samples/).

Why from the generator: the files then describe exactly the data `make data` loads (same seed, same
codes), in the formats of issue 14 — a CP932 CSV with Japanese headers and labels (attendance), .xlsx
(employees, forecasts), UTF-8 with and without BOM, English headers — plus the bad files the importer
must refuse (bad/). Ids become codes and names, as in an HR or WMS export.

    python -m services.dataio.samples [--out var/samples] [--days 30] [--end-date YYYY-MM-DD]
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
from collections import defaultdict
from pathlib import Path

from db.sample_data import GenConfig, generate
from services.dataio.writers import csv_bytes, xlsx_bytes

IMPORT_ORDER = ("locations", "processes", "employees", "employee_skills", "shift_plans", "attendance",
                "productivity", "workload_forecasts", "daily_assignments")
FILES = {"locations": "locations.csv", "processes": "processes.csv", "employees": "employees.xlsx",
         "employee_skills": "employee_skills.csv", "shift_plans": "shift_plans.csv",
         "attendance": "attendance_cp932.csv", "productivity": "productivity.csv",
         "workload_forecasts": "workload_forecasts.xlsx", "daily_assignments": "daily_assignments.csv"}
_ATT = {"present": "出勤", "absent": "欠勤", "late": "遅刻", "early_leave": "早退", "paid_leave": "有給"}
_SHIFT = {"scheduled": "出勤予定", "day_off": "公休", "paid_leave": "有給", "absent_notified": "欠勤連絡"}
_BLOCK = {"morning": "午前", "afternoon": "午後", "overtime": "残業"}
_EMPLOYMENT = {"full_time": "正社員", "part_time": "パート", "temp": "派遣"}
KNOWHOW = {
    "yokohama_monday.md": "# 横浜の月曜朝の欠勤対策\n\n横浜拠点では月曜の欠勤が多い。前週金曜に月曜の出勤確認を行い、"
                          "ピッキングにはベテランを一人多めに配置しておくと欠勤時の穴埋めが早い。\n",
    "packing_tips.txt": "梱包工程の立ち上げ\n\n新人は梱包から始め、最初の一週間はベテランと組ませる。"
                        "検品には配置しない。\n",
}


class _Collector:
    """The generator's sink, keeping only the tables a site imports."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple]] = defaultdict(list)

    def add(self, table: str, row: tuple) -> None:
        if table not in ("assignment_adjustments", "alerts", "rag_context"):
            self.rows[table].append(row)


def write_samples(out: Path, end_date: dt.date, days: int = 30, seed: int = 42) -> dict[str, Path]:
    sink = _Collector()
    generate(GenConfig(end_date=end_date, seed=seed, history_days=days), sink)
    r = sink.rows
    loc = {row[0]: row for row in r["locations"]}
    proc = {row[0]: row for row in r["processes"]}
    emp = {row[0]: row for row in r["employees"]}
    code = {eid: row[1] for eid, row in emp.items()}
    if out.exists():
        shutil.rmtree(out)
    (out / "bad").mkdir(parents=True)
    (out / "knowhow").mkdir()
    paths = {kind: out / name for kind, name in FILES.items()}

    def write(kind: str, data: bytes) -> None:
        paths[kind].write_bytes(data)

    write("locations", csv_bytes(["拠点コード", "拠点名", "地域", "残業上限時間"],
                                 [(x[2], x[1], x[3], x[4]) for x in r["locations"]], encoding="utf-8-sig"))
    write("processes", csv_bytes(["process_code", "process_name", "min_skill_level", "requires_veteran",
                                  "standard_units_per_hour"],
                                 [(x[1], x[2], x[3], x[4], x[5]) for x in r["processes"]], encoding="utf-8"))
    write("employees", xlsx_bytes(["従業員コード", "氏名", "拠点", "スキルレベル", "入社日", "雇用形態", "契約時間",
                                   "残業上限", "在籍"],
                                  [(x[1], x[3], loc[x[2]][1], x[4], x[5], _EMPLOYMENT[x[6]], x[7], x[8], x[9])
                                   for x in r["employees"]], sheet="従業員"))
    write("employee_skills", csv_bytes(["従業員コード", "工程", "スキルレベル", "認定日"],
                                       [(code[x[0]], proc[x[1]][2], x[2], x[3]) for x in r["employee_skills"]],
                                       encoding="utf-8"))
    write("shift_plans", csv_bytes(["従業員コード", "勤務日", "予定区分", "開始時刻", "終了時刻"],
                                   [(code[x[1]], x[3], _SHIFT[x[4]], x[5], x[6]) for x in r["shift_plans"]],
                                   encoding="cp932"))
    write("attendance", csv_bytes(["従業員コード", "勤務日", "勤怠区分", "所定時間", "実働時間", "残業時間"],
                                  [(code[x[1]], x[3], _ATT[x[4]], x[5], x[6], x[7]) for x in r["attendance_records"]],
                                  encoding="cp932"))
    write("productivity", csv_bytes(["従業員コード", "工程コード", "日付", "生産性スコア", "処理数", "作業時間", "残業時間"],
                                    [(code[x[1]], proc[x[3]][1], x[4], x[5], x[6], x[7], x[8])
                                     for x in r["productivity_records"]], encoding="utf-8-sig"))
    write("workload_forecasts", xlsx_bytes(["拠点", "工程", "日付", "時間帯", "予測数量", "下限", "上限", "実績数量", "手法"],
                                           [(loc[x[1]][1], proc[x[2]][2], x[3], _BLOCK[x[4]], x[5], x[6], x[7], x[8],
                                             x[9]) for x in r["workload_forecasts"]], sheet="物量予測"))
    write("daily_assignments", csv_bytes(["拠点", "従業員コード", "工程", "日付", "時間帯", "計画時間", "状態"],
                                         [(loc[x[1]][1], code[x[2]], proc[x[3]][2], x[4], x[5], x[6], x[7])
                                          for x in r["daily_assignments"]], encoding="utf-8-sig"))
    for name, text in KNOWHOW.items():
        (out / "knowhow" / name).write_text(text, encoding="utf-8")
    _write_bad_files(out / "bad", r, code)
    counts = {"locations": len(r["locations"]), "processes": len(r["processes"]), "employees": len(r["employees"]),
              "employee_skills": len(r["employee_skills"]), "shift_plans": len(r["shift_plans"]),
              "attendance": len(r["attendance_records"]), "productivity": len(r["productivity_records"]),
              "workload_forecasts": len(r["workload_forecasts"]), "daily_assignments": len(r["daily_assignments"])}
    (out / "counts.txt").write_text("".join(f"{k}\t{v}\n" for k, v in counts.items()), encoding="utf-8")
    return paths


def _write_bad_files(bad: Path, r: dict, code: dict) -> None:
    first = r["attendance_records"][0]
    (bad / "empty.csv").write_bytes(b"")
    (bad / "binary.csv").write_bytes(bytes(range(256)) * 64)
    (bad / "wide.csv").write_text(",".join(f"列{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000) + "\n",
                                  encoding="utf-8")
    line_utf8 = f"{code[first[1]]},{first[3]},出勤,8,8,0\n".encode("utf-8")
    line_sjis = f"{code[first[1]]},{first[3]},欠勤,8,0,0\n".encode("cp932")
    (bad / "mixed.csv").write_bytes("従業員コード,勤務日,勤怠区分,所定時間,実働時間,残業時間\n".encode("utf-8")
                                     + line_utf8 + line_sjis)
    (bad / "wrong_kind.csv").write_bytes(csv_bytes(["拠点コード", "拠点名", "地域"], [("x", "x", "x")]))
    (bad / "formula_employees.csv").write_bytes(csv_bytes(
        ["従業員コード", "氏名", "拠点", "スキルレベル", "入社日"],
        [("FORMULA-0001", "=cmd|' /C calc'!A0", "横浜", 1, "2026-01-05")]).replace(b"'=cmd", b"=cmd"))
    (bad / "bad_date.csv").write_bytes(csv_bytes(
        ["従業員コード", "勤務日", "勤怠区分", "実働時間"],
        [(code[first[1]], first[3], "出勤", 8), (code[first[1]], "2026-02-30", "出勤", 8)], encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.dataio.samples", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="var/samples")
    parser.add_argument("--days", type=int, default=30, help="history days (default 30)")
    parser.add_argument("--end-date", type=dt.date.fromisoformat, default=dt.date.today())
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    paths = write_samples(Path(args.out), args.end_date, args.days, args.seed)
    for kind, path in paths.items():
        print(f"{kind:20s} {path}  ({path.stat().st_size:,d} bytes)")
    print(f"bad files in {Path(args.out) / 'bad'}, know-how in {Path(args.out) / 'knowhow'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
