"""The LLM's typed question through Envoy: a mesh whose intent engine talks to the fake model server (a real
HTTP server in its own process, spoken to by the real `ollama` client), programmed with one fixed reading."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import pymysql
import pytest

from bench.answers_judge import judge
from db.connect import parse_database_url
from tests.conftest import free_port
from tests.e2e.conftest import REPO, start_mesh, stop_mesh

# The model reads 「…長く働いた…」 as overtime per person at 横浜 (the rules find no metric in it).
READING = {"metric": "overtime_hours", "sites": ["横浜"], "process": "", "employee_name": ""}
LAST_MONTH = ("attendance_date >= DATE_FORMAT(CURDATE() - INTERVAL 1 MONTH, '%Y-%m-01') "
              "AND attendance_date < DATE_FORMAT(CURDATE(), '%Y-%m-01')")


@pytest.fixture(scope="module")
def llm_http(tmp_path_factory, database_url, redis_url):
    port = free_port()
    fake = subprocess.Popen([sys.executable, "-m", "tests.support.fake_ollama", "--port", str(port),
                             "--reply", json.dumps(READING, ensure_ascii=False)], cwd=str(REPO),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={"PYTHONPATH": f"{REPO}:{REPO / 'gen'}", "PATH": "/usr/bin:/bin"})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/tags", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.2)
    mesh = start_mesh(tmp_path_factory.mktemp("mesh-llm"), database_url, redis_url, {
        "OLLAMA_LIGHT_HOST": "127.0.0.1", "OLLAMA_LIGHT_PORT": str(port), "LLM_PROVIDER": "ollama",
        "INTENT_MODEL": "fake-model", "INTENT_LLM_TIMEOUT_SECONDS": "3"})
    try:
        with httpx.Client(base_url=mesh.base_url, timeout=30) as client:
            yield client
    finally:
        stop_mesh(mesh)
        fake.terminate()
        fake.wait(timeout=10)


def test_the_models_question_is_answered_from_the_data(llm_http, database_url):
    body = llm_http.post("/api/v1/ai/query", json={"query": "横浜で先月いちばん長く働いたのは誰？"}).json()
    assert body["intent_parser"] == "llm:ollama:fake-model"
    assert body["interpretation"]["question"]["metric"] == "overtime_hours"
    conn = pymysql.connect(**parse_database_url(database_url))
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT e.employee_name FROM attendance_records ar JOIN employees e USING (employee_id) "
                        "WHERE ar.location_id = (SELECT location_id FROM locations WHERE location_name = '横浜') "
                        f"AND ar.{LAST_MONTH} GROUP BY e.employee_id, e.employee_name HAVING SUM(ar.overtime_hours) = "
                        "(SELECT MAX(s) FROM (SELECT SUM(overtime_hours) s FROM attendance_records WHERE location_id = "
                        f"(SELECT location_id FROM locations WHERE location_name = '横浜') AND {LAST_MONTH} "
                        "GROUP BY employee_id) t)")
            expected = list(cur.fetchall())
    finally:
        conn.close()
    assert judge("name", body["answer"], expected, {}) == "right", body["answer"]


def test_a_site_the_request_does_not_name_is_rejected(llm_http):
    body = llm_http.post("/api/v1/ai/query", json={"query": "大阪で先月いちばん長く働いたのは誰？"}).json()
    assert body["intent_parser"] == "deterministic"
    assert "横浜" not in body["answer"].split("近い質問")[0] and "お答えできません" in body["answer"]
