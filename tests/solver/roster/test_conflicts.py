"""Infeasible roster requests are explained: the pins, rules, people and days that conflict, in Japanese,
and nothing is blamed when the rules can all hold."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from services.solver.roster.conflicts import explain
from services.solver.roster.planner import RosterInfeasible, plan
from services.solver.roster.site import RosterRequest, to_spec
from tests.solver.roster import sites
from tests.solver.roster.site_checker import check


def _pinned(extra: list[RosterRequest]):
    p = sites.problem()
    return dataclasses.replace(p, requests=p.requests + extra)


def _lines(p) -> list[str]:
    with pytest.raises(RosterInfeasible) as err:
        plan(p, time_limit=4)
    assert str(err.value) == "\n".join(err.value.lines)
    return err.value.lines


def test_seven_pinned_days_name_the_weekly_day_off_and_two_pins():
    p = sites.problem()
    lines = _lines(_pinned([RosterRequest(100, p.start + dt.timedelta(days=k), "day", fixed=True)
                            for k in range(7)]))
    assert lines[0].startswith("勤務表を作れません")
    pins = [ln for ln in lines if "日勤の指定" in ln]
    assert len(pins) == 2, lines          # contract: 5 days a week, so exactly two of the seven pins must go
    assert all("社員00さん" in ln for ln in pins)
    assert any("労働基準法35条" in ln and "社員00さん" in ln for ln in lines)
    assert not any("社員01さん" in ln for ln in lines)


def test_a_pin_on_paid_leave_names_the_person_the_day_and_the_leave():
    p = sites.problem()
    day = p.start + dt.timedelta(days=2)                       # 103 has approved leave that day
    lines = _lines(_pinned([RosterRequest(103, day, "early", fixed=True)]))
    stamp = f"{day:%m/%d}"
    assert any("社員03さん" in ln and stamp in ln and "早番の指定" in ln for ln in lines), lines
    assert any("有給休暇" in ln and "社員03さん" in ln for ln in lines), lines
    assert len(lines) == 4, lines                              # head, the pin, the leave rule, what to do


def test_late_then_early_names_the_rest_interval():
    p = sites.problem()
    d1, d2 = p.start + dt.timedelta(days=3), p.start + dt.timedelta(days=4)
    lines = _lines(_pinned([RosterRequest(108, d1, "late", fixed=True), RosterRequest(108, d2, "early", fixed=True)]))
    assert any("勤務間インターバル" in ln and "社員08さん" in ln and f"{d1:%m/%d}" in ln for ln in lines), lines
    assert sum(ln.startswith("・") and ln.endswith("の指定") for ln in lines) == 1, lines   # either pin is enough


def test_feasible_pins_are_kept_and_nothing_is_blamed():
    p = sites.problem()
    day = p.start + dt.timedelta(days=1)
    q = _pinned([RosterRequest(109, day, "late", fixed=True)])
    assert explain(to_spec(q), [x.name for x in q.people], q.dates(), {}) == []
    res = plan(q, time_limit=4)
    assert res.cells[(109, day)] == "late"
    assert check(q, res.cells) == []
    assert any("pinned late not kept" in v for v in check(q, {**res.cells, (109, day): None}))
