"""Solving a RosterModel: the full MIP in HiGHS side by side with a large-neighbourhood search.

Why two threads: on the larger Curtois instances HiGHS proves a good bound early but improves its
incumbent slowly (the straightforward MIP ends 146-182 % above the best known on Instance 8 and 12 in
60 s). Re-optimising a few employees, or every employee over a window of days, with everything else
fixed is a small MIP HiGHS solves to optimality in well under a second, and chaining such moves walks
the incumbent down fast. The two threads share the incumbent both ways: an LNS improvement is handed
to the full MIP through HiGHS's user-solution callback (so its tree prunes against it), and a full-MIP
improvement becomes the LNS's next starting point. Only the full MIP proves a bound; the search never
claims optimality. Each HiGHS model runs single-threaded, so the two threads fill the two cores.
"""
from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field

import highspy
import numpy as np

from services.solver.roster.model import RosterModel


@dataclass
class SearchParams:
    time_limit: float = 60.0
    threads: int = 2                 # 1: the full MIP only; 2: full MIP + LNS side by side
    seed: int = 1
    # per LNS sub-MIP. Measured (30 s, Instance8 / 12): 2.0 s -> 3200 / 8328, 0.7 s -> 2360 / 8018, 0.4 s ->
    # 2367 on 8; Instance5 unchanged. Many quick moves beat fewer closed ones: HiGHS spends a sub-MIP's
    # later seconds in root cut separation, while its heuristics find the improvement early.
    sub_time_limit: float = 0.7
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
                return True
        return False

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
    h.setOptionValue("mip_abs_gap", 1.0 - 1e-6)      # integer weights: within 1 of the bound is optimal
    return h


def _full_mip(model: RosterModel, shared: _Shared, deadline: float, seed: int, out: dict,
              start: dict[int, float] | None = None) -> None:
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
    if out["proven"]:
        shared.stop.set()


class _Neighbourhoods:
    """Which cells an LNS move frees: some employees over the whole horizon, everyone over some days, or
    some employees over two weeks.

    The size is a target number of free x columns shared by the three kinds and adapted by outcome: a
    move HiGHS closes quickly grows it, one that hits the time limit shrinks it, so the sub-MIPs stay at
    the size HiGHS proves optimal in well under a second on this machine (measured: a fixed share of the
    staff is fine on 10 employees and hopeless on 60).
    """

    KINDS = ("employees", "days", "block")

    def __init__(self, model: RosterModel, rng: random.Random) -> None:
        self.model = model
        self.rng = rng
        self.target = 250.0
        E, D = len(model.spec.employees), model.spec.days
        self.per_employee = max(1.0, len(model.cells) / E)
        self.per_day = max(1.0, len(model.cells) / D)

    def pick(self) -> tuple[str, list[int]]:
        kind = self.rng.choice(self.KINDS)
        E, D = len(self.model.spec.employees), self.model.spec.days
        if kind == "employees":
            n = max(2, min(E, round(self.target / self.per_employee)))
            emps = self.rng.sample(range(E), n)
            cols = [c for e in emps for c in self.model.by_employee[e]]
        elif kind == "days":
            n = max(1, min(D, round(self.target / self.per_day)))
            a = self.rng.randrange(0, max(1, D - n + 1))
            cols = [c for d in range(a, a + n) for c in self.model.by_day[d]]
        else:
            span = min(D, 14)
            n = max(2, min(E, round(self.target / (self.per_employee * span / D))))
            emps = set(self.rng.sample(range(E), n))
            a = self.rng.randrange(0, max(1, D - span + 1))
            cols = [c for d in range(a, a + span) for c in self.model.by_day[d] if self.model.cells[c][0] in emps]
        return kind, cols

    def feedback(self, fast: bool, timed_out: bool) -> None:
        if fast:
            self.target = min(len(self.model.cells), self.target * 1.15)
        elif timed_out:
            self.target = max(30.0, self.target * 0.7)


def _lns(model: RosterModel, shared: _Shared, deadline: float, params: SearchParams, out: dict) -> None:
    rng = random.Random(params.seed)
    hoods = _Neighbourhoods(model, rng)
    n_x = len(model.cells)
    all_x = np.arange(n_x, dtype=np.int32)
    lo0 = np.asarray(model.lp.col_lower_, float)[:n_x]
    hi0 = np.asarray(model.lp.col_upper_, float)[:n_x]
    h = _highs(params.sub_time_limit, params.seed)
    h.passModel(model.lp)
    h.cbMipInterrupt.subscribe(lambda ev: ev.interrupt() if shared.stop.is_set() else None)
    moves = improvements = 0
    while not shared.stop.is_set():
        left = deadline - time.perf_counter()
        if left < 0.1:
            break
        best, values, _ = shared.snapshot()
        if values is None:
            time.sleep(0.05)
            continue
        kind, free = hoods.pick()
        x = np.round(values[:n_x])
        lo, hi = x.copy(), x.copy()
        free = np.asarray(free, dtype=np.int32)
        lo[free], hi[free] = lo0[free], hi0[free]
        h.changeColsBounds(n_x, all_x, lo, hi)
        h.setOptionValue("time_limit", max(0.05, min(params.sub_time_limit, left)))
        h.setOptionValue("random_seed", rng.randrange(1 << 30))
        h.setSolution(_solution(values))
        t0 = time.perf_counter()
        h.run()
        took = time.perf_counter() - t0
        moves += 1
        status = h.modelStatusToString(h.getModelStatus())
        if h.getInfo().primal_solution_status == 2:
            if shared.offer(h.getSolution().col_value, f"lns:{kind}:{len(free)}"):
                improvements += 1
        hoods.feedback(status == "Optimal" and took < params.sub_time_limit / 4, status == "Time limit reached")
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
    lns_out: dict = {}
    threads = [threading.Thread(target=_full_mip, args=(model, shared, deadline, params.seed, mip_out,
                                                            params.start))]
    if params.threads > 1:
        threads.append(threading.Thread(target=_lns, args=(model, shared, deadline, params, lns_out)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    best, values, _ = shared.snapshot()
    bound = mip_out.get("bound", -math.inf)
    if bound > -math.inf:
        bound = math.ceil(bound - 1e-6)
    proven = bool(mip_out.get("proven")) or (values is not None and best - bound < 1.0 - 1e-6)
    return SearchResult(values, best, bound, proven, time.perf_counter() - started,
                        lns_out.get("moves", 0), lns_out.get("improvements", 0), shared.history)
