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
        self.req_vet = req[(keys // 3) % npr]
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
    deadline = time.perf_counter() + budget_seconds
    comp, w = built.comp, built.comp.inst.weights
    ki, kb, kp, ks = built.ki, built.kb, built.kp, built.ks
    K = len(ki)
    npr = comp.demand.shape[1]
    cell_of_key = np.full(comp.demand.size, -1, np.int64)
    cell_of_key[built.cell_keys] = np.arange(len(built.cell_keys))
    k_cell = cell_of_key[(ks * npr + kp) * 3 + kb]
    reg = np.nonzero(kb != B_OVERTIME)[0]
    own = np.asarray(built.lp.col_cost_)[:K]      # the model's own per-assignment cost of each x column
    is_vet = comp.vet[ki, kp]
    is_new = comp.new[ki]

    # People who may change site get the site the LP prefers for them (whole day, one site).
    site_of = comp.planned_site.copy()
    if len(built.t_pairs):
        t_val = lp_x[built.t_col0:built.t_col0 + len(built.t_pairs)]
        best = {}
        for (i, s), v in zip(built.t_pairs.tolist(), t_val.tolist()):
            if v > best.get(i, (-1.0, 0))[0]:
                best[i] = (v, s)
        for i, (_, s) in best.items():
            site_of[i] = s
    # With site rows (t) the start keeps each person at one site; without them (one site, or the
    # site-relaxed block models) every candidate is usable.
    usable = reg[ks[reg] == site_of[ki[reg]]] if len(built.t_pairs) else reg

    # Candidate lists per person-block.
    pb = ki[usable] * 2 + kb[usable]
    order = np.argsort(pb, kind="stable")
    usable = usable[order]
    pb = pb[order]
    bounds = np.flatnonzero(np.diff(pb)) + 1
    groups = np.split(usable, bounds) if len(usable) else []

    cells = _Cells(built, w)
    chosen = np.full(len(groups), -1, np.int64)

    def place(g: int, k: int, sign: int) -> None:
        cells.apply(int(k_cell[k]), float(built.eff[k]), bool(is_vet[k]), bool(is_new[k]), sign)

    # 1. Round the LP: each person-block takes its largest fractional choice when it is at least 0.5.
    for g, cand in enumerate(groups):
        vals = lp_x[cand]
        j = int(np.argmax(vals))
        if vals[j] >= 0.5:
            chosen[g] = cand[j]
            place(g, cand[j], +1)
    # 2. Repair cells that break the veteran / new-staff rules by emptying them (local search refills).
    for g in range(len(groups)):
        k = chosen[g]
        if k < 0:
            continue
        c = int(k_cell[k])
        bad = (cells.req_vet[c] and cells.vets[c] == 0) or (cells.news[c] > 0 and cells.seniors[c] == 0)
        if bad:
            place(g, k, -1)
            chosen[g] = -1
    # 3. Local search until stable: single moves (to another cell or to none), then pairwise swaps
    #    between two cells of the same block. A person's candidates in one block are distinct cells.
    eff = built.eff
    flags = [(bool(v), bool(nw)) for v, nw in zip(is_vet.tolist(), is_new.tolist())]
    cand_cell = [dict(zip(k_cell[cand].tolist(), cand.tolist())) for cand in groups]
    members: dict[int, set[int]] = {}
    for g, k in enumerate(chosen.tolist()):
        if k >= 0:
            members.setdefault(int(k_cell[k]), set()).add(g)

    def move(g: int, new_k: int) -> None:
        cur = int(chosen[g])
        if cur >= 0:
            place(g, cur, -1)
            members[int(k_cell[cur])].discard(g)
        if new_k >= 0:
            place(g, new_k, +1)
            members.setdefault(int(k_cell[new_k]), set()).add(g)
        chosen[g] = new_k

    def try_move(g: int) -> bool:
        cur = int(chosen[g])
        removal = 0.0
        if cur >= 0:
            c_old = int(k_cell[cur])
            if not cells.ok_change(c_old, flags[cur], None):
                return False
            cov = cells.cov[c_old]
            removal = cells.penalty(c_old, cov - eff[cur]) - cells.penalty(c_old, cov) - own[cur]
        best_delta, best_k = (removal, -1) if cur >= 0 else (0.0, -1)
        for c, k in cand_cell[g].items():
            if k == cur or not cells.ok_change(c, None, flags[k]):
                continue
            cov = cells.cov[c]
            delta = removal + cells.penalty(c, cov + eff[k]) - cells.penalty(c, cov) + own[k]
            if delta < best_delta:
                best_delta, best_k = delta, k
        if best_delta < -1e-9:
            move(g, best_k)
            return True
        return False

    def try_swap(g: int) -> bool:
        k1 = int(chosen[g])
        if k1 < 0:
            return False
        a = int(k_cell[k1])
        for b, k1b in cand_cell[g].items():
            if b == a:
                continue
            for h in list(members.get(b, ())):
                k2 = int(chosen[h])
                k2a = cand_cell[h].get(a)
                if k2a is None:
                    continue
                if not (cells.ok_change(a, flags[k1], flags[k2a]) and cells.ok_change(b, flags[k2], flags[k1b])):
                    continue
                cov_a, cov_b = cells.cov[a], cells.cov[b]
                delta = (cells.penalty(a, cov_a - eff[k1] + eff[k2a]) - cells.penalty(a, cov_a)
                         + cells.penalty(b, cov_b - eff[k2] + eff[k1b]) - cells.penalty(b, cov_b)
                         + own[k1b] + own[k2a] - own[k1] - own[k2])
                if delta < -1e-9:
                    move(g, -1)
                    move(h, k2a)
                    move(g, k1b)
                    return True
        return False

    def try_chain(g: int) -> bool:
        """g goes to cell b (from a or from nowhere) and one person h of b moves on to cell c."""
        k1 = int(chosen[g])
        a = int(k_cell[k1]) if k1 >= 0 else -1
        if a >= 0 and not cells.ok_change(a, flags[k1], None):
            return False
        base = 0.0
        if a >= 0:
            base = cells.penalty(a, cells.cov[a] - eff[k1]) - cells.penalty(a, cells.cov[a]) - own[k1]
        for b, k1b in cand_cell[g].items():
            if b == a:
                continue
            cov_b = cells.cov[b] + eff[k1b]
            for h in list(members.get(b, ())):
                k2 = int(chosen[h])
                if not cells.ok_change(b, flags[k2], flags[k1b]):
                    continue
                step_b = cells.penalty(b, cov_b - eff[k2]) - cells.penalty(b, cells.cov[b]) + own[k1b] - own[k2]
                for c, k2c in cand_cell[h].items():
                    if c == b or c == a:
                        continue
                    if not cells.ok_change(c, None, flags[k2c]):
                        continue
                    cov_c = cells.cov[c]
                    delta = base + step_b + cells.penalty(c, cov_c + eff[k2c]) - cells.penalty(c, cov_c) + own[k2c]
                    if delta < -1e-9:
                        move(h, -1)
                        move(g, k1b)
                        move(h, k2c)
                        return True
        return False

    def sweep(step) -> bool:
        improved = False
        for g in range(len(groups)):
            improved |= step(g)
            if g % 32 == 0 and time.perf_counter() > deadline:
                return improved
        return improved

    for _ in range(max_passes):
        improved = sweep(try_move) or sweep(try_swap) or sweep(try_chain)
        if not improved or time.perf_counter() > deadline:
            break
    x = np.zeros(K)
    x[chosen[chosen >= 0]] = 1.0
    return x


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
