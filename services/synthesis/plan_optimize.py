"""The full improvement plan (optimize and alert_improve modes) from analytics, the solver's plan and know-how.

Priorities come from `themes`; actions from the solver's plan (apply it, close each shortage by its binding
constraint, transfers, overtime) and from the analytics deviations, each carrying the know-how that applies;
forecasts are the solver's and analytics' numbers (coverage now -> with the plan when the stored plan or a
simulation baseline is given). Nothing here estimates an effect the data does not contain.
"""
from __future__ import annotations

from services.synthesis import facts, fmt, knowledge_use, themes
from services.synthesis.model import Action, ComposeInput, Draft, ImprovementPlan, KnowledgeRef, NextMonitoring


def basis(has_analytics: bool, has_plan: bool) -> str:
    """Where the forecast's numbers come from, naming only the engines that answered."""
    engines = [name for name, ok in (("分析エンジン（MySQL集計）", has_analytics), ("最適化エンジン（HiGHS）", has_plan)) if ok]
    text = "数値は" + "と".join(engines) + "の計算値です。"
    if has_plan:
        text += "配置案の効果はモデル上の計算結果であり、実績ではありません。"
    return text


STAFFING_WORDS = ("不足", "応援", "人員", "増員", "補充", "シフト", "人手")
SHORTAGE_METHOD = {
    "skill": "{process}のスキルを持つ人員を他工程から振り替えるか、他拠点に応援を要請する",
    "veteran": "熟練者を{block}の{process}に優先配置し、新人は熟練者と組ませる",
    "hours": "勤務時間の上限に達しているため、シフトの延長か応援で補う",
    "overtime_limit": "残業上限に達しているため、他拠点の応援か翌日への繰越で補う",
    "cutoff": "作業終了時刻の制約があるため、{process}の作業を前倒しする",
    "availability": "出勤可能な人数が足りないため、休暇日の調整か他拠点への応援要請で補う",
}


def with_knowledge(method: str, refs: list[KnowledgeRef]) -> str:
    """The method text with the know-how it follows quoted, so the reader sees why it applies."""
    cites = [f"ナレッジ「{r.title}」: {r.excerpt.rstrip('。')}" for r in refs]
    return method + ("（" + " / ".join(cites) + "）" if cites else "")


class PlanBuilder:
    """Site context (overview, solver plan, reference plan, know-how) and the actions / forecast / monitoring
    derived from it; also used by the alert cause analysis."""

    def __init__(self, inp: ComposeInput):
        self.inp = inp
        self.overview = inp.part("overview")
        sim = inp.part("simulation") or {}
        self.plan = inp.solver_plan()
        self.reference = inp.part("current_plan") or sim.get("baseline") or None
        self.reference_label = ("現在の配置" if inp.part("current_plan")
                                else "シミュレーション前" if sim else "変更前")
        self.figures = facts.plan_figures(self.plan)
        self.comparison = facts.plan_comparison(self.reference, self.plan)
        self.date = (self.plan or {}).get("date") or inp.intent.get("date") or ""
        self.knowledge = inp.part("knowledge")
        self.used: list[KnowledgeRef] = []

    def refs(self, words: tuple[str, ...] | list[str], prefer: tuple[str, ...] = ()) -> list[KnowledgeRef]:
        exclude = {r.chunk_id for r in self.used if r.chunk_id} | {f"context:{r.context_id}" for r in self.used
                                                                    if r.context_id}
        found = knowledge_use.matching(self.knowledge, words, limit=1, exclude=exclude, prefer=prefer)
        self.used.extend(found)
        return found

    # ---- actions ------------------------------------------------------------------------------------
    def plan_actions(self) -> list[Action]:
        """Apply the plan, close each shortage by its binding constraint, arrange the transfers."""
        fig = self.figures
        if fig is None:
            return []
        actions: list[Action] = []
        day = f"{self.date}の" if self.date else ""
        if self.comparison:
            c = self.comparison
            effect = (f"充足率 {self.reference_label}{fmt.pct(c.before.coverage_pct)} → 配置案{fmt.pct(c.after.coverage_pct)}"
                      f"（{fmt.pts(c.coverage_delta_pts)}）、不足 {fmt.staff_hours(c.before.shortage)} → "
                      f"{fmt.staff_hours(c.after.shortage)}（ソルバー計算値）")
        else:
            effect = (f"配置案の充足率{fmt.pct(fig.coverage_pct)}（需要{fmt.staff_hours(fig.demand)}に対し"
                      f"{fmt.staff_hours(fig.covered)}、不足{fmt.staff_hours(fig.shortage)}、ソルバー計算値）")
        cost = "配置変更のみ" + (f"（残業計{fmt.hours(fig.overtime)}を含む）" if fig.overtime > 0 else "")
        actions.append(Action(
            action="最適化配置案の適用",
            method=f"{day}配置を最適化案に切り替える（変更{fmt.count(fig.changes)}件、"
                   f"出勤可能{fmt.count(fig.available_staff)}名のうち{fmt.count(fig.assigned_staff)}名を配置）",
            expected_effect=effect, timeline=f"即日（{day}配置から）" if day else "即日", cost=cost,
            sources=["solver"]))
        for s in facts.shortages_sorted(self.plan)[:3]:
            process, block = s.get("process", ""), fmt.block(s.get("time_block", ""))
            template = SHORTAGE_METHOD.get(s.get("binding_constraint", ""), "不足分を応援または配置替えで補う")
            method = template.format(process=process, block=block)
            if s.get("reason"):
                method += f"。理由: {s['reason']}"
            refs = self.refs(STAFFING_WORDS, prefer=(process,))
            after = facts.coverage_if_covered_pct(fig, float(s.get("staff_hours") or 0))
            actions.append(Action(
                action=f"{process}・{block}の不足解消（{fmt.staff_hours(s.get('staff_hours', 0))}）",
                method=with_knowledge(method, refs),
                expected_effect=(f"この不足{fmt.staff_hours(s.get('staff_hours', 0))}を補えば、全体の充足率は"
                                 f"{fmt.pct(fig.coverage_pct)} → {fmt.pct(after)}（計算値）"),
                timeline=f"{self.date}の前日まで" if self.date else "前日まで",
                cost="振替なら追加費用なし、応援なら移動費が発生",
                sources=["solver", *knowledge_use.sources_of(refs)]))
        transfers = (self.plan or {}).get("transfers") or []
        if transfers:
            names = "、".join(f"{t.get('employee_name', '')}（{t.get('from_location', '')}から）" for t in transfers[:5])
            actions.append(Action(
                action=f"他拠点からの応援（{fmt.count(len(transfers))}名）",
                method=f"配置案に含まれる応援: {names}",
                expected_effect="配置案の充足率に含まれています（応援なしでは不足が増えます）",
                timeline=f"{self.date}の前日までに応援元と調整" if self.date else "前日までに応援元と調整",
                cost=f"移動費 合計{fmt.yen(fig.travel_cost)}（ソルバー計算値）", sources=["solver"]))
        return actions

    def theme_action(self, theme: themes.Theme) -> Action | None:
        o, fig = self.overview, self.figures
        if theme.key == "overtime":
            refs = self.refs(theme.words)
            if fig and fig.overtime > 0:
                method = (f"配置案の残業は計{fmt.hours(fig.overtime)}・1人最大{fmt.hours(fig.max_person_overtime)}。"
                          "特定の人に偏らないよう割り当て、上限を超える分は翌日の午前に回す")
                effect = f"配置案どおりなら残業は計{fmt.hours(fig.overtime)}（1人最大{fmt.hours(fig.max_person_overtime)}）"
            else:
                method = "残業が集中している工程と時間帯を確認し、終業前の新規作業を翌日午前に回す"
                avg = (o or {}).get("overtime_hours_avg")
                effect = (f"直近30日の平均残業（1日1人あたり{fmt.hours(avg)}）の減少を確認する" if avg
                          else "残業時間の推移で効果を確認する")
            return Action("残業の平準化", with_knowledge(method, refs), effect, "3日以内", "追加費用なし",
                          ["solver" if fig else "analytics", *knowledge_use.sources_of(refs)])
        if theme.key == "absence":
            contrast = facts.absence_contrast(o)
            if contrast is None:
                refs = self.refs(theme.words)
                return Action("欠勤状況の確認", with_knowledge("欠勤アラートの対象期間の勤怠を確認し、欠勤の多い曜日に予備人員を置く", refs),
                              "欠勤率の推移で効果を確認する", "1週間以内", "追加費用なし",
                              ["analytics", *knowledge_use.sources_of(refs)])
            refs = self.refs(theme.words)
            absent = facts.expected_absent(o, contrast)
            effect = (f"在籍{fmt.count(o['active_staff'])}名なら、{contrast.weekday}曜の欠勤見込みは約{fmt.num(absent[0])}名、"
                      f"他の曜日並みなら約{fmt.num(absent[1])}名（在籍数×欠勤率の計算値）") if absent else \
                f"{contrast.weekday}曜の欠勤率{fmt.rate(contrast.rate)}を他の曜日平均{fmt.rate(contrast.others_rate)}に近づける"
            return Action(
                f"{contrast.weekday}曜の配置調整",
                with_knowledge(f"{contrast.weekday}曜は欠勤率が他の曜日より{fmt.pts(contrast.diff_pts)}高いため、"
                                f"{contrast.weekday}曜の配置に欠勤見込み分の予備人員を組み込み、熟練者を午前に置く", refs),
                effect, f"次の{contrast.weekday}曜から", "追加費用なし（配置変更のみ）",
                ["analytics", *knowledge_use.sources_of(refs)])
        if theme.key == "productivity":
            refs = self.refs(theme.words)
            if fig and fig.expected_productivity and o:
                avg = float(o.get("productivity_avg") or 0)
                effect = (f"配置案の期待生産性{fmt.pct(fig.expected_productivity)}（直近30日平均{fmt.pct(avg)}、"
                          f"差{fmt.pts(fig.expected_productivity - avg)}、ソルバー計算値）")
                method = "熟練者と新人の組み合わせを見直し、工程ごとの実績生産性が高い人を優先する配置案を採用する"
            else:
                avg = (o or {}).get("productivity_avg")
                effect = f"直近30日平均{fmt.pct(avg)}への回復を確認する" if avg else "生産性の推移で効果を確認する"
                method = "生産性が下がった工程を確認し、熟練者を優先配置して新人は熟練者と組ませる"
            return Action("生産性低下への配置見直し", with_knowledge(method, refs), effect, "1週間以内", "追加費用なし",
                          ["solver" if fig else "analytics", *knowledge_use.sources_of(refs)])
        if theme.key == "shortage":
            refs = self.refs(theme.words)
            staff = (o or {}).get("active_staff")
            method = ("配置案が得られていないため、不足している工程と時間帯を現場で確認し、振替か応援で補う"
                      + (f"（在籍{fmt.count(staff)}名）" if staff else ""))
            return Action("人員配置の見直し", with_knowledge(method, refs), "不足人時とアラート件数の推移で効果を確認する",
                          "1週間以内", "振替なら追加費用なし、応援なら移動費が発生",
                          ["analytics", *knowledge_use.sources_of(refs)])
        if theme.key.startswith("alert:"):
            refs = self.refs(theme.words)
            if not refs:
                return None
            return Action(f"{theme.headline}への対応", with_knowledge("ナレッジに沿って対応する", refs),
                          "アラート件数の推移で効果を確認する", "1週間以内", "追加費用なし",
                          ["analytics", *knowledge_use.sources_of(refs)])
        return None

    # ---- forecast, schedule, monitoring -------------------------------------------------------------
    def forecast(self) -> dict[str, str]:
        out: dict[str, str] = {}
        fig, c, o = self.figures, self.comparison, self.overview
        if c:
            out["充足率"] = (f"{self.reference_label} {fmt.pct(c.before.coverage_pct)} → 配置案 {fmt.pct(c.after.coverage_pct)}"
                          f"（{fmt.pts(c.coverage_delta_pts)}）")
            reduction = c.shortage_reduction_pct
            out["不足人時"] = (f"{self.reference_label} {fmt.staff_hours(c.before.shortage)} → 配置案 "
                           f"{fmt.staff_hours(c.after.shortage)}" + (f"（{fmt.pct(reduction)}減）" if reduction else ""))
            out["残業時間"] = f"{self.reference_label} {fmt.hours(c.before.overtime)} → 配置案 {fmt.hours(c.after.overtime)}"
        elif fig:
            out["充足率"] = f"配置案 {fmt.pct(fig.coverage_pct)}（需要{fmt.staff_hours(fig.demand)}・充足{fmt.staff_hours(fig.covered)}）"
            out["不足人時"] = f"配置案 {fmt.staff_hours(fig.shortage)}"
            out["残業時間"] = f"配置案 計{fmt.hours(fig.overtime)}（1人最大{fmt.hours(fig.max_person_overtime)}）"
        if fig and fig.expected_productivity:
            out["期待生産性"] = f"配置案 {fmt.pct(fig.expected_productivity)}" + (
                f"（直近30日平均 {fmt.pct(o.get('productivity_avg', 0))}）" if o else "")
        sim = self.inp.part("simulation")
        if sim and sim.get("delta"):
            d = sim["delta"]
            out["シミュレーション差分"] = (f"不足{float(d.get('shortage_staff_hours') or 0):+.1f}人時、充足率"
                                  f"{fmt.pts(d.get('coverage_pct', 0))}、残業{float(d.get('overtime_hours') or 0):+.1f}時間")
        if o:
            out["未解決アラート"] = f"現在 {fmt.count(o.get('alert_count', 0))}件"
            contrast = facts.absence_contrast(o)
            if contrast:
                out["欠勤率"] = f"{contrast.weekday}曜 {fmt.rate(contrast.rate)}／他の曜日平均 {fmt.rate(contrast.others_rate)}"
        if out:
            out["算出根拠"] = basis(self.overview is not None, self.figures is not None)
        return out

    def schedule(self, actions: list[Action], theme_list: list[themes.Theme]) -> dict[str, str]:
        day1 = [a.action for a in actions if a.timeline.startswith("即日") or "前日まで" in a.timeline]
        day3 = [a.action for a in actions if a.timeline in ("3日以内",) or a.timeline.startswith("次の")]
        week = [a.action for a in actions if a.timeline == "1週間以内"]
        out: dict[str, str] = {}
        if day1:
            out["Day1"] = "、".join(day1)
        if day3:
            out["Day3"] = "、".join(day3)
        if week:
            out["Day5"] = "、".join(week)
        checks = []
        if self.figures:
            checks.append("充足率・不足人時")
        if self.overview:
            checks.append(f"未解決アラート件数（現在{fmt.count(self.overview.get('alert_count', 0))}件）")
        if checks:
            out["Day7"] = "効果測定: " + "・".join(checks) + "を再集計し、配置を調整"
        if theme_list:
            out["Day14"] = "定着確認: " + "・".join(t.headline for t in theme_list[:3]) + "の推移を直近30日の値と比較"
        return out

    def monitoring(self, theme_list: list[themes.Theme]) -> NextMonitoring:
        o, fig = self.overview, self.figures
        daily, weekly, criteria = [], [], []
        if fig:
            daily.append(f"充足率・不足人時（配置案 {fmt.pct(fig.coverage_pct)}・{fmt.staff_hours(fig.shortage)}）")
            daily.append(f"残業時間（配置案 計{fmt.hours(fig.overtime)}）")
            criteria.append(f"不足人時を配置案の{fmt.staff_hours(fig.shortage)}以下に抑える")
        if o:
            daily.append(f"アラート発生件数（未解決 現在{fmt.count(o.get('alert_count', 0))}件）")
            weekly.append(f"生産性（直近30日平均 {fmt.pct(o.get('productivity_avg', 0))}）")
            contrast = facts.absence_contrast(o)
            if contrast:
                weekly.append(f"曜日別欠勤率（{contrast.weekday}曜 {fmt.rate(contrast.rate)}・"
                              f"他の曜日平均 {fmt.rate(contrast.others_rate)}）")
                daily.append(f"{contrast.weekday}曜の出勤状況")
                criteria.append(f"{contrast.weekday}曜の欠勤率を他の曜日平均{fmt.rate(contrast.others_rate)}に近づける")
            if o.get("productivity_avg"):
                criteria.append(f"生産性を直近30日平均{fmt.pct(o['productivity_avg'])}以上に保つ")
            if o.get("alert_count"):
                top = theme_list[0].headline if theme_list and theme_list[0].alert_count else ""
                criteria.append(f"未解決アラート{fmt.count(o['alert_count'])}件を減らす" + (f"（まず{top}）" if top else ""))
        if fig:
            weekly.append(f"配置変更の効果（変更{fmt.count(fig.changes)}件）")
        if self.used:
            weekly.append("適用したナレッジの効果")
        return NextMonitoring(daily, weekly, "、".join(criteria) + ("。" if criteria else ""))

    # ---- findings ------------------------------------------------------------------------------------
    def findings(self) -> list[str]:
        out: list[str] = []
        o, fig = self.overview, self.figures
        site = fmt.site(self.inp.location)
        if o:
            rows = [r for r in o.get("alerts_by_type") or [] if int(r.get("count") or 0) > 0]
            breakdown = "、".join(f"{fmt.alert_type(r.get('alert_type', ''), r.get('label', ''))}{fmt.count(r['count'])}件"
                                  for r in rows)
            out.append(f"{site}の未解決アラートは{fmt.count(o.get('alert_count', 0))}件です"
                       + (f"（{breakdown}）。" if breakdown else "。"))
            out.append(f"直近30日の平均生産性は{fmt.pct(o.get('productivity_avg', 0))}、出勤率は{fmt.pct(o.get('attendance_rate', 0))}、"
                       f"平均残業は1日1人あたり{fmt.hours(o.get('overtime_hours_avg', 0))}です。")
        if fig:
            p = self.plan or {}
            solver = (p.get("solver") or {}).get("status", "")
            out.append(f"{self.date + 'の' if self.date else ''}配置案（HiGHS{': ' + solver if solver else ''}）は、"
                       f"需要{fmt.staff_hours(fig.demand)}に対して充足率{fmt.pct(fig.coverage_pct)}、"
                       f"不足{fmt.staff_hours(fig.shortage)}です。")
            if not p.get("optimization_feasible", True) and p.get("constraint_violations"):
                out.append("すべての需要を制約内で満たす配置はありません（" + "、".join(p["constraint_violations"]) + "）。")
            for line in (p.get("explanation") or [])[:2]:
                out.append(line if line.endswith("。") else line + "。")
        return out


def _assemble(b: PlanBuilder, theme_list: list[themes.Theme], headline: str, leading: list[str]) -> Draft:
    plan = ImprovementPlan()
    for i, t in enumerate(theme_list, start=1):
        plan.priority_analysis[str(i)] = f"{t.headline}: {t.description}" if t.description else t.headline
    actions: list[Action] = []
    solver_done = False
    for t in theme_list:
        if t.key == "shortage" and not solver_done:
            solver_done = True
            planned = b.plan_actions()
            if planned:
                actions += planned
                continue
        a = b.theme_action(t)
        if a:
            actions.append(a)
    if not solver_done:
        actions = b.plan_actions() + actions
    plan.action_plan = actions
    plan.quantitative_forecast = b.forecast()
    plan.implementation_schedule = b.schedule(actions, theme_list)
    findings = leading + b.findings()
    if theme_list:
        findings.append(themes.ORDER_RULE)
    return Draft(headline=headline, findings=findings, plan=plan, monitoring=b.monitoring(theme_list),
                 knowledge=b.used)


def build_optimize(inp: ComposeInput) -> Draft:
    b = PlanBuilder(inp)
    theme_list = themes.detect(inp)
    site = fmt.site(inp.location)
    if theme_list:
        headline = f"{site}の最優先課題は{theme_list[0].headline}です。"
    elif b.overview:
        headline = f"{site}では、未解決アラートや大きな乖離は見つかりませんでした。"
    elif b.figures:
        headline = f"{site}の配置案の充足率は{fmt.pct(b.figures.coverage_pct)}です。"
    else:
        headline = f"{site}について、計算に使えるデータがありませんでした。"
    sim_lines = (inp.part("simulation") or {}).get("explanation") or []
    if sim_lines:  # a what-if: lead with the solver's own before/after summary, then the usual plan
        detail = "、".join(sim_lines[1:4])
        headline = sim_lines[0] + (f": {detail}" if detail else "") + "。" + headline
    return _assemble(b, theme_list, headline, [])


def build_alert_improve(inp: ComposeInput) -> Draft:
    b = PlanBuilder(inp)
    alert = inp.part("alert") or {}
    theme_list = themes.detect(inp)
    key = themes.theme_of_alert_type(alert.get("alert_type", ""))
    if alert and not any(t.key == key for t in theme_list):
        label = fmt.alert_type(alert.get("alert_type", ""))
        theme_list.insert(0, themes.Theme(key, f"{label}アラート", "", 1, 0.0, 0.0, (label,), [alert.get("alert_type", "")]))
    theme_list = themes.focus(theme_list, key)
    leading = []
    if alert:
        leading.append(f"対象はアラート#{alert.get('alert_id', '')}「{alert.get('title', '')}」"
                       f"（重要度: {fmt.severity(alert.get('severity', ''))}）です。{alert.get('message', '')}".rstrip())
        t0 = theme_list[0]
        t0.description = (f"対象アラート: {alert.get('title', '')}" + (f"。{t0.description}" if t0.description else ""))
        headline = f"アラート#{alert.get('alert_id', '')}「{alert.get('title', '')}」の改善プランです。"
    else:
        headline = f"{fmt.site(inp.location)}のアラート改善プランです。"
    return _assemble(b, theme_list, headline, leading)
