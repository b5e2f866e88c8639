"""The one reader of `.env`, for every entry point: the launcher merges it into its children's environment,
and `python -m services.common.dotenv MODULE [ARGS...]` runs any other entry point (make data,
make migrate-knowledge) with it applied, so they all write into the same database and Redis.

The real environment always wins over `.env`; empty values in `.env` are left unset. AIMEE_DOTENV names
another file (tests); stdlib only, so it runs before anything else is set up.
"""
from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def dotenv_path() -> Path:
    return Path(os.environ.get("AIMEE_DOTENV") or REPO_ROOT / ".env")


def read_dotenv(path: Path | None = None) -> dict[str, str]:
    """KEY=VALUE lines of a .env file (comments and blanks skipped); empty values are left unset."""
    path = dotenv_path() if path is None else path
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


def merged_environment() -> dict[str, str]:
    """`.env` under the real environment (which wins)."""
    return {**read_dotenv(), **os.environ}


def apply_dotenv() -> None:
    """Put `.env`'s values into os.environ where the environment does not set them already."""
    for key, value in read_dotenv().items():
        os.environ.setdefault(key, value)


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: python -m services.common.dotenv MODULE [ARGS...]")
    module = sys.argv[1]
    sys.argv = [module, *sys.argv[2:]]
    apply_dotenv()
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
