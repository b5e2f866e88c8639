"""The DP pricer against the HiGHS pricing MIP over the same employee rows: the same optimum under random
duals, and every schedule it returns satisfies each of the employee's rows and costs what it says."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from services.solver.roster.colgen import ColumnGeneration, _CheckedDp, _Pricer, decompose
from services.solver.roster.curtois_reader import read
from services.solver.roster.model import build
from services.solver.roster.pricing_dp import DpPricer
from services.solver.roster.spec import Window
from tests.solver.roster.curtois_instances import EVAL, needs_instances

pytestmark = needs_instances


def _rows_hold(model, cols, rows, own) -> bool:
    lp = model.lp
    start, index, value = (np.asarray(a) for a in (lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_))
    full = np.zeros(lp.num_col_)
    full[cols] = own
    lo, hi = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    for r in rows:
        act = float(np.dot(value[start[r]:start[r + 1]], full[index[start[r]:start[r + 1]]]))
        if act < lo[r] - 1e-6 or act > hi[r] + 1e-6:
            return False
    return True


# Instance5: weekends limited, late shifts at most 14, 2 shift types; Instance8: 4 shift types with
# forbidden successions and several limited types at once
@pytest.mark.parametrize("instance,employees", [("Instance5", range(0, 16, 3)), ("Instance8", (0, 1, 3, 9))])
def test_dp_matches_the_pricing_mip(instance, employees):
    model = build(read(str(EVAL / f"{instance}.txt")))
    dec = decompose(model)
    cg = ColumnGeneration(model, dec)
    rng = np.random.default_rng(7)
    n_x = len(model.cells)
    for e in employees:
        dp = cg.pricers[e]                          # the DP, checked where it relaxed a shift limit
        assert isinstance(dp, (DpPricer, _CheckedDp))
        mip = _Pricer(model, dec.own_cols[e], dec.own_rows[e])
        for trial in range(3):
            cost = cg.cost[dec.own_cols[e]].copy()
            if trial:                                   # duals of cover rows: any sign, any size
                isx = dec.own_cols[e] < n_x
                cost[isx] -= rng.uniform(-20, 150, int(isx.sum()))
            want, _ = mip.price(cost, 60.0)
            got, schedules = dp.price(cost, 60.0)
            assert got == pytest.approx(want, abs=1e-6)
            assert schedules and float(np.dot(cost, schedules[-1])) == pytest.approx(got, abs=1e-6)
            for own in schedules:
                assert _rows_hold(model, dec.own_cols[e], dec.own_rows[e], own)


def test_rules_the_dp_does_not_know_keep_the_mip():
    spec = read(str(EVAL / "Instance2.txt"))
    spec = dataclasses.replace(spec, windows=[Window(employee=0, days=(0, 1, 2), max_days=1)])
    model = build(spec)
    dec = decompose(model)
    assert DpPricer.build(model, 0, dec.own_cols[0]) is None
    assert DpPricer.build(model, 1, dec.own_cols[1]) is not None


def test_a_dp_with_a_relaxed_limit_is_checked_and_falls_back_to_the_mip():
    model = build(read(str(EVAL / "Instance8.txt")))
    dec = decompose(model)
    # an employee whose three limited shift types are too many count states to track: one is relaxed
    e = next(e for e in range(len(dec.own_cols)) if (dp := DpPricer.build(model, e, dec.own_cols[e])) and dp.relaxed)
    pricer = ColumnGeneration(model, dec).pricers[e]
    assert isinstance(pricer, _CheckedDp)
    mip = _Pricer(model, dec.own_cols[e], dec.own_rows[e])
    s, limit = pricer.dp.relaxed[0]
    cols = dec.own_cols[e]
    on_s = np.array([c < len(model.cells) and model.cells[c][2] == s for c in cols])
    assert limit < on_s.sum()
    rng = np.random.default_rng(3)
    for lure in (0.0, 500.0):          # a relaxed shift made worth far more than its limit allows
        cost = model.arrays.cost[cols] - rng.uniform(0, 50, len(cols)) * (cols < len(model.cells))
        cost[on_s] -= lure
        fallbacks = pricer.fallbacks
        got, schedules = pricer.price(cost, 60.0)
        want, _ = mip.price(cost, 60.0)
        assert got == pytest.approx(want, abs=1e-6)             # exact either way
        assert float(np.dot(cost, schedules[-1])) == pytest.approx(want, abs=1e-6)
        for own in schedules:
            assert own[on_s].sum() <= limit and _rows_hold(model, cols, dec.own_rows[e], own)
        assert pricer.fallbacks == fallbacks + (lure > 0)      # the MIP only where the DP broke the limit


def test_a_checked_dp_asked_for_good_schedules_skips_the_mip_where_its_own_keep_the_limits():
    """exact=False (a cell dive's pricing): where the DP's cheapest breaks a relaxed limit but another of
    its schedules keeps it, those come back without the MIP; exact pricing still asks the MIP."""
    model = build(read(str(EVAL / "Instance8.txt")))
    dec = decompose(model)
    e = next(e for e in range(len(dec.own_cols)) if (dp := DpPricer.build(model, e, dec.own_cols[e])) and dp.relaxed)
    pricer = ColumnGeneration(model, dec).pricers[e]
    s, limit = pricer.dp.relaxed[0]
    cols = dec.own_cols[e]
    on_s = np.array([c < len(model.cells) and model.cells[c][2] == s for c in cols])
    rng = np.random.default_rng(3)
    for lure in np.arange(10.0, 60.0, 1.0):          # a lure where the DP's schedules split over the limit
        cost = model.arrays.cost[cols] - rng.uniform(0, 50, len(cols)) * (cols < len(model.cells))
        cost[on_s] -= lure
        paths = pricer.dp.price(cost)[1]
        if not pricer.dp.within_limits(paths[-1]) and any(pricer.dp.within_limits(p) for p in paths):
            break
    else:
        pytest.fail("no cost found where the DP's schedules split over the relaxed limit")
    fallbacks = pricer.fallbacks
    _, good = pricer.price(cost, 60.0, exact=False)
    assert pricer.fallbacks == fallbacks and good
    for own in good:
        assert own[on_s].sum() <= limit and _rows_hold(model, cols, dec.own_rows[e], own)
    want, cheapest = pricer.price(cost, 60.0)
    assert pricer.fallbacks == fallbacks + 1
    assert float(np.dot(cost, cheapest[-1])) == pytest.approx(want, abs=1e-6)
    assert want <= float(np.dot(cost, good[-1])) + 1e-6


def test_dps_pricing_in_two_threads_at_once_answer_as_they_do_alone():
    """Each thread lays its DPs' days over a buffer of its own (pricing_dp._buffer): two threads pricing
    at once, as the column generation and the descent do, must not see each other's arrays."""
    import threading

    model = build(read(str(EVAL / "Instance8.txt")))
    dec = decompose(model)
    cg = ColumnGeneration(model, dec)
    rng = np.random.default_rng(3)
    n_x = len(model.cells)
    jobs = []
    for e in (3, 25, 17, 0):                          # buffers of different sizes, so they grow and shrink
        cost = cg.cost[dec.own_cols[e]].copy()
        isx = dec.own_cols[e] < n_x
        cost[isx] -= rng.uniform(-20, 150, int(isx.sum()))
        jobs.append((cg.pricers[e], cost, cg.pricers[e].price(cost, 60.0)[0]))
    bad = []

    def work(order):
        for _ in range(5):
            for pricer, cost, want in (jobs[i] for i in order):
                got, schedules = pricer.price(cost, 60.0)
                if abs(got - want) > 1e-6 or abs(float(np.dot(cost, schedules[-1])) - want) > 1e-6:
                    bad.append((got, want))

    threads = [threading.Thread(target=work, args=(o,)) for o in ((0, 1, 2, 3), (3, 2, 1, 0))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not bad


def test_a_minimum_the_days_cannot_reach_leaves_no_schedule():
    spec = read(str(EVAL / "Instance1.txt"))
    emp = spec.employees[0]
    spec.employees[0] = dataclasses.replace(emp, min_minutes=emp.max_minutes, max_minutes=emp.max_minutes)
    model = build(spec)
    dec = decompose(model)
    dp = DpPricer.build(model, 0, dec.own_cols[0])
    n_days = spec.days
    longest = max(sh.minutes for sh in spec.shifts)
    # within the horizon's reach: a schedule exists; past it: none, and the DP says so
    assert emp.max_minutes <= n_days * longest
    assert dp.price(model.arrays.cost[dec.own_cols[0]])[1]
    spec.employees[0] = dataclasses.replace(emp, min_minutes=n_days * longest + 1, max_minutes=n_days * longest + 1)
    model = build(spec)
    cols = decompose(model).own_cols[0]
    with pytest.raises(ValueError):
        DpPricer.build(model, 0, cols).price(model.arrays.cost[cols])
