"""The staff-to-process assignment MIP, built in bulk with numpy as one HighsLp (solving.py runs it).

Pure: an Instance goes in, a matrix comes out; nothing here touches a database or gRPC, so the same
code is tested on hand-sized instances, property-tested on generated ones and benchmarked at 1000 staff.
Nothing loops per matrix element in Python: candidates come from one boolean mask, rows are COO blocks
concatenated and sorted once into the CSC matrix handed to HiGHS with passModel.

Variables (k = one candidate person x site x process x block; only eligible, available pairs exist):
  x[k]   binary   the person works that process in that block
  y[k]   hours    overtime hours of an overtime candidate (min_overtime..cap when x = 1, else 0)
  sh[c]  ≥ 0      staff-hours of forecast demand of cell c (site x process x block) left uncovered
  bf[c]  ≥ 0      staff-hours between forecast and its upper bound left uncovered (light buffer)
  zv[c]  binary   a veteran-requiring cell is staffed (then a veteran must be there)
  zn[c]  binary   new staff work in cell c (then someone not new must be there too)
  t[i,s] binary   a person who may help another site works the whole day at site s
  T      hours    the largest personal overtime (fairness)
Every term of the objective is a penalty (see Weights), so shortage is always a variable: the model
is feasible for any input (all x = 0 is a solution) and tells what cannot be covered instead of failing.
"""
from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from services.solver.blocks import BLOCKS
from services.solver.cells import N_BLOCKS, cell_key
from services.solver.instance import Instance, SolveParams

B_MORNING, B_AFTERNOON, B_OVERTIME = 0, 1, 2
INF = highspy.kHighsInf


@dataclass
class Compiled:
    """The instance as arrays (index spaces: N staff, S sites, P processes, 3 blocks)."""
    inst: Instance
    hours: np.ndarray       # [N, 3] morning, afternoon, overtime cap
    elig: np.ndarray        # [N, P] bool
    vet: np.ndarray         # [N, P] bool
    new: np.ndarray         # [N] bool
    prod: np.ndarray        # [N, P] expected score
    allowed: np.ndarray     # [N, S] bool
    planned_site: np.ndarray  # [N] site index where the person is planned without transfers
    current: np.ndarray     # [N, 3] process index of the stored plan, -1 = none
    demand: np.ndarray      # [S, P, 3]
    upper: np.ndarray       # [S, P, 3] >= demand
    ot_limit: np.ndarray    # [S] site overtime limit (inf = none)
    min_ot: np.ndarray      # [N] minimum overtime hours when assigned


def compile_instance(inst: Instance) -> Compiled:
    """Dataclasses → arrays. O(N·P) Python once; everything after this is vectorised."""
    if tuple(inst.blocks) != BLOCKS:
        raise ValueError(f"blocks must be {BLOCKS} (the model indexes them 0, 1, 2)")
    sites = {s: i for i, s in enumerate(inst.sites)}
    procs = {p.name: j for j, p in enumerate(inst.processes)}
    blocks = {b: i for i, b in enumerate(inst.blocks)}
    n, ns, npr = len(inst.staff), len(sites), len(procs)
    rules = inst.rules
    hours = np.zeros((n, 3))
    elig = np.zeros((n, npr), bool)
    vet = np.zeros((n, npr), bool)
    new = np.zeros(n, bool)
    prod = np.full((n, npr), 100.0)
    allowed = np.zeros((n, ns), bool)
    planned = np.zeros(n, np.int64)
    current = np.full((n, 3), -1, np.int64)
    min_skill = np.array([p.min_skill for p in inst.processes])
    for i, m in enumerate(inst.staff):
        hours[i] = (m.morning_hours, m.afternoon_hours, m.overtime_cap)
        new[i] = m.is_new
        for pname, level in m.process_skill.items():
            j = procs.get(pname)
            if j is not None:
                elig[i, j] = level >= min_skill[j]
                vet[i, j] = level >= rules.veteran_skill
        for pname, score in m.productivity.items():
            j = procs.get(pname)
            if j is not None:
                prod[i, j] = score
        member_sites = [sites[s] for s in (m.sites or (m.home_site,)) if s in sites]
        allowed[i, member_sites] = True
        planned[i] = member_sites[0] if member_sites else 0
        for bname, pname in m.current.items():
            if bname in blocks and pname in procs:
                current[i, blocks[bname]] = procs[pname]
    demand = np.zeros((ns, npr, 3))
    upper = np.zeros((ns, npr, 3))
    for d in inst.demand:
        if d.site in sites and d.process in procs and d.block in blocks:
            idx = (sites[d.site], procs[d.process], blocks[d.block])
            demand[idx] += max(0.0, d.staff_hours)
            upper[idx] += max(d.staff_hours, d.upper_staff_hours, 0.0)
    ot_limit = np.array([inst.site_overtime_limit.get(s, INF) for s in inst.sites], float)
    min_ot = np.minimum(rules.min_overtime_hours, hours[:, B_OVERTIME])
    return Compiled(inst, hours, elig & (prod > 0), vet & elig, new, prod, allowed, planned, current,
                    demand, upper, ot_limit, min_ot)


class _Rows:
    """Accumulates constraint blocks as COO triplets plus row bounds."""

    def __init__(self) -> None:
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.n = 0

    def add(self, rows: np.ndarray, cols: np.ndarray, vals, n_rows: int, lo, hi) -> int:
        """Adds n_rows rows; `rows` are local (0..n_rows-1). Returns the first global row id."""
        first = self.n
        self.r.append(np.asarray(rows, np.int64) + first)
        self.c.append(np.asarray(cols, np.int64))
        self.v.append(np.broadcast_to(np.asarray(vals, float), len(rows)).astype(float))
        self.lo.append(np.broadcast_to(np.asarray(lo, float), n_rows).astype(float))
        self.hi.append(np.broadcast_to(np.asarray(hi, float), n_rows).astype(float))
        self.n += n_rows
        return first


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unique keys, group id of each element, group sizes)."""
    uniq, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return uniq, inverse, counts


@dataclass
class Built:
    lp: highspy.HighsLp
    comp: Compiled
    ki: np.ndarray
    ks: np.ndarray
    kp: np.ndarray
    kb: np.ndarray
    eff: np.ndarray         # effective staff-hours of a regular candidate (hours x score / 100)
    y_col: np.ndarray       # column of y for each candidate, -1 for regular blocks
    cell_keys: np.ndarray   # flat (s, p, b) index of each cell row
    t_pairs: np.ndarray     # [M, 2] (person, site) of transfer columns
    t_col0: int
    n_cols: int
    n_rows: int
    n_integer: int


def best_effective_hours(comp: Compiled) -> np.ndarray:
    """[N, 2] a person's effective hours in each regular block on their best certified process that has
    demand at a site they may work at. Productivity regret is measured against it (a constant per person,
    so it never changes which plan is optimal; it only makes the objective a sum of penalties >= 0)."""
    demand_here = np.einsum("is,spb->ipb", comp.allowed.astype(float), (comp.upper[:, :, :2] > 1e-9).astype(float)) > 0
    eff = comp.hours[:, None, :2] * comp.prod[:, :, None] / 100.0 * (comp.elig[:, :, None] & demand_here)
    return eff.max(axis=1, initial=0.0)


def candidate_mask(comp: Compiled) -> np.ndarray:
    """[N, S, P, 3] who may be put where: certified, available, demand exists, rules satisfiable."""
    inst = comp.inst
    mask = (comp.allowed[:, :, None, None] & comp.elig[:, None, :, None]
            & (comp.hours[:, None, None, :] > 1e-9) & (comp.upper[None] > 1e-9))
    # A veteran-requiring cell without any veteran candidate cannot be staffed at all.
    req_vet = np.array([p.requires_veteran for p in inst.processes], bool)
    has_vet = (mask & comp.vet[:, None, :, None]).any(axis=0)            # [S, P, 3]
    mask &= ~(req_vet[None, :, None] & ~has_vet)[None]
    # New staff need someone not new in the same cell.
    has_senior = (mask & ~comp.new[:, None, None, None]).any(axis=0)
    mask &= ~(comp.new[:, None, None, None] & ~has_senior[None])
    # Overtime follows an afternoon at the same site: nobody can do overtime where they have no
    # afternoon candidate (exact for the day model; keeps the block models from planning it).
    mask[:, :, :, B_OVERTIME] &= mask[:, :, :, B_AFTERNOON].any(axis=2)[:, :, None]
    return mask


def build(inst: Instance, params: SolveParams | None = None, blocks: tuple[int, ...] = (0, 1, 2),
          comp: Compiled | None = None) -> Built:
    """The MIP of the whole day, or of some blocks only (their coupling rows left out: a relaxation)."""
    params = params or SolveParams()
    comp = comp or compile_instance(inst)
    w = inst.weights
    ns, npr = comp.demand.shape[0], comp.demand.shape[1]
    in_blocks = np.isin(np.arange(3), blocks)
    mask = candidate_mask(comp) & in_blocks[None, None, None, :]
    ki, ks, kp, kb = (a.astype(np.int64) for a in np.nonzero(mask))
    K = len(ki)
    is_ot = kb == B_OVERTIME
    reg = ~is_ot
    eff = np.where(reg, comp.hours[ki, np.minimum(kb, 1)] * comp.prod[ki, kp] / 100.0, 0.0)
    ot_idx = np.nonzero(is_ot)[0]
    O = len(ot_idx)

    # Cells: every site x process x block with demand (upper > 0).
    flat = cell_key(np.arange(ns)[:, None, None], np.arange(npr)[None, :, None], np.arange(N_BLOCKS)[None, None, :],
                    npr)
    cell_keys = flat[(comp.upper > 1e-9) & in_blocks[None, None, :]].ravel()
    C = len(cell_keys)
    cell_of_key = np.full(ns * npr * N_BLOCKS, -1, np.int64)
    cell_of_key[cell_keys] = np.arange(C)
    k_cell = cell_of_key[cell_key(ks, kp, kb, npr)]
    d_c = comp.demand.reshape(-1)[cell_keys]
    u_c = comp.upper.reshape(-1)[cell_keys]

    # Column layout.
    x0 = 0
    y0 = K
    y_col = np.full(K, -1, np.int64)
    y_col[ot_idx] = y0 + np.arange(O)
    sh0 = y0 + O
    bf0 = sh0 + C
    req_vet = np.array([p.requires_veteran for p in inst.processes], bool)
    vet_cells = np.unique(k_cell[req_vet[kp]])
    zv0 = bf0 + C
    zv_of_cell = np.full(C, -1, np.int64)
    zv_of_cell[vet_cells] = zv0 + np.arange(len(vet_cells))
    k_new = comp.new[ki]
    new_cells = np.unique(k_cell[k_new])
    zn0 = zv0 + len(vet_cells)
    zn_of_cell = np.full(C, -1, np.int64)
    zn_of_cell[new_cells] = zn0 + np.arange(len(new_cells))
    multi = comp.allowed.sum(axis=1) > 1
    t_pairs = np.argwhere(comp.allowed & multi[:, None])                  # [M, 2] (person, site)
    t0 = zn0 + len(new_cells)
    M = len(t_pairs)
    T_col = t0 + M
    n_cols = T_col + 1

    rows = _Rows()
    # (1) at most one process per person and block (people with one possible site).
    single = ~multi[ki]
    keys = ki[single] * 3 + kb[single]
    uniq, inv, counts = _groups(keys)
    keep = counts[inv] > 1
    _, inv2 = np.unique(inv[keep], return_inverse=True)
    n_pb = len(np.unique(inv[keep]))
    rows.add(inv2, np.nonzero(single)[0][keep], 1.0, n_pb, -INF, 1.0)
    # (1') people who may change site: sum_p x[i,s,p,b] <= t[i,s]; sum_s t[i,s] <= 1.
    if M:
        t_index = {(int(i), int(s)): t0 + m for m, (i, s) in enumerate(t_pairs)}
        mk = np.nonzero(~single)[0]
        keys = (ki[mk] * ns + ks[mk]) * 3 + kb[mk]
        uniq, inv, _ = _groups(keys)
        t_cols = np.array([t_index[(int(u // 3 // ns), int(u // 3 % ns))] for u in uniq], np.int64)
        n_g = len(uniq)
        rows.add(np.concatenate([inv, np.arange(n_g)]), np.concatenate([mk, t_cols]),
                 np.concatenate([np.ones(len(mk)), -np.ones(n_g)]), n_g, -INF, 0.0)
        pu, pinv = np.unique(t_pairs[:, 0], return_inverse=True)
        rows.add(pinv, t0 + np.arange(M), 1.0, len(pu), -INF, 1.0)
    # (2) coverage: effective hours + shortage >= forecast; plus the buffer row up to the upper bound.
    r_reg = np.nonzero(reg)[0]
    ot_eff = comp.prod[ki[ot_idx], kp[ot_idx]] / 100.0
    cov_rows = np.concatenate([k_cell[r_reg], k_cell[ot_idx], np.arange(C)])
    cov_cols = np.concatenate([r_reg, y_col[ot_idx], sh0 + np.arange(C)])
    cov_vals = np.concatenate([eff[r_reg], ot_eff, np.ones(C)])
    rows.add(cov_rows, cov_cols, cov_vals, C, d_c, INF)
    rows.add(np.concatenate([cov_rows, np.arange(C)]), np.concatenate([cov_cols, bf0 + np.arange(C)]),
             np.concatenate([cov_vals, np.ones(C)]), C, u_c, INF)
    if params.rounding_cuts:
        _rounding_cuts(rows, r_reg, k_cell[r_reg], eff[r_reg], sh0, d_c)
    # (3) overtime hours only when assigned: min_ot·x <= y <= cap·x.
    if O:
        cap = comp.hours[ki[ot_idx], B_OVERTIME]
        mn = comp.min_ot[ki[ot_idx]]
        loc = np.arange(O)
        rows.add(np.concatenate([loc, loc]), np.concatenate([y_col[ot_idx], ot_idx]),
                 np.concatenate([np.ones(O), -cap]), O, -INF, 0.0)
        rows.add(np.concatenate([loc, loc]), np.concatenate([y_col[ot_idx], ot_idx]),
                 np.concatenate([np.ones(O), -mn]), O, 0.0, INF)
        # (4) overtime only after working the afternoon: sum x[i,.,.,OT] <= sum x[i,.,.,AFT].
        ot_people, ot_inv = np.unique(ki[ot_idx], return_inverse=True)
        if in_blocks[B_AFTERNOON]:
            aft = np.nonzero((kb == B_AFTERNOON) & np.isin(ki, ot_people))[0]
            aft_inv = np.searchsorted(ot_people, ki[aft])
            rows.add(np.concatenate([ot_inv, aft_inv]), np.concatenate([ot_idx, aft]),
                     np.concatenate([np.ones(O), -np.ones(len(aft))]), len(ot_people), -INF, 0.0)
        # (5) fairness: each person's overtime <= T.
        rows.add(np.concatenate([ot_inv, np.arange(len(ot_people))]),
                 np.concatenate([y_col[ot_idx], np.full(len(ot_people), T_col)]),
                 np.concatenate([np.ones(O), -np.ones(len(ot_people))]), len(ot_people), -INF, 0.0)
        # (6) site overtime limit.
        lim_sites = np.nonzero(np.isfinite(comp.ot_limit))[0]
        sel = np.isin(ks[ot_idx], lim_sites)
        if sel.any():
            site_row = np.searchsorted(lim_sites, ks[ot_idx][sel])
            rows.add(site_row, y_col[ot_idx][sel], 1.0, len(lim_sites), -INF, comp.ot_limit[lim_sites])
    # (7) veteran rule: staffed vet cell (zv = 1) needs a veteran; nobody works there unless zv = 1.
    _link(rows, params, k_cell, zv_of_cell, np.ones(K, bool) & req_vet[kp], comp.vet[ki, kp] & req_vet[kp])
    # (8) new staff never alone: new people only where zn = 1, and zn = 1 needs someone not new.
    _link(rows, params, k_cell, zn_of_cell, k_new, ~k_new & (zn_of_cell[k_cell] >= 0))

    # Objective.
    cost = np.zeros(n_cols)
    keep_bonus = (kp == comp.current[ki, kb]) & (ks == comp.planned_site[ki])
    cost[:K] = -w.productivity * eff - w.change * keep_bonus
    cost[y0:y0 + O] = w.overtime
    cost[sh0:sh0 + C] = w.shortage
    cost[bf0:bf0 + C] = w.buffer
    if M:
        cost[t0:t0 + M] = np.where(t_pairs[:, 1] != comp.planned_site[t_pairs[:, 0]], w.transfer, 0.0)
    cost[T_col] = w.fairness
    offset = w.productivity * best_effective_hours(comp)[:, in_blocks[:2]].sum() \
        + w.change * float((comp.current[:, in_blocks] >= 0).sum())

    lower = np.zeros(n_cols)
    upper = np.ones(n_cols)
    upper[y0:y0 + O] = comp.hours[ki[ot_idx], B_OVERTIME]
    upper[sh0:sh0 + C] = d_c
    upper[bf0:bf0 + C] = u_c - d_c
    upper[T_col] = max(1e-9, float(comp.hours[:, B_OVERTIME].max(initial=0.0)))
    integer = np.zeros(n_cols, bool)
    integer[:K] = True
    integer[zv0:T_col] = True

    lp = _to_highs_lp(rows, cost, lower, upper, integer, offset)
    return Built(lp, comp, ki, ks, kp, kb, eff, y_col, cell_keys, t_pairs, t0, n_cols, rows.n, int(integer.sum()))


def _rounding_cuts(rows: _Rows, cols, cell, e, sh0: int, d_c) -> None:
    """Mixed-integer rounding cuts on each coverage row, added up front.

    Why: people come in whole blocks (about 3-4.5 effective staff-hours each), so the LP relaxation
    covers demand with fractions of people and underestimates shortage badly (over 10% at 60 staff).
    For a row  sum e_j x_j + (continuous) >= D  and any delta > 0, with q = ceil(D/delta),
    r = D - delta(q-1), m_j = ceil(e_j/delta), rem_j = e_j - delta(m_j-1):
        sum (r(m_j-1) + min(r, rem_j)) x_j + (continuous) >= r q
    is valid (the MIR inequality). We add it for delta = the largest and the median contribution.
    """
    n_cells = len(d_c)
    if not len(cols):
        return
    e_max = np.zeros(n_cells)
    np.maximum.at(e_max, cell, e)
    order = np.lexsort((e, cell))
    starts = np.searchsorted(cell[order], np.arange(n_cells))
    counts = np.bincount(cell, minlength=n_cells)
    median = np.where(counts > 0, e[order][np.minimum(starts + counts // 2, len(e) - 1)], 0.0)
    for delta_c in (e_max, median):
        ok = (delta_c > 1e-6) & (d_c > 1e-6)
        delta = np.where(ok, delta_c, 1.0)
        q = np.ceil(d_c / delta - 1e-9)
        r = d_c - delta * (q - 1)
        ok &= (q >= 1) & (r > 1e-6)
        dj, rj = delta[cell], r[cell]
        m = np.ceil(e / dj - 1e-9)
        coef = rj * (m - 1) + np.minimum(rj, e - dj * (m - 1))
        cut_cells = np.nonzero(ok)[0]
        row_of = np.full(n_cells, -1, np.int64)
        row_of[cut_cells] = np.arange(len(cut_cells))
        sel = row_of[cell] >= 0
        rows.add(np.concatenate([row_of[cell][sel], np.arange(len(cut_cells))]),
                 np.concatenate([cols[sel], sh0 + cut_cells]),
                 np.concatenate([coef[sel], np.ones(len(cut_cells))]),
                 len(cut_cells), (r * q)[cut_cells], INF)


def _link(rows: _Rows, params: SolveParams, k_cell, z_of_cell, members, required) -> None:
    """x_k <= z[cell] for members (or one aggregated big-M row per cell), and sum required x >= z."""
    linked = np.nonzero(members & (z_of_cell[k_cell] >= 0))[0]
    if not len(linked):
        return
    zc = z_of_cell[k_cell[linked]]
    if params.tight_linking:
        loc = np.arange(len(linked))
        rows.add(np.concatenate([loc, loc]), np.concatenate([linked, zc]),
                 np.concatenate([np.ones(len(linked)), -np.ones(len(linked))]), len(linked), -INF, 0.0)
    else:
        zs, inv, counts = _groups(zc)
        rows.add(np.concatenate([inv, np.arange(len(zs))]), np.concatenate([linked, zs]),
                 np.concatenate([np.ones(len(linked)), -counts.astype(float)]), len(zs), -INF, 0.0)
    req = np.nonzero(required & (z_of_cell[k_cell] >= 0))[0]
    zs = np.unique(zc)
    zr = np.searchsorted(zs, z_of_cell[k_cell[req]])
    rows.add(np.concatenate([zr, np.arange(len(zs))]), np.concatenate([req, zs]),
             np.concatenate([np.ones(len(req)), -np.ones(len(zs))]), len(zs), 0.0, INF)


def _to_highs_lp(rows: _Rows, cost, lower, upper, integer, offset) -> highspy.HighsLp:
    """COO → column-wise CSC in one sort, handed to HiGHS with passModel (no per-element calls)."""
    n_cols = len(cost)
    r = np.concatenate(rows.r) if rows.r else np.zeros(0, np.int64)
    c = np.concatenate(rows.c) if rows.c else np.zeros(0, np.int64)
    v = np.concatenate(rows.v) if rows.v else np.zeros(0)
    order = np.lexsort((r, c))
    r, c, v = r[order], c[order], v[order]
    starts = np.zeros(n_cols + 1, np.int32)
    np.cumsum(np.bincount(c, minlength=n_cols), out=starts[1:])
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = rows.n
    lp.col_cost_ = cost
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = np.concatenate(rows.lo) if rows.lo else np.zeros(0)
    lp.row_upper_ = np.concatenate(rows.hi) if rows.hi else np.zeros(0)
    lp.offset_ = float(offset)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = rows.n
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = r.astype(np.int32)
    lp.a_matrix_.value_ = v
    kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
    lp.integrality_ = [kinds[f] for f in integer.tolist()]
    return lp
