"""Domain pieces without a database: block hours, explanations, productivity estimates."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from services.common.errors import InvalidArgument
from services.common.sites import Site
from services.solver.blocks import cutoff_share, day_hours, parse_hhmm
from services.solver.explain import explain
from services.solver.instance import SolveParams
from services.solver.loader import DayContext, _expected_productivity
from services.solver.solving import solve
from services.solver.options import PlanOptions, build_options
from services.solver.plan import summarise
from services.solver.repository import ProductivityRow, StaffRow
from tests.solver.test_model import KENPIN, KONPO, hand_instance

SITE = Site(1, "横浜", "yokohama", "関東", 10.0)


def test_day_hours_follow_shift_contract_and_cutoff():
    full = day_hours(9 * 60, 18 * 60, 8.0, 2.0)
    assert (full.morning, full.afternoon, full.overtime_cap) == (4.0, 4.0, 2.0)
    part = day_hours(14 * 60, 18 * 60, 4.0, 1.0)
    assert (part.morning, part.afternoon, part.overtime_cap) == (0.0, 4.0, 1.0)
    six = day_hours(9 * 60, 18 * 60, 6.0, 2.0)          # contract clips the afternoon
    assert (six.morning, six.afternoon) == (4.0, 2.0)
    cut = day_hours(9 * 60, 18 * 60, 8.0, 2.0, cutoff=16 * 60)
    assert (cut.morning, cut.afternoon, cut.overtime_cap) == (4.0, 2.0, 0.0)
    late = day_hours(9 * 60, 18 * 60, 8.0, 2.0, cutoff=19 * 60)
    assert late.overtime_cap == 1.0
    assert cutoff_share("afternoon", 16 * 60) == 0.5 and cutoff_share("overtime", 16 * 60) == 0.0


@pytest.mark.parametrize("value", ["16", "16:60", "24:00", "ten", "16:00:99"])
def test_bad_cutoff_is_rejected(value):
    with pytest.raises(InvalidArgument):
        parse_hhmm(value, "cutoff_time")


def test_options_reject_nonsense():
    with pytest.raises(InvalidArgument):
        build_options(overtime_limit_hours=-2)
    with pytest.raises(InvalidArgument):
        build_options(absent_ids=[5], added_ids=[5])
    with pytest.raises(InvalidArgument):
        build_options(demand_change_pct=-100)
    assert build_options(overtime_limit_hours=0).overtime_limit_hours is None   # 0 = each employee's own


def context(inst, options=PlanOptions(), unavailable=None) -> DayContext:
    ctx = DayContext(site=SITE, day=dt.date(2026, 11, 26), options=options, instance=inst, processes=[])
    ctx.unavailable = unavailable or {}
    return ctx


def test_missing_veteran_is_named_as_the_binding_constraint():
    inst = hand_instance()
    without = replace(inst, staff=tuple(m for m in inst.staff if m.employee_id != 1))   # the veteran is off
    sol = solve(without, SolveParams(mip_rel_gap=0.0))
    ctx = context(without, unavailable={1: "paid_leave"})
    plan = summarise(ctx, sol)
    explain(ctx, sol, plan)
    kenpin = {s.time_block: s for s in plan.shortages if s.process == KENPIN}
    assert kenpin["morning"].binding == "veteran"
    assert kenpin["morning"].reason == "検品 午前 4.0人時不足：熟練者（レベル4以上）の出勤が0名のため配置できない"
    assert "人員不足: 検品 午前 4.0人時" in plan.violations
    assert not plan.feasible
    assert any("有給休暇1名" in line for line in plan.explanation)


def test_hand_instance_explains_the_afternoon_packing_gap():
    inst = hand_instance()
    sol = solve(inst, SolveParams(mip_rel_gap=0.0))
    ctx = context(inst)
    plan = summarise(ctx, sol)
    explain(ctx, sol, plan)
    (gap,) = plan.shortages
    assert (gap.process, gap.time_block, gap.staff_hours) == (KONPO, "afternoon", 3.2)
    assert gap.binding == "hours" and "検品" in gap.reason   # the certified seniors are needed on 検品
    assert plan.kpis.coverage_pct == pytest.approx(100 * (19.2 - 3.2) / 19.2, abs=0.1)
    assert plan.explanation[-1].startswith("HiGHS：最適解")


def test_productivity_is_shrunk_towards_the_level_mean():
    staff = [StaffRow(i, f"p{i}", 1, 3, dt.date(2020, 1, 1), "full_time", 8.0, 2.0, True, "scheduled", 540, 1080, None)
             for i in (1, 2, 3)]
    skills = {1: {KONPO: 3}, 2: {KONPO: 3}, 3: {KONPO: 3}}
    history = [ProductivityRow(1, KONPO, 120.0, 80.0, 10), ProductivityRow(2, KONPO, 80.0, 8.0, 1)]
    ctx = context(hand_instance())
    est = _expected_productivity(staff, skills, history, [], ctx)
    level_mean = (120 * 80 + 80 * 8) / 88
    assert est[1][KONPO] == pytest.approx((120 * 80 + level_mean * 8) / 88, abs=0.01)   # much history: ~own
    assert est[2][KONPO] == pytest.approx((80 * 8 + level_mean * 8) / 16, abs=0.01)     # one day: halfway
    assert est[3][KONPO] == pytest.approx(level_mean, abs=0.01)                          # none: level mean
    assert (3, KONPO) in ctx.no_history
