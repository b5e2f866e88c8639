"""The records behind an alert (GetAlert's related_records), chosen by alert type over the alert's period.

Works from the alert's type, site and period (not from rule-specific evidence), so it also explains alerts
that were written by other writers (e.g. the sample loader's historic alerts).
"""
from __future__ import annotations

import datetime as dt

from services.common.db import fetch_all

from services.analytics.alert_rows import plain

MAX_RELATED = 100


async def related_records(pool, location_id: int, alert: dict) -> list[dict]:
    start = dt.date.fromisoformat(alert["period_start"])
    end = dt.date.fromisoformat(alert["period_end"])
    fetch = _BY_TYPE.get(alert["alert_type"])
    if fetch is None:
        return []
    rows = await fetch(pool, location_id, start, end, alert.get("evidence") or {})
    return [plain(r) for r in rows]


async def _overtime(pool, location_id: int, start: dt.date, end: dt.date, evidence: dict) -> list[dict]:
    """Attendance rows with overtime in the period, largest first, flagged when over the personal limit."""
    return await fetch_all(pool, """
        SELECT 'attendance' AS record_type, ar.attendance_date, ar.employee_id, e.employee_name,
               ar.attendance_status, ar.actual_hours, ar.overtime_hours,
               e.max_overtime_hours_per_day AS personal_limit_hours,
               ar.overtime_hours > e.max_overtime_hours_per_day AS over_personal_limit
        FROM attendance_records ar JOIN employees e ON e.employee_id = ar.employee_id
        WHERE ar.location_id = %s AND ar.attendance_date BETWEEN %s AND %s AND ar.overtime_hours > 0
        ORDER BY ar.attendance_date DESC, ar.overtime_hours DESC, ar.employee_id
        LIMIT %s""", (location_id, start, end, MAX_RELATED))


async def _productivity(pool, location_id: int, start: dt.date, end: dt.date, evidence: dict) -> list[dict]:
    """Daily site productivity over the period and the 28-day baseline before it, newest first."""
    baseline_start = start - dt.timedelta(days=28)
    rows = await fetch_all(pool, """
        SELECT 'daily_productivity' AS record_type, record_date, ROUND(AVG(productivity_score), 2) AS mean_productivity,
               COUNT(*) AS records, SUM(hours_worked) AS hours_worked
        FROM productivity_records
        WHERE location_id = %s AND record_date BETWEEN %s AND %s
        GROUP BY record_date ORDER BY record_date DESC""", (location_id, baseline_start, end))
    for r in rows:
        r["window"] = "alert_period" if r["record_date"] >= start else "baseline"
    return rows[:MAX_RELATED]


async def _absence(pool, location_id: int, start: dt.date, end: dt.date, evidence: dict) -> list[dict]:
    """Unplanned absences in the period (only the alert's weekday when it is a weekday alert), newest first."""
    dow = int(evidence.get("day_of_week") or 0)
    dow_sql, args = ("AND DAYOFWEEK(ar.attendance_date) = %s", (dow,)) if 1 <= dow <= 7 else ("", ())
    return await fetch_all(pool, f"""
        SELECT 'attendance' AS record_type, ar.attendance_date, ar.employee_id, e.employee_name, e.skill_level,
               ar.attendance_status
        FROM attendance_records ar JOIN employees e ON e.employee_id = ar.employee_id
        WHERE ar.location_id = %s AND ar.attendance_date BETWEEN %s AND %s AND ar.attendance_status = 'absent'
        {dow_sql}
        ORDER BY ar.attendance_date DESC, ar.employee_id
        LIMIT %s""", (location_id, start, end, *args, MAX_RELATED))


async def _staffing(pool, location_id: int, start: dt.date, end: dt.date, evidence: dict) -> list[dict]:
    """The day's forecast volume by process and its shift plan by status."""
    forecasts = await fetch_all(pool, """
        SELECT 'workload_forecast' AS record_type, f.forecast_date, p.process_name, SUM(f.forecast_units) AS forecast_units,
               SUM(f.actual_units) AS actual_units, p.standard_units_per_hour
        FROM workload_forecasts f JOIN processes p ON p.process_id = f.process_id
        WHERE f.location_id = %s AND f.forecast_date BETWEEN %s AND %s
        GROUP BY f.forecast_date, p.process_id, p.process_name, p.standard_units_per_hour
        ORDER BY f.forecast_date DESC, p.process_id""",
                                (location_id, start, end))
    shifts = await fetch_all(pool, """
        SELECT 'shift_plan' AS record_type, shift_date, planned_status, COUNT(*) AS staff
        FROM shift_plans WHERE location_id = %s AND shift_date BETWEEN %s AND %s
        GROUP BY shift_date, planned_status ORDER BY shift_date DESC, planned_status""", (location_id, start, end))
    return (forecasts + shifts)[:MAX_RELATED]


_BY_TYPE = {
    "overtime_over_limit": _overtime,
    "productivity_drop": _productivity,
    "absence_spike": _absence,
    "staffing_shortage": _staffing,
}
