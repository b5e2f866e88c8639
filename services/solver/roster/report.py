"""Soft costs of a roster, one line per rule, recomputed from the assignment (not read off the LP).

Why recomputed: the manager sees 「希望休を3件お断り」 and its cost, so the numbers must be those of the
roster handed out, whatever the solver's internal slacks were; the sum equals the model's objective
(a test holds them together).
"""
from __future__ import annotations

from collections import defaultdict

from services.solver.roster.spec import RosterSpec


def soft_costs(spec: RosterSpec, assignment: list[list[str | None]]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for r in spec.requests:
        got = assignment[r.employee][r.day]
        if r.on and got != r.shift:
            out["希望シフト"] += r.weight
        elif not r.on and got is not None and (r.shift is None or got == r.shift):
            out["希望休" if r.shift is None else "希望しないシフト"] += r.weight
    for c in spec.cover:
        who = range(len(spec.employees)) if c.employees is None else c.employees
        have = sum(1 for e in who if assignment[e][c.day] == c.shift)
        if have < c.requirement:
            out[f"{c.label}不足"] += (c.requirement - have) * c.weight_under
        elif have > c.requirement and c.weight_over:
            out[f"{c.label}過剰"] += (have - c.requirement) * c.weight_over
    for b in spec.balances:
        n = sum(1 for d in b.days if assignment[b.employee][d] is not None
                and (b.shift is None or assignment[b.employee][d] == b.shift))
        if n > b.target:
            out[b.label] += (n - b.target) * b.weight
    if spec.change_weight:
        for (e, d), ref in spec.reference.items():
            if assignment[e][d] != ref:
                out[spec.change_label] += spec.change_weight
    return dict(out)


def refused_requests(spec: RosterSpec, assignment: list[list[str | None]]) -> list[tuple[int, int, str | None]]:
    """(employee index, day, requested shift or None for a day off) of every request not granted."""
    out = []
    for r in spec.requests:
        got = assignment[r.employee][r.day]
        if (r.on and got != r.shift) or (not r.on and got is not None and (r.shift is None or got == r.shift)):
            out.append((r.employee, r.day, r.shift))
    return out
