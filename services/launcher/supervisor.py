"""The local mesh supervisor: one long-lived process that owns every child (five engines, gateway, Envoy).

Why a supervisor: the mesh is seven processes that must start, stop and die together. The supervisor
stays alive, restarts a crashed child with backoff, and on SIGTERM stops the children in reverse order
(Envoy first, engines last) gracefully. Every child gets PR_SET_PDEATHSIG, so even a SIGKILLed supervisor
leaves no orphan holding port 8000.
"""
from __future__ import annotations

import asyncio
import ctypes
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from services.launcher.envoy_config import envoy_binary, write_envoy_config

ENGINES = ("intent", "analytics", "solver", "knowledge", "synthesis")
DEFAULT_PORTS = {"intent": 50051, "analytics": 50052, "solver": 50053, "knowledge": 50054, "synthesis": 50055,
                 "gateway": 50050, "webui": 8020}
MAX_RESTARTS = 5


def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


@dataclass
class MeshLayout:
    """Where the mesh listens and writes; everything overridable by env so tests run next to a demo."""

    run_dir: Path
    ports: dict[str, int]
    ws_port: int
    envoy_port: int
    envoy_admin_port: int
    envoy_host: str

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "MeshLayout":
        env = {**read_dotenv(repo_root() / ".env"), **os.environ} if env is None else dict(env)
        ports = {name: int(env.get(f"{name.upper()}_PORT") or port) for name, port in DEFAULT_PORTS.items()}
        tokens = env.get("AIMEE_API_TOKENS", "").strip()
        return cls(
            run_dir=Path(env.get("AIMEE_RUN_DIR") or repo_root() / "var"),
            ports=ports,
            ws_port=int(env.get("GATEWAY_WS_PORT") or 8010),
            envoy_port=int(env.get("ENVOY_PORT") or 8000),
            envoy_admin_port=int(env.get("ENVOY_ADMIN_PORT") or 9901),
            # Without tokens the mesh listens on loopback only.
            envoy_host=env.get("ENVOY_LISTEN_HOST") or ("0.0.0.0" if tokens else "127.0.0.1"),
        )

    def child_env(self) -> dict[str, str]:
        env = {**read_dotenv(repo_root() / ".env"), **os.environ}  # the real environment wins over .env
        root = str(repo_root())
        env["PYTHONPATH"] = os.pathsep.join([root, str(repo_root() / "gen"), env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep)
        for name, port in self.ports.items():
            env[f"{name.upper()}_PORT"] = str(port)
            if name != "gateway":
                env[f"{name.upper()}_ADDR"] = f"127.0.0.1:{port}"
        env["GATEWAY_WS_PORT"] = str(self.ws_port)
        env.setdefault("CHROMADB_PATH", str(self.run_dir / "chroma"))
        env.setdefault("PYTHONUNBUFFERED", "1")
        env.setdefault("ALERT_DETECTION_INTERVAL_SECONDS", "3600")  # a running mesh detects alerts hourly
        return env


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file (comments and blanks skipped); empty values are left unset."""
    if not path.exists():
        return {}
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.split(" #")[0].strip().strip('"').strip("'")
        if value:
            values[key.strip()] = value
    return values


@dataclass
class Child:
    name: str
    argv: list[str]
    log_path: Path
    process: asyncio.subprocess.Process | None = None
    restarts: int = 0
    started_at: float = 0.0
    log_file: object = field(default=None, repr=False)


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
        admin_port=layout.envoy_admin_port, gateway_grpc_host="127.0.0.1",
        gateway_grpc_port=layout.ports["gateway"], ws_host="127.0.0.1", ws_port=layout.ws_port,
        descriptor_path=str(repo_root() / "deploy" / "gen" / "aimee.pb"),
        webui_host="127.0.0.1", webui_port=layout.ports["webui"])
    children.append(Child("envoy", [envoy_binary(), "-c", str(envoy_config), "--log-level", "warn",
                                    "--disable-hot-restart", "--concurrency", "2"], logs / "envoy.log"))
    return children


class Supervisor:
    def __init__(self, layout: MeshLayout):
        self.layout = layout
        self.children = plan_children(layout)
        self.stopping = asyncio.Event()
        self.env = layout.child_env()

    async def _spawn(self, child: Child) -> None:
        child.log_path.parent.mkdir(parents=True, exist_ok=True)
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
            child.restarts += 1
            _say(f"{child.name} exited with {code}; restart {child.restarts}/{MAX_RESTARTS}")
            if child.restarts > MAX_RESTARTS:
                _say(f"{child.name} keeps failing; giving up (see {child.log_path})")
                return
            await asyncio.sleep(min(10.0, 0.5 * 2 ** child.restarts))

    def _write_state(self) -> None:
        state = {"supervisor_pid": os.getpid(), "envoy_port": self.layout.envoy_port,
                 "children": {c.name: {"pid": c.process.pid if c.process else None, "restarts": c.restarts,
                                       "log": str(c.log_path)} for c in self.children}}
        path = self.layout.run_dir / "mesh.json"
        path.write_text(json.dumps(state, indent=2))

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
