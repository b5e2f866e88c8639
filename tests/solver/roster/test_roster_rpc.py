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
