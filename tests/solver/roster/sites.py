"""A small synthetic site for the roster tests (pure, no database): 14 people, 早番/日勤/遅番/長日勤."""
from __future__ import annotations

import datetime as dt

from services.solver.roster.site import Person, RosterProblem, RosterRequest, ShiftType


def next_monday(today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    return today + dt.timedelta(days=7 - today.weekday())


SHIFTS = [
    ShiftType("early", "早番", dt.time(7), dt.time(16)),
    ShiftType("day", "日勤", dt.time(9), dt.time(18)),
    ShiftType("late", "遅番", dt.time(13), dt.time(22), is_late=True),
    ShiftType("long", "長日勤", dt.time(8), dt.time(20)),           # 11 h work: 3 h overtime (36協定)
]


def problem(start: dt.date | None = None, days: int = 7, n: int = 14) -> RosterProblem:
    start = start or next_monday()
    people = [Person(100 + i, f"社員{i:02d}", 480 if i < 11 else 240, 5 if i < 11 else 3, is_veteran=i % 3 == 0,
                     overtime_month_minutes=40 * 60 if i == 1 else 0, past_weekend_days=i % 4)
              for i in range(n)]
    demand, vets = {}, {}
    for k in range(days):
        d = start + dt.timedelta(days=k)
        weekend = d.weekday() >= 5
        for code, need in (("early", 3), ("day", 3 if not weekend else 2), ("late", 3)):
            demand[(d, code)] = need
            vets[(d, code)] = 1
    leave = {(103, start + dt.timedelta(days=2)), (104, start)}
    requests = [
        RosterRequest(105, start + dt.timedelta(days=4), None),                 # 希望休
        RosterRequest(106, start + dt.timedelta(days=5), None, fixed=True),     # approved 希望休
        RosterRequest(107, start + dt.timedelta(days=1), "early"),              # 希望シフト
    ] + [RosterRequest(100 + i, start + dt.timedelta(days=5), None) for i in range(0, 11)]  # everyone wants Saturday
    return RosterProblem(1, start, days, SHIFTS, people, demand, vets, leave, requests)
