"""SolverService over a real grpc.aio channel against the sample data: plans, what-ifs, errors."""
from __future__ import annotations

import datetime as dt
import re

import grpc
import pytest

from aimee.solver.v1 import solver_pb2 as pb
from services.common.db import fetch_all, fetch_one

BLOCK_JA = {"morning": "午前", "afternoon": "午後", "overtime": "残業"}
REASON = re.compile(r"^\S+ (午前|午後|残業) \d+\.\d人時不足：.+")


async def error_of(call, request) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call(request)
    return info.value


async def recommend(stub, location="横浜", date="", **options) -> pb.Plan:
    response = await stub.Recommend(pb.RecommendRequest(location=location, date=date,
                                                        options=pb.PlanOptions(**options)))
    return response.plan


async def assert_plan_is_consistent(pool, plan: pb.Plan) -> None:
    """What the plan says matches the database and itself."""
    day = dt.date.fromisoformat(plan.date)
    site = await fetch_one(pool, "SELECT location_id FROM locations WHERE location_name = %s", (plan.location,))
    scheduled = {r["employee_id"]: r["location_id"] for r in await fetch_all(
        pool, "SELECT employee_id, location_id FROM shift_plans WHERE shift_date = %s AND planned_status = 'scheduled'",
        (day,))}
    skills = {(r["employee_id"], r["process_name"]): (r["skill_level"], r["min_skill_level"]) for r in await fetch_all(
        pool, "SELECT es.employee_id, p.process_name, es.skill_level, p.min_skill_level FROM employee_skills es "
              "JOIN processes p ON p.process_id = es.process_id")}
    seen = set()
    for a in plan.assignments:
        assert a.employee_id in scheduled, f"{a.employee_name} is not scheduled on {day}"
        assert (a.employee_id, a.time_block) not in seen
        seen.add((a.employee_id, a.time_block))
        level, minimum = skills[(a.employee_id, a.process)]
        assert level >= minimum
        if a.home_location != plan.location:
            assert a.employee_id in {t.employee_id for t in plan.transfers}
        else:
            assert scheduled[a.employee_id] == site["location_id"]
    for block in ("morning", "afternoon", "overtime"):
        for process in ("検品", "出荷"):   # requires_veteran in the sample data
            people = [a for a in plan.assignments if a.time_block == block and a.process == process]
            if people:
                assert any(skills[(a.employee_id, process)][0] >= 4 for a in people), (process, block)
    demand = await fetch_one(pool, "SELECT SUM(wf.forecast_units / p.standard_units_per_hour) AS d "
                                   "FROM workload_forecasts wf JOIN processes p ON p.process_id = wf.process_id "
                                   "WHERE wf.location_id = %s AND wf.forecast_date = %s", (site["location_id"], day))
    if not plan.kpis.deferred_staff_hours:
        assert plan.kpis.demand_staff_hours == pytest.approx(float(demand["d"]), abs=0.1)
    for c in plan.coverage:
        assert c.shortage_staff_hours == pytest.approx(max(0.0, c.demand_staff_hours - c.covered_staff_hours), abs=0.02)
    assert plan.kpis.shortage_staff_hours == pytest.approx(sum(c.shortage_staff_hours for c in plan.coverage), abs=0.05)
    short = [c for c in plan.coverage if c.shortage_staff_hours >= 0.05]
    assert len(plan.shortages) == len(short)
    assert sorted(plan.constraint_violations) == sorted(
        f"人員不足: {c.process} {BLOCK_JA[c.time_block]} {c.shortage_staff_hours:.1f}人時" for c in short)
    assert plan.optimization_feasible == (not short)
    for s in plan.shortages:
        assert REASON.match(s.reason), s.reason
        assert s.binding_constraint in {"skill", "veteran", "new_staff", "hours", "overtime_limit", "cutoff",
                                        "availability"}
    assert plan.explanation[0].startswith(f"{plan.location} {plan.date}")
    assert plan.solver.status == "Optimal" and plan.solver.mip_gap <= 0.005 + 1e-9


async def test_current_assignments_are_the_stored_plan_of_today(solver_stub, solver_pool, server_today):
    response = await solver_stub.GetCurrentAssignments(pb.GetCurrentAssignmentsRequest(location="横浜"))
    assert response.date == server_today.isoformat() and response.location == "横浜"
    count = await fetch_one(solver_pool, "SELECT COUNT(*) AS n FROM daily_assignments da JOIN locations l "
                                         "ON l.location_id = da.location_id WHERE l.location_name = '横浜' "
                                         "AND da.assignment_date = %s", (server_today,))
    assert len(response.assignments) == count["n"] > 0
    assert all(a.location == "横浜" and a.date == response.date and a.version >= 1 for a in response.assignments)
    assert {a.time_block for a in response.assignments} <= {"morning", "afternoon", "overtime"}


async def test_unknown_site_is_not_found_and_lists_the_sites(solver_stub):
    err = await error_of(solver_stub.GetCurrentAssignments, pb.GetCurrentAssignmentsRequest(location="名古屋"))
    assert err.code() == grpc.StatusCode.NOT_FOUND and "横浜" in err.details() and "佐世保" in err.details()
    err = await error_of(solver_stub.Recommend, pb.RecommendRequest(location="名古屋"))
    assert err.code() == grpc.StatusCode.NOT_FOUND


async def test_recommend_plans_tomorrow_by_default_within_every_rule(solver_stub, solver_pool, server_today):
    plan = await recommend(solver_stub, "横浜")
    assert plan.date == (server_today + dt.timedelta(days=1)).isoformat()
    await assert_plan_is_consistent(solver_pool, plan)
    assert plan.kpis.available_staff >= plan.kpis.assigned_staff > 0
    assert plan.kpis.current_plan_shortage_staff_hours >= plan.kpis.shortage_staff_hours - 0.05
    stored = {(a.employee_id, a.time_block): a for a in plan.assignments if a.assignment_id}
    rows = {(r["employee_id"], r["time_block"]): r for r in await fetch_all(
        solver_pool, "SELECT assignment_id, employee_id, time_block, version FROM daily_assignments "
                     "WHERE location_id = 1 AND assignment_date = %s AND status <> 'cancelled'",
        (server_today + dt.timedelta(days=1),))}
    for key, a in stored.items():
        assert rows[key]["assignment_id"] == a.assignment_id and rows[key]["version"] == a.version
    assert plan.kpis.changes_from_current == len(plan.changes)


@pytest.mark.parametrize("location", ["品川", "札幌", "大阪", "佐世保"])
async def test_every_site_gets_a_consistent_plan(solver_stub, solver_pool, location):
    plan = await recommend(solver_stub, location)
    await assert_plan_is_consistent(solver_pool, plan)
    assert plan.solver.solve_time_ms < 10_000


async def test_shortages_name_the_binding_constraint(solver_stub):
    plan = await recommend(solver_stub, "横浜")   # 横浜 is short-staffed in the sample data
    assert not plan.optimization_feasible and plan.shortages
    top = plan.shortages[0]
    assert top.staff_hours == max(s.staff_hours for s in plan.shortages)
    assert any(line.startswith("不足") for line in plan.explanation)
    assert top.reason in plan.explanation


@pytest.mark.parametrize("field,value,code,needle", [
    ("date", "2026/11/30", grpc.StatusCode.INVALID_ARGUMENT, "YYYY-MM-DD"),
    ("cutoff_time", "16:70", grpc.StatusCode.INVALID_ARGUMENT, "HH:MM"),
    ("overtime_limit_hours", -1.0, grpc.StatusCode.INVALID_ARGUMENT, "overtime_limit_hours"),
    ("site_overtime_limit_hours", -3.0, grpc.StatusCode.INVALID_ARGUMENT, "site_overtime_limit_hours"),
    ("mip_rel_gap", 2.0, grpc.StatusCode.INVALID_ARGUMENT, "mip_rel_gap"),
])
async def test_bad_input_is_invalid_argument(solver_stub, field, value, code, needle):
    request = pb.RecommendRequest(location="横浜")
    if field == "date":
        request.date = value
    else:
        setattr(request.options, field, value)
    err = await error_of(solver_stub.Recommend, request)
    assert err.code() == code and needle in err.details()


async def test_a_date_without_forecast_is_a_failed_precondition(solver_stub, server_today):
    day = (server_today + dt.timedelta(days=60)).isoformat()
    err = await error_of(solver_stub.Recommend, pb.RecommendRequest(location="札幌", date=day))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "workload_forecasts" in err.details() and "札幌" in err.details() and day in err.details()


async def test_cutoff_shortens_the_afternoon_and_forbids_overtime(solver_stub, solver_pool):
    plan = await recommend(solver_stub, "品川", cutoff_time="16:00")
    assert not [a for a in plan.assignments if a.time_block == "overtime"]
    assert all(a.hours <= 2.0 + 1e-9 for a in plan.assignments if a.time_block == "afternoon")
    assert plan.kpis.deferred_staff_hours > 0 and plan.kpis.overtime_hours == 0
    assert any("16:00以降の新規業務停止" in line for line in plan.explanation)
    await assert_plan_is_consistent(solver_pool, plan)


async def test_cross_site_brings_people_from_the_same_region_only(solver_stub, solver_pool, server_today):
    plan = await recommend(solver_stub, "横浜", allow_cross_site=True)
    await assert_plan_is_consistent(solver_pool, plan)
    assert plan.transfers, "横浜 is short and 品川 shares the region"
    assert {t.from_location for t in plan.transfers} == {"品川"}
    assert all(t.to_location == "横浜" and t.travel_cost > 0 for t in plan.transfers)
    assert plan.kpis.transfers == len(plan.transfers)
    assert any("品川から" in line and "応援" in line for line in plan.explanation)
    alone = await recommend(solver_stub, "札幌", allow_cross_site=True)
    assert not alone.transfers and any("応援を出せる拠点がありません" in line for line in alone.explanation)


async def test_simulate_absences_against_the_baseline(solver_stub):
    base = await recommend(solver_stub, "横浜")
    absent = sorted({a.employee_id for a in base.assignments if a.time_block == "morning"})[:3]
    sim = await solver_stub.Simulate(pb.SimulateRequest(location="横浜", absent_employee_ids=absent))
    assert sim.baseline.date == sim.scenario.date == base.date
    assert not {a.employee_id for a in sim.scenario.assignments} & set(absent)
    assert {a.employee_id for a in sim.baseline.assignments} & set(absent)
    assert sim.scenario.kpis.available_staff == sim.baseline.kpis.available_staff - 3
    d = sim.delta
    assert d.shortage_staff_hours == pytest.approx(
        sim.scenario.kpis.shortage_staff_hours - sim.baseline.kpis.shortage_staff_hours, abs=0.011)
    assert d.assigned_staff == sim.scenario.kpis.assigned_staff - sim.baseline.kpis.assigned_staff
    assert sim.scenario.kpis.shortage_staff_hours >= sim.baseline.kpis.shortage_staff_hours - 0.05
    assert sim.explanation[0].startswith("横浜") and "欠勤" in sim.explanation[0]
    assert any(line.startswith("不足：") for line in sim.explanation)


async def test_simulate_demand_change_scales_the_forecast(solver_stub):
    sim = await solver_stub.Simulate(pb.SimulateRequest(location="佐世保", demand_change_pct=20))
    assert sim.scenario.kpis.demand_staff_hours == pytest.approx(1.2 * sim.baseline.kpis.demand_staff_hours, rel=1e-3)
    assert sim.delta.shortage_staff_hours >= -0.05
    assert "需要+20%" in sim.explanation[0]


async def test_simulate_adds_a_person_from_the_same_region(solver_stub, solver_pool, server_today):
    tomorrow = server_today + dt.timedelta(days=1)
    helper = await fetch_one(
        solver_pool,
        "SELECT e.employee_id, e.employee_name FROM employees e JOIN shift_plans sp ON sp.employee_id = e.employee_id "
        "JOIN employee_skills es ON es.employee_id = e.employee_id AND es.process_id = 6 "
        "WHERE e.location_id = 2 AND e.is_active = 1 AND e.contract_hours_per_day = 8 AND e.skill_level >= 3 "
        "AND sp.shift_date = %s AND sp.planned_status = 'scheduled' ORDER BY e.employee_id LIMIT 1", (tomorrow,))
    sim = await solver_stub.Simulate(pb.SimulateRequest(location="横浜", added_employee_ids=[helper["employee_id"]]))
    assert sim.scenario.kpis.available_staff == sim.baseline.kpis.available_staff + 1
    placed = [a for a in sim.scenario.assignments if a.employee_id == helper["employee_id"]]
    assert placed and all(a.home_location == "品川" for a in placed)
    assert [t.employee_id for t in sim.scenario.transfers] == [helper["employee_id"]]
    assert f"{helper['employee_name']}（品川から）" in sim.explanation[0]
    assert sim.delta.shortage_staff_hours < 0


async def test_simulate_rejects_people_it_cannot_use(solver_stub, solver_pool):
    sapporo = await fetch_one(solver_pool, "SELECT employee_id FROM employees WHERE location_id = 3 LIMIT 1")
    shinagawa = await fetch_one(solver_pool, "SELECT employee_id FROM employees WHERE location_id = 2 LIMIT 1")
    err = await error_of(solver_stub.Simulate, pb.SimulateRequest(location="横浜",
                                                                  added_employee_ids=[sapporo["employee_id"]]))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and "関東" in err.details()
    err = await error_of(solver_stub.Simulate, pb.SimulateRequest(location="横浜",
                                                                  absent_employee_ids=[shinagawa["employee_id"]]))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and "横浜の従業員" in err.details()
    err = await error_of(solver_stub.Simulate, pb.SimulateRequest(location="横浜", absent_employee_ids=[987654]))
    assert err.code() == grpc.StatusCode.NOT_FOUND and "987654" in err.details()
    err = await error_of(solver_stub.Simulate, pb.SimulateRequest(location="横浜", cutoff_time="4pm"))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
