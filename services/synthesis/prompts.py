"""Prompts for the main model, after the seed's generate_integrated_solution and simple-query prompts.

The model is given the computed plan, not the raw engine output: its job is wording. The system prompt
forbids new numbers, and the grounding check enforces it — a prompt is a request, the check is the rule.
"""
from __future__ import annotations

from dataclasses import dataclass

from services.synthesis import facts, fmt
from services.synthesis.model import ComposeInput, Draft

SYSTEM = (
    "あなたは物流センターの労働力管理エキスパートです。拠点の管理者に向けて、丁寧で分かりやすい日本語で説明します。\n"
    "厳守事項:\n"
    "- 数値は【データ】と【計算済みプラン】に書かれているものだけを、書かれたとおりに使ってください。\n"
    "- 新しい数値（割合、予測値、金額、人数、日数など）を作ったり、自分で計算したりしないでください。\n"
    "- データにない効果を約束しないでください。分からないことは「データがありません」と書いてください。\n"
    "- 欠けているデータがある場合は、そのことをはっきり書いてください。"
)

INTENT_JA = {
    "improve_alerts": "アラート改善", "optimize_assignment": "配置最適化", "simulate_assignment": "配置シミュレーション",
    "analyze_productivity": "生産性分析", "analyze_attendance": "勤怠分析", "forecast_workload": "業務量予測",
    "simple_query": "簡単な質問", "search_knowledge": "ナレッジ検索",
}


MAX_ACTIONS = 5


@dataclass(frozen=True)
class Prompt:
    system: str
    text: str
    max_tokens: int


def _plan_block(draft: Draft) -> list[str]:
    """The computed plan, compact (a small model's context is short): priorities, actions with their effect
    and timing, forecast, schedule, success criteria. Methods and know-how quotes stay in the structured plan."""
    lines: list[str] = []
    p = draft.plan
    if p.priority_analysis:
        lines.append("優先順位:")
        lines += [f"{k}. {v}" for k, v in p.priority_analysis.items()]
    if p.action_plan:
        lines.append("アクション:")
        for i, a in enumerate(p.action_plan[:MAX_ACTIONS], start=1):
            lines.append(f"{i}. {a.action}（{a.timeline}）: 期待効果 {a.expected_effect}")
    forecast = {k: v for k, v in p.quantitative_forecast.items() if k != "算出根拠"}
    if forecast:
        lines.append("定量予測: " + "、".join(f"{k} {v}" for k, v in forecast.items()))
    if p.implementation_schedule:
        lines.append("実施スケジュール: " + "／".join(f"{k} {v}" for k, v in p.implementation_schedule.items()))
    if draft.monitoring.success_criteria:
        lines.append("成功指標: " + draft.monitoring.success_criteria)
    return lines


def _constraint_block(inp: ComposeInput) -> list[str]:
    plan = inp.solver_plan()
    fig = facts.plan_figures(plan)
    if fig is None:
        return ["- 配置案はありません"]
    lines = [f"- 利用可能人員: {fmt.count(fig.available_staff)}名",
             f"- 最適化実行可能: {'可能' if plan.get('optimization_feasible') else '制約あり'}",
             f"- 充足率: {fmt.pct(fig.coverage_pct)}（不足 {fmt.staff_hours(fig.shortage)}）",
             "- 制約違反: " + ("、".join(plan.get("constraint_violations") or []) or "なし")]
    return lines


def build(inp: ComposeInput, draft: Draft, notes: list[str]) -> Prompt:
    if inp.mode == "query":
        data = " ".join([draft.headline, *draft.findings])
        text = (f"以下のリアルタイムデータを基に自然な日本語で回答してください:\n質問: {inp.query}\nデータ: {data}\n"
                + (f"注意: {' '.join(notes)}\n" if notes else "")
                + "正確で分かりやすい回答を、短くお願いします。数値はデータにあるものだけを使ってください。")
        return Prompt(SYSTEM, text, 160)
    intent = inp.intent.get("intent", "")
    lines = [
        "労働力管理エキスパートとして、以下の情報を統合し、具体的で実行可能な改善プランを管理者向けに説明してください。",
        "",
        "【要求】",
        f"{inp.query}（{INTENT_JA.get(intent, intent or inp.mode)}：{fmt.site(inp.location)}）",
        "",
        "【データ（分析エンジン・最適化エンジンの計算結果）】",
        f"- {draft.headline}",
        *[f"- {f}" for f in draft.findings],
    ]
    if inp.mode in ("optimize", "alert_improve"):
        lines += ["", "【制約条件（最適化計算結果）】", *_constraint_block(inp)]
    if draft.knowledge:
        lines += ["", "【関連ノウハウ（ナレッジ検索結果）】", *[f"- 「{k.title}」: {k.excerpt}" for k in draft.knowledge]]
    plan_lines = _plan_block(draft)
    if plan_lines:
        lines += ["", "【計算済みプラン】", *plan_lines]
    if notes:
        lines += ["", "【欠けているデータ】", *[f"- {n}" for n in notes]]
    lines += [
        "",
        "【回答要求】",
        "問題の優先順位（数値の根拠つき）、具体的なアクション、期待効果（計算済みプランの数値のみ）、"
        "実施スケジュール、成功指標とモニタリング方法を、この順に説明してください。",
        "数値は上のデータにあるものだけを、書かれたとおりに使ってください。",
    ]
    return Prompt(SYSTEM, "\n".join(lines), 800)
