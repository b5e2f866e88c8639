"""MySQL access of the solver: what a site-day looks like, and the audited assignment update.

Only SQL lives here (always parameterised); turning rows into a model instance is instance_builder's
job, so the model stays testable without a database.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Iterable, Sequence

import aiomysql
import pymysql

from services.common.db import fetch_all, fetch_one
from services.common.errors import Conflict, FailedPrecondition, NotFound


@dataclass(frozen=True)
class ProcessRow:
    process_id: int
    name: str
    code: str
    min_skill: int
    requires_veteran: bool
    units_per_hour: float


@dataclass(frozen=True)
class StaffRow:
    employee_id: int
    name: str
    location_id: int
    skill_level: int
    hire_date: dt.date
    employment_type: str
    contract_hours: float
    max_overtime: float
    is_active: bool
    planned_status: str | None   # shift_plans of the day; None = no plan row
    start_min: int | None
    end_min: int | None
    attendance_status: str | None  # attendance_records of the day (known for today and the past)


@dataclass(frozen=True)
class AssignmentRow:
    assignment_id: int
    location_id: int
    employee_id: int
    employee_name: str
    process_id: int
    process: str
    date: dt.date
    time_block: str
    planned_hours: float
    status: str
    source: str
    version: int


@dataclass(frozen=True)
class AdjustmentRow:
    """One assignment_adjustments row; before/after are the stored JSON documents (None when not recorded)."""
    adjustment_id: int
    adjustment_type: str
    adjusted_by: str
    created_at: dt.datetime
    reason: str
    ai_confidence_score: float | None
    before: dict | None
    after: dict | None


@dataclass(frozen=True)
class ForecastRow:
    location_id: int
    process: str
    time_block: str
    forecast_units: float
    lower_units: float | None
    upper_units: float | None
    units_per_hour: float


@dataclass(frozen=True)
class ProductivityRow:
    employee_id: int
    process: str
    score: float       # hours-weighted mean productivity_score
    hours: float
    records: int


def _minutes(value) -> int | None:
    """MySQL TIME arrives as timedelta."""
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return int(value.total_seconds() // 60)
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute
    return None


def _in(values: Sequence) -> str:
    return ",".join(["%s"] * len(values))


_ASSIGNMENT_SQL = (
    "SELECT da.assignment_id, da.location_id, da.employee_id, e.employee_name, da.process_id, p.process_name, "
    "da.assignment_date, da.time_block, da.planned_hours, da.status, da.source, da.version "
    "FROM daily_assignments da JOIN employees e ON e.employee_id = da.employee_id "
    "JOIN processes p ON p.process_id = da.process_id ")


def _assignment(r: dict) -> AssignmentRow:
    return AssignmentRow(int(r["assignment_id"]), int(r["location_id"]), int(r["employee_id"]), r["employee_name"],
                         int(r["process_id"]), r["process_name"], r["assignment_date"], r["time_block"],
                         float(r["planned_hours"]), r["status"], r["source"], int(r["version"]))


def _json_doc(value) -> dict | None:
    """A JSON column as a dict (MariaDB returns JSON as text); anything that is not an object is None."""
    if value is None:
        return None
    try:
        doc = json.loads(value) if isinstance(value, (str, bytes)) else value
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


class SolverRepository:
    def __init__(self, pool: aiomysql.Pool):
        self._pool = pool
        self._processes: list[ProcessRow] | None = None

    async def processes(self) -> list[ProcessRow]:
        """The processes table (reference data: read once)."""
        if self._processes is None:
            rows = await fetch_all(self._pool, "SELECT process_id, process_name, process_code, min_skill_level, "
                                               "requires_veteran, standard_units_per_hour FROM processes "
                                               "ORDER BY process_id")
            self._processes = [ProcessRow(int(r["process_id"]), r["process_name"], r["process_code"],
                                          int(r["min_skill_level"]), bool(r["requires_veteran"]),
                                          float(r["standard_units_per_hour"])) for r in rows]
        return self._processes

    async def _staff(self, where: str, args: list, day: dt.date) -> list[StaffRow]:
        rows = await fetch_all(
            self._pool,
            "SELECT e.employee_id, e.employee_name, e.location_id, e.skill_level, e.hire_date, e.employment_type, "
            "e.contract_hours_per_day, e.max_overtime_hours_per_day, e.is_active, sp.planned_status, "
            "sp.start_time, sp.end_time, ar.attendance_status "
            "FROM employees e "
            "LEFT JOIN shift_plans sp ON sp.employee_id = e.employee_id AND sp.shift_date = %s "
            "LEFT JOIN attendance_records ar ON ar.employee_id = e.employee_id AND ar.attendance_date = %s "
            f"WHERE {where} ORDER BY e.employee_id", [day, day, *args])
        return [StaffRow(int(r["employee_id"]), r["employee_name"], int(r["location_id"]), int(r["skill_level"]),
                         r["hire_date"], r["employment_type"], float(r["contract_hours_per_day"]),
                         float(r["max_overtime_hours_per_day"]), bool(r["is_active"]), r["planned_status"],
                         _minutes(r["start_time"]), _minutes(r["end_time"]), r["attendance_status"])
                for r in rows]

    async def site_staff(self, location_ids: Sequence[int], day: dt.date) -> list[StaffRow]:
        """Active employees of the sites with their shift plan and attendance of the day."""
        return await self._staff(f"e.location_id IN ({_in(location_ids)}) AND e.is_active = 1",
                                 list(location_ids), day)

    async def staff_by_ids(self, employee_ids: Sequence[int], day: dt.date) -> list[StaffRow]:
        if not employee_ids:
            return []
        return await self._staff(f"e.employee_id IN ({_in(employee_ids)})", list(employee_ids), day)

    async def shift_plan_count(self, location_id: int, day: dt.date) -> int:
        row = await fetch_one(self._pool, "SELECT COUNT(*) AS n FROM shift_plans WHERE location_id = %s "
                                          "AND shift_date = %s", (location_id, day))
        return int(row["n"]) if row else 0

    async def skills(self, employee_ids: Iterable[int]) -> dict[int, dict[str, int]]:
        ids = list(employee_ids)
        if not ids:
            return {}
        rows = await fetch_all(self._pool, "SELECT es.employee_id, p.process_name, es.skill_level "
                                           "FROM employee_skills es JOIN processes p ON p.process_id = es.process_id "
                                           f"WHERE es.employee_id IN ({_in(ids)})", ids)
        out: dict[int, dict[str, int]] = {}
        for r in rows:
            out.setdefault(int(r["employee_id"]), {})[r["process_name"]] = int(r["skill_level"])
        return out

    async def productivity(self, employee_ids: Iterable[int], start: dt.date, end: dt.date) -> list[ProductivityRow]:
        """Hours-weighted mean score per employee x process over [start, end)."""
        ids = list(employee_ids)
        if not ids:
            return []
        rows = await fetch_all(
            self._pool,
            "SELECT pr.employee_id, p.process_name, "
            "SUM(pr.productivity_score * pr.hours_worked) / NULLIF(SUM(pr.hours_worked), 0) AS score, "
            "SUM(pr.hours_worked) AS hours, COUNT(*) AS n "
            "FROM productivity_records pr JOIN processes p ON p.process_id = pr.process_id "
            f"WHERE pr.employee_id IN ({_in(ids)}) AND pr.record_date >= %s AND pr.record_date < %s "
            "GROUP BY pr.employee_id, p.process_name", [*ids, start, end])
        return [ProductivityRow(int(r["employee_id"]), r["process_name"], float(r["score"]), float(r["hours"]),
                                int(r["n"])) for r in rows if r["score"] is not None]

    async def assignments(self, location_ids: Sequence[int], day: dt.date,
                          include_cancelled: bool = True) -> list[AssignmentRow]:
        status = "" if include_cancelled else "AND da.status <> 'cancelled' "
        rows = await fetch_all(
            self._pool,
            _ASSIGNMENT_SQL + f"WHERE da.location_id IN ({_in(location_ids)}) AND da.assignment_date = %s {status}"
            "ORDER BY FIELD(da.time_block, 'morning', 'afternoon', 'overtime'), da.process_id, da.employee_id",
            [*location_ids, day])
        return [_assignment(r) for r in rows]

    async def assignment(self, assignment_id: int) -> AssignmentRow | None:
        row = await fetch_one(self._pool, _ASSIGNMENT_SQL + "WHERE da.assignment_id = %s", (assignment_id,))
        return _assignment(row) if row else None

    async def adjustments(self, assignment_id: int) -> list[AdjustmentRow]:
        """The audit rows of one assignment in the order they were written (AUTO_INCREMENT id).

        Not by created_at: the sample data stamps its rows with made-up times of the day (a row "at 17:00"
        may be later than a change a manager makes this morning), and a clock step would reorder real ones;
        the id is the order the database committed them in.
        """
        rows = await fetch_all(
            self._pool,
            "SELECT adjustment_id, adjustment_type, adjusted_by, created_at, reason, ai_confidence_score, "
            "before_json, after_json FROM assignment_adjustments WHERE original_assignment_id = %s "
            "ORDER BY adjustment_id", (assignment_id,))
        return [AdjustmentRow(int(r["adjustment_id"]), r["adjustment_type"], r["adjusted_by"], r["created_at"],
                              r["reason"], None if r["ai_confidence_score"] is None else float(r["ai_confidence_score"]),
                              _json_doc(r["before_json"]), _json_doc(r["after_json"])) for r in rows]

    async def employee_names(self, employee_ids: Iterable[int]) -> dict[int, str]:
        ids = sorted(set(employee_ids))
        if not ids:
            return {}
        rows = await fetch_all(self._pool, "SELECT employee_id, employee_name FROM employees "
                                           f"WHERE employee_id IN ({_in(ids)})", ids)
        return {int(r["employee_id"]): r["employee_name"] for r in rows}

    async def assignment_at(self, employee_id: int, day: dt.date, block: str) -> AssignmentRow | None:
        row = await fetch_one(self._pool, _ASSIGNMENT_SQL + "WHERE da.employee_id = %s AND da.assignment_date = %s "
                                                           "AND da.time_block = %s", (employee_id, day, block))
        return _assignment(row) if row else None

    async def forecasts(self, location_ids: Sequence[int], day: dt.date) -> list[ForecastRow]:
        rows = await fetch_all(
            self._pool,
            "SELECT wf.location_id, p.process_name, wf.time_block, wf.forecast_units, wf.lower_units, "
            "wf.upper_units, p.standard_units_per_hour "
            "FROM workload_forecasts wf JOIN processes p ON p.process_id = wf.process_id "
            f"WHERE wf.location_id IN ({_in(location_ids)}) AND wf.forecast_date = %s", [*location_ids, day])
        return [ForecastRow(int(r["location_id"]), r["process_name"], r["time_block"], float(r["forecast_units"]),
                            None if r["lower_units"] is None else float(r["lower_units"]),
                            None if r["upper_units"] is None else float(r["upper_units"]),
                            float(r["standard_units_per_hour"])) for r in rows]

    async def apply_update(self, current: AssignmentRow, expected_version: int, new: dict, adjustment: dict
                           ) -> tuple[AssignmentRow, int]:
        """One transaction: version-checked UPDATE (bumps version) + the assignment_adjustments row.

        `UPDATE ... WHERE assignment_id = %s AND version = %s` touching no row means someone else
        changed it since the manager looked: Conflict, and nothing is written.
        """
        async with self._pool.acquire() as conn:
            await conn.begin()
            try:
                async with conn.cursor() as cur:
                    try:
                        affected = await cur.execute(
                            "UPDATE daily_assignments SET process_id = %s, time_block = %s, planned_hours = %s, "
                            "status = %s, source = %s, version = version + 1 "
                            "WHERE assignment_id = %s AND version = %s",
                            (new["process_id"], new["time_block"], new["planned_hours"], new["status"],
                             new["source"], current.assignment_id, expected_version))
                    except pymysql.err.IntegrityError as exc:
                        raise FailedPrecondition(
                            f"{current.employee_name}さんは{current.date}の{new['time_block']}に既に配置があります。"
                            "先にそちらを変更してください") from exc
                    if affected != 1:
                        await cur.execute("SELECT version FROM daily_assignments WHERE assignment_id = %s",
                                          (current.assignment_id,))
                        row = await cur.fetchone()
                        if row is None:
                            raise NotFound(f"配置 assignment_id={current.assignment_id} は見つかりません")
                        raise Conflict(f"配置 {current.assignment_id} は他の操作で更新されています（現在の version="
                                       f"{row[0]}、指定 {expected_version}）。最新の配置を取得してやり直してください")
                    await cur.execute(
                        "INSERT INTO assignment_adjustments (original_assignment_id, adjustment_type, "
                        "adjustment_date, ai_confidence_score, adjusted_by, reason, before_json, after_json) "
                        "VALUES (%s, %s, CURDATE(), %s, %s, %s, %s, %s)",
                        (current.assignment_id, adjustment["type"], adjustment["confidence"], adjustment["by"],
                         adjustment["reason"], json.dumps(adjustment["before"], ensure_ascii=False),
                         json.dumps(adjustment["after"], ensure_ascii=False)))
                    adjustment_id = int(cur.lastrowid)
                async with conn.cursor(aiomysql.DictCursor) as cur:
                    await cur.execute(_ASSIGNMENT_SQL + "WHERE da.assignment_id = %s", (current.assignment_id,))
                    updated = _assignment(await cur.fetchone())
                await conn.commit()
            except BaseException:
                await conn.rollback()
                raise
        return updated, adjustment_id
