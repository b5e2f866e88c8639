"""The whitelist: every metric and dimension a question may name, with its SQL written once.

Nothing from a request is ever spliced into SQL: a question picks keys of these dictionaries, and filter
values travel as %s parameters. Each metric states its definition once; the answer quotes it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """One FROM clause with the aliases it provides."""

    from_sql: str
    date_col: str = ""          # the column a period filters ('' = current state, no period)
    has_employee: bool = True   # alias e (employees) joined
    has_process: bool = False   # alias p (processes) joined
    active_only: bool = False   # current staff only (e.is_active = 1)
    default_period: str = ""    # recent30 | today | tomorrow | '' (none)


SOURCES: dict[str, Source] = {
    "employees": Source("employees e JOIN locations l ON l.location_id = e.location_id", active_only=True),
    "skills": Source("employee_skills es JOIN employees e ON e.employee_id = es.employee_id "
                     "JOIN processes p ON p.process_id = es.process_id JOIN locations l ON l.location_id = e.location_id",
                     has_process=True, active_only=True),
    "attendance": Source("attendance_records ar JOIN employees e ON e.employee_id = ar.employee_id "
                         "JOIN locations l ON l.location_id = ar.location_id", "ar.attendance_date",
                         default_period="recent30"),
    "productivity": Source("productivity_records pr JOIN employees e ON e.employee_id = pr.employee_id "
                           "JOIN processes p ON p.process_id = pr.process_id "
                           "JOIN locations l ON l.location_id = pr.location_id", "pr.record_date",
                           has_process=True, default_period="recent30"),
    "forecast": Source("workload_forecasts wf JOIN processes p ON p.process_id = wf.process_id "
                       "JOIN locations l ON l.location_id = wf.location_id", "wf.forecast_date",
                       has_employee=False, has_process=True, default_period="tomorrow"),
    "assignments": Source("daily_assignments da JOIN employees e ON e.employee_id = da.employee_id "
                          "JOIN processes p ON p.process_id = da.process_id "
                          "JOIN locations l ON l.location_id = da.location_id", "da.assignment_date",
                          has_process=True, default_period="today"),
    "shifts": Source("shift_plans sp JOIN employees e ON e.employee_id = sp.employee_id "
                     "JOIN locations l ON l.location_id = sp.location_id", "sp.shift_date", default_period="today"),
    "alerts": Source("alerts a JOIN locations l ON l.location_id = a.location_id", has_employee=False),
}


@dataclass(frozen=True)
class Metric:
    key: str
    label: str                 # 残業時間
    unit: str                  # 時間, 人, 件, %, 日, 点
    source: str
    value: str                 # SQL aggregate of the primary definition
    definition: str            # one Japanese sentence, quoted in the answer
    alt: str = ""              # SQL aggregate of the alternative definition, stated beside the primary
    alt_label: str = ""        # 「有給休暇を含めると」
    where: str = ""            # fixed row condition of the metric
    decimals: int = 0
    people: bool = False       # the value counts people (lists name them)
    skill_col: str = "e.skill_level"


_ABSENT = "ar.attendance_status = 'absent'"
_ABSENT_OR_LEAVE = "ar.attendance_status IN ('absent', 'paid_leave')"

METRICS: dict[str, Metric] = {m.key: m for m in (
    Metric("headcount", "在籍人数", "人", "employees", "COUNT(DISTINCT e.employee_id)",
           "在籍人数 = 在籍中（is_active）の従業員数。", people=True),
    Metric("qualified_headcount", "対応できる人数", "人", "skills", "COUNT(DISTINCT e.employee_id)",
           "対応できる人 = その工程のスキルが工程の最低スキル以上の在籍者。",
           where="es.skill_level >= p.min_skill_level", people=True, skill_col="es.skill_level"),
    Metric("skill_level", "スキル", "", "skills", "MAX(es.skill_level)",
           "スキル = 工程別スキルレベル（1〜5）。", skill_col="es.skill_level"),
    Metric("absence_count", "欠勤者数", "人", "attendance", f"SUM({_ABSENT})",
           "欠勤 = 勤怠記録の「欠勤」。有給休暇を含めた数も併記します。",
           alt=f"SUM({_ABSENT_OR_LEAVE})", alt_label="有給休暇を含めると", people=True),
    Metric("absence_rate", "欠勤率", "%", "attendance", f"100 * AVG({_ABSENT})",
           "欠勤率 = 欠勤 ÷ 勤怠記録数。有給休暇を含めた率も併記します。",
           alt=f"100 * AVG({_ABSENT_OR_LEAVE})", alt_label="有給休暇を含めると", decimals=1),
    Metric("attended_count", "出勤者数", "人", "attendance",
           "SUM(ar.attendance_status IN ('present', 'late', 'early_leave'))",
           "出勤 = 出勤・遅刻・早退の勤怠記録。", people=True),
    Metric("attendance_rate", "出勤率", "%", "attendance",
           "100 * AVG(ar.attendance_status IN ('present', 'late', 'early_leave'))",
           "出勤率 = 出勤・遅刻・早退の勤怠記録 ÷ 勤怠記録数。", decimals=1),
    Metric("late_count", "遅刻", "回", "attendance", "SUM(ar.attendance_status = 'late')",
           "遅刻 = 勤怠記録の「遅刻」の件数。", people=True),
    Metric("early_leave_count", "早退", "回", "attendance", "SUM(ar.attendance_status = 'early_leave')",
           "早退 = 勤怠記録の「早退」の件数。", people=True),
    Metric("paid_leave_days", "有給休暇", "日", "attendance", "SUM(ar.attendance_status = 'paid_leave')",
           "有給休暇 = 勤怠記録の「有給休暇」の日数。", people=True),
    Metric("overtime_hours", "残業時間", "時間", "attendance", "SUM(ar.overtime_hours)",
           "残業時間 = 勤怠記録の残業時間の合計。", decimals=1),
    Metric("productivity", "生産性", "", "productivity", "AVG(pr.productivity_score)",
           "生産性 = 生産性スコア（標準=100）の平均。",
           alt="SUM(pr.productivity_score * pr.hours_worked) / SUM(pr.hours_worked)", alt_label="作業時間で加重すると",
           decimals=1),
    Metric("units_processed", "処理数", "件", "productivity", "SUM(pr.units_processed)",
           "処理数 = 生産性記録の処理数量の合計。"),
    Metric("forecast_units", "業務量予測", "件", "forecast", "SUM(wf.forecast_units)",
           "業務量予測 = 予測物量の合計（必要人時 = 物量 ÷ 工程の標準処理数/時）。",
           alt="SUM(wf.forecast_units / p.standard_units_per_hour)", alt_label="必要人時にすると"),
    Metric("forecast_staff_hours", "必要人時", "人時", "forecast", "SUM(wf.forecast_units / p.standard_units_per_hour)",
           "必要人時 = 予測物量 ÷ 工程の標準処理数/時。", decimals=1),
    Metric("assigned_people", "配置人数", "人", "assignments",
           "COUNT(DISTINCT CASE WHEN da.status <> 'cancelled' THEN da.employee_id END)",
           "配置 = 配置表の割り当て（取消を除く）。取消を含めた人数も併記します。",
           alt="COUNT(DISTINCT da.employee_id)", alt_label="取消を含めると", people=True),
    Metric("scheduled_people", "出勤予定の人数", "人", "shifts", "COUNT(DISTINCT sp.employee_id)",
           "出勤予定 = シフト計画の「出勤予定」。", where="sp.planned_status = 'scheduled'", people=True),
    Metric("off_people", "休みの人数", "人", "shifts", "COUNT(DISTINCT sp.employee_id)",
           "休み = シフト計画の有給休暇・欠勤連絡（公休は含みません）。",
           where="sp.planned_status IN ('paid_leave', 'absent_notified')", people=True),
    Metric("alert_count", "アラート件数", "件", "alerts", "COUNT(*)", "アラート件数 = 条件に合うアラートの件数。"),
)}

AGGREGATES = ("sum", "avg")
# Per-record averages of the additive metrics (残業の平均 = per attendance record).
AVERAGE_OF: dict[str, str] = {"overtime_hours": "AVG(ar.overtime_hours)", "units_processed": "AVG(pr.units_processed)"}

EMPLOYMENT_TYPES: dict[str, str] = {"full_time": "正社員", "part_time": "パート", "temp": "派遣社員"}
TIME_BLOCKS: dict[str, str] = {"morning": "午前", "afternoon": "午後", "overtime": "残業枠"}


@dataclass(frozen=True)
class Dimension:
    select: str                # SQL of the group label
    group: str                 # SQL of GROUP BY
    needs: str = ""            # employee | process | date
    label: str = ""


def date_dimension(kind: str, col: str) -> Dimension:
    return {
        "weekday": Dimension(f"DAYOFWEEK({col})", f"DAYOFWEEK({col})", "date", "曜日"),
        "day": Dimension(f"{col}", f"{col}", "date", "日付"),
        "week": Dimension(f"DATE_SUB({col}, INTERVAL WEEKDAY({col}) DAY)",
                          f"DATE_SUB({col}, INTERVAL WEEKDAY({col}) DAY)", "date", "週（月曜）"),
        "month": Dimension(f"DATE_FORMAT({col}, '%%Y-%%m')", f"DATE_FORMAT({col}, '%%Y-%%m')", "date", "月"),
    }[kind]


DIMENSIONS: dict[str, Dimension] = {
    "site": Dimension("l.location_name", "l.location_id, l.location_name", label="拠点"),
    "process": Dimension("p.process_name", "p.process_id, p.process_name", "process", "工程"),
    "employee": Dimension("e.employee_name", "e.employee_id, e.employee_name", "employee", "従業員"),
}
GROUPINGS = ("site", "process", "employee", "weekday", "day", "week", "month")
