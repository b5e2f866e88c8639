"""The LLM's typed question: real `ollama` / OpenAI-compatible client code against the fake model server.

The rules find no metric in 「…いちばん長く働いたのは誰？」; the model fills the same Question under the schema,
and its answer is believed only as far as the request backs it (sites, process, person written in it).
"""
from __future__ import annotations

import datetime as dt
import time

import pytest

from services.analytics.question.metrics import METRICS
from services.common.llm import make_client
from services.intent.engine import IntentEngine
from services.intent.parser import parse
from services.intent.question import lexicon
from services.intent.question import llm_fill

REF = "2026-11-25"
ASKED = "横浜で先月いちばん長く働いたのは誰？"   # a question, but no metric word the rules know
GOOD = {"metric": "overtime_hours", "sites": ["横浜"], "process": "", "employee_name": ""}


@pytest.fixture(params=["ollama", "openai"])
async def engine(request, fake_llm):
    client = make_client(request.param, "127.0.0.1", fake_llm.port, fake_llm.model)
    yield IntentEngine(client, threshold=0.7, llm_timeout=0.5)
    await client.aclose()


def sent_schema(fake_llm) -> dict:
    request = fake_llm.received[-1]
    if request.path == "/api/generate":
        return request.body["format"]
    return request.body["response_format"]["json_schema"]["schema"]


def test_the_metric_vocabulary_is_the_analytics_whitelist():
    assert set(lexicon.METRICS) == set(METRICS)
    assert llm_fill.SCHEMA["properties"]["metric"]["enum"] == [*lexicon.METRICS, llm_fill.NO_METRIC]


async def test_rules_without_a_metric_ask_the_model_under_the_question_schema(engine, fake_llm):
    assert parse(ASKED, dt.date.fromisoformat(REF)).question is None  # the premise
    fake_llm.reset(reply=GOOD)
    outcome = await engine.parse(ASKED, REF)
    assert sent_schema(fake_llm) == llm_fill.SCHEMA
    request = fake_llm.received[-1].body
    prompt = request.get("prompt") or request["messages"][-1]["content"]
    assert ASKED in prompt
    assert outcome.parser.startswith("llm:") and outcome.fallback_reason == ""
    q = outcome.intent.question
    assert (q.metric, q.sites, q.group_by, q.order, q.top_n) == ("overtime_hours", ("横浜",), "employee", "desc", 0)
    # grouping and ranking are the rules' reading of 誰・いちばん (analytics makes an unnumbered top 1);
    # the period is the rules' reading of 先月, never a date from the model
    assert (q.date_from, q.date_to, q.period_phrase) == ("2026-10-01", "2026-10-31", "先月")
    assert outcome.intent.intent == "simple_query" and outcome.intent.confidence == 0.75


async def test_the_period_is_the_requests_never_the_models(engine, fake_llm):
    fake_llm.reset(reply={**GOOD, "period": "先週"})   # a server that ignores the schema adds a field
    outcome = await engine.parse("横浜でいちばん長く働いたのは誰？", REF)
    assert "period" not in llm_fill.SCHEMA["properties"] and outcome.fallback_reason == ""
    q = outcome.intent.question
    assert (q.metric, q.date_from, q.period_phrase) == ("overtime_hours", "", "")  # analytics states its default


@pytest.mark.parametrize("reply, reason", [
    ({**GOOD, "sites": ["大阪"]}, "invented_site: 大阪"),
    ({**GOOD, "sites": ["東京"]}, "schema: unknown site '東京'"),
    ({**GOOD, "process": "検品"}, "invented_process: 検品"),
    ({**GOOD, "employee_name": "山田 太郎"}, "invented_person"),
    ({**GOOD, "metric": "salary"}, "schema: unknown metric 'salary'"),
    ({**GOOD, "metric": "none"}, "no_metric"),
    ("overtime please", "invalid_json"),
])
async def test_answers_the_request_does_not_back_are_rejected(engine, fake_llm, reply, reason):
    fake_llm.reset(reply=reply)
    outcome = await engine.parse(ASKED, REF)
    assert outcome.parser == "deterministic" and outcome.fallback_reason.startswith(reason)
    # the rules' answer stands: no question, so the gateway says honestly it cannot answer
    assert outcome.intent.question is None and outcome.intent.intent == "unsupported"


async def test_a_person_written_in_the_request_is_accepted(engine, fake_llm):
    fake_llm.reset(reply={**GOOD, "employee_name": "佐藤 花子"})
    outcome = await engine.parse("横浜の佐藤 花子の先月の働きぶりは？", REF)
    assert outcome.fallback_reason == ""
    assert outcome.intent.question.employee_name == "佐藤 花子"


async def test_a_slow_model_leaves_the_rules_answer_within_the_budget(engine, fake_llm):
    fake_llm.reset(delay=3.0, reply=GOOD)
    started = time.perf_counter()
    outcome = await engine.parse(ASKED, REF)
    assert time.perf_counter() - started < 1.5
    assert outcome.parser == "deterministic" and outcome.fallback_reason.startswith("timeout: ")
    assert outcome.intent.question is None


@pytest.mark.parametrize("query", [
    "品川で先月一番残業した人は？",        # the rules typed it: no model call
    "横浜で仕分けのスキルが一番高い人は誰？",  # typed, though the intent label is unsure (0.35)
    "🎉🎉🎉",                               # confidently off-topic
    "横浜の明日の配置を最適化して",          # a consultation, not a question
])
async def test_questions_the_rules_settle_never_reach_the_model(engine, fake_llm, query):
    outcome = await engine.parse(query, REF)
    assert fake_llm.received == [] and outcome.parser == "deterministic"


def test_follow_up_prompt_names_the_previous_question():
    previous = parse("横浜で先月一番残業した人は？", dt.date.fromisoformat(REF)).question
    prompt = llm_fill.build_prompt("長く働いたのは誰？", previous)
    assert prompt.startswith("質問: 長く働いたのは誰？") and "直前の質問: metric=overtime_hours, sites=['横浜']" in prompt
    assert "直前" not in llm_fill.build_prompt("長く働いたのは誰？", None)
