"""The typed question (aimee.intent.v1.Question field for field), defined once.

The intent engine fills it and the analytics engine validates and executes it; both hold the same plain
dataclass rather than two copies that could drift (each engine still talks only through its proto).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Question:
    metric: str
    sites: tuple[str, ...] = field(default_factory=tuple)
    all_sites: bool = False
    process: str = ""
    employee_name: str = ""
    employment_type: str = ""
    skill_min: int = 0
    skill_max: int = 0
    hired_within_days: int = 0
    alert_type: str = ""
    alert_severity: str = ""
    alert_status: str = ""
    date_from: str = ""
    date_to: str = ""
    period_phrase: str = ""
    group_by: str = ""
    order: str = ""
    top_n: int = 0
    aggregate: str = ""
    compare: bool = False
    time_block: str = ""
    weekday: str = ""
    compare_date_from: str = ""
    compare_date_to: str = ""
    compare_phrase: str = ""
