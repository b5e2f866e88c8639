"""Best-response descent: its cover costs are exact for one person, each sweep never makes the roster
worse, and what it returns passes the independent checker."""
from __future__ import annotations


import numpy as np
import pytest

from bench.curtois import format_solution
from services.solver.roster.colgen import decompose
from services.solver.roster.curtois_reader import read
from services.solver.roster.descent import Descent
from services.solver.roster.model import build
from services.solver.roster.search import SMALL_X_COLUMNS, SearchParams, solve
from tests.solver.roster.curtois_checker import check
from tests.solver.roster.curtois_instances import EVAL, needs_instances

pytestmark = needs_instances


@pytest.fixture(scope="module")
def model5():
    return build(read(str(EVAL / "Instance5.txt")))


def test_sweeps_descend_to_a_roster_no_one_can_improve_alone(model5):
    descent = Descent(model5, decompose(model5), seed=3)
    assert descent.exact
    values = descent.start(1.0)
    history = [model5.objective(values)]
    for _ in range(30):
        values, changed = descent.sweep(values, 1.0, float("inf"))
        history.append(model5.objective(values))
        if not changed:
            break
    assert changed == 0, "the descent did not settle"
    assert all(b <= a + 1e-6 for a, b in zip(history, history[1:]))     # never worse
    assert history[-1] < 0.5 * history[0]                               # and far better than the start
    text = (EVAL / "Instance5.txt").read_text()
    errors, objective = check(text, format_solution(model5.assignment(values)))
    assert errors == [] and objective == round(history[-1])
    # a local optimum: re-pricing any one person against the others finds nothing cheaper
    again, changed = descent.sweep(values, 1.0, float("inf"))
    assert changed == 0 and model5.objective(again) == pytest.approx(history[-1])


def test_one_persons_move_costs_what_the_model_says(model5):
    """The linear cover costs a sweep prices with equal the model's objective change for that person."""
    descent = Descent(model5, decompose(model5), seed=1)
    values = descent.start(1.0)
    e = 4
    cols = descent.dec.own_cols[e]
    cost, _ = descent.costs(e, values, descent.counts(values))
    _, found = descent.pricers[e].price(cost, 1.0)
    moved = values.copy()
    moved[cols] = found[-1]
    moved = descent.complete(moved)
    predicted = float(np.dot(cost, found[-1]) - np.dot(cost, np.round(values[cols])))
    assert model5.objective(moved) - model5.objective(values) == pytest.approx(predicted)


def test_cover_that_is_not_an_exact_count_is_left_to_the_lns():
    """A cover row with a range (no cost until one above the requirement) has no linear price per person:
    the descent says so instead of pricing it wrongly."""
    model = build(read(str(EVAL / "Instance1.txt")))
    assert Descent(model, decompose(model)).exact
    r = int(decompose(model).link_rows[0])
    upper = np.asarray(model.lp.row_upper_, float)
    upper[r] += 1.0
    model.lp.row_upper_ = upper
    model.__dict__.pop("arrays", None)            # the cached numpy copy of the LP, read again
    assert not Descent(model, decompose(model)).exact


def test_search_descends_first_on_a_large_model():
    model = build(read(str(EVAL / "Instance8.txt")))
    assert len(model.cells) > SMALL_X_COLUMNS
    # all 4 s may go to the descent: at the default share (0.6 s here) a slow machine might not finish the
    # first sweep, and the full MIP's first roster could then be the only one recorded
    result = solve(model, SearchParams(time_limit=4, threads=2, descent_share=1.0))
    sources = [src for _, _, src in result.history]
    assert "descent" in sources
    errors, objective = check((EVAL / "Instance8.txt").read_text(), format_solution(model.assignment(result.values)))
    assert errors == [] and objective == round(result.objective)
