"""What-if parameters read from simulation requests (passed to the solver's Simulate as they are)."""
from __future__ import annotations

import datetime as dt

import pytest

from services.intent.parser import parse
from services.intent.whatif import read_whatif

REF = dt.date(2026, 11, 25)


@pytest.mark.parametrize("text,demand,cutoff,overtime", [
    ("物量が20%増えたら", 20.0, "", 0.0),
    ("需要が1割減ったら", -10.0, "", 0.0),
    ("出荷量が15パーセントアップした場合", 15.0, "", 0.0),
    ("16時以降は新規業務を停止したら", 0.0, "16:00", 0.0),
    ("残業を1.5時間までにしたら", 0.0, "", 1.5),
    ("物量が3割増えて、17時以降は止めたら", 30.0, "17:00", 0.0),
    ("横浜拠点のアラートを改善して", 0.0, "", 0.0),
])
def test_read_whatif(text, demand, cutoff, overtime):
    what = read_whatif(text)
    assert (what.demand_change_pct, what.cutoff_time, what.overtime_limit_hours) == (demand, cutoff, overtime)


def test_only_simulations_carry_what_if():
    sim = parse("明日、横浜の物量が20%増えたらどうなる？", REF)
    assert sim.intent == "simulate_assignment" and sim.location == "横浜" and sim.date == "2026-11-26"
    assert sim.demand_change_pct == 20.0
    assert parse("横浜の物量の予測を教えて", REF).demand_change_pct == 0.0
