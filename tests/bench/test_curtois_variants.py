"""bench/curtois_variants.py cuts a shipped instance down to fewer staff: the cut must keep exactly the staff
drawn (with their days off and requests, and nobody else's), scale each cover requirement by the share kept,
and stay an instance the reader, the model and the checker accept."""
from __future__ import annotations

from bench.curtois import format_solution
from bench.curtois_variants import cut
from services.solver.roster.curtois_reader import parse
from services.solver.roster.model import build
from services.solver.roster.search import SearchParams, solve
from tests.solver.roster.curtois_checker import check
from tests.solver.roster.curtois_instances import EVAL, needs_instances

pytestmark = needs_instances


def test_a_cut_keeps_the_drawn_staff_and_scales_cover_to_them():
    text = (EVAL / "Instance4.txt").read_text(encoding="utf-8")
    full, part = parse(text), parse(cut(text, 6, seed=3))
    assert len(full.employees) == 10 and len(part.employees) == 6
    kept = {e.id for e in part.employees}
    by_id = {e.id: e for e in full.employees}
    assert all(e == by_id[e.id] for e in part.employees)        # limits and days off unchanged
    full_ids = [e.id for e in full.employees]
    part_ids = [e.id for e in part.employees]
    expected = [(full_ids[r.employee], r.day, r.shift, r.weight, r.on) for r in full.requests
                if full_ids[r.employee] in kept]
    assert [(part_ids[r.employee], r.day, r.shift, r.weight, r.on) for r in part.requests] == expected
    assert [(c.day, c.shift) for c in part.cover] == [(c.day, c.shift) for c in full.cover]
    assert [c.requirement for c in part.cover] == [round(c.requirement * 6 / 10) for c in full.cover]
    assert cut(text, 6, seed=3) == cut(text, 6, seed=3) != cut(text, 6, seed=4)


def test_a_cut_solves_to_a_roster_the_checker_accepts():
    text = cut((EVAL / "Instance2.txt").read_text(encoding="utf-8"), 9, seed=1)
    model = build(parse(text))
    result = solve(model, SearchParams(time_limit=5, seed=1))
    solution = format_solution(model.assignment(result.values))
    errors, objective = check(text, solution)
    assert errors == [] and objective == round(result.objective)
