"""Rosters through Envoy: plan (dry run and saved), get, publish with a stale version (409) and the
latest (200), explain; bad dates are 400."""
from __future__ import annotations

import datetime as dt


def _monday_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=7 - day.weekday())


def test_roster_plan_get_publish_explain(http):
    # Three weeks ahead: beyond the generated shift_plans, so publishing touches no other test's days.
    start = (_monday_after(dt.date.today()) + dt.timedelta(days=21)).isoformat()
    body = {"location": "品川", "start_date": start, "days": 7, "time_limit_seconds": 2}
    first = http.post("/api/v1/rosters/plan", json=body)
    assert first.status_code == 200, first.text
    v1 = first.json()["roster"]
    v2 = http.post("/api/v1/rosters/plan", json=body).json()["roster"]
    assert v2["version"] == v1["version"] + 1 and len(v2["rows"]) > 20
    got = http.get(f"/api/v1/rosters/品川/{start}").json()["roster"]
    assert got["version"] == v2["version"] and got["status"] == "draft"
    stale = http.post(f"/api/v1/rosters/品川/{start}/publish", json={"version": v1["version"], "published_by": "e2e"})
    assert stale.status_code == 409, stale.text
    ok = http.post(f"/api/v1/rosters/品川/{start}/publish", json={"version": v2["version"], "published_by": "e2e"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["roster"]["status"] == "published" and int(ok.json()["audit_id"]) > 0
    lines = http.get(f"/api/v1/rosters/品川/{start}/explain").json()["lines"]
    assert any("労働基準法35条" in line for line in lines)


def test_roster_bad_date_is_400(http):
    resp = http.get("/api/v1/rosters/品川/2026-13-40")
    assert resp.status_code == 400, resp.text
    assert "YYYY-MM-DD" in resp.json()["message"]


def test_a_managers_request_for_next_weeks_shifts_plans_a_draft_roster(http):
    """「再来週の佐世保のシフトを作って」 reaches PlanRoster through the question path: a saved draft the answer
    describes (period, version, who), readable through the roster API; a question about shifts stays a question."""
    start = _monday_after(dt.date.today()) + dt.timedelta(days=7)  # 再来週: the Monday after next
    resp = http.post("/api/v1/ai/optimize", json={"query": "再来週の佐世保のシフトを作って"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert "gateway:roster" in body["model_chain"], body["model_chain"]
    assert "勤務表案を作成しました" in body["answer"] and f"{start.month}/{start.day}" in body["answer"], body["answer"]
    stored = http.get(f"/api/v1/rosters/佐世保/{start.isoformat()}").json()["roster"]
    assert stored["status"] == "draft" and f"版{stored['version']}" in body["answer"] and stored["days"] == 7
    question = http.post("/api/v1/ai/query", json={"query": "明日の佐世保で出勤予定の人数は？"}).json()
    assert "gateway:roster" not in question["model_chain"]
