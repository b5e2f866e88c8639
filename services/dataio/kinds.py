"""What each import kind is: its columns (Japanese and English headers), types, natural key and table.

One home for the header mapping (docs/imports.md is written from it). A field either fills a column of
the target table directly, or refers to a site / process / employee by code or name (`ref`), which the
importer resolves to the id. `location_id` of per-employee tables comes from the employee unless the
kind has its own 拠点 column.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from services.dataio import values as v

STATUS_ATTENDANCE = {"present": "present", "出勤": "present", "absent": "absent", "欠勤": "absent",
                     "late": "late", "遅刻": "late", "early_leave": "early_leave", "早退": "early_leave",
                     "paid_leave": "paid_leave", "有給": "paid_leave", "有給休暇": "paid_leave"}
STATUS_SHIFT = {"scheduled": "scheduled", "出勤予定": "scheduled", "出勤": "scheduled", "day_off": "day_off",
                "公休": "day_off", "休日": "day_off", "paid_leave": "paid_leave", "有給": "paid_leave",
                "absent_notified": "absent_notified", "欠勤連絡": "absent_notified"}
TIME_BLOCKS = {"morning": "morning", "午前": "morning", "afternoon": "afternoon", "午後": "afternoon",
               "overtime": "overtime", "残業": "overtime"}
ASSIGNMENT_STATUS = {"planned": "planned", "計画": "planned", "confirmed": "confirmed", "確定": "confirmed",
                     "changed": "changed", "変更": "changed", "cancelled": "cancelled", "取消": "cancelled"}
EMPLOYMENT = {"full_time": "full_time", "正社員": "full_time", "part_time": "part_time", "パート": "part_time",
              "temp": "temp", "派遣": "temp"}


@dataclass(frozen=True)
class Field:
    name: str                      # canonical Japanese header (reports and exports use it)
    english: str                   # canonical English header
    column: str                    # target column, or the ref's id column
    convert: object = None         # values.* converter; None for refs
    required: bool = True
    default: str | None = None     # stored when the column is missing or the cell is empty (None = NULL)
    ref: str = ""                  # "employee" | "location" | "process"
    aliases: tuple[str, ...] = ()  # other accepted headers

    def headers(self) -> tuple[str, ...]:
        return (self.name, self.english, *self.aliases)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str                     # Japanese name of the kind
    table: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]           # natural key columns (a unique key of the table)
    date_column: str = ""          # per-day kinds: drives alert detection and period replace
    derived_location: bool = False  # location_id from the employee when no 拠点 column is given
    bump_version: bool = False     # daily_assignments: a changed row gets version + 1
    constant: dict = field(default_factory=dict)  # columns with a fixed value (source, method)

    @property
    def columns(self) -> tuple[str, ...]:
        cols = [f.column for f in self.fields]
        if self.derived_location and "location_id" not in cols:
            cols.append("location_id")
        cols.extend(c for c in self.constant if c not in cols)
        return tuple(cols)

    @property
    def value_columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c not in self.key)


def normalise_header(text: str) -> str:
    """NFKC, trimmed, lower case, no spaces/underscores: 'Employee Code' = 'employee_code' = '従業員コード '."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", str(text)).strip().lower() if ch not in " _-　\ufeff")


def _employee(required: bool = True) -> Field:
    return Field("従業員コード", "employee_code", "employee_id", ref="employee", required=required,
                 aliases=("従業員", "社員番号", "社員コード", "氏名", "employee", "employee_name"))


def _location(required: bool = True) -> Field:
    return Field("拠点", "location", "location_id", ref="location", required=required,
                 aliases=("拠点コード", "拠点名", "location_code", "location_name", "site"))


def _process() -> Field:
    return Field("工程", "process", "process_id", ref="process",
                 aliases=("工程コード", "工程名", "process_code", "process_name"))


HOURS = v.number(0, 24)
SKILL = v.number(1, 5, integer=True)

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("locations", "拠点", "locations", (
        Field("拠点コード", "location_code", "location_code", v.text(32)),
        Field("拠点名", "location_name", "location_name", v.text(32)),
        Field("地域", "region", "region", v.text(32)),
        Field("残業上限時間", "overtime_limit_hours", "overtime_limit_hours", v.number(0, 9999),
              required=False, default="20"),
    ), key=("location_code",)),
    Kind("processes", "工程", "processes", (
        Field("工程コード", "process_code", "process_code", v.text(32)),
        Field("工程名", "process_name", "process_name", v.text(32)),
        Field("必要スキル", "min_skill_level", "min_skill_level", SKILL, required=False, default="1"),
        Field("ベテラン必須", "requires_veteran", "requires_veteran", v.flag, required=False, default="0"),
        Field("標準処理数", "standard_units_per_hour", "standard_units_per_hour", v.number(0.01, 999999),
              aliases=("標準処理数/時",)),
    ), key=("process_code",)),
    Kind("employees", "従業員", "employees", (
        Field("従業員コード", "employee_code", "employee_code", v.text(32), aliases=("社員番号", "社員コード")),
        Field("氏名", "employee_name", "employee_name", v.text(64), aliases=("名前", "name")),
        _location(),
        Field("スキルレベル", "skill_level", "skill_level", SKILL),
        Field("入社日", "hire_date", "hire_date", v.date),
        Field("雇用形態", "employment_type", "employment_type", v.choice(EMPLOYMENT), required=False,
              default="full_time"),
        Field("契約時間", "contract_hours_per_day", "contract_hours_per_day", HOURS, required=False, default="8"),
        Field("残業上限", "max_overtime_hours_per_day", "max_overtime_hours_per_day", HOURS, required=False,
              default="2"),
        Field("在籍", "is_active", "is_active", v.flag, required=False, default="1"),
    ), key=("employee_code",)),
    Kind("employee_skills", "従業員スキル", "employee_skills", (
        _employee(), _process(),
        Field("スキルレベル", "skill_level", "skill_level", SKILL),
        Field("認定日", "certified_at", "certified_at", v.date, required=False),
    ), key=("employee_id", "process_id")),
    Kind("shift_plans", "シフト計画", "shift_plans", (
        _employee(),
        Field("勤務日", "shift_date", "shift_date", v.date, aliases=("日付", "date")),
        Field("予定区分", "planned_status", "planned_status", v.choice(STATUS_SHIFT), aliases=("区分", "status")),
        Field("開始時刻", "start_time", "start_time", v.time_of_day, required=False, default="09:00:00"),
        Field("終了時刻", "end_time", "end_time", v.time_of_day, required=False, default="18:00:00"),
    ), key=("employee_id", "shift_date"), date_column="shift_date", derived_location=True),
    Kind("attendance", "勤怠", "attendance_records", (
        _employee(),
        Field("勤務日", "attendance_date", "attendance_date", v.date, aliases=("日付", "date")),
        Field("勤怠区分", "attendance_status", "attendance_status", v.choice(STATUS_ATTENDANCE),
              aliases=("区分", "status")),
        Field("所定時間", "scheduled_hours", "scheduled_hours", HOURS, required=False, default="8"),
        Field("実働時間", "actual_hours", "actual_hours", HOURS, required=False, default="0"),
        Field("残業時間", "overtime_hours", "overtime_hours", HOURS, required=False, default="0"),
    ), key=("employee_id", "attendance_date"), date_column="attendance_date", derived_location=True),
    Kind("productivity", "生産性", "productivity_records", (
        _employee(), _process(),
        Field("日付", "record_date", "record_date", v.date, aliases=("作業日", "勤務日", "date")),
        Field("生産性スコア", "productivity_score", "productivity_score", v.number(0, 1000),
              aliases=("生産性", "score")),
        Field("処理数", "units_processed", "units_processed", v.number(0, 10_000_000, integer=True),
              aliases=("処理件数", "units")),
        Field("作業時間", "hours_worked", "hours_worked", HOURS),
        Field("残業時間", "overtime_hours", "overtime_hours", HOURS, required=False, default="0"),
    ), key=("employee_id", "process_id", "record_date"), date_column="record_date", derived_location=True),
    Kind("workload_forecasts", "物量予測", "workload_forecasts", (
        _location(), _process(),
        Field("日付", "forecast_date", "forecast_date", v.date, aliases=("予測日", "date")),
        Field("時間帯", "time_block", "time_block", v.choice(TIME_BLOCKS), aliases=("ブロック", "block")),
        Field("予測数量", "forecast_units", "forecast_units", v.number(0, 99_999_999), aliases=("予測", "forecast")),
        Field("下限", "lower_units", "lower_units", v.number(0, 99_999_999), required=False),
        Field("上限", "upper_units", "upper_units", v.number(0, 99_999_999), required=False),
        Field("実績数量", "actual_units", "actual_units", v.number(0, 99_999_999), required=False,
              aliases=("実績", "actual")),
        Field("手法", "method", "method", v.text(32), required=False, default="import"),
    ), key=("location_id", "process_id", "forecast_date", "time_block"), date_column="forecast_date"),
    Kind("daily_assignments", "日次配置", "daily_assignments", (
        _location(required=False), _employee(), _process(),
        Field("日付", "assignment_date", "assignment_date", v.date, aliases=("配置日", "勤務日", "date")),
        Field("時間帯", "time_block", "time_block", v.choice(TIME_BLOCKS), aliases=("ブロック", "block")),
        Field("計画時間", "planned_hours", "planned_hours", HOURS, aliases=("時間", "hours")),
        Field("状態", "status", "status", v.choice(ASSIGNMENT_STATUS), required=False, default="planned"),
    ), key=("employee_id", "assignment_date", "time_block"), date_column="assignment_date",
        derived_location=True, bump_version=True, constant={"source": "manual"}),
)}

KNOWHOW = "knowhow"  # text/Markdown documents: not rows, see services.dataio.knowhow
ALL_KINDS = (*KINDS, KNOWHOW)
