"""MySQL access for rosters: what a site's horizon looks like, and versioned, audited roster writes.

Only SQL lives here (parameterised); turning rows into a RosterProblem is loader.py's job.
"""
from __future__ import annotations

import datetime as dt
import json

import aiomysql

from services.common.db import fetch_all, fetch_one
from services.common.errors import Conflict, NotFound


class RosterRepository:
    def __init__(self, pool: aiomysql.Pool) -> None:
        self._pool = pool

    async def shift_types(self, location_id: int) -> list[dict]:
        return await fetch_all(self._pool, "SELECT shift_code, shift_name, start_time, end_time, break_minutes, "
                               "is_late, demand_share FROM roster_shift_types WHERE location_id = %s "
                               "ORDER BY start_time", (location_id,))

    async def settings(self, location_id: int) -> dict | None:
        return await fetch_one(self._pool, "SELECT * FROM roster_settings WHERE location_id = %s", (location_id,))

    async def staff(self, location_id: int) -> list[dict]:
        return await fetch_all(self._pool, "SELECT employee_id, employee_name, skill_level, employment_type, "
                               "contract_hours_per_day FROM employees WHERE location_id = %s AND is_active = 1 "
                               "ORDER BY employee_id", (location_id,))

    async def staff_hours(self, location_id: int, start: dt.date, end: dt.date) -> list[dict]:
        """Forecast staff-hours per day (units / standard rate) and whether a veteran process has work."""
        return await fetch_all(
            self._pool,
            "SELECT f.forecast_date AS day, SUM(f.forecast_units / p.standard_units_per_hour) AS hours, "
            "MAX(p.requires_veteran) AS veteran FROM workload_forecasts f JOIN processes p USING (process_id) "
            "WHERE f.location_id = %s AND f.forecast_date BETWEEN %s AND %s AND f.forecast_units > 0 "
            "GROUP BY f.forecast_date", (location_id, start, end))

    async def leave(self, location_id: int, start: dt.date, end: dt.date) -> list[dict]:
        return await fetch_all(self._pool, "SELECT employee_id, shift_date FROM shift_plans WHERE location_id = %s "
                               "AND shift_date BETWEEN %s AND %s AND planned_status = 'paid_leave'",
                               (location_id, start, end))

    async def requests(self, location_id: int, start: dt.date, end: dt.date) -> list[dict]:
        return await fetch_all(self._pool, "SELECT request_id, employee_id, request_date, shift_code, status, note "
                               "FROM roster_requests WHERE location_id = %s AND request_date BETWEEN %s AND %s "
                               "ORDER BY request_id", (location_id, start, end))

    async def overtime_so_far(self, location_id: int, day: dt.date) -> list[dict]:
        """Overtime hours recorded this month and this year before `day` (the 36協定 record)."""
        return await fetch_all(
            self._pool,
            "SELECT employee_id, SUM(CASE WHEN attendance_date >= %s THEN overtime_hours ELSE 0 END) AS month, "
            "SUM(overtime_hours) AS year FROM attendance_records WHERE location_id = %s "
            "AND attendance_date >= %s AND attendance_date < %s GROUP BY employee_id",
            (day.replace(day=1), location_id, day.replace(month=1, day=1), day))

    async def weekend_history(self, location_id: int, start: dt.date, days: int = 28) -> list[dict]:
        return await fetch_all(
            self._pool,
            "SELECT employee_id, COUNT(*) AS n FROM attendance_records WHERE location_id = %s "
            "AND attendance_date >= %s AND attendance_date < %s AND WEEKDAY(attendance_date) >= 5 "
            "AND attendance_status IN ('present', 'late') GROUP BY employee_id",
            (location_id, start - dt.timedelta(days=days), start))

    async def latest(self, location_id: int, start: dt.date, status: str | None = None) -> dict | None:
        sql = "SELECT * FROM roster_versions WHERE location_id = %s AND period_start = %s "
        args: list = [location_id, start]
        if status:
            sql += "AND status = %s "
            args.append(status)
        return await fetch_one(self._pool, sql + "ORDER BY version DESC LIMIT 1", args)

    async def version(self, location_id: int, start: dt.date, version: int) -> dict | None:
        return await fetch_one(self._pool, "SELECT * FROM roster_versions WHERE location_id = %s AND "
                               "period_start = %s AND version = %s", (location_id, start, version))

    async def save_draft(self, location_id: int, start: dt.date, days: int, cells: dict, costs: dict,
                         objective: float, bound: float) -> int:
        """A new draft version (max + 1); the unique key makes two concurrent saves collide, not merge."""
        async with self._pool.acquire() as conn:
            await conn.begin()
            try:
                async with conn.cursor() as cur:
                    await cur.execute("SELECT COALESCE(MAX(version), 0) FROM roster_versions WHERE location_id = %s "
                                      "AND period_start = %s FOR UPDATE", (location_id, start))
                    version = int((await cur.fetchone())[0]) + 1
                    await cur.execute(
                        "INSERT INTO roster_versions (location_id, period_start, period_days, version, status, "
                        "cells_json, costs_json, objective, bound) VALUES (%s,%s,%s,%s,'draft',%s,%s,%s,%s)",
                        (location_id, start, days, version, json.dumps(cells), json.dumps(costs, ensure_ascii=False),
                         objective, bound))
                await conn.commit()
            except BaseException:
                await conn.rollback()
                raise
        return version

    async def publish(self, location_id: int, start: dt.date, version: int, actor: str,
                      shift_rows: list[tuple], changed: int) -> int:
        """Publish `version` if it is still the latest: status, shift_plans rows and an audit row, atomically.

        A newer version saved since the manager looked is a Conflict and nothing is written.
        Returns the audit id.
        """
        async with self._pool.acquire() as conn:
            await conn.begin()
            try:
                async with conn.cursor() as cur:
                    await cur.execute("SELECT roster_id, version FROM roster_versions WHERE location_id = %s AND "
                                      "period_start = %s ORDER BY version DESC LIMIT 1 FOR UPDATE",
                                      (location_id, start))
                    row = await cur.fetchone()
                    if row is None:
                        raise NotFound(f"{start} からの勤務表はまだ作成されていません")
                    if int(row[1]) != version:
                        raise Conflict(f"勤務表は他の操作で更新されています（最新 version={row[1]}、指定 {version}）。"
                                       "最新の勤務表を確認してから公開してください")
                    roster_id = int(row[0])
                    await cur.execute("UPDATE roster_versions SET status = 'published', published_at = "
                                      "CURRENT_TIMESTAMP(3) WHERE roster_id = %s", (roster_id,))
                    await cur.executemany(
                        "INSERT INTO shift_plans (employee_id, location_id, shift_date, planned_status, start_time, "
                        "end_time) VALUES (%s,%s,%s,%s,%s,%s) ON DUPLICATE KEY UPDATE location_id = VALUES(location_id), "
                        "planned_status = VALUES(planned_status), start_time = VALUES(start_time), "
                        "end_time = VALUES(end_time)", shift_rows)
                    await cur.execute("INSERT INTO roster_audit (roster_id, location_id, action, actor, changed_cells) "
                                      "VALUES (%s,%s,'publish',%s,%s)", (roster_id, location_id, actor, changed))
                    audit_id = int(cur.lastrowid)
                await conn.commit()
            except BaseException:
                await conn.rollback()
                raise
        return audit_id

    async def audit(self, location_id: int) -> list[dict]:
        return await fetch_all(self._pool, "SELECT a.*, v.version, v.period_start FROM roster_audit a JOIN "
                               "roster_versions v USING (roster_id) WHERE a.location_id = %s ORDER BY audit_id",
                               (location_id,))
