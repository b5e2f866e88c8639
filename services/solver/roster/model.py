"""The roster MIP for HiGHS, built once from a RosterSpec (no database, no gRPC).

Columns: x[e,d,s] in {0,1} (employee e works shift s on day d) for every cell the hard rules leave open,
a weekend indicator per employee and weekend, and cover shortage/surplus slacks. Every hard rule is a
row; every soft term is a cost, so a plan always exists when the hard rules allow one.

Formulation choices (why they are not the textbook time-indexed rows alone):
- one shift a day and forbidden successions are aggregated: x[e,d,s] + sum_{t in F(s)} x[e,d+1,t] <= 1
  is a clique of the conflict graph, tighter than one row per forbidden pair;
- minimum run lengths are written as run-start/run-end implications, w[d+1] - w[d] <= w[d+1+j]
  for j < min (and the mirror for run ends) next to the forbidden-pattern rows: in the LP a run that
  starts fractionally must continue at least as strongly, which closes much of the root gap on the
  Curtois instances;
- the weekend indicator is continuous: it only ever appears on the <= side of the max-weekends row, so
  it takes max(w_sat, w_sun) in any optimal vertex and need not be branched on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import highspy
import numpy as np

from services.solver.roster.spec import RosterSpec

INF = highspy.kHighsInf
# Integer weights: a roster within 1 of the bound is optimal (the full MIP's, a fine sub-MIP's and the
# column generation master's gap).
EXACT_GAP = 1.0 - 1e-6


class LpArrays:
    """The model's vectors as numpy arrays, read once: every HighsLp attribute read copies the whole
    vector (60 pricers reading them per employee took 43 s on Instance12)."""

    def __init__(self, lp: highspy.HighsLp) -> None:
        self.start = np.asarray(lp.a_matrix_.start_, dtype=np.int64)
        self.index = np.asarray(lp.a_matrix_.index_, dtype=np.int64)
        self.value = np.asarray(lp.a_matrix_.value_, float)
        self.cost = np.asarray(lp.col_cost_, float)
        self.lo = np.asarray(lp.col_lower_, float)
        self.hi = np.asarray(lp.col_upper_, float)
        self.rlo = np.asarray(lp.row_lower_, float)
        self.rhi = np.asarray(lp.row_upper_, float)
        self.integer = np.array([v == highspy.HighsVarType.kInteger for v in lp.integrality_], bool)
        self.offset = float(lp.offset_)


@dataclass
class RosterModel:
    spec: RosterSpec
    lp: highspy.HighsLp
    x: dict[tuple[int, int, int], int]              # (employee, day, shift index) -> column
    by_employee: list[list[int]]                    # x columns of each employee
    by_day: list[list[int]]                         # x columns of each day
    cells: list[tuple[int, int, int]] = field(default_factory=list)  # column -> (e, d, s) for x columns
    n_cols: int = 0
    # (day, shift index, under column, over column) per cover row: where the search looks for penalty
    cover_cols: list[tuple[int, int, int, int]] = field(default_factory=list)
    # per row: (rule label, employee, first day) of the hard rule it states, None for definitions and soft
    # rows; conflicts.py relaxes rules by these groups to explain an infeasible request
    row_groups: list[tuple | None] = field(default_factory=list)
    # (employee, weekend index) -> that weekend's indicator column (only where the max-weekends row binds)
    weekend_cols: dict[tuple[int, int], int] = field(default_factory=dict)

    @cached_property
    def arrays(self) -> LpArrays:
        """`lp` as numpy arrays (the LP is not changed after build)."""
        return LpArrays(self.lp)

    def assignment(self, values) -> list[list[str | None]]:
        """Employee x day -> shift ID (None: off) from a column vector."""
        out: list[list[str | None]] = [[None] * self.spec.days for _ in self.spec.employees]
        for col, (e, d, s) in enumerate(self.cells):
            if values[col] > 0.5:
                out[e][d] = self.spec.shifts[s].id
        return out

    def objective(self, values) -> float:
        return float(np.dot(self.lp.col_cost_, np.asarray(values, float))) + self.lp.offset_

    # A model crosses to a helper process (dive_helper.py) by pickle: the HighsLp as its arrays, rebuilt
    # there, so the helper holds the very model the search has, however it was built.
    def __getstate__(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k not in ("lp", "arrays")}
        lp, a = self.lp, self.arrays
        state["lp"] = dict(num_col=lp.num_col_, num_row=lp.num_row_, cost=a.cost, lo=a.lo, hi=a.hi,
                           rlo=a.rlo, rhi=a.rhi, offset=a.offset, integer=a.integer,
                           format=lp.a_matrix_.format_.name, start=a.start, index=a.index, value=a.value)
        return state

    def __setstate__(self, state: dict) -> None:
        arrays = state.pop("lp")
        self.__dict__.update(state)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = arrays["num_col"], arrays["num_row"]
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = arrays["cost"], arrays["lo"], arrays["hi"]
        lp.row_lower_, lp.row_upper_, lp.offset_ = arrays["rlo"], arrays["rhi"], arrays["offset"]
        lp.a_matrix_.format_ = getattr(highspy.MatrixFormat, arrays["format"])
        lp.a_matrix_.start_ = arrays["start"].astype(np.int32)
        lp.a_matrix_.index_ = arrays["index"].astype(np.int32)
        lp.a_matrix_.value_ = arrays["value"]
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in arrays["integer"]]
        self.lp = lp


class _Rows:
    def __init__(self) -> None:
        self.start = [0]
        self.index: list[int] = []
        self.value: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.group: list[tuple | None] = []

    def add(self, terms: dict[int, float], lo: float, hi: float, group: tuple | None = None) -> None:
        terms = {c: v for c, v in terms.items() if v != 0}
        if not terms:
            return
        self.group.append(group)
        self.index.extend(terms.keys())
        self.value.extend(terms.values())
        self.start.append(len(self.index))
        self.lo.append(lo)
        self.hi.append(hi)


def _work(xs: dict[tuple[int, int, int], int], e: int, d: int, n_shifts: int) -> list[int]:
    return [xs[(e, d, s)] for s in range(n_shifts) if (e, d, s) in xs]


def build(spec: RosterSpec, implications: bool = True, elastic: bool = False) -> RosterModel:
    """`elastic`: every cell gets a column and the cell rules (fixed days off, shift types a person may
    not work, pinned cells) become grouped rows instead of bounds, so conflicts.py can relax them."""
    if elastic:
        implications = False       # the implication rows are implied by grouped rows; relaxing needs them gone
    sidx = spec.shift_index()
    S, D, E = len(spec.shifts), spec.days, len(spec.employees)
    cost: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    integer: list[bool] = []
    xs: dict[tuple[int, int, int], int] = {}
    cells: list[tuple[int, int, int]] = []

    def col(c: float, l: float, h: float, is_int: bool) -> int:
        cost.append(c)
        lo.append(l)
        hi.append(h)
        integer.append(is_int)
        return len(cost) - 1

    cell_rules: list[tuple[int, float, float, tuple]] = []      # elastic: (column, lo, hi, group)
    for e, emp in enumerate(spec.employees):
        for d in range(D):
            if d in emp.days_off and not elastic:
                continue
            allowed = spec.allowed.get((e, d))
            for s, sh in enumerate(spec.shifts):
                unable = emp.max_shifts.get(sh.id, D) <= 0 or (allowed is not None and sh.id not in allowed)
                if elastic:
                    c = col(0.0, 0.0, 1.0, True)
                    xs[(e, d, s)] = c
                    cells.append((e, d, s))
                    fixed = spec.fixed.get((e, d), "__free__")
                    if d in emp.days_off:
                        cell_rules.append((c, 0.0, 0.0, ("休暇・休日", e, d)))
                    elif unable:
                        cell_rules.append((c, 0.0, 0.0, ("担当できない勤務", e, d)))
                    if fixed != "__free__":
                        v = 1.0 if fixed == sh.id else 0.0
                        cell_rules.append((c, v, v, ("指定勤務" if fixed else "指定休", e, d)))
                    continue
                if unable:
                    continue
                fixed = spec.fixed.get((e, d), "__free__")
                l = h = None
                if fixed != "__free__":
                    l = h = 1.0 if fixed == sh.id else 0.0
                xs[(e, d, s)] = col(0.0, l or 0.0, 1.0 if h is None else h, True)
                cells.append((e, d, s))
    offset = 0.0
    rows = _Rows()
    weekend_cols: dict[tuple[int, int], int] = {}
    for c, l, h, g in cell_rules:
        rows.add({c: 1.0}, l, h, g)

    def w(e: int, d: int) -> list[int]:
        return _work(xs, e, d, S)

    def lin(pos: list[tuple[int, int]] = (), neg: list[tuple[int, int]] = ()) -> dict[int, float]:
        terms: dict[int, float] = {}
        for e, d in pos:
            for c in w(e, d):
                terms[c] = terms.get(c, 0.0) + 1.0
        for e, d in neg:
            for c in w(e, d):
                terms[c] = terms.get(c, 0.0) - 1.0
        return terms

    for e, emp in enumerate(spec.employees):
        for d in range(D):
            rows.add({c: 1.0 for c in w(e, d)}, -INF, 1.0)            # one shift a day
        # forbidden successions as cliques
        for d in range(D - 1):
            for s, sh in enumerate(spec.shifts):
                if (e, d, s) not in xs or not sh.forbidden_next:
                    continue
                nxt = [xs[(e, d + 1, sidx[t])] for t in sh.forbidden_next if (e, d + 1, sidx[t]) in xs]
                if nxt:
                    terms = {xs[(e, d, s)]: 1.0}
                    terms.update({c: 1.0 for c in nxt})
                    rows.add(terms, -INF, 1.0, ("勤務間インターバル", e, d))
        # max shifts per type
        for s, sh in enumerate(spec.shifts):
            limit = emp.max_shifts.get(sh.id)
            if limit is not None and limit < D:
                rows.add({xs[(e, d, s)]: 1.0 for d in range(D) if (e, d, s) in xs}, -INF, float(limit),
                         ("勤務種別の回数上限", e, None))
        # total minutes
        minutes = {c: float(spec.shifts[s].minutes) for (ee, d, s), c in xs.items() if ee == e}
        rows.add(minutes, float(emp.min_minutes), float(emp.max_minutes), ("総労働時間", e, None))
        # max consecutive work days: every window of max+1 days has an off day
        m = emp.max_consecutive
        if 0 < m < D:
            for d in range(D - m):
                rows.add(lin([(e, j) for j in range(d, d + m + 1)]), -INF, float(m), ("連続勤務日数の上限", e, d))
        # min consecutive work days (runs touching an end are exempt)
        k = emp.min_consecutive
        for length in range(1, k):
            for d in range(0, D - length - 1):          # off d, work d+1..d+length, off d+length+1
                rows.add(lin([(e, j) for j in range(d + 1, d + length + 1)], [(e, d), (e, d + length + 1)]),
                         -INF, float(length - 1), ("最小連続勤務日数", e, d + 1))
        for d in range(D - 1 if implications else 0):
            for j in range(1, k):
                if d + 1 + j < D:                        # run starting at d+1 continues to d+1+j
                    rows.add(lin([(e, d + 1)], [(e, d), (e, d + 1 + j)]), -INF, 0.0)
                if d - j >= 0:                           # run ending at d continues back to d-j
                    rows.add(lin([(e, d)], [(e, d + 1), (e, d - j)]), -INF, 0.0)
        # min consecutive days off (same exemption): work d, off d+1..d+length, work d+length+1 forbidden
        k = emp.min_days_off
        for length in range(1, k):
            for d in range(0, D - length - 1):
                rows.add(lin([(e, d), (e, d + length + 1)], [(e, j) for j in range(d + 1, d + length + 1)]),
                         -INF, 1.0, ("最小連続休日数", e, d + 1))
        for d in range(D - 1 if implications else 0):
            for j in range(1, k):
                if d + 1 + j < D:   # off run starting at d+1: (1-w[d+1]) - (1-w[d]) <= 1 - w[d+1+j]
                    rows.add(lin([(e, d), (e, d + 1 + j)], [(e, d + 1)]), -INF, 1.0)
                if d - j >= 0:
                    rows.add(lin([(e, d + 1), (e, d - j)], [(e, d)]), -INF, 1.0)
        # weekends
        if spec.weekend_days and emp.max_weekends < len(spec.weekend_days):
            ks = []
            for i, days in enumerate(spec.weekend_days):
                kc = col(0.0, 0.0, 1.0, False)
                ks.append(kc)
                weekend_cols[(e, i)] = kc
                for d in days:
                    terms = {c: 1.0 for c in w(e, d)}
                    terms[kc] = -1.0
                    rows.add(terms, -INF, 0.0)
                terms = {kc: 1.0}
                for d in days:
                    for c in w(e, d):
                        terms[c] = -1.0
                rows.add(terms, -INF, 0.0)                 # k <= w_sat + w_sun (keeps k tight in the LP)
            rows.add({kc: 1.0 for kc in ks}, -INF, float(emp.max_weekends), ("週末勤務の上限", e, None))
    for win in spec.windows:
        e = win.employee
        if win.max_days is not None:
            rows.add(lin([(e, d) for d in win.days]), -INF, float(win.max_days),
                     (win.label or "期間の勤務日数", e, win.days[0]))
        if win.max_minutes is not None or win.min_minutes is not None:
            terms = {}
            for d in win.days:
                for s in range(S):
                    if (e, d, s) in xs:
                        per = spec.shifts[s].minutes if win.minutes_of is None else \
                            win.minutes_of.get(spec.shifts[s].id, 0)
                        terms[xs[(e, d, s)]] = float(per)
            rows.add(terms, -INF if win.min_minutes is None else float(win.min_minutes),
                     INF if win.max_minutes is None else float(win.max_minutes),
                     (win.label or "期間の労働時間", e, win.days[0]))
    # soft: requests
    for r in spec.requests:
        cols = w(r.employee, r.day) if r.shift is None else \
            [xs[(r.employee, r.day, sidx[r.shift])]] if (r.employee, r.day, sidx[r.shift]) in xs else []
        if r.on:
            offset += r.weight
            for c in cols:
                cost[c] -= r.weight
        else:
            for c in cols:
                cost[c] += r.weight
    # soft: minimal change against a reference roster
    if spec.change_weight:
        for (e, d), ref in spec.reference.items():
            if ref is None:
                for c in w(e, d):
                    cost[c] += spec.change_weight
            else:
                offset += spec.change_weight
                c = xs.get((e, d, sidx[ref]))
                if c is not None:
                    cost[c] -= spec.change_weight
    # soft: cover
    cover_cols: list[tuple[int, int, int, int]] = []
    for cv in spec.cover:
        s = sidx[cv.shift]
        who = range(E) if cv.employees is None else sorted(cv.employees)
        terms = {xs[(e, cv.day, s)]: 1.0 for e in who if (e, cv.day, s) in xs}
        u = col(float(cv.weight_under), 0.0, float(cv.requirement), False)
        o = col(float(cv.weight_over), 0.0, INF, False)
        terms[u] = 1.0
        terms[o] = -1.0
        cover_cols.append((cv.day, s, u, o))
        rows.add(terms, float(cv.requirement), float(cv.requirement))
    # soft: fairness (work above a target on given days)
    for b in spec.balances:
        terms = {}
        for d in b.days:
            for s in range(S):
                if (b.employee, d, s) in xs and (b.shift is None or spec.shifts[s].id == b.shift):
                    terms[xs[(b.employee, d, s)]] = 1.0
        if terms:
            excess = col(float(b.weight), 0.0, INF, False)
            terms[excess] = -1.0
            rows.add(terms, -INF, float(b.target))

    lp = highspy.HighsLp()
    n = len(cost)
    lp.num_col_ = n
    lp.num_row_ = len(rows.lo)
    lp.col_cost_ = np.array(cost)
    lp.col_lower_ = np.array(lo)
    lp.col_upper_ = np.array(hi)
    lp.row_lower_ = np.array(rows.lo)
    lp.row_upper_ = np.array(rows.hi)
    lp.offset_ = offset
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(rows.start, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(rows.index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(rows.value)
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer]
    by_employee: list[list[int]] = [[] for _ in range(E)]
    by_day: list[list[int]] = [[] for _ in range(D)]
    for c, (e, d, s) in enumerate(cells):
        by_employee[e].append(c)
        by_day[d].append(c)
    return RosterModel(spec, lp, xs, by_employee, by_day, cells, n, cover_cols, rows.group, weekend_cols)
