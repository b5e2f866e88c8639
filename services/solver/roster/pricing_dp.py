"""Exact pricing of one employee's schedule by dynamic programming over the days, for column generation.

Why: as a HiGHS MIP, one Curtois employee's pricing problem takes 0.1-0.5 s (Instance8: a round over 30
staff 3-10 s), which leaves column generation unconverged after 60 s on anything but the smallest
instances. The rules the benchmark has (one shift a day, forbidden successions, run lengths with the
horizon's ends exempt, min/max total minutes, max shifts per type, max weekends) are all resources of a
path through the days, so the cheapest schedule under the master's duals is a shortest path over states
(run state x minutes so far x weekends so far x counts of the limited shift types), with numpy doing
the minutes / weekends / counts axes at once.

Only for employees whose rules are all of those kinds (`DpPricer.build` returns None otherwise: windows,
balances, other own columns); the HiGHS pricing MIP stays for the rest. Where tracking every limited
shift type would pass MAX_STATES, the loosest limits are relaxed (`relaxed`); colgen checks such a DP's
schedules against them and prices with the MIP when its cheapest breaks one.
"""
from __future__ import annotations

import math
import threading
from functools import reduce

import numpy as np

from services.solver.roster.model import RosterModel

MAX_STATES = 60_000           # per day and DP; limits past it are relaxed and checked (colgen._CheckedDp).
# Instance8, column generation to convergence: 45.5 s with 400,000 (7 staff relaxing one limit, 2 MIP
# fallbacks), 11.6 s with 60,000 (17 staff, 6 fallbacks), 38.9 s with 20,000 (88 fallbacks)
# Schedules returned per pricing: the cheapest ending in each of this many end states. More columns a
# round means fewer rounds; they cost one walk back each.
COLUMNS = 5
SMALL_POOL = 8                # pooled run states up to this many: one padded gather (see _compile)

# Per thread, one buffer that every DP of the thread lays its days' arrays over (see DpPricer.price):
# a fresh array a day cost more than the arithmetic on it (Instance8, 52,272 states a day: 2.3 of 10.7 ms).
_scratch = threading.local()


def _buffer(size: int) -> np.ndarray:
    buf = getattr(_scratch, "buf", None)
    if buf is None or len(buf) < size:
        buf = _scratch.buf = np.empty(size)
    return buf


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
        # shift types whose limit can bind: a count axis each (mixed radix over the last axis), tightest
        # limits first while the state space stays within MAX_STATES; the rest are relaxed (`relaxed`):
        # the DP's value is then a lower bound and its schedules may break them (within_limits says)
        avail = [sum(1 for d in range(self.D) if any(s == a for a, _ in self.actions[d])) for s in range(S)]
        self.stride = [0] * S
        self.limit = [None] * S
        self.relaxed: list[tuple[int, int]] = []
        base = self.R * (self.n_max + 1) * self.W
        T = 1
        binding = [(lim, s) for s, sh in enumerate(spec.shifts)
                   if (lim := emp.max_shifts.get(sh.id)) is not None and lim < avail[s]]
        for lim, s in sorted(binding):
            if base * T * (lim + 1) <= MAX_STATES:
                self.stride[s], self.limit[s] = T, lim
                T *= lim + 1
            else:
                self.relaxed.append((s, lim))
        self.T = T
        self.shift_pos = [np.array([p for d in range(self.D) for t, p in self.actions[d] if t == s], dtype=np.int64)
                          for s in range(S)]
        # V's axes after the row: minutes, weekends, then one per tracked count, the last tracked first (C
        # order of the mixed radix, so a flat count index t is the same numbers): a move steps each axis
        # it counts on by a plain slice
        tracked = [s for _, s in sorted(binding) if self.limit[s] is not None]
        self.inner = (self.n_max + 1, self.W) + tuple(self.limit[s] + 1 for s in reversed(tracked))
        count_axis = {s: 2 + len(tracked) - 1 - j for j, s in enumerate(tracked)}     # in a state's axes
        # per day and (move, weekend increment): (where in a state's axes it lands, where it comes from),
        # absent if it never fits; built here so a pricer shared by two threads is never written to
        self.boxes = self._boxes(tracked)
        # per layer, where its box is: outside it a layer holds whatever the buffer held (see price)
        self.box_slices = [tuple(slice(lo, hi + 1) for lo, hi in box) for box in self.boxes]
        self.in_box = []
        for box in self.box_slices:
            mask = np.zeros(self.inner, dtype=bool)
            mask[box] = True
            self.in_box.append(mask.ravel().tolist())
        self.cuts = [{(s, inc): cut for s in [None, *range(S)] for inc in (0, 1)
                      if (cut := self._cut(d, s, inc, count_axis)) is not None} for d in range(self.D)]
        self.size = self.R * (self.n_max + 1) * self.W * self.T
        self._compile()

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
        if p.n_max + 1 > 400 or p.size > MAX_STATES:     # (with every count relaxed)
            return None
        return p

    def within_limits(self, own: np.ndarray) -> bool:
        """Whether a schedule keeps the shift limits the DP relaxed."""
        return all(own[self.shift_pos[s]].sum() <= lim + 1e-9 for s, lim in self.relaxed)

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

    def _compile(self) -> None:
        """Each day's transitions grouped by move (off, or a shift) and weekend increment: every run state
        a move applies to shifts its minutes / weekends / counts axes the same way, so one day is a few
        numpy operations per move over all run states at once, instead of one per (state, move) pair
        (Instance12: a pricing round 3x faster). Row R is the state before day 0. Also, per day, the
        (source, move) pairs that lead into each run state, for walking paths back. Days alike (the same
        shifts open, the same place in a weekend) share one compiled form; only their own columns differ."""
        self.groups: list[list[tuple]] = []
        self.pools: list[tuple[np.ndarray, list[np.ndarray]]] = []
        self.back: list[dict[int, list[tuple[int, int | None, int]]]] = []
        self.own_pos: list[dict[int, int]] = []       # per day: shift -> its own column position
        nxt = {(i, s): self._next(st, s) for i, st in enumerate(self.states) for s in [None, *range(len(self.units))]}
        kinds: dict[tuple, tuple] = {}
        for d in range(self.D):
            shifts = ((None,) if self.off_ok[d] else ()) + tuple(s for s, _ in self.actions[d])
            weekend = 0 if not self.track_w or d not in self.weekend_of else 1 + (self.weekend_of[d][1] > 0)
            key = (d == 0, shifts, weekend)
            if key not in kinds:
                kinds[key] = self._compile_day(d, shifts, nxt)
            groups, pools, back = kinds[key]
            pos = dict(self.actions[d])
            self.groups.append([(s, -1 if s is None else pos[s], inc, src, dst) for s, inc, src, dst in groups])
            self.pools.append(pools)
            self.back.append(back)
            self.own_pos.append(pos)
        # per day and run state: its (source, own position or -1, minutes, weekend increment, count stride,
        # count limit) for walking back (_path); a stride of 0 for a shift whose count is not tracked
        self.back_moves = [{r: [(i, -1 if sh is None else self.own_pos[d][sh], 0 if sh is None else self.units[sh],
                                 inc, self.stride[sh] if sh is not None and self.limit[sh] is not None else 0,
                                 self.limit[sh] if sh is not None and self.limit[sh] is not None else 0)
                                for i, sh, inc in moves] for r, moves in self.back[d].items()}
                           for d in range(self.D)]
        # rows of each day's V (and of the one after the last day, which has no pools)
        self.rows = [self.R + 2 + len(small) + len(large) for small, large in self.pools] + [self.R + 2]

    def _compile_day(self, d: int, shifts: tuple, nxt: dict) -> tuple:
        start = self.R
        sources = [(start, None)] if d == 0 else list(enumerate(self.states))
        edges: dict[tuple[int | None, int], list[tuple[int, int]]] = {}
        back: dict[int, list[tuple[int, int | None, int]]] = {}
        for i, st in sources:
            for s in shifts:
                to = self._next(st, s) if st is None else nxt[(i, s)]
                if to is None:
                    continue
                inc = self._weekend_inc(d, st) if s is not None else 0
                r = self.index[to]
                edges.setdefault((s, inc), []).append((r, i))
                back.setdefault(r, []).append((i, s, inc))
        # sources sharing a destination are pooled first, their minimum taken once a day per distinct set
        # (a move shifts every source's axes alike, so the minimum commutes with it): they are the day's
        # V's rows after R + 1
        pools: dict[tuple[int, ...], int] = {}
        groups = []
        for (s, inc), pairs in edges.items():
            by_dst: dict[int, list[int]] = {}
            for r, i in pairs:
                by_dst.setdefault(r, []).append(i)
            dst = np.array(sorted(by_dst), dtype=np.int64)
            rows = [by_dst[r][0] if len(by_dst[r]) == 1 else
                    start + 1 + pools.setdefault(tuple(sorted(by_dst[r])), len(pools)) for r in dst]
            groups.append((s, inc, np.array(rows, dtype=np.int64), dst))
        # small pools (most are 2-4 states) in one gather padded with the all-inf row R + 1; large ones
        # (all work states into the first day off) one by one
        small = [k for k in pools if len(k) <= SMALL_POOL]
        width = max(map(len, small), default=0)
        padded = np.array([list(k) + [start + 1] * (width - len(k)) for k in small], dtype=np.int64)
        order = [pools[k] for k in small] + [pools[k] for k in pools if len(k) > SMALL_POOL]
        rank = np.argsort(order)                  # pool id -> its row among the day's pooled minima
        for g in groups:
            pooled = g[2] > start
            g[2][pooled] = start + 2 + rank[g[2][pooled] - start - 1]
        return groups, (padded.reshape(len(small), width),
                        [np.array(k, dtype=np.int64) for k in pools if len(k) > SMALL_POOL]), back

    def _boxes(self, tracked: list[int]) -> list[list[tuple[int, int]]]:
        """Per layer (the state after that many days, 0 to D), the range of each axis after the row that
        can still be on a feasible path: minutes no more than the days so far can hold, nor so few that
        the days left cannot reach the minimum; weekends and counts no more than the days so far hold.

        Why: the DP's work grows with its arrays (Instance8: 3 ms for 12,540 states a day, 13 ms for
        52,272), and early on most of the minutes axis is out of reach, late on most of it is too low.
        Measured with the shared buffer (_buffer), same answers: four cell dives on Instance8, 7,538 DP
        calls in 20.5 s against 28.6 s; column generation to convergence, one thread, Instance8 5.3 s
        against 6.8 s, Instance5 0.4 s against 1.0 s, Instance11 and 12 as before."""
        most = [max((self.units[t] for t, _ in self.actions[d]), default=0) for d in range(self.D)]
        after = np.concatenate((np.cumsum(most[::-1])[::-1], [0]))
        open_s = [[any(t == s for t, _ in self.actions[d]) for d in range(self.D)] for s in range(len(self.units))]
        boxes = []
        for L in range(self.D + 1):
            box = [(max(0, self.n_min - int(after[L])), min(self.n_max, int(sum(most[:L]))))]
            box.append((0, min(self.W - 1, sum(1 for days in self.weekend_days if min(days) < L))))
            for s in reversed(tracked):
                box.append((0, min(self.limit[s], sum(open_s[s][:L]))))
            boxes.append(box)
        return boxes

    def _cut(self, d: int, s: int | None, inc: int, count_axis: dict[int, int]) -> tuple[tuple, tuple] | None:
        """Day d's move: minutes, weekends and the shift's count stepped up by plain slices, within the
        boxes of the layers before and after it; None if nothing of it fits."""
        step = [0 if s is None else self.units[s], inc] + [0] * (len(self.inner) - 2)
        if s in count_axis:
            step[count_axis[s]] = 1
        dst, src = [], []
        for (lo0, hi0), (lo1, hi1), k in zip(self.boxes[d], self.boxes[d + 1], step):
            a, b = max(lo0, lo1 - k), min(hi0, hi1 - k)
            if a > b:
                return None
            src.append(slice(a, b + 1))
            dst.append(slice(a + k, b + k + 1))
        return tuple(dst), tuple(src)

    # -- pricing ----------------------------------------------------------------------------------------
    def price(self, cost: np.ndarray, time_limit: float = 0.0, k: int = COLUMNS) -> tuple[float, list[np.ndarray]]:
        """(the cheapest schedule's cost under `cost` over the own columns, the cheapest schedules ending in
        up to `k` different end states, best last); exact, so `time_limit` (the MIP pricer's) is not needed."""
        # a day's V: the run states, the state before day 0 (row R), an all-inf row (R + 1), then the
        # day's pooled minima (see _compile)
        inner, rows = self.inner, self.rows
        # the days' arrays over one buffer, each filled with inf only inside its box: nothing outside a
        # box is read but by _path, which checks in_box
        cells = int(np.prod(inner))
        buf = _buffer(sum(rows) * cells)
        at_row = np.concatenate(([0], np.cumsum(rows))) * cells
        views = [buf[at_row[d]:at_row[d + 1]].reshape((rows[d],) + inner) for d in range(self.D + 1)]
        V = views[0]
        V.fill(np.inf)
        V[(self.R,) + (0,) * len(inner)] = 0.0
        layers = [V]
        for d in range(self.D):
            small, large = self.pools[d]
            at = self.R + 2
            inside = V[(slice(None),) + self.box_slices[d]]
            if len(small):
                inside[at:at + len(small)] = inside[small].min(axis=1)
                at += len(small)
            for g in large:
                inside[at] = inside[g].min(axis=0)
                at += 1
            Vn = views[d + 1]
            if d + 1 == self.D:
                Vn.fill(np.inf)
            else:
                Vn[(slice(None),) + self.box_slices[d + 1]] = np.inf
            cuts = self.cuts[d]
            for s, p, inc, src, dst in self.groups[d]:
                cut = cuts.get((s, inc))
                if cut is None:
                    continue
                into = (dst,) + cut[0]
                cand = V[(src,) + cut[1]]             # only the part of the sources' axes that moves
                if s is not None and cost[p]:
                    cand += cost[p]
                np.minimum(Vn[into], cand, out=cand)
                Vn[into] = cand
            layers.append(Vn)
            V = Vn
        final = V.reshape(len(V), self.n_max + 1, self.W, self.T)[: self.R, self.n_min:]
        if not np.isfinite(final).any():
            raise ValueError("an employee has no feasible schedule")
        flat = final.ravel()
        order = np.argsort(flat)[:k]
        best = float(flat[order[0]])
        paths, costs = [], cost.tolist()
        for i in order[::-1]:
            if not np.isfinite(flat[i]):
                continue
            r, n, w, t = np.unravel_index(int(i), final.shape)
            paths.append(self._path(layers, costs, (int(r), int(n) + self.n_min, int(w), int(t)), float(flat[i])))
        return best, paths

    def _path(self, layers, cost: list[float], at: tuple[int, int, int, int], value: float) -> np.ndarray:
        """Walk back from the end state `at`, finding at each day the move that produced its value (flat
        indices into each day's array: one Python loop a day, no numpy scalar per candidate)."""
        own = np.zeros(self.n_own)
        r, n, w, t = at
        N, W, T = self.n_max + 1, self.W, self.T
        for d in range(self.D - 1, -1, -1):
            prev, box = layers[d].ravel(), self.in_box[d]
            for i, p, u, inc, stride, limit in self.back_moves[d].get(r, ()):
                pn, pw, pt = n - u, w - inc, t
                if stride:
                    pt = t - stride
                    if pt < 0 or (pt // stride) % (limit + 1) >= limit:
                        continue
                if pn < 0 or pw < 0:
                    continue
                k = (pn * W + pw) * T + pt
                before = prev[i * N * W * T + k]
                if abs(before + (cost[p] if p >= 0 else 0.0) - value) <= 1e-7 * max(1.0, abs(value)) and box[k]:
                    if p >= 0:
                        own[p] = 1.0
                    value, r, n, w, t = float(before), i, pn, pw, pt
                    break
            else:
                raise RuntimeError("DP path reconstruction failed")
        for i, p in enumerate(self.weekend_pos):        # the weekend indicator: any of its days worked
            own[p] = float(any(own[q] > 0.5 for d in self.weekend_days[i] for _, q in self.actions[d]))
        return own
