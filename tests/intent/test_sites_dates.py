"""Site spellings and date phrases, table-driven against a fixed reference date (2026-11-25, a Wednesday)."""
from __future__ import annotations

import datetime as dt

import pytest

from services.intent.dates import find_dates, next_occurrence, primary
from services.intent.sites import find_sites, names_all_sites
from services.intent.text import normalize

REF = dt.date(2026, 11, 25)


@pytest.mark.parametrize("text, site", [
    ("横浜拠点", "横浜"), ("よこはまセンター", "横浜"), ("ヨコハマ", "横浜"), ("Yokohama site", "横浜"),
    ("ＹＯＫＯＨＡＭＡ", "横浜"), ("ｼﾅｶﾞﾜ倉庫", "品川"), ("shinagawa", "品川"), ("さっぽろ支店", "札幌"),
    ("SAPPORO", "札幌"), ("おおさか", "大阪"), ("Osaka warehouse", "大阪"), ("させぼ", "佐世保"), ("Sasebo", "佐世保"),
])
def test_site_spellings_map_to_the_canonical_name(text, site):
    assert [m.name for m in find_sites(normalize(text))] == [site]


def test_sites_are_listed_in_order_and_romaji_needs_a_word_start():
    assert [m.name for m in find_sites(normalize("佐世保倉庫から品川へ"))] == ["佐世保", "品川"]
    assert find_sites(normalize("higashiosaka")) == []
    assert find_sites(normalize("横浜センターの件"))[0].phrase == "横浜センター"


def test_all_sites_words():
    assert names_all_sites(normalize("全拠点の明日の配置"))
    assert names_all_sites(normalize("すべての拠点で"))
    assert not names_all_sites(normalize("横浜拠点"))


@pytest.mark.parametrize("text, day", [
    ("今日", "2026-11-25"), ("本日の", "2026-11-25"), ("明日", "2026-11-26"), ("あした", "2026-11-26"),
    ("明後日", "2026-11-27"), ("あさって", "2026-11-27"), ("昨日", "2026-11-24"), ("一昨日", "2026-11-23"),
    ("来週月曜", "2026-11-30"), ("来週の水曜日", "2026-12-02"), ("今週金曜", "2026-11-27"), ("先週月曜", "2026-11-16"),
    ("3日後", "2026-11-28"), ("三日後", "2026-11-28"), ("2日前", "2026-11-23"), ("11/30", "2026-11-30"),
    ("１１／３０", "2026-11-30"), ("12月1日", "2026-12-01"), ("2026-12-01", "2026-12-01"), ("2027年1月5日", "2027-01-05"),
    ("1/5", "2027-01-05"), ("30日の配置", "2026-11-30"), ("tomorrow's plan", "2026-11-26"), ("next monday", "2026-11-30"),
])
def test_day_phrases_resolve_against_the_reference_date(text, day):
    mention = primary(find_dates(normalize(text), REF))
    assert mention is not None and mention.day == dt.date.fromisoformat(day)


@pytest.mark.parametrize("text, first, last", [
    ("来週の予測", "2026-11-30", "2026-12-06"), ("今週", "2026-11-23", "2026-11-29"), ("来月", "2026-12-01", "2026-12-31"),
    ("先月と比べて", "2026-10-01", "2026-10-31"), ("直近7日で", "2026-11-19", "2026-11-25"),
    ("next week's workload", "2026-11-30", "2026-12-06"),
])
def test_periods(text, first, last):
    mention = primary(find_dates(normalize(text), REF))
    assert mention.period == (dt.date.fromisoformat(first), dt.date.fromisoformat(last))


def test_bare_weekdays_and_non_dates():
    monday = primary(find_dates(normalize("月曜日に欠勤が多い"), REF))
    assert (monday.weekday, monday.day, monday.recurring) == (0, None, False)
    assert primary(find_dates(normalize("毎週月曜の朝"), REF)).recurring
    assert next_occurrence(0, REF) == dt.date(2026, 11, 30)
    assert next_occurrence(2, REF) == REF  # 水曜 said on a Wednesday is today
    for text in ("2/30", "2割増えたら", "曜日別出勤率", "直近7日の推移は14件"):
        assert not any(m.day for m in find_dates(normalize(text), REF)), text


def test_a_day_inside_a_longer_phrase_is_read_once():
    mentions = find_dates(normalize("来週月曜の配置"), REF)
    assert [(m.phrase, m.day) for m in mentions] == [("来週月曜", dt.date(2026, 11, 30))]
