"""Japanese explanations: which processes are short, by how much, and which constraint binds.

The diagnosis walks from the hardest reason to the softest and stops at the first that the data
proves: nobody certified at work → skill; no veteran → veteran; only new staff → new_staff; overtime
caps reached → overtime_limit / cutoff; the certified people cannot produce the demand even all
together → skill; the whole block's staff cannot cover the whole block's demand → availability;
otherwise the certified people are needed on other processes → hours. Every number quoted is counted
from the instance and the plan.
"""
from __future__ import annotations

from services.solver.blocks import BLOCK_JA, OVERTIME, OVERTIME_START, format_hhmm
from services.solver.instance import Solution, StaffMember
from services.solver.loader import OFF_STATUS_JA, DayContext
from services.solver.plan import SHORTAGE_TOLERANCE, Coverage, PlanResult, ShortageNote

STATUS_JA = {"Optimal": "最適解（指定ギャップ内で最適性を証明）", "Time limit reached": "時間制限内の最良解",
             "Gap above target": "ギャップ目標に届かなかった最良解",
             "Interrupted by user": "中断時点の最良解"}
MAX_SHORTAGE_LINES = 6


def _hours(m: StaffMember, block: str) -> float:
    return m.overtime_cap if block == OVERTIME else m.regular_hours(block)


def _eff(m: StaffMember, process: str, block: str) -> float:
    return _hours(m, block) * float(m.productivity.get(process, 100.0)) / 100.0


def diagnose(ctx: DayContext, solution: Solution, cell: Coverage) -> tuple[str, str]:
    inst, target = ctx.instance, ctx.site.name
    spec = next(p for p in inst.processes if p.name == cell.process)
    block = cell.time_block
    vet_level = inst.rules.veteran_skill
    pool = [m for m in inst.staff if target in m.sites and _hours(m, block) > 0
            and (block != OVERTIME or m.afternoon_hours > 0)]
    certified = [m for m in pool if m.process_skill.get(spec.name, 0) >= spec.min_skill]
    vets = [m for m in certified if m.process_skill.get(spec.name, 0) >= vet_level]
    seniors = [m for m in certified if not m.is_new]
    placed = {(a.employee_id, a.block): a for a in solution.assignments}
    in_cell = [a for a in solution.assignments if a.site == target and a.block == block and a.process == spec.name]

    if block == OVERTIME:
        if ctx.options.cutoff is not None and ctx.options.cutoff > OVERTIME_START:
            cap = (ctx.options.cutoff - OVERTIME_START) / 60.0
            if certified and all(m.overtime_cap <= cap + 1e-9 for m in certified):
                return "cutoff", f"{format_hhmm(ctx.options.cutoff)}以降の作業停止で残業は1人最大{cap:.1f}時間"
        used = sum(a.hours for a in solution.assignments if a.site == target and a.block == OVERTIME)
        limit = inst.site_overtime_limit.get(target)
        if limit is not None and used >= limit - 1e-6:
            return "overtime_limit", f"拠点の残業上限{limit:g}時間に到達（計画{used:.1f}時間）"
    if not certified:
        off = [eid for eid, why in ctx.unavailable.items() if _certified_off(ctx, eid, spec)]
        note = f"（有資格者{len(off)}名が休み）" if off else ""
        return "skill", f"{spec.name}の有資格者（レベル{spec.min_skill}以上）の出勤がいない{note}"
    if spec.requires_veteran and not vets:
        return "veteran", f"熟練者（レベル{vet_level}以上）の出勤が0名のため配置できない"
    if spec.requires_veteran and not in_cell:
        elsewhere = sorted({placed[(m.employee_id, block)].process for m in vets if (m.employee_id, block) in placed})
        where = f"、全員{'・'.join(elsewhere)}に配置済み" if elsewhere else ""
        return "veteran", f"熟練者の出勤が{len(vets)}名のみ{where}"
    if not seniors:
        return "new_staff", f"指導できる経験者がいないため新人{len(certified)}名を単独で配置できない"
    if block == OVERTIME:
        at_cap = [m for m in certified if (m.employee_id, OVERTIME) in placed
                  and placed[(m.employee_id, OVERTIME)].hours >= m.overtime_cap - 1e-6]
        if len(at_cap) == len(certified):
            cap = max(m.overtime_cap for m in certified)
            return "overtime_limit", f"残業できる有資格者{len(certified)}名が全員個人の上限（最大{cap:g}時間）まで残業"
    capacity = sum(_eff(m, spec.name, block) for m in certified)
    if capacity < cell.demand - SHORTAGE_TOLERANCE:
        extra = f"（うち熟練者{len(vets)}名）" if spec.requires_veteran else ""
        return "skill", f"{spec.name}の有資格者の出勤が{len(certified)}名のみ{extra}で最大{capacity:.1f}人時"
    block_demand = sum(d.staff_hours for d in inst.demand if d.site == target and d.block == block)
    block_supply = sum(max((_eff(m, p, block) for p in m.process_skill), default=0.0) for m in pool)
    if block_supply < block_demand - SHORTAGE_TOLERANCE:
        off = sum(1 for why in ctx.unavailable.values() if why)
        note = f"、休み{off}名" if off else ""
        return "availability", (f"{BLOCK_JA[block]}の出勤{len(pool)}名の供給{block_supply:.1f}人時に対し"
                                f"需要{block_demand:.1f}人時{note}")
    others = sorted({placed[(m.employee_id, block)].process for m in certified
                     if (m.employee_id, block) in placed and placed[(m.employee_id, block)].process != spec.name})
    where = f"（{'・'.join(others)}）" if others else ""
    return "hours", f"有資格者{len(certified)}名は他工程の需要に配置済み{where}"


def _certified_off(ctx: DayContext, eid: int, spec) -> bool:
    """An employee of the site who is off that day but certified for the process."""
    return ctx.skills.get(eid, {}).get(spec.name, 0) >= spec.min_skill


def shortage_text(process: str, block: str, staff_hours: float, cause: str) -> str:
    return f"{process} {BLOCK_JA[block]} {staff_hours:.1f}人時不足：{cause}"


def explain(ctx: DayContext, solution: Solution, plan: PlanResult) -> None:
    """Fills plan.shortages, plan.violations and plan.explanation."""
    for cell in plan.coverage:
        if cell.shortage >= SHORTAGE_TOLERANCE:
            binding, cause = diagnose(ctx, solution, cell)
            plan.shortages.append(ShortageNote(cell.process, cell.time_block, cell.shortage, binding,
                                               shortage_text(cell.process, cell.time_block, cell.shortage, cause)))
            plan.violations.append(f"人員不足: {cell.process} {BLOCK_JA[cell.time_block]} {cell.shortage:.1f}人時")
    plan.shortages.sort(key=lambda s: -s.staff_hours)
    if not solution.report.has_solution:
        plan.violations.append("最適化未完了: 制限時間内に配置案を作れませんでした")
    plan.explanation.extend(_lines(ctx, solution, plan))


def _lines(ctx: DayContext, solution: Solution, plan: PlanResult) -> list[str]:
    k, inst = plan.kpis, ctx.instance
    lines = [f"{plan.location} {plan.date} の推奨配置：出勤{k.available_staff}名のうち{k.assigned_staff}名を配置、"
             f"需要{k.demand:.1f}人時に対しカバー率{k.coverage_pct:.1f}%"]
    if ctx.current:
        lines.append(f"現在の計画のままでは不足{k.current_shortage:.1f}人時（カバー率{k.current_coverage_pct:.1f}%）"
                     f"→ 推奨配置で{k.shortage:.1f}人時")
    if plan.feasible:
        lines.append("全工程・全時間帯の需要をカバーできます")
    else:
        lines.append(f"不足{k.shortage:.1f}人時（{len(plan.shortages)}か所）")
        lines.extend(s.reason for s in plan.shortages[:MAX_SHORTAGE_LINES])
        if len(plan.shortages) > MAX_SHORTAGE_LINES:
            lines.append(f"ほか{len(plan.shortages) - MAX_SHORTAGE_LINES}か所で小さな不足")
    limit = inst.site_overtime_limit.get(ctx.site.name)
    if k.overtime_hours > 0:
        people = len({a.employee_id for a in plan.assignments if a.is_overtime})
        lines.append(f"残業{k.overtime_hours:.1f}時間（{people}名、1人最大{k.max_person_overtime:.1f}時間、"
                     f"拠点上限{limit:g}時間）")
    else:
        lines.append("残業なし")
    if ctx.options.cutoff is not None:
        lines.append(f"{format_hhmm(ctx.options.cutoff)}以降の新規業務停止：{k.deferred:.1f}人時を翌日へ繰越"
                     + ("、残業なし" if ctx.options.cutoff <= OVERTIME_START else ""))
    stored = [c for c in plan.changes if c.reason != "new"]
    new = [c for c in plan.changes if c.reason == "new"]
    if not ctx.current:
        lines.append(f"保存済みの配置計画がないため、全{len(new)}件が新規配置です")
    else:
        forced = sum(1 for c in stored if c.reason == "unavailable")
        detail = f"（うち休み・欠勤による変更{forced}件）" if forced else ""
        extra = f"、新規配置{len(new)}件" if new else ""
        lines.append(f"現在の計画からの変更{len(stored)}件{detail}{extra}")
    if ctx.unavailable:
        counts: dict[str, int] = {}
        for why in ctx.unavailable.values():
            label = OFF_STATUS_JA.get(why, why)
            counts[label] = counts.get(label, 0) + 1
        lines.append(f"休み・欠勤{len(ctx.unavailable)}名（" + "・".join(f"{k_}{v}名" for k_, v in counts.items()) + "）")
    if plan.transfers:
        by_site: dict[str, list[str]] = {}
        for t in plan.transfers:
            procs = sorted({a.process for a in plan.assignments if a.employee_id == t.employee_id})
            by_site.setdefault(t.from_location, []).append(f"{t.employee_name}（{'・'.join(procs)}）")
        for src, names in by_site.items():
            lines.append(f"{src}から{len(names)}名応援（交通費計{k.travel_cost:,.0f}円）：{'、'.join(names)}")
            left = sum(c.shortage for c in solution.cells if c.site == src)
            if src in ctx.instance.sites:
                lines.append(f"応援を出した後の{src}の不足は{left:.1f}人時（{src}の需要も同時に最適化）")
    elif ctx.options.allow_cross_site:
        if ctx.helper_sites:
            lines.append(f"同一地域（{ctx.site.region}）の"
                         f"{'・'.join(s.name for s in ctx.helper_sites)}からの応援は効果がないため行いません")
        else:
            lines.append(f"同一地域（{ctx.site.region}）に応援を出せる拠点がありません")
    if k.assigned_staff:
        estimated = sum(1 for a in plan.assignments if (a.employee_id, a.process) in ctx.no_history)
        note = f"（実績のない{estimated}件はスキルレベル別の拠点平均で推定）" if estimated else ""
        lines.append(f"予測生産性（時間加重平均）{k.expected_productivity:.1f}{note}")
    r = plan.report
    lines.append(f"HiGHS：{STATUS_JA.get(r.status, r.status)}、ギャップ{r.mip_gap * 100:.2f}%、"
                 f"{(r.build_ms + r.solve_ms) / 1000:.2f}秒")
    return lines
