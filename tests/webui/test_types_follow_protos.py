"""The console's API types are generated from the protos at build time and checked by tsc: renaming a field
in a .proto makes the console fail to build (here on a copy of web/ and protos/, so nothing real changes)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
TSC = WEB / "node_modules" / "typescript" / "bin" / "tsc"


def _build_descriptor(protos: Path, out: Path) -> None:
    import google.api
    include = Path(list(google.api.__path__)[0]).parents[1]
    files = sorted(str(p.relative_to(protos)) for p in protos.rglob("*.proto"))
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{protos}", f"-I{include}", "--include_imports",
                    f"--descriptor_set_out={out}", *files], check=True, cwd=protos)


def _copy_console(tmp: Path, rename: tuple[str, str] | None) -> Path:
    shutil.copytree(REPO / "protos", tmp / "protos")
    if rename:
        proto = tmp / "protos" / "aimee" / "gateway" / "v1" / "gateway.proto"
        text = proto.read_text(encoding="utf-8")
        assert rename[0] in text
        proto.write_text(text.replace(rename[0], rename[1], 1), encoding="utf-8")
    (tmp / "deploy" / "gen").mkdir(parents=True)
    _build_descriptor(tmp / "protos", tmp / "deploy" / "gen" / "aimee.pb")
    web = tmp / "web"
    web.mkdir()
    for name in ("scripts", "src"):
        shutil.copytree(WEB / name, web / name, ignore=shutil.ignore_patterns("gen"))
    shutil.copy(WEB / "tsconfig.json", web / "tsconfig.json")
    (web / "node_modules").symlink_to(WEB / "node_modules")
    subprocess.run(["node", "scripts/gen-types.mjs"], cwd=web, check=True, capture_output=True)
    return web


@pytest.mark.skipif(not TSC.exists(), reason="web/node_modules missing: make web installs it")
def test_a_renamed_proto_field_fails_the_console_typecheck(tmp_path):
    web = _copy_console(tmp_path, ("  double coverage_pct = 5;", "  double coverage_percent = 5;"))
    generated = (web / "src" / "api" / "gen" / "types.ts").read_text(encoding="utf-8")
    assert "coverage_percent: number;" in generated
    check = subprocess.run(["node", str(TSC), "--noEmit", "-p", "tsconfig.json"], cwd=web,
                           capture_output=True, text=True, timeout=300)
    assert check.returncode != 0
    assert "Property 'coverage_pct' does not exist on type 'Gateway_ConstraintCheck'" in check.stdout
