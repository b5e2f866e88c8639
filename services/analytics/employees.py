"""GetEmployeeStats: per active employee of a site, mean productivity, attendance rate and overtime over a range
(the seed's staff_query numbers, computed per table instead of through a fan-out join that multiplies rows)."""
from __future__ import annotations

import asyncio
import datetime as dt

from services.common.dates import parse_range
from services.common.db import fetch_all
from services.common.errors import NotFound

from services.analytics.deps import Deps
from services.analytics.scope import Scope, resolve_site

MAX_RANGE_DAYS = 366


async def employee_stats(deps: Deps, location: str, employee_id: int = 0, date_from: str = "", date_to: str = "") -> dict:
    scope = await resolve_site(deps.sites, location)
    start, end = parse_range(date_from, date_to, max_days=MAX_RANGE_DAYS)
    return await deps.cache.get_or_compute(
        scope.cache_namespace, ("employees", scope.name, employee_id, start.isoformat(), end.isoformat()),
        lambda: compute_employee_stats(deps, scope, employee_id, start, end))


async def compute_employee_stats(deps: Deps, scope: Scope, employee_id: int, start: dt.date, end: dt.date) -> dict:
    loc = scope.site.location_id
    one, one_args = ("AND employee_id = %s", (employee_id,)) if employee_id else ("", ())
    staff, productivity, attendance = await asyncio.gather(
        fetch_all(deps.pool, f"""
            SELECT employee_id, employee_name, skill_level FROM employees
            WHERE location_id = %s AND is_active = 1 {one} ORDER BY employee_id""", (loc, *one_args)),
        fetch_all(deps.pool, f"""
            SELECT employee_id, AVG(productivity_score) AS mean, COUNT(*) AS n FROM productivity_records
            WHERE location_id = %s AND record_date BETWEEN %s AND %s {one} GROUP BY employee_id""",
                  (loc, start, end, *one_args)),
        fetch_all(deps.pool, f"""
            SELECT employee_id, COUNT(*) AS n, SUM(attendance_status IN ('present', 'late', 'early_leave')) AS attended,
                   SUM(overtime_hours) AS overtime FROM attendance_records
            WHERE location_id = %s AND attendance_date BETWEEN %s AND %s {one} GROUP BY employee_id""",
                  (loc, start, end, *one_args)))
    if employee_id and not staff:
        raise NotFound(f"{scope.name}に在籍中の従業員ID {employee_id} は見つかりません")
    prod = {r["employee_id"]: r for r in productivity}
    att = {r["employee_id"]: r for r in attendance}
    employees = []
    for e in staff:
        p, a = prod.get(e["employee_id"]), att.get(e["employee_id"])
        employees.append({
            "employee_id": int(e["employee_id"]), "employee_name": e["employee_name"], "skill_level": int(e["skill_level"]),
            "avg_productivity": round(float(p["mean"]), 2) if p else 0.0,
            "attendance_rate": round(int(a["attended"] or 0) / int(a["n"]), 4) if a and int(a["n"]) else 0.0,
            "overtime_hours": round(float(a["overtime"] or 0.0), 2) if a else 0.0,
            "records": int(p["n"]) if p else 0,
        })
    return {"employees": employees}
