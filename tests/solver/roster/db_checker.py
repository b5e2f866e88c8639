"""Independent hard-rule check of a roster returned over gRPC, from the database's own rows.

It knows the rules from the law and the sample contracts, not from services/solver/roster: rest between
shifts, a day off in every 7 days (or 4 in 28), 40 h regular a week, contract days by employment type
(full_time 5, part_time 3, temp 4), max consecutive days, paid leave and approved 希望休 kept off.
"""
from __future__ import annotations

import datetime as dt

from services.common.db import fetch_all, fetch_one

CONTRACT = {"full_time": 5, "part_time": 3, "temp": 4}


def _min(v) -> int:
    return int(v.total_seconds() // 60) if isinstance(v, dt.timedelta) else v.hour * 60 + v.minute


async def check(pool, location_id: int, start: dt.date, roster) -> list[str]:
    types = {r["shift_code"]: r for r in await fetch_all(
        pool, "SELECT * FROM roster_shift_types WHERE location_id = %s", (location_id,))}
    s = await fetch_one(pool, "SELECT * FROM roster_settings WHERE location_id = %s", (location_id,))
    staff = {r["employee_id"]: r for r in await fetch_all(
        pool, "SELECT employee_id, employment_type, contract_hours_per_day FROM employees "
        "WHERE location_id = %s AND is_active = 1", (location_id,))}
    end = start + dt.timedelta(days=roster.days - 1)
    off = {(r["employee_id"], r["d"]) for r in await fetch_all(
        pool, "SELECT employee_id, shift_date AS d FROM shift_plans WHERE location_id = %s AND "
        "planned_status = 'paid_leave' AND shift_date BETWEEN %s AND %s", (location_id, start, end))}
    off |= {(r["employee_id"], r["d"]) for r in await fetch_all(
        pool, "SELECT employee_id, request_date AS d FROM roster_requests WHERE location_id = %s AND "
        "status = 'approved' AND shift_code IS NULL AND request_date BETWEEN %s AND %s", (location_id, start, end))}
    pins = {(r["employee_id"], r["d"]): r["shift_code"] for r in await fetch_all(
        pool, "SELECT employee_id, request_date AS d, shift_code FROM roster_requests WHERE location_id = %s AND "
        "status = 'approved' AND shift_code IS NOT NULL AND request_date BETWEEN %s AND %s",
        (location_id, start, end))}
    bad = []
    for row in roster.rows:
        for k, code in enumerate(row.shifts):
            pin = pins.get((row.employee_id, start + dt.timedelta(days=k)))
            if pin is not None and code != pin:
                bad.append(f"{row.employee_id} {start + dt.timedelta(days=k)}: pinned {pin} not kept")
    if {r.employee_id for r in roster.rows} != set(staff):
        bad.append("roster rows are not the site's active staff")
    rest = float(s["rest_interval_hours"]) * 60
    for row in roster.rows:
        shifts = list(row.shifts)
        emp = staff.get(row.employee_id)
        if emp is None or len(shifts) != roster.days:
            bad.append(f"{row.employee_id}: bad row")
            continue
        spans = []
        for k, code in enumerate(shifts):
            day = start + dt.timedelta(days=k)
            if not code:
                spans.append(None)
                continue
            t = types[code]
            a, b = _min(t["start_time"]), _min(t["end_time"])
            b = b if b > a else b + 1440
            work = b - a - int(t["break_minutes"])
            spans.append((a, b, work))
            if (row.employee_id, day) in off:
                bad.append(f"{row.employee_id} {day}: works on leave / approved day off")
            if min(work, 480) > float(emp["contract_hours_per_day"]) * 60:
                bad.append(f"{row.employee_id} {day}: longer than contract")
        for k in range(len(spans) - 1):
            if spans[k] and spans[k + 1] and 1440 + spans[k + 1][0] - spans[k][1] < rest:
                bad.append(f"{row.employee_id} {start + dt.timedelta(days=k)}: rest interval")
        for a in range(0, roster.days, 7):
            blk = spans[a:a + 7]
            n = sum(1 for x in blk if x)
            if len(blk) == 7 and n > 6:
                bad.append(f"{row.employee_id}: no day off in the week of {start + dt.timedelta(days=a)}")
            if n > CONTRACT[emp["employment_type"]]:
                bad.append(f"{row.employee_id}: {n} days > contract")
            if sum(min(x[2], 480) for x in blk if x) > 2400:
                bad.append(f"{row.employee_id}: over 40 h")
        run = 0
        for x in spans:
            run = run + 1 if x else 0
            if run > int(s["max_consecutive_days"]):
                bad.append(f"{row.employee_id}: too many days in a row")
                break
    return bad
