"""`python -m services.launcher up|down|status|supervise` — the local mesh's lifecycle (make up/down/status).

`up` starts the supervisor detached (its own session, so it outlives the shell), then waits for /health.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time

import httpx

from services.launcher.supervisor import MeshLayout, repo_root, supervise


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _supervisor_pid(layout: MeshLayout) -> int | None:
    path = layout.run_dir / "supervisor.pid"
    if not path.exists():
        return None
    try:
        pid = int(path.read_text().strip())
    except ValueError:
        return None
    return pid if _pid_alive(pid) else None


def fetch_health(layout: MeshLayout, timeout: float = 2.0) -> dict | None:
    try:
        resp = httpx.get(f"http://127.0.0.1:{layout.envoy_port}/health", timeout=timeout)
    except httpx.HTTPError:
        return None
    return resp.json() if resp.status_code == 200 else None


def envoy_admin_ready(layout: MeshLayout, timeout: float = 2.0) -> str:
    """Envoy's own readiness (LIVE, PRE_INITIALIZING ...) over its 0600 admin socket, or why there is none."""
    transport = httpx.HTTPTransport(uds=str(layout.envoy_admin_socket))
    try:
        with httpx.Client(transport=transport, timeout=timeout) as admin:
            return admin.get("http://envoy-admin/ready").text.strip()
    except httpx.HTTPError as exc:
        return f"no answer ({type(exc).__name__})"


def wait_healthy(layout: MeshLayout, timeout: float) -> dict | None:
    deadline = time.monotonic() + timeout
    health = None
    while time.monotonic() < deadline:
        health = fetch_health(layout)
        if health and health.get("status") == "ok":
            return health
        time.sleep(0.5)
    return health


def print_health(health: dict | None) -> None:
    if not health:
        print("  /health: no answer")
        return
    print(f"  /health: {health.get('status')}")
    for c in health.get("components", []):
        print(f"    {c['name']:<10} {c['status']:<5} {c.get('latency_ms', 0):>7.1f} ms  {c.get('detail', '')}")


def up(timeout: float) -> int:
    layout = MeshLayout.from_env()
    if _supervisor_pid(layout):
        print(f"mesh already running (supervisor pid {_supervisor_pid(layout)})")
        print_health(fetch_health(layout))
        return 0
    layout.run_dir.mkdir(parents=True, exist_ok=True)
    (layout.run_dir / "log").mkdir(exist_ok=True)
    log = open(layout.run_dir / "log" / "supervisor.log", "ab")
    subprocess.Popen([sys.executable, "-m", "services.launcher", "supervise"], cwd=str(repo_root()),
                     env=layout.child_env(), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                     start_new_session=True)
    started = time.monotonic()
    health = wait_healthy(layout, timeout)
    ok = bool(health and health.get("status") == "ok")
    print(f"mesh {'up' if ok else 'NOT healthy'} in {time.monotonic() - started:.1f}s — "
          f"http://127.0.0.1:{layout.envoy_port} (logs: {layout.run_dir / 'log'})")
    print_health(health)
    return 0 if ok else 1


def down(timeout: float = 30.0) -> int:
    layout = MeshLayout.from_env()
    pid = _supervisor_pid(layout)
    if pid is None:
        print("mesh not running")
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _pid_alive(pid):
        time.sleep(0.2)
    if _pid_alive(pid):
        os.killpg(pid, signal.SIGKILL)
    print("mesh stopped")
    return 0


def status() -> int:
    layout = MeshLayout.from_env()
    pid = _supervisor_pid(layout)
    print(f"supervisor: {'pid ' + str(pid) if pid else 'not running'}")
    state = layout.state_path
    given_up = []
    if pid and state.exists():
        for name, info in json.loads(state.read_text())["children"].items():
            alive = info["pid"] and _pid_alive(info["pid"])
            label = "GIVEN UP" if info.get("given_up") else "running" if alive else "stopped"
            exit_note = f"  last exit {info['last_exit']}" if info.get("last_exit") is not None else ""
            print(f"  {name:<10} pid {info['pid']!s:<8} {label:<8}  restarts {info['restarts']}{exit_note}")
            if info.get("given_up"):
                given_up.append(f"{name} (see {info.get('log', '')})")
        print(f"  envoy admin {envoy_admin_ready(layout)}  (unix socket {layout.envoy_admin_socket}, owner only)")
    if given_up:
        print("  the supervisor gave up restarting: " + ", ".join(given_up) + " — fix the cause, then make down && make up")
    print_health(fetch_health(layout))
    return 0 if pid else 1  # "is the mesh running" (make demo/migrate-knowledge rely on it)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m services.launcher")
    parser.add_argument("command", choices=["up", "down", "status", "supervise"])
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    if args.command == "supervise":
        supervise()
        return 0
    if args.command == "up":
        return up(args.timeout)
    if args.command == "down":
        return down()
    return status()


if __name__ == "__main__":
    sys.exit(main())
