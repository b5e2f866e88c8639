"""Numbers computed from the engine data (differences, ratios, totals) — the only arithmetic synthesis does.

Plan builders take every derived number from here, and the grounding checker recomputes the same functions
from the same data to build its index; so a derived number in an answer is "computed from the data" by a
function anyone can read, never by a writer (and never by an LLM).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any


def _f(value: Any) -> float:
    try:
        return float(value or 0.0)
    except (TypeError, ValueError):
        return 0.0


# ---- analytics overview -----------------------------------------------------------------------------
@dataclass(frozen=True)
class AbsenceContrast:
    """The worst absence weekday against the other weekdays (rates 0-1)."""

    weekday: str
    rate: float
    others_rate: float
    records: int
    others_records: int

    @property
    def diff_pts(self) -> float:
        return (self.rate - self.others_rate) * 100

    @property
    def ratio(self) -> float:
        return self.rate / self.others_rate if self.others_rate > 0 else 0.0


def absence_contrast(overview: dict | None) -> AbsenceContrast | None:
    """Worst weekday vs the records-weighted mean of the other weekdays, from SiteOverview.absence_by_weekday."""
    if not overview:
        return None
    rows = [r for r in overview.get("absence_by_weekday") or [] if int(r.get("records") or 0) > 0]
    if len(rows) < 2:
        return None
    worst_name = overview.get("worst_absence_weekday") or ""
    worst = next((r for r in rows if r.get("weekday_name") == worst_name), None)
    if worst is None:
        worst = max(rows, key=lambda r: _f(r.get("absence_rate")))
    others = [r for r in rows if r is not worst]
    others_records = sum(int(r.get("records") or 0) for r in others)
    if others_records == 0:
        return None
    others_rate = sum(_f(r.get("absence_rate")) * int(r.get("records") or 0) for r in others) / others_records
    return AbsenceContrast(str(worst.get("weekday_name") or worst_name), _f(worst.get("absence_rate")),
                           others_rate, int(worst.get("records") or 0), others_records)


def expected_absent(overview: dict | None, contrast: AbsenceContrast | None) -> tuple[float, float] | None:
    """Absent people to expect on the worst weekday at its rate, and at the other weekdays' rate."""
    staff = int((overview or {}).get("active_staff") or 0)
    if contrast is None or staff <= 0:
        return None
    return staff * contrast.rate, staff * contrast.others_rate


def new_staff_share_pct(overview: dict | None) -> float | None:
    if not overview or int(overview.get("active_staff") or 0) <= 0:
        return None
    return int(overview.get("new_staff") or 0) / int(overview["active_staff"]) * 100


def alert_weight(row: dict) -> float:
    """Open alerts of one type x mean severity (1-4): the ordering key of alert priorities."""
    return int(row.get("count") or 0) * _f(row.get("severity_score"))


# ---- solver plan --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanFigures:
    demand: float
    covered: float
    shortage: float
    coverage_pct: float
    overtime: float
    max_person_overtime: float
    changes: int
    expected_productivity: float
    available_staff: int
    assigned_staff: int
    transfers: int
    travel_cost: float

    @property
    def shortage_share_pct(self) -> float:
        return self.shortage / self.demand * 100 if self.demand > 0 else 0.0


def plan_figures(plan: dict | None) -> PlanFigures | None:
    if not plan:
        return None
    k = plan.get("kpis") or {}
    transfers = plan.get("transfers") or []
    return PlanFigures(
        demand=_f(k.get("demand_staff_hours")), covered=_f(k.get("covered_staff_hours")),
        shortage=_f(k.get("shortage_staff_hours")), coverage_pct=_f(k.get("coverage_pct")),
        overtime=_f(k.get("overtime_hours")), max_person_overtime=_f(k.get("max_person_overtime_hours")),
        changes=int(k.get("changes_from_current") or 0), expected_productivity=_f(k.get("expected_productivity")),
        available_staff=int(k.get("available_staff") or 0), assigned_staff=int(k.get("assigned_staff") or 0),
        transfers=len(transfers), travel_cost=sum(_f(t.get("travel_cost")) for t in transfers),
    )


def coverage_if_covered_pct(figures: PlanFigures, staff_hours: float) -> float:
    """Site coverage if `staff_hours` more demand were covered (capped at 100)."""
    if figures.demand <= 0:
        return 0.0
    return min(100.0, (figures.covered + staff_hours) / figures.demand * 100)


def shortages_sorted(plan: dict | None) -> list[dict]:
    """Solver shortages by process x block, largest first."""
    rows = [s for s in (plan or {}).get("shortages") or [] if _f(s.get("staff_hours")) > 0]
    return sorted(rows, key=lambda s: -_f(s.get("staff_hours")))


@dataclass(frozen=True)
class PlanComparison:
    """A plan against a reference plan (the stored plan, or a simulation's baseline)."""

    before: PlanFigures
    after: PlanFigures

    @property
    def coverage_delta_pts(self) -> float:
        return self.after.coverage_pct - self.before.coverage_pct

    @property
    def shortage_delta(self) -> float:
        return self.after.shortage - self.before.shortage

    @property
    def overtime_delta(self) -> float:
        return self.after.overtime - self.before.overtime

    @property
    def shortage_reduction_pct(self) -> float | None:
        if self.before.shortage <= 0:
            return None
        return (self.before.shortage - self.after.shortage) / self.before.shortage * 100


def plan_comparison(before: dict | None, after: dict | None) -> PlanComparison | None:
    b, a = plan_figures(before), plan_figures(after)
    if b is None or a is None:
        return None
    return PlanComparison(b, a)


# ---- productivity trend -----------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupMean:
    key: str
    mean: float
    samples: int


def productivity_by_group(productivity: dict | None) -> list[GroupMean]:
    """Sample-weighted mean per process (or employee) over the trend's points, lowest first."""
    if not productivity:
        return []
    sums: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for p in productivity.get("points") or []:
        key = p.get("process") or (f"従業員{p['employee_id']}" if p.get("employee_id") else "")
        n = int(p.get("sample_size") or 0)
        if not key or n <= 0:
            continue
        sums[key] += _f(p.get("mean")) * n
        counts[key] += n
    return sorted((GroupMean(k, sums[k] / counts[k], counts[k]) for k in sums), key=lambda g: g.mean)


def period_change_pts(productivity: dict | None) -> float | None:
    if not productivity:
        return None
    cur, prev = productivity.get("current") or {}, productivity.get("previous") or {}
    if not int(prev.get("sample_size") or 0) or not int(cur.get("sample_size") or 0):
        return None
    return _f(cur.get("mean")) - _f(prev.get("mean"))


# ---- workload forecast ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ForecastTotals:
    days: int
    units: float
    staff_hours: float
    staff_hours_lower: float
    staff_hours_upper: float
    by_day: list[tuple[str, float]]        # (date, staff-hours) in date order
    by_process: list[tuple[str, float]]    # (process, staff-hours), largest first

    @property
    def peak(self) -> tuple[str, float] | None:
        return max(self.by_day, key=lambda d: d[1]) if self.by_day else None

    @property
    def daily_mean(self) -> float:
        return self.staff_hours / self.days if self.days else 0.0


def forecast_totals(forecast: dict | None) -> ForecastTotals | None:
    points = (forecast or {}).get("points") or []
    if not points:
        return None
    by_day: dict[str, float] = defaultdict(float)
    by_process: dict[str, float] = defaultdict(float)
    for p in points:
        by_day[p.get("date", "")] += _f(p.get("staff_hours"))
        by_process[p.get("process", "")] += _f(p.get("staff_hours"))
    return ForecastTotals(
        days=len(by_day),
        units=sum(_f(p.get("forecast_units")) for p in points),
        staff_hours=sum(_f(p.get("staff_hours")) for p in points),
        staff_hours_lower=sum(_f(p.get("staff_hours_lower")) for p in points),
        staff_hours_upper=sum(_f(p.get("staff_hours_upper")) for p in points),
        by_day=sorted(by_day.items()),
        by_process=sorted(by_process.items(), key=lambda kv: -kv[1]),
    )


def all_plans(data: dict) -> list[dict]:
    """Every solver plan in the engine data: the plan, the stored plan, a simulation's baseline and scenario."""
    sim = data.get("simulation") or {}
    return [p for p in (data.get("plan"), data.get("current_plan"), sim.get("baseline"), sim.get("scenario")) if p]


# ---- everything above, as numbers for the grounding index -------------------------------------------
def derived_numbers(data: dict) -> list[tuple[float, str]]:
    """Every number the functions above derive from `data`, tagged 'pct' (percent/points) or 'num'."""
    out: list[tuple[float, str]] = []
    overview = data.get("overview") or None
    contrast = absence_contrast(overview)
    if contrast:
        out += [(contrast.others_rate * 100, "pct"), (contrast.diff_pts, "pct"), (contrast.ratio, "num"),
                (contrast.others_records, "num")]
        absent = expected_absent(overview, contrast)
        if absent:
            out += [(absent[0], "num"), (absent[1], "num"), (absent[0] - absent[1], "num")]
    share = new_staff_share_pct(overview)
    if share is not None:
        out.append((share, "pct"))
    for row in (overview or {}).get("alerts_by_type") or []:
        out.append((alert_weight(row), "num"))
    sim = data.get("simulation") or {}
    for plan in all_plans(data):
        fig = plan_figures(plan)
        if fig is None:
            continue
        out += [(fig.shortage_share_pct, "pct"), (100 - fig.coverage_pct, "pct"), (fig.transfers, "num"),
                (fig.travel_cost, "num")]
        for s in shortages_sorted(plan):
            out.append((coverage_if_covered_pct(fig, _f(s.get("staff_hours"))), "pct"))
        out.append((sum(_f(s.get("staff_hours")) for s in shortages_sorted(plan)), "num"))
        out.append((len(shortages_sorted(plan)), "num"))
    for before, after in ((data.get("current_plan"), data.get("plan")), (sim.get("baseline"), sim.get("scenario"))):
        cmp = plan_comparison(before or None, after or None)
        if cmp:
            out += [(cmp.coverage_delta_pts, "pct"), (cmp.shortage_delta, "num"), (cmp.overtime_delta, "num")]
            if cmp.shortage_reduction_pct is not None:
                out.append((cmp.shortage_reduction_pct, "pct"))
    groups = productivity_by_group(data.get("productivity") or None)
    site_mean = _f(((data.get("productivity") or {}).get("current") or {}).get("mean"))
    for g in groups:
        out += [(g.mean, "pct"), (g.samples, "num")]
        if site_mean:
            out.append((g.mean - site_mean, "pct"))
    if len(groups) >= 2:
        out.append((groups[-1].mean - groups[0].mean, "pct"))
    change = period_change_pts(data.get("productivity") or None)
    if change is not None:
        out.append((change, "pct"))
    totals = forecast_totals(data.get("forecast") or None)
    if totals:
        out += [(totals.days, "num"), (totals.units, "num"), (totals.staff_hours, "num"),
                (totals.staff_hours_lower, "num"), (totals.staff_hours_upper, "num"), (totals.daily_mean, "num")]
        out += [(v, "num") for _, v in totals.by_day + totals.by_process]
        backtest = (data.get("forecast") or {}).get("backtest") or {}
        if backtest.get("baseline_smape") is not None:
            out.append((_f(backtest.get("baseline_smape")) - _f(backtest.get("smape")), "pct"))
    hits = (data.get("knowledge") or {}).get("hits") or []
    out.append((len(hits), "num"))
    return out
