"""Every REST resource family through Envoy: analytics, alerts (+AI analysis), assignments, knowledge, benchmark."""
from __future__ import annotations

import uuid

import pytest


def test_analytics_endpoints_answer_with_numbers(http):
    prod = http.get("/api/v1/analytics/productivity", params={"location": "横浜", "granularity": "week"})
    assert prod.status_code == 200, prod.text
    body = prod.json()
    assert body["points"] and all(p["sample_size"] > 0 for p in body["points"])
    att = http.get("/api/v1/analytics/attendance", params={"location": "横浜"}).json()
    worst = max(att["weekdays"], key=lambda w: w["absence_rate"])
    assert worst["weekday_name"] == "月"
    stats = http.get("/api/v1/analytics/alerts", params={"period": "week"}).json()
    assert stats["total"] >= stats["open"] > 0
    forecast = http.post("/api/v1/analytics/forecast", json={"location": "横浜", "days": 7})
    assert forecast.status_code == 200, forecast.text
    points = forecast.json()["points"]
    assert points and all(p["lower_units"] <= p["forecast_units"] <= p["upper_units"] for p in points)


@pytest.mark.parametrize("params,fragment", [
    ({"location": "横浜", "granularity": "hour"}, "granularity"),
    ({"location": "横浜", "date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_from"),
])
def test_analytics_bad_input_is_400(http, params, fragment):
    resp = http.get("/api/v1/analytics/productivity", params=params)
    assert resp.status_code == 400, resp.text
    assert fragment in resp.json()["message"]


ALERT_TYPES = ("overtime_over_limit", "productivity_drop", "absence_spike", "staffing_shortage")


@pytest.mark.parametrize("alert_type", ALERT_TYPES)
def test_every_alert_type_opens_analyses_and_improves(http, alert_type):
    page = http.get("/api/v1/alerts", params={"alert_type": alert_type, "page_size": 5})
    assert page.status_code == 200, page.text
    assert page.json()["total"] >= len(page.json()["alerts"]) > 0, alert_type
    alert = page.json()["alerts"][0]
    detail = http.get(f"/api/v1/alerts/{alert['alert_id']}")
    assert detail.status_code == 200, detail.text
    assert detail.json()["alert"]["alert_type"] == alert_type and detail.json()["alert"]["evidence"]
    analysis = http.post(f"/api/v1/alerts/{alert['alert_id']}/analyze", json={})
    assert analysis.status_code == 200, analysis.text
    body = analysis.json()
    assert body["supporting_data"]["engine_data"]["alert"]["alert_id"] == alert["alert_id"]
    assert body["narrative"] and body["status"] == "success"
    improve = http.post(f"/api/v1/alerts/{alert['alert_id']}/improve", json={})
    assert improve.status_code == 200, improve.text
    assert improve.json()["supporting_data"]["constraint_check"]["solver_status"]
    assert improve.json()["improvement_plan"]["action_plan"]


def test_unknown_alert_is_404(http):
    assert http.get("/api/v1/alerts/99999999").status_code == 404
    assert http.post("/api/v1/alerts/99999999/analyze", json={}).status_code == 404


def test_detect_alerts_is_idempotent(http):
    first = http.post("/api/v1/alerts/detect", json={"location": "品川"})
    assert first.status_code == 200, first.text
    again = http.post("/api/v1/alerts/detect", json={"location": "品川"}).json()
    assert again["created"] == 0
    assert again["unchanged"] == first.json()["created"] + first.json()["unchanged"]


def test_assignments_current_recommend_simulate_update(http):
    current = http.get("/api/v1/assignments/current", params={"location": "横浜"}).json()
    assert current["assignments"]
    rec = http.post("/api/v1/assignments/recommend", json={"location": "横浜"})
    assert rec.status_code == 200, rec.text
    plan = rec.json()["plan"]
    assert plan["assignments"] and plan["solver"]["status"] and plan["explanation"]
    sim = http.post("/api/v1/assignments/simulate", json={"location": "横浜", "demand_change_pct": 20})
    assert sim.status_code == 200, sim.text
    sim_body = sim.json()
    assert sim_body["scenario"]["kpis"]["demand_staff_hours"] > sim_body["baseline"]["kpis"]["demand_staff_hours"]
    target = current["assignments"][0]
    update = http.put(f"/api/v1/assignments/{target['assignment_id']}", json={
        "expected_version": target["version"], "planned_hours": 3.5, "reason": "e2e テスト", "adjusted_by": "tester"})
    assert update.status_code == 200, update.text
    assert update.json()["assignment"]["version"] == target["version"] + 1
    stale = http.put(f"/api/v1/assignments/{target['assignment_id']}", json={
        "expected_version": target["version"], "planned_hours": 2.0, "reason": "古い版", "adjusted_by": "tester"})
    assert stale.status_code == 409, stale.text
    history = http.get(f"/api/v1/assignments/{target['assignment_id']}/history")
    assert history.status_code == 200, history.text
    body = history.json()
    assert body["assignment"]["version"] == target["version"] + 1
    last = body["entries"][-1]
    assert (last["adjusted_by"], last["reason"], last["adjustment_type_label"], last["version"]) == (
        "tester", "e2e テスト", "時間変更", target["version"] + 1)
    assert {"field": "planned_hours", "label": "予定時間", "after": "3.5時間"}.items() <= next(
        c for c in last["changes"] if c["field"] == "planned_hours").items()
    assert "古い版" not in [e["reason"] for e in body["entries"]]   # the refused change left no row


def test_assignment_history_of_an_unknown_or_bad_id(http):
    missing = http.get("/api/v1/assignments/999999999/history")
    assert missing.status_code == 404, missing.text
    assert "見つかりません" in missing.json()["message"]
    assert http.get("/api/v1/assignments/0/history").status_code == 400
    assert http.get("/api/v1/assignments/abc/history").status_code == 400


def test_knowledge_add_search_delete(http):
    marker = f"e2e-{uuid.uuid4().hex[:6]}"
    added = http.post("/api/v1/knowledge/documents", json={
        "title": "品川の積み込み手順", "category": "現場ノウハウ", "location": "品川", "source": marker,
        "text": "品川拠点では夕方の積み込みが集中する。出荷工程は15時までに熟練者を2名確保する。"
                "トラックの到着が遅れた日は、仕分けを先に終わらせてから積み込みに入る。"})
    assert added.status_code == 200, added.text
    doc_id = added.json()["doc_id"]
    assert added.json()["chunk_count"] >= 1
    hits = http.get("/api/v1/knowledge/search",
                    params={"q": "品川で夕方の積み込みを間に合わせるには？", "location": "品川"}).json()["hits"]
    assert doc_id in [h["doc_id"] for h in hits]
    assert http.delete(f"/api/v1/knowledge/documents/{doc_id}").status_code == 200
    hits = http.get("/api/v1/knowledge/search",
                    params={"q": "品川で夕方の積み込みを間に合わせるには？", "location": "品川"}).json()["hits"]
    assert doc_id not in [h["doc_id"] for h in hits]
    assert http.delete(f"/api/v1/knowledge/documents/{doc_id}").status_code == 404
    bad = http.post("/api/v1/knowledge/documents", json={"title": "x", "text": "本文", "category": "雑談",
                                                         "source": marker})
    assert bad.status_code == 400


def test_ai_analyze_and_benchmark(http):
    analyze = http.post("/api/v1/ai/analyze", json={"query": "生産性の傾向を教えて", "location": "札幌"})
    assert analyze.status_code == 200, analyze.text
    body = analyze.json()
    assert body["intent"]["location"] == "札幌"
    assert body["supporting_data"]["engine_data"]["productivity"]["points"]
    bench = http.post("/api/v1/benchmark", json={"test_type": "full_performance", "iterations": 1})
    assert bench.status_code == 200, bench.text
    stages = {s["stage"]: s for s in bench.json()["stages"]}
    assert {"total", "intent", "analytics", "solver", "knowledge", "synthesis"} <= set(stages)
    assert all(s["p95_ms"] >= s["p50_ms"] >= 0 for s in stages.values())
    assert http.post("/api/v1/benchmark", json={"test_type": "x", "iterations": 1}).status_code == 400
