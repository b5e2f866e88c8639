"""The Curtois benchmark through `python -m bench.curtois`: every written solution passes the independent
checker, the printed objective is the checker's, and Instance1 reaches its proven optimum (607)."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from bench.curtois import main
from tests.solver.roster.curtois_checker import check
from tests.solver.roster.curtois_instances import EVAL, needs_instances

OPTIMUM = {1: 607, 2: 828, 3: 1001}


def _run(i: int, seconds: float, tmp_path: Path) -> tuple[str, str, dict[str, str]]:
    inst = EVAL / f"Instance{i}.txt"
    out = tmp_path / f"sol{i}.txt"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main([str(inst), "--time-limit", str(seconds), "--out", str(out)]) == 0
    lines = [ln.split(" ") for ln in buf.getvalue().strip().splitlines() if ln.split(" ")[0] in
             ("objective", "bound", "status")]
    printed = {ln[0]: ln[1] for ln in lines}
    assert buf.getvalue().strip().splitlines()[-1].startswith("objective ")
    return inst.read_text(), out.read_text(), printed


pytestmark = needs_instances


@pytest.fixture(scope="module")
def instance1(tmp_path_factory):
    """Solved once; the run stops as soon as HiGHS proves 607 (2-9 s here), 30 s is only the ceiling."""
    return _run(1, 30, tmp_path_factory.mktemp("curtois"))


def test_instance1_reaches_the_optimum(instance1):
    inst, sol, printed = instance1
    violations, objective = check(inst, sol)
    assert violations == []
    assert objective == int(printed["objective"]) == OPTIMUM[1]
    assert int(printed["bound"]) <= OPTIMUM[1]


@pytest.mark.parametrize("i", [2, 3])
def test_short_runs_are_feasible_and_priced_right(i, tmp_path):
    inst, sol, printed = _run(i, 3, tmp_path)
    violations, objective = check(inst, sol)
    assert violations == []
    assert objective == int(printed["objective"])
    assert int(printed["bound"]) <= OPTIMUM[i] <= objective


def test_checker_catches_each_broken_rule(instance1):
    """The checker is only worth something if it fails: break a valid solution rule by rule."""
    inst, sol, _ = instance1
    rows = [ln.split("\t") for ln in sol.splitlines()]

    def broken(edit) -> list[str]:
        copy = [r[:] for r in rows]
        edit(copy)
        return check(inst, "".join("\t".join(r) + "\n" for r in copy))[0]

    # Instance1: A has day 0 off; max 5 in a row; min 2 in a row; min 2 days off; 1 weekend max.
    assert any("fixed day off" in v for v in broken(lambda r: r[0].__setitem__(0, "D")))
    assert any("in a row >" in v or "minutes outside" in v for v in broken(lambda r: r[1].__setitem__(slice(0, 14), ["D"] * 14)))
    assert any("weekends" in v for v in broken(lambda r: r[2].__setitem__(slice(5, 14), ["D", "", "", "", "", "", "", "D", ""])))
    assert any("unknown shift" in v for v in broken(lambda r: r[3].__setitem__(3, "X")))
    assert any("lines for" in v for v in broken(lambda r: r.pop()))


def test_checker_prices_the_objective_from_the_weights():
    inst = (EVAL / "Instance1.txt").read_text()
    empty = "".join("\t" * 13 + "\n" for _ in range(8))
    violations, objective = check(inst, empty)
    cover = sum(int(line.split(",")[2]) * 100 for line in inst.split("SECTION_COVER")[1].splitlines()
                if line and not line.startswith("#"))
    on = 2 * 2 + 3 * 5 + 1 * 5 + 2 * 2 + 2 * 2 + 1 * 5
    assert objective == cover + on
    assert any("minutes outside" in v for v in violations)
