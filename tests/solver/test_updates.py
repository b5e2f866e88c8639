"""UpdateAssignment: optimistic concurrency, the audit row in the same transaction, cache invalidation.

Every test restores the rows it touched, so the shared sample database looks untouched to other suites.
"""
from __future__ import annotations

import asyncio
import json

import grpc
import pytest
import redis.asyncio as redis

from aimee.solver.v1 import solver_pb2 as pb
from services.common.cache import Cache
from services.common.db import fetch_all, fetch_one
from services.common.sites import SiteDirectory
from services.solver.repository import SolverRepository
from services.solver.updates import AssignmentUpdater, UpdateRequest


async def adjustments(pool, assignment_id: int) -> list[dict]:
    return await fetch_all(pool, "SELECT * FROM assignment_adjustments WHERE original_assignment_id = %s "
                                 "ORDER BY adjustment_id", (assignment_id,))


async def test_update_bumps_the_version_and_records_the_adjustment(solver_stub, solver_pool, solver_settings, target):
    gens = redis.from_url(solver_settings.redis_url)
    keys = [f"{solver_settings.cache_prefix}:gen:analytics:横浜", f"{solver_settings.cache_prefix}:gen:analytics:all"]
    before_gen = [int(await gens.get(k) or 0) for k in keys]
    before = await adjustments(solver_pool, target["assignment_id"])
    response = await solver_stub.UpdateAssignment(pb.UpdateAssignmentRequest(
        assignment_id=target["assignment_id"], expected_version=target["version"], process=target["other_process"],
        reason="出荷締めの応援", adjusted_by="manager_yokohama", ai_confidence_score=0.82))
    a = response.assignment
    assert (a.process, a.version, a.status, a.source, a.location) == (
        target["other_process"], target["version"] + 1, "changed", "optimizer", "横浜")
    stored = await fetch_one(solver_pool, "SELECT p.process_name, da.version FROM daily_assignments da JOIN processes p "
                                          "ON p.process_id = da.process_id WHERE assignment_id = %s",
                             (target["assignment_id"],))
    assert (stored["process_name"], stored["version"]) == (target["other_process"], target["version"] + 1)
    rows = await adjustments(solver_pool, target["assignment_id"])
    assert len(rows) == len(before) + 1
    adj = rows[-1]
    assert adj["adjustment_id"] == response.adjustment_id
    assert (adj["adjustment_type"], adj["adjusted_by"], adj["reason"]) == ("process_change", "manager_yokohama",
                                                                          "出荷締めの応援")
    assert float(adj["ai_confidence_score"]) == pytest.approx(0.82)
    assert json.loads(adj["before_json"])["version"] == target["version"]
    assert json.loads(adj["after_json"])["version"] == target["version"] + 1
    assert adj["adjustment_date"] == (await fetch_one(solver_pool, "SELECT CURDATE() AS d"))["d"]
    assert [int(await gens.get(k) or 0) for k in keys] == [g + 1 for g in before_gen]
    await gens.aclose()


async def test_a_stale_version_is_aborted_and_nothing_is_written(solver_stub, solver_pool, target):
    before = await adjustments(solver_pool, target["assignment_id"])
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await solver_stub.UpdateAssignment(pb.UpdateAssignmentRequest(
            assignment_id=target["assignment_id"], expected_version=target["version"] + 5, planned_hours=3.0))
    err = info.value
    assert err.code() == grpc.StatusCode.ABORTED and f"version={target['version']}" in err.details()
    row = await fetch_one(solver_pool, "SELECT planned_hours, version FROM daily_assignments WHERE assignment_id = %s",
                          (target["assignment_id"],))
    assert (float(row["planned_hours"]), row["version"]) == (float(target["planned_hours"]), target["version"])
    assert await adjustments(solver_pool, target["assignment_id"]) == before


async def test_two_managers_at_once_only_one_wins(solver_stub, solver_pool, target):
    def change(hours):
        return solver_stub.UpdateAssignment(pb.UpdateAssignmentRequest(
            assignment_id=target["assignment_id"], expected_version=target["version"], planned_hours=hours,
            reason=f"{hours}h"))
    results = await asyncio.gather(change(3.0), change(2.0), return_exceptions=True)
    ok = [r for r in results if isinstance(r, pb.UpdateAssignmentResponse)]
    failed = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(ok) == 1 and len(failed) == 1 and failed[0].code() == grpc.StatusCode.ABORTED
    row = await fetch_one(solver_pool, "SELECT planned_hours, version FROM daily_assignments WHERE assignment_id = %s",
                          (target["assignment_id"],))
    assert row["version"] == target["version"] + 1
    assert float(row["planned_hours"]) == ok[0].assignment.planned_hours
    rows = await adjustments(solver_pool, target["assignment_id"])
    ours = [r["reason"] for r in rows if r["reason"] in ("3.0h", "2.0h")]
    assert ours == [f"{ok[0].assignment.planned_hours:.1f}h"]      # the loser wrote nothing


@pytest.mark.parametrize("changes,code,needle", [
    ({"process": "溶接"}, grpc.StatusCode.INVALID_ARGUMENT, "工程「溶接」"),
    ({"planned_hours": -1.0}, grpc.StatusCode.INVALID_ARGUMENT, "planned_hours"),
    ({"planned_hours": 6.0}, grpc.StatusCode.INVALID_ARGUMENT, "4時間以下"),
    ({"time_block": "night"}, grpc.StatusCode.INVALID_ARGUMENT, "time_block"),
    ({"status": "done"}, grpc.StatusCode.INVALID_ARGUMENT, "status"),
    ({"ai_confidence_score": 1.5}, grpc.StatusCode.INVALID_ARGUMENT, "ai_confidence_score"),
    ({}, grpc.StatusCode.INVALID_ARGUMENT, "変更内容がありません"),
    ({"expected_version": 0, "planned_hours": 3.0}, grpc.StatusCode.INVALID_ARGUMENT, "expected_version"),
    ({"assignment_id": 99999999, "planned_hours": 3.0}, grpc.StatusCode.NOT_FOUND, "99999999"),
])
async def test_bad_updates_are_rejected_without_writing(solver_stub, solver_pool, target, changes, code, needle):
    request = pb.UpdateAssignmentRequest(assignment_id=target["assignment_id"], expected_version=target["version"])
    for key, value in changes.items():
        setattr(request, key, value)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await solver_stub.UpdateAssignment(request)
    assert info.value.code() == code and needle in info.value.details()
    row = await fetch_one(solver_pool, "SELECT version FROM daily_assignments WHERE assignment_id = %s",
                          (target["assignment_id"],))
    assert row["version"] == target["version"]


async def test_a_process_the_employee_is_not_certified_for_is_a_failed_precondition(solver_stub, solver_pool, target):
    missing = await fetch_one(
        solver_pool, "SELECT p.process_name FROM processes p WHERE p.process_id NOT IN "
                     "(SELECT process_id FROM employee_skills WHERE employee_id = %s) LIMIT 1", (target["employee_id"],))
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await solver_stub.UpdateAssignment(pb.UpdateAssignmentRequest(
            assignment_id=target["assignment_id"], expected_version=target["version"], process=missing["process_name"]))
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "有資格者ではありません" in info.value.details()


async def test_moving_onto_an_occupied_block_is_a_failed_precondition(solver_stub, solver_pool, target):
    occupied = await fetch_one(solver_pool, "SELECT assignment_id FROM daily_assignments WHERE employee_id = %s AND "
                                            "assignment_date = %s AND time_block = 'afternoon'",
                               (target["employee_id"], target["assignment_date"]))
    if occupied is None:
        pytest.skip("this employee works mornings only")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await solver_stub.UpdateAssignment(pb.UpdateAssignmentRequest(
            assignment_id=target["assignment_id"], expected_version=target["version"], time_block="afternoon"))
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert str(occupied["assignment_id"]) in info.value.details()


async def test_redis_down_never_fails_the_update(solver_pool, target):
    dead = Cache("redis://127.0.0.1:1/0", prefix="aimee-test-dead")
    updater = AssignmentUpdater(SolverRepository(solver_pool), SiteDirectory(solver_pool), dead)
    row, site, adjustment_id = await updater.update(UpdateRequest(
        assignment_id=target["assignment_id"], expected_version=target["version"], status="confirmed",
        reason="確定", adjusted_by="manager"))
    assert (row.status, row.version, site) == ("confirmed", target["version"] + 1, "横浜") and adjustment_id > 0
    adj = (await adjustments(solver_pool, target["assignment_id"]))[-1]
    assert adj["adjustment_type"] == "status_change" and adj["ai_confidence_score"] is None
    await dead.close()
