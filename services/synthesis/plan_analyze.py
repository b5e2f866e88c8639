"""Consultations that explain rather than re-plan: productivity / attendance analysis and alert cause analysis.

Findings are the analytics engine's measurements (period means, the change and its t statistic, per-process
means, weekday standouts, the alert's evidence). Targets in the plan are values the data already contains
(the period mean, the other weekdays' rate) — the effect of an action is not predicted, it is monitored.
"""
from __future__ import annotations

from services.synthesis import facts, fmt, knowledge_use, themes
from services.synthesis.model import Action, ComposeInput, Draft, ImprovementPlan, NextMonitoring
from services.synthesis.plan_optimize import PlanBuilder, with_knowledge

ANALYSIS_BASIS = "数値は分析エンジン（MySQL集計）の計算値です。対策の効果は予測せず、実績の推移で確認します。"
METRIC_JA = {"absence_rate": "欠勤率", "late_rate": "遅刻率", "early_leave_rate": "早退率"}
# Evidence keys the analytics rules write (services/analytics/detection), shown with a label and a unit:
# rate = 0-1 shown as percent, pct = percent, pts = points, h = hours, sh = staff-hours, n = count, x = ratio.
EVIDENCE_SHOWN = {
    "absence_rate": ("欠勤率", "rate"), "other_days_rate": ("他の曜日の欠勤率", "rate"),
    "baseline_rate": ("基準期間の欠勤率", "rate"), "difference_pts": ("差", "pts"), "ratio": ("倍率", "x"),
    "absent": ("欠勤", "n"), "records": ("記録", "n"),
    "site_overtime_hours": ("拠点の残業合計", "h"), "site_limit_hours": ("拠点の残業上限", "h"),
    "staff_over_personal_limit": ("個人上限の超過者", "n"), "max_excess_hours": ("最大超過", "h"),
    "attended_staff": ("出勤者", "n"),
    "recent_mean": ("直近の平均生産性", "pct"), "baseline_mean": ("基準期間の平均生産性", "pct"),
    "drop_points": ("低下幅", "pts"), "drop_pct": ("低下率", "pct"), "welch_t": ("t値", "t"),
    "required_hours": ("必要工数", "sh"), "available_hours": ("確保できる工数", "sh"),
    "shortage_hours": ("不足工数", "sh"), "shortage_pct": ("不足率", "pct"), "scheduled_staff": ("出勤予定", "n"),
    "expected_absent_staff": ("見込み欠勤", "n"),
}
# Which themes can explain an alert of each type, most likely first.
CAUSES = {
    "overtime_over_limit": ("absence", "shortage", "productivity"),
    "productivity_drop": ("productivity", "absence", "overtime"),
    "absence_spike": ("absence", "overtime"),
    "staffing_shortage": ("absence", "shortage", "overtime"),
}


def _period(part: dict) -> str:
    cur = part.get("current") or part
    a, b = cur.get("date_from", ""), cur.get("date_to", "")
    return f"{a}〜{b}" if a and b else "対象期間"


# ---- productivity -------------------------------------------------------------------------------------
def _productivity(inp: ComposeInput) -> Draft:
    p, o = inp.part("productivity"), inp.part("overview")
    b = PlanBuilder(inp)
    refs = b.refs
    site = fmt.site(inp.location)
    findings: list[str] = []
    prio: list[tuple[float, str]] = []
    actions: list[Action] = []
    forecast: dict[str, str] = {}
    daily, weekly, criteria = [], [], []
    headline = f"{site}の生産性の分析です。"
    cur = (p or {}).get("current") or {}
    prev = (p or {}).get("previous") or {}
    cur_mean = float(cur.get("mean") or 0)
    groups = facts.productivity_by_group(p)
    if p:
        findings.append(f"{_period(p)}の平均生産性は{fmt.pct(cur_mean)}（{fmt.count(cur.get('sample_size', 0))}件）です。")
        change = facts.period_change_pts(p)
        if change is not None and p.get("comparable", True):
            findings.append(f"前の同じ長さの期間（{fmt.pct(prev.get('mean', 0))}）と比べて{fmt.pts(change)}"
                            f"（{fmt.signed_pct(p.get('change_pct', 0))}）です。")
            t = float(p.get("change_t") or 0)
            if t:
                findings.append(f"この差は偶然の揺れとは考えにくい大きさです（t値{t:.1f}）。" if abs(t) >= 2 else
                                f"この差は日々の揺れの範囲内の可能性があります（t値{t:.1f}）。")
            headline = f"{site}の平均生産性は{fmt.pct(cur_mean)}で、前期間比{fmt.pts(change)}です。"
            forecast["生産性（今期間）"] = f"{fmt.pct(cur_mean)}（前期間 {fmt.pct(prev.get('mean', 0))}、{fmt.pts(change)}）"
            if change < 0:
                prio.append((-change, f"生産性の低下: 前期間比{fmt.pts(change)}"
                                      f"（{fmt.pct(prev.get('mean', 0))} → {fmt.pct(cur_mean)}）"))
                r = refs(("生産性", "低下", "効率"))
                actions.append(Action("低下要因の確認", with_knowledge(
                    "日別の生産性と勤怠・新人の配置・工程別の実績を照合し、低下が始まった日と工程を特定する", r),
                    f"要因の特定（前期間比{fmt.pts(change)}の低下）", "3日以内", "追加費用なし",
                    ["analytics", *knowledge_use.sources_of(r)]))
                criteria.append(f"平均生産性を前期間の{fmt.pct(prev.get('mean', 0))}以上に戻す")
        else:
            headline = f"{site}の平均生産性は{fmt.pct(cur_mean)}です。"
            forecast["生産性（今期間）"] = fmt.pct(cur_mean)
        weekly.append(f"生産性（今期間平均 {fmt.pct(cur_mean)}）")
    if len(groups) >= 2:
        low, high = groups[0], groups[-1]
        findings.append(f"工程別では{low.key}が{fmt.pct(low.mean)}で最も低く、{high.key}が{fmt.pct(high.mean)}で最も高い"
                        f"（差{fmt.num(high.mean - low.mean)}ポイント）です。")
        forecast["工程別"] = f"{low.key} {fmt.pct(low.mean)} 〜 {high.key} {fmt.pct(high.mean)}"
        gap = cur_mean - low.mean
        if cur_mean and gap > 0:
            prio.append((gap, f"{low.key}の生産性: {fmt.pct(low.mean)}（期間平均{fmt.pct(cur_mean)}より{fmt.num(gap)}ポイント低い）"))
            r = refs((low.key, "熟練", "教育", "ベテラン"))
            actions.append(Action(f"{low.key}への熟練者配置", with_knowledge(
                f"{low.key}に熟練者を優先配置し、新人は熟練者と組んで作業する", r),
                f"{low.key}の生産性を期間平均{fmt.pct(cur_mean)}に近づける（差{fmt.num(gap)}ポイント）",
                "1週間以内", "追加費用なし（配置変更のみ）", ["analytics", *knowledge_use.sources_of(r)]))
            daily.append(f"{low.key}の生産性（今期間 {fmt.pct(low.mean)}）")
            criteria.append(f"{low.key}の生産性を期間平均{fmt.pct(cur_mean)}に近づける")
    if o:
        share = facts.new_staff_share_pct(o)
        if share and o.get("new_staff"):
            findings.append(f"在籍{fmt.count(o['active_staff'])}名中{fmt.count(o['new_staff'])}名が入社180日以内"
                            f"（{fmt.pct(share)}）です。")
            prio.append((0.0, f"新人の比率: {fmt.pct(share)}（{fmt.count(o['new_staff'])}名）"))
            forecast["新人比率"] = f"{fmt.pct(share)}（在籍{fmt.count(o['active_staff'])}名中{fmt.count(o['new_staff'])}名）"
            weekly.append("新人の工程別生産性")
        if not p:
            findings.append(f"直近30日の平均生産性は{fmt.pct(o.get('productivity_avg', 0))}、直近7日は前30日比"
                            f"{fmt.signed_pct(o.get('productivity_change_pct', 0))}です。")
            headline = f"{site}の直近30日の平均生産性は{fmt.pct(o.get('productivity_avg', 0))}です。"
    extra = refs(("生産性", "効率", "新人", "熟練", "教育"))
    if extra:
        actions.append(Action("ナレッジの適用", with_knowledge("過去のノウハウを配置に反映する", extra),
                              "生産性の推移で効果を確認する", "1週間以内", "追加費用なし", knowledge_use.sources_of(extra)))
    prio.sort(key=lambda x: -x[0])
    plan = ImprovementPlan(priority_analysis={str(i): t for i, (_, t) in enumerate(prio, start=1)},
                           action_plan=actions, quantitative_forecast=forecast)
    if forecast:
        forecast["算出根拠"] = ANALYSIS_BASIS
    plan.implementation_schedule = _schedule(actions, "工程別の生産性を再集計")
    return Draft(headline, findings, plan,
                 NextMonitoring(daily, weekly, "、".join(criteria) + ("。" if criteria else "")), b.used)


# ---- attendance ---------------------------------------------------------------------------------------
def _standout_label(s: dict) -> str:
    metric = METRIC_JA.get(s.get("metric", ""), s.get("metric", ""))
    dim, key = s.get("dimension", ""), s.get("key", "")
    if dim == "weekday":
        return f"{key}曜の{metric}"
    return f"{key}の{metric}"


def _standout_sentence(s: dict) -> str:
    return (f"{_standout_label(s)}は{fmt.rate(s.get('value', 0))}で、比較対象（{fmt.rate(s.get('baseline', 0))}）より"
            f"{fmt.pts(s.get('difference_pts', 0))}、{fmt.times(s.get('ratio', 0))}です。")


def _attendance(inp: ComposeInput) -> Draft:
    a, o = inp.part("attendance"), inp.part("overview")
    b = PlanBuilder(inp)
    refs = b.refs
    site = fmt.site(inp.location)
    findings: list[str] = []
    actions: list[Action] = []
    forecast: dict[str, str] = {}
    prio: dict[str, str] = {}
    daily, weekly, criteria = [], ["曜日別の欠勤率", "遅刻・早退率"], []
    headline = f"{site}の勤怠の分析です。"
    if a:
        total = int(a.get("total") or 0)
        findings.append(f"{a.get('date_from', '')}〜{a.get('date_to', '')}の欠勤率は{fmt.rate(a.get('absence_rate', 0))}"
                        + (f"（勤怠記録{fmt.count(total)}件）" if total else "") + "です。")
        headline = f"{site}の欠勤率は{fmt.rate(a.get('absence_rate', 0))}です。"
        forecast["欠勤率（全体）"] = fmt.rate(a.get("absence_rate", 0))
        standouts = sorted([s for s in a.get("standouts") or [] if float(s.get("difference_pts") or 0) > 0],
                           key=lambda s: -float(s.get("difference_pts") or 0))[:3]
        for i, s in enumerate(standouts, start=1):
            sentence = _standout_sentence(s)
            findings.append(sentence)
            prio[str(i)] = sentence.rstrip("。")
            forecast[_standout_label(s)] = (f"{fmt.rate(s.get('value', 0))}（比較対象 {fmt.rate(s.get('baseline', 0))}、"
                                            f"{fmt.times(s.get('ratio', 0))}）")
            key, dim = s.get("key", ""), s.get("dimension", "")
            words = ("欠勤", "休み", "出勤", "勤怠") + ((f"{key}曜",) if dim == "weekday" else (key,))
            r = refs(words)
            if dim == "weekday":
                name, method, timeline = (f"{key}曜の予備人員配置",
                                          f"{key}曜の配置に欠勤見込み分の予備人員を組み込み、熟練者を午前に置く", f"次の{key}曜から")
                daily.append(f"{key}曜の出勤状況")
            else:
                name, method, timeline = (f"{key}の勤怠確認", f"{key}の欠勤・遅刻の理由を確認し、休暇計画を前もって調整する", "2週間以内")
            effect = (f"{_standout_label(s)}{fmt.rate(s.get('value', 0))}を比較対象の{fmt.rate(s.get('baseline', 0))}"
                      f"に近づける（差{fmt.pts(s.get('difference_pts', 0))}）")
            actions.append(Action(name, with_knowledge(method, r), effect, timeline, "追加費用なし",
                                  ["analytics", *knowledge_use.sources_of(r)]))
            criteria.append(f"{_standout_label(s)}を{fmt.rate(s.get('baseline', 0))}に近づける")
        if standouts:
            headline = f"{site}の欠勤率は{fmt.rate(a.get('absence_rate', 0))}で、最も目立つのは{_standout_label(standouts[0])}" \
                       f"（{fmt.rate(standouts[0].get('value', 0))}）です。"
    if not prio and o:
        contrast = facts.absence_contrast(o)
        if contrast:
            sentence = (f"{contrast.weekday}曜の欠勤率は{fmt.rate(contrast.rate)}で、他の曜日平均（{fmt.rate(contrast.others_rate)}）より"
                        f"{fmt.pts(contrast.diff_pts)}です。")
            findings.append(sentence)
            prio["1"] = sentence.rstrip("。")
            criteria.append(f"{contrast.weekday}曜の欠勤率を他の曜日平均{fmt.rate(contrast.others_rate)}に近づける")
    if o:
        findings.append(f"直近30日の出勤率は{fmt.pct(o.get('attendance_rate', 0))}です。")
    if forecast:
        forecast["算出根拠"] = ANALYSIS_BASIS
    plan = ImprovementPlan(priority_analysis=prio, action_plan=actions, quantitative_forecast=forecast)
    plan.implementation_schedule = _schedule(actions, "曜日別の欠勤率を再集計")
    return Draft(headline, findings, plan, NextMonitoring(daily, weekly, "、".join(criteria) + ("。" if criteria else "")),
                 b.used)


def _schedule(actions: list[Action], measure: str) -> dict[str, str]:
    out: dict[str, str] = {}
    first = [a.action for a in actions if a.timeline in ("3日以内",) or a.timeline.startswith("次の")]
    later = [a.action for a in actions if a.timeline in ("1週間以内", "2週間以内")]
    if first:
        out["Day1"] = "、".join(first)
    if later:
        out["Day3"] = "、".join(later)
    if actions:
        out["Day7"] = f"効果測定: {measure}"
        out["Day14"] = "定着確認: 直近の値を今回の分析値と比較"
    return out


def build_analyze(inp: ComposeInput) -> Draft:
    if inp.intent.get("intent") == "analyze_attendance" or (inp.part("attendance") and not inp.part("productivity")):
        return _attendance(inp)
    return _productivity(inp)


# ---- alert cause analysis -----------------------------------------------------------------------------
def _evidence_text(evidence: dict) -> str:
    """The rule's key numbers as 「欠勤率 18.5%、差 +11.3ポイント」 (all keys stay in supporting_data)."""
    parts = []
    for key, (label, unit) in EVIDENCE_SHOWN.items():
        value = evidence.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        shown = {"rate": lambda v: fmt.rate(v), "pct": lambda v: fmt.pct(v), "pts": lambda v: f"{v:.1f}ポイント",
                 "h": fmt.hours, "sh": fmt.staff_hours, "x": fmt.times, "t": lambda v: f"{v:.1f}",
                 "n": lambda v: fmt.num(v)}[unit](float(value))
        if unit == "n":
            shown += "名" if "staff" in key else "件"
        parts.append(f"{label} {shown}")
    return "、".join(parts)


def build_alert_analyze(inp: ComposeInput) -> Draft:
    alert = inp.part("alert") or {}
    b = PlanBuilder(inp)
    site = fmt.site(inp.location)
    findings: list[str] = []
    if alert:
        findings.append(f"アラート#{alert.get('alert_id', '')}「{alert.get('title', '')}」"
                        f"（{fmt.alert_type(alert.get('alert_type', ''))}、重要度: {fmt.severity(alert.get('severity', ''))}、"
                        f"期間 {alert.get('period_start', '')}〜{alert.get('period_end', '')}）: "
                        f"{alert.get('message', '')}".rstrip())
        ev = _evidence_text(alert.get("evidence") or {})
        if ev:
            findings.append(f"検知時の数値: {ev}。")
        headline = f"アラート#{alert.get('alert_id', '')}「{alert.get('title', '')}」の原因分析です。"
    else:
        headline = f"{site}のアラートの原因分析です。"
    all_themes = {t.key: t for t in themes.detect(inp)}
    own = themes.theme_of_alert_type(alert.get("alert_type", ""))
    order = [own] + [k for k in CAUSES.get(alert.get("alert_type", ""), ()) if k != own]
    causes = [all_themes[k] for k in order if k in all_themes]
    a = inp.part("attendance")
    if a:
        for s in sorted([s for s in a.get("standouts") or [] if float(s.get("difference_pts") or 0) > 0],
                        key=lambda s: -float(s.get("difference_pts") or 0))[:2]:
            findings.append(_standout_sentence(s))
    plan = ImprovementPlan()
    rank = 1
    for t in causes:
        if not t.description:
            continue
        prefix = "アラートの内容" if t.key == own else "関連する要因の候補"
        plan.priority_analysis[str(rank)] = f"{prefix}（{t.headline}）: {t.description}"
        rank += 1
    actions: list[Action] = []
    if alert:
        actions.append(Action("アラート根拠の確認",
                              f"対象期間（{alert.get('period_start', '')}〜{alert.get('period_end', '')}）の勤怠・配置・生産性の記録を照合する",
                              "原因の特定", "即日", "追加費用なし", ["analytics"]))
    for t in causes:
        act = b.theme_action(t)
        if act:
            actions.append(act)
    plan.action_plan = actions
    forecast = b.forecast()
    forecast.pop("算出根拠", None)
    if alert and _evidence_text(alert.get("evidence") or {}):
        forecast["検知時の数値"] = _evidence_text(alert.get("evidence") or {})
    if forecast:
        forecast["算出根拠"] = ANALYSIS_BASIS
    plan.quantitative_forecast = forecast
    schedule: dict[str, str] = {}
    if alert:
        schedule["Day1"] = "アラート根拠の確認"
    rest = [a.action for a in actions if a.action != "アラート根拠の確認"]
    if rest:
        schedule["Day3"] = "、".join(rest)
    if actions:
        schedule["Day7"] = "効果測定: アラート対象の数値を再集計"
        schedule["Day14"] = "定着確認: 直近の値を検知時の数値と比較"
    plan.implementation_schedule = schedule
    findings += b.findings()
    if causes:
        findings.append(themes.ORDER_RULE.replace("優先順位", "要因の並び"))
    return Draft(headline, findings, plan, b.monitoring(causes), b.used)
