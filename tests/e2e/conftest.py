"""The whole mesh as a user runs it: the supervisor (engines, gateway, Envoy) on free ports, against the
suite's own database and Redis db, with its own run directory and Chroma path."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Mesh:
    base_url: str
    ws_url: str
    env: dict
    run_dir: Path
    process: subprocess.Popen

    def child_pid(self, name: str) -> int:
        import json
        state = json.loads((self.run_dir / "mesh.json").read_text())
        return state["children"][name]["pid"]


def start_mesh(tmp_path: Path, database_url: str, redis_url: str, extra_env: dict | None = None,
               wait_healthy: bool = True) -> Mesh:
    """Start the supervisor; unless wait_healthy=False, return once /health says ok (fault tests start a
    mesh whose database is down on purpose)."""
    env = dict(os.environ)
    ports = {name: free_port() for name in ("intent", "analytics", "solver", "knowledge", "synthesis", "gateway",
                                        "webui")}
    for name, port in ports.items():
        env[f"{name.upper()}_PORT"] = str(port)
    envoy_port = free_port()
    env.update({
        "AIMEE_RUN_DIR": str(tmp_path / "run"), "ENVOY_PORT": str(envoy_port), "ENVOY_ADMIN_SOCKET": "",
        "GATEWAY_WS_PORT": str(free_port()), "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        "CACHE_PREFIX": f"aimee-e2e-{uuid.uuid4().hex[:8]}", "CHROMADB_PATH": str(tmp_path / "chroma"),
        "CHROMADB_HOST": "", "OLLAMA_LIGHT_HOST": "", "OLLAMA_MAIN_HOST": "", "AIMEE_API_TOKENS": "",
        "ALERT_DETECTION_INTERVAL_SECONDS": "0", "LOG_LEVEL": "WARNING",
        "PYTHONPATH": f"{REPO}:{REPO / 'gen'}",
    })
    env.update(extra_env or {})
    (tmp_path / "run").mkdir(parents=True, exist_ok=True)
    log = open(tmp_path / "supervisor.log", "ab")
    process = subprocess.Popen([sys.executable, "-m", "services.launcher", "supervise"], cwd=str(REPO), env=env,
                               stdout=log, stderr=log, start_new_session=True)
    mesh = Mesh(f"http://127.0.0.1:{envoy_port}", f"ws://127.0.0.1:{envoy_port}", env, tmp_path / "run", process)
    if not wait_healthy:
        return mesh
    deadline = time.monotonic() + 120
    last = None
    while time.monotonic() < deadline:
        try:
            last = httpx.get(mesh.base_url + "/health", timeout=2)
            if last.status_code == 200 and last.json().get("status") == "ok":
                return mesh
        except httpx.HTTPError as exc:
            last = exc
        if process.poll() is not None:
            break
        time.sleep(0.5)
    stop_mesh(mesh)
    logs = "\n".join(f"--- {p.name}\n{p.read_text()[-1500:]}" for p in (tmp_path / "run" / "log").glob("*.log"))
    raise RuntimeError(f"mesh did not become healthy: {getattr(last, 'text', last)}\n{logs}")


def stop_mesh(mesh: Mesh) -> None:
    if mesh.process.poll() is None:
        mesh.process.send_signal(signal.SIGTERM)
        try:
            mesh.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(mesh.process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def mesh(tmp_path_factory, database_url, redis_url) -> Mesh:
    running = start_mesh(tmp_path_factory.mktemp("mesh"), database_url, redis_url)
    yield running
    stop_mesh(running)


@pytest.fixture(scope="session")
def http(mesh) -> httpx.Client:
    with httpx.Client(base_url=mesh.base_url, timeout=30) as client:
        yield client
