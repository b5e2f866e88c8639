"""A fast primal heuristic for the regular blocks: LP rounding, repair, then local search.

Why: HiGHS proves a 0.5% gap on these models within a fraction of a second once it holds a good
incumbent, but finding that incumbent with its own sub-MIP heuristics takes seconds (measured: 2-6 s at
200 staff). People come in whole blocks, so the work is deciding which cells round up and which round
down — a local search over single-person moves does that well. The result is handed to HiGHS as a
partial MIP start (regular-block x only); HiGHS completes overtime, indicators and slacks itself and
then only has to close the bound. The heuristic never decides optimality: HiGHS does.
"""
from __future__ import annotations

import time

import numpy as np

from services.solver.cells import cell_parts, cell_key

B_OVERTIME = 2  # block index of overtime in the model's arrays (model.B_OVERTIME)


class _Cells:
    """Per-cell state for the regular blocks and the penalty of its coverage."""

    def __init__(self, built, w) -> None:
        comp = built.comp
        npr = comp.demand.shape[1]
        keys = built.cell_keys
        self.demand = comp.demand.reshape(-1)[keys]
        self.upper = comp.upper.reshape(-1)[keys]
        n = len(keys)
        self.cov = np.zeros(n)
        self.count = np.zeros(n, np.int64)
        self.vets = np.zeros(n, np.int64)
        self.seniors = np.zeros(n, np.int64)
        self.news = np.zeros(n, np.int64)
        req = np.array([p.requires_veteran for p in comp.inst.processes], bool)
        self.req_vet = req[cell_parts(keys, npr)[1]]
        self.w_short, self.w_buf = w.shortage, w.buffer

    def penalty(self, c: int, cov: float) -> float:
        d, u = self.demand[c], self.upper[c]
        return self.w_short * max(0.0, d - cov) + self.w_buf * min(max(0.0, u - cov), u - d)

    def ok_change(self, c: int, out: tuple[bool, bool] | None, inn: tuple[bool, bool] | None) -> bool:
        """Cell rules after one person (is_vet, is_new) leaves (`out`) and/or one joins (`inn`)."""
        count, vets, seniors, news = self.count[c], self.vets[c], self.seniors[c], self.news[c]
        for person, sign in ((out, -1), (inn, +1)):
            if person is not None:
                count += sign
                vets += sign * person[0]
                seniors += sign * (not person[1])
                news += sign * person[1]
        if count == 0:
            return True
        if self.req_vet[c] and vets == 0:
            return False
        return not (news > 0 and seniors == 0)

    def apply(self, c: int, e: float, is_vet: bool, is_new: bool, sign: int) -> None:
        self.cov[c] += sign * e
        self.count[c] += sign
        self.vets[c] += sign * is_vet
        self.seniors[c] += sign * (not is_new)
        self.news[c] += sign * is_new


def regular_start(built, lp_x: np.ndarray, budget_seconds: float = 0.05, max_passes: int = 30) -> np.ndarray:
    """0/1 values for every candidate column x[k] of the regular blocks (overtime ones left at 0).

    `built` is a model.Built (duck-typed: this module must not import model, which imports it). The local
    search is pure Python and holds the GIL, so it stops after `budget_seconds`: what it found by then is
    still a valid start, and HiGHS does the rest."""
    search = _LocalSearch(built, _person_block_groups(built, lp_x))
    search.round_lp(lp_x)
    search.repair()
    search.improve(time.perf_counter() + budget_seconds, max_passes)
    return search.values()


def _sites_from_lp(built, lp_x: np.ndarray) -> np.ndarray:
    """Each person who may change site goes (whole day) to the site the LP gives them the most of."""
    site_of = built.comp.planned_site.copy()
    if len(built.t_pairs):
        t_val = lp_x[built.t_col0:built.t_col0 + len(built.t_pairs)]
        best: dict[int, tuple[float, int]] = {}
        for (i, s), v in zip(built.t_pairs.tolist(), t_val.tolist()):
            if v > best.get(i, (-1.0, 0))[0]:
                best[i] = (v, s)
        for i, (_, s) in best.items():
            site_of[i] = s
    return site_of


def _person_block_groups(built, lp_x: np.ndarray) -> list[np.ndarray]:
    """Candidate columns grouped by person-block (regular blocks only). With site rows (t) the start keeps
    each person at one site; without them (one site, or the site-relaxed block models) every candidate is
    usable."""
    ki, kb, ks = built.ki, built.kb, built.ks
    reg = np.nonzero(kb != B_OVERTIME)[0]
    usable = reg[ks[reg] == _sites_from_lp(built, lp_x)[ki[reg]]] if len(built.t_pairs) else reg
    pb = ki[usable] * 2 + kb[usable]
    order = np.argsort(pb, kind="stable")
    usable, pb = usable[order], pb[order]
    return np.split(usable, np.flatnonzero(np.diff(pb)) + 1) if len(usable) else []


class _LocalSearch:
    """One choice per person-block (a candidate column or none) and the moves that improve it.

    A person's candidates in one block are distinct cells, so a choice is a cell; every move keeps the
    veteran / new-staff cell rules (ok_change) and is taken only when it lowers the penalty plus the
    model's own per-assignment cost."""

    def __init__(self, built, groups: list[np.ndarray]) -> None:
        comp = built.comp
        npr = comp.demand.shape[1]
        cell_of_key = np.full(comp.demand.size, -1, np.int64)
        cell_of_key[built.cell_keys] = np.arange(len(built.cell_keys))
        self.k_cell = cell_of_key[cell_key(built.ks, built.kp, built.kb, npr)]
        self.own = np.asarray(built.lp.col_cost_)[:len(built.ki)]  # the model's cost of each x column
        is_vet, is_new = comp.vet[built.ki, built.kp], comp.new[built.ki]
        self.flags = [(bool(v), bool(nw)) for v, nw in zip(is_vet.tolist(), is_new.tolist())]
        self.eff = built.eff
        self.groups = groups
        self.cells = _Cells(built, comp.inst.weights)
        self.chosen = np.full(len(groups), -1, np.int64)
        self.cand_cell = [dict(zip(self.k_cell[cand].tolist(), cand.tolist())) for cand in groups]
        self.members: dict[int, set[int]] = {}
        self.n_columns = len(built.ki)

    # -- building the first choice -----------------------------------------------------------------
    def round_lp(self, lp_x: np.ndarray) -> None:
        """Each person-block takes its largest fractional choice when it is at least 0.5."""
        for g, cand in enumerate(self.groups):
            vals = lp_x[cand]
            j = int(np.argmax(vals))
            if vals[j] >= 0.5:
                self.move(g, int(cand[j]))

    def repair(self) -> None:
        """Empty the cells that break the veteran / new-staff rules (the local search refills them)."""
        cells = self.cells
        for g in range(len(self.groups)):
            k = int(self.chosen[g])
            if k < 0:
                continue
            c = int(self.k_cell[k])
            if (cells.req_vet[c] and cells.vets[c] == 0) or (cells.news[c] > 0 and cells.seniors[c] == 0):
                self.move(g, -1)

    # -- state ---------------------------------------------------------------------------------------
    def move(self, g: int, new_k: int) -> None:
        cur = int(self.chosen[g])
        if cur >= 0:
            self._place(cur, -1)
            self.members[int(self.k_cell[cur])].discard(g)
        if new_k >= 0:
            self._place(new_k, +1)
            self.members.setdefault(int(self.k_cell[new_k]), set()).add(g)
        self.chosen[g] = new_k

    def _place(self, k: int, sign: int) -> None:
        vet, new = self.flags[k]
        self.cells.apply(int(self.k_cell[k]), float(self.eff[k]), vet, new, sign)

    def _step(self, c: int, k: int, sign: int, cov: float | None = None) -> float:
        """Change of penalty + own cost when column k joins (+1) or leaves (-1) cell c at coverage cov."""
        cov = self.cells.cov[c] if cov is None else cov
        return (self.cells.penalty(c, cov + sign * self.eff[k]) - self.cells.penalty(c, cov)
                + sign * self.own[k])

    def values(self) -> np.ndarray:
        x = np.zeros(self.n_columns)
        x[self.chosen[self.chosen >= 0]] = 1.0
        return x

    # -- moves ---------------------------------------------------------------------------------------
    def improve(self, deadline: float, max_passes: int) -> None:
        """Single moves, then swaps, then chains, until none improves or the time is up."""
        for _ in range(max_passes):
            improved = (self._sweep(self.try_move, deadline) or self._sweep(self.try_swap, deadline)
                        or self._sweep(self.try_chain, deadline))
            if not improved or time.perf_counter() > deadline:
                break

    def _sweep(self, step, deadline: float) -> bool:
        improved = False
        for g in range(len(self.groups)):
            improved |= step(g)
            if g % 32 == 0 and time.perf_counter() > deadline:
                return improved
        return improved

    def try_move(self, g: int) -> bool:
        """g moves to its best other cell, or to none."""
        cells, cur = self.cells, int(self.chosen[g])
        removal = 0.0
        if cur >= 0:
            c_old = int(self.k_cell[cur])
            if not cells.ok_change(c_old, self.flags[cur], None):
                return False
            removal = self._step(c_old, cur, -1)
        best_delta, best_k = (removal, -1) if cur >= 0 else (0.0, -1)
        for c, k in self.cand_cell[g].items():
            if k == cur or not cells.ok_change(c, None, self.flags[k]):
                continue
            delta = removal + self._step(c, k, +1)
            if delta < best_delta:
                best_delta, best_k = delta, k
        if best_delta < -1e-9:
            self.move(g, best_k)
            return True
        return False

    def try_swap(self, g: int) -> bool:
        """g (in cell a) and h (in cell b) trade cells within the same block."""
        cells, flags, eff, own = self.cells, self.flags, self.eff, self.own
        k1 = int(self.chosen[g])
        if k1 < 0:
            return False
        a = int(self.k_cell[k1])
        for b, k1b in self.cand_cell[g].items():
            if b == a:
                continue
            for h in list(self.members.get(b, ())):
                k2 = int(self.chosen[h])
                k2a = self.cand_cell[h].get(a)
                if k2a is None:
                    continue
                if not (cells.ok_change(a, flags[k1], flags[k2a]) and cells.ok_change(b, flags[k2], flags[k1b])):
                    continue
                cov_a, cov_b = cells.cov[a], cells.cov[b]
                delta = (cells.penalty(a, cov_a - eff[k1] + eff[k2a]) - cells.penalty(a, cov_a)
                         + cells.penalty(b, cov_b - eff[k2] + eff[k1b]) - cells.penalty(b, cov_b)
                         + own[k1b] + own[k2a] - own[k1] - own[k2])
                if delta < -1e-9:
                    self.move(g, -1)
                    self.move(h, k2a)
                    self.move(g, k1b)
                    return True
        return False

    def try_chain(self, g: int) -> bool:
        """g goes to cell b (from a or from nowhere) and one person h of b moves on to cell c."""
        cells, flags, eff, own = self.cells, self.flags, self.eff, self.own
        k1 = int(self.chosen[g])
        a = int(self.k_cell[k1]) if k1 >= 0 else -1
        if a >= 0 and not cells.ok_change(a, flags[k1], None):
            return False
        base = self._step(a, k1, -1) if a >= 0 else 0.0
        for b, k1b in self.cand_cell[g].items():
            if b == a:
                continue
            cov_b = cells.cov[b] + eff[k1b]
            for h in list(self.members.get(b, ())):
                k2 = int(self.chosen[h])
                if not cells.ok_change(b, flags[k2], flags[k1b]):
                    continue
                step_b = cells.penalty(b, cov_b - eff[k2]) - cells.penalty(b, cells.cov[b]) + own[k1b] - own[k2]
                for c, k2c in self.cand_cell[h].items():
                    if c in (a, b) or not cells.ok_change(c, None, flags[k2c]):
                        continue
                    if base + step_b + self._step(c, k2c, +1) < -1e-9:
                        self.move(h, -1)
                        self.move(g, k1b)
                        self.move(h, k2c)
                        return True
        return False


def overtime_start(built, lp_x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(columns, 0/1 values) for the overtime candidates: each person takes the process where the LP gives
    them the most overtime hours. The LP's overtime is almost integral already (hours are continuous),
    so this rounding is usually within a hair of the optimum; HiGHS fills in hours and slacks."""
    ot = np.nonzero(built.kb == B_OVERTIME)[0]
    values = np.zeros(len(ot))
    if len(ot):
        hours = lp_x[built.y_col[ot]]
        best: dict[int, tuple[float, int]] = {}
        for j, (i, h) in enumerate(zip(built.ki[ot].tolist(), hours.tolist())):
            if h > 1e-6 and h > best.get(i, (0.0, -1))[0]:
                best[i] = (h, j)
        for _, j in best.values():
            values[j] = 1.0
    return ot, values
