"""Follow-up resolution against the conversation's previous intent."""
from __future__ import annotations

import datetime as dt

import pytest

from services.intent.parser import parse

REF = dt.date(2026, 11, 25)


@pytest.fixture
def previous():
    return parse("横浜の明日の最適配置を提案して", REF)


def test_a_new_date_keeps_intent_and_site(previous):
    got = parse("じゃあ明後日は？", REF, previous)
    assert (got.intent, got.location, got.date, got.date_phrase, got.from_context) == (
        "optimize_assignment", "横浜", "2026-11-27", "明後日", True)
    assert got.confidence >= 0.7


@pytest.mark.parametrize("query, site", [("札幌は？", "札幌"), ("Sapporo?", "札幌"), ("大阪だとどう？", "大阪")])
def test_a_new_site_keeps_intent_and_date(previous, query, site):
    got = parse(query, REF, previous)
    assert (got.intent, got.location, got.date, got.from_context) == ("optimize_assignment", site, "2026-11-26", True)
    assert got.confidence >= 0.7


def test_all_sites_is_explicit_and_not_overridden(previous):
    got = parse("全拠点は？", REF, previous)
    assert (got.intent, got.location, got.locations, got.from_context) == ("optimize_assignment", "unclear", (), True)


def test_a_process_narrows_the_previous_ask(previous):
    got = parse("検品は？", REF, previous)
    assert (got.intent, got.location, got.process, got.from_context) == ("optimize_assignment", "横浜", "検品", True)


def test_a_short_new_ask_inherits_the_site_but_an_analysis_not_the_day(previous):
    got = parse("じゃあ勤怠は？", REF, previous)
    assert (got.intent, got.location, got.date, got.from_context) == ("analyze_attendance", "横浜", "", True)
    what_if = parse("2名休んだら？", REF, previous)
    assert (what_if.intent, what_if.location, what_if.date) == ("simulate_assignment", "横浜", "2026-11-26")


def test_a_complete_new_request_is_not_a_follow_up(previous):
    got = parse("札幌拠点の冬場の欠勤対策ノウハウを探してください", REF, previous)
    assert (got.intent, got.location, got.date, got.from_context) == ("search_knowledge", "札幌", "", False)


def test_extra_words_make_the_follow_up_unsure(previous):
    got = parse("明日は雨が降る？", REF, previous)
    assert got.from_context and got.confidence < 0.7


def test_off_topic_or_no_previous_is_not_inherited(previous):
    assert parse("天気は？", REF, previous).intent == "unsupported"
    alone = parse("札幌は？", REF)
    assert (alone.intent, alone.location, alone.from_context) == ("unsupported", "札幌", False)
    after_unsupported = parse("札幌は？", REF, parse("今日の天気は？", REF))
    assert after_unsupported.intent == "unsupported"
