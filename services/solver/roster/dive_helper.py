"""Cell dives in a helper process, beside the search's own: twice the draws in the same seconds.

Why a process and not a third thread: a cell dive from the converged master is a draw (Instance8, eight
dives from one master: 1305 and 1309 in two, 1415-1630 in the others), so what finds a good roster is
the number of dives in the time. Dives are Python around small LPs (pricing DPs, the master's bounds), and
the search's threads share one interpreter lock, so a second dive thread would slow the first about as
much as it adds. A process has its own interpreter and takes the second core.

The helper is started when the search starts (`python -m` this module, with two pipes: nothing of the
caller's own main module is imported again, as multiprocessing's spawn would), so its imports and its own
column generation object are ready by the time the master converges. It is then sent the master's
columns, rebuilds the same master, and dives until its time is up; each roster it finds comes back to a
reader thread, and the best so far goes the other way, cutting off its dives as it does the search's own.
"""
from __future__ import annotations

import math
import os
import queue
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Callable

import numpy as np

from services.solver.roster.model import RosterModel

# a helper's dive seeds start here, apart from the search's own (seed, seed + 1, ...)
_SEED_OFFSET = 1000
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


class DiveHelper:
    """One helper process for one search; close() it in every case."""

    def __init__(self, model: RosterModel, seed: int, log: bool = False) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH", "")) if p)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "services.solver.roster.dive_helper", str(to_child_r), str(from_child_w)],
            pass_fds=(to_child_r, from_child_w), cwd=_ROOT, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self._out = Connection(to_child_w, readable=False)
        self._in = Connection(from_child_r, writable=False)
        # every message goes out through one sender thread, so no caller waits on the pipe: the model
        # (1.3 MB for Instance8) while the helper is still importing, a cutoff sent from the search's
        # offer under its lock
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._sender = threading.Thread(target=self._send_all, daemon=True)
        self._sender.start()
        self._cutoff = math.inf
        self._reader: threading.Thread | None = None
        self._closed = False
        self.rosters = 0
        self._outbox.put(("model", model, seed, log))

    def _send_all(self) -> None:
        while True:
            message = self._outbox.get()
            try:
                self._out.send(message)
            except (BrokenPipeError, OSError):  # the helper is gone: the search's own dives go on alone
                return
            if message[0] == "stop":
                return

    def _send(self, message: tuple) -> bool:
        if self._closed or not self._sender.is_alive():
            return False
        self._outbox.put(message)
        return True

    def dive(self, columns: list[tuple[int, np.ndarray]], priced: list[bool], until: float,
             pricing_time: float, on_roster: Callable[[np.ndarray], None], give_up: float = math.inf,
             exact: bool = False) -> None:
        """Dive from a master of these columns until `until` (perf_counter); each roster to `on_roster`,
        called from a reader thread. `give_up` as CellDive.run's, `exact` as CellDive's."""
        if self._send(("dive", columns, priced, until - time.perf_counter(), pricing_time, give_up, exact)):
            self._reader = threading.Thread(target=self._read, args=(on_roster,), daemon=True)
            self._reader.start()

    def _read(self, on_roster: Callable[[np.ndarray], None]) -> None:
        while True:
            try:
                kind, payload = self._in.recv()
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
        if best < self._cutoff:
            self._cutoff = best
            self._send(("cut", best))

    def close(self, wait: float = 2.0) -> None:
        """End the helper: its dive stops at its next step, then the process."""
        if self._closed:
            return
        self._send(("stop", None))
        self._closed = True
        self._sender.join(wait)
        if self._reader is not None:
            self._reader.join(wait)
        try:
            self._proc.wait(wait)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(wait)
        self._out.close()
        self._in.close()

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None


class _Inbox:
    """The helper's side of what the search sends while it dives: the latest cutoff and the stop."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.cutoff = math.inf
        self.dive: tuple | None = None
        self.ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                kind, *payload = self.conn.recv()
            except (EOFError, OSError):
                kind = "stop"
            if kind == "cut":
                self.cutoff = min(self.cutoff, payload[0])
            elif kind == "dive":
                self.dive = tuple(payload)
                self.ready.set()
            else:                                   # stop, or the search is gone
                self.cutoff = -math.inf
                self.ready.set()
                return


def _serve(inbox: _Inbox, out: Connection, model: RosterModel, seed: int, log: bool) -> None:
    """The helper process: its master built ahead, then dives on the columns it is sent."""
    from services.solver.roster.cell_dive import CellDive
    from services.solver.roster.colgen import ColumnGeneration, decompose

    cg = ColumnGeneration(model, decompose(model), seed)
    inbox.ready.wait()
    if inbox.dive is None:
        return
    columns, priced, seconds, pricing_time, give_up, exact = inbox.dive
    deadline = time.perf_counter() + seconds
    for (e, own), p in zip(columns, priced):
        cg.add(e, own, p)
    root = cg.solve_master()
    k, took = 0, 1.0
    # as the search's own: another dive only where it can finish as the last one took, and none once the
    # best so far is down to the master's LP, which bounds every dive from it
    while root < inbox.cutoff - 1e-6 and deadline - time.perf_counter() > took:
        began = time.perf_counter()
        dive = CellDive(cg, jitter=0.1, seed=seed + _SEED_OFFSET + k, exact=exact)
        sol = dive.run(deadline, pricing_time, lambda: inbox.cutoff, give_up=give_up,
                       log=(lambda text: print(f"  helper {text}", file=sys.stderr, flush=True)) if log else None)
        k += 1
        took = time.perf_counter() - began
        if sol is not None and inbox.cutoff > -math.inf:
            out.send(("roster", sol))
    out.send(("done", None))


def main(argv: list[str]) -> int:
    conn_in = Connection(int(argv[0]), writable=False)
    out = Connection(int(argv[1]), readable=False)
    try:
        kind, model, seed, log = conn_in.recv()
        if kind == "model":
            _serve(_Inbox(conn_in), out, model, seed, log)
    except (EOFError, BrokenPipeError, OSError, KeyboardInterrupt):
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
