"""Column generation over whole employee schedules: a strong bound and rosters that recombine schedules.

Why: the time-indexed MIP's LP relaxation is weak where cover is tight and each person's rules (runs of
2-5 shifts, 16-18 shifts in four weeks, at most two weekends) decide what can be covered. Curtois
Instance5: LP bound 842 against an optimum of 1143. Dantzig-Wolfe on the employees makes each person's
rules exact inside the LP: a column is one employee's whole feasible schedule, the master only chooses
one column per employee against the cover rows (measured on Instance5: bound 1140.6, and the master
over its generated columns solved as a MIP gives 1148 in 4 s, where the full MIP sat at 1248 after 60 s).

Pricing is exact dynamic programming over the days where an employee's rules are all path resources
(pricing_dp.py), else the employee's own rows as a small HiGHS MIP with the cover rows' duals in its
costs; that MIP may stop at its time limit, so the Lagrangian bound uses its dual bound (valid either way).
Every roster the search finds elsewhere is also added, one column per employee, so the master can mix
the LNS's schedules with priced ones.
"""
from __future__ import annotations

import math
import threading
import time
import weakref
from dataclasses import dataclass

import highspy
import numpy as np

from services.solver.roster.model import EXACT_GAP, RosterModel
from services.solver.roster.pricing_dp import DpPricer
from services.solver.roster.submip import SubMip

_INT = highspy.HighsVarType.kInteger
_CONT = highspy.HighsVarType.kContinuous


@dataclass
class Decomposition:
    """Which rows and columns belong to one employee alone, and which rows link employees (cover)."""
    own_cols: list[np.ndarray]        # per employee: model columns (x and e.g. weekend indicators)
    own_rows: list[np.ndarray]        # per employee: rows over own columns only
    link_rows: np.ndarray             # rows holding a cover slack: the master's rows
    slack_cols: np.ndarray            # cover under/over columns


def decompose(model: RosterModel) -> Decomposition | None:
    """The employee blocks of the model, or None when some row other than cover ties two employees."""
    n_x = len(model.cells)
    start, index = model.arrays.start, model.arrays.index
    n_cols, n_rows = len(model.arrays.cost), len(start) - 1
    owner = np.full(n_cols, -1, dtype=np.int64)
    owner[:n_x] = [e for e, _, _ in model.cells]
    slack = np.zeros(n_cols, bool)
    for _, _, u, o in model.cover_cols:
        slack[u] = slack[o] = True
    row_owner = np.full(n_rows, -1, dtype=np.int64)
    link = []
    pending = []
    for r in range(n_rows):
        cols = index[start[r]:start[r + 1]]
        if slack[cols].any():
            link.append(r)
        else:
            pending.append(r)
    # rows over an employee's x give its other columns an owner; rows over only such columns follow
    while pending:
        rest = []
        for r in pending:
            cols = index[start[r]:start[r + 1]]
            owners = set(owner[cols].tolist()) - {-1}
            if len(owners) > 1:
                return None
            if not owners:
                rest.append(r)
                continue
            e = owners.pop()
            row_owner[r] = e
            owner[cols] = e
        if len(rest) == len(pending):
            return None
        pending = rest
    link_rows = np.asarray(link, dtype=np.int64)
    for r in link_rows:              # a link row may hold x and slacks only
        cols = index[start[r]:start[r + 1]]
        if np.any((cols >= n_x) & ~slack[cols]):
            return None
    E = len(model.spec.employees)
    own_cols = [np.flatnonzero((owner == e) & ~slack) for e in range(E)]
    own_rows = [np.flatnonzero(row_owner == e) for e in range(E)]
    if np.any(~slack & (owner == -1)):
        return None                  # a column in no employee's rows (a coupling variable): not decomposable
    return Decomposition(own_cols, own_rows, link_rows, np.flatnonzero(slack))


class _Pricer:
    """One employee's rows as a HiGHS MIP; re-costed with the master's duals on every call."""

    def __init__(self, model: RosterModel, cols: np.ndarray, rows: np.ndarray) -> None:
        self.cols = cols
        a = model.arrays
        local = np.full(len(a.cost), -1, dtype=np.int64)
        local[cols] = np.arange(len(cols))
        starts, idx, val = [0], [], []
        for r in rows:
            idx.extend(local[a.index[a.start[r]:a.start[r + 1]]].tolist())
            val.extend(a.value[a.start[r]:a.start[r + 1]].tolist())
            starts.append(len(idx))
        sub = highspy.HighsLp()
        sub.num_col_, sub.num_row_ = len(cols), len(rows)
        sub.col_cost_ = a.cost[cols]
        sub.col_lower_ = a.lo[cols]
        sub.col_upper_ = a.hi[cols]
        sub.row_lower_ = a.rlo[rows]
        sub.row_upper_ = a.rhi[rows]
        sub.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        sub.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
        sub.a_matrix_.index_ = np.asarray(idx, dtype=np.int32)
        sub.a_matrix_.value_ = np.asarray(val, float)
        sub.integrality_ = [_INT if a.integer[c] else _CONT for c in cols]
        self.lo, self.hi = np.asarray(a.lo[cols], float), np.asarray(a.hi[cols], float)
        self.h = highspy.Highs()
        for k, v in (("output_flag", False), ("threads", 1), ("mip_rel_gap", 0.0), ("mip_abs_gap", 1e-6)):
            self.h.setOptionValue(k, v)
        self.h.passModel(sub)
        self.found: list[np.ndarray] = []
        self.h.cbMipImprovingSolution.subscribe(
            lambda ev: self.found.append(np.asarray(ev.data_out.mip_solution, float).copy()))
        self.all = np.arange(len(cols), dtype=np.int32)

    def price(self, cost: np.ndarray, time_limit: float,
              fixed: tuple[list[int], list[int]] | None = None) -> tuple[float, list[np.ndarray]]:
        """(lower bound on the schedule cost under `cost`, the schedules HiGHS found, best last).
        `fixed`: own-column positions held at 1 and at 0 for this call (a dive's fixings, cell_dive.py)."""
        self.found = []
        self.h.changeColsCost(len(self.cols), self.all, cost)
        self.h.setOptionValue("time_limit", max(0.02, time_limit))
        if fixed:
            held = np.asarray(fixed[0] + fixed[1], dtype=np.int32)
            at = np.r_[np.ones(len(fixed[0])), np.zeros(len(fixed[1]))]
            self.h.changeColsBounds(len(held), held, at, at)
        try:
            self.h.run()
        finally:
            if fixed:
                self.h.changeColsBounds(len(held), held, self.lo[held], self.hi[held])
        status = self.h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            raise ValueError("an employee has no feasible schedule")
        info = self.h.getInfo()
        bound = info.objective_function_value if status == highspy.HighsModelStatus.kOptimal \
            else float(info.mip_dual_bound)
        return bound, self.found


class _CheckedDp:
    """A DP that relaxed some shift limits (too many count states to track them all), made exact: its
    value is still a valid lower bound, its schedules that break a relaxed limit are dropped, and when its
    cheapest one does, the employee's MIP prices instead (built on first need; one per caller).

    Why: Instance8 has 7 staff with three limited shift types (early <= 14, late <= 14, night <= 4), 64,000
    count states a day against the DP's 400,000-state budget per run state group; as MIP pricers they kept
    column generation from running there at all."""

    def __init__(self, dp: DpPricer, model: RosterModel, dec: "Decomposition", e: int) -> None:
        self.dp, self.model, self.dec, self.e = dp, model, dec, e
        self.mip: _Pricer | None = None
        self.fallbacks = 0

    def price(self, cost: np.ndarray, time_limit: float,
              fixed: tuple[list[int], list[int]] | None = None,
              exact: bool = True) -> tuple[float, list[np.ndarray]]:
        """(a lower bound, schedules cheapest last). With `exact` False, the DP's schedules that keep
        every limit are enough when there are any, though a cheaper one may exist: a heuristic caller
        (CellDive) needs good columns fast, not the cheapest."""
        bound, paths = self.dp.price(cost)
        kept = [own for own in paths if self.dp.within_limits(own)]
        if kept and (kept[-1] is paths[-1] or not exact):
            return bound, kept
        self.fallbacks += 1
        if self.mip is None:
            self.mip = _Pricer(self.model, self.dec.own_cols[self.e], self.dec.own_rows[self.e])
        mip_bound, found = self.mip.price(cost, time_limit, fixed)
        return max(bound, mip_bound), kept + found


_DP_LOCK = threading.Lock()
_DP_CACHE: dict[int, dict[int, DpPricer | None]] = {}     # id(model) -> employee -> its DP (None: MIP)


def make_pricer(model: RosterModel, dec: Decomposition, e: int) -> "DpPricer | _Pricer":
    """Employee e's cheapest schedule under given costs: the DP where its rules are all path resources
    (5-8x faster, pricing_dp.py), else its own rows as a MIP. A MIP pricer holds its HiGHS instance: a new
    one per caller (they run on different threads). A DP pricer holds only its compiled transitions, so
    one per model and employee serves every thread: the column generation and the descent start at once,
    and building them twice cost 0.9 s of a shared GIL on Instance12."""
    with _DP_LOCK:
        if id(model) not in _DP_CACHE:          # models are not hashable (a dataclass): by id, until it goes
            _DP_CACHE[id(model)] = {}
            weakref.finalize(model, _DP_CACHE.pop, id(model), None)
        built = _DP_CACHE[id(model)]
        if e not in built:
            built[e] = DpPricer.build(model, e, dec.own_cols[e])
        dp = built[e]
    if dp is None:
        return _Pricer(model, dec.own_cols[e], dec.own_rows[e])
    return _CheckedDp(dp, model, dec, e) if dp.relaxed else dp


class ColumnGeneration:
    """The restricted master (one convexity row per employee, the cover rows) and its pricers."""

    def __init__(self, model: RosterModel, dec: Decomposition, seed: int = 1) -> None:
        self.model, self.dec = model, dec
        arrays = model.arrays
        self.E = len(dec.own_cols)
        self.cost = arrays.cost
        self.n_x = len(model.cells)
        self.pricers = [make_pricer(model, dec, e) for e in range(self.E)]
        self.mip_pricers = sum(isinstance(p, _Pricer) for p in self.pricers)
        # master rows: E convexity rows, then the link rows in model order
        start, index, value = arrays.start, arrays.index, arrays.value
        link_pos = np.full(len(start) - 1, -1, dtype=np.int64)
        link_pos[dec.link_rows] = np.arange(len(dec.link_rows))
        # per employee: (own column position, master row, coefficient) of its x columns in the link rows, so
        # reduced costs and a column's rows are numpy gathers (the pricing loop shares the GIL with the LNS)
        slack_terms: dict[int, list[tuple[int, float]]] = {}
        pos, rows_, vals_ = [], [], []
        for r in dec.link_rows:
            for k in range(start[r], start[r + 1]):
                c = int(index[k])
                if c < self.n_x:
                    pos.append(c)
                    rows_.append(self.E + int(link_pos[r]))
                    vals_.append(float(value[k]))
                else:
                    slack_terms.setdefault(c, []).append((self.E + int(link_pos[r]), float(value[k])))
        pos, rows_, vals_ = np.asarray(pos, dtype=np.int64), np.asarray(rows_, dtype=np.int64), np.asarray(vals_)
        local = np.full(len(arrays.cost), -1, dtype=np.int64)
        self.links = []
        for cols in dec.own_cols:
            local[:] = -1
            local[cols] = np.arange(len(cols))
            sel = local[pos] >= 0
            self.links.append((local[pos[sel]], rows_[sel], vals_[sel]))
        self.master = highspy.Highs()
        # primal simplex: each round adds columns to an optimal basis, which stays primal feasible
        # (Instance12, 30 rounds to convergence: 25.8 s against 32.3 s with HiGHS's default choice)
        for k, v in (("output_flag", False), ("threads", 1), ("random_seed", seed), ("simplex_strategy", 4)):
            self.master.setOptionValue(k, v)
        nil_i, nil_f = np.array([], dtype=np.int32), np.array([], float)
        self.master.addRows(self.E, np.ones(self.E), np.ones(self.E), 0, nil_i, nil_i, nil_f)
        rlo, rhi = arrays.rlo[dec.link_rows], arrays.rhi[dec.link_rows]
        self.master.addRows(len(rlo), rlo, rhi, 0, nil_i, nil_i, nil_f)
        self.n_slack = 0
        for c in dec.slack_cols:
            terms = slack_terms.get(int(c), [])
            self.master.addCol(self.cost[c], arrays.lo[c], arrays.hi[c], len(terms),
                               np.array([t[0] for t in terms], dtype=np.int32), np.array([t[1] for t in terms]))
            self.n_slack += 1
        self.columns: list[tuple[int, np.ndarray]] = []     # (employee, values of its own columns)
        self.where: dict[tuple[int, bytes], int] = {}        # (employee, schedule bytes) -> position in columns
        self.priced: list[bool] = []                         # per column: found by pricing (dive uses only those)
        self.duals: np.ndarray | None = None
        self.master_value = math.inf
        self.sub = SubMip(model)

    # -- columns ---------------------------------------------------------------------------------
    def add(self, e: int, own: np.ndarray, priced: bool = True) -> bool:
        """A schedule of employee e as a master column (False if it is one already); `priced`: it came
        from pricing, not from a roster found elsewhere."""
        own = np.round(np.asarray(own, float), 6)
        key = (e, own.tobytes())
        if key in self.where:
            if priced:
                self.priced[self.where[key]] = True
            return False
        self.where[key] = len(self.columns)
        self.priced.append(priced)
        cols = self.dec.own_cols[e]
        at, rows, coef = self.links[e]
        on = own[at] > 0.5
        rows = np.concatenate(([e], rows[on])).astype(np.int32)
        coef = np.concatenate(([1.0], coef[on] * own[at][on]))
        # no upper bound: the convexity row caps it, and a column resting at a bound of 1 would take part
        # of its employee's dual, leaving the Lagrangian bound short (Instance2: 827 at a master of 828)
        self.master.addCol(float(np.dot(self.cost[cols], own)), 0.0, math.inf, len(rows), rows, coef)
        self.columns.append((e, own))
        return True

    def add_roster(self, values: np.ndarray) -> int:
        return sum(self.add(e, np.asarray(values, float)[cols], priced=False)
                   for e, cols in enumerate(self.dec.own_cols))

    # -- one round ---------------------------------------------------------------------------------
    def solve_master(self) -> float:
        self.master.run()
        sol = self.master.getSolution()
        self.duals = np.asarray(sol.row_dual, float)
        self.master_value = self.master.getInfo().objective_function_value + self.model.arrays.offset
        return self.master_value

    def reduced_costs(self, e: int) -> np.ndarray:
        """Employee e's own columns' costs less the master's duals on the link rows they enter (its
        convexity row's dual, the same for every schedule, is left to the caller)."""
        rc = self.cost[self.dec.own_cols[e]].copy()
        at, rows, coef = self.links[e]
        np.subtract.at(rc, at, coef * self.duals[rows])
        return rc

    def price(self, time_limit: float, deadline: float = math.inf,
              skip: set[int] | frozenset = frozenset()) -> tuple[int, float | None]:
        """Price every employee (but `skip`) against the master's duals until `deadline`: (columns added,
        the Lagrangian bound when every employee was priced with a finite bound, else None)."""
        y = self.duals
        priced_all = not skip
        added, shortfall = 0, 0.0
        for e in range(self.E):
            if e in skip:
                continue
            left = deadline - time.perf_counter()
            if left < 0.05:
                priced_all = False
                break
            time_limit = min(time_limit, left)
            rc = self.reduced_costs(e)
            bound, found = self.pricers[e].price(rc, time_limit)
            if math.isfinite(bound):
                shortfall += min(0.0, bound - y[e])
            else:
                priced_all = False
            for own in found:
                if float(np.dot(rc, own)) - y[e] < -1e-6:
                    added += self.add(e, own)
        return added, (self.master_value + shortfall) if priced_all else None

    # -- rosters from the master ---------------------------------------------------------------------
    def lambdas(self) -> np.ndarray:
        """The master LP's value of each column, in `columns` order."""
        return np.asarray(self.master.getSolution().col_value, float)[self.n_slack:]

    def lp_values(self) -> np.ndarray:
        """The master LP's solution in the model's columns: each own column the λ-weighted sum over its
        employee's schedules (cover slacks left at 0)."""
        out = np.zeros(len(self.cost))
        for (e, own), lam in zip(self.columns, self.lambdas()):
            if lam > 1e-9:
                out[self.dec.own_cols[e]] += lam * own
        return out

    def largest(self, lam: np.ndarray) -> np.ndarray:
        """Per employee, the position in `columns` of its column with the largest value in `lam`
        (every employee has one: its convexity row)."""
        emp = np.fromiter((e for e, _ in self.columns), dtype=np.int64, count=len(self.columns))
        order = np.lexsort((lam, emp))                    # by employee, then value
        return order[np.flatnonzero(np.r_[emp[order][1:] != emp[order][:-1], True])]

    def dive(self, deadline: float, pricing_time: float, leave: int, fix_at: float = 0.9,
             per_step: int = 2, climb: float = 0.005) -> tuple[np.ndarray, list[int]]:
        """Fix whole schedules in the master LP, highest value first, re-pricing the others after each
        step, until at most `leave` employees are still fractional; (a roster from the largest value
        per employee, those employees) for a sub-MIP to complete. The master is restored afterwards.

        Why: at convergence the master's LP is near-integral on the larger Curtois instances (Instance11:
        3443.0, Instance12: 4040.0, both the best known values) but its MIP over the columns so far finds
        little; fixing the schedules the LP is surest of and pricing again keeps the LP value there for
        most of the staff, and the last few people are an exact sub-MIP of the compact model. It also
        stops once the LP has climbed `climb` (relative) above where it began: past that point every step
        costs more (Instance12: 4040 held for 38 of 60 staff, then 4050, 4165, 5021 within eight steps).
        And it gives up as soon as the steps so far say it cannot get there by `deadline` (Instance12:
        0.6 s per master LP with 8,000 columns, 41 people still open after 9 s): the roster it returns
        then has more than `leave` people open, which the caller can tell."""
        fixed: dict[int, int] = {}            # employee -> column position
        # Rosters found elsewhere stay out of the dive: they are integral and mutually consistent, so the
        # degenerate LP optimum takes them at 1 and the dive fixes a worse roster (Instance11, 60 s: the
        # dive completed at 3755 with the LNS's schedules in the master, at 3443 without them).
        hidden = np.flatnonzero(~np.asarray(self.priced, bool)) + self.n_slack
        self._bounds(hidden, 0.0)
        try:
            ceiling = math.inf
            began, open_at_start = time.perf_counter(), None
            while True:
                value = self.solve_master()
                ceiling = min(ceiling, value + max(1.0, climb * abs(value)))
                lam = self.lambdas()
                at = self.largest(lam)
                best = lam[at]
                fractional = [e for e in range(self.E) if e not in fixed and best[e] < 1 - 1e-6]
                if len(fractional) <= leave or time.perf_counter() > deadline or value > ceiling:
                    break
                now = time.perf_counter()
                if open_at_start is None:
                    open_at_start = len(fractional)
                elif open_at_start > len(fractional):
                    rate = (open_at_start - len(fractional)) / (now - began)      # people closed a second
                    if now + (len(fractional) - leave) / rate > deadline:
                        break
                picks = [e for e in range(self.E) if e not in fixed and best[e] >= fix_at]
                picks += sorted((e for e in fractional if best[e] < fix_at), key=lambda e: -best[e])[:per_step]
                for e in picks:
                    fixed[e] = int(at[e])
                    self.master.changeColBounds(self.n_slack + fixed[e], 1.0, 1.0)
                self.price(pricing_time, deadline, skip=set(fixed))
            values = np.zeros(len(self.cost))
            for e in range(self.E):
                i = fixed.get(e, int(at[e]))
                values[self.dec.own_cols[e]] = self.columns[i][1]
            return values, fractional
        finally:
            self._bounds(np.fromiter(fixed.values(), dtype=np.int64, count=len(fixed)) + self.n_slack, math.inf)
            self._bounds(hidden, math.inf)
            self.solve_master()               # duals and value of the unfixed master again

    def _bounds(self, cols: np.ndarray, upper: float) -> None:
        """Master columns `cols` to bounds [0, upper] (0 hides them, inf frees them again)."""
        if len(cols):
            self.master.changeColsBounds(len(cols), cols.astype(np.int32), np.zeros(len(cols)),
                                         np.full(len(cols), upper))

    def roster(self, time_limit: float, start: np.ndarray | None = None, stop=None) -> np.ndarray | None:
        """The master over the columns so far as a MIP (price-and-branch): a full model column vector.
        `stop` (a threading.Event) ends it early."""
        lp = self.master.getLp()
        n = lp.num_col_
        lp.integrality_ = [_CONT] * self.n_slack + [_INT] * (n - self.n_slack)
        h = highspy.Highs()
        for k, v in (("output_flag", False), ("threads", 1), ("time_limit", max(0.05, time_limit)),
                     ("mip_rel_gap", 0.0), ("mip_abs_gap", EXACT_GAP)):
            h.setOptionValue(k, v)
        h.passModel(lp)
        if stop is not None:
            h.cbMipInterrupt.subscribe(lambda ev: ev.interrupt() if stop.is_set() else None)
        if start is not None:              # the start's schedules, when each is a column (add_roster made them so)
            pick = [self.where.get((e, np.round(np.asarray(start, float)[cols], 6).tobytes()))
                    for e, cols in enumerate(self.dec.own_cols)]
            if None not in pick:
                vals = np.zeros(n - self.n_slack)
                vals[pick] = 1.0
                h.setSolution(n - self.n_slack, np.arange(self.n_slack, n, dtype=np.int32), vals)
        h.run()
        if h.getInfo().primal_solution_status != 2:
            return None
        lam = np.asarray(h.getSolution().col_value, float)[self.n_slack:]
        values = np.zeros(len(self.cost))
        for i in np.flatnonzero(lam > 0.5):
            e, own = self.columns[i]
            values[self.dec.own_cols[e]] = own
        return self.sub.complete(values)          # cover slacks follow from the chosen schedules
