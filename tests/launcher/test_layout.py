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
