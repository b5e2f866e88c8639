"""Roster RPCs over a real grpc.aio channel against the sample data: plan every site, publish with
optimistic concurrency and an audit row, explain; every roster passes the independent checker."""
from __future__ import annotations

import asyncio
import datetime as dt

import grpc
import pytest

from aimee.solver.v1 import roster_pb2 as rpb
from services.common.db import fetch_all, fetch_one
from tests.solver.roster.db_checker import check

SITES = {"横浜": 1, "品川": 2, "札幌": 3, "大阪": 4, "佐世保": 5}


def monday_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=7 - day.weekday())


@pytest.mark.parametrize("site", list(SITES))
async def test_next_week_for_every_site_keeps_every_hard_rule(site, solver_stub, solver_pool, server_today):
    start = monday_after(server_today)
    res = await solver_stub.PlanRoster(rpb.PlanRosterRequest(location=site, start_date=start.isoformat(), days=7,
                                                             time_limit_seconds=2, dry_run=True))
    r = res.roster
    assert r.version == 0 and r.days == 7 and len(r.rows) > 20
    assert await check(solver_pool, SITES[site], start, r) == []
    assert r.bound <= r.objective + 1e-6
    assert sum(c.cost for c in r.costs) == pytest.approx(r.objective)


async def test_saturday_wishes_are_refused_in_japanese(solver_stub, server_today):
    start = monday_after(server_today)
    r = (await solver_stub.PlanRoster(rpb.PlanRosterRequest(location="横浜", start_date=start.isoformat(),
                                                            time_limit_seconds=2, dry_run=True))).roster
    sat = start + dt.timedelta(days=5)
    assert any(f"{sat:%m/%d}" in line and "お受けできません" in line for line in r.refused)


async def test_publish_is_versioned_audited_and_written_to_shift_plans(solver_stub, solver_pool, server_today):
    # Two weeks later than next week: beyond the generated shift_plans, so other tests' days are untouched.
    start = monday_after(server_today) + dt.timedelta(days=14)
    req = rpb.PlanRosterRequest(location="佐世保", start_date=start.isoformat(), days=7, time_limit_seconds=2)
    v1 = (await solver_stub.PlanRoster(req)).roster
    v2 = (await solver_stub.PlanRoster(req)).roster
    assert v2.version == v1.version + 1
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await solver_stub.PublishRoster(rpb.PublishRosterRequest(location="佐世保", start_date=start.isoformat(),
                                                                 version=v1.version, published_by="tester"))
    assert info.value.code() == grpc.StatusCode.ABORTED
    pub = await solver_stub.PublishRoster(rpb.PublishRosterRequest(
        location="佐世保", start_date=start.isoformat(), version=v2.version, published_by="tester"))
    assert pub.roster.status == "published" and pub.audit_id > 0
    audit = await fetch_one(solver_pool, "SELECT * FROM roster_audit WHERE audit_id = %s", (pub.audit_id,))
    assert audit["actor"] == "tester" and audit["location_id"] == 5
    rows = await fetch_all(solver_pool, "SELECT employee_id, shift_date, planned_status FROM shift_plans "
                           "WHERE location_id = 5 AND shift_date BETWEEN %s AND %s",
                           (start, start + dt.timedelta(days=6)))
    worked = {(r["employee_id"], r["shift_date"]) for r in rows if r["planned_status"] == "scheduled"}
    expected = {(row.employee_id, start + dt.timedelta(days=k)) for row in v2.rows
                for k, code in enumerate(row.shifts) if code}
    assert worked == expected
    got = (await solver_stub.GetRoster(rpb.GetRosterRequest(location="佐世保", start_date=start.isoformat()))).roster
    assert got.status == "published" and got.version == v2.version
    assert [list(r.shifts) for r in got.rows] == [list(r.shifts) for r in v2.rows]
    # The daily assignment reads what was published: its staff query sees the roster's shift of each person.
    from services.solver.repository import SolverRepository
    day = start + dt.timedelta(days=2)
    daily = {r.employee_id: r for r in await SolverRepository(solver_pool).site_staff([5], day)}
    for row in v2.rows:
        assert (daily[row.employee_id].planned_status == "scheduled") == bool(row.shifts[2])
    ex = await solver_stub.ExplainRoster(rpb.ExplainRosterRequest(location="佐世保", start_date=start.isoformat()))
    assert any("労働基準法35条" in line for line in ex.lines)
    assert any("コスト" in line for line in ex.lines) or not ex.roster.costs


async def test_unknown_roster_and_bad_horizon_are_errors(solver_stub):
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await solver_stub.GetRoster(rpb.GetRosterRequest(location="横浜", start_date="2001-01-01"))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await solver_stub.PlanRoster(rpb.PlanRosterRequest(location="横浜", days=40))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.parametrize("seconds", [float("inf"), float("nan"), -1.0, 61.0])
async def test_an_unbounded_roster_time_limit_is_refused_before_solving(solver_stub, seconds):
    """An "Infinity" through the JSON API would otherwise hold a solver thread until the search ends."""
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await asyncio.wait_for(solver_stub.PlanRoster(rpb.PlanRosterRequest(
            location="横浜", days=7, time_limit_seconds=seconds, dry_run=True)), 5)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "time_limit_seconds" in info.value.details()


async def test_db_checker_fails_on_a_broken_roster(solver_stub, solver_pool, server_today):
    start = monday_after(server_today)
    r = (await solver_stub.PlanRoster(rpb.PlanRosterRequest(location="札幌", start_date=start.isoformat(),
                                                            time_limit_seconds=1, dry_run=True))).roster
    broken = rpb.Roster()
    broken.CopyFrom(r)
    del broken.rows[0].shifts[:]
    broken.rows[0].shifts.extend(["late", "early"] + ["day"] * 5)
    bad = await check(solver_pool, SITES["札幌"], start, broken)
    assert any("rest interval" in b for b in bad) and any("no day off" in b for b in bad)


async def test_an_infeasible_request_names_the_person_days_and_rule(solver_stub, solver_pool, server_today):
    """Seven approved 日勤 pins in one week for one person break the weekly day off: PlanRoster refuses with
    FAILED_PRECONDITION and says who, which days and which rule, in Japanese."""
    from services.common.db import execute
    start = monday_after(server_today) + dt.timedelta(days=42)     # beyond the seeded requests and plans
    emp = await fetch_one(solver_pool, "SELECT employee_id, employee_name FROM employees WHERE location_id = 5 "
                          "AND is_active = 1 ORDER BY employee_id LIMIT 1")
    days = [start + dt.timedelta(days=k) for k in range(7)]
    try:
        for d in days:
            await execute(solver_pool, "INSERT INTO roster_requests (employee_id, location_id, request_date, "
                          "shift_code, status, note) VALUES (%s, 5, %s, 'day', 'approved', 'test-pin')",
                          (emp["employee_id"], d))
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await solver_stub.PlanRoster(rpb.PlanRosterRequest(location="佐世保", start_date=start.isoformat(), days=7,
                                                               time_limit_seconds=2, dry_run=True))
        assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        text = info.value.details()
        assert "勤務表を作れません" in text and f"{emp['employee_name']}さん" in text and "労働基準法35条" in text, text
        assert sum(f"{d:%m/%d}" in text for d in days) >= 2, text
    finally:
        await execute(solver_pool, "DELETE FROM roster_requests WHERE note = 'test-pin' AND location_id = 5")


def _changed(a: rpb.Roster, b: rpb.Roster, skip=()) -> int:
    """Cells (employee, day) that differ between two rosters of one period, besides those in `skip`."""
    cells = {r.employee_id: list(r.shifts) for r in a.rows}
    return sum(1 for r in b.rows for k, code in enumerate(r.shifts)
               if (r.employee_id, k) not in skip and cells[r.employee_id][k] != code)



# Why a handful: the baseline with the wish refused is a feasible start of the wish plan (the wish is soft),
# so the wish plan costs at most baseline + Weights.request_off (10); with a proven-optimal baseline the
# other soft costs cannot fall below it, so its changed cells cost at most 10 at Weights.change (2) each:
# at most 5 cells, the wished one included. Measured on 品川/大阪/横浜 over 7 and 14 days: 0-3 besides the
# wished cell, where two independent dry runs (with and without the wish) differ in 3-257 cells.
MAX_OTHER_CHANGES = 4


async def test_compare_plans_the_wish_as_a_small_change_of_the_baseline(solver_stub, solver_pool, server_today):
    """compare: one call, the baseline is a plain dry run's plan (its cost, nothing saved even without
    dry_run) and the wish plan differs from it only around the wished day, each change costed."""
    start = monday_after(server_today)
    wed, granted = 2, 0
    for site in ("品川", "大阪", "横浜"):
        plain = (await solver_stub.PlanRoster(rpb.PlanRosterRequest(
            location=site, start_date=start.isoformat(), days=7, time_limit_seconds=2, dry_run=True))).roster
        for emp in [r.employee_id for r in plain.rows if r.shifts[wed]][:6]:
            before = await fetch_one(solver_pool, "SELECT COUNT(*) AS n FROM roster_versions")
            res = await solver_stub.PlanRoster(rpb.PlanRosterRequest(
                location=site, start_date=start.isoformat(), days=7, time_limit_seconds=4, compare=True,
                extra_days_off=[rpb.DayOffWish(employee_id=emp, date=(start + dt.timedelta(days=wed)).isoformat())]))
            after = await fetch_one(solver_pool, "SELECT COUNT(*) AS n FROM roster_versions")
            base, wish = res.baseline, res.roster
            assert before["n"] == after["n"] and base.version == 0 and wish.version == 0
            for r in (base, wish):
                assert await check(solver_pool, SITES[site], start, r) == []
                assert sum(c.cost for c in r.costs) == pytest.approx(r.objective)
            assert "希望なしの計画からの変更" not in {c.rule for c in base.costs}
            if plain.bound == pytest.approx(plain.objective) and base.bound == pytest.approx(base.objective):
                assert base.objective == pytest.approx(plain.objective)
            change = {c.rule: c.cost for c in wish.costs}.get("希望なしの計画からの変更", 0)
            assert change == 2 * _changed(base, wish)      # Weights.change per changed cell, reported as its own line
            assert wish.objective <= base.objective + 10 + 1e-6
            others = _changed(base, wish, {(emp, wed)})
            assert others <= MAX_OTHER_CHANGES, (site, emp, others)
            was = {r.employee_id: r.shifts[wed] for r in base.rows}[emp]
            now = {r.employee_id: r.shifts[wed] for r in wish.rows}[emp]
            granted += bool(was and not now)
        if granted:
            break
    assert granted, "no Wednesday wish was granted at any site: the test exercised no change"
