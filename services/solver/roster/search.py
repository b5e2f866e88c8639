"""Solving a RosterModel: the full MIP in HiGHS side by side with a large-neighbourhood search.

Why two threads: on the larger Curtois instances HiGHS proves a good bound early but improves its
incumbent slowly (the straightforward MIP ends 146-182 % above the best known on Instance 8 and 12 in
60 s). Re-optimising a few employees, or every employee over a window of days, with everything else
fixed is a small MIP HiGHS solves to optimality in well under a second, and chaining such moves walks
the incumbent down fast. The two threads share the incumbent both ways: an LNS improvement is handed
to the full MIP through HiGHS's user-solution callback (so its tree prunes against it), and a full-MIP
improvement becomes the LNS's next starting point. Bounds come from the full MIP or the column
generation's Lagrangian bound, and a roster is called optimal only when it meets one. Each HiGHS model
runs single-threaded, so the two threads fill the two cores.

On models where it converges in the time (CG_ROUNDS), thread one runs column generation over employee
schedules first (colgen.py): its bound is far stronger where cover is tight (Instance5: 1140 against the
full MIP's 842; Instance8: 1297 against 1262; Instance11 and 12: the best known values, 3443 and 4040).
At convergence, RENS on its LP (the compact model's sub-MIP over the cells the LP leaves fractional) finds
the optimum of 11 and 12 and proves it; a dive in the master where RENS finds nothing, and on small models
the master solved as a MIP, hand the LNS rosters the full MIP does not find; then, on small models, the
full MIP gets a slice to prove, then LNS. On small models cell dives come first, and on medium ones
(Instance8) they replace RENS while the LNS waits; up to medium they run in this thread and in a helper
process at once (dive_helper.py). On large decomposable models thread two starts with a best-response
descent (descent.py) instead of waiting on the first thread's roster.
"""
from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field

import highspy
import numpy as np

from services.solver.roster.cell_dive import CellDive
from services.solver.roster.colgen import ColumnGeneration, decompose
from services.solver.roster.descent import Descent
from services.solver.roster.dive_helper import DiveHelper
from services.solver.roster.model import EXACT_GAP, RosterModel
from services.solver.roster.submip import SubMip


@dataclass
class SearchParams:
    time_limit: float = 60.0
    threads: int = 2                 # 1: the full MIP only; 2: full MIP + LNS side by side
    seed: int = 1
    # per LNS sub-MIP. With one size target for all kinds (load 7-9, 30 s) 0.7 s beat 2.0 s; with a target
    # per kind (quiet machine, 60 s) 1.5 s edged out 0.7 s (Instance8 1558 vs 1641, Instance12 4730 vs
    # 4804): the day windows that do most of the work on the large instances are worth their longer solves.
    sub_time_limit: float = 1.5
    sub_heuristic_effort: float = 0.5
    coarse_share: float = 0.5        # share of LNS moves that are coarse (see _Neighbourhoods.coarse_gap)
    small_sub_mips: bool = True      # cut each move's sub-MIP out of the model (submip.py) instead of fixing bounds
    # share of the time the full MIP runs before its thread turns to LNS too (threads > 1; see _mip_then_lns),
    # unless its gap is below handover_gap by then (it is closing in on a proof: let it finish)
    mip_share: float = 0.3
    handover_gap: float = 0.01
    # thread 1 runs column generation over employee schedules instead of the full MIP when the model
    # decomposes by employee (colgen.py): far stronger bounds where cover is tight, and rosters from the
    # master; the full MIP stays for one thread and for models with rows across employees
    column_generation: bool = True
    pricing_time_limit: float = 0.5  # per employee's pricing MIP (its dual bound keeps the bound valid)
    master_mip_time: float = 3.0     # the master as a MIP while the LNS has no roster yet (price-and-branch)
    cg_share: float = 0.6            # pricing stops here if it has not converged; the master's MIP (small
                                     # models) or a dive follows
    final_master_time: float = 0.25  # share of the time for that master MIP
    mip_after_cg: float = 0.2        # share of the time the full MIP gets once the column generation has converged
    # after convergence (or at cg_share), RENS on the master's LP for at most this share of the time
    # (_rens_roster), and a dive if that found nothing
    rens: bool = True
    rens_share: float = 0.4
    # at convergence on small models, cell dives (cell_dive.py) for at most this share of the time
    cell_dive: bool = True
    cell_dive_share: float = 0.5
    # up to MEDIUM_X_COLUMNS cells, a helper process (dive_helper.py) dives beside this thread's cell
    # dives. On medium models (above SMALL_X_COLUMNS) the cell dives then replace RENS and the LNS waits
    # while they run, until helper_dives_until of the time (from the start); small models dive that long
    # too while their best is far from the LP (redive_gap)
    dive_helper: bool = True
    helper_dives_until: float = 0.8
    # a cell dive gives up once its LP is this share of the largest cover weight above where it started
    # (CellDive.run's give_up), so the next draw starts sooner: every dive on medium models, every one but
    # the search's first on small ones
    dive_give_up: float = 0.2
    # on small models cell dives draw again while the best so far is this share of the largest cover weight
    # or more above the master's LP, until helper_dives_until of the time (_cell_dive_roster). On the
    # 20-staff cut of Instance8 (LP 776) the runs a cover unit short (880 and above) stayed about as
    # frequent: 7 of 16 (seeds 1-8, twice) against 4 of 8 with one draw (bench/README)
    redive_gap: float = 0.8
    # after convergence, a dive in the master (ColumnGeneration.dive) for at most this share of the time,
    # until the employees still fractional hold about dive_free_columns x columns; a sub-MIP completes them
    dive: bool = True
    dive_share: float = 0.15
    dive_free_columns: float = 500.0
    dive_completion_time: float = 5.0
    # where the model decomposes and is not small, thread two first descends by best responses
    # (descent.py) for at most this share of the time, then runs the LNS. Measured, 60 s, seeds 1-3:
    # Instance8 1473-1658 (median 1485) against 1653-1778, Instance12 at 5331 after 21 s against 6858; on
    # small models it only takes the core from the column generation (one run: Instance4 proven in 12 s
    # against 5)
    descent_share: float = 0.15
    log: bool = False
    # A partial MIP start (x column -> value) HiGHS completes before branching, e.g. "everyone off" for a
    # site roster whose hard rules are all upper limits: a plan then exists however short the time limit.
    start: dict[int, float] | None = None


@dataclass
class SearchResult:
    values: np.ndarray | None
    objective: float
    bound: float
    proven: bool
    seconds: float
    lns_moves: int = 0
    lns_improvements: int = 0
    history: list[tuple[float, float, str]] = field(default_factory=list)   # (t, objective, source)
    # per neighbourhood kind ("*": coarse): [moves, seconds, free columns, improvements, time-outs]
    lns_stats: dict[str, list] = field(default_factory=dict)
    # search threads still running STUCK_GRACE past the deadline, left behind (see STUCK_GRACE)
    stuck_threads: int = 0


class _Shared:
    def __init__(self, model: RosterModel, started: float, log: bool) -> None:
        self.model = model
        self.lock = threading.Lock()
        self.best = math.inf
        self.values: np.ndarray | None = None
        self.version = 0
        self.stop = threading.Event()
        self.started = started
        self.history: list[tuple[float, float, str]] = []
        self.log = log
        self.bound = -math.inf        # the best proven bound so far (full MIP or column generation)
        # set once column generation has passed its first round's guard: the descent then leaves the
        # interpreter to it (both are numpy-bound Python and share one GIL)
        self.pricing = threading.Event()
        # set while cell dives run in both cores (a DiveHelper beside the first thread): the LNS waits
        self.pause = threading.Event()
        self.helper: DiveHelper | None = None

    def offer(self, values, source: str) -> bool:
        values = np.asarray(values, float).copy()
        value = self.model.objective(values)
        with self.lock:
            if value < self.best - 1e-6:
                self.best, self.values = value, values
                self.version += 1
                t = time.perf_counter() - self.started
                self.history.append((t, value, source))
                if self.log:
                    print(f"  {t:6.2f}s {value:10.1f} {source}", flush=True)
                if self.helper is not None:
                    self.helper.cut(value)
                if value - self.bound < EXACT_GAP:
                    self.stop.set()
                return True
        return False

    def prove(self, bound: float) -> None:
        """A new lower bound (integer objective: rounded up); stops the search once the best meets it."""
        with self.lock:
            self.bound = max(self.bound, math.ceil(bound - 1e-6))
            if self.best - self.bound < EXACT_GAP:
                self.stop.set()

    def history_so_far(self) -> list[tuple[float, float, str]]:
        with self.lock:
            return list(self.history)

    def snapshot(self) -> tuple[float, np.ndarray | None, int]:
        with self.lock:
            return self.best, self.values, self.version


def _highs(time_limit: float, seed: int) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", seed)
    h.setOptionValue("time_limit", max(0.05, time_limit))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", EXACT_GAP)
    return h


def _full_mip(model: RosterModel, shared: _Shared, deadline: float, seed: int, out: dict,
              start: dict[int, float] | None = None, handover: float = math.inf, handover_gap: float = 0.0) -> None:
    h = _highs(deadline - time.perf_counter(), seed)
    h.passModel(model.lp)
    if start:
        idx = np.fromiter(start.keys(), dtype=np.int32, count=len(start))
        h.setSolution(len(start), idx, np.fromiter(start.values(), dtype=float, count=len(start)))
    injected = [0]

    def improving(event) -> None:
        shared.offer(event.data_out.mip_solution, "mip")

    def user(event) -> None:
        best, values, version = shared.snapshot()
        if values is not None and version != injected[0] and best < event.data_out.mip_primal_bound - 1e-6:
            injected[0] = version
            event.data_in.setSolution(values)

    def interrupt(event) -> None:
        out["bound"] = max(out.get("bound", -math.inf), float(event.data_out.mip_dual_bound))
        if shared.stop.is_set():
            event.interrupt()
        elif time.perf_counter() > handover:
            best = shared.snapshot()[0]
            if best < math.inf and best - out["bound"] > handover_gap * max(1.0, abs(best)):  # keep it until a roster exists
                event.interrupt()

    h.cbMipImprovingSolution.subscribe(improving)
    h.cbMipUserSolution.subscribe(user)
    h.cbMipInterrupt.subscribe(interrupt)
    h.run()
    info = h.getInfo()
    if info.primal_solution_status == 2:
        shared.offer(h.getSolution().col_value, "mip")
    status = h.modelStatusToString(h.getModelStatus())
    out["status"] = status
    out["bound"] = max(out.get("bound", -math.inf), float(info.mip_dual_bound))
    out["proven"] = status == "Optimal" and not shared.stop.is_set()
    out["infeasible"] = status == "Infeasible"
    if out["proven"] or out["infeasible"]:
        shared.stop.set()


def _mip_then_lns(model: RosterModel, shared: _Shared, deadline: float, params: SearchParams, out: dict,
                  lns_out: dict) -> None:
    """The full MIP until it proves or its share of the time is up, then one more LNS on its core.

    Why: on the large instances the full MIP's bound settles early (Instance8: 1262 at 10 s and at 60 s)
    while its incumbent hardly moves; the LNS, not the tree, improves the roster, so the second half of
    the time buys more with two LNS threads. The bound reported is the one the MIP proved."""
    handover = shared.started + params.mip_share * params.time_limit if params.threads > 1 else math.inf
    _full_mip(model, shared, deadline, params.seed, out, params.start, handover, params.handover_gap)
    if not shared.stop.is_set() and time.perf_counter() < deadline - 0.5 and params.threads > 1 \
            and params.mip_share < 1.0:
        _lns(model, shared, deadline, SearchParams(**{**params.__dict__, "seed": params.seed + 101}), lns_out)


# Column generation runs wherever its first pricing round, times CG_ROUNDS, fits in the time left (60 s,
# 2 threads, DP pricing: Instance5 converged in 17 rounds, Instance11 in 13, Instance12 in 30; rounds get
# slower as the duals sharpen). Instance8 converges in about 27 rounds, ~12 s in, 17 of its staff priced by
# a DP with a shift limit relaxed and checked (colgen._CheckedDp; as pricing MIPs 7 of them made a round ~3 s).
# Up to SMALL_X_COLUMNS the master's MIP runs at convergence and the full MIP gets a slice after it:
# that proves Instance1-4, and the master's MIP finds Instance5's 1143. Above it the two cost
# more than they bring: on Instance11 three master MIPs took 9 s of the 15 s before convergence, and on
# Instance12 the master's MIP over 8,400 converged columns gave 7080 against its LP's 4040.
SMALL_X_COLUMNS = 2000


def _small(model: RosterModel) -> bool:
    return len(model.cells) <= SMALL_X_COLUMNS


# Up to this, cell dives run in two processes (this thread and a DiveHelper); above SMALL_X_COLUMNS they
# replace RENS there. Above it one dive is too slow (Instance12, 10,452 cells: 0.6 s a master LP, no dive
# finished in 40 s) and RENS finds the optimum (Instance11 and 12).
MEDIUM_X_COLUMNS = 3000
# A thread still running this long past the deadline is left behind (a daemon) and the search returns the
# best roster so far. Why: a HiGHS sub-MIP of the LNS once ran on far past its time limit, its interrupt
# callback never called, and the benchmark never ended (Instance5, seed 2: 2 of 11 runs on 2026-12-03, in
# SubMip.solve). Every thread otherwise ends within about 0.3 s of the deadline.
STUCK_GRACE = 3.0
CG_ROUNDS = 30


def _master_roster(cg: ColumnGeneration, shared: _Shared, time_limit: float) -> bool:
    """The master over its columns as a MIP, started from the shared best; its roster offered to all.
    True if it was the best so far."""
    sol = cg.roster(time_limit, shared.snapshot()[1], shared.stop)
    return sol is not None and shared.offer(sol, "cg")


def _lp_roster(model: RosterModel, cg: ColumnGeneration, shared: _Shared, deadline: float,
               params: SearchParams) -> None:
    """Rosters from the master's LP: on small and medium models dives that fix cells (cell_dive.py), in
    two processes where a DiveHelper is there; on larger ones RENS; then, if that found none, a dive that
    fixes schedules.

    Medium models dive in two processes until helper_dives_until of the time while the LNS waits.
    Instance8 (2,158 cells), 60 s, seeds 1-12: 9 of 12 runs at 1305-1315 (12 cover units short), 3 of
    them at or below the best known 1308, against about 5 of 12 in that mode with RENS (1600 / 1404 at
    seeds 1 / 3); with the dives ending at half the time, 2 of 6 (two draws a run; each draw ends in that
    mode about one time in three). With dives that give up (dive_give_up), seeds 1-10: 6 of 10 at
    1302-1306, the others 1403-1518. On small models the helper dives beside this thread's dives, which
    stop as before; seeds 1-6: the 20-staff cut 788-896 and once 1084 (median 843) against 792-993
    (median 888), the 18-staff cut 1258-1265 against 1259-1296 (seeds 1-4), Instance1-5 as before.

    Small models skip RENS: their master's MIP follows and does better there (Instance5: RENS 1242 in 5 s
    of the 60, then 1144-1147 in the end against 1143 without it). The cell dives, 60 s, seeds 1-3
    (bench/README): cuts of Instance8 of 18 staff 1296 / 1258 against 1288 / 1287 (seeds 1, 3; bound
    1254), of 20 staff 885 / 785 / 789 against 892 / 896 / 895 (bound 777), though the same code spreads
    as far run to run (790-1199 on the 20-staff cut); Instance1-5 as before. Measured on the larger
    models, not kept: on Instance8 (2,158 cells) in place of RENS, 1316-1322 in 4 of 6 runs and 1412-1414 in 2, against 1305-1312 in 4
    of 7 with RENS (the dive lands on 12 cover units short, as the best rosters do, but with requests
    the LNS no longer has the time to polish); on Instance12 one dive did not finish in 40 s (0.6 s per
    master LP over 8,400 columns) where RENS finds 4040."""
    if params.cell_dive and (_small(model) or shared.helper is not None):
        found = _cell_dive_roster(model, cg, shared, deadline, params)
    else:
        found = params.rens and not _small(model) and _rens_roster(model, cg, shared, deadline, params)
    if params.dive and not found and not shared.stop.is_set():
        _dive_roster(model, cg, shared, deadline, params)


def _cell_dive_roster(model: RosterModel, cg: ColumnGeneration, shared: _Shared, deadline: float,
                      params: SearchParams) -> bool:
    """Cell dives from the converged master for cell_dive_share of the time, each cut off at the shared
    best and each after the first taking another path (CellDive's jitter); every roster offered. True
    if one was found. A DiveHelper, where there is one, dives from the same master meanwhile; on medium
    models both draw until helper_dives_until of the time, and the LNS waits.

    Why more than one: from the same master the dive ends anywhere from 1306 to 1611 on Instance8, and a
    dive that cannot beat the best so far stops as soon as its LP reaches it. On small models they stop
    at the first that gives nothing better unless the best is still about a cover unit above the LP
    (far()): Instance1, whose optimum the master's MIP finds first, had 30 s of dives cut off at once
    where the full MIP proves it in a second."""
    helper = shared.helper
    medium = helper is not None and not _small(model)
    late = min(deadline, shared.started + params.helper_dives_until * params.time_limit)
    stop = late if medium else min(deadline, time.perf_counter() + params.cell_dive_share * params.time_limit)
    late = max(stop, late)                  # a small model's dives that start late keep their share
    log = (lambda text: print(f"  {text} t {time.perf_counter() - shared.started:.1f}", flush=True)) \
        if params.log else None
    weights = cg.cost[cg.dec.slack_cols]
    unit = float(weights.max()) if len(weights) else math.inf
    root = cg.master_value
    # dives give up dive_give_up of a cover unit above their first LP: on medium models all of them, on
    # small ones every dive but this thread's first, which always runs to a roster
    give_up = params.dive_give_up * unit
    if medium:
        shared.pause.set()
    def far() -> bool:
        """A small model's best still about a cover unit above the master's LP (redive_gap): a roster
        that much better may exist, the next draw from the same master may find it, and the LNS seldom
        does (cuts of Instance8 of 20 staff, measured in SearchParams.redive_gap)."""
        return shared.snapshot()[0] - root >= params.redive_gap * unit

    def until() -> float:
        return late if far() else stop      # the same on medium models
    if helper is not None:                  # closed when this thread's dives end, whatever it was told
        helper.dive(list(cg.columns), list(cg.priced), late, params.pricing_time_limit,
                    lambda values: shared.offer(values, "cg:celldive:helper"), give_up, exact=medium)
    found, dives, took = False, 0, 1.0
    try:
        # another dive only where it can finish as the last one took: one stopped part-way is completed by
        # a sub-MIP that measured far above the dive's LP (a 20-staff cut of Instance8: 904 from an LP of 816)
        while not shared.stop.is_set() and until() - time.perf_counter() > took:
            began = time.perf_counter()
            # exact pricing on medium models: few of Instance8's dive steps need a pricing MIP, and with
            # the DP's limit-keeping schedules instead one run in four ended on the 1500 plateau (1505)
            dive = CellDive(cg, jitter=0.1 if dives else 0.0, seed=params.seed + dives, exact=medium)
            # beside a helper, every dive is cut off at the best of both as it improves
            cutoff = (lambda: shared.snapshot()[0]) if helper is not None else shared.snapshot()[0]
            sol = dive.run(until(), params.pricing_time_limit, cutoff,
                           on_step=lambda values: shared.offer(values, "cg:celldive:step"), log=log,
                           give_up=give_up if medium or dives else math.inf)
            dives += 1
            took = time.perf_counter() - began
            if sol is not None:
                found = True
                if shared.offer(sol, f"cg:celldive:{dives}"):
                    continue
            # cut off, or no better than the best. On medium models the LNS waits on the dives, which draw
            # again until their time is up; on small ones they draw again only while far() holds, until
            # helper_dives_until of the time
            if not medium and not far():
                break
    finally:
        if helper is not None:
            shared.pause.clear()            # the LNS goes on beside the helper's last dive
            if medium and not shared.stop.is_set():
                helper.wait(stop)
            helper.close()
            found = found or helper.rosters > 0
            if log:
                log(f"cell dives: {dives} here, {helper.rosters} rosters from the helper")
    return found


def _rens_roster(model: RosterModel, cg: ColumnGeneration, shared: _Shared, deadline: float,
                 params: SearchParams) -> bool:
    """RENS on the master LP (Berthold's relaxation enforced neighbourhood search): every cell the LP
    has at 0 or 1 fixed there, the compact model's sub-MIP over the fractional cells; each roster it
    finds offered at once. True if it found one.

    Why: at convergence the master's LP agrees on ~80 % of the cells (Instance12: 2,145 of 10,452
    fractional; Instance11: 1,248 of 5,304) and the neighbourhood holds an optimum: the sub-MIP found
    4040 (best known, = the LP) in 7-15 s and 3443 in 5 s, where diving in the master could not finish
    on Instance12 and the LNS stands at 4400-4700. Fixed cells keep every rule: the LP's schedules with
    any weight all agree there, and each is feasible."""
    values = cg.lp_values()
    x = values[: len(model.cells)]
    free = np.flatnonzero((x > 1e-6) & (x < 1 - 1e-6)).astype(np.int32)
    left = min(deadline - time.perf_counter(), params.rens_share * params.time_limit)
    if left < 0.2:
        return False
    h = _highs(left, params.seed)
    h.cbMipInterrupt.subscribe(lambda ev: ev.interrupt() if shared.stop.is_set() else None)
    source = f"cg:rens:{len(free)}"
    sol = cg.sub.solve(h, np.round(values), free, on_improve=lambda v: shared.offer(v, source))
    if sol is not None:
        shared.offer(sol, source)
    if params.log:
        print(f"  rens: {len(free)} free, {'none' if sol is None else round(model.objective(sol))} "
              f"t {time.perf_counter() - shared.started:.1f}", flush=True)
    return sol is not None


def _dive_roster(model: RosterModel, cg: ColumnGeneration, shared: _Shared, deadline: float,
                 params: SearchParams) -> None:
    """A roster from diving in the converged master, its last fractional employees completed exactly by
    a sub-MIP of the compact model with everyone else fixed; offered to all."""
    leave = max(2, round(params.dive_free_columns * cg.E / max(1, len(model.cells))))
    values, free_emps = cg.dive(min(deadline, time.perf_counter() + params.dive_share * params.time_limit),
                                params.pricing_time_limit, leave)
    free = np.array([c for e in free_emps for c in model.by_employee[e]], dtype=np.int32)
    left = deadline - time.perf_counter()
    if left < 0.2:
        return
    sol = None
    # stopped early with too many people open for one sub-MIP: nothing (on Instance12, best responses
    # from such a roster gave 5873 where the LNS stood at 4495)
    if len(free) <= 3 * params.dive_free_columns:
        sol = cg.sub.solve(_highs(min(params.dive_completion_time, left), params.seed), values, free)
        if sol is not None:
            shared.offer(sol, f"cg:dive:{len(free_emps)}")
    if params.log:
        print(f"  dive: {len(free_emps)} left, {'none' if sol is None else round(model.objective(sol))} "
              f"t {time.perf_counter() - shared.started:.1f}", flush=True)


def _colgen_then_lns(model: RosterModel, dec, shared: _Shared, deadline: float, params: SearchParams, out: dict,
                     lns_out: dict) -> None:
    """Column generation until it converges (or its share of the time is up), then the full MIP for a
    slice, then the LNS on this thread too; the full MIP and LNS as without it when it cannot run."""
    if not _column_generation(model, dec, shared, deadline, params):
        _mip_then_lns(model, shared, deadline, params, out, lns_out)
        return
    if not shared.stop.is_set() and time.perf_counter() < deadline - 0.5 and _small(model):
        # the full MIP for a slice: the master's bound need not be the optimum (Instance1: 557 against 607),
        # the tree proves small instances in seconds, and it prunes against the roster the master found
        _full_mip(model, shared, min(deadline, time.perf_counter() + params.mip_after_cg * params.time_limit),
                  params.seed, out)
    if not shared.stop.is_set() and time.perf_counter() < deadline - 0.5:
        _lns(model, shared, deadline, SearchParams(**{**params.__dict__, "seed": params.seed + 101}), lns_out)


def _column_generation(model: RosterModel, dec, shared: _Shared, deadline: float, params: SearchParams) -> bool:
    """Price, bound and offer the master's rosters until convergence or cg_share of the time; False when
    it cannot run here (a pricer fails, or the first round projects past the deadline). Every roster the
    search shares becomes columns, so the master can recombine the LNS's schedules with priced ones."""
    cg = ColumnGeneration(model, dec, params.seed)
    # pricing MIPs run into their time limit as the duals sharpen (Instance8: a round of 7 MIPs and 23
    # DPs took 1.3 s first, 2.8 s by the 14th): count each at its limit
    mip_round = cg.mip_pricers * params.pricing_time_limit
    if mip_round * CG_ROUNDS > deadline - time.perf_counter():
        return False
    try:
        for e, pricer in enumerate(cg.pricers):           # a first schedule per employee: its own cheapest
            _, found = pricer.price(cg.cost[dec.own_cols[e]], params.pricing_time_limit)
            if not found:
                return False
            cg.add(e, found[-1])
        seen, rounds = -1, 0
        small = _small(model)
        # the master's MIP runs during pricing only while the LNS has no roster to start from. It once ran
        # every few rounds on small models too (backing off while it found nothing): on a 20-staff cut of
        # Instance8 (bench/curtois_variants.py) its 3 s runs found rosters the LNS was already past and
        # held convergence off until 18-23 s, against 6-7 s without them; Instance1-5 came out as before
        stop_pricing = shared.started + params.cg_share * params.time_limit
        while not shared.stop.is_set() and deadline - time.perf_counter() > 0.2:
            if time.perf_counter() > stop_pricing:
                # rosters from what the master has: on small models its MIP over every column so far, at
                # length (price-and-branch); on larger ones a dive
                if small:
                    _master_roster(cg, shared, min(deadline - time.perf_counter(),
                                                   params.final_master_time * params.time_limit))
                else:
                    _lp_roster(model, cg, shared, deadline, params)
                break
            _, values, version = shared.snapshot()
            if values is not None and version != seen:
                cg.add_roster(values)
                seen = version
            cg.solve_master()
            t0 = time.thread_time()
            added, bound = cg.price(params.pricing_time_limit, deadline)
            rounds += 1
            # this thread's CPU time, not the clock's: the clock also counts waiting for the GIL while
            # thread two descends, which varies run to run (Instance12: 2 s for round one on the clock in
            # one run, 0.75-0.93 s of CPU; it converged after 28 rounds, 29-35 s into the search)
            if rounds == 1 and max(time.thread_time() - t0, mip_round) * CG_ROUNDS \
                    > deadline - time.perf_counter():
                if values is None:
                    _master_roster(cg, shared, params.master_mip_time)    # a roster for the LNS meanwhile
                return False
            shared.pricing.set()
            if bound is not None and not shared.stop.is_set():
                shared.prove(bound)
            if params.log:
                print(f"  cg round {rounds} master {cg.master_value:.1f} bound {bound} added {added} "
                      f"columns {len(cg.columns)} t {time.perf_counter() - shared.started:.1f}", flush=True)
            if added == 0:                  # converged: RENS or a dive, then on small models the master's MIP too
                if not shared.stop.is_set():
                    _lp_roster(model, cg, shared, deadline, params)
                if small and not shared.stop.is_set():
                    _master_roster(cg, shared, min(3 * params.master_mip_time, deadline - time.perf_counter()))
                break
            if values is None:                # the LNS waits for a roster
                _master_roster(cg, shared, min(params.master_mip_time, deadline - time.perf_counter()))
    except (ValueError, RuntimeError):      # no schedule for someone, or a pricer failed: the full MIP says
        return False
    return True


def _descent_then_lns(model: RosterModel, dec, shared: _Shared, deadline: float, params: SearchParams,
                      out: dict) -> None:
    """Best-response sweeps (descent.py) from everyone's cheapest schedule, or from the shared best once
    that is better, until no one can improve alone, descent_share of the time is up or column generation
    runs on the other thread, each sweep's roster offered; then the LNS. Straight to the LNS where cover
    is not a row of ones per person (Descent.exact) or someone has no schedule.

    Why it yields to column generation: both are Python over numpy and share the GIL (Instance12, 60 s:
    RENS reached 4040 at 41-50 s in seeds 1-3 with the descent stopped, 4241 and 4042 in seeds 1-2 with it
    sweeping for its 9 s). It costs Instance8 a little, whose LNS starts from the descent's rosters: 1498
    and 1507 against 1412 and 1413 with it sweeping.

    Tried, not kept: a sweep inside the LNS after 15 moves without a gain (Instance8 and 12, 60 s: not
    one gain from it, and on 12 the column generation no longer converged for the GIL it took)."""
    stop_at = min(deadline, shared.started + params.descent_share * params.time_limit)
    try:
        descent = Descent(model, dec, params.seed)
        if descent.exact:
            values = descent.start(params.pricing_time_limit)
            shared.offer(values, "descent")
            while not shared.stop.is_set() and not shared.pricing.is_set() and time.perf_counter() < stop_at:
                best, shared_values, _ = shared.snapshot()
                if best < model.objective(values) - 1e-6:
                    values = shared_values
                values, changed = descent.sweep(values, params.pricing_time_limit, stop_at)
                shared.offer(values, "descent")
                if not changed:
                    break
    except (ValueError, RuntimeError):      # no schedule for someone: the full MIP and the LNS say
        pass
    _lns(model, shared, deadline, params, out)


def size_key(kind: str, coarse: bool) -> str:
    """A neighbourhood's name in sizes, stats and logs: the kind, with "*" for its coarse moves."""
    return kind + "*" if coarse else kind


class _Neighbourhoods:
    """Which cells an LNS move frees, and how many.

    Random kinds (some employees over the whole horizon, everyone over some days, some employees over two
    weeks) keep the search moving; penalty-directed kinds go where the incumbent pays: a window of days
    around an under/over-covered shift for everyone, the people who could fill such a shift over the whole
    horizon, and people with unmet requests with a few others to trade with. Each kind is drawn with a
    weight that grows when it improves the incumbent (adaptive, as in ALNS), so an instance where cover
    dominates spends its moves there.

    The size is a target number of free x columns per kind, adapted by outcome: a move HiGHS closes quickly
    grows it, one that hits the time limit shrinks it, so each kind's sub-MIPs stay at the size HiGHS
    proves optimal in well under a second on this machine (measured: a fixed share of the staff is fine on
    10 employees and hopeless on 60). Per kind, because the kinds differ by an order of magnitude: from one
    Instance8 incumbent (2142), everyone over 7 days (527 free columns) closes in 0.08 s and improves it
    to 2045, while 10 employees over 14 days (364 columns) takes 2.8 s and finds nothing; with one shared
    target the day windows stayed at two days, too narrow for the 2-6 day run rules to move anything.
    """

    KINDS = ("employees", "days", "block", "cover_days", "cover_people", "requests")

    def __init__(self, model: RosterModel, rng: random.Random) -> None:
        self.model = model
        self.rng = rng
        E, D = len(model.spec.employees), model.spec.days
        self.per_employee = max(1.0, len(model.cells) / E)
        self.per_day = max(1.0, len(model.cells) / D)
        # day windows start at a week of everyone (capped): the size they settle at on every Curtois
        # instance measured, reached at once instead of after ~16 growth steps from 250 columns
        week = min(float(len(model.cells)), max(250.0, min(2000.0, 7 * self.per_day)))
        self.target = {k: week if k in ("days", "cover_days") else 250.0 for k in self.KINDS}
        self.target.update({size_key(k, True): 2 * v for k, v in self.target.items()})
        self.score = {k: 1.0 for k in self.KINDS}
        # coarse against fine moves, scored like the kinds: on Instance12 coarse moves win (60 s, 3 runs:
        # 4823-4848 against 4934-5055 fine only), on Instance5 fine moves walk the plateau to the 11th cover
        # unit where coarse ones stop early (3 of 4 fine-only runs found it, 0 of 3 half-coarse runs)
        self.mode_score = {False: 1.0, True: 1.0}
        cost = np.asarray(model.lp.col_cost_, float)
        # Coarse moves: the sub-MIP stops once no better roster by a whole unit of the cheapest shortfall is
        # left in the neighbourhood (mip_abs_gap just under that weight). On the Curtois instances every
        # under-cover unit weighs 100 against request weights of 1-3, so a coarse sub-MIP need not prove the
        # request level and its size settles 1.2-1.5x above the fine one (Instance12, 60 s: day windows
        # 2938 vs 2152 columns, blocks 762 vs 630): larger neighbourhoods for the cover chains, while fine
        # moves polish requests.
        unders = [cost[u] for _, _, u, _ in model.cover_cols if model.lp.col_upper_[u] > 0]
        self.coarse_gap = 0.9 * min(unders) if unders and min(unders) >= 3 else 0.0
        self._unders = np.array([u for _, _, u, _ in model.cover_cols], dtype=np.int64)
        self._cover = [(d, s, u, o, cost[u], cost[o]) for d, s, u, o in model.cover_cols]
        sidx = model.spec.shift_index()
        self._requests = [(r.employee, r.day, None if r.shift is None else sidx[r.shift], r.weight, r.on)
                          for r in model.spec.requests]

    def _pain(self, values: np.ndarray) -> tuple[list[tuple[int, int, float]], dict[int, float]]:
        """(day, shift, cost) of every penalised cover row and the request cost per employee."""
        cover = [(d, s, values[u] * cu + values[o] * co) for d, s, u, o, cu, co in self._cover
                 if values[u] > 0.5 or values[o] > 0.5]
        per_emp: dict[int, float] = {}
        x = self.model.x
        for e, d, s, weight, on in self._requests:
            cols = [x[(e, d, t)] for t in ([s] if s is not None else range(len(self.model.spec.shifts)))
                    if (e, d, t) in x]
            worked = any(values[c] > 0.5 for c in cols)
            if worked != on:
                per_emp[e] = per_emp.get(e, 0.0) + weight
        return cover, per_emp

    def _roulette(self, items: list, weight) -> object:
        total = sum(weight(i) for i in items)
        r = self.rng.random() * total
        for i in items:
            r -= weight(i)
            if r <= 0:
                return i
        return items[-1]

    def pick(self, values: np.ndarray, coarse_share: float) -> tuple[str, list[int], bool]:
        """(kind, free x columns, coarse): a coarse move only while some cover is short."""
        kind = self._roulette(list(self.KINDS), self.score.get)
        share = coarse_share * 2 * self.mode_score[True] / (self.mode_score[True] + self.mode_score[False])
        share = min(0.9, max(0.1, share)) if coarse_share > 0 else 0.0
        coarse = self.coarse_gap > 0 and self.rng.random() < share and bool(
            len(self._unders) and np.any(values[self._unders] > 0.5))
        kind, cols = self._cells(kind, values, coarse)
        return kind, cols, coarse

    def gap(self, coarse: bool) -> float:
        """The sub-MIP's mip_abs_gap for a move."""
        return self.coarse_gap if coarse else EXACT_GAP

    def _cells(self, kind: str, values: np.ndarray, coarse: bool) -> tuple[str, list[int]]:
        E, D = len(self.model.spec.employees), self.model.spec.days
        cells = self.model.cells
        if kind in ("cover_days", "cover_people", "requests"):
            cover, per_emp = self._pain(values)
            if kind == "requests" and not per_emp or kind != "requests" and not cover:
                kind = "employees"
        target = self.target[size_key(kind, coarse)]
        if kind == "cover_days":
            d, _, _ = self._roulette(cover, lambda c: c[2])
            n = max(1, min(D, round(target / self.per_day)))
            a = min(max(0, d - self.rng.randrange(n)), max(0, D - n))
            cols = [c for dd in range(a, a + n) for c in self.model.by_day[dd]]
        elif kind == "cover_people":
            d, s, _ = self._roulette(cover, lambda c: c[2])
            n = max(2, min(E, round(target / self.per_employee)))
            able = [e for e in range(E) if (e, d, s) in self.model.x]
            self.rng.shuffle(able)
            emps = set(able[:n])
            cols = [c for e in emps for c in self.model.by_employee[e]]
        elif kind == "requests":
            n = max(2, min(E, round(target / self.per_employee)))
            first = self._roulette(sorted(per_emp), per_emp.get)
            others = [e for e in range(E) if e != first]
            emps = [first] + self.rng.sample(others, min(len(others), n - 1))
            cols = [c for e in emps for c in self.model.by_employee[e]]
        elif kind == "employees":
            n = max(2, min(E, round(target / self.per_employee)))
            emps = self.rng.sample(range(E), n)
            cols = [c for e in emps for c in self.model.by_employee[e]]
        elif kind == "days":
            n = max(1, min(D, round(target / self.per_day)))
            a = self.rng.randrange(0, max(1, D - n + 1))
            cols = [c for d in range(a, a + n) for c in self.model.by_day[d]]
        else:
            span = min(D, 14)
            n = max(2, min(E, round(target / (self.per_employee * span / D))))
            emps = set(self.rng.sample(range(E), n))
            a = self.rng.randrange(0, max(1, D - span + 1))
            cols = [c for d in range(a, a + span) for c in self.model.by_day[d] if cells[c][0] in emps]
        return kind, cols

    def feedback(self, kind: str, coarse: bool, fast: bool, timed_out: bool, improved: bool) -> None:
        size = size_key(kind, coarse)
        if fast:
            self.target[size] = min(len(self.model.cells), self.target[size] * 1.15)
        elif timed_out:
            self.target[size] = max(30.0, self.target[size] * 0.7)
        self.score[kind] = max(0.2, 0.9 * self.score[kind] + (1.0 if improved else 0.1))
        self.mode_score[coarse] = max(0.2, 0.9 * self.mode_score[coarse] + (1.0 if improved else 0.1))


def _lns(model: RosterModel, shared: _Shared, deadline: float, params: SearchParams, out: dict) -> None:
    """Destroy/repair from the search's own current solution, which follows the shared best but also
    takes equal-cost sub-MIP answers: on the Curtois plateaus (many rosters with the same cover
    shortfall) walking sideways is what lets a later move find the improvement."""
    rng = random.Random(params.seed)
    hoods = _Neighbourhoods(model, rng)
    n_x = len(model.cells)
    all_x = np.arange(n_x, dtype=np.int32)
    lo0 = np.asarray(model.lp.col_lower_, float)[:n_x]
    hi0 = np.asarray(model.lp.col_upper_, float)[:n_x]
    h = _highs(params.sub_time_limit, params.seed)
    # A sub-MIP's improvement comes from HiGHS's primal heuristics within ~0.2 s, then it spends its time
    # in root cut separation; more heuristic effort measured better (12 s of chained moves from the same
    # start, load 9-11: Instance8 2904 -> 2496, Instance12 10026 -> 9517; 1.0 was worse than 0.5 on 12).
    h.setOptionValue("mip_heuristic_effort", params.sub_heuristic_effort)
    sub = SubMip(model) if params.small_sub_mips else None
    if sub is None:
        h.passModel(model.lp)
    h.cbMipInterrupt.subscribe(lambda ev: ev.interrupt() if shared.stop.is_set() else None)
    moves = improvements = 0
    stats: dict[str, list] = out.setdefault("stats", {})   # size key -> [moves, seconds, free, improved, timeouts]
    current, current_obj = None, math.inf
    while not shared.stop.is_set():
        left = deadline - time.perf_counter()
        if left < 0.1:
            break
        best, values, _ = shared.snapshot()
        if values is None or shared.pause.is_set():
            time.sleep(0.05)
            continue
        if best < current_obj - 1e-6:
            current, current_obj = values, best
        kind, free, coarse = hoods.pick(current, params.coarse_share)
        free = np.asarray(free, dtype=np.int32)
        h.setOptionValue("mip_abs_gap", hoods.gap(coarse))
        h.setOptionValue("time_limit", max(0.05, min(params.sub_time_limit, left)))
        h.setOptionValue("random_seed", rng.randrange(1 << 30))
        t0 = time.perf_counter()
        if sub is not None:
            sol = sub.solve(h, current, free)
        else:
            x = np.round(current[:n_x])
            lo, hi = x.copy(), x.copy()
            lo[free], hi[free] = lo0[free], hi0[free]
            h.changeColsBounds(n_x, all_x, lo, hi)
            h.setSolution(_solution(current))
            h.run()
            sol = np.asarray(h.getSolution().col_value, float) if h.getInfo().primal_solution_status == 2 else None
        took = time.perf_counter() - t0
        moves += 1
        status = h.modelStatusToString(h.getModelStatus())
        improved = False
        if sol is not None:
            value = model.objective(sol)
            if value <= current_obj + 1e-6:
                improved = value < current_obj - 1e-6
                current, current_obj = sol, value
            if shared.offer(sol, f"lns:{size_key(kind, coarse)}:{len(free)}"):
                improvements += 1
        st = stats.setdefault(size_key(kind, coarse), [0, 0.0, 0, 0, 0])
        st[0] += 1
        st[1] += took
        st[2] += len(free)
        st[3] += improved
        st[4] += status == "Time limit reached"
        hoods.feedback(kind, coarse, status == "Optimal" and took < params.sub_time_limit / 4,
                       status == "Time limit reached", improved)
        h.clearSolver()
    out["moves"], out["improvements"] = moves, improvements


def _solution(values: np.ndarray) -> highspy.HighsSolution:
    sol = highspy.HighsSolution()
    sol.col_value = list(values)
    sol.value_valid = True
    return sol


def solve(model: RosterModel, params: SearchParams | None = None) -> SearchResult:
    params = params or SearchParams()
    started = time.perf_counter()
    deadline = started + params.time_limit
    shared = _Shared(model, started, params.log)
    mip_out: dict = {}
    lns_outs = [{} for _ in range(max(1, params.threads))]
    dec = decompose(model) if params.column_generation and params.threads > 1 else None
    if dec is not None and params.cell_dive and params.dive_helper and len(model.cells) <= MEDIUM_X_COLUMNS:
        shared.helper = DiveHelper(model, params.seed, params.log)
    if dec is not None:
        threads = [threading.Thread(target=_colgen_then_lns,
                                    args=(model, dec, shared, deadline, params, mip_out, lns_outs[0]), daemon=True)]
    else:
        threads = [threading.Thread(target=_mip_then_lns, args=(model, shared, deadline, params, mip_out, lns_outs[0]),
                                    daemon=True)]
    for i, o in enumerate(lns_outs[1:]):
        p = SearchParams(**{**params.__dict__, "seed": params.seed + i})
        if dec is not None and i == 0 and not _small(model):
            threads.append(threading.Thread(target=_descent_then_lns, args=(model, dec, shared, deadline, p, o),
                                            daemon=True))
        else:
            threads.append(threading.Thread(target=_lns, args=(model, shared, deadline, p, o), daemon=True))
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(0.0, deadline + STUCK_GRACE - time.perf_counter()))
    finally:
        shared.stop.set()                   # a thread left behind stops at its next check
        if shared.helper is not None:
            shared.helper.close()
    best, values, _ = shared.snapshot()
    bound = mip_out.get("bound", -math.inf)
    if bound > -math.inf:
        bound = math.ceil(bound - 1e-6)
    bound = max(bound, shared.bound)
    proven = bool(mip_out.get("proven")) or (values is not None and best - bound < EXACT_GAP)
    return SearchResult(values, best, bound, proven, time.perf_counter() - started,
                        sum(o.get("moves", 0) for o in lns_outs), sum(o.get("improvements", 0) for o in lns_outs),
                        shared.history_so_far(), _merge_stats(lns_outs), sum(t.is_alive() for t in threads))


def _merge_stats(outs: list[dict]) -> dict[str, list]:
    merged: dict[str, list] = {}
    for o in outs:
        for k, v in list(o.get("stats", {}).items()):      # (a thread left behind may still add to it)
            merged[k] = [a + b for a, b in zip(merged.get(k, [0, 0.0, 0, 0, 0]), v)]
    return merged
