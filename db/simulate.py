"""Day-by-day simulation of one site: shift plans, attendance, assignments, adjustments, productivity.

Why it is shaped like this:
- One pass per day over the roster, emitting rows straight into the sink, so memory stays bounded
  however long the history is (scale mode: 365 days x 200 staff x 50 sites).
- Who works and who is absent is drawn by *stratified* sampling (a fresh random permutation per day plus
  one offset): every employee keeps the right daily probability, but a site's daily absence count is
  within one person of its expectation. Planted patterns (横浜 Mondays, 札幌 winter) therefore show in any
  30-day window, not only on lucky seeds.
- Rows keep the cross-table invariants analysis relies on: per employee-day, the productivity rows'
  hours_worked sum to attendance actual_hours and their overtime_hours sum to attendance overtime_hours.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import timedelta

from db.reference import PROCESS_BY_ID, SiteProfile
from db.staff import NEW_STAFF_DAYS, Staff
from db.timeline import Timeline, winter_absence_factor

SKILL_BASE = {1: 74.0, 2: 84.0, 3: 94.0, 4: 103.0, 5: 110.0}
WORK_FULL = (0.95, 0.95, 0.95, 0.95, 0.95, 0.45, 0.10)   # P(scheduled) Mon..Sun: Sunday mostly off
WORK_PART = (0.65, 0.65, 0.65, 0.65, 0.65, 0.30, 0.05)
PAID_LEAVE, LATE, EARLY_LEAVE = 0.02, 0.03, 0.02
OT_NORMAL = (0.5, 1.0, 1.0, 1.5, 1.5, 2.0)
OT_HEAVY = (1.5, 2.0, 2.5, 2.5, 3.0, 3.0, 3.5, 4.0)
WORKING = ("present", "late", "early_leave")
BLOCK_INDEX = {"morning": 0, "afternoon": 1, "overtime": 2}
SHIFT_TIMES = {None: ("09:00:00", "18:00:00"), "morning": ("09:00:00", "13:00:00"),
               "afternoon": ("14:00:00", "18:00:00")}
OFF_TIMES = ("00:00:00", "00:00:00")


class Ids:
    """Explicit primary keys (deterministic, and adjustments can point at assignments before the load)."""

    def __init__(self) -> None:
        self.employee = self.attendance = self.productivity = self.shift = 0
        self.assignment = self.adjustment = self.forecast = self.alert = 0


@dataclass
class SiteStats:
    """Per-day aggregates the forecast and alert generators need (history days unless noted)."""
    att_n: list = field(default_factory=list)
    absent_n: list = field(default_factory=list)
    ot_sum: list = field(default_factory=list)
    over_personal: list = field(default_factory=list)
    present_hours: list = field(default_factory=list)   # regular (non-overtime) hours actually worked
    score_sum: list = field(default_factory=list)
    score_n: list = field(default_factory=list)
    actual_units: list = field(default_factory=list)    # [d][(process_id-1)*3 + block]
    planned_hours: list = field(default_factory=list)   # every day: [morning, afternoon] planned staff-hours
    full_time_scheduled: list = field(default_factory=list)


def absence_probability(profile: SiteProfile, tl: Timeline, d: int) -> float:
    wd = tl.weekdays[d]
    p = profile.base_absence
    if wd == 0 and profile.monday_absence is not None:
        p = profile.monday_absence
    elif wd >= 5:
        p *= 0.6
    if profile.winter_absence:
        p *= winter_absence_factor(tl.dates[d])
    return p


def _before(s: Staff, pid: int, block: str) -> dict:
    return {"employee_id": s.employee_id, "process": PROCESS_BY_ID[pid].code, "time_block": block,
            "planned_hours": 4.0}


def _dump(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class SiteSimulation:
    def __init__(self, tl: Timeline, profile: SiteProfile, location_id: int, roster: list[Staff],
                 rng: random.Random, ids: Ids, sink) -> None:
        self.tl, self.profile, self.loc, self.roster = tl, profile, location_id, roster
        self.rng, self.ids, self.sink = rng, ids, sink
        h, total = tl.history_days, len(tl.dates)
        self.stats = SiteStats(
            att_n=[0] * h, absent_n=[0] * h, ot_sum=[0.0] * h, over_personal=[0] * h,
            present_hours=[0.0] * h, score_sum=[0.0] * h, score_n=[0] * h,
            actual_units=[[0.0] * 18 for _ in range(h)],
            planned_hours=[[0.0, 0.0] for _ in range(total)], full_time_scheduled=[0] * total,
        )
        self.ot_choices = OT_HEAVY if profile.heavy_overtime else OT_NORMAL
        drop = profile.recent_productivity_drop
        self.trend = [-drop * max(0, d - (h - 1 - 28)) / 28 if drop else 0.0 for d in range(h)]
        self.monday_dip = -4.0 if profile.monday_absence is not None else 0.0

    # -- driver -------------------------------------------------------------------------------
    def run(self) -> SiteStats:
        for d in range(len(self.tl.dates)):
            self._day(d)
        return self.stats

    def _statuses(self, d: int) -> list[str | None]:
        """None = not employed that day; else day_off | paid_leave | absent | late | early_leave | present.

        Two stratified draws: who is scheduled (over everyone employed), then what happens to each scheduled
        person (over the scheduled people only). Stratifying the second draw over the scheduled subset is what
        keeps a day's absence count within one person of its expectation *among the records analysis sees*.
        """
        rng, wd = self.rng, self.tl.weekdays[d]
        employed = [i for i, s in enumerate(self.roster)
                    if not (d < s.hire_idx or (s.leave_idx is not None and d > s.leave_idx))]
        n = len(employed)
        perm_w = list(range(n))
        rng.shuffle(perm_w)
        off_w = rng.random()
        p_full, p_part = WORK_FULL[wd], WORK_PART[wd]
        out: list[str | None] = [None] * len(self.roster)
        scheduled = []
        for j, i in enumerate(employed):
            if (perm_w[j] + off_w) / n >= (p_part if self.roster[i].part_block else p_full):
                out[i] = "day_off"
            else:
                scheduled.append(i)
        m = len(scheduled)
        perm_a = list(range(m))
        rng.shuffle(perm_a)
        off_a = rng.random()
        t_pl = PAID_LEAVE
        t_abs = t_pl + absence_probability(self.profile, self.tl, d)
        t_late = t_abs + LATE
        t_early = t_late + EARLY_LEAVE
        for j, i in enumerate(scheduled):
            v = (perm_a[j] + off_a) / m
            out[i] = ("paid_leave" if v < t_pl else "absent" if v < t_abs else "late" if v < t_late
                      else "early_leave" if v < t_early else "present")
        return out

    def _day(self, d: int) -> None:
        tl, rng, st = self.tl, self.rng, self.stats
        statuses = self._statuses(d)
        for s, status in zip(self.roster, statuses):
            if status in WORKING or status == "absent":
                if s.part_block:
                    st.planned_hours[d][BLOCK_INDEX[s.part_block]] += 4.0
                else:
                    st.planned_hours[d][0] += 4.0
                    st.planned_hours[d][1] += 4.0
                    st.full_time_scheduled[d] += 1
        if d > tl.tomorrow:
            for s, status in zip(self.roster, statuses):
                if status is not None:
                    self._shift_plan(d, s, status, False)
            return
        ctx = _DayContext(self, d, statuses)
        for s, status in zip(self.roster, statuses):
            if status is None:
                continue
            notified = status == "absent" and d >= tl.today and rng.random() < (0.6 if d == tl.today else 0.3)
            if d >= tl.today:
                self._shift_plan(d, s, status, notified)
            if status == "day_off":
                continue
            if status == "paid_leave":
                if d <= tl.today:
                    self._attendance(d, s, "paid_leave", 0.0, 0.0)
                continue
            if d == tl.tomorrow and notified:
                continue  # the planner already knows: no assignment for tomorrow
            ctx.employee(s, "planned" if d == tl.tomorrow else status)

    # -- row emitters -------------------------------------------------------------------------
    def _shift_plan(self, d: int, s: Staff, status: str, notified: bool) -> None:
        if status == "day_off" or status == "paid_leave":
            planned, (start, end) = status, OFF_TIMES
        elif status == "absent" and notified:
            planned, (start, end) = "absent_notified", OFF_TIMES
        else:
            planned, (start, end) = "scheduled", SHIFT_TIMES[s.part_block]
        self.ids.shift += 1
        self.sink.add("shift_plans", (self.ids.shift, s.employee_id, self.loc, self.tl.strs[d], planned, start, end))

    def _attendance(self, d: int, s: Staff, status: str, actual: float, ot: float) -> None:
        self.ids.attendance += 1
        self.sink.add("attendance_records", (self.ids.attendance, s.employee_id, self.loc, self.tl.strs[d],
                                             status, s.contract, round(actual, 2), round(ot, 2)))
        st = self.stats
        st.att_n[d] += 1
        if status == "absent":
            st.absent_n[d] += 1
        st.ot_sum[d] += ot
        if ot > s.max_ot:
            st.over_personal[d] += 1

    def score(self, d: int, s: Staff, pid: int, ot: float) -> float:
        value = SKILL_BASE[s.skills[pid]] + s.offset + self.rng.gauss(0.0, 4.0)
        tenure = d - s.hire_idx
        if tenure < NEW_STAFF_DAYS:
            value -= (1.0 - tenure / NEW_STAFF_DAYS) * 12.0  # learning curve of new staff
        if d < len(self.trend):
            value += self.trend[d]
        if self.tl.weekdays[d] == 0:
            value += self.monday_dip
        if ot > 2.0:
            value -= 1.5 * (ot - 2.0)  # fatigue beyond the personal overtime limit
        return min(135.0, max(45.0, value))


class _DayContext:
    """Everything shared by the employees of one site-day (plan source, covers, forced adjustments)."""

    def __init__(self, sim: SiteSimulation, d: int, statuses: list) -> None:
        tl, rng = sim.tl, sim.rng
        self.sim, self.d, self.ds = sim, d, tl.strs[d]
        self.is_plan_day = d == tl.tomorrow
        self.adj_date = tl.strs[tl.today] if self.is_plan_day else self.ds
        self.source = "optimizer" if rng.random() < 0.4 else "manual"
        self.planned_at = f"{(tl.dates[d] - timedelta(days=1)).isoformat()} 17:00:00"
        working = [s for s, status in zip(sim.roster, statuses) if status in WORKING]
        self.covers = working
        self.forced: set[int] = set()
        present = [s for s, status in zip(sim.roster, statuses) if status == "present"]
        if d in (tl.today, tl.tomorrow) and present:
            # Guarantee adjustments dated today at every site (the seed's simple query counts them).
            k = max(1 if d == tl.today else 2, round(len(present) * 0.05))
            self.forced = {s.employee_id for s in rng.sample(present, min(k, len(present)))}
        # Who does overtime is stratified too: a share of the full-time staff at work, rounded at random, so an
        # ordinary site's total stays near its expectation (under its cap) and 品川's stays far over it.
        eligible = [s for s, status in zip(sim.roster, statuses) if not s.part_block and status in ("present", "late")]
        count = int(len(eligible) * sim.profile.overtime_prob + rng.random())
        self.overtime: set[int] = {s.employee_id for s in rng.sample(eligible, min(count, len(eligible)))}

    # -- adjustments ----------------------------------------------------------------------------
    def _adjust(self, assignment_id: int, kind: str, reason: str, before: dict, after: dict,
                hour_range: tuple[int, int] = (7, 16)) -> str:
        sim, rng = self.sim, self.sim.rng
        if rng.random() < 0.88:
            confidence, by = round(rng.uniform(0.6, 0.95), 3), "aimee"
        else:
            confidence, by = None, f"manager_{sim.profile.code}"
        created = f"{self.adj_date} {rng.randint(*hour_range):02d}:{rng.randint(0, 59):02d}:00"
        sim.ids.adjustment += 1
        sim.sink.add("assignment_adjustments", (sim.ids.adjustment, assignment_id, kind, self.adj_date, confidence,
                                                by, reason, _dump(before), _dump(after), created))
        return created

    def _assignment(self, s: Staff, pid: int, block: str, hours: float, status: str, version: int,
                    updated: str) -> None:
        sim = self.sim
        sim.sink.add("daily_assignments", (sim.ids.assignment, sim.loc, s.employee_id, pid, self.ds, block,
                                           hours, status, self.source, version, updated))

    # -- one employee-day -----------------------------------------------------------------------
    def employee(self, s: Staff, status: str) -> None:
        """status: present | late | early_leave | absent (history/today) or planned (tomorrow)."""
        sim, rng = self.sim, self.sim.rng
        pm = s.primary if rng.random() < 0.8 else rng.choice(s.eligible)
        if s.part_block:
            blocks = [(s.part_block, pm)]
        else:
            others = [p for p in s.eligible if p != pm]
            pa = pm if (not others or rng.random() < 0.2) else rng.choice(others)
            blocks = [("morning", pm), ("afternoon", pa)]
        ot = 0.0
        if s.employee_id in self.overtime:
            ot = rng.choice(sim.ot_choices)
        base_status = "planned" if self.is_plan_day else "confirmed"
        worked: list[tuple[str, int, float]] = []   # (block, process, actual hours)
        last = len(blocks) - 1
        for idx, (block, pid) in enumerate(blocks):
            sim.ids.assignment += 1
            aid = sim.ids.assignment
            if status == "absent":
                updated = self.planned_at
                if idx == 0 and rng.random() < 0.75 and self.covers:
                    cover = rng.choice(self.covers)
                    updated = self._adjust(aid, "absence_cover",
                                           f"{s.name}さんの当日欠勤連絡により、{PROCESS_BY_ID[pid].name}の欠員を"
                                           f"{cover.name}さんで補充",
                                           {**_before(s, pid, block), "status": "planned"},
                                           {"status": "cancelled", "cover_employee_id": cover.employee_id},
                                           (6, 9))
                self._assignment(s, pid, block, 4.0, "cancelled", 2, updated)
                continue
            actual, planned, new_status, version, updated = 4.0, 4.0, base_status, 1, self.planned_at
            if status == "late" and idx == 0:
                cut = rng.choice((0.5, 1.0, 1.5))
                actual = 4.0 - cut
                if rng.random() < 0.5:
                    planned, new_status, version = actual, "changed", 2
                    updated = self._adjust(aid, "hours_change", f"遅刻（{cut}h）のため{block}の作業時間を短縮",
                                           _before(s, pid, block), {"planned_hours": actual})
            elif status == "early_leave" and idx == last:
                cut = rng.choice((1.0, 2.0, 3.0))
                actual = 4.0 - cut
                if rng.random() < 0.5:
                    planned, new_status, version = actual, "changed", 2
                    updated = self._adjust(aid, "hours_change", f"早退（{cut}h）のため{block}の作業時間を短縮",
                                           _before(s, pid, block), {"planned_hours": actual})
            elif (idx == 0 and s.employee_id in self.forced) or rng.random() < 0.025:
                choices = [p for p in s.eligible if p != pid]
                if choices:
                    new_pid = rng.choice(choices)
                    old_name, new_name = PROCESS_BY_ID[pid].name, PROCESS_BY_ID[new_pid].name
                    hours = (15, 17) if self.is_plan_day else (8, 15)
                    updated = self._adjust(aid, "process_change",
                                           rng.choice((f"{new_name}の作業量増加に対応するため{old_name}から配置転換",
                                                       f"{old_name}の作業量が少ないため{new_name}の応援に配置転換")),
                                           _before(s, pid, block), {"process": PROCESS_BY_ID[new_pid].code}, hours)
                    pid, new_status, version = new_pid, "changed", 2
            self._assignment(s, pid, block, planned, new_status, version, updated)
            worked.append((block, pid, actual))
        if self.is_plan_day:
            if not s.part_block and rng.random() < sim.profile.overtime_prob * 0.7:
                sim.ids.assignment += 1
                self._assignment(s, blocks[-1][1], "overtime", rng.choice((1.0, 2.0)), "planned", 1,
                                 self.planned_at)
            return
        if ot > 0:
            pid = worked[-1][1]
            sim.ids.assignment += 1
            planned, new_status, version, updated = (1.0 if ot <= 1.0 else 2.0), base_status, 1, self.planned_at
            if ot > planned and rng.random() < 0.7:
                updated = self._adjust(sim.ids.assignment, "overtime_extension",
                                       f"出荷締め対応のため残業を{planned}hから{ot}hに延長",
                                       {"employee_id": s.employee_id, "process": PROCESS_BY_ID[pid].code,
                                        "time_block": "overtime", "planned_hours": planned},
                                       {"planned_hours": ot}, (16, 18))
                planned, new_status, version = ot, "changed", 2
            self._assignment(s, pid, "overtime", planned, new_status, version, updated)
            worked.append(("overtime", pid, ot))
        self._productivity(s, status, worked, ot)

    def _productivity(self, s: Staff, status: str, worked: list, ot: float) -> None:
        sim, d, st = self.sim, self.d, self.sim.stats
        per_process: dict[int, list[float]] = {}
        for block, pid, hours in worked:
            acc = per_process.setdefault(pid, [0.0, 0.0])
            acc[0] += hours
            if block == "overtime":
                acc[1] += hours
            else:
                st.present_hours[d] += hours
        scores = {}
        for pid, (hours, ot_hours) in per_process.items():
            if hours <= 0:
                continue
            score = sim.score(d, s, pid, ot)
            scores[pid] = score
            rate = PROCESS_BY_ID[pid].units_per_hour
            sim.ids.productivity += 1
            sim.sink.add("productivity_records", (sim.ids.productivity, s.employee_id, sim.loc, pid, self.ds,
                                                  round(score, 2), int(score / 100.0 * rate * hours + 0.5),
                                                  round(hours, 2), round(ot_hours, 2)))
            st.score_sum[d] += score
            st.score_n[d] += 1
        units = st.actual_units[d]
        for block, pid, hours in worked:
            if pid in scores:
                units[(pid - 1) * 3 + BLOCK_INDEX[block]] += scores[pid] / 100.0 * PROCESS_BY_ID[pid].units_per_hour * hours
        total = sum(h for _, _, h in worked)
        sim._attendance(d, s, status, total, ot)
