"""The cell dive (services/solver/roster/cell_dive.py): from a converged master it reaches a roster that
keeps every rule, the days and cells it forced are worked and those it forbade are not, it settles days
before cells, rosters found elsewhere stay out, and the master is left as it was."""
from __future__ import annotations

import math
import time

import numpy as np
import pytest

from bench.curtois import format_solution
from services.solver.roster.cell_dive import CellDive
from services.solver.roster.colgen import ColumnGeneration, _Pricer, decompose
from services.solver.roster.curtois_reader import read
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


def _master_is_restored(cg: ColumnGeneration, value: float) -> None:
    lp = cg.master.getLp()
    assert np.all(np.asarray(lp.col_lower_)[cg.n_slack:] == 0.0)
    assert np.all(np.isinf(np.asarray(lp.col_upper_)[cg.n_slack:]))
    assert cg.solve_master() == pytest.approx(value, abs=1e-6)


def test_the_dive_reaches_a_roster_that_keeps_every_rule_and_works_its_forced_cells(model1):
    other = solve(model1, SearchParams(time_limit=10, threads=1, column_generation=False)).values
    cg, _ = converge(model1, other)                 # a roster found elsewhere: kept out of the dive
    converged = cg.master_value
    assert converged < OPTIMUM_1 - 1               # fractional: the dive has something to decide
    hidden = np.flatnonzero(~np.asarray(cg.priced))
    assert len(hidden) > 0
    used = []
    solve_master = cg.solve_master

    def watched() -> float:
        value = solve_master()
        used.append(cg.lambdas()[hidden].max())
        return value
    cg.solve_master = watched
    dive = CellDive(cg)
    roster = dive.run(time.perf_counter() + 60, 5.0)
    del cg.solve_master
    assert roster is not None
    assert max(used[:-1]) == 0.0                   # the roster from elsewhere took no part
    assert sum(len(groups) for groups in dive.forced.values()) > 0
    for e, groups in dive.forced.items():          # a cell of every forced group is worked in the roster
        own = roster[cg.dec.own_cols[e]]
        assert all(own[g].max() > 0.5 for g in groups)
    for e, positions in dive.forbidden.items():    # and no forbidden one
        own = roster[cg.dec.own_cols[e]]
        assert all(own[p] < 0.5 for p in positions)
    errors, objective = check((EVAL / "Instance1.txt").read_text(), format_solution(model1.assignment(roster)))
    assert errors == []
    assert objective == round(model1.objective(roster)) >= OPTIMUM_1
    _master_is_restored(cg, converged)


def test_a_dive_whose_lp_reaches_the_cutoff_gives_up_and_restores_the_master(model1):
    cg, _ = converge(model1)
    converged = cg.master_value
    assert CellDive(cg).run(time.perf_counter() + 60, 5.0, cutoff=math.floor(converged)) is None
    _master_is_restored(cg, converged)


def test_a_dive_whose_lp_climbs_past_its_give_up_margin_stops_and_restores_the_master(model1):
    cg, _ = converge(model1)
    converged = cg.master_value
    lines: list[str] = []
    # the LP must climb 50 from 557 to reach the optimum: a margin of 1 stops the dive on the way
    assert CellDive(cg).run(time.perf_counter() + 60, 5.0, give_up=1.0, log=lines.append) is None
    assert len(lines) == 1 and lines[0].startswith("cell dive: given up at ")
    climbed = float(lines[0].split(" at ")[1].split()[0])
    assert converged + 1.0 <= climbed + 1e-6 < OPTIMUM_1
    _master_is_restored(cg, converged)


def test_a_pricing_mip_holds_a_dives_fixings_for_one_call_only(model1):
    dec = decompose(model1)
    e = 0
    pricer = _Pricer(model1, dec.own_cols[e], dec.own_rows[e])
    cost = np.asarray(model1.arrays.cost[dec.own_cols[e]], float)
    _, free = pricer.price(cost, 5.0)
    best = free[-1]
    x_pos = np.flatnonzero(dec.own_cols[e] < len(model1.cells))
    on = int(next(p for p in x_pos if best[p] > 0.5))          # a cell its cheapest schedule works
    off = int(next(p for p in x_pos if best[p] < 0.5))         # and one it does not
    _, held = pricer.price(cost, 5.0, ([off], [on]))
    assert held and held[-1][off] > 0.5 and held[-1][on] < 0.5
    _, again = pricer.price(cost, 5.0)
    assert np.dot(cost, again[-1]) == pytest.approx(np.dot(cost, best))     # the bounds came back


def test_a_dive_settles_who_works_which_day_before_which_shift():
    model = build(read(str(EVAL / "Instance3.txt")))       # three shift types: a day is more than a cell
    cg, _ = converge(model)
    dive = CellDive(cg)
    x = cg.lp_values()[: cg.n_x]
    frac = np.flatnonzero((x > 1e-6) & (x < 1 - 1e-6))
    work = np.bincount(dive.day_of, weights=x)
    open_days = np.flatnonzero((work > 1e-6) & (work < 1 - 1e-6))
    assert len(open_days) > 0                       # the LP leaves some day worked in part
    chosen = dive._choose(x, frac, share=1 / 3, bulk=0.9)
    days = model.spec.days
    for e, (group, worked) in chosen.items():
        key = next(int(k) for k in open_days if k // days == e and np.array_equal(dive._day_group(int(k)), group))
        assert worked == (work[key] >= 0.5)         # the side the LP is surest of
        cells = cg.dec.own_cols[e][group]
        assert {model.cells[c][1] for c in cells} == {key % days}       # one day's shifts, all of them
        assert len(cells) == sum(1 for (e2, d, _) in model.cells if e2 == e and d == key % days)
    # once every day is whole, cells: a day's shift forced alone
    whole = x.copy()
    for key in open_days:
        cells = np.flatnonzero(dive.day_of == key)
        whole[cells] = 0.0
    left = np.flatnonzero((whole > 1e-6) & (whole < 1 - 1e-6))
    assert len(left) > 0                            # whole days whose shift the LP leaves open
    for e, (group, worked) in dive._choose(whole, left, share=1 / 3, bulk=0.9).items():
        assert worked and len(group) == 1
