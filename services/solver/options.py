"""What a caller may change about a planning run, validated once with messages a manager can act on."""
from __future__ import annotations

import math
from dataclasses import dataclass

from services.common.errors import InvalidArgument
from services.solver.blocks import parse_hhmm

MAX_TIME_LIMIT_SECONDS = 60.0


@dataclass(frozen=True)
class PlanOptions:
    allow_cross_site: bool = False
    cutoff: int | None = None                 # minutes after midnight
    overtime_limit_hours: float | None = None  # per person; None = each employee's own limit
    site_overtime_limit_hours: float | None = None  # None = the site's stored limit
    time_limit_seconds: float | None = None
    mip_rel_gap: float | None = None
    demand_change_pct: float = 0.0
    absent_ids: tuple[int, ...] = ()
    added_ids: tuple[int, ...] = ()


def _hours(value: float, field: str, maximum: float) -> float | None:
    """0 = default (None); negative, NaN or absurd values are rejected."""
    if value is None or value == 0:
        return None
    if not math.isfinite(value) or value < 0:
        raise InvalidArgument(f"{field} は0以上の時間数で指定してください（現在: {value}）")
    if value > maximum:
        raise InvalidArgument(f"{field} は{maximum:g}時間以下で指定してください（現在: {value}）")
    return float(value)


def _ids(values, field: str) -> tuple[int, ...]:
    out = []
    for v in values:
        if int(v) <= 0:
            raise InvalidArgument(f"{field} の従業員IDは正の整数です（現在: {v}）")
        if int(v) not in out:
            out.append(int(v))
    return tuple(out)


def check_time_limit(seconds: float) -> None:
    """A caller's solver time limit (0 = the engine's default): finite, positive, at most a minute, so no
    request can hold a solver thread unbounded (an "Infinity" from JSON would)."""
    if seconds and (not math.isfinite(seconds) or seconds < 0 or seconds > MAX_TIME_LIMIT_SECONDS):
        raise InvalidArgument(f"time_limit_seconds は0より大きく{MAX_TIME_LIMIT_SECONDS:g}秒以下です（現在: {seconds}）")


def build_options(*, allow_cross_site: bool = False, cutoff_time: str = "", overtime_limit_hours: float = 0.0,
                  site_overtime_limit_hours: float = 0.0, time_limit_seconds: float = 0.0, mip_rel_gap: float = 0.0,
                  demand_change_pct: float = 0.0, absent_ids=(), added_ids=()) -> PlanOptions:
    cutoff = parse_hhmm(cutoff_time, "cutoff_time") if cutoff_time else None
    check_time_limit(time_limit_seconds)
    if mip_rel_gap and (not math.isfinite(mip_rel_gap) or mip_rel_gap < 0 or mip_rel_gap >= 1):
        raise InvalidArgument(f"mip_rel_gap は0以上1未満の割合です（例: 0.005 = 0.5%、現在: {mip_rel_gap}）")
    if not math.isfinite(demand_change_pct) or demand_change_pct <= -100 or demand_change_pct > 500:
        raise InvalidArgument(f"demand_change_pct は-100より大きく500以下の%で指定してください（現在: {demand_change_pct}）")
    absent = _ids(absent_ids, "absent_employee_ids")
    added = _ids(added_ids, "added_employee_ids")
    both = sorted(set(absent) & set(added))
    if both:
        raise InvalidArgument(f"同じ従業員を欠勤と追加の両方に指定しています（ID: {', '.join(map(str, both))}）")
    return PlanOptions(
        allow_cross_site=bool(allow_cross_site), cutoff=cutoff,
        overtime_limit_hours=_hours(overtime_limit_hours, "overtime_limit_hours", 8.0),
        site_overtime_limit_hours=_hours(site_overtime_limit_hours, "site_overtime_limit_hours", 1000.0),
        time_limit_seconds=float(time_limit_seconds) or None, mip_rel_gap=float(mip_rel_gap) or None,
        demand_change_pct=float(demand_change_pct), absent_ids=absent, added_ids=added)
