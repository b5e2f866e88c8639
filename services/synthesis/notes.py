"""Plain sentences about missing engine data, so a partial answer says what it lacks instead of guessing."""
from __future__ import annotations

from services.synthesis import fmt
from services.synthesis.model import PART_ENGINE, ComposeInput

PART_JA = {
    "overview": "アラート・生産性・勤怠の集計",
    "alert_stats": "アラート統計",
    "productivity": "生産性トレンドの分析",
    "attendance": "勤怠パターンの分析",
    "forecast": "業務量予測",
    "alert": "アラートの詳細",
    "plan": "配置案",
    "simulation": "シミュレーション結果",
    "knowledge": "過去のノウハウ（ナレッジ検索結果）",
}

# Parts each mode works from (the gateway's flows fill these).
MODE_PARTS = {
    "optimize": ("overview", "plan", "knowledge"),
    "query": ("overview", "alert_stats"),
    "analyze": ("overview", "productivity", "knowledge"),
    "alert_analyze": ("alert", "overview", "attendance", "knowledge"),
    "alert_improve": ("alert", "overview", "plan", "knowledge"),
    "forecast": ("forecast", "overview"),
    "search_knowledge": ("knowledge",),
    "unsupported": (),
}


def parts_for(inp: ComposeInput) -> tuple[str, ...]:
    """Parts this request works from; analyze reads attendance instead of productivity for attendance intents."""
    parts = MODE_PARTS.get(inp.mode, ())
    if inp.mode == "analyze" and inp.intent.get("intent") == "analyze_attendance":
        parts = ("overview", "attendance", "knowledge")
    return parts


def missing_parts(inp: ComposeInput) -> list[str]:
    """Parts of this request that are absent because their engine is listed as degraded."""
    return [p for p in parts_for(inp) if inp.part(p) is None and inp.is_degraded(PART_ENGINE[p])]


def missing_notes(inp: ComposeInput) -> list[str]:
    """「最適化エンジンが応答しなかったため、配置案は含まれていません。」 style sentences, one per engine."""
    notes: list[str] = []
    by_engine: dict[str, list[str]] = {}
    for part in missing_parts(inp):
        by_engine.setdefault(PART_ENGINE[part], []).append(PART_JA[part])
    for engine, parts in by_engine.items():
        notes.append(f"{fmt.ENGINE_JA[engine]}が応答しなかったため、{'・'.join(parts)}は含まれていません。")
    mode_engines = {PART_ENGINE[p] for p in parts_for(inp)}
    for d in inp.degraded:
        if d.engine in by_engine:
            continue
        if d.engine == "intent":
            notes.append("意図解析エンジンが応答しなかったため、ご依頼は簡易解析で解釈しました。")
        elif d.engine in mode_engines:
            notes.append(f"{fmt.ENGINE_JA.get(d.engine, d.engine)}の一部の処理が応答しなかったため、"
                         "結果の一部が欠けている可能性があります。")
    seen: set[str] = set()
    return [n for n in notes if not (n in seen or seen.add(n))]
