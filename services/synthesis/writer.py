"""The deterministic Japanese writer: turns a Draft into the narrative a site manager reads.

It adds no number of its own (only list markers), so its narrative is exactly as grounded as the draft —
the answer AIMEE gives when no model is configured, when the model fails, or when the model's text states
a number the data does not support.
"""
from __future__ import annotations

import re

from services.synthesis.model import Draft

NAME = "deterministic-writer"
SHORT_MODES = {"query", "search_knowledge", "unsupported"}


def render(draft: Draft, mode: str, notes: list[str]) -> str:
    lines: list[str] = [draft.headline]
    lines += notes
    if mode in SHORT_MODES:
        lines += draft.findings
        if draft.closing:
            lines.append(draft.closing)
        return "\n".join(line for line in lines if line)
    if draft.findings:
        lines.append("")
        lines.append("【現状】" + "".join(f for f in draft.findings))
    plan = draft.plan
    if plan.priority_analysis:
        lines.append("")
        lines.append("【優先課題】")
        lines += [f"{k}. {v}" for k, v in plan.priority_analysis.items()]
    if plan.action_plan:
        lines.append("")
        lines.append("【アクション】")
        for i, a in enumerate(plan.action_plan, start=1):
            lines.append(f"{i}. {a.action}: {a.method}。期待効果: {a.expected_effect}（{a.timeline}）")
    forecast = {k: v for k, v in plan.quantitative_forecast.items() if k != "算出根拠"}
    if forecast:
        lines.append("")
        lines.append("【見込み（計算値）】" + "、".join(f"{k}: {v}" for k, v in forecast.items()) + "。")
        if "算出根拠" in plan.quantitative_forecast:
            lines.append(plan.quantitative_forecast["算出根拠"])
    m = draft.monitoring
    if m.daily_check or m.weekly_review or m.success_criteria:
        lines.append("")
        parts = []
        if m.daily_check:
            parts.append("毎日: " + "、".join(m.daily_check))
        if m.weekly_review:
            parts.append("毎週: " + "、".join(m.weekly_review))
        lines.append("【モニタリング】" + "／".join(parts) + ("。" if parts else ""))
        if m.success_criteria:
            lines.append("成功の目安: " + m.success_criteria)
    titles = list(dict.fromkeys(k.title for k in draft.knowledge))  # one mention per document, in order
    if titles:
        lines.append("")
        lines.append("【参照したナレッジ】" + "、".join(f"「{t}」" for t in titles))
    if draft.closing:
        lines.append(draft.closing)
    return _tidy("\n".join(lines))


def _tidy(text: str) -> str:
    text = re.sub(r"。。+", "。", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


_CHUNK = re.compile(r"[^。！？\n]*[。！？\n]+|[^。！？\n]+$")


def sentences(text: str) -> list[str]:
    """Sentence-sized chunks (the deterministic narrative's stream); joined they give back `text`."""
    return [m.group(0) for m in _CHUNK.finditer(text) if m.group(0)]
