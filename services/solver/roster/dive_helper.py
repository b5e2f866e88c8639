"""Cell dives in a helper process, beside the search's own: twice the draws in the same seconds.

Why a process and not a third thread: a cell dive from the converged master is a draw (Instance8, eight
dives from one master: 1305 and 1309 in two, 1415-1630 in the others), so what finds a good roster is
the number of dives in the time. Dives are Python around small LPs (pricing DPs, the master's bounds), and
the search's threads share one interpreter lock, so a second dive thread would slow the first about as
much as it adds. A process has its own interpreter and takes the second core.

The helper is spawned when the search starts, so its imports and its own column generation object are
ready by the time the master converges. It is then handed the master's columns, rebuilds the same master,
and dives until told the time is up; each roster it finds comes back through a pipe to a reader thread,
and the best so far goes the other way through a shared double, which cuts off its dives as it does the
search's own.
"""
from __future__ import annotations

import math
import multiprocessing as mp
import threading
import time
from typing import Callable

import numpy as np

from services.solver.roster.model import RosterModel

# a helper's dive seeds start here, apart from the search's own (seed, seed + 1, ...)
_SEED_OFFSET = 1000


class DiveHelper:
    """One helper process for one search; close() it in every case."""

    def __init__(self, model: RosterModel, seed: int) -> None:
        ctx = mp.get_context("spawn")        # fork would copy the search's other threads' locks mid-use
        self._cutoff = ctx.Value("d", math.inf, lock=False)
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, model, seed, self._cutoff), daemon=True,
                                 name="aimee-dive-helper")
        self._proc.start()
        child.close()
        self._reader: threading.Thread | None = None
        self._closed = False
        self.rosters = 0

    def dive(self, columns: list[tuple[int, np.ndarray]], priced: list[bool], until: float,
             pricing_time: float, on_roster: Callable[[np.ndarray], None]) -> None:
        """Dive from a master of these columns until `until` (perf_counter); each roster to `on_roster`,
        called from a reader thread."""
        try:
            self._conn.send(("dive", columns, priced, until - time.perf_counter(), pricing_time))
        except (BrokenPipeError, OSError):   # the helper is gone: the search's own dives go on alone
            return
        self._reader = threading.Thread(target=self._read, args=(on_roster,), daemon=True)
        self._reader.start()

    def _read(self, on_roster: Callable[[np.ndarray], None]) -> None:
        while True:
            try:
                kind, payload = self._conn.recv()
            except (EOFError, OSError):
                return
            if kind == "done":
                return
            self.rosters += 1
            on_roster(payload)

    def wait(self, until: float) -> None:
        """Until the helper's dives are over (it starts none it could not finish by its time) or `until`."""
        if self._reader is not None:
            self._reader.join(max(0.0, until - time.perf_counter()))

    def cut(self, best: float) -> None:
        """The best objective so far: the helper's dives stop where their LP reaches it."""
        if best < self._cutoff.value:
            self._cutoff.value = best

    def close(self, wait: float = 2.0) -> None:
        """End the helper: its dive stops at its next step (a cutoff no LP is below), then the process."""
        if self._closed:
            return
        self._closed = True
        self._cutoff.value = -math.inf
        try:
            self._conn.send(("stop", None))
        except (BrokenPipeError, OSError):
            pass
        if self._reader is not None:
            self._reader.join(wait)
        self._proc.join(wait)
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(wait)
        self._conn.close()


def _serve(conn, model: RosterModel, seed: int, cutoff) -> None:
    """The helper process: its master built ahead, then dives on the columns it is sent."""
    from services.solver.roster.cell_dive import CellDive
    from services.solver.roster.colgen import ColumnGeneration, decompose

    dec = decompose(model)
    cg = ColumnGeneration(model, dec, seed)
    try:
        kind, *payload = conn.recv()
        if kind != "dive":
            return
        columns, priced, seconds, pricing_time = payload
        deadline = time.perf_counter() + seconds
        for (e, own), p in zip(columns, priced):
            cg.add(e, own, p)
        root = cg.solve_master()
        k, took = 0, 1.0
        # as the search's own: another dive only where it can finish as the last one took, and none once
        # the best so far is down to the master's LP, which bounds every dive from it
        while root < cutoff.value - 1e-6 and deadline - time.perf_counter() > took:
            began = time.perf_counter()
            dive = CellDive(cg, jitter=0.1, seed=seed + _SEED_OFFSET + k)
            sol = dive.run(deadline, pricing_time, lambda: cutoff.value)
            k += 1
            took = time.perf_counter() - began
            if sol is not None and cutoff.value > -math.inf:
                conn.send(("roster", sol))
        conn.send(("done", None))
    except (EOFError, BrokenPipeError, OSError, KeyboardInterrupt):
        pass
    finally:
        conn.close()
