"""The dive helper (services/solver/roster/dive_helper.py): a model crosses to another process whole, the
helper's dives from the search's master give rosters that keep every rule, its cutoff stops them, it is
gone once closed, and the search on a medium model dives in both processes and lets the LNS wait."""
from __future__ import annotations

import math
import pickle
import threading
import time

import highspy
import numpy as np
import pytest

from bench.curtois import format_solution
from services.solver.roster import search
from services.solver.roster.curtois_reader import read
from services.solver.roster.dive_helper import DiveHelper
from services.solver.roster.model import build
from services.solver.roster.search import SearchParams, solve
from tests.solver.roster.converged import converge
from tests.solver.roster.curtois_checker import check
from tests.solver.roster.curtois_instances import EVAL, needs_instances

pytestmark = needs_instances
OPTIMUM_1 = 607          # Instance1, proven optimal; its master LP is fractional (557)


@pytest.fixture(scope="module")
def model1():
    return build(read(str(EVAL / "Instance1.txt")))


def _lp_value(lp: highspy.HighsLp) -> float:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)         # as every HiGHS here: its scheduler is process-wide, set once
    h.passModel(lp)
    h.changeColsIntegrality(lp.num_col_, np.arange(lp.num_col_, dtype=np.int32),
                            np.full(lp.num_col_, highspy.HighsVarType.kContinuous))
    h.run()
    return h.getInfo().objective_function_value


def test_a_model_pickles_with_its_lp_and_keeps_its_objective(model1):
    copy = pickle.loads(pickle.dumps(model1))
    for name in ("cost", "lo", "hi", "rlo", "rhi", "start", "index", "value", "integer"):
        assert np.array_equal(getattr(copy.arrays, name), getattr(model1.arrays, name)), name
    assert copy.arrays.offset == model1.arrays.offset
    assert (copy.cells, copy.cover_cols, copy.by_employee) == (model1.cells, model1.cover_cols, model1.by_employee)
    roster = solve(model1, SearchParams(time_limit=5, threads=1, column_generation=False)).values
    assert copy.objective(roster) == pytest.approx(model1.objective(roster))
    assert _lp_value(copy.lp) == pytest.approx(_lp_value(model1.lp))


def _helper_rosters(model, cg, seconds: float, best: float = math.inf) -> tuple[list[np.ndarray], float]:
    helper = DiveHelper(model, seed=1)
    got: list[np.ndarray] = []
    lock = threading.Lock()

    def keep(values) -> None:
        with lock:
            got.append(values)
    try:
        helper.cut(best)
        began = time.perf_counter()
        helper.dive(list(cg.columns), list(cg.priced), began + seconds, 5.0, keep)
        helper.wait(began + seconds + 10)
        waited = time.perf_counter() - began
    finally:
        helper.close()
    assert not helper.alive
    return got, waited


def test_the_helpers_dives_from_the_searchs_master_keep_every_rule(model1):
    cg, _ = converge(model1)
    rosters, _ = _helper_rosters(model1, cg, 20.0)
    assert rosters
    for roster in rosters:
        errors, objective = check((EVAL / "Instance1.txt").read_text(), format_solution(model1.assignment(roster)))
        assert errors == []
        assert objective == round(model1.objective(roster)) >= OPTIMUM_1


def test_the_helpers_dives_stop_at_its_cutoff(model1):
    cg, _ = converge(model1)
    rosters, waited = _helper_rosters(model1, cg, 20.0, best=math.floor(cg.master_value))
    assert rosters == []                       # every dive's LP starts at the cutoff: none goes down
    assert waited < 20.0                       # and it said so before its time was up


def test_closing_a_helper_that_never_dived_ends_its_process(model1):
    helper = DiveHelper(model1, seed=1)
    helper.close()
    assert not helper.alive
    helper.close()                             # twice is harmless


def test_a_medium_model_dives_in_both_processes_while_the_lns_waits(model1, monkeypatch):
    monkeypatch.setattr(search, "SMALL_X_COLUMNS", 0)          # Instance1 passes for a medium model here
    monkeypatch.setattr(search, "MEDIUM_X_COLUMNS", len(model1.cells))
    made: list[DiveHelper] = []
    pauses: list[threading.Event] = []          # the search's pause event, once it exists
    paused_moves: list[int] = []

    class Watched(DiveHelper):
        def __init__(self, *args) -> None:
            super().__init__(*args)
            made.append(self)

    shared_init, lns_pick = search._Shared.__init__, search._Neighbourhoods.pick

    def init(self, *args) -> None:
        shared_init(self, *args)
        pauses.append(self.pause)

    def pick(self, values, share):
        if pauses[0].is_set():
            paused_moves.append(1)
        return lns_pick(self, values, share)
    monkeypatch.setattr(search, "DiveHelper", Watched)
    monkeypatch.setattr(search._Neighbourhoods, "pick", pick)
    monkeypatch.setattr(search._Shared, "__init__", init)
    result = solve(model1, SearchParams(time_limit=20, seed=1))
    assert len(made) == 1 and not made[0].alive
    assert made[0]._reader is not None                       # it was handed the master
    assert paused_moves == []                                # no LNS move while the dives ran
    assert not pauses[0].is_set()
    errors, objective = check((EVAL / "Instance1.txt").read_text(),
                              format_solution(model1.assignment(result.values)))
    assert errors == [] and objective == round(result.objective) >= OPTIMUM_1
