"""The typed question read from everyday requests: metric synonyms, filters, periods, grouping, ranking,
all-sites words, follow-ups — general rules checked on phrasings that are not the dev set's."""
from __future__ import annotations

import datetime as dt

import pytest

from services.intent import parser
from services.intent.model import Intent
from services.intent.question.model import Question

REF = dt.date(2026, 12, 1)   # a Tuesday


def q(text: str, previous: Intent | None = None) -> Question | None:
    return parser.parse(text, REF, previous).question


@pytest.mark.parametrize("text, metric", [
    ("札幌で検品を任せられる人は何人？", "qualified_headcount"),
    ("大阪で仕分けの有資格者は何人？", "qualified_headcount"),
    ("品川で一番スキルが高い梱包の人は？", "skill_level"),
    ("昨日の横浜の休みは何人？", "absence_count"),
    ("先週の大阪の欠勤率は？", "absence_rate"),
    ("今日の札幌の出勤者数は？", "attended_count"),
    ("先月の品川の遅刻は何件？", "late_count"),
    ("先月の横浜の早退は何回？", "early_leave_count"),
    ("札幌の先月の有給取得日数は？", "paid_leave_days"),
    ("品川の昨日の時間外の合計は？", "overtime_hours"),
    ("大阪の先月の効率は？", "productivity"),
    ("佐世保の先月の処理件数は？", "units_processed"),
    ("明日の横浜の物量は？", "forecast_units"),
    ("明日の品川の必要人時は？", "forecast_staff_hours"),
    ("明日の札幌の検品に割り振られた人数は？", "assigned_people"),
    ("明日、大阪で出勤予定の人数は？", "scheduled_people"),
    ("明日の札幌で休みの人は誰？", "off_people"),
    ("横浜の未解決アラートは何件？", "alert_count"),
    ("大阪の派遣社員は何人？", "headcount"),
    # everyday wordings of the same metrics (holdout probing)
    ("品川で昨日来なかった人は何人？", "absence_count"),
    ("札幌で先月よく遅れてきた人は？", "late_count"),
    ("大阪で先月一番早く帰った人は？", "early_leave_count"),
    ("大阪のスタッフ数は？", "headcount"),
    ("横浜で検品の資格を持っている人は？", "qualified_headcount"),
])
def test_metric_synonyms(text, metric):
    question = q(text)
    assert question is not None and question.metric == metric, question


@pytest.mark.parametrize("text, start, end", [
    ("今日の横浜の欠勤者数は？", "2026-12-01", "2026-12-01"),
    ("昨日の横浜の欠勤者数は？", "2026-11-30", "2026-11-30"),
    ("明後日の横浜の業務量予測は？", "2026-12-03", "2026-12-03"),
    ("先週の横浜の欠勤率は？", "2026-11-23", "2026-11-29"),
    ("来週の横浜の業務量予測は？", "2026-12-07", "2026-12-13"),
    ("先々月の横浜の欠勤率は？", "2026-10-01", "2026-10-31"),
    ("10月の横浜の残業時間の合計は？", "2026-10-01", "2026-10-31"),
    ("12月5日の横浜の業務量予測は？", "2026-12-05", "2026-12-05"),
    ("直近14日の横浜の欠勤率は？", "2026-11-18", "2026-12-01"),
    ("来週月曜の横浜の業務量予測は？", "2026-12-07", "2026-12-07"),
    ("年末までの横浜の業務量予測は？", "2026-12-01", "2026-12-31"),
])
def test_period_phrases_resolve_to_dates(text, start, end):
    question = q(text)
    assert (question.date_from, question.date_to) == (start, end)


def test_filters():
    assert q("大阪のパートの人数は？").employment_type == "part_time"
    assert q("品川の正社員は何人？").employment_type == "full_time"
    assert q("横浜の新人は誰？").hired_within_days == 183
    assert q("入社1年以内の横浜の人数は？").hired_within_days == 365
    veteran = q("横浜の検品のベテランは誰？")
    assert (veteran.skill_min, veteran.process, veteran.group_by, veteran.order) == (4, "検品", "employee", "")
    assert q("品川のスキル2以下の人数は？").skill_max == 2
    alert = q("全拠点で未解決の人員不足アラートは何件？")
    assert (alert.alert_type, alert.alert_status, alert.all_sites, alert.group_by) == \
        ("staffing_shortage", "open", True, "")
    assert q("重要度が高のアラートはいくつ？").alert_severity == "high"
    assert q("明日の横浜の午前の検品には何人入ってる？").time_block == "morning"
    assert q("月曜日に欠勤が多いのはどの拠点？").weekday == "月"
    assert q("横浜の田中 太郎さんの先月の残業時間は？").employee_name == "田中 太郎"
    assert q("横浜の田中さんの先月の残業時間は？").employee_name == "田中"


def test_grouping_ranking_and_all_sites():
    who = q("大阪で先月遅刻が多かった人は誰？")
    assert (who.group_by, who.order, who.top_n) == ("employee", "desc", 0)
    where = q("先月、生産性が一番低かった拠点は？")
    assert (where.group_by, where.order, where.all_sites, where.sites) == ("site", "asc", True, ())
    top = q("先月、品川で残業が多い上位3人は？")
    assert (top.top_n, top.group_by) == (3, "employee")
    worst = q("先月の欠勤率ワーストの拠点は？")
    assert worst.order == "desc"   # the bad end of absence is the high end
    both = q("札幌と大阪の先月の残業時間を比べて")
    assert both.sites == ("札幌", "大阪") and both.compare and both.group_by == "site"
    every = q("全拠点の残業時間を比べて")
    assert every.all_sites and every.group_by == "site"
    by_process = q("大阪拠点で生産性が低い工程はどこ？")
    assert (by_process.group_by, by_process.order) == ("process", "asc")
    periods = q("佐世保のピッキング生産性を先月と比べて")
    assert (periods.compare_date_from, periods.date_from, periods.date_to) == ("2026-11-01", "2026-12-01", "2026-12-01")


def test_no_site_is_left_missing_not_defaulted():
    question = q("先月一番残業した人は？")
    assert question.sites == () and not question.all_sites


@pytest.mark.parametrize("text", [
    "横浜拠点の明日の配置を最適化して", "品川の勤怠パターンを分析して", "大阪で2名欠勤したら配置はどうなる？",
    "佐世保の残業を減らすノウハウはある？", "横浜拠点のアラートを改善して", "今日の天気は？",
])
def test_consultations_and_out_of_domain_are_not_questions(text):
    assert q(text) is None


def test_follow_ups_edit_the_previous_question():
    first = parser.parse("横浜で先月一番残業した人は？", REF)
    site = parser.parse("じゃあ品川は？", REF, first)
    assert site.question.sites == ("品川",) and site.question.metric == "overtime_hours"
    assert site.question.date_from == "2026-11-01"
    week = parser.parse("先週は？", REF, site)
    assert week.question.sites == ("品川",) and week.question.date_from == "2026-11-23"
    top = parser.parse("上位3人は？", REF, week)
    assert (top.question.top_n, top.question.group_by, top.question.date_from) == (3, "employee", "2026-11-23")
    other = parser.parse("大阪の欠勤率は？", REF, top)
    assert other.question.metric == "absence_rate" and other.question.sites == ("大阪",)


def test_conversation_site_fills_a_site_less_question():
    first = parser.parse("横浜の在籍人数は？", REF)
    follow = parser.parse("先月一番残業した人は？", REF, first)
    assert follow.question.sites == ("横浜",)


def test_what_if_names_the_absentee_and_demand():
    named = parser.parse("横浜で田中さんが休んだら明日どうなる？", REF)
    assert named.intent == "simulate_assignment" and named.absent_employee_names == ("田中",)
    assert named.question is None
    demand = parser.parse("横浜の明日の物量が20%減ったら残業はどうなる？", REF)
    assert demand.demand_change_pct == -20.0


def test_exact_skill_attendance_rate_and_ranking_lists():
    exact = q("横浜のスキル5の人は誰？")
    assert (exact.skill_min, exact.skill_max, exact.group_by) == (5, 5, "employee")
    assert q("横浜の昨日の出勤率は？").metric == "attendance_rate"
    ranking = q("先月の残業ランキングを拠点ごとに")
    assert (ranking.group_by, ranking.order, ranking.top_n) == ("site", "desc", 10)


@pytest.mark.parametrize("text", ["品川の派遣社員の割合は？", "横浜で一番若い人は？", "大阪の人件費はいくら？",
                                  "先月、札幌で退職した人は何人？"])
def test_questions_the_data_cannot_answer_are_marked(text):
    assert q(text).metric == "out_of_model"


def test_defined_rates_are_not_out_of_model():
    assert q("横浜の先月の欠勤の割合は？").metric == "absence_rate"


def test_qualifying_words_in_a_count_question_do_not_rank():
    high = q("全拠点で重要度が高いアラートは何件？")
    assert (high.alert_severity, high.group_by, high.order) == ("high", "", "")
    busiest = q("アラートが一番多い拠点は？")
    assert (busiest.group_by, busiest.order) == ("site", "desc")
    new = q("品川で入社半年以内の人は誰？")
    assert (new.metric, new.hired_within_days, new.group_by) == ("headcount", 183, "employee")


def test_which_of_two_sites():
    which = q("横浜と品川で、先月欠勤率が高いのはどっち？")
    assert (which.sites, which.group_by, which.order) == (("横浜", "品川"), "site", "desc")


def test_whole_company_words_without_a_site():
    whole = q("派遣社員は全部で何人？")
    assert whole.all_sites and whole.sites == ()
    assert q("横浜の派遣社員は全部で何人？").sites == ("横浜",)
