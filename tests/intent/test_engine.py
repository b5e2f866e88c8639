"""The hybrid engine: the real Ollama client against the fake server, and every fallback path."""
from __future__ import annotations

import datetime as dt
import time

import pytest

from services.common.errors import InvalidArgument
from services.common.llm import make_client
from services.intent import llm_parser
from services.intent.engine import IntentEngine
from services.intent.parser import parse

REF = "2026-11-25"
UNSURE = "横浜の新人について"          # in domain, no ask: rules say unsupported at 0.35
SURE = "横浜拠点のアラートを改善して"   # rules are sure: the LLM is never asked


@pytest.fixture
async def engine(fake_llm):
    client = make_client("ollama", "127.0.0.1", fake_llm.port, fake_llm.model)
    yield IntentEngine(client, threshold=0.7, llm_timeout=0.5)
    await client.aclose()


async def test_no_llm_means_rules_only():
    outcome = await IntentEngine(None).parse(UNSURE, REF)
    assert (outcome.parser, outcome.fallback_reason, outcome.intent.intent) == ("deterministic", "", "unsupported")
    assert outcome.elapsed_ms >= 0


async def test_confident_rules_do_not_call_the_llm(engine, fake_llm):
    outcome = await engine.parse(SURE, REF)
    assert (outcome.parser, outcome.intent.intent, outcome.intent.location) == ("deterministic", "improve_alerts", "横浜")
    assert fake_llm.received == []


async def test_unsure_rules_take_the_llm_answer(engine, fake_llm):
    fake_llm.reset(reply={"intent": "analyze_productivity", "location": "横浜"})
    outcome = await engine.parse(UNSURE, REF)
    assert (outcome.parser, outcome.fallback_reason) == ("llm:ollama:qwen-test", "")
    assert (outcome.intent.intent, outcome.intent.location, outcome.intent.complexity) == (
        "analyze_productivity", "横浜", "complex")
    assert outcome.intent.confidence == llm_parser.OVERRIDE_CONFIDENCE
    request = fake_llm.received[-1]
    assert request.path == "/api/generate" and request.body["format"] == llm_parser.SCHEMA
    assert request.body["options"]["temperature"] == 0.0 and request.body["keep_alive"]
    assert UNSURE in request.body["prompt"]


async def test_a_site_written_in_the_request_is_never_replaced(engine, fake_llm):
    fake_llm.reset(reply={"intent": "analyze_attendance", "location": "大阪"})
    outcome = await engine.parse(UNSURE, REF)
    assert (outcome.parser, outcome.intent.intent, outcome.intent.location) == (
        "llm:ollama:qwen-test", "analyze_attendance", "横浜")


async def test_the_llm_never_invents_a_site(engine, fake_llm):
    fake_llm.reset(reply={"intent": "analyze_attendance", "location": "札幌"})
    outcome = await engine.parse("拠点の新人について", REF)
    assert outcome.parser == "llm:ollama:qwen-test"
    assert (outcome.intent.intent, outcome.intent.location, outcome.intent.locations) == (
        "analyze_attendance", "unclear", ())


async def test_the_llm_gets_the_previous_turn_and_a_weekday_follows_the_new_intent(engine, fake_llm):
    previous = parse("横浜の明日の最適配置を提案して", dt.date(2026, 11, 25))
    fake_llm.reset(reply={"intent": "optimize_assignment", "location": "横浜"})
    outcome = await engine.parse("月曜の新人は？", REF, previous)
    assert "直前の依頼の解釈: intent=optimize_assignment, location=横浜" in fake_llm.received[-1].body["prompt"]
    assert (outcome.intent.intent, outcome.intent.date, outcome.intent.weekday) == (
        "optimize_assignment", "2026-11-30", "月")


@pytest.mark.parametrize("behaviour, reason", [
    ({"status": 500}, "unavailable: LLM（ollama:qwen-test）"),
    ({"reply": "I think it is productivity"}, "invalid_json"),
    ({"reply": {"intent": "make_coffee", "location": "横浜"}}, "schema: unknown intent 'make_coffee'"),
    ({"reply": {"intent": "analyze_productivity", "location": "東京"}}, "schema: unknown location '東京'"),
    ({"reply": ["analyze_productivity"]}, "schema: JSON object expected"),
])
async def test_bad_llm_answers_fall_back_to_the_rules(engine, fake_llm, behaviour, reason):
    fake_llm.reset(**behaviour)
    outcome = await engine.parse(UNSURE, REF)
    assert outcome.parser == "deterministic"
    assert outcome.fallback_reason.startswith(reason)
    assert (outcome.intent.intent, outcome.intent.location) == ("unsupported", "横浜")  # the rules' answer
    assert len(fake_llm.received) == 1


async def test_a_slow_llm_falls_back_within_the_budget(engine, fake_llm):
    fake_llm.reset(delay=3.0, reply={"intent": "analyze_productivity", "location": "横浜"})
    started = time.perf_counter()
    outcome = await engine.parse(UNSURE, REF)
    elapsed = time.perf_counter() - started
    assert outcome.parser == "deterministic" and outcome.fallback_reason.startswith("timeout: ")
    assert 0.45 <= elapsed < 1.5 and outcome.elapsed_ms < 1500  # the server would take 3 s


async def test_no_server_listening_falls_back():
    client = make_client("ollama", "127.0.0.1", 9, "absent")
    try:
        outcome = await IntentEngine(client, llm_timeout=2.0).parse(UNSURE, REF)
    finally:
        await client.aclose()
    assert outcome.parser == "deterministic" and outcome.fallback_reason.startswith("unavailable: ")


async def test_openai_provider_path(fake_llm):
    fake_llm.reset(reply={"intent": "search_knowledge", "location": "unclear"})
    client = make_client("openai", "127.0.0.1", fake_llm.port, "qwen2.5-coder-1.5b")
    try:
        outcome = await IntentEngine(client).parse("ピッキングの人が足りない", REF)
    finally:
        await client.aclose()
    assert (outcome.parser, outcome.intent.intent) == ("llm:openai:qwen2.5-coder-1.5b", "search_knowledge")
    assert fake_llm.received[-1].body["response_format"]["json_schema"]["schema"] == llm_parser.SCHEMA


@pytest.mark.parametrize("query, reference, message", [
    ("", REF, "query"), ("   ", REF, "query"), ("あ" * 1001, REF, "1000"),
    ("横浜の配置", "2026/11/25", "reference_date"),
])
async def test_invalid_requests(query, reference, message):
    with pytest.raises(InvalidArgument, match=message):
        await IntentEngine(None).parse(query, reference)
