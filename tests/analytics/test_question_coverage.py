"""Coverage of the question contract: every whitelisted metric × each filter kind × each period phrase the
intent parser resolves, through AnswerQuestion over gRPC.

Every metric × period (one site) is compared with independent SQL written per metric here; every metric ×
filter kind (periods rotating, so each phrase also meets each filter) must give a well-formed table, an
interpretation and a worded answer. Periods are resolved by the intent engine's own reader, as in production.
"""
from __future__ import annotations

import datetime as dt
import itertools

import grpc
import pytest

from aimee.analytics.v1 import analytics_pb2 as pb
from aimee.intent.v1 import intent_pb2
from services.analytics.question.metrics import METRICS, SOURCES
from services.intent.question.periods import find_period
from services.intent.text import normalize
from tests.analytics.helpers import sql

TODAY = dt.date.today()
SITE = "横浜"
LOC = "(SELECT location_id FROM locations WHERE location_name = %s)"


def _day(offset: int) -> str:
    d = TODAY + dt.timedelta(days=offset)
    return f"{d.month}月{d.day}日"


LAST_MONTH = (TODAY.replace(day=1) - dt.timedelta(days=1)).month
# The period phrases of the question model (issue 11) in the forms the parser reads.
PHRASES = ("今日", "昨日", "明日", "明後日", "今週", "先週", "来週", "今月", "先月", "先々月", f"{LAST_MONTH}月",
           _day(3), _day(-3), "直近7日", "直近30日", "来週月曜", "年末まで", "今年")


def period(phrase: str) -> tuple[str, str]:
    found = find_period(normalize(phrase), TODAY)
    assert found is not None, f"the parser no longer reads {phrase}"
    return found[1].isoformat(), found[2].isoformat()


_ATT = f"FROM attendance_records WHERE location_id = {LOC} AND attendance_date BETWEEN %s AND %s"
_PR = f"FROM productivity_records WHERE location_id = {LOC} AND record_date BETWEEN %s AND %s"
_WF = (f"FROM workload_forecasts wf JOIN processes p USING (process_id) WHERE wf.location_id = {LOC} "
       "AND wf.forecast_date BETWEEN %s AND %s")
_SP = f"FROM shift_plans WHERE location_id = {LOC} AND shift_date BETWEEN %s AND %s"
_PRESENT = "attendance_status IN ('present', 'late', 'early_leave')"
# metric -> (independent SQL of the site's value, whether it takes the period)
EXPECTED: dict[str, tuple[str, bool]] = {
    "headcount": (f"SELECT COUNT(*) FROM employees WHERE location_id = {LOC} AND is_active = 1", False),
    "qualified_headcount": ("SELECT COUNT(DISTINCT e.employee_id) FROM employee_skills es JOIN employees e USING "
                            f"(employee_id) JOIN processes p USING (process_id) WHERE e.location_id = {LOC} "
                            "AND e.is_active = 1 AND es.skill_level >= p.min_skill_level", False),
    "skill_level": ("SELECT MAX(es.skill_level) FROM employee_skills es JOIN employees e USING (employee_id) "
                    f"WHERE e.location_id = {LOC} AND e.is_active = 1", False),
    "absence_count": (f"SELECT SUM(attendance_status = 'absent') {_ATT}", True),
    "absence_rate": (f"SELECT 100 * AVG(attendance_status = 'absent') {_ATT}", True),
    "attended_count": (f"SELECT SUM({_PRESENT}) {_ATT}", True),
    "attendance_rate": (f"SELECT 100 * AVG({_PRESENT}) {_ATT}", True),
    "late_count": (f"SELECT SUM(attendance_status = 'late') {_ATT}", True),
    "early_leave_count": (f"SELECT SUM(attendance_status = 'early_leave') {_ATT}", True),
    "paid_leave_days": (f"SELECT SUM(attendance_status = 'paid_leave') {_ATT}", True),
    "overtime_hours": (f"SELECT SUM(overtime_hours) {_ATT}", True),
    "productivity": (f"SELECT AVG(productivity_score) {_PR}", True),
    "units_processed": (f"SELECT SUM(units_processed) {_PR}", True),
    "forecast_units": (f"SELECT SUM(wf.forecast_units) {_WF}", True),
    "forecast_staff_hours": (f"SELECT SUM(wf.forecast_units / p.standard_units_per_hour) {_WF}", True),
    "assigned_people": ("SELECT COUNT(DISTINCT CASE WHEN status <> 'cancelled' THEN employee_id END) "
                        f"FROM daily_assignments WHERE location_id = {LOC} AND assignment_date BETWEEN %s AND %s", True),
    "scheduled_people": (f"SELECT COUNT(DISTINCT employee_id) {_SP} AND planned_status = 'scheduled'", True),
    "off_people": (f"SELECT COUNT(DISTINCT employee_id) {_SP} AND planned_status IN ('paid_leave', 'absent_notified')",
                   True),
    "alert_count": (f"SELECT COUNT(*) FROM alerts WHERE location_id = {LOC} AND status = 'open'", False),
}


def test_expected_sql_covers_the_whole_whitelist():
    assert set(EXPECTED) == set(METRICS)


async def ask(stub, **fields) -> pb.AnswerQuestionResponse:
    return await stub.AnswerQuestion(pb.AnswerQuestionRequest(question=intent_pb2.Question(**fields),
                                                              reference_date=TODAY.isoformat()))


def well_formed(response: pb.AnswerQuestionResponse, metric: str, why: str) -> None:
    columns = list(response.result.columns)
    assert columns, why
    assert all(len(row.cells) == len(columns) for row in response.result.rows), why
    assert response.interpretation.endswith("しました。"), why
    assert response.answer.endswith("。") and response.definitions, why
    assert response.question.metric in (metric, "qualified_headcount"), why


def number(cell: str) -> float:
    return float(cell) if cell else 0.0


@pytest.mark.parametrize("metric", sorted(METRICS))
async def test_every_period_phrase_matches_independent_sql(stub, pool, metric):
    query, dated = EXPECTED[metric]
    for phrase in PHRASES:
        start, end = period(phrase)
        response = await ask(stub, metric=metric, sites=[SITE], date_from=start, date_to=end, period_phrase=phrase)
        why = f"{metric} {phrase}: {response.answer}"
        well_formed(response, metric, why)
        rows = await sql(pool, query, (SITE, start, end) if dated else (SITE,))
        expected = float(next(iter(rows[0].values())) or 0)
        assert number(response.result.rows[0].cells[0]) == pytest.approx(expected, abs=0.051), why
        if dated and SOURCES[METRICS[metric].source].date_col:
            assert response.question.date_from == start, why


@pytest.fixture(scope="module")
async def someone(pool) -> str:
    rows = await sql(pool, f"SELECT employee_name FROM employees WHERE location_id = {LOC} AND is_active = 1 "
                           "ORDER BY employee_id LIMIT 1", (SITE,))
    return rows[0]["employee_name"]


def filter_kinds(metric: str, person: str) -> dict[str, dict]:
    kinds = {
        "site": {"sites": [SITE]},
        "two_sites": {"sites": [SITE, "大阪"]},
        "all_sites": {"all_sites": True},
        "process": {"sites": [SITE], "process": "検品"},
        "employee": {"sites": [SITE], "employee_name": person},
        "employment_type": {"sites": [SITE], "employment_type": "part_time"},
        "skill_range": {"sites": [SITE], "skill_min": 3, "skill_max": 5},
        "tenure": {"sites": [SITE], "hired_within_days": 183},
        "weekday": {"sites": [SITE], "weekday": "月"},
        "time_block": {"sites": [SITE], "time_block": "morning"},
    }
    if metric == "alert_count":
        kinds["alert_type"] = {"all_sites": True, "alert_type": "staffing_shortage"}
        kinds["alert_severity"] = {"all_sites": True, "alert_severity": "critical", "alert_status": "resolved"}
    return kinds


@pytest.mark.parametrize("metric", sorted(METRICS))
async def test_every_filter_kind_gives_a_table_and_an_interpretation(stub, someone, metric):
    offset = sorted(METRICS).index(metric) % len(PHRASES)   # each metric starts the rotation elsewhere
    phrases = itertools.cycle(PHRASES[offset:] + PHRASES[:offset])
    for kind, fields in filter_kinds(metric, someone).items():
        phrase = next(phrases)
        start, end = period(phrase)
        response = await ask(stub, metric=metric, date_from=start, date_to=end, period_phrase=phrase, **fields)
        well_formed(response, metric, f"{metric} × {kind} × {phrase}: {response.answer}")


@pytest.mark.parametrize("group_by", ["site", "employee", "process", "weekday", "day", "week", "month"])
async def test_groupings_rank_or_refuse_clearly(stub, group_by):
    """Every metric under every grouping: a ranked table, or INVALID_ARGUMENT naming what cannot be grouped."""
    start, end = period("先月")
    for metric in sorted(METRICS):
        try:
            response = await ask(stub, metric=metric, all_sites=True, group_by=group_by, order="desc", top_n=3,
                                 date_from=start, date_to=end, period_phrase="先月")
        except grpc.aio.AioRpcError as exc:
            assert exc.code() == grpc.StatusCode.INVALID_ARGUMENT and "集計できません" in exc.details(), exc.details()
            continue
        well_formed(response, metric, f"{metric} by {group_by}: {response.answer}")
        assert len(response.result.columns) >= 2
