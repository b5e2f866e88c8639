"""The launcher's settings: .env parsing, ports from the environment, loopback unless tokens are set."""
from __future__ import annotations

from services.launcher.supervisor import MeshLayout, read_dotenv


def test_read_dotenv(tmp_path):
    path = tmp_path / ".env"
    path.write_text("# comment\nENVOY_PORT=8100\nEMPTY=\nQUOTED=\"a b\"\nWITH_COMMENT=5 # five\n\nBROKEN\n",
                    encoding="utf-8")
    assert read_dotenv(path) == {"ENVOY_PORT": "8100", "QUOTED": "a b", "WITH_COMMENT": "5"}
    assert read_dotenv(tmp_path / "missing") == {}


def test_layout_ports_and_bind_host(tmp_path):
    layout = MeshLayout.from_env({"ENVOY_PORT": "18000", "SOLVER_PORT": "15053", "AIMEE_RUN_DIR": str(tmp_path)})
    assert layout.envoy_port == 18000 and layout.ports["solver"] == 15053 and layout.ports["intent"] == 50051
    assert layout.envoy_host == "127.0.0.1"  # no tokens: loopback only
    assert MeshLayout.from_env({"AIMEE_API_TOKENS": "t"}).envoy_host == "0.0.0.0"
    env = layout.child_env()
    assert env["SOLVER_ADDR"] == "127.0.0.1:15053" and env["SOLVER_PORT"] == "15053"


def test_every_child_gets_the_internal_token_written_0600_in_the_run_dir(tmp_path, monkeypatch):
    import json
    import stat

    from services.launcher.supervisor import Supervisor

    monkeypatch.delenv("INTERNAL_TOKEN", raising=False)
    monkeypatch.setenv("INTERNAL_TOKEN_FILE", "/nonexistent")  # the supervisor's own token wins for children
    layout = MeshLayout.from_env({"AIMEE_RUN_DIR": str(tmp_path)})
    first = Supervisor(layout)
    token = first.env["INTERNAL_TOKEN"]
    assert len(token) >= 32 and "INTERNAL_TOKEN_FILE" not in first.env
    assert layout.token_path.read_text().strip() == token
    assert stat.S_IMODE(layout.token_path.stat().st_mode) == 0o600
    assert Supervisor(layout).env["INTERNAL_TOKEN"] != token  # a fresh one per launch

    chosen = tmp_path / "chosen"
    chosen.write_text("token-from-a-file\n")
    monkeypatch.setenv("INTERNAL_TOKEN_FILE", str(chosen))
    assert Supervisor(layout).env["INTERNAL_TOKEN"] == "token-from-a-file"
    monkeypatch.setenv("INTERNAL_TOKEN", "operator-chosen-token")
    assert Supervisor(layout).env["INTERNAL_TOKEN"] == "operator-chosen-token"
    assert layout.token_path.read_text().strip() == "operator-chosen-token"

    # Envoy's admin: the run dir's unix socket, mode 0600, no TCP port.
    assert layout.envoy_admin_socket == tmp_path / "envoy-admin.sock"
    admin = json.loads((tmp_path / "envoy.json").read_text())["admin"]["address"]
    assert admin == {"pipe": {"path": str(tmp_path / "envoy-admin.sock"), "mode": 0o600}}
