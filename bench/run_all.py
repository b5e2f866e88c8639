"""`make bench`: every benchmark in turn, each printing its own table.

The analytics bench uses `aimee_scale` when it exists (`make data-scale`); the mesh bench runs when a mesh
answers on ENVOY_PORT (`make up`). Nothing here is part of `make test`: speed is measured, not asserted.
"""
from __future__ import annotations

import os
import subprocess
import sys

import httpx

BENCHES = [
    ("analytics", ["-m", "bench.analytics_bench"]),
    ("solver", ["-m", "bench.solver_bench"]),
    ("knowledge", ["-m", "bench.knowledge_bench"]),
    ("intent", ["bench/intent_bench.py"]),
]


def mesh_running() -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{os.environ.get('ENVOY_PORT', '8000')}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def main() -> int:
    runs = list(BENCHES)
    if mesh_running():
        runs.append(("mesh (through Envoy)", ["-m", "bench.mesh_bench"]))
        runs.append(("console (Chromium)", ["-m", "bench.console_bench"]))
    else:
        print("mesh bench skipped: no mesh on ENVOY_PORT (run `make up` first)")
    failed = []
    for name, argv in runs:
        print(f"\n{'=' * 30} {name} {'=' * 30}", flush=True)
        if subprocess.call([sys.executable, *argv]) != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
