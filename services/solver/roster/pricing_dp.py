"""Exact pricing of one employee's schedule by dynamic programming over the days, for column generation.

Why: as a HiGHS MIP, one Curtois employee's pricing problem takes 0.1-0.5 s (Instance8: a round over 30
staff 3-10 s), which leaves column generation unconverged after 60 s on anything but the smallest
instances. The rules the benchmark has (one shift a day, forbidden successions, run lengths with the
horizon's ends exempt, min/max total minutes, max shifts per type, max weekends) are all resources of a
path through the days, so the cheapest schedule under the master's duals is a shortest path over states
(run state x minutes so far x weekends so far x counts of the limited shift types), with numpy doing
the minutes / weekends / counts axes at once.

Only for employees whose rules are all of those kinds (`DpPricer.build` returns None otherwise: windows,
balances, other own columns); the HiGHS pricing MIP stays for the rest.
"""
from __future__ import annotations

import math
from functools import reduce

import numpy as np

from services.solver.roster.model import RosterModel

MAX_STATES = 400_000          # per day; beyond it the DP costs more than the pricing MIP
# Schedules returned per pricing: the cheapest ending in each of this many end states. More columns a
# round means fewer rounds; they cost one walk back each.
COLUMNS = 5


class DpPricer:
    """One employee's pricing problem as a DP; same interface as colgen's MIP pricer."""

    def __init__(self, model: RosterModel, e: int, own_cols: np.ndarray, weekend_cols: list[int]) -> None:
        spec = model.spec
        emp = spec.employees[e]
        self.D, S = spec.days, len(spec.shifts)
        lo, hi = model.arrays.lo, model.arrays.hi
        pos = {int(c): i for i, c in enumerate(own_cols)}
        self.n_own = len(own_cols)
        # per day: [(shift, own position)] the employee may work; forced: a shift pinned on (lower bound 1)
        self.actions: list[list[tuple[int, int]]] = []
        self.off_ok: list[bool] = []
        for d in range(self.D):
            acts = [(s, pos[model.x[(e, d, s)]]) for s in range(S)
                    if (e, d, s) in model.x and hi[model.x[(e, d, s)]] > 0.5]
            forced = [a for a in acts if lo[own_cols[a[1]]] > 0.5]
            self.actions.append(forced or acts)
            self.off_ok.append(not forced)
        minutes = [sh.minutes for sh in spec.shifts]
        self.unit = reduce(math.gcd, [m for m in minutes if m > 0], 0) or 1
        self.units = [m // self.unit for m in minutes]
        self.n_max = emp.max_minutes // self.unit
        self.n_min = -(-emp.min_minutes // self.unit)
        # weekends: tracked only when the limit can bind
        self.weekend_of = {d: (i, j) for i, days in enumerate(spec.weekend_days) for j, d in enumerate(days)}
        self.track_w = bool(spec.weekend_days) and emp.max_weekends < len(spec.weekend_days)
        self.W = emp.max_weekends + 1 if self.track_w else 1
        self.weekend_pos = [pos[c] for c in weekend_cols]
        self.weekend_days = spec.weekend_days
        # shift types whose limit can bind: a count axis each (mixed radix over the last axis)
        avail = [sum(1 for d in range(self.D) if any(s == a for a, _ in self.actions[d])) for s in range(S)]
        self.stride = [0] * S
        self.limit = [None] * S
        T = 1
        for s, sh in enumerate(spec.shifts):
            lim = emp.max_shifts.get(sh.id)
            if lim is not None and lim < avail[s]:
                self.stride[s], self.limit[s] = T, lim
                T *= lim + 1
        self.T = T
        # count map per limited shift: t -> t + stride where the count stays within its limit
        self.t_src, self.t_dst = {}, {}
        for s in range(S):
            if self.limit[s] is not None:
                t = np.arange(T)
                ok = (t // self.stride[s]) % (self.limit[s] + 1) < self.limit[s]
                self.t_src[s], self.t_dst[s] = t[ok], t[ok] + self.stride[s]
        # run states: ("off", k, from_start) and ("work", class, k, from_start); the class of a shift is
        # its set of forbidden successors (shifts with the same set have the same future)
        classes: dict[frozenset, int] = {}
        self.cls = [classes.setdefault(sh.forbidden_next, len(classes)) for sh in spec.shifts]
        self.forbid = [{spec.shift_index()[t] for t in fs} for fs in classes]      # per class
        self.k_off = max(1, emp.min_days_off)
        self.min_work = emp.min_consecutive
        self.max_work = min(emp.max_consecutive if emp.max_consecutive > 0 else self.D, self.D)
        states = [("off", k, f) for k in range(1, self.k_off + 1) for f in (True, False)]
        states += [("work", c, k, f) for c in range(len(classes)) for k in range(1, self.max_work + 1)
                   for f in (True, False)]
        self.states = states
        self.index = {st: i for i, st in enumerate(states)}
        self.R = len(states)
        self.size = self.R * (self.n_max + 1) * self.W * self.T

    @classmethod
    def build(cls, model: RosterModel, e: int, own_cols: np.ndarray) -> "DpPricer | None":
        spec = model.spec
        if any(w.employee == e for w in spec.windows) or any(b.employee == e for b in spec.balances):
            return None
        if any(list(days) != list(range(days[0], days[0] + len(days))) for days in spec.weekend_days):
            return None                   # a weekend's days must follow each other (see _weekend_inc)
        n_x = len(model.cells)
        others = [int(c) for c in own_cols if c >= n_x]
        weekend_cols = [model.weekend_cols.get((e, i)) for i in range(len(spec.weekend_days))]
        if sorted(others) != sorted(c for c in weekend_cols if c is not None):
            return None
        if any(c is None for c in weekend_cols) and others:
            return None
        p = cls(model, e, own_cols, [c for c in weekend_cols if c is not None])
        if p.n_max + 1 > 400 or p.size > MAX_STATES:
            return None
        return p

    # -- transitions -----------------------------------------------------------------------------------
    def _next(self, st: tuple | None, s: int | None) -> tuple | None:
        """The run state after working `s` (None: off) from `st` (None: before day 0), or None if a run
        rule forbids it."""
        if st is None:
            return ("off", 1, True) if s is None else ("work", self.cls[s], 1, True)
        if st[0] == "off":
            _, k, f = st
            if s is None:
                return ("off", min(k + 1, self.k_off), f)
            if not f and k < self.k_off:
                return None                               # off run too short (and not touching the start)
            return ("work", self.cls[s], 1, False)
        _, c, k, f = st
        if s is None:
            if not f and k < self.min_work:
                return None                               # work run too short
            return ("off", 1, False)
        if k >= self.max_work or s in self.forbid[c]:
            return None
        return ("work", self.cls[s], k + 1, f)

    def _weekend_inc(self, d: int, st: tuple | None) -> int:
        if not self.track_w or d not in self.weekend_of:
            return 0
        _, j = self.weekend_of[d]
        worked_before = j > 0 and st is not None and st[0] == "work"   # the weekend's earlier day, worked
        return 0 if worked_before else 1

    def _move(self, V: np.ndarray, s: int | None, inc: int) -> np.ndarray:
        """V (N x W x T) after one step: minutes and weekends and the shift's count shifted up."""
        out = np.full_like(V, np.inf)
        u = 0 if s is None else self.units[s]
        N = V.shape[0]
        if u >= N:
            return out
        src = V[: N - u]
        if inc:
            tmp = np.full_like(src, np.inf)
            tmp[:, 1:] = src[:, :-1]
            src = tmp
        if s is not None and self.limit[s] is not None:
            tmp = np.full_like(src, np.inf)
            tmp[..., self.t_dst[s]] = src[..., self.t_src[s]]
            src = tmp
        out[u:] = src
        return out

    # -- pricing ----------------------------------------------------------------------------------------
    def price(self, cost: np.ndarray, time_limit: float = 0.0, k: int = COLUMNS) -> tuple[float, list[np.ndarray]]:
        """(the cheapest schedule's cost under `cost` over the own columns, the cheapest schedules ending in
        up to `k` different end states, best last); exact, so `time_limit` (the MIP pricer's) is not needed."""
        shape = (self.R, self.n_max + 1, self.W, self.T)
        layers: list[np.ndarray] = []
        V = None
        for d in range(self.D):
            Vn = np.full(shape, np.inf)
            moves = ([(None, 0.0)] if self.off_ok[d] else []) + [(s, float(cost[p])) for s, p in self.actions[d]]
            srcs = [None] if V is None else [st for st in self.states if np.isfinite(V[self.index[st]]).any()]
            for st in srcs:
                base = None
                if V is None:
                    base = np.full(shape[1:], np.inf)
                    base[0, 0, 0] = 0.0
                for s, c in moves:
                    nxt = self._next(st, s)
                    if nxt is None:
                        continue
                    src = base if V is None else V[self.index[st]]
                    cand = self._move(src, s, self._weekend_inc(d, st) if s is not None else 0)
                    if c:
                        cand += c
                    i = self.index[nxt]
                    np.minimum(Vn[i], cand, out=Vn[i])
            layers.append(Vn)
            V = Vn
        final = V[:, self.n_min:]
        if not np.isfinite(final).any():
            raise ValueError("an employee has no feasible schedule")
        flat = final.ravel()
        order = np.argsort(flat)[:k]
        best = float(flat[order[0]])
        paths = []
        for i in order[::-1]:
            if not np.isfinite(flat[i]):
                continue
            r, n, w, t = np.unravel_index(int(i), final.shape)
            paths.append(self._path(layers, cost, (int(r), int(n) + self.n_min, int(w), int(t)), float(flat[i])))
        return best, paths

    def _path(self, layers, cost, at: tuple[int, int, int, int], value: float) -> np.ndarray:
        """Walk back from the end state `at`, finding at each day the move that produced its value."""
        own = np.zeros(self.n_own)
        r, n, w, t = at
        for d in range(self.D - 1, -1, -1):
            target = self.states[r]
            moves = ([(None, 0.0, -1)] if self.off_ok[d] else []) + \
                [(s, float(cost[p]), p) for s, p in self.actions[d]]
            prev_states = [None] if d == 0 else self.states
            found = False
            for st in prev_states:
                for s, c, p in moves:
                    if self._next(st, s) != target:
                        continue
                    u = 0 if s is None else self.units[s]
                    inc = self._weekend_inc(d, st) if s is not None else 0
                    pn, pw, pt = n - u, w - inc, t
                    if s is not None and self.limit[s] is not None:
                        pt = t - self.stride[s]
                        if pt < 0 or (pt // self.stride[s]) % (self.limit[s] + 1) >= self.limit[s]:
                            continue
                    if pn < 0 or pw < 0:
                        continue
                    before = 0.0 if (d == 0 and pn == 0 and pw == 0 and pt == 0) else (
                        math.inf if d == 0 else float(layers[d - 1][self.index[st], pn, pw, pt]))
                    if abs(before + c - value) <= 1e-7 * max(1.0, abs(value)):
                        if p >= 0:
                            own[p] = 1.0
                        value, n, w, t = before, pn, pw, pt
                        if st is not None:
                            r = self.index[st]
                        found = True
                        break
                if found:
                    break
            if not found:
                raise RuntimeError("DP path reconstruction failed")
        for i, p in enumerate(self.weekend_pos):        # the weekend indicator: any of its days worked
            own[p] = float(any(own[q] > 0.5 for d in self.weekend_days[i] for _, q in self.actions[d]))
        return own
