"""Employees and their per-process skills for one site.

Why the fix-ups: the optimiser needs veterans (skill >= 4) for 検品/出荷 at every site, and new staff
(skill 1) are never certified for 検品 (min_skill 2), so the generated roster is always assignable.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from db.timeline import Timeline
from db.reference import FAMILY_NAMES, GIVEN_NAMES, PROCESS_BY_ID, PROCESSES, VETERAN_SKILL, SiteProfile

NEW_STAFF_DAYS = 180


@dataclass(slots=True)
class Staff:
    employee_id: int
    name: str
    emp_type: str            # full_time | part_time | temp
    contract: float          # contract_hours_per_day
    max_ot: float            # max_overtime_hours_per_day
    skill: int               # employees.skill_level
    skills: dict             # process_id -> per-process level (only assignable ones)
    eligible: tuple          # process ids the employee may be assigned to
    primary: int
    part_block: str | None   # part-timers work one 4 h block
    offset: float            # personal productivity offset (score points)
    hire_idx: int            # calendar index of hire_date (negative = before the window)
    leave_idx: int | None    # last working index for inactive employees
    hire_date_str: str


def _pick_primary(rng: random.Random, skill: int) -> int:
    if skill >= VETERAN_SKILL:
        weights = [0.15, 0.3, 0.1, 0.1, 0.3, 0.05]
    elif skill <= 2:
        weights = [0.4, 0.0, 0.25, 0.1, 0.05, 0.2]
    else:
        weights = [p.demand_share for p in PROCESSES]
    return rng.choices([p.process_id for p in PROCESSES], weights)[0]


def _skills_for(rng: random.Random, skill: int, primary: int) -> dict[int, int]:
    skills = {primary: skill}
    others = [p.process_id for p in PROCESSES if p.process_id != primary]
    for pid in rng.sample(others, rng.randint(1, 3)):
        level = min(5, max(1, skill + rng.choice((-1, 0, 0, 1))))
        if level >= PROCESS_BY_ID[pid].min_skill:
            skills[pid] = level
    if len(skills) < 2:  # keep at least two assignable processes (picking/sorting need no minimum)
        skills[6 if primary == 1 else 1] = max(1, skill)
    return skills


def _ensure_veterans(rng: random.Random, roster: list[Staff], needed: int) -> None:
    """At least `needed` active veterans certified (level >= 4) for each requires_veteran process."""
    veterans = [s for s in roster if s.skill >= VETERAN_SKILL and s.leave_idx is None]
    for proc in (p for p in PROCESSES if p.requires_veteran):
        have = [s for s in veterans if s.skills.get(proc.process_id, 0) >= VETERAN_SKILL]
        lacking = [s for s in veterans if s.skills.get(proc.process_id, 0) < VETERAN_SKILL]
        rng.shuffle(lacking)
        for s in lacking[: max(0, needed - len(have))]:
            s.skills[proc.process_id] = s.skill
            s.eligible = tuple(sorted(s.skills))
            if rng.random() < 0.5:
                s.primary = proc.process_id


def make_roster(rng: random.Random, profile: SiteProfile, location_id: int, n_active: int,
                first_id: int, cal: Timeline) -> list[Staff]:
    """Active staff (a share of them new) plus a few inactive ones who left during the window."""
    today = cal.today
    n_inactive = max(1, round(n_active * 0.06))
    roster: list[Staff] = []
    for k in range(n_active + n_inactive):
        inactive = k >= n_active
        is_new = not inactive and rng.random() < profile.new_staff_share
        if is_new:
            days_ago = rng.randint(5, NEW_STAFF_DAYS - 2)
            skill = 1 if rng.random() < 0.55 else 2
            emp_type = rng.choices(("full_time", "part_time", "temp"), (0.5, 0.25, 0.25))[0]
        else:
            days_ago = rng.randint(NEW_STAFF_DAYS + 20, 5000)
            skill = rng.choices((2, 3, 4, 5), (0.2, 0.4, 0.27, 0.13))[0]
            emp_type = rng.choices(("full_time", "part_time", "temp"), (0.78, 0.16, 0.06))[0]
        part = emp_type == "part_time"
        primary = _pick_primary(rng, skill)
        skills = _skills_for(rng, skill, primary)
        leave_idx = None
        if inactive:
            leave_idx = rng.randint(max(1, cal.history_days // 5), max(2, today - 10))
        hire_idx = today - days_ago
        roster.append(Staff(
            employee_id=first_id + k,
            name=f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}",
            emp_type=emp_type, contract=4.0 if part else 8.0, max_ot=1.0 if part else 2.0,
            skill=skill, skills=skills, eligible=tuple(sorted(skills)), primary=primary,
            part_block=(("morning" if rng.random() < 0.6 else "afternoon") if part else None),
            offset=rng.gauss(0.0, 3.0), hire_idx=hire_idx, leave_idx=leave_idx,
            hire_date_str=(cal.end_date - timedelta(days=days_ago)).isoformat(),
        ))
    _ensure_veterans(rng, roster, max(2, n_active // 12))
    return roster


def roster_rows(roster: list[Staff], location_id: int, code: str, cal: Timeline, rng: random.Random):
    """(employees rows, employee_skills rows) for the roster."""
    employees, skills = [], []
    for k, s in enumerate(roster, start=1):
        employees.append((s.employee_id, f"{code.upper()}-{k:04d}", location_id, s.name, s.skill,
                          s.hire_date_str, s.emp_type, s.contract, s.max_ot,
                          0 if s.leave_idx is not None else 1))
        hire = cal.end_date - timedelta(days=cal.today - s.hire_idx)
        for pid, level in sorted(s.skills.items()):
            certified = None
            if level >= 2:
                certified = min(cal.end_date, hire + timedelta(days=rng.randint(20, 400))).isoformat()
            skills.append((s.employee_id, pid, level, certified))
    return employees, skills
