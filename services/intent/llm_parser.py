"""The LLM second opinion: asked only when the rules are unsure, and it decides only the intent.

The model classifies; it never produces dates, counts or confidence numbers — those stay deterministic
(dates are resolved by `dates`, the confidence below is a fixed policy). Its output is constrained by a JSON
schema (enums of the closed vocabularies) and validated again here, because not every server enforces the
schema: anything that is not exactly {"intent": <known>, "location": <known>} is rejected and the caller
keeps the rules' answer.

The site always comes from the rules (written in the request, or carried over from the previous turn). The
model is asked for it — a garbled site is a sign the whole answer is unreliable — but not believed: measured
on the dev set with Qwen2.5-Coder-1.5B, it invented a site for 8 of the 12 requests that name none, and a
wrong 拠点 silently answers about the wrong workplace, where "unclear" makes the gateway ask.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

from services.common.llm import LlmClient
from services.intent import parser
from services.intent.model import INTENTS, LOCATIONS, Intent

# The model agreed with the rules' (unsure) reading, or overrode it: fixed, explainable levels.
AGREE_CONFIDENCE = 0.9
OVERRIDE_CONFIDENCE = 0.75
MAX_TOKENS = 48  # {"intent": "analyze_productivity", "location": "佐世保"} is ~20 tokens

SCHEMA: dict = {
    "type": "object",
    "properties": {
        "intent": {"type": "string", "enum": list(INTENTS)},
        "location": {"type": "string", "enum": list(LOCATIONS)},
    },
    "required": ["intent", "location"],
    "additionalProperties": False,
}

SYSTEM = """あなたは物流拠点の現場管理者向けアシスタントの意図分類器です。依頼文を読み、JSONだけを返してください。
intent（依頼の種類）:
- improve_alerts: アラートの改善・削減・対策
- optimize_assignment: 人員配置・シフトの作成や最適化の提案
- simulate_assignment: 「〜したら」「もし」など仮定の変更（欠勤・増員・異動）の影響の試算
- analyze_productivity: 生産性・作業効率の分析
- analyze_attendance: 勤怠・欠勤・遅刻・出勤率・残業の分析
- forecast_workload: 業務量・物量・必要人員の予測
- simple_query: 件数・人数など一つの数字や一覧を尋ねる短い質問
- search_knowledge: ノウハウ・事例・ルール・コツの検索
- unsupported: 上記以外（天気、株価、雑談など業務と無関係）
location: 横浜, 品川, 札幌, 大阪, 佐世保 のいずれか（かな・ローマ字・英語の表記も対応する拠点名にする）。
拠点の指定がない、または全拠点なら unclear。
出力形式: {"intent": "...", "location": "..."}"""


class LlmRejected(Exception):
    """The LLM's answer cannot be used; `reason` is the response's fallback_reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def build_prompt(query: str, previous: Intent | None) -> str:
    lines = [f"依頼: {query}"]
    if previous is not None and previous.intent:
        lines.append(f"直前の依頼の解釈: intent={previous.intent}, location={previous.location}"
                     "（「札幌は？」「じゃあ明日は？」のような続きの質問なら引き継ぐ）")
    return "\n".join(lines)


def validate(raw: str) -> tuple[str, str]:
    """(intent, location) from the model's text, or LlmRejected naming what was wrong."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, TypeError) as exc:
        raise LlmRejected(f"invalid_json: {raw[:80]!r}") from exc
    if not isinstance(data, dict):
        raise LlmRejected(f"schema: JSON object expected, got {type(data).__name__}")
    intent, location = data.get("intent"), data.get("location")
    if intent not in INTENTS:
        raise LlmRejected(f"schema: unknown intent {intent!r}")
    if location not in LOCATIONS:
        raise LlmRejected(f"schema: unknown location {location!r}")
    return intent, location


async def refine(client: LlmClient, query: str, rules: Intent, reference: dt.date, previous: Intent | None,
                 timeout: float) -> Intent:
    """The intent with the LLM's classification applied; raises LlmRejected (or a domain error) to fall back."""
    raw = await client.generate(build_prompt(query, previous), system=SYSTEM, json_schema=SCHEMA,
                                temperature=0.0, max_tokens=MAX_TOKENS, timeout=timeout)
    intent, _location = validate(raw.strip())
    result = parser.retarget(rules, intent, query, reference)
    inherited = previous is not None and rules.intent == "unsupported" and intent == previous.intent
    return dataclasses.replace(
        result,
        confidence=AGREE_CONFIDENCE if intent == rules.intent else OVERRIDE_CONFIDENCE,
        from_context=rules.from_context or inherited,
    )
