"""Column generation on its own: the employee blocks are exact, the master's bound is valid and at least
the compact LP's, and a roster from the master satisfies every rule (the independent checker says so)."""
from __future__ import annotations

import dataclasses
import math
import time

import highspy
import numpy as np
import pytest

from bench.curtois import format_solution
from services.solver.roster.colgen import decompose
from services.solver.roster.curtois_reader import read
from services.solver.roster.model import build
from services.solver.roster.search import SearchParams, _rens_roster, _Shared, solve
from tests.solver.roster.converged import converge
from tests.solver.roster.curtois_checker import check
from tests.solver.roster.curtois_instances import EVAL, needs_instances

pytestmark = needs_instances
OPTIMUM_2 = 828      # Instance2, proven optimal (README of the instances)


@pytest.fixture(scope="module")
def model2():
    return build(read(str(EVAL / "Instance2.txt")))


def _lp_bound(model) -> float:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solve_relaxation", True)      # the LP of the compact model, leaving model.lp as it is
    h.passModel(model.lp)
    h.run()
    return h.getInfo().objective_function_value


def test_blocks_are_each_employees_own_rows(model2):
    dec = decompose(model2)
    assert dec is not None
    assert len(dec.link_rows) == len(model2.cover_cols)
    owner = {}
    for e, cols in enumerate(dec.own_cols):
        for c in cols:
            assert c not in owner
            owner[int(c)] = e
    assert all(owner[c] == e for c, (e, _, _) in enumerate(model2.cells))      # every x is its employee's
    lp = model2.lp
    start, index = np.asarray(lp.a_matrix_.start_), np.asarray(lp.a_matrix_.index_)
    for e, rows in enumerate(dec.own_rows):
        for r in rows:
            assert {owner[int(c)] for c in index[start[r]:start[r + 1]]} == {e}
    assert sum(len(r) for r in dec.own_rows) + len(dec.link_rows) == lp.num_row_


def test_a_row_across_two_employees_is_not_decomposed(model2):
    lp = build(read(str(EVAL / "Instance2.txt"))).lp           # a copy, row-wise as build writes it
    a, b = model2.by_employee[0][0], model2.by_employee[1][0]
    m = lp.a_matrix_
    m.start_ = np.append(np.asarray(m.start_), len(m.index_) + 2).astype(np.int32)
    m.index_ = np.append(np.asarray(m.index_), [a, b]).astype(np.int32)
    m.value_ = np.append(np.asarray(m.value_), [1.0, 1.0])
    lp.a_matrix_ = m
    lp.row_lower_ = np.append(np.asarray(lp.row_lower_), -highspy.kHighsInf)
    lp.row_upper_ = np.append(np.asarray(lp.row_upper_), 1.0)
    lp.num_row_ += 1
    assert decompose(dataclasses.replace(model2, lp=lp)) is None


def test_converged_master_bounds_the_optimum_and_beats_the_compact_lp(model2):
    cg, bounds = converge(model2)
    assert max(bounds) <= OPTIMUM_2 + 1e-6                       # a valid lower bound throughout
    assert abs(bounds[-1] - cg.master_value) < 1e-4              # converged: no column prices out
    assert cg.master_value >= _lp_bound(model2) - 1e-6           # the schedules' hull is inside the LP's
    values = cg.roster(20.0)
    assert values is not None
    text = (EVAL / "Instance2.txt").read_text()
    errors, objective = check(text, format_solution(model2.assignment(values)))
    assert errors == []
    assert objective == round(model2.objective(values)) >= OPTIMUM_2


def test_search_with_column_generation_proves_instance1():
    model = build(read(str(EVAL / "Instance1.txt")))
    result = solve(model, SearchParams(time_limit=30, threads=2))
    assert result.proven and round(result.objective) == 607
    assert any(src == "cg" for _, _, src in result.history)       # the master gave a roster on the way
    assert math.isfinite(result.bound) and result.bound == 607


def test_dive_fixes_priced_schedules_leaves_few_and_restores_the_master(model2):
    other = solve(model2, SearchParams(time_limit=10, threads=1, column_generation=False)).values
    cg, _ = converge(model2, other)              # an optimal roster found elsewhere: kept out of the dive
    converged = cg.master_value
    hidden = np.flatnonzero(~np.asarray(cg.priced)) + cg.n_slack
    assert len(hidden) > 0
    seen = []
    solve_master = cg.solve_master

    def watched() -> float:
        value = solve_master()
        seen.append(cg.lambdas()[hidden - cg.n_slack].max())
        return value
    cg.solve_master = watched
    values, fractional = cg.dive(math.inf, 5.0, leave=2, climb=math.inf)
    del cg.solve_master
    assert max(seen[:-1]) == 0.0                  # no roster column was used while diving
    assert len(fractional) <= 2
    for e, cols in enumerate(cg.dec.own_cols):    # everyone holds one of their own master columns
        assert (e, np.round(values[cols], 6).tobytes()) in cg.where
    lp = cg.master.getLp()                        # the master is as it was: no bound left behind
    assert np.all(np.asarray(lp.col_lower_)[cg.n_slack:] == 0.0)
    assert np.all(np.isinf(np.asarray(lp.col_upper_)[cg.n_slack:]))
    assert abs(cg.solve_master() - converged) < 1e-6
    free = np.array([c for e in fractional for c in model2.by_employee[e]], dtype=np.int32)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    roster = cg.sub.solve(h, values, free)
    errors, objective = check((EVAL / "Instance2.txt").read_text(), format_solution(model2.assignment(roster)))
    assert errors == [] and objective == round(model2.objective(roster)) >= OPTIMUM_2


def test_rens_keeps_the_lp_integral_cells_and_its_roster_keeps_every_rule():
    model = build(read(str(EVAL / "Instance1.txt")))      # its master LP is fractional: 557 against 607
    cg, _ = converge(model)
    lp_values = cg.lp_values()
    master = np.asarray(cg.master.getSolution().col_value, float)
    slack_cost = float(np.dot(cg.cost[cg.dec.slack_cols], master[: cg.n_slack]))
    own = np.concatenate(cg.dec.own_cols)       # the schedules' cost, weighted as the master weighs them
    assert float(np.dot(cg.cost[own], lp_values[own])) + slack_cost + model.arrays.offset == \
        pytest.approx(cg.master_value, abs=1e-6)
    x = lp_values[: len(model.cells)]
    integral = (x <= 1e-6) | (x >= 1 - 1e-6)
    assert 0 < integral.sum() < len(x)          # something to fix and something left to choose
    shared = _Shared(model, time.perf_counter(), log=False)
    assert _rens_roster(model, cg, shared, time.perf_counter() + 20, SearchParams(time_limit=20))
    best, roster, _ = shared.snapshot()
    assert np.array_equal(np.round(roster[: len(x)])[integral], np.round(x[integral]))
    assert all(src.startswith("cg:rens:") for _, _, src in shared.history)
    errors, objective = check((EVAL / "Instance1.txt").read_text(), format_solution(model.assignment(roster)))
    assert errors == [] and objective == round(best) >= 607
