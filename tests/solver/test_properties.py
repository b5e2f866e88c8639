"""Property tests: on any generated instance the plan obeys every rule, the reported numbers are the
plan's own, and on tiny instances the optimum equals brute force."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.solver.instance import DemandCell, Instance, ProcessSpec, SolveParams, StaffMember
from services.solver.solving import solve
from tests.solver import brute
from tests.solver.checker import check

PROCESSES = (ProcessSpec("検品", 2, True), ProcessSpec("梱包", 1, False), ProcessSpec("出荷", 1, True),
             ProcessSpec("仕分け", 1, False))
SITES = ("横浜", "品川")
BLOCKS = ("morning", "afternoon", "overtime")


@st.composite
def instances(draw, max_staff: int = 8, overtime: bool = True, two_sites: bool = True) -> Instance:
    n_proc = draw(st.integers(1, 4))
    procs = PROCESSES[:n_proc]
    sites = SITES[: draw(st.integers(1, 2 if two_sites else 1))]
    staff = []
    for eid in range(1, draw(st.integers(1, max_staff)) + 1):
        home = draw(st.sampled_from(sites))
        certified = draw(st.lists(st.sampled_from([p.name for p in procs]), min_size=0, max_size=n_proc, unique=True))
        skills = {p: draw(st.integers(1, 5)) for p in certified}
        productivity = {p: float(draw(st.integers(60, 130))) for p in certified}
        shift = draw(st.sampled_from(["full", "morning", "afternoon", "off"]))
        morning = 4.0 if shift in ("full", "morning") else 0.0
        afternoon = 4.0 if shift in ("full", "afternoon") else (2.0 if shift == "off" else 0.0)
        cap = draw(st.sampled_from([0.0, 0.5, 1.0, 2.0])) if overtime and afternoon > 0 else 0.0
        current = {b: draw(st.sampled_from([p.name for p in procs])) for b in ("morning", "afternoon")
                   if draw(st.booleans())}
        may_move = len(sites) > 1 and draw(st.booleans())
        where = (home, *[s for s in sites if s != home]) if may_move else (home,)
        staff.append(StaffMember(eid, f"p{eid}", home, draw(st.integers(1, 5)), draw(st.booleans()), morning,
                                 afternoon, cap, skills, productivity, current, where))
    demand = []
    for site in sites:
        for p in procs:
            for block in BLOCKS if overtime else BLOCKS[:2]:
                d = draw(st.sampled_from([0.0, 0.7, 2.5, 4.0, 6.3, 9.0]))
                demand.append(DemandCell(site, p.name, block, d, d * draw(st.sampled_from([1.0, 1.1]))))
    limits = {s: draw(st.sampled_from([0.0, 1.5, 20.0])) for s in sites}
    return Instance(sites[0], sites, procs, tuple(staff), tuple(demand), limits)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_plan_obeys_every_rule(inst):
    sol = solve(inst, SolveParams(time_limit_seconds=10))
    assert sol.report.has_solution
    assert check(inst, sol) == []
    assert sol.report.mip_gap <= 0.005 + 1e-6


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_staff=3, overtime=False, two_sites=False))
def test_tiny_instances_reach_the_brute_force_optimum(inst):
    best, _ = brute.optimum(inst)
    sol = solve(inst, SolveParams(mip_rel_gap=0.0, time_limit_seconds=10))
    assert check(inst, sol) == []
    assert sol.report.objective <= best + 1e-6 * max(1.0, best)
