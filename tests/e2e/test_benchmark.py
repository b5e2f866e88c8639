"""/api/v1/benchmark says which runs were cache hits and can measure cold runs apart (issue 9 §6)."""
from __future__ import annotations


def test_benchmark_reports_cache_hits_per_run(http):
    resp = http.post("/api/v1/benchmark", json={"test_type": "full_performance", "iterations": 2})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    runs = body["runs"]
    assert len(runs) == 2 * len(body["requests"])
    # The first iteration filled the cache: the second answers its engine stages from it, and says so.
    second = [r for r in runs if r["iteration"] == 2]
    assert all(r.get("cached_stages") for r in second), second
    cached_total = {s["stage"]: s for s in body["cached_stages"]}["total"]
    cold_count = sum(1 for r in runs if not r.get("cached_stages"))
    assert cached_total["count"] == len(runs) - cold_count
    assert sum(s["count"] for s in body.get("cold_stages", []) if s["stage"] == "total") == cold_count


def test_benchmark_bypassing_the_cache_runs_every_iteration_cold(http):
    resp = http.post("/api/v1/benchmark", json={"test_type": "full_performance", "iterations": 2,
                                                "bypass_cache": True})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["bypass_cache"] is True
    assert body["runs"] and not any(r.get("cached_stages") for r in body["runs"])
    cold = {s["stage"]: s for s in body["cold_stages"]}
    assert cold["total"]["count"] == len(body["runs"]) and not body.get("cached_stages")
    assert {"intent", "analytics", "solver", "knowledge", "synthesis"} <= set(cold)
