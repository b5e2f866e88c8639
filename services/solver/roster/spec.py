"""The roster model's input, free of any source: what the Curtois reader and AIMEE's loader both produce.

One home for the shape of a rostering problem: employees x days x shift types, hard limits per employee
and soft terms (requests, cover) with integer weights. The HiGHS model (model.py) and the search
(search.py) only ever see a RosterSpec, so every rule is formulated once for both callers.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Shift:
    id: str
    minutes: int
    forbidden_next: frozenset[str] = frozenset()   # shift IDs that may not be worked the day after this one


@dataclass(frozen=True)
class Employee:
    id: str
    max_shifts: dict[str, int]            # per shift ID; a missing ID means no limit
    max_minutes: int                      # over the whole horizon
    min_minutes: int
    max_consecutive: int                  # work days in a row
    min_consecutive: int                  # a work run not touching the horizon's ends is at least this long
    min_days_off: int                     # an off run not touching the horizon's ends is at least this long
    max_weekends: int                     # weekends (Sat or Sun worked) over the horizon
    days_off: frozenset[int] = frozenset()  # fixed: no shift on these days


@dataclass(frozen=True)
class Window:
    """A hard limit over some days of one employee: work days and/or minutes within [lo, hi].

    AIMEE uses it for the weekly rules (one day off in seven, 40 h a week); Curtois does not need it.
    """
    employee: int
    days: tuple[int, ...]
    max_days: int | None = None
    max_minutes: int | None = None
    min_minutes: int | None = None
    # minutes counted per shift ID instead of the shift's length (e.g. only its overtime part)
    minutes_of: dict[str, int] | None = None
    label: str = ""


@dataclass(frozen=True)
class Request:
    employee: int
    day: int
    shift: str | None        # None: the whole day (any shift)
    weight: int
    on: bool                 # True: wants to work it (cost when not granted); False: wants it off


@dataclass(frozen=True)
class Cover:
    day: int
    shift: str
    requirement: int
    weight_under: int
    weight_over: int
    employees: frozenset[int] | None = None   # only these count (e.g. veterans); None: everyone
    label: str = "cover"


@dataclass(frozen=True)
class Balance:
    """Soft fairness: each work day of `employee` on `days` (optionally only `shift`) above `target` costs
    `weight` (fair spread of weekends, holidays and late shifts, against the history's share)."""
    employee: int
    days: tuple[int, ...]
    target: int
    weight: int
    shift: str | None = None
    label: str = "balance"


@dataclass
class RosterSpec:
    days: int
    shifts: list[Shift]
    employees: list[Employee]
    requests: list[Request] = field(default_factory=list)
    cover: list[Cover] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)
    balances: list[Balance] = field(default_factory=list)
    weekend_days: tuple[tuple[int, ...], ...] = ()   # each weekend's day indexes
    # (employee, day) -> allowed shift IDs (qualification / availability); missing means all shifts
    allowed: dict[tuple[int, int], frozenset[str]] = field(default_factory=dict)
    # (employee, day) -> shift ID (or None for off) fixed in advance (approved leave, published days)
    fixed: dict[tuple[int, int], str | None] = field(default_factory=dict)
    # (employee, day) -> shift ID or None: a reference roster; each changed cell costs change_weight
    reference: dict[tuple[int, int], str | None] = field(default_factory=dict)
    change_weight: int = 0
    change_label: str = "公開済みからの変更"     # the cost line's name: against what the change is counted

    def shift_index(self) -> dict[str, int]:
        return {s.id: i for i, s in enumerate(self.shifts)}


def weekends_from_monday(days: int) -> tuple[tuple[int, ...], ...]:
    """Saturday/Sunday pairs of a horizon that starts on a Monday (the Curtois convention)."""
    return tuple(tuple(d for d in (w * 7 + 5, w * 7 + 6) if d < days) for w in range((days + 1) // 7 + 1)
                 if w * 7 + 5 < days)
