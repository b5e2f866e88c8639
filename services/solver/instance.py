"""Plain data the assignment model reads and returns — no database, no gRPC.

Why a separate module: the model, the independent checker, the benchmark and the repository all speak
these types, so a generated instance and one loaded from MySQL are solved by exactly the same code.
Units: hours for time, staff-hours at standard productivity (score 100) for demand; productivity is a
score where 100 = standard, so one hour of a person with score 120 covers 1.2 staff-hours.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from services.solver.blocks import BLOCKS


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    min_skill: int = 1
    requires_veteran: bool = False


@dataclass(frozen=True)
class Rules:
    """Who counts as a veteran / new staff (the thresholds the issue and the schema name)."""
    veteran_skill: int = 4        # per-process skill >= this is a veteran on that process
    new_max_skill: int = 2        # overall skill <= this is new staff ...
    new_days: int = 90            # ... and so is anyone hired fewer than this many days ago
    min_overtime_hours: float = 0.5  # an overtime assignment is at least this long (or the person's cap)


@dataclass(frozen=True)
class StaffMember:
    """One person who may work that day.

    process_skill holds only the processes the person is certified for (employee_skills rows); a
    process absent from it cannot be assigned. productivity holds the expected score per process.
    current maps block → process of the stored plan (daily_assignments) at the home site.
    sites lists where the person may work; the first is where they are planned (home, or the
    target site for someone added in a what-if).
    """
    employee_id: int
    name: str
    home_site: str
    skill_level: int
    is_new: bool
    morning_hours: float
    afternoon_hours: float
    overtime_cap: float
    process_skill: Mapping[str, int]
    productivity: Mapping[str, float]
    current: Mapping[str, str] = field(default_factory=dict)
    sites: tuple[str, ...] = ()

    def regular_hours(self, block: str) -> float:
        return self.morning_hours if block == "morning" else self.afternoon_hours if block == "afternoon" else 0.0


@dataclass(frozen=True)
class DemandCell:
    """Work for one site x process x block, in staff-hours at standard productivity."""
    site: str
    process: str
    block: str
    staff_hours: float
    upper_staff_hours: float = 0.0  # upper prediction bound (>= staff_hours); a light buffer target
    deferred_staff_hours: float = 0.0  # moved to the next day by a cut-off (reported, not planned)


@dataclass(frozen=True)
class Weights:
    """Objective weights: all terms are penalties, so the objective is >= 0.

    The magnitudes make the objective (close to) lexicographic in the order the issue asks for:
    unmet demand ≫ overtime > fairness > transfers > changes to the stored plan > buffer > productivity.
    """
    shortage: float = 100.0       # per staff-hour of forecast demand not covered
    overtime: float = 1.0         # per overtime hour
    fairness: float = 0.5         # per hour of the largest personal overtime
    transfer: float = 2.0         # per person sent to another site
    change: float = 0.4           # per stored assignment not kept
    buffer: float = 0.05          # per staff-hour between forecast and its upper bound not covered
    productivity: float = 0.02    # per effective staff-hour below each person's best process


@dataclass(frozen=True)
class Instance:
    target_site: str
    sites: tuple[str, ...]
    processes: tuple[ProcessSpec, ...]
    staff: tuple[StaffMember, ...]
    demand: tuple[DemandCell, ...]
    site_overtime_limit: Mapping[str, float]
    rules: Rules = Rules()
    weights: Weights = Weights()
    travel_cost_yen: float = 3000.0  # reported per transfer; the objective uses weights.transfer
    blocks: tuple[str, ...] = BLOCKS


@dataclass(frozen=True)
class SolveParams:
    time_limit_seconds: float = 5.0
    mip_rel_gap: float = 0.005
    random_seed: int = 7
    # Solve 午前/午後/残業 as separate models side by side when nobody may change site (exact: see
    # solving._solve_by_block); False always builds the whole-day model.
    decompose: bool = True
    # Hand HiGHS a start built from the LP relaxation (warmstart.py) in the block models.
    warm_start: bool = True
    warm_start_seconds: float = 0.05
    # Extra HiGHS options as (name, value) pairs, e.g. (("mip_allow_restart", False),).
    highs_options: tuple[tuple[str, object], ...] = ()
    # Disaggregated linking rows (x <= z) give a tighter relaxation than one big-M row per cell.
    tight_linking: bool = True
    # Mixed-integer rounding cuts on the coverage rows (see model._rounding_cuts).
    rounding_cuts: bool = True


# ----------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Assigned:
    employee_id: int
    site: str
    process: str
    block: str
    hours: float


@dataclass(frozen=True)
class CellResult:
    site: str
    process: str
    block: str
    demand: float
    upper: float
    covered: float          # effective staff-hours assigned
    shortage: float         # max(0, demand - covered) as the model reports it


@dataclass(frozen=True)
class SolverReport:
    status: str
    objective: float
    dual_bound: float
    mip_gap: float
    build_ms: float
    solve_ms: float
    variables: int
    constraints: int
    nodes: int = 0
    has_solution: bool = True


@dataclass(frozen=True)
class Solution:
    assignments: tuple[Assigned, ...]
    cells: tuple[CellResult, ...]
    transfers: tuple[tuple[int, str, str], ...]  # (employee_id, from home site, to site)
    report: SolverReport
