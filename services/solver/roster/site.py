"""AIMEE's site rostering as a RosterSpec: Japanese labour law and contracts as hard rows, wishes as costs.

Pure (no database, no gRPC). A RosterProblem holds a site's shift types, people, demand, leave, requests
and the published roster; to_spec() turns each rule into the shared model core (model.py), so the rules
below are formulated once and the Curtois benchmark proves the same code.

Hard rules and where they come from:
- 労働基準法35条1項 (週休制): at least one day off in every 7-day block of the horizon; 35条2項 (変形休日制,
  4週4休) instead when the site says so: at most 24 work days in every 28-day block.
- 労働基準法32条 (法定労働時間): at most 40 h of regular work in each 7-day block and 8 h a day; work beyond
  8 h in a shift is overtime and is only planned within the 36協定 limits below.
- 労働基準法36条 / 36協定 (限度時間 45 h a month, 360 h a year): the overtime a roster plans plus the
  record so far this month / year stays within the site's agreed limits.
- 労働時間等設定改善法2条 (勤務間インターバル, 努力義務; 11 h is the 厚生労働省 guideline): a shift may not
  start less than `rest_interval_hours` after the previous day's shift ended.
- 雇用契約 (contract): at most the contracted work days per 7-day block, shifts no longer than the contracted
  hours a day (plus 36協定 overtime for full-timers), only shift types the person may work.
- 就業規則 (max consecutive work days, default 6 which 35条 implies anyway).
- 労働基準法39条 (年次有給休暇) and approved 希望休: fixed days off.
Soft (each reported on its own, see costs()): cover of the forecast headcount per day and shift and of
the veterans it needs, 希望休 / 希望シフト, fair spread of weekends, holidays and late shifts against the
history, and change against the published roster.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from services.solver.roster.calendar import is_holiday
from services.solver.roster.spec import (
    Balance, Cover, Employee, Request, RosterSpec, Shift, Window,
)


@dataclass(frozen=True)
class ShiftType:
    code: str                 # e.g. early / day / late
    name: str                 # 早番 / 日勤 / 遅番
    start: dt.time
    end: dt.time
    break_minutes: int = 60
    is_late: bool = False

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        """Minutes after the shift day's midnight; a shift past midnight ends after 1440."""
        end = self.end.hour * 60 + self.end.minute
        return end if end > self.start_minute else end + 1440

    @property
    def work_minutes(self) -> int:
        return self.end_minute - self.start_minute - self.break_minutes


@dataclass(frozen=True)
class SiteRules:
    rest_interval_hours: float = 11.0
    four_in_four: bool = False                 # 35条2項 変形休日制
    weekly_regular_minutes: int = 40 * 60      # 32条1項
    daily_regular_minutes: int = 8 * 60        # 32条2項
    overtime_month_limit_minutes: int = 45 * 60    # 36協定 (限度時間)
    overtime_year_limit_minutes: int = 360 * 60
    max_consecutive_days: int = 6
    closed_on_holidays: bool = False


@dataclass(frozen=True)
class Person:
    employee_id: int
    name: str
    contract_minutes_per_day: int = 480
    contract_days_per_week: int = 5
    is_veteran: bool = False
    shift_codes: frozenset[str] | None = None      # None: every shift type
    overtime_month_minutes: int = 0                # record so far this month (36協定)
    overtime_year_minutes: int = 0
    past_weekend_days: int = 0                     # worked weekend/holiday days in the last weeks
    past_late_shifts: int = 0


@dataclass(frozen=True)
class RosterRequest:
    employee_id: int
    day: dt.date
    shift_code: str | None       # None: 希望休 (the day off); a code: 希望シフト
    fixed: bool = False          # approved: a hard day off (希望休), or a pinned shift (指定勤務) the plan must keep
    weight: int | None = None


@dataclass(frozen=True)
class Weights:
    """One home for the soft terms' weights (a staff-shortage of one person weighs most)."""
    under: int = 100
    over: int = 5
    veteran_under: int = 60
    request_off: int = 10
    request_shift: int = 4
    weekend_excess: int = 6
    late_excess: int = 3
    change: int = 2


@dataclass
class RosterProblem:
    location_id: int
    start: dt.date
    days: int
    shift_types: list[ShiftType]
    people: list[Person]
    demand: dict[tuple[dt.date, str], int]             # headcount per day and shift code
    veterans: dict[tuple[dt.date, str], int] = field(default_factory=dict)
    leave: set[tuple[int, dt.date]] = field(default_factory=set)    # approved paid leave
    requests: list[RosterRequest] = field(default_factory=list)
    published: dict[tuple[int, dt.date], str | None] = field(default_factory=dict)
    # A what-if's plan without the wish (PlanRoster compare): when set it is the reference instead of the
    # published roster (which that plan already stayed close to), so the wish plan changes only what the
    # wish needs; weights.change per changed cell is far below a wish or a missing person, so both still win.
    baseline: dict[tuple[int, dt.date], str | None] = field(default_factory=dict)
    rules: SiteRules = field(default_factory=SiteRules)
    weights: Weights = field(default_factory=Weights)

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]


def forbidden_successions(shifts: list[ShiftType], rest_hours: float) -> dict[str, frozenset[str]]:
    """勤務間インターバル: b may not follow a when b's start is less than rest_hours after a's end."""
    need = rest_hours * 60
    return {a.code: frozenset(b.code for b in shifts if 1440 + b.start_minute - a.end_minute < need)
            for a in shifts}


def blocks(days: int, size: int) -> list[tuple[int, ...]]:
    return [tuple(range(a, min(days, a + size))) for a in range(0, days, size)]


def weekend_or_holiday(problem: RosterProblem) -> list[int]:
    return [i for i, d in enumerate(problem.dates()) if d.weekday() >= 5 or is_holiday(d)]


def to_spec(p: RosterProblem) -> RosterSpec:
    r, w = p.rules, p.weights
    dates = p.dates()
    index = {d: i for i, d in enumerate(dates)}
    nxt = forbidden_successions(p.shift_types, r.rest_interval_hours)
    shifts = [Shift(s.code, s.work_minutes, nxt[s.code]) for s in p.shift_types]
    by_code = {s.code: s for s in p.shift_types}
    overtime_of = {s.code: max(0, s.work_minutes - r.daily_regular_minutes) for s in p.shift_types}
    regular_of = {s.code: min(s.work_minutes, r.daily_regular_minutes) for s in p.shift_types}
    closed = {i for i, d in enumerate(dates) if r.closed_on_holidays and is_holiday(d)}
    employees, windows, allowed = [], [], {}
    fixed_off = {(q.employee_id, q.day) for q in p.requests if q.fixed and q.shift_code is None}
    for e, person in enumerate(p.people):
        off = {index[d] for (emp, d) in p.leave | fixed_off if emp == person.employee_id and d in index} | closed
        ot_left = max(0, min(r.overtime_month_limit_minutes - person.overtime_month_minutes,
                             r.overtime_year_limit_minutes - person.overtime_year_minutes))
        codes = frozenset(s.code for s in p.shift_types
                          if (person.shift_codes is None or s.code in person.shift_codes)
                          and min(s.work_minutes, r.daily_regular_minutes) <= person.contract_minutes_per_day
                          and (overtime_of[s.code] == 0 or person.contract_minutes_per_day >= r.daily_regular_minutes))
        limits = {s.code: (p.days if s.code in codes else 0) for s in p.shift_types}
        employees.append(Employee(str(person.employee_id), limits, 10 ** 7, 0, r.max_consecutive_days, 1, 1,
                                  p.days, frozenset(off)))
        week_days = min(6, person.contract_days_per_week)
        for blk in blocks(p.days, 7):
            windows.append(Window(e, blk, max_days=min(week_days, len(blk)), label="週休・契約日数"))
            windows.append(Window(e, blk, max_minutes=r.weekly_regular_minutes, minutes_of=regular_of,
                                  label="週40時間"))
        if r.four_in_four:
            for blk in blocks(p.days, 28):
                windows.append(Window(e, blk, max_days=max(0, len(blk) - 4), label="4週4休"))
        if any(overtime_of.values()):
            windows.append(Window(e, tuple(range(p.days)), max_minutes=ot_left, minutes_of=overtime_of,
                                  label="36協定"))
    requests, fixed = [], {}
    emp_index = {person.employee_id: e for e, person in enumerate(p.people)}
    for q in p.requests:
        if q.day not in index or q.employee_id not in emp_index or (q.fixed and q.shift_code is None):
            continue
        if q.fixed:
            fixed[(emp_index[q.employee_id], index[q.day])] = q.shift_code
            continue
        if q.shift_code is None:
            requests.append(Request(emp_index[q.employee_id], index[q.day], None, q.weight or w.request_off, False))
        else:
            requests.append(Request(emp_index[q.employee_id], index[q.day], q.shift_code,
                                    q.weight or w.request_shift, True))
    veterans = frozenset(e for e, person in enumerate(p.people) if person.is_veteran)
    cover = []
    for (day, code), n in sorted(p.demand.items()):
        if day in index and code in by_code and index[day] not in closed:
            cover.append(Cover(index[day], code, n, w.under, w.over, label="人員"))
    for (day, code), n in sorted(p.veterans.items()):
        if day in index and code in by_code and n > 0 and index[day] not in closed:
            cover.append(Cover(index[day], code, n, w.veteran_under, 0, veterans, label="ベテラン"))
    balances = _fairness(p, index, closed)
    reference = {(emp_index[emp], index[d]): code for (emp, d), code in (p.baseline or p.published).items()
                 if emp in emp_index and d in index}
    return RosterSpec(p.days, shifts, employees, requests, cover, windows, balances=balances,
                      weekend_days=(), allowed=allowed, fixed=fixed, reference=reference,
                      change_weight=w.change if reference else 0,
                      change_label="希望なしの計画からの変更" if p.baseline else "公開済みからの変更")


def _fairness(p: RosterProblem, index: dict[dt.date, int], closed: set[int]) -> list[Balance]:
    """Weekend/holiday days and late shifts above a fair share cost, the share corrected by history.

    The fair share is the demanded person-days on those days divided over the people who can work them;
    someone who worked more of them in the last weeks than the average gets a lower target.
    """
    out: list[Balance] = []
    n = max(1, len(p.people))
    special = tuple(i for i in weekend_or_holiday(p) if i not in closed)
    late = {s.code for s in p.shift_types if s.is_late}
    if special:
        demand = sum(v for (d, _), v in p.demand.items() if d in index and index[d] in special)
        share = math.ceil(demand / n)
        avg = sum(q.past_weekend_days for q in p.people) / n
        for e, q in enumerate(p.people):
            target = max(0, share - max(0, round(q.past_weekend_days - avg)))
            out.append(Balance(e, special, target, p.weights.weekend_excess, label="土日祝の公平"))
    for code in sorted(late):
        demand = sum(v for (d, c), v in p.demand.items() if c == code and d in index)
        share = math.ceil(demand / n)
        avg = sum(q.past_late_shifts for q in p.people) / n
        for e, q in enumerate(p.people):
            target = max(0, share - max(0, round(q.past_late_shifts - avg)))
            out.append(Balance(e, tuple(range(p.days)), target, p.weights.late_excess, shift=code,
                               label="遅番の公平"))
    return out


# Contracted work days per 7-day block by employment type (雇用契約); the sample data's contracts.
CONTRACT_DAYS = {"full_time": 5, "part_time": 3, "temp": 4}
VETERAN_SKILL = 4   # employees.skill_level >= 4 is a veteran (the daily model's definition)
