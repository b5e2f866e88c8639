"""A dive in the converged master that fixes single decisions, not whole schedules, pricing again after
each step: the heuristic half of branch-and-price, without the backtracking. It settles who works which
day first (an employee works day d, in any shift, or is off), and only then which shift (the employee
works shift s on day d).

Why: the master's LP sits within about 1 % of the best rosters on the Curtois instances where cover is
tight (Instance8: 1296.6 against 1305-1308), but the LP is degenerate and spread over many schedules per
employee. Fixing a whole schedule (ColumnGeneration.dive) commits to one of them, and everything it
implies, on the strength of one LP value; the LP then climbs fast (a 20-staff cut of Instance8: 776 to a
roster of 1374). Fixing one decision asks less, and the others re-price around it. Each step fixes the
decisions the LP is surest of, at most one per employee, so a step never asks for two that one schedule
cannot hold.

Why days first: the rules that bind (runs of work and days off, total minutes, weekends) are about which
days are worked; the shift a day takes matters to cover and to the forbidden successions only. Forcing
cells from the start settled both at once, and a dive failed late, when many cells the LP held at
0.5-0.67 were forced. From the same converged masters (one thread, no give-up), days first against
cells only:
- the 20-staff cut of Instance8 (bench/curtois_variants.py, LP 776; good rosters 7 cover units short,
  782-800; the others 8 or more short, 880 and up): 9 of 16 dives in the good mode, two CG seeds, best
  780, against 4 of 20 (best 789);
- Instance8 (LP 1296.6): 1304 / 1304 / 1306 / 1306 / 1314 in 10.6 s a dive, against 1308 / 1309 / 1410 /
  1436 / 1504 in 13.5 s;
- Instance5: best of four 1146 against 1175; the 18-staff cut: 1263-1285 against 1264-1565.

The search runs it at convergence (search._cell_dive_roster); the measurements that placed it there are
in search._lp_roster.
"""
from __future__ import annotations

import math
import time
from typing import Callable

import highspy
import numpy as np

from services.solver.roster.colgen import ColumnGeneration, _CheckedDp
from services.solver.roster.model import EXACT_GAP
from services.solver.roster.pricing_dp import DpPricer

# taken off a forced cell's pricing cost and added to a forbidden one's: above any schedule's true reduced
# cost on the Curtois weights (cover units of 100, a 28-day horizon), so the cheapest schedule a DP finds
# holds every fixing it can (a pricing MIP holds them as bounds)
_FORCE = 1.0e5


class CellDive:
    """One dive over a ColumnGeneration's master; its bounds are restored when it ends."""

    def __init__(self, cg: ColumnGeneration, jitter: float = 0.0, seed: int = 1, exact: bool = False) -> None:
        self.cg = cg
        # `exact` False: an employee whose DP relaxed a shift limit (colgen._CheckedDp) takes the DP's
        # schedules that keep the limit, where there are any, instead of asking its pricing MIP for the
        # cheapest; the MIP only where none holds the fixings. The dive is a heuristic and needs good
        # columns, not the cheapest: on a 20-staff cut of Instance8 the MIP took half of every dive (139
        # of them in one 18 s dive), and dives took 5-7 s instead of 9-20 s at the same spread of rosters
        self.exact = exact
        # a later dive from the same master ranks cells by their LP value plus noise of up to `jitter`,
        # so that it takes another path down
        self.jitter, self.rng = jitter, np.random.default_rng(seed)
        self.model = cg.model
        # employee -> groups of own-column positions, one of each group worked: a day's shifts (the day is
        # worked) or a single cell
        self.forced: dict[int, list[np.ndarray]] = {}
        self.forbidden: dict[int, list[int]] = {}       # employee -> own-column positions fixed at 0
        # per x column, its (employee, day) as one index (employee * days + day)
        cells, days = self.model.cells, self.model.spec.days
        self.day_of = np.fromiter((e * days + d for e, d, _ in cells), dtype=np.int64, count=len(cells))
        self.banned: set[int] = set()                   # master column positions at an upper bound of 0
        self.hidden: set[int] = set()                   # of those, the rosters found elsewhere

    def _consistent(self, e: int, own: np.ndarray) -> bool:
        return all(own[g].max() > 0.5 for g in self.forced.get(e, ())) and \
            all(own[p] < 0.5 for p in self.forbidden.get(e, ()))

    def _ban_inconsistent(self, e: int) -> None:
        cg = self.cg
        for i, (owner, own) in enumerate(cg.columns):
            if owner == e and i not in self.banned and not self._consistent(e, own):
                self.banned.add(i)
                cg.master.changeColBounds(cg.n_slack + i, 0.0, 0.0)

    def _price(self, employees, pricing_time: float, deadline: float) -> tuple[int, list[int]]:
        """Price `employees` against the duals with their fixings as costs; (columns added, employees
        for whom no schedule holds every fixing)."""
        cg = self.cg
        y = cg.duals
        added, stuck = 0, []
        for e in employees:
            if time.perf_counter() > deadline:
                break
            rc = cg.reduced_costs(e)
            shaped = rc.copy()
            for g in self.forced.get(e, ()):            # one shift a day: a day's group takes it once
                shaped[g] -= _FORCE
            shaped[self.forbidden.get(e, [])] += _FORCE
            ok = self._schedules(e, shaped, pricing_time, self.exact)
            if not ok and not self.exact and isinstance(cg.pricers[e], _CheckedDp):
                ok = self._schedules(e, shaped, pricing_time, True)      # stuck only if exactly so
            if not ok:
                stuck.append(e)
                continue
            for own in ok:
                # the best consistent schedule always (its employee may have no other), the rest if improving
                if own is ok[-1] or float(np.dot(rc, own)) - y[e] < -1e-6:
                    added += cg.add(e, own)
        return added, stuck

    def _schedules(self, e: int, shaped: np.ndarray, pricing_time: float, exact: bool) -> list[np.ndarray]:
        """Employee e's schedules priced at `shaped` that hold its fixings, cheapest last. A pricing MIP
        holds forced cells and forbidden ones as bounds; a worked day only through its cost."""
        pricer = self.cg.pricers[e]
        fixed = ([int(g[0]) for g in self.forced.get(e, ()) if len(g) == 1], self.forbidden.get(e, []))
        try:
            if isinstance(pricer, DpPricer):         # a DP takes its fixings as costs alone
                _, found = pricer.price(shaped)
            elif isinstance(pricer, _CheckedDp):
                _, found = pricer.price(shaped, pricing_time, fixed, exact=exact)
            else:
                _, found = pricer.price(shaped, pricing_time, fixed)
        except ValueError:                           # the MIP says no schedule holds the fixings
            found = []
        return [own for own in found if self._consistent(e, own)]

    def _converge(self, rounds: int, pricing_time: float, deadline: float) -> float:
        """The master's LP value after up to `rounds` pricing rounds around the fixings."""
        cg = self.cg
        value = cg.solve_master()
        for _ in range(rounds):
            added, _ = self._price(range(cg.E), pricing_time, deadline)
            if not added:
                break
            value = cg.solve_master()
        return value

    def _rounded(self) -> np.ndarray:
        """Each employee's schedule with the largest LP value: a roster that keeps every rule but cover
        (a full column vector once cg.sub.complete fills the cover slacks)."""
        cg = self.cg
        values = np.zeros(len(cg.cost))
        for e, i in enumerate(cg.largest(cg.lambdas())):
            values[cg.dec.own_cols[e]] = cg.columns[i][1]
        return values

    def _roster(self, frac: np.ndarray, time_limit: float, cutoff: float) -> np.ndarray | None:
        """The LP's roster, its fractional cells (`frac`) completed by the compact model's sub-MIP with
        every other cell where the LP has it (0 or 1)."""
        cg = self.cg
        values = self._rounded()
        if len(frac) == 0:
            return cg.sub.complete(values)
        h = highspy.Highs()
        for k, v in (("output_flag", False), ("threads", 1), ("time_limit", max(0.05, time_limit)),
                     ("mip_rel_gap", 0.0), ("mip_abs_gap", EXACT_GAP)):
            h.setOptionValue(k, v)
        if math.isfinite(cutoff):
            h.setOptionValue("objective_bound", cutoff)
        return cg.sub.solve(h, values, frac.astype(np.int32))

    def _position(self, e: int, cell: int) -> int:
        """The own-column position of employee e's x column `cell` (own_cols are in model order)."""
        return int(np.searchsorted(self.cg.dec.own_cols[e], cell))

    def _day_group(self, key: int) -> np.ndarray:
        """The own-column positions of one (employee, day)'s shifts (`key` as in day_of)."""
        e = key // self.model.spec.days
        return np.searchsorted(self.cg.dec.own_cols[e], np.flatnonzero(self.day_of == key))

    def _rebuild_bans(self, e: int) -> None:
        """Employee e's columns banned exactly where they break its fixings, once a fixing of e has been
        turned round (forced to forbidden, or off to worked)."""
        cg = self.cg
        for i in [i for i in self.banned if cg.columns[i][0] == e and i not in self.hidden]:
            self.banned.discard(i)
            cg.master.changeColBounds(cg.n_slack + i, 0.0, math.inf)
        self._ban_inconsistent(e)

    def _fix(self, chosen: dict[int, tuple[np.ndarray, bool]], pricing_time: float, deadline: float) -> bool:
        """Fix each chosen group (employee -> (own positions, worked)): worked, one of its positions is on;
        not, all are off. A fixing no schedule of its employee can hold is turned round. False if an
        employee then has no schedule either way."""
        for e, (group, worked) in chosen.items():
            if worked:
                self.forced.setdefault(e, []).append(group)
            else:
                self.forbidden.setdefault(e, []).extend(group.tolist())
            self._ban_inconsistent(e)
        _, stuck = self._price(list(chosen), pricing_time, deadline)
        for e in stuck:
            group, worked = chosen[e]
            if worked:
                self.forced[e].pop()
                self.forbidden.setdefault(e, []).extend(group.tolist())
            else:
                del self.forbidden[e][-len(group):]
                self.forced.setdefault(e, []).append(group)
            self._rebuild_bans(e)
            if self._price([e], pricing_time, deadline)[1]:
                return False
        return True

    def _choose(self, x: np.ndarray, frac: np.ndarray, share: float, bulk: float) -> dict[int, tuple[np.ndarray, bool]]:
        """One step's fixings: while some employee's day is fractional (worked in part), days, each on
        the side the LP is surest of; then cells, forced. At most one per employee; `share` of the
        employees still fractional, and every decision at `bulk` or surer."""
        work = np.bincount(self.day_of, weights=x)
        open_days = np.flatnonzero((work > 1e-6) & (work < 1 - 1e-6))
        days = self.model.spec.days
        if len(open_days):
            sure = np.maximum(work[open_days], 1 - work[open_days])
            owner = open_days // days
        else:
            sure, owner = x[frac], np.fromiter((self.model.cells[c][0] for c in frac), dtype=np.int64,
                                               count=len(frac))
        rank = sure + (self.rng.uniform(0.0, self.jitter, len(sure)) if self.jitter else 0.0)
        take = max(1, round(len(set(owner.tolist())) * share))
        chosen: dict[int, tuple[np.ndarray, bool]] = {}
        for i in np.argsort(-rank, kind="stable"):
            e = int(owner[i])
            if e not in chosen and (len(chosen) < take or sure[i] >= bulk):
                if len(open_days):
                    key = int(open_days[i])
                    chosen[e] = (self._day_group(key), bool(work[key] >= 0.5))
                else:
                    chosen[e] = (np.array([self._position(e, int(frac[i]))]), True)
        return chosen

    def run(self, deadline: float, pricing_time: float, cutoff: float | Callable[[], float] = math.inf,
            rounds_per_step: int = 3, share: float = 1 / 3, bulk: float = 0.9, on_step=None,
            log=None, give_up: float = math.inf) -> np.ndarray | None:
        """Dive until the LP is integral (a full model column vector), or None when the LP climbs to
        `cutoff` (no better roster down this path; a callable is read at every step, for a best that
        improves while the dive runs). At the deadline the cells still fractional are completed by a
        sub-MIP instead.

        Each step fixes, for about `share` of the employees still fractional, the day or cell the LP is
        surest of, and every one at `bulk` or surer (_choose). Measured with cells only, on Instance8 from
        the converged master (one thread, ten dives): 1306-1321 in five, 1411-1611 in the others, 13-28 s
        each, where RENS on the same LP found 1590 in 24 s (days first: the module's docstring). Tried,
        not kept: undoing a step that lifts the LP by a quarter of a cover unit (then one cell, then the
        other branch; 1416 and 1614 in 45 s), and a sub-MIP over the cells still fractional once they are
        200 or fewer (1408-1499: the zeros it fixes are what the dive still moves).

        `give_up`: a margin over the dive's first LP value; a dive whose LP climbs past it stops (None)
        like one cut off. A dive that fails jumps part-way: on Instance8 (root 1296.6, seven dives) the
        ones that ended at 1420-1537 were all past 1319 after 55-80 % of their time, the one that ended at
        1306 never past 1306.3; where the search dives again and again (medium models) the seconds saved go
        to the next draw.

        `on_step` gets the rounded roster (_rounded) after each step, for the LNS beside the dive, which
        otherwise starts from whatever it had for the 13-30 s the dive takes (one small LP a step; on
        Instance8 the first such roster, 3118, was the best so far at 12 s)."""
        cg = self.cg
        started, steps = time.perf_counter(), 0
        # rosters found elsewhere stay out, as in ColumnGeneration.dive: the degenerate LP takes them at 1
        self.hidden = {i for i, p in enumerate(cg.priced) if not p}
        for i in self.hidden:
            self.banned.add(i)
            cg.master.changeColBounds(cg.n_slack + i, 0.0, 0.0)
        try:
            value = self._converge(rounds_per_step, pricing_time, deadline)
            ceiling = value + give_up
            while True:
                limit = cutoff() if callable(cutoff) else cutoff
                cut_off = value >= limit - 1e-6
                if cut_off or value >= ceiling - 1e-6:
                    if log:
                        log(f"cell dive: {'cut off' if cut_off else 'given up'} at {value:.1f} after {steps} steps")
                    return None
                x = cg.lp_values()[: cg.n_x]
                frac = np.flatnonzero((x > 1e-6) & (x < 1 - 1e-6))
                if len(frac) == 0 or time.perf_counter() >= deadline:
                    roster = self._roster(frac, max(0.0, deadline - time.perf_counter()) + 1.0, limit)
                    if log:
                        log(f"cell dive: {len(frac)} fractional at {value:.1f} after {steps} steps: "
                            f"{None if roster is None else round(self.model.objective(roster))} "
                            f"{time.perf_counter() - started:.1f} s")
                    return roster
                if on_step is not None and steps:
                    rounded = cg.sub.complete(self._rounded())
                    if rounded is not None:
                        on_step(rounded)
                steps += 1
                if not self._fix(self._choose(x, frac, share, bulk), pricing_time, deadline):
                    return None
                value = self._converge(rounds_per_step, pricing_time, deadline)
        finally:
            for i in self.banned:
                cg.master.changeColBounds(cg.n_slack + i, 0.0, math.inf)
            cg.solve_master()
