"""AnswerQuestion through the gRPC contract: every metric, each filter kind and grouping, against
independent SQL written the way a manager's analyst would (location by subquery, no shared code)."""
from __future__ import annotations

import datetime as dt

import grpc
import pytest

from aimee.analytics.v1 import analytics_pb2 as pb
from aimee.intent.v1 import intent_pb2
from tests.analytics.helpers import expect_status, sql

TODAY = dt.date.today()
TOMORROW = TODAY + dt.timedelta(days=1)
LAST_MONTH_END = TODAY.replace(day=1) - dt.timedelta(days=1)
LAST_MONTH = (LAST_MONTH_END.replace(day=1).isoformat(), LAST_MONTH_END.isoformat())
LOC = "(SELECT location_id FROM locations WHERE location_name = %s)"


async def ask(stub, **fields) -> pb.AnswerQuestionResponse:
    return await stub.AnswerQuestion(pb.AnswerQuestionRequest(question=intent_pb2.Question(**fields)))


def value(response, row: int = 0, col: int = -1) -> float:
    return float(response.result.rows[row].cells[col])


async def scalar(pool, query: str, args=()) -> float:
    rows = await sql(pool, query, args)
    return float(next(iter(rows[0].values())) or 0)


@pytest.mark.parametrize("metric, query, args, fields", [
    ("headcount", f"SELECT COUNT(*) FROM employees WHERE location_id = {LOC} AND is_active = 1 "
                  "AND employment_type = 'temp'", ("大阪",), {"sites": ["大阪"], "employment_type": "temp"}),
    ("qualified_headcount", "SELECT COUNT(*) FROM employee_skills es JOIN employees e USING (employee_id) "
                            f"JOIN processes p USING (process_id) WHERE e.location_id = {LOC} AND p.process_name = '梱包' "
                            "AND e.is_active = 1 AND es.skill_level >= p.min_skill_level", ("品川",),
     {"sites": ["品川"], "process": "梱包"}),
    ("absence_count", f"SELECT SUM(attendance_status = 'absent') FROM attendance_records WHERE location_id = {LOC} "
                      "AND attendance_date = CURDATE()", ("札幌",),
     {"sites": ["札幌"], "date_from": TODAY.isoformat(), "date_to": TODAY.isoformat()}),
    ("absence_rate", f"SELECT 100 * AVG(attendance_status = 'absent') FROM attendance_records WHERE location_id = {LOC} "
                     "AND attendance_date BETWEEN %s AND %s", ("横浜", *LAST_MONTH),
     {"sites": ["横浜"], "date_from": LAST_MONTH[0], "date_to": LAST_MONTH[1]}),
    ("attended_count", f"SELECT COUNT(*) FROM attendance_records WHERE location_id = {LOC} AND attendance_date = "
                       "CURDATE() - INTERVAL 1 DAY AND attendance_status <> 'absent' AND attendance_status <> 'paid_leave'",
     ("横浜",), {"sites": ["横浜"], "date_from": (TODAY - dt.timedelta(days=1)).isoformat(),
                "date_to": (TODAY - dt.timedelta(days=1)).isoformat()}),
    ("late_count", f"SELECT COUNT(*) FROM attendance_records WHERE location_id = {LOC} AND attendance_status = 'late' "
                   "AND attendance_date BETWEEN %s AND %s", ("大阪", *LAST_MONTH),
     {"sites": ["大阪"], "date_from": LAST_MONTH[0], "date_to": LAST_MONTH[1]}),
    ("early_leave_count", "SELECT COUNT(*) FROM attendance_records WHERE attendance_status = 'early_leave' "
                          "AND attendance_date BETWEEN %s AND %s", LAST_MONTH,
     {"all_sites": True, "date_from": LAST_MONTH[0], "date_to": LAST_MONTH[1]}),
    ("paid_leave_days", f"SELECT COUNT(*) FROM attendance_records WHERE location_id = {LOC} "
                        "AND attendance_status = 'paid_leave' AND attendance_date BETWEEN %s AND %s",
     ("佐世保", *LAST_MONTH), {"sites": ["佐世保"], "date_from": LAST_MONTH[0], "date_to": LAST_MONTH[1]}),
    ("overtime_hours", f"SELECT SUM(overtime_hours) FROM attendance_records WHERE location_id = {LOC} "
                       "AND attendance_date = CURDATE() - INTERVAL 1 DAY", ("品川",),
     {"sites": ["品川"], "date_from": (TODAY - dt.timedelta(days=1)).isoformat(),
      "date_to": (TODAY - dt.timedelta(days=1)).isoformat()}),
    ("productivity", f"SELECT AVG(pr.productivity_score) FROM productivity_records pr JOIN processes p USING (process_id) "
                     f"WHERE pr.location_id = {LOC} AND p.process_name = '梱包' AND record_date BETWEEN %s AND %s",
     ("札幌", *LAST_MONTH), {"sites": ["札幌"], "process": "梱包", "date_from": LAST_MONTH[0], "date_to": LAST_MONTH[1]}),
    ("units_processed", f"SELECT SUM(units_processed) FROM productivity_records WHERE location_id = {LOC} "
                        "AND record_date BETWEEN %s AND %s", ("佐世保", *LAST_MONTH),
     {"sites": ["佐世保"], "date_from": LAST_MONTH[0], "date_to": LAST_MONTH[1]}),
    ("forecast_units", f"SELECT SUM(forecast_units) FROM workload_forecasts WHERE location_id = {LOC} "
                       "AND forecast_date = CURDATE() + INTERVAL 1 DAY", ("横浜",), {"sites": ["横浜"]}),
    ("forecast_staff_hours", "SELECT SUM(wf.forecast_units / p.standard_units_per_hour) FROM workload_forecasts wf "
                             f"JOIN processes p USING (process_id) WHERE wf.location_id = {LOC} "
                             "AND wf.forecast_date = CURDATE() + INTERVAL 1 DAY", ("品川",), {"sites": ["品川"]}),
    ("assigned_people", "SELECT COUNT(DISTINCT da.employee_id) FROM daily_assignments da JOIN processes p USING (process_id) "
                        f"WHERE da.location_id = {LOC} AND p.process_name = '仕分け' AND da.status <> 'cancelled' "
                        "AND da.assignment_date = CURDATE() + INTERVAL 1 DAY", ("佐世保",),
     {"sites": ["佐世保"], "process": "仕分け", "date_from": TOMORROW.isoformat(), "date_to": TOMORROW.isoformat()}),
    ("scheduled_people", f"SELECT COUNT(*) FROM shift_plans WHERE location_id = {LOC} AND planned_status = 'scheduled' "
                         "AND shift_date = CURDATE() + INTERVAL 1 DAY", ("大阪",),
     {"sites": ["大阪"], "date_from": TOMORROW.isoformat(), "date_to": TOMORROW.isoformat()}),
    ("off_people", "SELECT COUNT(*) FROM shift_plans WHERE planned_status IN ('paid_leave', 'absent_notified') "
                   "AND shift_date = CURDATE() + INTERVAL 1 DAY", (),
     {"all_sites": True, "date_from": TOMORROW.isoformat(), "date_to": TOMORROW.isoformat()}),
    ("alert_count", "SELECT COUNT(*) FROM alerts WHERE status = 'open' AND alert_type = 'staffing_shortage'", (),
     {"all_sites": True, "alert_type": "staffing_shortage"}),
])
async def test_each_metric_matches_independent_sql(stub, pool, metric, query, args, fields):
    response = await ask(stub, metric=metric, **fields)
    expected = await scalar(pool, query, args)
    got = value(response, col=0)
    assert got == pytest.approx(expected, abs=0.051), response.answer
    assert response.definitions and response.interpretation.endswith("しました。")
    assert response.answer.endswith("。") and "です" in response.answer


async def test_ranking_names_every_tie_first_and_states_the_value(stub, pool):
    rows = await sql(pool, "SELECT e.employee_name, SUM(ar.overtime_hours) AS h FROM attendance_records ar "
                           f"JOIN employees e USING (employee_id) WHERE ar.location_id = {LOC} "
                           "AND ar.attendance_date BETWEEN %s AND %s GROUP BY e.employee_id, e.employee_name "
                           "ORDER BY h DESC", ("横浜", *LAST_MONTH))
    best = float(rows[0]["h"])
    tied = {r["employee_name"] for r in rows if float(r["h"]) == best}
    response = await ask(stub, metric="overtime_hours", sites=["横浜"], group_by="employee", order="desc",
                         date_from=LAST_MONTH[0], date_to=LAST_MONTH[1], period_phrase="先月")
    first = response.answer.split("。")[0]
    assert {r.cells[0] for r in response.result.rows} == tied
    assert all(name in first for name in tied) and f"{best:.1f}時間" in first and "先月（" in first
    top3 = await ask(stub, metric="overtime_hours", sites=["横浜"], group_by="employee", order="desc", top_n=3,
                     date_from=LAST_MONTH[0], date_to=LAST_MONTH[1])
    assert len(top3.result.rows) >= 3 and "上位3人" in top3.answer


async def test_site_ranking_and_comparison_over_all_sites(stub, pool):
    rows = await sql(pool, "SELECT l.location_name, 100 * AVG(ar.attendance_status = 'absent') AS r "
                           "FROM attendance_records ar JOIN locations l USING (location_id) "
                           "WHERE ar.attendance_date BETWEEN %s AND %s GROUP BY l.location_name ORDER BY r DESC",
                     LAST_MONTH)
    response = await ask(stub, metric="absence_rate", all_sites=True, group_by="site", order="desc",
                         date_from=LAST_MONTH[0], date_to=LAST_MONTH[1])
    assert response.result.rows[0].cells[0] == rows[0]["location_name"] and "全拠点" in response.answer
    both = await ask(stub, metric="overtime_hours", sites=["札幌", "大阪"], group_by="site", compare=True,
                     date_from=LAST_MONTH[0], date_to=LAST_MONTH[1])
    assert {r.cells[0] for r in both.result.rows} == {"札幌", "大阪"} and "差は" in both.answer


async def test_filters_tenure_skill_weekday_block_employee(stub, pool):
    since = (TODAY - dt.timedelta(days=183)).isoformat()
    new = await ask(stub, metric="headcount", sites=["横浜"], hired_within_days=183)
    assert value(new, col=0) == await scalar(pool, f"SELECT COUNT(*) FROM employees WHERE location_id = {LOC} "
                                                   "AND is_active = 1 AND hire_date >= %s", ("横浜", since))
    veterans = await ask(stub, metric="headcount", sites=["横浜"], process="検品", skill_min=4, group_by="employee")
    expected = await sql(pool, "SELECT e.employee_name FROM employee_skills es JOIN employees e USING (employee_id) "
                               f"JOIN processes p USING (process_id) WHERE e.location_id = {LOC} AND e.is_active = 1 "
                               "AND p.process_name = '検品' AND es.skill_level >= 4", ("横浜",))
    assert sorted(r.cells[0] for r in veterans.result.rows) == sorted(r["employee_name"] for r in expected)
    monday = await ask(stub, metric="absence_count", sites=["横浜"], weekday="月", date_from=LAST_MONTH[0],
                       date_to=LAST_MONTH[1])
    assert value(monday, col=0) == await scalar(
        pool, f"SELECT SUM(attendance_status = 'absent') FROM attendance_records WHERE location_id = {LOC} "
              "AND DAYOFWEEK(attendance_date) = 2 AND attendance_date BETWEEN %s AND %s", ("横浜", *LAST_MONTH))
    morning = await ask(stub, metric="assigned_people", sites=["横浜"], time_block="morning",
                        date_from=TOMORROW.isoformat(), date_to=TOMORROW.isoformat())
    assert value(morning, col=0) == await scalar(
        pool, f"SELECT COUNT(DISTINCT employee_id) FROM daily_assignments WHERE location_id = {LOC} AND "
              "time_block = 'morning' AND status <> 'cancelled' AND assignment_date = %s", ("横浜", TOMORROW.isoformat()))
    person = (await sql(pool, "SELECT employee_name FROM employees WHERE is_active = 1 GROUP BY employee_name "
                              f"HAVING COUNT(*) = 1 AND MIN(location_id) = {LOC} ORDER BY employee_name LIMIT 1",
                        ("品川",)))[0]["employee_name"]
    mine = await ask(stub, metric="overtime_hours", employee_name=person.replace(" ", ""),
                     date_from=LAST_MONTH[0], date_to=LAST_MONTH[1])
    assert person in mine.answer and list(mine.question.sites) == ["品川"]
    homonym = (await sql(pool, "SELECT employee_name FROM employees WHERE is_active = 1 GROUP BY employee_name "
                               "HAVING COUNT(*) > 1 LIMIT 1"))
    if homonym:  # two people of one name: ask which, never pick one silently
        asked = await ask(stub, metric="overtime_hours", employee_name=homonym[0]["employee_name"])
        assert "フルネームか拠点を指定してください" in asked.answer


async def test_groupings_by_time_and_period_comparison(stub):
    weekly = await ask(stub, metric="overtime_hours", sites=["横浜"], group_by="weekday")
    assert [r.cells[0] for r in weekly.result.rows][:2] == ["月曜", "火曜"]
    by_month = await ask(stub, metric="productivity", sites=["横浜"], group_by="month",
                         date_from=(TODAY - dt.timedelta(days=60)).isoformat(), date_to=TODAY.isoformat())
    assert len(by_month.result.rows) >= 2
    both = await ask(stub, metric="absence_rate", sites=["横浜"], date_from=TODAY.replace(day=1).isoformat(),
                     date_to=TODAY.isoformat(), period_phrase="今月", compare_date_from=LAST_MONTH[0],
                     compare_date_to=LAST_MONTH[1], compare_phrase="先月")
    assert len(both.result.rows) == 2 and "先月（" in both.answer and "今月（" in both.answer


async def test_default_period_is_stated_and_listing_names_people(stub):
    response = await ask(stub, metric="overtime_hours", sites=["横浜"])
    assert response.answer.startswith("直近30日（") and response.question.period_phrase == "直近30日"
    off = await ask(stub, metric="off_people", sites=["札幌"], group_by="employee",
                    date_from=TOMORROW.isoformat(), date_to=TOMORROW.isoformat())
    assert all(r.cells[0] + "さん" in off.answer for r in off.result.rows)


async def test_outside_the_whitelist_is_invalid_argument(stub):
    await expect_status(ask(stub, metric="salary"), grpc.StatusCode.INVALID_ARGUMENT, "指標")
    await expect_status(ask(stub, metric="overtime_hours", sites=["横浜"], group_by="l.location_name; DROP TABLE x"),
                        grpc.StatusCode.INVALID_ARGUMENT, "集計単位")
    await expect_status(ask(stub, metric="forecast_units", sites=["横浜"], group_by="employee"),
                        grpc.StatusCode.INVALID_ARGUMENT)
    await expect_status(ask(stub, metric="headcount", sites=["東京"]), grpc.StatusCode.NOT_FOUND, "横浜")
    await expect_status(ask(stub, metric="overtime_hours", sites=["横浜"], employee_name="' OR 1=1 --"),
                        grpc.StatusCode.INVALID_ARGUMENT, "見つかりません")


async def test_attendance_rate_and_multi_day_counts_say_person_days(stub, pool):
    rate = await ask(stub, metric="attendance_rate", sites=["横浜"], date_from=LAST_MONTH[0], date_to=LAST_MONTH[1])
    expected = await scalar(pool, "SELECT 100 * AVG(attendance_status IN ('present', 'late', 'early_leave')) "
                                  f"FROM attendance_records WHERE location_id = {LOC} AND attendance_date BETWEEN %s AND %s",
                            ("横浜", *LAST_MONTH))
    assert value(rate, col=0) == pytest.approx(expected, abs=0.051)
    month = await ask(stub, metric="absence_count", sites=["横浜"], date_from=LAST_MONTH[0], date_to=LAST_MONTH[1])
    assert "延べ" in month.answer
    ranked = await ask(stub, metric="overtime_hours", all_sites=True, group_by="site", order="desc", top_n=10,
                       date_from=LAST_MONTH[0], date_to=LAST_MONTH[1])
    assert "多い順に" in ranked.answer and len(ranked.result.rows) == 5


async def test_site_ranking_among_named_sites_names_the_answer_first(stub):
    response = await ask(stub, metric="overtime_hours", sites=["札幌", "大阪"], group_by="site", order="desc",
                         date_from=LAST_MONTH[0], date_to=LAST_MONTH[1])
    best = response.result.rows[0].cells[0]
    first_site = min((response.answer.find(s), s) for s in ("札幌", "大阪") if s in response.answer)[1]
    assert first_site == best and "対象: 札幌・大阪" in response.answer
