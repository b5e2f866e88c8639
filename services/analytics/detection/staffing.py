"""staffing_shortage: for upcoming days, the staff-hours the forecast volume needs exceed the staff-hours
the shift plan supplies.

  required  = sum over processes of forecast_units / (standard_units_per_hour x measured productivity / 100)
              (workload_forecasts for the day; productivity = the site's mean per process, last 30 days)
  available = scheduled shift hours net of the statutory break (労基法34条: 45 min over 6 h, 60 min over 8 h)
              minus the absences still to be expected (the weekday's unplanned-absence rate over the last
              8 weeks, less those already notified), plus overtime capacity (the scheduled staff's personal
              overtime limits, capped by the site's daily overtime limit)

An alert is raised when the shortfall is at least MIN_SHORTAGE_PCT of required.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from services.common.db import fetch_all
from services.common.sites import Site

from services.analytics.detection.finding import Finding, md
from services.analytics.labels import mysql_dow, weekday_name

HORIZON_DAYS = 7
MIN_SHORTAGE_PCT = 10.0  # a few percent is absorbed by the day's slack; 10% is a real gap
MIN_SHORTAGE_HOURS = 4.0
PRODUCTIVITY_DAYS = 30
ABSENCE_DAYS = 56
NET_HOURS_SQL = ("CASE WHEN x.span > 8 THEN x.span - 1 WHEN x.span > 6 THEN x.span - 0.75 ELSE x.span END")


def severity(shortage_pct: float) -> str:
    return ("critical" if shortage_pct >= 30 else "high" if shortage_pct >= 20
            else "medium" if shortage_pct >= 15 else "low")


async def detect(ctx, site: Site, start: dt.date, end: dt.date) -> list[Finding]:
    first, last = start + dt.timedelta(days=1), end + dt.timedelta(days=HORIZON_DAYS)
    loc = site.location_id
    shifts = await fetch_all(ctx.pool, f"""
        SELECT x.shift_date, SUM(x.planned_status = 'scheduled') AS scheduled,
               SUM(x.planned_status = 'absent_notified') AS notified,
               SUM(CASE WHEN x.planned_status = 'scheduled' THEN {NET_HOURS_SQL} ELSE 0 END) AS net_hours,
               SUM(CASE WHEN x.planned_status = 'scheduled' THEN x.max_ot ELSE 0 END) AS overtime_capacity
        FROM (SELECT s.shift_date, s.planned_status, e.max_overtime_hours_per_day AS max_ot,
                     TIME_TO_SEC(TIMEDIFF(s.end_time, s.start_time)) / 3600 AS span
              FROM shift_plans s JOIN employees e ON e.employee_id = s.employee_id
              WHERE s.location_id = %s AND s.shift_date BETWEEN %s AND %s) x
        GROUP BY x.shift_date""", (loc, first, last))
    if not shifts:
        return []
    forecasts = await fetch_all(ctx.pool, """
        SELECT forecast_date, process_id, SUM(forecast_units) AS units FROM workload_forecasts
        WHERE location_id = %s AND forecast_date BETWEEN %s AND %s
        GROUP BY forecast_date, process_id""", (loc, first, last))
    productivity = await fetch_all(ctx.pool, """
        SELECT process_id, AVG(productivity_score) AS mean, COUNT(*) AS n FROM productivity_records
        WHERE location_id = %s AND record_date BETWEEN %s AND %s GROUP BY process_id""",
                                   (loc, end - dt.timedelta(days=PRODUCTIVITY_DAYS - 1), end))
    absence = await fetch_all(ctx.pool, """
        SELECT DAYOFWEEK(attendance_date) AS dow, COUNT(*) AS n, SUM(attendance_status = 'absent') AS absent
        FROM attendance_records WHERE location_id = %s AND attendance_date BETWEEN %s AND %s
        GROUP BY DAYOFWEEK(attendance_date)""", (loc, end - dt.timedelta(days=ABSENCE_DAYS - 1), end))
    units: dict[dt.date, dict[int, float]] = defaultdict(dict)
    for r in forecasts:
        units[r["forecast_date"]][int(r["process_id"])] = float(r["units"])
    prod = {int(r["process_id"]): (float(r["mean"]), int(r["n"])) for r in productivity}
    total_n = sum(n for _, n in prod.values())
    site_mean = sum(m * n for m, n in prod.values()) / total_n if total_n else 0.0
    absence_rate = {int(r["dow"]): int(r["absent"] or 0) / int(r["n"]) for r in absence if int(r["n"])}
    processes = {p.process_id: p for p in await ctx.processes.all()}
    findings = []
    for shift in shifts:
        day = shift["shift_date"]
        if day not in units or site_mean <= 0:
            continue
        finding = _evaluate(site, day, shift, units[day], prod, site_mean, absence_rate.get(mysql_dow(day), 0.0),
                            processes)
        if finding:
            findings.append(finding)
    return findings


def _evaluate(site: Site, day: dt.date, shift: dict, units: dict[int, float], prod: dict, site_mean: float,
              absence_rate: float, processes: dict) -> Finding | None:
    by_process, required = [], 0.0
    for pid, u in sorted(units.items()):
        process = processes.get(pid)
        if process is None or process.standard_units_per_hour <= 0:
            continue
        mean, n = prod.get(pid, (site_mean, 0))
        hours = u / (process.standard_units_per_hour * mean / 100.0)
        required += hours
        by_process.append({"process": process.name, "forecast_units": round(u, 1),
                           "standard_units_per_hour": process.standard_units_per_hour,
                           "mean_productivity": round(mean, 2), "productivity_records": n,
                           "required_hours": round(hours, 1)})
    scheduled, notified = int(shift["scheduled"] or 0), int(shift["notified"] or 0)
    net = float(shift["net_hours"] or 0.0)
    per_person = net / scheduled if scheduled else 0.0
    expected_absent = max(0.0, absence_rate * (scheduled + notified) - notified)
    absent_hours = expected_absent * per_person
    overtime_capacity = min(float(shift["overtime_capacity"] or 0.0), site.overtime_limit_hours)
    available = net - absent_hours + overtime_capacity
    shortage = required - available
    pct = shortage / required * 100 if required else 0.0
    if pct < MIN_SHORTAGE_PCT or shortage < MIN_SHORTAGE_HOURS:
        return None
    wd = weekday_name(mysql_dow(day))
    return Finding(
        site=site, alert_type="staffing_shortage", subject="day", severity=severity(pct),
        period_start=day, period_end=day,
        title=f"{site.name} 人員不足の見込み（{md(day)} {wd}）",
        message=(f"{day.isoformat()}（{wd}）の予測業務量に必要な工数 {required:.0f}人時に対し、シフト計画で確保できる工数は "
                 f"{available:.0f}人時（出勤予定 {scheduled}名の {net:.0f}人時、見込み欠勤 {expected_absent:.1f}名分 "
                 f"-{absent_hours:.0f}人時、残業枠 +{overtime_capacity:.0f}人時）で、{shortage:.0f}人時（{pct:.1f}%）不足します。"),
        evidence={"rule": "staffing_shortage", "subject": "day", "date": day.isoformat(),
                  "required_hours": round(required, 1), "available_hours": round(available, 1),
                  "shortage_hours": round(shortage, 1), "shortage_pct": round(pct, 2),
                  "scheduled_staff": scheduled, "notified_absent": notified, "scheduled_net_hours": round(net, 1),
                  "expected_absence_rate": round(absence_rate, 4), "expected_absent_staff": round(expected_absent, 2),
                  "expected_absent_hours": round(absent_hours, 1), "overtime_capacity_hours": round(overtime_capacity, 1),
                  "site_overtime_limit_hours": site.overtime_limit_hours, "by_process": by_process,
                  "site_mean_productivity": round(site_mean, 2),
                  "source": "workload_forecasts + shift_plans + productivity_records + attendance_records"})
