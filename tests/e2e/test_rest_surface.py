"""The documented REST surface through the real Envoy, backed by the real mesh and aimee_test."""
from __future__ import annotations

import pymysql
import pytest


SEED_BODY = {"query": "横浜拠点のアラートを改善して",
             "context": {"user_id": "manager001", "session_id": "sess_20241121_001", "urgency": "medium"}}


def db_scalar(database_url: str, sql: str, args=()):
    from db.connect import parse_database_url
    conn = pymysql.connect(**parse_database_url(database_url))
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchone()[0]
    finally:
        conn.close()


def test_health_lists_every_part_ok(http):
    body = http.get("/health").json()
    names = {c["name"]: c["status"] for c in body["components"]}
    assert body["status"] == "ok"
    for part in ("intent", "analytics", "solver", "knowledge", "synthesis", "gateway", "mysql", "redis", "chroma"):
        assert names[part] == "ok", part


def test_seed_optimize_example_answers_from_real_data(http, database_url):
    resp = http.post("/api/v1/ai/optimize", json=SEED_BODY)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "success", body.get("degraded")
    assert body["request"] == SEED_BODY["query"]
    assert body["intent"]["intent"] == "improve_alerts" and body["intent"]["location"] == "横浜"
    assert body["processing_time"].endswith("秒")
    plan = body["improvement_plan"]
    assert plan["priority_analysis"] and plan["action_plan"] and plan["implementation_schedule"]
    support = body["supporting_data"]
    open_alerts = db_scalar(database_url,
                            "SELECT COUNT(*) FROM alerts a JOIN locations l ON l.location_id = a.location_id "
                            "WHERE l.location_name = %s AND a.status <> 'resolved'", ("横浜",))
    assert support["mysql_analysis"]["alert_count"] == open_alerts
    assert support["constraint_check"]["available_staff"] > 0
    assert support["constraint_check"]["solver_status"]
    assert support["knowledge_applied"] and all(k["doc_id"] for k in support["knowledge_applied"])
    assert "solver:highs" in body["model_chain"]
    assert body["next_monitoring"]["daily_check"]


def test_simple_query_counts_alerts(http, database_url):
    resp = http.post("/api/v1/ai/query", json={"query": "現在のアラート件数は？"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["intent"]["intent"] == "simple_query"
    total_open = db_scalar(database_url, "SELECT COUNT(*) FROM alerts WHERE status <> 'resolved'")
    assert body["supporting_data"]["mysql_analysis"]["alert_count"] == total_open
    assert str(total_open) in body["answer"]


@pytest.mark.parametrize("path,params", [
    ("/api/v1/analytics/productivity", {"location": "東京"}),
    ("/api/v1/assignments/current", {"location": "東京"}),
])
def test_unknown_site_is_404_listing_valid_sites(http, path, params):
    resp = http.get(path, params=params)
    assert resp.status_code == 404, resp.text
    assert "横浜" in resp.json()["message"]


def test_malformed_json_is_400(http):
    resp = http.post("/api/v1/ai/optimize", content=b'{"query": ', headers={"Content-Type": "application/json"})
    assert resp.status_code == 400


def test_unknown_path_is_404(http):
    assert http.get("/api/v1/no/such/thing").status_code == 404


def test_empty_query_is_400_with_message(http):
    resp = http.post("/api/v1/ai/query", json={"query": ""})
    assert resp.status_code == 400
    assert "query" in resp.json()["message"]


def test_what_if_question_runs_the_solver_simulation(http):
    resp = http.post("/api/v1/ai/optimize", json={"query": "明日、横浜の物量が20%増えたらどうなる？"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["intent"]["intent"] == "simulate_assignment" and body["intent"]["demand_change_pct"] == 20
    sim = body["supporting_data"]["engine_data"]["simulation"]
    base, scen = sim["baseline"]["kpis"], sim["scenario"]["kpis"]
    assert scen["demand_staff_hours"] == pytest.approx(base["demand_staff_hours"] * 1.2, rel=0.02)
    assert body["supporting_data"]["constraint_check"]["solver_status"]
    assert "solver:highs" in body["model_chain"] and body["status"] == "success"
