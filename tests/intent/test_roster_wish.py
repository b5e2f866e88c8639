"""Roster what-ifs read from chat (「佐藤さんが水曜休み希望だったら」): who, which day, over which period and at
which site; requests that only look alike stay on their own paths (a shift question, a roster request, the
daily absence what-if)."""
from __future__ import annotations

import datetime as dt

import pytest

from aimee.intent.v1 import intent_pb2
from services.intent.parser import parse
from services.intent.wire import from_proto, to_proto

TUESDAY = dt.date(2026, 12, 1)          # next week: Mon 12/7 - Sun 12/13
MONDAY = dt.date(2026, 12, 7)           # said on a Monday, 来週 is the Monday a week later (PlanRoster's default)


@pytest.mark.parametrize("query, name, day, period, site", [
    ("佐藤さんが水曜休み希望だったら", "佐藤", "2026-12-09", ("2026-12-07", "2026-12-13"), "unclear"),
    ("来週の横浜で鈴木さんが金曜に休みたいと言ったらどうなる？", "鈴木", "2026-12-11", ("2026-12-07", "2026-12-13"), "横浜"),
    ("品川の田中 一郎さんが水曜日に休みたいそうです", "田中 一郎", "2026-12-09", ("2026-12-07", "2026-12-13"), "品川"),
    ("佐藤さんが12月9日に休暇を取ったらどうなる？", "佐藤", "2026-12-09", ("2026-12-07", "2026-12-13"), "unclear"),
    ("再来週の札幌で山田さんが月曜に休んだらシフトはどうなる？", "山田", "2026-12-14", ("2026-12-14", "2026-12-20"), "札幌"),
    ("大阪の高橋さんが12月25日に有給を取りたいと言っています", "高橋", "2026-12-25", ("2026-12-21", "2026-12-27"), "大阪"),
    ("来週の佐世保で伊藤さんが土曜休み希望を出したら", "伊藤", "2026-12-12", ("2026-12-07", "2026-12-13"), "佐世保"),
    ("来週水曜に横浜の佐藤さんが希望休を入れたら", "佐藤", "2026-12-09", ("2026-12-07", "2026-12-13"), "横浜"),
])
def test_a_day_off_wish_is_read(query, name, day, period, site):
    intent = parse(query, TUESDAY)
    assert intent.roster_wish is not None, intent
    assert (intent.roster_wish.employee_name, intent.roster_wish.date) == (name, day)
    assert (intent.date_from, intent.date_to) == period and intent.location == site
    assert intent.intent == "simulate_assignment" and intent.confidence >= 0.9
    assert intent.date == "" and intent.question is None and intent.absent_employee_names == ()


def test_next_week_said_on_a_monday_starts_a_week_later():
    intent = parse("佐藤さんが水曜休み希望だったら", MONDAY)
    assert (intent.date_from, intent.date_to, intent.roster_wish.date) == ("2026-12-14", "2026-12-20", "2026-12-16")


def test_a_day_outside_the_named_period_is_kept_for_the_gateway_to_refuse():
    intent = parse("来週の横浜で佐藤さんが12月25日に休み希望だったら", TUESDAY)
    assert intent.roster_wish.date == "2026-12-25" and (intent.date_from, intent.date_to) == ("2026-12-07", "2026-12-13")


def test_the_conversations_site_is_used_when_none_is_named():
    previous = parse("来週の品川のシフトを作って", TUESDAY)
    intent = parse("佐藤さんが水曜休み希望だったら", TUESDAY, previous)
    assert intent.location == "品川" and intent.from_context and intent.roster_wish.employee_name == "佐藤"
    named = parse("横浜の佐藤さんが水曜休み希望だったら", TUESDAY, previous)
    assert named.location == "横浜"


@pytest.mark.parametrize("query", [
    "佐藤さんの来週のシフトは？",                     # a question about a person's shifts
    "来週の横浜のシフトを作って",                     # the roster request itself
    "横浜で田中さんが休んだら明日どうなる？",           # the daily what-if (Simulate with an absentee)
    "明日、横浜で田中さんが休んだら配置はどうなる？",
    "来週の横浜で休み希望を出している人は誰？",         # no person
    "佐藤さんは休み希望を出していますか？",             # no day
    "毎週水曜に佐藤さんが休みたい場合",                 # a weekday in general, not one day
    "横浜の派遣さんが水曜に休みたいと言ったら",         # a group, not a person
])
def test_look_alikes_are_not_roster_wishes(query):
    assert parse(query, TUESDAY).roster_wish is None


def test_daily_absence_what_if_is_unchanged():
    intent = parse("横浜で田中さんが休んだら明日どうなる？", TUESDAY)
    assert intent.absent_employee_names == ("田中",) and intent.date == "2026-12-02"


def test_the_wish_crosses_the_wire_both_ways():
    intent = parse("来週の横浜で鈴木さんが金曜に休みたいと言ったらどうなる？", TUESDAY)
    message = to_proto(intent)
    assert message.roster_wish == intent_pb2.RosterWish(employee_name="鈴木", date="2026-12-11", day_phrase="金曜")
    assert from_proto(message) == intent
    assert not to_proto(parse("来週の横浜のシフトを作って", TUESDAY)).HasField("roster_wish")


@pytest.mark.parametrize("follow_up, name, day, period, site", [
    ("じゃあ木曜は？", "佐藤", "2026-12-10", ("2026-12-07", "2026-12-13"), "横浜"),
    ("鈴木さんは？", "鈴木", "2026-12-09", ("2026-12-07", "2026-12-13"), "横浜"),
    ("じゃあ再来週は？", "佐藤", "2026-12-16", ("2026-12-14", "2026-12-20"), "横浜"),
    ("品川は？", "佐藤", "2026-12-09", ("2026-12-07", "2026-12-13"), "品川"),
    ("じゃあ金曜に休みたいと言ったら？", "佐藤", "2026-12-11", ("2026-12-07", "2026-12-13"), "横浜"),
])
def test_a_follow_up_changes_only_what_it_names(follow_up, name, day, period, site):
    previous = parse("来週の横浜で佐藤さんが水曜休み希望だったら", TUESDAY)
    wish = parse(follow_up, TUESDAY, previous)
    assert wish.roster_wish is not None, wish
    assert (wish.roster_wish.employee_name, wish.roster_wish.date, (wish.date_from, wish.date_to), wish.location) == \
        (name, day, period, site)


@pytest.mark.parametrize("other", ["明日の横浜の配置を最適化して", "来週の横浜のシフトを作って", "横浜の新人は誰？"])
def test_another_ask_after_a_wish_starts_afresh(other):
    previous = parse("来週の横浜で佐藤さんが水曜休み希望だったら", TUESDAY)
    assert parse(other, TUESDAY, previous).roster_wish is None


def test_a_date_word_is_not_part_of_the_name():
    assert parse("明日田中さんが休み希望を出したら", TUESDAY).roster_wish.employee_name == "田中"


@pytest.mark.parametrize("first", ["横浜で田中さんが休んだら明日どうなる？", "来週の横浜で鈴木さんが金曜に休みたいと言ったら？"])
def test_a_question_after_a_what_if_is_read_as_the_question(first):
    ref = dt.date(2026, 12, 1)
    after = parse("横浜の新人は誰？", ref, parse(first, ref))
    assert after.question is not None and after.question.metric == "headcount"
    assert after.roster_wish is None and after.intent != "simulate_assignment"
    bare = parse("札幌は？", ref, parse(first, ref))      # a bare slot still follows the what-if up
    assert bare.intent == "simulate_assignment" and bare.location == "札幌"
