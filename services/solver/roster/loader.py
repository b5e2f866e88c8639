"""Rows -> RosterProblem for one site and horizon (the only place that knows both the tables and the rules).

Demand: the forecast staff-hours of the day (units / standard rate, summed over processes, the daily
model's conversion before measured productivity) over an 8-hour shift gives the day's headcount, split
over the site's shift types by their demand_share. Days past the forecast horizon repeat the same
weekday of the last forecast week. A veteran is needed on every shift of a day on which a process that
requires one has work.
"""
from __future__ import annotations

import datetime as dt
import math

from services.common.errors import FailedPrecondition, InvalidArgument
from services.solver.roster.repository import RosterRepository
from services.solver.roster.site import (
    CONTRACT_DAYS, VETERAN_SKILL, Person, RosterProblem, RosterRequest, ShiftType, SiteRules,
)

MAX_DAYS = 28


def _time(value) -> dt.time:
    if isinstance(value, dt.timedelta):
        secs = int(value.total_seconds()) % 86400
        return dt.time(secs // 3600, secs % 3600 // 60)
    return value


async def load_problem(repo: RosterRepository, location_id: int, start: dt.date, days: int) -> RosterProblem:
    if not 1 <= days <= MAX_DAYS:
        raise InvalidArgument(f"勤務表の期間は1〜{MAX_DAYS}日で指定してください（指定: {days}日）")
    end = start + dt.timedelta(days=days - 1)
    types_rows = await repo.shift_types(location_id)
    if not types_rows:
        raise FailedPrecondition("この拠点にはシフト種別（早番・日勤・遅番など）が登録されていません")
    types = [ShiftType(r["shift_code"], r["shift_name"], _time(r["start_time"]), _time(r["end_time"]),
                       int(r["break_minutes"]), bool(r["is_late"])) for r in types_rows]
    shares = {r["shift_code"]: float(r["demand_share"]) for r in types_rows}
    s = await repo.settings(location_id)
    rules = SiteRules() if s is None else SiteRules(
        rest_interval_hours=float(s["rest_interval_hours"]), four_in_four=bool(s["four_in_four"]),
        max_consecutive_days=int(s["max_consecutive_days"]), closed_on_holidays=bool(s["closed_on_holidays"]),
        overtime_month_limit_minutes=int(float(s["overtime_month_limit_hours"]) * 60),
        overtime_year_limit_minutes=int(float(s["overtime_year_limit_hours"]) * 60))
    overtime = {r["employee_id"]: r for r in await repo.overtime_so_far(location_id, start)}
    weekends = {r["employee_id"]: int(r["n"]) for r in await repo.weekend_history(location_id, start)}
    people = []
    for r in await repo.staff(location_id):
        ot = overtime.get(r["employee_id"], {})
        people.append(Person(
            int(r["employee_id"]), r["employee_name"], int(float(r["contract_hours_per_day"]) * 60),
            CONTRACT_DAYS.get(r["employment_type"], 5), int(r["skill_level"]) >= VETERAN_SKILL,
            overtime_month_minutes=int(float(ot.get("month") or 0) * 60),
            overtime_year_minutes=int(float(ot.get("year") or 0) * 60),
            past_weekend_days=weekends.get(r["employee_id"], 0)))
    hours = {r["day"]: (float(r["hours"]), bool(r["veteran"]))
             for r in await repo.staff_hours(location_id, start - dt.timedelta(days=35), end)}
    demand, veterans = {}, {}
    for k in range(days):
        day = start + dt.timedelta(days=k)
        src = day
        while src not in hours and src > start - dt.timedelta(days=7 * 5):
            src -= dt.timedelta(days=7)
        h, vet = hours.get(src, (0.0, False))
        heads = math.ceil(h / 8.0)
        for t in types:
            demand[(day, t.code)] = int(round(heads * shares.get(t.code, 0.0)))
            veterans[(day, t.code)] = 1 if vet and demand[(day, t.code)] > 0 else 0
    leave = {(int(r["employee_id"]), r["shift_date"]) for r in await repo.leave(location_id, start, end)}
    requests = [RosterRequest(int(r["employee_id"]), r["request_date"], r["shift_code"],
                              fixed=r["status"] == "approved")   # approved: 希望休 fixed off, 希望シフト pinned
                for r in await repo.requests(location_id, start, end)]
    return RosterProblem(location_id, start, days, types, people, demand, veterans, leave, requests, rules=rules)
