"""Static server settings: where it listens and which build it serves."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from services.common import config as env

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = env.DEFAULT_PORTS["webui"]
    dist: Path = REPO_ROOT / "web" / "dist"

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(host=env.bind_host(), port=env.service_port("webui"),
                   dist=Path(env.env_str("WEBUI_DIST", str(REPO_ROOT / "web" / "dist"))))
