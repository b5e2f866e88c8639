"""bench/solver_bench.py compares HiGHS and CP-SAT on the same model: CP-SAT's integer coefficients must stay
within 0.1 % of the float model's (they were rounded by > 1 % on 830 of 3,417 columns), and it gets as many
workers as the machine has cores."""
from __future__ import annotations

import os

import numpy as np
import pytest

from bench import solver_bench
from services.solver.instance import SolveParams
from services.solver.model import build
from services.solver.synthetic import generate


def test_integer_scale_is_exact_to_the_tolerance():
    values = np.array([0.04344, 4.764, 0.874, 100.0, 0.0])
    scale = solver_bench.integer_scale(values)
    assert scale == 100_000
    assert solver_bench._relative_error(values, scale).max() < 1e-9
    assert solver_bench.integer_scale(np.array([1.0, 2.0, 0.0])) == 1


def test_cpsat_sees_the_same_model():
    pytest.importorskip("ortools", reason="bench dependency (requirements-bench.txt)")
    lp = build(generate(60, 12, seed=1), SolveParams(decompose=False)).lp
    _, xs, integer, _, _, info = solver_bench.translate(lp)
    assert len(xs) == lp.num_col_ == info.columns and integer.any()
    assert info.off_columns == 0 and info.max_row_error < 1e-3 and info.max_obj_error < 1e-3


def test_cpsat_workers_default_to_the_machine_cores(monkeypatch):
    seen = {}
    monkeypatch.setattr(solver_bench, "run_highs", lambda inst, limit, gap, decompose: (
        solver_bench.Run(1.0, 1.0, 1.0, 0.0, "Optimal"), 1, 1))

    def fake_cpsat(lp, limit, gap, workers):
        seen["workers"] = workers
        return solver_bench.Run(1.0, 1.0, 1.0, 0.0, "OPTIMAL"), solver_bench.Translation(0.0, 0.0, 0, 1, 1)
    monkeypatch.setattr(solver_bench, "run_cpsat", fake_cpsat)
    pytest.importorskip("ortools", reason="bench dependency (requirements-bench.txt)")
    solver_bench.main(["--sizes", "15", "--seeds", "1", "--no-whole-day"])
    assert seen["workers"] == os.cpu_count()
