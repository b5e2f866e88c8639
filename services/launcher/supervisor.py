"""The local mesh supervisor: one long-lived process that owns every child (five engines, gateway, Envoy).

Why a supervisor: the mesh is seven processes that must start, stop and die together. The supervisor
stays alive, restarts a crashed child with backoff, and on SIGTERM stops the children in reverse order
(Envoy first, engines last) gracefully. Every child gets PR_SET_PDEATHSIG, so even a SIGKILLed supervisor
leaves no orphan holding port 8000.

Restart policy: a child may be restarted SUPERVISOR_MAX_RESTARTS times within any
SUPERVISOR_RESTART_WINDOW_SECONDS (a budget per sliding window, so an engine that crashes now and then is
restarted for ever), each restart after an exponential backoff that grows with the recent restarts. A
child that spends its whole budget inside one window is crash-looping: it is given up, and mesh.json says
so (`make status` and the gateway's /health read it).
"""
from __future__ import annotations

import asyncio
import ctypes
import json
import os
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from services.common.config import DEFAULT_PORTS
from services.common.dotenv import merged_environment, read_dotenv  # noqa: F401 - read_dotenv re-exported
from services.common.grpc_auth import token_from_env, write_token_file
from services.launcher.envoy_config import envoy_binary, write_envoy_config

ENGINES = ("intent", "analytics", "solver", "knowledge", "synthesis")
MAX_RESTARTS = 5  # per restart window (SUPERVISOR_MAX_RESTARTS)
RESTART_WINDOW_SECONDS = 60.0  # SUPERVISOR_RESTART_WINDOW_SECONDS
BACKOFF_MIN_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 10.0


def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


@dataclass
class MeshLayout:
    """Where the mesh listens and writes; everything overridable by env so tests run next to a demo."""

    run_dir: Path
    ports: dict[str, int]
    ws_port: int
    envoy_port: int
    envoy_admin_socket: Path
    envoy_host: str
    max_restarts: int = MAX_RESTARTS
    restart_window: float = RESTART_WINDOW_SECONDS

    @property
    def token_path(self) -> Path:
        """The internal token of the running mesh (services.common.grpc_auth), readable by its owner only."""
        return self.run_dir / "internal_token"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "MeshLayout":
        env = merged_environment() if env is None else dict(env)
        ports = {name: int(env.get(f"{name.upper()}_PORT") or port) for name, port in DEFAULT_PORTS.items()}
        tokens = env.get("AIMEE_API_TOKENS", "").strip()
        run_dir = Path(env.get("AIMEE_RUN_DIR") or repo_root() / "var")
        return cls(
            run_dir=run_dir,
            ports=ports,
            ws_port=int(env.get("GATEWAY_WS_PORT") or 8010),
            envoy_port=int(env.get("ENVOY_PORT") or 8000),
            envoy_admin_socket=Path(env.get("ENVOY_ADMIN_SOCKET") or run_dir / "envoy-admin.sock"),
            # Without tokens the mesh listens on loopback only.
            envoy_host=env.get("ENVOY_LISTEN_HOST") or ("0.0.0.0" if tokens else "127.0.0.1"),
            max_restarts=int(env.get("SUPERVISOR_MAX_RESTARTS") or MAX_RESTARTS),
            restart_window=float(env.get("SUPERVISOR_RESTART_WINDOW_SECONDS") or RESTART_WINDOW_SECONDS),
        )

    @property
    def state_path(self) -> Path:
        return self.run_dir / "mesh.json"

    def child_env(self) -> dict[str, str]:
        env = merged_environment()  # the real environment wins over .env
        root = str(repo_root())
        env["PYTHONPATH"] = os.pathsep.join([root, str(repo_root() / "gen"), env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep)
        for name, port in self.ports.items():
            env[f"{name.upper()}_PORT"] = str(port)
            if name != "gateway":
                env[f"{name.upper()}_ADDR"] = f"127.0.0.1:{port}"
        env["GATEWAY_WS_PORT"] = str(self.ws_port)
        env["AIMEE_SUPERVISOR_STATE"] = str(self.state_path)  # the gateway's /health reports given-up children
        env.setdefault("CHROMADB_PATH", str(self.run_dir / "chroma"))
        env.setdefault("PYTHONUNBUFFERED", "1")
        env.setdefault("ALERT_DETECTION_INTERVAL_SECONDS", "3600")  # a running mesh detects alerts hourly
        return env


@dataclass
class Child:
    name: str
    argv: list[str]
    log_path: Path
    process: asyncio.subprocess.Process | None = None
    restarts: int = 0  # over the supervisor's life (reported)
    started_at: float = 0.0
    given_up: bool = False
    last_exit: int | None = None
    recent: deque = field(default_factory=deque, repr=False)  # monotonic times of restarts in the window
    log_file: object = field(default=None, repr=False)

    def record_restart(self, now: float, window: float) -> int:
        """Count one restart; returns the restarts within the last `window` seconds."""
        self.restarts += 1
        self.recent.append(now)
        while self.recent and now - self.recent[0] > window:
            self.recent.popleft()
        return len(self.recent)


def backoff_seconds(recent_restarts: int) -> float:
    """0.5 s after the first recent restart, doubling up to 10 s."""
    return min(BACKOFF_MAX_SECONDS, BACKOFF_MIN_SECONDS * 2 ** max(0, recent_restarts - 1))


def _die_with_parent() -> None:
    """prctl(PR_SET_PDEATHSIG, SIGTERM) in the child: it is told to stop when the supervisor dies."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)


def plan_children(layout: MeshLayout) -> list[Child]:
    logs = layout.run_dir / "log"
    children = [Child(name, [sys.executable, "-m", f"services.{name}.server"], logs / f"{name}.log")
                for name in (*ENGINES, "gateway", "webui")]
    envoy_config = layout.run_dir / "envoy.json"
    write_envoy_config(
        envoy_config, listen_host=layout.envoy_host, listen_port=layout.envoy_port,
        admin_socket=layout.envoy_admin_socket, gateway_grpc_host="127.0.0.1",
        gateway_grpc_port=layout.ports["gateway"], ws_host="127.0.0.1", ws_port=layout.ws_port,
        descriptor_path=str(repo_root() / "deploy" / "gen" / "aimee.pb"),
        webui_host="127.0.0.1", webui_port=layout.ports["webui"])
    children.append(Child("envoy", [envoy_binary(), "-c", str(envoy_config), "--log-level", "warn",
                                    "--disable-hot-restart", "--concurrency", "2"], logs / "envoy.log"))
    return children


class Supervisor:
    def __init__(self, layout: MeshLayout, children: list[Child] | None = None):
        self.layout = layout
        self.children = plan_children(layout) if children is None else children
        self.stopping = asyncio.Event()
        self.env = layout.child_env()
        # The credential the gateway shows every engine: INTERNAL_TOKEN when the operator set one, else a
        # fresh one per launch. Its file (0600) lets the operator call an engine by hand (grpcurl -H).
        token = write_token_file(layout.token_path, token_from_env(self.env))
        self.env["INTERNAL_TOKEN"] = token
        self.env.pop("INTERNAL_TOKEN_FILE", None)

    async def _spawn(self, child: Child) -> None:
        child.log_path.parent.mkdir(parents=True, exist_ok=True)
        if child.log_file is not None:
            child.log_file.close()
        child.log_file = open(child.log_path, "ab", buffering=0)
        child.process = await asyncio.create_subprocess_exec(
            *child.argv, cwd=str(repo_root()), env=self.env, stdin=asyncio.subprocess.DEVNULL,
            stdout=child.log_file, stderr=child.log_file, preexec_fn=_die_with_parent)
        child.started_at = time.monotonic()
        self._write_state()

    async def _watch(self, child: Child) -> None:
        while not self.stopping.is_set():
            await self._spawn(child)
            code = await child.process.wait()
            if self.stopping.is_set():
                return
            child.last_exit = code
            recent = child.record_restart(time.monotonic(), self.layout.restart_window)
            budget, window = self.layout.max_restarts, self.layout.restart_window
            if recent > budget:
                child.given_up = True
                self._write_state()
                _say(f"{child.name} exited with {code}; {recent} restarts within {window:.0f}s "
                     f"(budget {budget}): giving up (see {child.log_path})")
                return
            delay = backoff_seconds(recent)
            _say(f"{child.name} exited with {code}; restart {recent}/{budget} within {window:.0f}s "
                 f"in {delay:.1f}s")
            self._write_state()
            try:  # SIGTERM during the backoff stops at once
                await asyncio.wait_for(self.stopping.wait(), delay)
            except asyncio.TimeoutError:
                pass

    def _write_state(self) -> None:
        state = {"supervisor_pid": os.getpid(), "envoy_port": self.layout.envoy_port,
                 "restart_budget": {"max_restarts": self.layout.max_restarts,
                                    "window_seconds": self.layout.restart_window},
                 "children": {c.name: {"pid": c.process.pid if c.process else None, "restarts": c.restarts,
                                       "given_up": c.given_up, "last_exit": c.last_exit,
                                       "log": str(c.log_path)} for c in self.children}}
        path = self.layout.state_path
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(path)  # readers (status, /health) never see a half-written file

    async def run(self) -> None:
        self.layout.run_dir.mkdir(parents=True, exist_ok=True)
        (self.layout.run_dir / "supervisor.pid").write_text(str(os.getpid()))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        watchers = [asyncio.create_task(self._watch(c)) for c in self.children]
        await self.stopping.wait()
        await self._stop_all()
        for w in watchers:
            w.cancel()
        (self.layout.run_dir / "supervisor.pid").unlink(missing_ok=True)

    async def _stop_all(self, grace: float = 8.0) -> None:
        for child in reversed(self.children):  # Envoy first, engines last
            proc = child.process
            if proc is None or proc.returncode is not None:
                continue
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), grace)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()


def _say(text: str) -> None:
    print(f"[supervisor] {text}", flush=True)


def supervise() -> None:
    asyncio.run(Supervisor(MeshLayout.from_env()).run())
