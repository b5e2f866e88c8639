"""Best-response descent: each employee's whole schedule re-optimised against everyone else's, in turn.

Why: the LNS starts from the full MIP's first roster, often everyone's cheapest schedule with cover
ignored, and on the large Curtois instances it spends its first 20 s walking down from there (Instance12:
21,716 at 5 s, 6,858 at 21 s). With the others fixed, one person's effect on each cover row is a step of
one, so the cover's cost becomes a linear cost on that person's cells: below the requirement a shift saves
the under weight, at or above it costs the over weight. The employee's exact cheapest schedule under those
costs is one pricing call (colgen.make_pricer: the DP, 10-40 ms), so a sweep over all staff takes under a
second and a few sweeps reach a local optimum no single person can improve (Instance12: 7,372 in 4 s).
"""
from __future__ import annotations

import random
import time

import numpy as np

from services.solver.roster.colgen import Decomposition, make_pricer
from services.solver.roster.model import RosterModel
from services.solver.roster.submip import SubMip


class Descent:
    def __init__(self, model: RosterModel, dec: Decomposition, seed: int = 1) -> None:
        a = model.arrays
        self.model, self.dec = model, dec
        self.cost = a.cost
        self.n_x = len(model.cells)
        self.rng = random.Random(seed)
        self.E = len(dec.own_cols)
        L = len(dec.link_rows)
        self.req = np.zeros(L)
        self.under = np.zeros(L)
        self.over = np.zeros(L)
        x_at: list[list[tuple[int, int]]] = [[] for _ in range(self.E)]      # per employee: (own pos, row)
        owner_pos = {}
        for e, cols in enumerate(dec.own_cols):
            for i, c in enumerate(cols):
                owner_pos[int(c)] = (e, i)
        self.exact = True
        for k, r in enumerate(dec.link_rows):
            lo, hi = a.start[r], a.start[r + 1]
            if a.rlo[r] != a.rhi[r]:
                self.exact = False
            self.req[k] = a.rlo[r]
            for c, v in zip(a.index[lo:hi], a.value[lo:hi]):
                c = int(c)
                if c < self.n_x:
                    if v != 1.0:
                        self.exact = False        # a step of one per person is what makes the cost linear
                    e, i = owner_pos[c]
                    x_at[e].append((i, k))
                elif v > 0:
                    self.under[k] = a.cost[c]
                else:
                    self.over[k] = a.cost[c]
        self.at = [(np.array([i for i, _ in t], dtype=np.int64), np.array([k for _, k in t], dtype=np.int64))
                   for t in x_at]
        self.pricers = [make_pricer(model, dec, e) for e in range(self.E)] if self.exact else []
        self.sub = SubMip(model)

    def start(self, time_limit: float) -> np.ndarray:
        """Everyone's own cheapest schedule, cover ignored: a roster to descend from."""
        values = np.zeros(len(self.cost))
        for e, p in enumerate(self.pricers):
            _, found = p.price(self.cost[self.dec.own_cols[e]], time_limit)
            if not found:
                raise ValueError("an employee has no feasible schedule")
            values[self.dec.own_cols[e]] = found[-1]
        return self.complete(values)

    def complete(self, values: np.ndarray) -> np.ndarray:
        """`values` with the cover slacks that its schedules imply (every schedule is feasible alone, and
        cover is soft, so the slacks always exist)."""
        return self.sub.complete(values)

    def counts(self, values: np.ndarray) -> np.ndarray:
        """How many people each cover row counts in `values`."""
        count = np.zeros(len(self.req))
        for e in range(self.E):
            pos, rows = self.at[e]
            np.add.at(count, rows, np.round(values[self.dec.own_cols[e][pos]]))
        return count

    def costs(self, e: int, values: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(employee e's cost per own column with everyone else as in `values`, the others' counts):
        a shift where the others fall short saves the under weight, anywhere else costs the over weight."""
        cols = self.dec.own_cols[e]
        pos, rows = self.at[e]
        others = count.copy()
        np.subtract.at(others, rows, np.round(values[cols][pos]))
        cost = self.cost[cols].copy()
        np.add.at(cost, pos, np.where(others[rows] < self.req[rows], -self.under[rows], self.over[rows]))
        return cost, others

    def sweep(self, values: np.ndarray, time_limit: float, deadline: float) -> tuple[np.ndarray, int]:
        """One pass over the staff in random order: (the roster after it, how many schedules changed)."""
        values = np.asarray(values, float).copy()
        count = self.counts(values)
        order = list(range(self.E))
        self.rng.shuffle(order)
        changed = 0
        for e in order:
            if time.perf_counter() > deadline:
                break
            cols = self.dec.own_cols[e]
            pos, rows = self.at[e]
            cost, others = self.costs(e, values, count)
            _, found = self.pricers[e].price(cost, time_limit)
            if found and float(np.dot(cost, found[-1])) < float(np.dot(cost, np.round(values[cols]))) - 1e-6:
                values[cols] = found[-1]
                np.add.at(others, rows, np.round(found[-1][pos]))
                count = others
                changed += 1
        return self.complete(values), changed
