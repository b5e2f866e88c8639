"""The LNS pieces on their own: a cut-out sub-MIP keeps every row of the full model, and penalty-directed
neighbourhoods free the cells where the incumbent pays."""
from __future__ import annotations

import random
import time

import numpy as np
import pytest

import services.solver.roster.search as search
from services.solver.roster.colgen import ColumnGeneration, decompose
from services.solver.roster.curtois_reader import read
from services.solver.roster.model import build
from services.solver.roster.search import _Neighbourhoods, _highs, SearchParams, solve
from services.solver.roster.submip import SubMip
from tests.solver.roster.curtois_instances import EVAL, needs_instances

pytestmark = needs_instances


def _first_incumbent(model) -> np.ndarray:
    """The full MIP's first incumbent: far from optimal, room to improve."""
    h = _highs(20, 1)
    h.passModel(model.lp)
    h.setOptionValue("mip_max_improving_sols", 1)
    h.run()
    return np.asarray(h.getSolution().col_value, float)


@pytest.fixture(scope="module")
def start():
    model = build(read(str(EVAL / "Instance2.txt")))
    return model, _first_incumbent(model)


def _feasible(model, values) -> bool:
    lp = model.lp
    start, index, value = (np.asarray(a) for a in (lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_))
    act = np.add.reduceat(value * values[index], start[:-1])
    return bool(np.all(act >= np.asarray(lp.row_lower_) - 1e-6) and np.all(act <= np.asarray(lp.row_upper_) + 1e-6)
                and np.all(values >= np.asarray(lp.col_lower_) - 1e-6)
                and np.all(values <= np.asarray(lp.col_upper_) + 1e-6))


def test_cut_out_sub_mip_improves_and_stays_feasible_in_the_full_model(start):
    model, values = start
    assert _feasible(model, values)
    sub = SubMip(model)
    h = _highs(5, 1)
    free = np.asarray([c for e in (0, 1, 2) for c in model.by_employee[e]], dtype=np.int32)
    out = sub.solve(h, values, free)
    assert out is not None and _feasible(model, out)
    assert model.objective(out) <= model.objective(values) + 1e-6
    fixed = np.setdiff1d(np.arange(len(model.cells)), free)
    assert np.array_equal(np.round(out[fixed]), np.round(values[fixed]))      # only the freed cells moved
    # the whole staff freed is the full MIP: the sub-MIP must then reach the full model's optimum, 828
    everyone = np.arange(len(model.cells), dtype=np.int32)
    best = sub.solve(_highs(30, 1), values, everyone)
    assert round(model.objective(best)) == 828


def test_cover_neighbourhoods_free_the_short_day(start):
    model, values = start
    hoods = _Neighbourhoods(model, random.Random(1))
    short = [d for d, s, u, o in model.cover_cols if values[u] > 0.5]
    assert short, "the first incumbent leaves some cover short"
    hoods.score = {k: (1.0 if k == "cover_days" else 0.0) for k in hoods.KINDS}
    for _ in range(10):
        kind, cols, _ = hoods.pick(values, 0.5)
        assert kind == "cover_days"
        days = {model.cells[c][1] for c in cols}
        assert days & {d for d, s, u, o in model.cover_cols if values[u] > 0.5 or values[o] > 0.5}


def test_coarse_moves_stop_short_of_a_whole_shortfall_and_only_while_cover_is_short(start):
    model, values = start
    hoods = _Neighbourhoods(model, random.Random(3))
    unders = [model.lp.col_cost_[u] for d, s, u, o in model.cover_cols]
    gaps = {hoods.gap(hoods.pick(values, 1.0)[2]) for _ in range(30)}
    assert 0.9 * min(unders) in gaps          # coarse: a sub-MIP may stop within 90 % of one shortfall
    assert {hoods.gap(hoods.pick(values, 0.0)[2]) for _ in range(30)} == {1.0 - 1e-6}   # fine: one weight unit
    covered = values.copy()
    covered[[u for d, s, u, o in model.cover_cols]] = 0.0
    assert {hoods.gap(hoods.pick(covered, 1.0)[2]) for _ in range(30)} == {1.0 - 1e-6}


def test_each_kind_keeps_its_own_size(start):
    model, _ = start
    hoods = _Neighbourhoods(model, random.Random(1))
    before = dict(hoods.target)
    for _ in range(5):
        hoods.feedback("employees", False, False, True, False)    # timed out: shrink employees only
    assert hoods.target["employees"] < before["employees"]
    assert all(hoods.target[k] == before[k] for k in before if k != "employees")
    assert hoods.target["days"] >= min(len(model.cells), 7 * hoods.per_day, 2000) - 1e-9


def test_the_mip_hands_over_only_once_a_roster_exists():
    """With no time share at all the full MIP still runs until its first roster; the LNS needs a start."""
    model = build(read(str(EVAL / "Instance4.txt")))
    result = solve(model, SearchParams(time_limit=4.0, threads=2, mip_share=0.0))
    assert result.values is not None and result.lns_moves > 0


def test_once_a_roster_exists_the_masters_mip_waits_for_convergence(monkeypatch):
    """While the LNS has a roster, small models solve the master as a MIP once, at convergence: a master
    MIP during pricing held convergence off (a 20-staff cut of Instance8: 18-23 s against 6-7 s)."""
    model = build(read(str(EVAL / "Instance5.txt")))
    params = SearchParams(time_limit=60, dive=False, cell_dive=False)
    shared = search._Shared(model, time.perf_counter(), False)
    shared.offer(_first_incumbent(model), "test")          # a roster exists: the LNS does not wait
    rounds, calls = [0], []
    real_price = ColumnGeneration.price

    def counting_price(self, *args, **kwargs):
        rounds[0] += 1
        return real_price(self, *args, **kwargs)

    def fruitless(cg, shared_, time_limit):
        calls.append(rounds[0])
        return False

    monkeypatch.setattr(ColumnGeneration, "price", counting_price)
    monkeypatch.setattr(search, "_master_roster", fruitless)
    assert search._column_generation(model, decompose(model), shared, time.perf_counter() + 60, params)
    assert rounds[0] > 6, "Instance5 takes several pricing rounds to converge"
    assert calls == [rounds[0]], "the master's MIP ran once, after the last pricing round"


@pytest.mark.parametrize("above_root, draws, began", [(2.0, "several", 0.0), (0.1, "one", 0.0),
                                                      (2.0, "several", 4.0)])
def test_small_models_dive_again_only_while_the_best_is_a_cover_unit_above_the_lp(above_root, draws, began,
                                                                                  monkeypatch):
    """On a small model, alone, another cell dive is drawn after one that brought nothing only while the
    best so far is about a cover unit (redive_gap of the largest cover weight) above the master's LP; dives
    that start past helper_dives_until of the time (`began` seconds into 6) still have their share."""
    from tests.solver.roster.converged import converge

    model = build(read(str(EVAL / "Instance1.txt")))
    cg, _ = converge(model)
    unit = float(cg.cost[cg.dec.slack_cols].max())
    shared = search._Shared(model, time.perf_counter() - began, False)
    shared.best = cg.master_value + above_root * unit           # the best so far, as the LNS left it
    runs = []

    def fruitless(self, *args, **kwargs):
        runs.append(1)
        time.sleep(0.02)
        return None                                             # cut off: no roster
    monkeypatch.setattr(search.CellDive, "run", fruitless)
    params = SearchParams(time_limit=6.0, cell_dive_share=0.25, redive_gap=0.8)   # dives for 1.5 s at least
    assert not search._cell_dive_roster(model, cg, shared, time.perf_counter() + 6.0 - began, params)
    assert (len(runs) > 3) if draws == "several" else (len(runs) == 1)


def test_a_thread_stuck_past_the_deadline_is_left_behind_and_the_best_roster_returned(monkeypatch):
    model = build(read(str(EVAL / "Instance1.txt")))
    release = search.threading.Event()
    real_lns, calls = search._lns, []

    def stuck_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:                     # as a HiGHS run that ignores its time limit
            release.wait(60)
            return None
        return real_lns(*args, **kwargs)
    monkeypatch.setattr(search, "_lns", stuck_once)
    params = SearchParams(time_limit=2.0, threads=2, column_generation=False)
    began = time.perf_counter()
    try:
        result = solve(model, params)
        took = time.perf_counter() - began
    finally:
        release.set()
    assert result.stuck_threads == 1
    assert result.values is not None            # the full MIP's roster
    assert params.time_limit + search.STUCK_GRACE - 0.5 < took < params.time_limit + search.STUCK_GRACE + 2.0
