"""Column generation run to convergence, for the tests of what starts from a converged master."""
from __future__ import annotations

import numpy as np

from services.solver.roster.colgen import ColumnGeneration, decompose


def converge(model, roster: np.ndarray | None = None) -> tuple[ColumnGeneration, list[float | None]]:
    """(the converged master, its Lagrangian bound per round); `roster` is added first, as the search
    adds the LNS's rosters."""
    dec = decompose(model)
    cg = ColumnGeneration(model, dec)
    for e, pricer in enumerate(cg.pricers):
        _, found = pricer.price(cg.cost[dec.own_cols[e]], 5.0)
        cg.add(e, found[-1])
    if roster is not None:
        cg.add_roster(roster)
    bounds = []
    for _ in range(200):
        cg.solve_master()
        added, bound = cg.price(5.0)
        bounds.append(bound)
        if added == 0:
            return cg, bounds
    raise AssertionError("column generation did not converge")
