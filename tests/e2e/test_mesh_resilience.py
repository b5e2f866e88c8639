"""Mesh-level behaviour: reflection on every engine, and a stopped engine giving a degraded answer in time."""
from __future__ import annotations

import os
import signal
import time

import grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

EXPECTED = {
    "INTENT_PORT": "aimee.intent.v1.IntentService",
    "ANALYTICS_PORT": "aimee.analytics.v1.AnalyticsService",
    "SOLVER_PORT": "aimee.solver.v1.SolverService",
    "KNOWLEDGE_PORT": "aimee.knowledge.v1.KnowledgeService",
    "SYNTHESIS_PORT": "aimee.synthesis.v1.SynthesisService",
    "GATEWAY_PORT": "aimee.gateway.v1.AiService",
}


def test_reflection_lists_all_six_services(mesh):
    for env_name, service in EXPECTED.items():
        with grpc.insecure_channel(f"127.0.0.1:{mesh.env[env_name]}") as channel:
            services = ProtoReflectionDescriptorDatabase(channel).get_services()
        assert service in services, (env_name, services)
        assert "grpc.health.v1.Health" in services


def test_stopped_solver_gives_degraded_answer_within_deadline(mesh, http):
    solver_pid = mesh.child_pid("solver")
    os.kill(solver_pid, signal.SIGSTOP)  # the engine stops answering, like a hung process
    try:
        started = time.perf_counter()
        resp = http.post("/api/v1/ai/optimize", json={"query": "明後日の品川拠点の最適配置を提案して"})
        elapsed = time.perf_counter() - started
    finally:
        os.kill(solver_pid, signal.SIGCONT)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "partial"
    degraded = {d["engine"]: d["reason"] for d in body["degraded"]}
    assert "solver" in degraded and "制限時間" in degraded["solver"]
    assert "solver:highs" not in body["model_chain"]
    # The other engines' data still arrived.
    assert body["supporting_data"]["mysql_analysis"]["active_staff"] > 0
    assert elapsed < float(mesh.env.get("HYBRID_TIMEOUT_SECONDS") or 10) + 1.5
