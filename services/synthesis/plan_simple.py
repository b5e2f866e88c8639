"""Short-path answers: simple questions, the workload forecast, knowledge search, and unsupported requests.

A simple question gets one sentence with the number the manager asked for (SiteOverview / GetAlertStats),
plus the seed's count of today's adjustments; no plan is invented around it.
"""
from __future__ import annotations

from services.synthesis import facts, fmt, knowledge_use
from services.synthesis.model import Action, ComposeInput, Draft, ImprovementPlan, KnowledgeRef, NextMonitoring

CAPABILITIES = (
    "アラートの改善提案（例:「横浜拠点のアラートを改善して」）",
    "配置の最適化・シミュレーション（例:「明日の品川の最適配置を提案して」）",
    "生産性・勤怠の分析（例:「札幌の欠勤の傾向を分析して」）",
    "業務量の予測（例:「大阪の来週の業務量は？」）",
    "アラート件数などの簡単な質問（例:「現在のアラート件数は？」）",
    "現場ノウハウの検索（例:「月曜の欠勤対策のノウハウは？」）",
)

QUERY_TOPICS = {
    "alerts": ("alert", "alerts", "アラート"),
    "attendance": ("attendance", "absence", "出勤", "欠勤", "勤怠"),
    "productivity": ("productivity", "生産性"),
    "staff": ("staff", "employees", "人数", "従業員", "スタッフ", "在籍"),
    "adjustments": ("adjustments", "adjustment", "assignments", "調整"),
    "overtime": ("overtime", "残業"),
    "workload": ("workload", "業務量", "物量"),
    "overview": ("overview", "状況"),
}


def _topic(inp: ComposeInput) -> str:
    required = str(inp.intent.get("data_required") or "").lower()
    for topic, words in QUERY_TOPICS.items():
        if required and any(required == w or required.startswith(w) for w in words):
            return topic
    for topic, words in QUERY_TOPICS.items():
        if any(w in inp.query for w in words):
            return topic
    return "alerts"


def _where(location: str) -> str:
    return "全拠点" if fmt.site(location) == "全拠点" else location


def build_query(inp: ComposeInput) -> Draft:
    o, stats = inp.part("overview"), inp.part("alert_stats")
    where = _where(inp.location)
    topic = _topic(inp)
    sentences: list[str] = []
    if topic == "alerts":
        if o:
            rows = [r for r in o.get("alerts_by_type") or [] if int(r.get("count") or 0) > 0]
            breakdown = "、".join(f"{fmt.alert_type(r.get('alert_type', ''), r.get('label', ''))}{fmt.count(r['count'])}件"
                                  for r in rows)
            sentences.append(f"現在、未解決のアラートは{where}で{fmt.count(o.get('alert_count', 0))}件です"
                             + (f"（{breakdown}）。" if breakdown else "。"))
        if stats:
            sev = {b.get("key"): int(b.get("count") or 0) for b in stats.get("by_severity") or []}
            sev_text = "、".join(f"{fmt.severity(k)}{fmt.count(sev[k])}件" for k in ("critical", "high", "medium", "low")
                                 if sev.get(k))
            if not o:
                sentences.append(f"現在、未解決のアラートは{where}で{fmt.count(stats.get('open', 0))}件です。")
            sentences.append(f"{stats.get('date_from', '')}〜{stats.get('date_to', '')}に検出されたアラートは"
                             f"{fmt.count(stats.get('total', 0))}件、うち未解決{fmt.count(stats.get('open', 0))}件"
                             + (f"（重要度別: {sev_text}）" if sev_text else "") + "です。")
        if o:
            sentences.append(f"本日検出されたアラートは{fmt.count(o.get('alerts_today', 0))}件、"
                             f"本日の配置調整は{fmt.count(o.get('adjustments_today', 0))}件です。")
    elif o:
        if topic == "attendance":
            contrast = facts.absence_contrast(o)
            sentences.append(f"直近30日の{where}の出勤率は{fmt.pct(o.get('attendance_rate', 0))}です。")
            if contrast:
                sentences.append(f"欠勤が最も多いのは{contrast.weekday}曜で、欠勤率は{fmt.rate(contrast.rate)}"
                                 f"（他の曜日平均{fmt.rate(contrast.others_rate)}）です。")
        elif topic == "productivity":
            sentences.append(f"直近30日の{where}の平均生産性は{fmt.pct(o.get('productivity_avg', 0))}で、"
                             f"直近7日は前30日比{fmt.signed_pct(o.get('productivity_change_pct', 0))}です。")
        elif topic == "staff":
            sentences.append(f"{where}の在籍スタッフは{fmt.count(o.get('active_staff', 0))}名"
                             f"（うち入社180日以内{fmt.count(o.get('new_staff', 0))}名）です。")
        elif topic == "adjustments":
            sentences.append(f"本日の{where}の配置調整は{fmt.count(o.get('adjustments_today', 0))}件です。")
        elif topic == "overtime":
            sentences.append(f"直近30日の{where}の平均残業は1日1人あたり{fmt.hours(o.get('overtime_hours_avg', 0))}です。")
        elif topic == "overview":
            sentences.append(f"{where}の現在の状況は、未解決アラート{fmt.count(o.get('alert_count', 0))}件、"
                             f"直近30日の平均生産性{fmt.pct(o.get('productivity_avg', 0))}、"
                             f"出勤率{fmt.pct(o.get('attendance_rate', 0))}、在籍{fmt.count(o.get('active_staff', 0))}名です。")
            sentences.append(f"本日の配置調整は{fmt.count(o.get('adjustments_today', 0))}件です。")
    if topic == "workload":
        totals = facts.forecast_totals(inp.part("forecast"))
        if totals:
            sentences = [f"{where}の{totals.by_day[0][0]}〜{totals.by_day[-1][0]}の必要人時は合計"
                         f"{fmt.staff_hours(totals.staff_hours)}の予測です。"]
        else:
            sentences = ["業務量の予測はこの質問では計算していません。「横浜の来週の業務量を予測して」のようにご依頼ください。"]
    if not sentences:
        sentences.append("必要な数値を取得できなかったため、お答えできません。")
    return Draft(headline=sentences[0], findings=sentences[1:])


def build_forecast(inp: ComposeInput) -> Draft:
    f, o = inp.part("forecast"), inp.part("overview")
    site = fmt.site(inp.location)
    totals = facts.forecast_totals(f)
    if totals is None:
        return Draft(headline=f"{site}の業務量予測を取得できませんでした。")
    method = (f or {}).get("method", "")
    first, last = totals.by_day[0][0], totals.by_day[-1][0]
    peak = totals.peak
    headline = (f"{site}の{first}〜{last}（{fmt.count(totals.days)}日間）の必要人時は合計{fmt.staff_hours(totals.staff_hours)}"
                f"（予測区間 {fmt.staff_hours(totals.staff_hours_lower)}〜{fmt.staff_hours(totals.staff_hours_upper)}）です。")
    findings = [f"業務量は合計{fmt.num(totals.units)}件（予測手法: {method or '不明'}）、1日平均{fmt.staff_hours(totals.daily_mean)}です。"]
    if peak:
        findings.append(f"最も多いのは{peak[0]}で{fmt.staff_hours(peak[1])}です。")
    if totals.by_process:
        findings.append("工程別では" + "、".join(f"{p} {fmt.staff_hours(h)}" for p, h in totals.by_process[:3]) + "です。")
    bt = (f or {}).get("backtest") or {}
    if bt.get("smape"):
        base = float(bt.get("baseline_smape") or 0)
        findings.append(f"過去データでの予測誤差（sMAPE）は{fmt.pct(bt['smape'])}"
                        + (f"で、前週同曜日の値をそのまま使う方法（{fmt.pct(base)}）より"
                           f"{'小さい' if float(bt['smape']) < base else '大きい'}誤差です。" if base else "です。"))
    plan = ImprovementPlan()
    if peak:
        plan.priority_analysis["1"] = (f"ピーク日 {peak[0]}: 必要{fmt.staff_hours(peak[1])}"
                                       f"（期間の1日平均{fmt.staff_hours(totals.daily_mean)}）")
        plan.action_plan.append(Action(
            f"{peak[0]}の人員確保", "ピーク日の出勤予定と休暇申請を確認し、不足する工程に振替・応援を手配する",
            f"必要{fmt.staff_hours(peak[1])}を満たす配置の準備", f"{peak[0]}の前日まで",
            "振替なら追加費用なし、応援なら移動費が発生", ["analytics"]))
    if totals.by_process:
        p, h = totals.by_process[0]
        plan.priority_analysis[str(len(plan.priority_analysis) + 1)] = f"最大工程 {p}: 期間合計{fmt.staff_hours(h)}"
    plan.quantitative_forecast = {
        "必要人時（合計）": (f"{fmt.staff_hours(totals.staff_hours)}（{fmt.staff_hours(totals.staff_hours_lower)}〜"
                         f"{fmt.staff_hours(totals.staff_hours_upper)}）"),
        "業務量（合計）": f"{fmt.num(totals.units)}件",
        **{f"{d}": fmt.staff_hours(h) for d, h in totals.by_day},
        "算出根拠": "分析エンジンの業務量予測（過去の実績から算出）と工程別の実績生産性から計算した値です。",
    }
    if o and o.get("active_staff"):
        findings.append(f"在籍スタッフは{fmt.count(o['active_staff'])}名です。")
    monitoring = NextMonitoring(["当日の業務量と予測の差"], ["予測誤差（sMAPE）の推移"],
                                f"ピーク日{peak[0]}の必要{fmt.staff_hours(peak[1])}を満たす配置を前日までに確定する。" if peak else "")
    return Draft(headline, findings, plan, monitoring)


def build_search(inp: ComposeInput) -> Draft:
    k = inp.part("knowledge")
    hits = knowledge_use.hits(k)
    ctx = knowledge_use.contexts(k)
    refs: list[KnowledgeRef] = []
    findings: list[str] = []
    for i, h in enumerate(hits[:5], start=1):
        refs.append(KnowledgeRef(h.title or h.doc_id, knowledge_use.excerpt(h.text, 120), h.doc_id, h.chunk_id))
        findings.append(f"{i}. 「{h.title or h.doc_id}」: {knowledge_use.excerpt(h.text, 120)}")
    for c in ctx[:3]:
        cid = int(c.get("context_id") or 0)
        if cid:
            refs.append(KnowledgeRef(knowledge_use.CONTEXT_TITLE,
                                     knowledge_use.excerpt(str(c.get("context_value") or ""), 120), context_id=cid))
            findings.append(f"・{knowledge_use.CONTEXT_TITLE}: {knowledge_use.excerpt(str(c.get('context_value') or ''), 120)}")
    if not hits and not ctx:
        headline = "ご質問に関連するナレッジは見つかりませんでした。" if k is not None or not inp.is_degraded("knowledge") \
            else "ナレッジを検索できませんでした。"
    else:
        headline = f"関連するナレッジが{fmt.count(len(hits))}件見つかりました。" if hits else "関連する蓄積コンテキストが見つかりました。"
    return Draft(headline, findings, knowledge=refs)


def build_unsupported(inp: ComposeInput) -> Draft:
    return Draft(
        headline="申し訳ありませんが、このご依頼にはお答えできません。",
        findings=["AIMEEがお手伝いできるのは次のようなご相談です。", *[f"・{c}" for c in CAPABILITIES]],
        closing="拠点名（横浜・品川・札幌・大阪・佐世保）と日付を添えてご相談ください。",
        use_llm=False,
    )
