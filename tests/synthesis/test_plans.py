"""Plans built from realistic engine data: content, ordering, citations, and every number traceable."""
from __future__ import annotations

import random

import pytest

from aimee.synthesis.v1 import synthesis_pb2 as syn
from services.common.errors import InvalidArgument
from services.synthesis import facts, writer
from services.synthesis.builders import resolve_mode
from services.synthesis.composer import llm_budget
from tests.synthesis import fixtures as f
from tests.synthesis.helpers import all_text, compose, prepared, untraceable

ALERT_Q = "アラート#42（横浜 月曜日の欠勤率上昇（9/29〜11/24））の改善提案"

CASES = {
    "optimize": lambda: f.request("optimize", parts=f.FULL),
    "optimize_no_current": lambda: f.request("optimize", parts=("overview", "plan", "knowledge")),
    "simulate": lambda: f.request("optimize", parts=("overview", "simulation", "knowledge"),
                                  query="品川から1名応援が来たら明日の横浜はどうなる？", intent_name="simulate_assignment"),
    "alert_improve_solver_down": lambda: f.request("alert_improve", parts=("alert", "overview", "knowledge"),
                                                   query=ALERT_Q, degraded=(("solver", "unavailable"),)),
    "query": lambda: f.request("query", parts=("overview", "alert_stats"), query="現在のアラート件数は？",
                               intent_name="simple_query", data_required="alerts"),
    "analyze_productivity": lambda: f.request("analyze", parts=("overview", "productivity", "knowledge"),
                                              query="横浜の生産性を分析して", intent_name="analyze_productivity"),
    "analyze_attendance": lambda: f.request("analyze", parts=("overview", "attendance", "knowledge"),
                                            query="横浜の欠勤の傾向は？", intent_name="analyze_attendance"),
    "alert_analyze": lambda: f.request("alert_analyze", parts=("alert", "overview", "attendance", "knowledge"),
                                       query=ALERT_Q.replace("改善提案", "原因分析")),
    "alert_improve": lambda: f.request("alert_improve", parts=("alert", "overview", "plan", "knowledge"), query=ALERT_Q),
    "forecast": lambda: f.request("forecast", parts=("forecast", "overview"), query="横浜の業務量を予測して",
                                  intent_name="forecast_workload"),
    "search_knowledge": lambda: f.request("search_knowledge", parts=("knowledge",), query="月曜の欠勤対策",
                                          intent_name="search_knowledge"),
    "unsupported": lambda: f.request("unsupported", parts=(), query="今日の天気は？", intent_name="unsupported"),
    "solver_down": lambda: f.request("optimize", parts=("overview", "knowledge"), degraded=(("solver", "timeout"),)),
    "analytics_down": lambda: f.request("optimize", parts=("plan", "knowledge"), degraded=(("analytics", "unavailable"),)),
    "all_down": lambda: f.request("optimize", parts=(), degraded=(("analytics", "timeout"), ("solver", "timeout"),
                                                                   ("knowledge", "timeout"))),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_number_in_every_mode_is_traceable_to_engine_data(case):
    assert untraceable(CASES[case]()) == {}


async def test_optimize_priorities_are_ordered_by_alerts_times_severity_then_deviation():
    c = await compose(CASES["optimize"]())
    p = c.plan.priority_analysis
    assert list(p) == ["1", "2", "3", "4"]
    # weights: overtime 3 x 3.3 = 9.9 > absence 2 x 3.5 = 7.0 > productivity 3 x 2.0 = 6.0; shortage has no alert
    assert p["1"].startswith("残業時間超過アラート（3件）")
    assert p["2"].startswith("欠勤増加アラート（2件）") and "月曜の欠勤率18.5%" in p["2"]
    assert p["3"].startswith("生産性低下アラート（3件）") and "前30日比-4.2%" in p["3"]
    assert p["4"].startswith("検品・午前の人員不足（2.5人時）") and "不足合計4.0人時" in p["4"]
    assert c.answer == "横浜拠点の最優先課題は残業時間超過アラート（3件）です。"
    assert c.model_chain == ["deterministic-writer"]


async def test_optimize_actions_come_from_the_solver_plan():
    c = await compose(CASES["optimize"]())
    actions = {a.action: a for a in c.plan.action_plan}
    apply = actions["最適化配置案の適用"]
    assert "変更5件" in apply.method and "出勤可能14名のうち13名" in apply.method
    assert apply.expected_effect.startswith("充足率 現在の配置84.4% → 配置案93.5%（+9.1ポイント）")
    assert "9.7人時 → 4.0人時" in apply.expected_effect
    assert apply.sources == ["solver"]
    veteran = actions["検品・午前の不足解消（2.5人時）"]
    assert "熟練者" in veteran.method and "熟練者の出勤が2名のみ" in veteran.method
    assert "93.5% → 97.6%" in veteran.expected_effect  # (58.0 + 2.5) / 62.0
    assert "出勤可能な人数" in actions["梱包・午後の不足解消（1.5人時）"].method
    assert actions["他拠点からの応援（1名）"].cost == "移動費 合計1,200円（ソルバー計算値）"
    assert "佐藤（品川から）" in actions["他拠点からの応援（1名）"].method
    assert all(a.timeline and a.cost and a.expected_effect for a in c.plan.action_plan)


async def test_optimize_cites_only_the_knowledge_that_applies():
    c = await compose(CASES["optimize"]())
    actions = {a.action: a for a in c.plan.action_plan}
    assert "doc-ot-02" in actions["残業の平準化"].sources
    assert "16時以降の新規業務を停止" in actions["残業の平準化"].method
    assert {"doc-rules-01", "rag_context:7"} <= set(actions["月曜の配置調整"].sources)
    assert sorted(c.knowledge_used) == ["doc-ot-02:1", "doc-rules-01:0"]
    assert "doc-misc:0" not in c.knowledge_used  # 梱包資材の発注: retrieved, but about no problem found here
    assert c.context_used == [7]


async def test_forecast_is_computed_from_solver_and_analytics_and_says_so():
    c = await compose(CASES["optimize"]())
    q = c.plan.quantitative_forecast
    assert q["充足率"] == "現在の配置 84.4% → 配置案 93.5%（+9.1ポイント）"
    assert q["不足人時"] == "現在の配置 9.7人時 → 配置案 4.0人時（58.8%減）"  # (9.7 - 4.0) / 9.7
    assert q["残業時間"] == "現在の配置 8.5時間 → 配置案 6.0時間"
    assert q["欠勤率"] == "月曜 18.5%／他の曜日平均 6.8%"
    assert "実績ではありません" in q["算出根拠"]
    without = await compose(CASES["optimize_no_current"]())
    assert without.plan.quantitative_forecast["充足率"] == "配置案 93.5%（需要62.0人時・充足58.0人時）"
    assert "→" not in without.plan.quantitative_forecast["充足率"]


async def test_simulation_reports_baseline_to_scenario_and_the_delta():
    c = await compose(CASES["simulate"]())
    q = c.plan.quantitative_forecast
    assert q["充足率"] == "シミュレーション前 84.4% → 配置案 93.5%（+9.1ポイント）"
    assert q["シミュレーション差分"] == "不足-5.7人時、充足率+9.1ポイント、残業-2.5時間"
    assert "最適化配置案の適用" in [a.action for a in c.plan.action_plan]
    assert c.plan.priority_analysis["4"].startswith("検品・午前の人員不足（2.5人時）")
    assert "応答しなかった" not in c.narrative
    assert c.narrative.startswith("応援1名の追加で不足が5.7人時減ります。")  # the solver's what-if summary leads


async def test_alert_improve_without_the_solver():
    c = await compose(CASES["alert_improve_solver_down"]())
    assert "最適化エンジンが応答しなかったため、配置案は含まれていません。" in c.narrative
    assert c.plan.action_plan[0].action == "月曜の配置調整"
    assert "最適化配置案の適用" not in [a.action for a in c.plan.action_plan]


def test_other_weekdays_rate_is_the_records_weighted_mean():
    contrast = facts.absence_contrast(prepared(CASES["optimize"]()).inp.data["overview"])
    others = [(r, n) for _, _, r, n in f.WEEKDAYS[1:]]
    assert contrast.weekday == "月"
    assert contrast.others_rate == pytest.approx(sum(r * n for r, n in others) / sum(n for _, n in others))
    assert contrast.diff_pts == pytest.approx((0.185 - contrast.others_rate) * 100)


async def test_monitoring_targets_are_values_from_the_data():
    c = await compose(CASES["optimize"]())
    m = c.monitoring
    assert "充足率・不足人時（配置案 93.5%・4.0人時）" in m.daily_check
    assert "生産性（直近30日平均 85.2%）" in m.weekly_review
    assert "月曜の欠勤率を他の曜日平均6.8%に近づける" in m.success_criteria
    assert "未解決アラート8件を減らす" in m.success_criteria
    assert list(c.plan.implementation_schedule)[:1] == ["Day1"] and "Day7" in c.plan.implementation_schedule


async def test_query_answers_with_the_number_and_todays_adjustments():
    c = await compose(CASES["query"]())
    assert c.answer == "現在、未解決のアラートは横浜で8件です（残業時間超過3件、欠勤増加2件、生産性低下3件）。"
    assert "うち未解決8件（重要度別: 重大2件、高4件、中5件、低3件）" in c.narrative
    assert "本日の配置調整は3件です。" in c.narrative
    assert c.plan.priority_analysis == {} and c.plan.action_plan == []


@pytest.mark.parametrize("required,expected", [
    ("attendance", "直近30日の横浜の出勤率は91.5%です。"),
    ("productivity", "直近30日の横浜の平均生産性は85.2%で、直近7日は前30日比-4.2%です。"),
    ("staff", "横浜の在籍スタッフは15名（うち入社180日以内6名）です。"),
    ("adjustments", "本日の横浜の配置調整は3件です。"),
    ("employees", "横浜の在籍スタッフは15名（うち入社180日以内6名）です。"),
    ("assignments", "本日の横浜の配置調整は3件です。"),
    ("overview", "横浜の現在の状況は、未解決アラート8件、直近30日の平均生産性85.2%、出勤率91.5%、在籍15名です。"),
    ("workload", "業務量の予測はこの質問では計算していません。「横浜の来週の業務量を予測して」のようにご依頼ください。"),
])
async def test_query_topics(required, expected):
    c = await compose(f.request("query", parts=("overview",), query="教えて", intent_name="simple_query",
                                data_required=required))
    assert c.answer == expected


async def test_query_from_alert_stats_only():
    c = await compose(f.request("query", parts=("alert_stats",), query="アラートは何件？", intent_name="simple_query",
                                data_required="alerts"))
    assert c.answer == "現在、未解決のアラートは横浜で8件です。"
    assert "2026-10-26〜2026-11-24に検出されたアラートは14件" in c.narrative


async def test_query_for_all_sites_names_all_sites():
    req = f.request("query", parts=("overview",), query="現在のアラート件数は？", intent_name="simple_query",
                    location="unclear")
    req.data.overview.location = "全拠点"
    assert (await compose(req)).answer.startswith("現在、未解決のアラートは全拠点で8件です")


async def test_analyze_productivity_uses_trend_change_and_process_means():
    c = await compose(CASES["analyze_productivity"]())
    assert c.answer == "横浜拠点の平均生産性は85.2%で、前期間比-2.9ポイントです。"
    # 検品 = (80.1*30 + 80.7*30) / 60 = 80.4, ピッキング = (89.5*40 + 88.3*40) / 80 = 88.9
    assert "検品が80.4%で最も低く、ピッキングが88.9%で最も高い（差8.5ポイント）" in c.narrative
    assert "t値-4.6" in c.narrative
    assert c.plan.priority_analysis["1"].startswith("検品の生産性: 80.4%（期間平均85.2%より4.8ポイント低い）")
    assert c.plan.priority_analysis["2"].startswith("生産性の低下: 前期間比-2.9ポイント")
    assert any(a.action == "検品への熟練者配置" for a in c.plan.action_plan)
    assert "平均生産性を前期間の88.1%以上に戻す" in c.monitoring.success_criteria


async def test_analyze_attendance_uses_the_standouts():
    c = await compose(CASES["analyze_attendance"]())
    assert c.answer == "横浜拠点の欠勤率は8.5%で、最も目立つのは月曜の欠勤率（18.5%）です。"
    assert c.plan.priority_analysis["1"] == "月曜の欠勤率は18.5%で、比較対象（6.8%）より+11.7ポイント、2.7倍です"
    assert c.plan.priority_analysis["2"].startswith("新人の欠勤率は14.2%")
    assert [a.action for a in c.plan.action_plan] == ["月曜の予備人員配置", "新人の勤怠確認"]
    assert "欠勤率は8.5%（勤怠記録305件）" in c.narrative


async def test_alert_analyze_explains_from_evidence_overview_and_knowledge():
    c = await compose(CASES["alert_analyze"]())
    assert c.answer == "アラート#42「横浜 月曜日の欠勤率上昇（9/29〜11/24）」の原因分析です。"
    assert "検知時の数値: 欠勤率 18.5%、他の曜日の欠勤率 6.8%、差 11.7ポイント、倍率 2.7倍" in c.narrative
    assert c.plan.priority_analysis["1"].startswith("アラートの内容（欠勤増加アラート（2件））")
    assert c.plan.priority_analysis["2"].startswith("関連する要因の候補（残業時間超過アラート（3件））")
    assert c.plan.action_plan[0].action == "アラート根拠の確認"
    assert "doc-rules-01:0" in c.knowledge_used


async def test_alert_improve_puts_the_alert_first_and_uses_the_solver_plan():
    c = await compose(CASES["alert_improve"]())
    assert c.plan.priority_analysis["1"].startswith("欠勤増加アラート（2件）: 対象アラート: 横浜 月曜日の欠勤率上昇")
    assert c.plan.action_plan[0].action == "月曜の配置調整"
    assert "最適化配置案の適用" in [a.action for a in c.plan.action_plan]


async def test_forecast_mode_totals_and_peak():
    c = await compose(CASES["forecast"]())
    assert c.answer.startswith("横浜拠点の2026-11-25〜2026-11-27（3日間）の必要人時は合計130.0人時")
    assert c.plan.priority_analysis["1"] == "ピーク日 2026-11-26: 必要48.0人時（期間の1日平均43.3人時）"
    assert c.plan.quantitative_forecast["2026-11-26"] == "48.0人時"
    assert "8.4%" in c.narrative and "12.9%" in c.narrative


async def test_search_knowledge_summarises_hits_and_context():
    c = await compose(CASES["search_knowledge"]())
    assert c.answer == "関連するナレッジが3件見つかりました。"
    assert "1. 「月曜朝の配置ルール」" in c.narrative
    assert c.knowledge_used == ["doc-rules-01:0", "doc-ot-02:1", "doc-misc:0"]
    assert c.context_used == [7, 9]


async def test_unsupported_is_a_polite_message_about_what_aimee_can_do():
    c = await compose(CASES["unsupported"]())
    assert c.answer == "申し訳ありませんが、このご依頼にはお答えできません。"
    assert "アラートの改善提案" in c.narrative and "配置の最適化" in c.narrative
    assert c.grounding.numbers_checked == 0
    assert c.plan.priority_analysis == {} and c.model_chain == ["deterministic-writer"]


# ---- degraded inputs -----------------------------------------------------------------------------------
async def test_solver_down_is_said_plainly_and_no_plan_is_invented():
    c = await compose(CASES["solver_down"]())
    assert "最適化エンジンが応答しなかったため、配置案は含まれていません。" in c.narrative
    text = all_text(c)
    assert "最適化配置案の適用" not in text and "充足率" not in text and "人時" not in text
    assert "HiGHS" not in c.plan.quantitative_forecast["算出根拠"]
    assert c.plan.priority_analysis["1"].startswith("残業時間超過アラート（3件）")  # analytics still ranks


async def test_analytics_down_plans_from_the_solver_only():
    c = await compose(CASES["analytics_down"]())
    assert "分析エンジンが応答しなかったため、アラート・生産性・勤怠の集計は含まれていません。" in c.narrative
    assert "未解決アラート" not in str(c.plan.quantitative_forecast) + str(c.monitoring)
    assert [v.split("（")[0] for v in c.plan.priority_analysis.values()] == ["検品・午前の人員不足", "残業の発生: 配置案でも残業が計6.0時間"]
    assert c.plan.action_plan[0].action == "最適化配置案の適用"


async def test_knowledge_down_says_so_and_cites_nothing():
    c = await compose(f.request("optimize", parts=("overview", "plan"), degraded=(("knowledge", "timeout"),)))
    assert "ナレッジ検索エンジンが応答しなかったため、過去のノウハウ（ナレッジ検索結果）は含まれていません。" in c.narrative
    assert c.knowledge_used == [] and c.context_used == []


async def test_everything_down_still_answers_honestly():
    c = await compose(CASES["all_down"]())
    assert c.answer == "横浜拠点について、計算に使えるデータがありませんでした。"
    for engine in ("分析エンジン", "最適化エンジン", "ナレッジ検索エンジン"):
        assert f"{engine}が応答しなかったため" in c.narrative
    assert c.plan.action_plan == [] and c.plan.quantitative_forecast == {}


async def test_partial_engine_and_intent_degradation_are_mentioned():
    c = await compose(f.request("optimize", parts=f.FULL, degraded=(("analytics", "timeout"), ("intent", "timeout"))))
    assert "分析エンジンの一部の処理が応答しなかったため" in c.narrative
    assert "意図解析エンジンが応答しなかったため" in c.narrative


async def test_query_with_analytics_down():
    c = await compose(f.request("query", parts=(), query="現在のアラート件数は？", intent_name="simple_query",
                                degraded=(("analytics", "timeout"),)))
    assert c.answer == "必要な数値を取得できなかったため、お答えできません。"
    assert "分析エンジンが応答しなかったため、アラート・生産性・勤怠の集計・アラート統計は含まれていません。" in c.narrative


# ---- small contracts -----------------------------------------------------------------------------------
def test_llm_budget_shrinks_to_the_callers_deadline():
    assert llm_budget(20.0, None) == 20.0
    assert llm_budget(20.0, 4.0) == pytest.approx(3.6)       # 10% of the time left is kept back
    assert llm_budget(20.0, 1.0) == pytest.approx(0.75)      # at least 0.25 s kept back
    assert llm_budget(2.0, 30.0) == 2.0


def test_mode_resolution():
    assert resolve_mode("", "simple_query") == "query"
    assert resolve_mode("", "simulate_assignment") == "optimize"
    assert resolve_mode("forecast", "improve_alerts") == "forecast"
    with pytest.raises(InvalidArgument, match="optimize"):
        resolve_mode("dance", "")


@pytest.mark.parametrize("case", sorted(CASES))
def test_sentence_chunks_rebuild_the_narrative(case):
    text = prepared(CASES[case]()).deterministic
    chunks = writer.sentences(text)
    assert "".join(chunks) == text and len(chunks) >= 2


def _random_request(rng: random.Random) -> syn.ComposeRequest:
    """The same shapes with other numbers: builders must never produce a number the data lacks."""
    req = f.request(rng.choice(["optimize", "alert_improve"]), parts=("alert", *f.FULL))
    o = req.data.overview
    for row in o.alerts_by_type:
        row.count = rng.randint(0, 6)
        row.severity_score = round(rng.uniform(1, 4), 2)
    o.alert_count = sum(r.count for r in o.alerts_by_type)
    for w in o.absence_by_weekday:
        w.absence_rate = round(rng.uniform(0.0, 0.3), 4)
        w.records = rng.randint(0, 80)
    o.productivity_avg = round(rng.uniform(70, 110), 2)
    o.productivity_change_pct = round(rng.uniform(-9, 5), 2)
    o.overtime_hours_avg = round(rng.uniform(0, 3), 2)
    o.active_staff, o.new_staff = rng.randint(1, 60), rng.randint(0, 10)
    for plan in (req.data.plan, req.data.current_plan):
        k = plan.kpis
        k.demand_staff_hours = round(rng.uniform(20, 200), 1)
        k.covered_staff_hours = round(k.demand_staff_hours * rng.uniform(0.6, 1.0), 2)
        k.shortage_staff_hours = round(k.demand_staff_hours - k.covered_staff_hours, 2)
        k.coverage_pct = round(k.covered_staff_hours / k.demand_staff_hours * 100, 2)
        k.overtime_hours = round(rng.uniform(0, 12), 1)
        k.expected_productivity = round(rng.uniform(80, 110), 2)
        k.changes_from_current = rng.randint(0, 20)
    for s in req.data.plan.shortages:
        s.staff_hours = round(rng.uniform(0, 5), 2)
    req.data.plan.transfers[0].travel_cost = round(rng.uniform(0, 5000), 0)
    return req


@pytest.mark.parametrize("seed", range(30))
def test_traceability_holds_for_random_engine_numbers(seed):
    assert untraceable(_random_request(random.Random(seed))) == {}
