"""The deterministic parser: accuracy on the shared dev set and our regression set (written together with the rules, so not held-out), fields, calibration."""
from __future__ import annotations

import datetime as dt

import pytest

from services.intent.model import INTENTS, LOCATIONS
from services.intent.parser import parse
from services.intent.rules import classify
from services.intent.text import normalize
from tests.intent.conftest import DEV_SET, REGRESSION_SET, load_jsonl

REF = dt.date(2026, 11, 25)
REQUIRED_ACCURACY = 0.95


def _accuracy(rows: list[dict]) -> tuple[float, list[str]]:
    misses = []
    for row in rows:
        reference = dt.date.fromisoformat(row.get("reference_date", REF.isoformat()))
        got = parse(row["query"], reference)
        expected_date = row.get("date", got.date)
        if (got.intent, got.location, got.date) != (row["intent"], row["location"], expected_date):
            misses.append(f"{row['query']}: want {row['intent']}/{row['location']}/{expected_date} "
                          f"got {got.intent}/{got.location}/{got.date}")
    return 1 - len(misses) / len(rows), misses


def test_shared_dev_set_accuracy():
    if not DEV_SET.exists():
        pytest.skip(f"shared dev set not found at {DEV_SET} (expected ../shared beside the repo)")
    rows = load_jsonl(DEV_SET)
    accuracy, misses = _accuracy(rows)
    assert accuracy >= REQUIRED_ACCURACY, "\n".join(misses)


def test_regression_set_accuracy():
    rows = load_jsonl(REGRESSION_SET)
    assert len(rows) >= 40
    assert {r["intent"] for r in rows} == set(INTENTS) and {r["location"] for r in rows} == set(LOCATIONS)
    accuracy, misses = _accuracy(rows)
    assert accuracy >= REQUIRED_ACCURACY, "\n".join(misses)


@pytest.mark.parametrize("query, intent, location, field, value", [
    ("明日の札幌の出勤予定者数を教えて", "simple_query", "札幌", "data_required", "attendance"),
    ("横浜のアラートは今何件？", "simple_query", "横浜", "data_required", "alerts"),
    ("おおさかの従業員数", "simple_query", "大阪", "data_required", "employees"),
    ("品川でピッキングに2名追加したらどうなるか試算して", "simulate_assignment", "品川", "process", "ピッキング"),
    ("札幌の梱包工程を1名減らしたら", "simulate_assignment", "札幌", "process", "梱包"),
    ("来週の札幌の業務量予測を出して", "forecast_workload", "札幌", "date_from", "2026-11-30"),
    ("来週の札幌の業務量予測を出して", "forecast_workload", "札幌", "date_to", "2026-12-06"),
    ("来週の札幌の業務量予測を出して", "forecast_workload", "札幌", "date_phrase", "来週"),
    # A bare weekday is a day for a schedule, a pattern for an analysis.
    ("月曜日の横浜の配置を最適化して", "optimize_assignment", "横浜", "date", "2026-11-30"),
    ("月曜日に欠勤が多いのはどの拠点？", "analyze_attendance", "unclear", "weekday", "月"),
    ("月曜日に欠勤が多いのはどの拠点？", "analyze_attendance", "unclear", "date", ""),
    ("横浜と品川の生産性を比較して", "analyze_productivity", "横浜", "locations", ("横浜", "品川")),
    ("全拠点の明日の配置を最適化して", "optimize_assignment", "unclear", "locations", ()),
])
def test_fields(query, intent, location, field, value):
    got = parse(query, REF)
    assert (got.intent, got.location, getattr(got, field)) == (intent, location, value)


def test_complexity_follows_the_intent():
    assert parse("横浜のアラートは何件？", REF).complexity == "simple"
    assert parse("新人教育のコツを検索して", REF).complexity == "simple"
    assert parse("横浜の明日の配置を最適化して", REF).complexity == "complex"


@pytest.mark.parametrize("query", [
    "横浜拠点のアラートを改善して", "明日の最適配置を提案して", "大阪で2名欠勤したら配置はどうなる？",
    "来週の札幌の業務量予測を出して", "新人教育のコツを検索して", "今日の天気は？", "株価を予想して",
])
def test_clear_requests_are_confident(query):
    assert parse(query, REF).confidence >= 0.7


@pytest.mark.parametrize("query", [
    "横浜の新人について",          # domain word, no ask
    "ピッキングの人が足りない",     # a problem, no ask the rules know
    "横浜の配置、ノウハウと生産性", # several asks, none clearly ahead
    "札幌は？",                    # a follow-up with no previous turn
])
def test_ambiguous_requests_are_not_confident(query):
    assert parse(query, REF).confidence < 0.7


def test_calibration_clear_answers_are_right_more_often():
    """Over both labelled sets: every answer at ≥ 0.9 confidence is right (no confident mistakes)."""
    rows = load_jsonl(REGRESSION_SET) + (load_jsonl(DEV_SET) if DEV_SET.exists() else [])
    confident = [(r, parse(r["query"], REF)) for r in rows]
    confident = [(r, got) for r, got in confident if got.confidence >= 0.9]
    assert len(confident) >= len(rows) // 2
    assert all((got.intent, got.location) == (r["intent"], r["location"]) for r, got in confident)


def test_two_sites_lower_the_confidence():
    one = parse("横浜の生産性を分析して", REF)
    two = parse("横浜と品川の生産性を分析して", REF)
    assert two.confidence < one.confidence and two.intent == one.intent


def test_the_ask_at_the_end_of_a_japanese_sentence_wins():
    knowledge_first = classify(normalize("ノウハウを活かして明日の配置を最適化して"))
    optimize_first = classify(normalize("明日の配置を最適化するノウハウ"))
    assert knowledge_first.intent == "optimize_assignment" and knowledge_first.scores["search_knowledge"] > 0
    assert optimize_first.intent == "search_knowledge" and optimize_first.scores["optimize_assignment"] > 0


def test_requests_without_any_workplace_word_are_unsupported():
    for query in ("株価を予想して", "円相場の見通しは？", "ランチのおすすめを教えて"):
        result = classify(normalize(query))
        assert (result.intent, result.in_domain) == ("unsupported", False), query
    assert classify(normalize("2名休んだら？")).intent == "simulate_assignment"  # a headcount is workforce talk
