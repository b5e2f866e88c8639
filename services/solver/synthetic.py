"""Generated instances for tests and the benchmark, shaped like the sample data (db/).

Why here and not in tests: the benchmark and the property tests must solve the same kind of instance,
and both import this; it never touches a database. Shapes follow db/staff.py and db/simulate.py:
full-time 09:00-18:00 with up to 2 h overtime, part-timers on one 4 h block, a share of new staff,
per-process certification (a primary process plus a few others), productivity by per-process level.
"""
from __future__ import annotations

import random
from dataclasses import replace

from services.solver.instance import DemandCell, Instance, ProcessSpec, StaffMember, Weights

PROCESS_NAMES = ("ピッキング", "検品", "梱包", "入荷", "出荷", "仕分け",
                 "返品", "流通加工", "棚卸", "補充", "検量", "積込")
SKILL_BASE = {1: 74.0, 2: 84.0, 3: 94.0, 4: 103.0, 5: 110.0}


def processes(n: int) -> tuple[ProcessSpec, ...]:
    names = [PROCESS_NAMES[j] if j < len(PROCESS_NAMES) else f"工程{j + 1:02d}" for j in range(n)]
    return tuple(ProcessSpec(name, min_skill=2 if name in ("検品", "検量") else 1,
                             requires_veteran=name in ("検品", "出荷", "検量")) for name in names)


def _member(rng: random.Random, eid: int, site: str, procs: tuple[ProcessSpec, ...],
            new_share: float, with_current: bool) -> StaffMember:
    is_new = rng.random() < new_share
    skill = (1 if rng.random() < 0.55 else 2) if is_new else rng.choices((2, 3, 4, 5), (0.2, 0.4, 0.27, 0.13))[0]
    part = rng.random() < (0.25 if is_new else 0.15)
    names = [p.name for p in procs]
    primary = rng.choice(names)
    skills = {primary: skill}
    for other in rng.sample([n for n in names if n != primary], min(len(names) - 1, rng.randint(1, 3))):
        skills[other] = min(5, max(1, skill + rng.choice((-1, 0, 0, 1))))
    minimum = {p.name: p.min_skill for p in procs}
    skills = {k: v for k, v in skills.items() if v >= minimum[k]} or {names[0]: max(1, skill)}
    offset = rng.gauss(0.0, 3.0) - (8.0 if is_new else 0.0)
    productivity = {k: round(SKILL_BASE[v] + offset + rng.gauss(0.0, 2.0), 1) for k, v in skills.items()}
    if part:
        half = "morning" if rng.random() < 0.6 else "afternoon"
        morning, afternoon, ot = (4.0, 0.0, 0.0) if half == "morning" else (0.0, 4.0, 1.0)
    else:
        morning, afternoon, ot = 4.0, 4.0, 2.0
    current = {}
    if with_current:
        pick = list(skills)
        for block, hrs in (("morning", morning), ("afternoon", afternoon)):
            if hrs > 0:
                current[block] = pick[0] if rng.random() < 0.8 else rng.choice(pick)
    return StaffMember(
        employee_id=eid, name=f"社員{eid:05d}", home_site=site, skill_level=skill, is_new=is_new or skill <= 2,
        morning_hours=morning, afternoon_hours=afternoon, overtime_cap=ot, process_skill=skills,
        productivity=productivity, current=current, sites=(site,))


def generate(n_staff: int, n_processes: int = 12, seed: int = 0, n_sites: int = 1, load: float = 1.0,
             new_share: float = 0.25, with_current: bool = True, cross_site: bool = False,
             site_overtime_limit: float | None = None, weights: Weights = Weights()) -> Instance:
    """n_staff per site; `load` scales demand against the staff-hours available (1.0 ≈ balanced)."""
    rng = random.Random(seed)
    procs = processes(n_processes)
    sites = tuple(["横浜", "品川", "札幌", "大阪", "佐世保"][s] if s < 5 else f"拠点{s:03d}" for s in range(n_sites))
    staff: list[StaffMember] = []
    demand: list[DemandCell] = []
    shares = [rng.uniform(0.5, 1.5) for _ in procs]
    total_share = sum(shares)
    ot_limits = {}
    for si, site in enumerate(sites):
        members = [_member(rng, 1 + si * 100000 + k, site, procs, new_share, with_current) for k in range(n_staff)]
        if cross_site and si > 0:
            members = [replace(m, sites=(site, sites[0])) for m in members]
        staff.extend(members)
        hours = {"morning": sum(m.morning_hours for m in members), "afternoon": sum(m.afternoon_hours for m in members)}
        full_time = sum(1 for m in members if m.overtime_cap >= 2.0)
        hours["overtime"] = full_time * 0.15 * 1.4
        site_load = load * (1.12 if si == 0 and n_sites > 1 else 1.0)
        for p, share in zip(procs, shares):
            for block, total in hours.items():
                need = round(total * site_load * rng.uniform(0.9, 1.06) * share / total_share, 2)
                demand.append(DemandCell(site, p.name, block, need, round(need * 1.08, 2)))
        ot_limits[site] = site_overtime_limit if site_overtime_limit is not None else max(4.0, n_staff * 0.3)
    return Instance(target_site=sites[0], sites=sites, processes=procs, staff=tuple(staff),
                    demand=tuple(demand), site_overtime_limit=ot_limits, weights=weights)

