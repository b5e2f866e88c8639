"""The solver engine's use cases: current plan, recommendation, what-if. No gRPC here.

Solving is CPU work in HiGHS (which releases the GIL), so it runs in worker threads behind a semaphore:
the event loop keeps serving health checks and other calls while a model is being solved.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from services.common.dates import parse_date, today
from services.common.sites import Site, SiteDirectory
from services.solver.blocks import format_hhmm
from services.solver.config import Settings
from services.solver.explain import explain
from services.solver.instance import SolveParams
from services.solver.loader import DayContext, load_day
from services.solver.solving import solve
from services.solver.options import PlanOptions
from services.solver.plan import PlanResult, summarise
from services.solver.repository import AssignmentRow, SolverRepository


@dataclass(frozen=True)
class KpiDelta:
    shortage: float
    coverage_pct: float
    overtime_hours: float
    expected_productivity: float
    assigned_staff: int
    changes: int
    max_person_overtime: float
    deferred: float


@dataclass
class Simulation:
    baseline: PlanResult
    scenario: PlanResult
    delta: KpiDelta
    explanation: list[str]


class Planner:
    def __init__(self, repo: SolverRepository, sites: SiteDirectory, settings: Settings):
        self.repo, self.sites, self.settings = repo, sites, settings
        self._solving = asyncio.Semaphore(settings.max_concurrent_solves)

    async def current(self, location: str, date: str) -> tuple[Site, dt.date, list[AssignmentRow]]:
        site = await self.sites.get(location)
        day = parse_date(date, "date", today())
        return site, day, await self.repo.assignments([site.location_id], day)

    async def recommend(self, location: str, date: str, options: PlanOptions) -> PlanResult:
        day = parse_date(date, "date", today() + dt.timedelta(days=1))
        ctx = await self._load(location, day, options)
        return await self._plan(ctx)

    async def simulate(self, location: str, date: str, options: PlanOptions) -> Simulation:
        day = parse_date(date, "date", today() + dt.timedelta(days=1))
        base_options = PlanOptions(time_limit_seconds=options.time_limit_seconds, mip_rel_gap=options.mip_rel_gap)
        base_ctx = await self._load(location, day, base_options)
        scen_ctx = await self._load(location, day, options)
        baseline, scenario = await asyncio.gather(self._plan(base_ctx), self._plan(scen_ctx))
        delta = KpiDelta(
            shortage=round(scenario.kpis.shortage - baseline.kpis.shortage, 2),
            coverage_pct=round(scenario.kpis.coverage_pct - baseline.kpis.coverage_pct, 1),
            overtime_hours=round(scenario.kpis.overtime_hours - baseline.kpis.overtime_hours, 2),
            expected_productivity=round(scenario.kpis.expected_productivity - baseline.kpis.expected_productivity, 1),
            assigned_staff=scenario.kpis.assigned_staff - baseline.kpis.assigned_staff,
            changes=scenario.kpis.changes - baseline.kpis.changes,
            max_person_overtime=round(scenario.kpis.max_person_overtime - baseline.kpis.max_person_overtime, 2),
            deferred=round(scenario.kpis.deferred - baseline.kpis.deferred, 2))
        return Simulation(baseline, scenario, delta, _simulation_lines(scen_ctx, baseline, scenario, delta))

    async def _load(self, location: str, day: dt.date, options: PlanOptions) -> DayContext:
        return await load_day(self.repo, self.sites, location, day, options, self.settings.history_days,
                              self.settings.travel_cost_yen)

    async def _plan(self, ctx: DayContext) -> PlanResult:
        params = SolveParams(time_limit_seconds=ctx.options.time_limit_seconds or self.settings.time_limit_seconds,
                             mip_rel_gap=ctx.options.mip_rel_gap or self.settings.mip_gap)
        async with self._solving:
            solution = await asyncio.to_thread(solve, ctx.instance, params)
        plan = summarise(ctx, solution)
        explain(ctx, solution, plan)
        return plan


def _scenario_lines(ctx: DayContext) -> list[str]:
    o, lines = ctx.options, []
    if o.absent_ids:
        lines.append("欠勤：" + "、".join(f"{ctx.names.get(i, i)}" for i in o.absent_ids))
    if o.added_ids:
        lines.append("追加：" + "、".join(
            f"{ctx.names.get(i, i)}" + (f"（{ctx.added[i]}から）" if ctx.added.get(i) not in (None, ctx.site.name)
                                        else "") for i in o.added_ids))
    if o.demand_change_pct:
        lines.append(f"需要{o.demand_change_pct:+g}%")
    if o.overtime_limit_hours is not None:
        lines.append(f"個人の残業上限{o.overtime_limit_hours:g}時間")
    if o.site_overtime_limit_hours is not None:
        lines.append(f"拠点の残業上限{o.site_overtime_limit_hours:g}時間")
    if o.cutoff is not None:
        lines.append(f"{format_hhmm(o.cutoff)}以降の新規業務停止")
    if o.allow_cross_site:
        lines.append("同一地域の他拠点からの応援を許可")
    return lines


def _simulation_lines(ctx: DayContext, base: PlanResult, scen: PlanResult, d: KpiDelta) -> list[str]:
    what = _scenario_lines(ctx)
    lines = [f"{scen.location} {scen.date} のシミュレーション（" + ("・".join(what) if what else "条件変更なし") + "）"]
    b, s = base.kpis, scen.kpis

    def trend(value: float, up: str, down: str, unit: str, digits: int = 1) -> str:
        if abs(value) < 10 ** -digits / 2:
            return "変化なし"
        return f"{abs(value):.{digits}f}{unit}{up if value > 0 else down}"

    lines.append(f"不足：{b.shortage:.1f}→{s.shortage:.1f}人時（{trend(d.shortage, '増加', '減少', '人時')}）")
    lines.append(f"カバー率：{b.coverage_pct:.1f}→{s.coverage_pct:.1f}%（{trend(d.coverage_pct, '上昇', '低下', 'pt')}）")
    lines.append(f"残業：{b.overtime_hours:.1f}→{s.overtime_hours:.1f}時間（{trend(d.overtime_hours, '増加', '減少', '時間')}）")
    lines.append(f"配置人数：{b.assigned_staff}→{s.assigned_staff}名、予測生産性：{b.expected_productivity:.1f}→"
                 f"{s.expected_productivity:.1f}")
    if s.deferred > 0:
        lines.append(f"翌日への繰越：{s.deferred:.1f}人時")
    if scen.transfers:
        lines.append("応援：" + "、".join(f"{t.employee_name}（{t.from_location}→{t.to_location}）" for t in scen.transfers))
    worse = {(x.process, x.time_block): x for x in scen.shortages}
    for key, note in list(worse.items())[:4]:
        before = next((x.staff_hours for x in base.shortages if (x.process, x.time_block) == key), 0.0)
        if note.staff_hours > before + 0.05:
            lines.append(f"{note.reason}（現状 {before:.1f}人時）")
    if s.shortage < 0.05 <= b.shortage:
        lines.append("この条件なら全工程の需要をカバーできます")
    return lines

