"""Envoy's admin in the running mesh: a 0600 unix socket in the run dir that the operator's tools use
(`make status`, the container healthcheck); nothing admin answers on any TCP port."""
from __future__ import annotations

import json
import stat
import subprocess
import sys

import httpx

from tests.e2e.conftest import REPO


def test_admin_is_the_run_dirs_socket_and_status_reads_it(mesh, http):
    socket_path = mesh.run_dir / "envoy-admin.sock"
    mode = socket_path.stat().st_mode
    assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600
    config = json.loads((mesh.run_dir / "envoy.json").read_text())
    assert config["admin"]["address"] == {"pipe": {"path": str(socket_path), "mode": 0o600}}
    assert "ENVOY_ADMIN_PORT" not in mesh.env

    status = subprocess.run([sys.executable, "-m", "services.launcher", "status"], cwd=str(REPO), env=mesh.env,
                            capture_output=True, text=True, timeout=60)
    assert "envoy admin LIVE" in status.stdout, status.stdout + status.stderr
    check = subprocess.run([sys.executable, "deploy/healthcheck.py", f"unix:{socket_path}", "/ready"],
                           cwd=str(REPO), capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    # The public listener does not serve admin paths: they fall to the console's static server (a GET is its
    # page, never Envoy's config; a POST is refused) and Envoy stays up.
    assert http.post("/quitquitquit").status_code in (404, 405)
    dump = http.get("/config_dump")
    assert dump.status_code in (200, 404) and "grpc_json_transcoder" not in dump.text
    with httpx.Client(transport=httpx.HTTPTransport(uds=str(socket_path)), timeout=5) as admin:
        assert "grpc_json_transcoder" in admin.get("http://envoy-admin/config_dump").text
    assert http.get("/health").status_code == 200  # still up
