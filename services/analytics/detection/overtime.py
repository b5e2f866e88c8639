"""overtime_over_limit: a site-day where the site's total overtime exceeded locations.overtime_limit_hours,
or where anyone worked more overtime than their employees.max_overtime_hours_per_day.

Reads attendance_records (one row per person-day, the record of hours actually worked). One alert per
site-day carries both facts, so a manager sees one item per bad day rather than one per person.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from services.common.db import fetch_all
from services.common.sites import Site

from services.analytics.detection.finding import Finding, days, md

TOP_STAFF = 10


def severity(site_ratio: float, over_count: int, attended: int, max_excess: float) -> str:
    ranks = ["low"]
    if site_ratio >= 2.0:
        ranks.append("critical")
    elif site_ratio >= 1.5:
        ranks.append("high")
    elif site_ratio > 1.0:
        ranks.append("medium")
    if over_count >= 10 or (attended and over_count / attended >= 0.25) or max_excess >= 2.0:
        ranks.append("high")
    elif over_count >= 3 or max_excess >= 1.0:
        ranks.append("medium")
    order = ["low", "medium", "high", "critical"]
    return max(ranks, key=order.index)


async def detect(ctx, site: Site, start: dt.date, end: dt.date) -> list[Finding]:
    totals = await fetch_all(ctx.pool, """
        SELECT attendance_date, SUM(overtime_hours) AS overtime, COUNT(*) AS records,
               SUM(attendance_status IN ('present', 'late', 'early_leave')) AS attended
        FROM attendance_records WHERE location_id = %s AND attendance_date BETWEEN %s AND %s
        GROUP BY attendance_date""", (site.location_id, start, end))
    people = await fetch_all(ctx.pool, """
        SELECT ar.attendance_date, ar.employee_id, e.employee_name, ar.overtime_hours,
               e.max_overtime_hours_per_day AS limit_hours
        FROM attendance_records ar JOIN employees e ON e.employee_id = ar.employee_id
        WHERE ar.location_id = %s AND ar.attendance_date BETWEEN %s AND %s AND ar.overtime_hours > 0
          AND ar.overtime_hours > e.max_overtime_hours_per_day
        ORDER BY ar.attendance_date, ar.overtime_hours DESC, ar.employee_id""", (site.location_id, start, end))
    over_by_day: dict[dt.date, list[dict]] = defaultdict(list)
    for p in people:
        over_by_day[p["attendance_date"]].append(p)
    by_day = {r["attendance_date"]: r for r in totals}
    limit = site.overtime_limit_hours
    findings = []
    for day in days(start, end):
        row = by_day.get(day)
        if row is None:
            continue
        total, attended = float(row["overtime"] or 0.0), int(row["attended"] or 0)
        over = over_by_day.get(day, [])
        site_over = limit > 0 and total > limit
        if not site_over and not over:
            continue
        ratio = total / limit if limit > 0 else 0.0
        max_excess = max((float(p["overtime_hours"]) - float(p["limit_hours"]) for p in over), default=0.0)
        top = over[0] if over else None
        parts = []
        if site_over:
            parts.append(f"{day.isoformat()} の残業合計 {total:.1f}h が拠点上限 {limit:.1f}h を超過しました（{ratio:.1f}倍）")
        else:
            parts.append(f"{day.isoformat()} の残業合計は {total:.1f}h（拠点上限 {limit:.1f}h 以内）")
        if over:
            parts.append(f"個人の残業上限を超えた従業員 {len(over)}名（出勤 {attended}名中）、最大 "
                         f"{float(top['overtime_hours']):.1f}h（{top['employee_name']}さん、上限 {float(top['limit_hours']):.1f}h）")
        findings.append(Finding(
            site=site, alert_type="overtime_over_limit", subject="day",
            severity=severity(ratio, len(over), attended, max_excess),
            period_start=day, period_end=day,
            title=f"{site.name} 残業上限超過（{md(day)}）",
            message="。".join(parts) + "。",
            evidence={
                "rule": "overtime_over_limit", "subject": "day", "date": day.isoformat(),
                "site_overtime_hours": round(total, 2), "site_limit_hours": limit,
                "site_over_limit": site_over, "site_ratio": round(ratio, 3), "attended_staff": attended,
                "staff_over_personal_limit": len(over), "max_excess_hours": round(max_excess, 2),
                "over_limit_staff": [{"employee_id": int(p["employee_id"]), "employee_name": p["employee_name"],
                                      "overtime_hours": float(p["overtime_hours"]),
                                      "limit_hours": float(p["limit_hours"])} for p in over[:TOP_STAFF]],
                "source": "attendance_records",
            }))
    return findings
