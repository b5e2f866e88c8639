"""GetAssignmentHistory over gRPC: the audit rows of one assignment in written order, in a manager's words.

Expected values come from independent SQL on the suite database (not from the engine's repository).
"""
from __future__ import annotations

import json

import grpc
import pytest

from aimee.solver.v1 import solver_pb2 as pb
from services.common.db import fetch_all, fetch_one


async def _rows(pool, assignment_id: int) -> list[dict]:
    return await fetch_all(pool, "SELECT adjustment_id, adjustment_type, adjusted_by, reason, created_at, "
                                 "ai_confidence_score, before_json, after_json FROM assignment_adjustments "
                                 "WHERE original_assignment_id = %s ORDER BY adjustment_id", (assignment_id,))


async def test_sample_history_matches_the_table(solver_stub, solver_pool):
    """An assignment of the sample data with a recorded absence cover: every row, each field, the cover's name."""
    pick = await fetch_one(solver_pool, "SELECT aa.original_assignment_id AS aid, "
                                        "JSON_VALUE(aa.after_json, '$.cover_employee_id') AS cover "
                                        "FROM assignment_adjustments aa WHERE aa.adjustment_type = 'absence_cover' "
                                        "ORDER BY aa.adjustment_id DESC LIMIT 1")
    assert pick is not None
    expected = await _rows(solver_pool, pick["aid"])
    response = await solver_stub.GetAssignmentHistory(pb.GetAssignmentHistoryRequest(assignment_id=pick["aid"]))
    assert response.assignment.assignment_id == pick["aid"]
    assert response.assignment.location
    got = response.entries
    assert [e.adjustment_id for e in got] == [r["adjustment_id"] for r in expected]
    for e, r in zip(got, expected):
        assert (e.adjustment_type, e.adjusted_by, e.reason) == (r["adjustment_type"], r["adjusted_by"], r["reason"])
        assert e.adjusted_at == r["created_at"].isoformat(timespec="seconds")
        assert e.ai_confidence_score == pytest.approx(float(r["ai_confidence_score"] or 0))
        assert json.loads(e.before_json) == json.loads(r["before_json"] or "{}")
        assert json.loads(e.after_json) == json.loads(r["after_json"] or "{}")
    cover = next(e for e in got if e.adjustment_type == "absence_cover")
    assert cover.adjustment_type_label == "欠勤補充"
    name = (await fetch_one(solver_pool, "SELECT employee_name FROM employees WHERE employee_id = %s",
                            (int(pick["cover"]),)))["employee_name"]
    changes = {c.field: c for c in cover.changes}
    assert (changes["status"].label, changes["status"].after) == ("状態", "取消")
    assert (changes["cover_employee_id"].label, changes["cover_employee_id"].before,
            changes["cover_employee_id"].after) == ("補充者", "", f"{name}（#{int(pick['cover'])}）")


async def test_each_update_appends_a_row_with_before_and_after(solver_stub, solver_pool, target):
    """Two changes through UpdateAssignment: both appear, last one last, with names, versions and reasons."""
    aid, v = target["assignment_id"], target["version"]
    before = await _rows(solver_pool, aid)
    first = await solver_stub.UpdateAssignment(pb.UpdateAssignmentRequest(
        assignment_id=aid, expected_version=v, process=target["other_process"], reason="出荷締めの応援",
        adjusted_by="manager_yokohama"))
    second = await solver_stub.UpdateAssignment(pb.UpdateAssignmentRequest(
        assignment_id=aid, expected_version=v + 1, planned_hours=3.0, reason="午後に備えて短縮",
        adjusted_by="manager_b"))
    response = await solver_stub.GetAssignmentHistory(pb.GetAssignmentHistoryRequest(assignment_id=aid))
    assert response.assignment.version == v + 2
    assert len(response.entries) == len(before) + 2
    e1, e2 = response.entries[-2:]
    assert [e1.adjustment_id, e2.adjustment_id] == [first.adjustment_id, second.adjustment_id]
    assert (e1.adjustment_type_label, e1.adjusted_by, e1.reason, e1.version) == (
        "工程変更", "manager_yokohama", "出荷締めの応援", v + 1)
    assert (e1.ai_confidence_score, e2.ai_confidence_score) == (0.0, 0.0)
    process = {c.field: (c.label, c.before, c.after) for c in e1.changes}["process"]
    assert process == ("工程", target["process_name"], target["other_process"])
    assert (e2.adjustment_type, e2.adjustment_type_label, e2.adjusted_by, e2.version) == (
        "hours_change", "時間変更", "manager_b", v + 2)
    hours = {c.field: (c.before, c.after) for c in e2.changes}["planned_hours"]
    assert hours == (f"{float(target['planned_hours']):g}時間", "3時間")
    assert "version" not in {c.field for c in [*e1.changes, *e2.changes]}
    stored = await _rows(solver_pool, aid)
    assert json.loads(e2.after_json) == json.loads(stored[-1]["after_json"])


async def test_an_assignment_without_changes_has_an_empty_history(solver_stub, solver_pool):
    row = await fetch_one(solver_pool, "SELECT da.assignment_id, da.version FROM daily_assignments da "
                                       "WHERE NOT EXISTS (SELECT 1 FROM assignment_adjustments aa "
                                       "WHERE aa.original_assignment_id = da.assignment_id) "
                                       "ORDER BY da.assignment_id LIMIT 1")
    response = await solver_stub.GetAssignmentHistory(pb.GetAssignmentHistoryRequest(assignment_id=row["assignment_id"]))
    assert (response.assignment.assignment_id, response.assignment.version) == (row["assignment_id"], row["version"])
    assert list(response.entries) == []


async def test_an_unknown_assignment_is_not_found_in_japanese(solver_stub, solver_pool):
    top = (await fetch_one(solver_pool, "SELECT MAX(assignment_id) AS m FROM daily_assignments"))["m"]
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await solver_stub.GetAssignmentHistory(pb.GetAssignmentHistoryRequest(assignment_id=top + 1000))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    assert f"配置 assignment_id={top + 1000} は見つかりません" in info.value.details()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await solver_stub.GetAssignmentHistory(pb.GetAssignmentHistoryRequest(assignment_id=0))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "assignment_id" in info.value.details()
