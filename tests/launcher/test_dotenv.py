"""Every entry point reads the same settings: `.env` under the real environment, through one reader —
the launcher's children and `make data` / `make migrate-knowledge` (run via services.common.dotenv)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
from services.common import config
from services.analytics.config import Settings
from db.connect import parse_database_url
s = Settings.from_env()
print(parse_database_url()["database"], config.redis_url(), s.cache_prefix, s.database_url)
"""


def _run(tmp_path: Path, env_extra: dict) -> str:
    (tmp_path / "probe_settings.py").write_text(PROBE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CACHE_PREFIX")}
    env.update({"AIMEE_DOTENV": str(tmp_path / ".env"),
                "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "gen"), str(tmp_path)]), **env_extra})
    return subprocess.run([sys.executable, "-m", "services.common.dotenv", "probe_settings"], cwd=str(REPO),
                          env=env, capture_output=True, text=True, timeout=60, check=True).stdout.split()


def test_entry_points_read_dotenv_and_the_environment_wins(tmp_path):
    (tmp_path / ".env").write_text("DATABASE_URL=mysql://root@127.0.0.1:3306/other_db\n"
                                   "REDIS_URL=redis://127.0.0.1:6379/9\nCACHE_PREFIX=other\n", encoding="utf-8")
    assert _run(tmp_path, {}) == ["other_db", "redis://127.0.0.1:6379/9", "other",
                                  "mysql://root@127.0.0.1:3306/other_db"]
    assert _run(tmp_path, {"CACHE_PREFIX": "mine"})[2] == "mine"


def test_make_data_and_migrate_run_through_the_reader():
    out = subprocess.run(["make", "-n", "data", "migrate-knowledge"], cwd=str(REPO),
                         capture_output=True, text=True, timeout=60).stdout
    modules = ("db.load", "services.analytics.backfill", "services.knowledge.migrate")
    runs = [line for line in out.splitlines() if any(f" {m} " in f"{line} " for m in modules)]
    assert len(runs) == 3 and all("-m services.common.dotenv " in line for line in runs), out
    assert "aimee_db" not in out  # no hard-coded database: the one of DATABASE_URL
