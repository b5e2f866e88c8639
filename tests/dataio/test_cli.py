"""The CLI door (`python -m services.dataio`, what `make import/export` run): messages and exit codes."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from services.dataio.samples import FILES
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL

REPO = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=TEST_DATABASE_URL, REDIS_URL=TEST_REDIS_URL, CACHE_PREFIX="aimee-test-cli",
               PYTHONPATH=f"{REPO}:{REPO / 'gen'}")
    return subprocess.run([sys.executable, "-m", "services.dataio", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)


def test_dry_run_then_real_import_then_bad_files(imported_db, samples, tmp_path):
    dry = _cli("import", "--database", imported_db, "--kind", "shift_plans", "--file",
               str(samples / FILES["shift_plans"]), "--dry-run")
    assert dry.returncode == 0 and "確認のみ（書き込みなし）" in dry.stdout and "encoding=cp932" in dry.stdout
    real = _cli("import", "--database", imported_db, "--kind", "shift_plans", "--file", str(samples / FILES["shift_plans"]))
    assert real.returncode == 0 and "シフト計画を取り込みました" in real.stdout, real.stderr
    rejected = _cli("import", "--database", imported_db, "--kind", "attendance", "--file",
                    str(samples / "bad" / "bad_date.csv"))
    assert rejected.returncode == 1 and "3行目 勤務日: 2026-02-30 は日付ではありません" in rejected.stdout
    binary = _cli("import", "--database", imported_db, "--kind", "attendance", "--file",
                  str(samples / "bad" / "binary.csv"))
    assert binary.returncode == 2 and "バイナリファイル" in binary.stderr
    out = tmp_path / "alerts.csv"
    exported = _cli("export", "--database", imported_db, "--dataset", "alerts", "--format", "csv", "--out", str(out))
    assert exported.returncode == 0 and out.read_bytes().startswith(b"\xef\xbb\xbf")
