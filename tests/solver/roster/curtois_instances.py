"""Where the Curtois instances are: ../shared/eval/curtois beside the checkout (a clean clone in CI has it
there too), else the workplace's copy; and the skip for a machine with neither."""
from __future__ import annotations

from pathlib import Path

import pytest

EVAL = Path(__file__).resolve().parents[4] / "shared" / "eval" / "curtois"
if not EVAL.exists():
    EVAL = Path("/work/shared/eval/curtois")
needs_instances = pytest.mark.skipif(not EVAL.exists(), reason="Curtois instances not present")
