"""The supervisor's restart policy with real child processes: a budget per sliding window with backoff,
a crash-looping child given up and reported (mesh.json and `python -m services.launcher status`)."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from services.launcher.supervisor import Child, MeshLayout, Supervisor, backoff_seconds

REPO = Path(__file__).resolve().parents[2]


def test_backoff_grows_and_is_capped():
    assert [backoff_seconds(n) for n in (1, 2, 3, 4, 5, 9)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0]


def test_restarts_outside_the_window_are_forgotten():
    child = Child("x", ["true"], Path("/dev/null"))
    assert [child.record_restart(t, 10.0) for t in (0.0, 1.0, 2.0)] == [1, 2, 3]
    assert child.record_restart(30.0, 10.0) == 1  # an engine that crashes now and then keeps its budget
    assert child.restarts == 4  # the lifetime count is still reported


def _layout(tmp_path: Path, max_restarts: int, window: float) -> MeshLayout:
    return MeshLayout.from_env({"AIMEE_RUN_DIR": str(tmp_path), "SUPERVISOR_MAX_RESTARTS": str(max_restarts),
                                "SUPERVISOR_RESTART_WINDOW_SECONDS": str(window), "ENVOY_PORT": "1"})


async def _run_until(supervisor: Supervisor, done, timeout: float) -> dict:
    task = asyncio.create_task(supervisor.run())
    deadline = time.monotonic() + timeout
    state: dict = {}
    try:
        while time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            if supervisor.layout.state_path.exists():
                state = json.loads(supervisor.layout.state_path.read_text())
                if done(state):
                    return state
        raise AssertionError(f"condition not reached: {state}")
    finally:
        supervisor.stopping.set()
        await asyncio.wait_for(task, 15)


async def test_crash_looping_child_is_given_up_and_reported(tmp_path):
    layout = _layout(tmp_path, max_restarts=2, window=60)
    crasher = Child("crasher", [sys.executable, "-c", "import sys; sys.exit(3)"], tmp_path / "log" / "crasher.log")
    steady = Child("steady", [sys.executable, "-c", "import time; time.sleep(60)"], tmp_path / "log" / "steady.log")
    supervisor = Supervisor(layout, children=[crasher, steady])
    state = await _run_until(supervisor, lambda s: s["children"]["crasher"]["given_up"], timeout=20)
    info = state["children"]["crasher"]
    assert info["restarts"] == 3 and info["last_exit"] == 3
    assert not state["children"]["steady"]["given_up"] and state["children"]["steady"]["restarts"] == 0


async def test_killed_child_comes_back_every_time(tmp_path):
    layout = _layout(tmp_path, max_restarts=5, window=60)
    child = Child("engine", [sys.executable, "-c", "import time; time.sleep(60)"], tmp_path / "log" / "e.log")
    supervisor = Supervisor(layout, children=[child])
    task = asyncio.create_task(supervisor.run())
    try:
        pids = []
        for _ in range(3):
            for _ in range(200):
                await asyncio.sleep(0.05)
                if child.process and child.process.returncode is None and child.process.pid not in pids:
                    break
            pids.append(child.process.pid)
            os.kill(child.process.pid, 9)
        for _ in range(200):
            await asyncio.sleep(0.05)
            if child.process.returncode is None and child.process.pid not in pids:
                break
        assert child.process.returncode is None and not child.given_up and child.restarts == 3
    finally:
        supervisor.stopping.set()
        await asyncio.wait_for(task, 15)


def test_status_shows_a_given_up_child(tmp_path):
    (tmp_path / "supervisor.pid").write_text(str(os.getpid()))  # "a supervisor is running"
    (tmp_path / "mesh.json").write_text(json.dumps({"children": {
        "solver": {"pid": None, "restarts": 6, "given_up": True, "last_exit": 1, "log": "var/log/solver.log"},
        "intent": {"pid": os.getpid(), "restarts": 0, "given_up": False, "last_exit": None, "log": ""}}}))
    env = {**os.environ, "AIMEE_RUN_DIR": str(tmp_path), "ENVOY_PORT": "1", "PYTHONPATH": f"{REPO}:{REPO / 'gen'}"}
    out = subprocess.run([sys.executable, "-m", "services.launcher", "status"], cwd=str(REPO), env=env,
                         capture_output=True, text=True, timeout=30).stdout
    assert "solver" in out and "GIVEN UP" in out and "gave up restarting: solver" in out
    assert "intent" in out and "running" in out
