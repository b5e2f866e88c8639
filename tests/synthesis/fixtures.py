"""Hand-made, internally consistent engine results for 横浜 (the shapes the engines return).

The numbers follow the planted sample-data patterns (Monday absence, many new staff, overtime) and agree
with each other (coverage = covered / demand, shortage = demand - covered), so a test can trace each number
of an answer back to one field here.
"""
from __future__ import annotations

from google.protobuf import struct_pb2

from aimee.analytics.v1 import analytics_pb2 as a
from aimee.intent.v1 import intent_pb2
from aimee.knowledge.v1 import knowledge_pb2 as k
from aimee.solver.v1 import solver_pb2 as s
from aimee.synthesis.v1 import synthesis_pb2 as syn

WEEKDAYS = [(2, "月", 0.185, 54), (3, "火", 0.071, 56), (4, "水", 0.064, 55), (5, "木", 0.078, 53),
            (6, "金", 0.069, 58), (7, "土", 0.052, 29)]


def overview() -> a.SiteOverview:
    return a.SiteOverview(
        location="横浜", as_of="2026-11-24", alert_count=8,
        alerts_by_type=[
            a.AlertTypeCount(alert_type="overtime_over_limit", label="残業時間超過", count=3, max_severity="high",
                             severity_score=3.3),
            a.AlertTypeCount(alert_type="absence_spike", label="欠勤増加", count=2, max_severity="critical",
                             severity_score=3.5),
            a.AlertTypeCount(alert_type="productivity_drop", label="生産性低下", count=3, max_severity="medium",
                             severity_score=2.0),
        ],
        current_alerts=[a.AdjustmentCount(adjustment_type="process_change", count=4, avg_confidence=0.82),
                        a.AdjustmentCount(adjustment_type="absence_cover", count=3, avg_confidence=0.76)],
        productivity_trend=[a.DailyProductivity(record_date=d, daily_productivity=v, record_count=n) for d, v, n in [
            ("2026-11-23", 83.1, 58), ("2026-11-22", 84.0, 31), ("2026-11-21", 82.7, 60), ("2026-11-20", 85.9, 59),
            ("2026-11-19", 86.4, 61), ("2026-11-18", 84.8, 60), ("2026-11-17", 81.9, 52)]],
        attendance_pattern=[a.AttendanceCell(day_of_week=2, weekday_name="月", attendance_status="absent", count=10,
                                             rate=0.185),
                            a.AttendanceCell(day_of_week=2, weekday_name="月", attendance_status="present", count=41,
                                             rate=0.759)],
        productivity_avg=85.2, attendance_rate=91.5,
        absence_by_weekday=[a.WeekdayRate(day_of_week=d, weekday_name=n, absence_rate=r, records=c)
                            for d, n, r, c in WEEKDAYS],
        worst_absence_weekday="月", overtime_hours_avg=1.8, active_staff=15, new_staff=6,
        productivity_change_pct=-4.2, adjustments_today=3, alerts_today=1,
        absence_rate=8.5, attendance_records=305, productivity_records=412,
    )


def plan() -> s.Plan:
    return s.Plan(
        location="横浜", date="2026-11-25",
        assignments=[
            s.PlannedAssignment(employee_id=101, employee_name="山田", home_location="横浜", process="検品",
                                time_block="morning", hours=4.0, changed_from_current=True, expected_productivity=104.0,
                                skill_level=5),
            s.PlannedAssignment(employee_id=102, employee_name="鈴木", home_location="横浜", process="ピッキング",
                                time_block="morning", hours=4.0, expected_productivity=96.5, skill_level=4),
            s.PlannedAssignment(employee_id=215, employee_name="佐藤", home_location="品川", process="梱包",
                                time_block="afternoon", hours=4.0, changed_from_current=True,
                                expected_productivity=88.0, skill_level=3),
            s.PlannedAssignment(employee_id=103, employee_name="高橋", home_location="横浜", process="出荷",
                                time_block="overtime", hours=2.0, is_overtime=True, expected_productivity=90.0,
                                skill_level=3),
        ],
        coverage=[
            s.ProcessCoverage(process="ピッキング", time_block="morning", demand_staff_hours=24.0, covered_staff_hours=24.0,
                              coverage_pct=100.0, assigned_staff=6, veterans=2),
            s.ProcessCoverage(process="検品", time_block="morning", demand_staff_hours=12.0, covered_staff_hours=9.5,
                              coverage_pct=79.2, shortage_staff_hours=2.5, assigned_staff=3, veterans=2),
            s.ProcessCoverage(process="梱包", time_block="afternoon", demand_staff_hours=16.0, covered_staff_hours=14.5,
                              coverage_pct=90.6, shortage_staff_hours=1.5, assigned_staff=4, veterans=1),
            s.ProcessCoverage(process="出荷", time_block="afternoon", demand_staff_hours=10.0, covered_staff_hours=10.0,
                              coverage_pct=100.0, assigned_staff=3, veterans=1),
        ],
        kpis=s.PlanKpis(demand_staff_hours=62.0, covered_staff_hours=58.0, shortage_staff_hours=4.0, coverage_pct=93.5,
                        overtime_hours=6.0, changes_from_current=5, expected_productivity=91.3, available_staff=14,
                        assigned_staff=13, max_person_overtime_hours=2.0),
        shortages=[
            s.Shortage(process="検品", time_block="morning", staff_hours=2.5, binding_constraint="veteran",
                       reason="検品 午前 2.5人時不足：熟練者の出勤が2名のみ"),
            s.Shortage(process="梱包", time_block="afternoon", staff_hours=1.5, binding_constraint="availability",
                       reason="梱包 午後 1.5人時不足：出勤可能者が不足"),
        ],
        transfers=[s.Transfer(employee_id=215, employee_name="佐藤", from_location="品川", to_location="横浜",
                              travel_cost=1200.0)],
        solver=s.SolverStats(status="Optimal", objective=-5321.4, mip_gap=0.0, build_time_ms=41.2, solve_time_ms=380.5,
                             variables=812, constraints=455),
        optimization_feasible=False, constraint_violations=["人員不足（検品 午前・梱包 午後）"],
        explanation=["熟練者の山田さんを検品の午前に移しました", "品川から佐藤さんの応援で梱包の午後を補います"],
    )


def current_plan() -> s.Plan:
    return s.Plan(location="横浜", date="2026-11-25",
                  kpis=s.PlanKpis(demand_staff_hours=62.0, covered_staff_hours=52.3, shortage_staff_hours=9.7,
                                  coverage_pct=84.4, overtime_hours=8.5, available_staff=14, assigned_staff=12,
                                  expected_productivity=86.9, max_person_overtime_hours=3.0))


def simulation() -> s.SimulateResponse:
    """A what-if (佐藤さんの応援 + 熟練者の配置替え): the stored plan as baseline, the optimised plan as scenario."""
    return s.SimulateResponse(baseline=current_plan(), scenario=plan(),
                              delta=s.KpiDelta(shortage_staff_hours=-5.7, coverage_pct=9.1, overtime_hours=-2.5,
                                               expected_productivity=4.4, assigned_staff=1),
                              explanation=["応援1名の追加で不足が5.7人時減ります"])


def knowledge() -> k.SearchResponse:
    return k.SearchResponse(
        hits=[
            k.KnowledgeHit(doc_id="doc-rules-01", chunk_id="doc-rules-01:0", title="月曜朝の配置ルール",
                           text="横浜拠点では月曜朝の欠勤が多く、生産性が15%低下する傾向がある。熟練者2名を午前に配置し、新人は午後から入れると安定する。",
                           score=0.82, vector_score=0.8, keyword_score=0.7, category="配置ルール", location="横浜",
                           source="management_rules.txt"),
            k.KnowledgeHit(doc_id="doc-ot-02", chunk_id="doc-ot-02:1", title="残業削減の実績",
                           text="16時以降の新規業務を停止し翌日午前に回したところ、残業時間が30%削減された。",
                           score=0.77, vector_score=0.7, keyword_score=0.6, category="成功事例", location="",
                           source="location_practices.txt"),
            k.KnowledgeHit(doc_id="doc-misc", chunk_id="doc-misc:0", title="梱包資材の発注",
                           text="梱包資材は月末にまとめて発注する。", score=0.41, category="現場ノウハウ",
                           source="process_knowhow.txt"),
        ],
        context=[
            k.ContextEntry(context_id=7, context_type="implicit_knowledge", context_key="横浜 月曜 欠勤",
                           context_value="月曜は新人の欠勤が多いため、前週金曜に出勤確認の連絡を入れる。", relevance_score=0.8,
                           use_count=2),
            k.ContextEntry(context_id=9, context_type="implicit_knowledge", context_key="梱包 清掃",
                           context_value="梱包ラインの清掃は金曜の午後に行う。", relevance_score=0.5),
        ])


def productivity() -> a.GetProductivityTrendResponse:
    points = []
    for start, values in (("2026-10-26", {"検品": (80.1, 30), "ピッキング": (89.5, 40), "梱包": (86.3, 35)}),
                          ("2026-11-09", {"検品": (80.7, 30), "ピッキング": (88.3, 40), "梱包": (85.7, 35)})):
        for proc, (mean, n) in values.items():
            points.append(a.TrendPoint(period_start=start, mean=mean, stddev=8.0, sample_size=n, hours_worked=n * 7.5,
                                       process=proc))
    return a.GetProductivityTrendResponse(
        location="横浜", granularity="week", points=points,
        current=a.PeriodSummary(date_from="2026-10-26", date_to="2026-11-24", mean=85.2, stddev=9.1, sample_size=412),
        previous=a.PeriodSummary(date_from="2026-09-26", date_to="2026-10-25", mean=88.1, stddev=8.7, sample_size=398),
        change_pct=-3.3, comparable=True, change_pts=-2.9, change_t=-4.6, group_by="process")


def attendance() -> a.GetAttendancePatternResponse:
    return a.GetAttendancePatternResponse(
        location="横浜", date_from="2026-10-26", date_to="2026-11-24",
        weekdays=[a.WeekdaySummary(day_of_week=d, weekday_name=n, total=c, absence_rate=r, late_rate=0.02,
                                   early_leave_rate=0.01) for d, n, r, c in WEEKDAYS],
        standouts=[
            a.Standout(dimension="weekday", key="月", metric="absence_rate", value=0.185, baseline=0.068,
                       difference_pts=11.7, ratio=2.72, description="月曜日の欠勤率は18.5%で、他の曜日（6.8%）の2.7倍です。",
                       sample_size=54, z_score=3.4),
            a.Standout(dimension="skill_group", key="新人", metric="absence_rate", value=0.142, baseline=0.061,
                       difference_pts=8.1, ratio=2.33, description="新人の欠勤率は14.2%で、その他（6.1%）の2.3倍です。",
                       sample_size=120, z_score=3.1),
        ],
        absence_rate=0.085, total=305)


def alert() -> a.Alert:
    evidence = struct_pb2.Struct()
    evidence.update({"rule": "absence_spike", "subject": "weekday", "day_of_week": 2, "weekday_name": "月",
                     "absence_rate": 0.185, "other_days_rate": 0.068, "difference_pts": 11.7, "ratio": 2.72,
                     "z_score": 3.4, "records": 54, "absent": 10, "source": "attendance_records"})
    return a.Alert(alert_id=42, location="横浜", alert_type="absence_spike", severity="critical", status="open",
                   title="横浜 月曜日の欠勤率上昇（9/29〜11/24）",
                   message="直近8週間（2026-09-29〜2026-11-24）の月曜日の欠勤率（有給除く）は 18.5%（10/54件）で、"
                           "他の曜日の 6.8% より 11.7ポイント高く（2.7倍、z=3.4）なっています。",
                   evidence=evidence, period_start="2026-09-29", period_end="2026-11-24",
                   detected_at="2026-11-24T06:00:00")


def alert_stats() -> a.GetAlertStatsResponse:
    return a.GetAlertStatsResponse(
        total=14, open=8, by_location=[a.CountBucket(key="横浜", count=14)],
        by_type=[a.CountBucket(key="overtime_over_limit", count=6), a.CountBucket(key="absence_spike", count=3)],
        by_severity=[a.CountBucket(key="critical", count=2), a.CountBucket(key="high", count=4),
                     a.CountBucket(key="medium", count=5), a.CountBucket(key="low", count=3)],
        date_from="2026-10-26", date_to="2026-11-24")


def forecast() -> a.ForecastWorkloadResponse:
    pts = []
    for date, pick, insp in (("2026-11-25", 30.0, 12.5), ("2026-11-26", 34.0, 14.0), ("2026-11-27", 28.5, 11.0)):
        pts.append(a.ForecastPoint(date=date, process="ピッキング", forecast_units=pick * 120, lower_units=pick * 100,
                                   upper_units=pick * 140, staff_hours=pick, staff_hours_lower=pick - 4,
                                   staff_hours_upper=pick + 4))
        pts.append(a.ForecastPoint(date=date, process="検品", forecast_units=insp * 80, lower_units=insp * 70,
                                   upper_units=insp * 90, staff_hours=insp, staff_hours_lower=insp - 2,
                                   staff_hours_upper=insp + 2))
    return a.ForecastWorkloadResponse(location="横浜", method="seasonal_trend", points=pts,
                                      backtest=a.Backtest(horizon_days=7, smape=8.4, mape=8.9, baseline_smape=12.9))


def intent(name: str = "improve_alerts", **kw) -> intent_pb2.Intent:
    return intent_pb2.Intent(intent=name, location=kw.pop("location", "横浜"), date=kw.pop("date", "2026-11-25"),
                             complexity=kw.pop("complexity", "complex"), confidence=0.95, **kw)


def request(mode: str, *, parts: tuple[str, ...], query: str = "横浜拠点のアラートを改善して",
            intent_name: str = "improve_alerts", degraded: tuple[tuple[str, str], ...] = (), **intent_kw
            ) -> syn.ComposeRequest:
    data = syn.EngineData()
    makers = {"overview": overview, "plan": plan, "current_plan": current_plan, "knowledge": knowledge,
              "productivity": productivity, "attendance": attendance, "alert": alert, "alert_stats": alert_stats,
              "forecast": forecast, "simulation": simulation}
    for part in parts:
        getattr(data, part).CopyFrom(makers[part]())
    return syn.ComposeRequest(query=query, intent=intent(intent_name, **intent_kw), data=data, mode=mode,
                              degraded=[syn.DegradedPart(engine=e, reason=r, elapsed_ms=3000.0) for e, r in degraded])


FULL = ("overview", "plan", "current_plan", "knowledge")
