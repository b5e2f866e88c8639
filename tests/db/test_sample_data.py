"""The sample data set against a real MariaDB (database aimee_test_db).

- TestLoadedToday: loaded like the launcher does (end_date = server CURDATE()); the seed's SQL runs
  verbatim and returns rows; history/forecast windows; cross-table invariants.
- TestFixedDate: loaded twice for a fixed late-November end date: determinism and the planted patterns
  (stable whatever day the suite runs on).
- TestReload: a reload keeps the knowledge/chat engines' rows.
"""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from db import seed_queries as q
from db.knowhow import KNOWHOW
from db.load import load_sample
from db.tables import COLUMNS
from tests.db.conftest import TEST_DB

FIXED_END = date(2026, 11, 25)  # late November: 札幌's winter rise is inside the last weeks
SITES = ("横浜", "品川", "札幌", "大阪", "佐世保")
CHECKSUM_TABLES = ("employees", "employee_skills", "productivity_records", "attendance_records",
                   "daily_assignments", "assignment_adjustments", "workload_forecasts", "alerts", "shift_plans")


def checksums(sql) -> dict[str, tuple[int, int]]:
    out = {}
    for table in CHECKSUM_TABLES:
        expr = ", ".join(f"`{c}`" for c in COLUMNS[table])
        row = sql.rows(f"SELECT COUNT(*) AS n, COALESCE(SUM(CRC32(CONCAT_WS('|', {expr}))), 0) AS s FROM `{table}`")[0]
        out[table] = (int(row["n"]), int(row["s"]))
    return out


def absence_by_weekday(sql, site: str, start: date, end: date) -> dict[int, float]:
    rows = sql.rows(
        "SELECT DAYOFWEEK(ar.attendance_date) AS dow, AVG(ar.attendance_status = 'absent') AS rate "
        "FROM attendance_records ar JOIN locations l ON l.location_id = ar.location_id "
        "WHERE l.location_name = %s AND ar.attendance_date BETWEEN %s AND %s GROUP BY dow", (site, start, end))
    return {int(r["dow"]): float(r["rate"]) for r in rows}


def absence_by_site(sql, start: date, end: date) -> dict[str, float]:
    rows = sql.rows(
        "SELECT l.location_name AS site, AVG(ar.attendance_status = 'absent') AS rate "
        "FROM attendance_records ar JOIN employees e ON e.employee_id = ar.employee_id "
        "JOIN locations l ON l.location_id = e.location_id "
        "WHERE ar.attendance_date BETWEEN %s AND %s GROUP BY l.location_name", (start, end))
    return {r["site"]: float(r["rate"]) for r in rows}


class TestLoadedToday:
    @pytest.fixture(scope="class", autouse=True)
    def counts(self):
        return load_sample(TEST_DB, seed=42)

    def test_every_generated_table_has_rows(self, counts, sql):
        for table in COLUMNS:
            assert counts[table] > 0, table
            assert sql.value(f"SELECT COUNT(*) FROM `{table}`") >= counts[table]
        assert [r["location_name"] for r in sql.rows("SELECT location_name FROM locations ORDER BY location_id")] \
            == list(SITES)

    def test_history_ends_today_and_is_long_enough(self, sql):
        for table, col in (("attendance_records", "attendance_date"), ("productivity_records", "record_date")):
            row = sql.rows(f"SELECT MIN({col}) AS lo, MAX({col}) AS hi, CURDATE() AS today FROM {table}")[0]
            assert row["hi"] == row["today"]
            assert (row["today"] - row["lo"]).days >= 99

    def test_plans_and_forecasts_run_into_the_coming_days(self, sql):
        today = sql.value("SELECT CURDATE()")
        assert sql.value("SELECT MAX(assignment_date) FROM daily_assignments") == today + timedelta(days=1)
        assert sql.value("SELECT COUNT(DISTINCT shift_date) FROM shift_plans WHERE shift_date >= CURDATE()") == 15
        fc = sql.rows("SELECT method, MIN(forecast_date) lo, MAX(forecast_date) hi, SUM(actual_units IS NULL) nulls, "
                      "COUNT(*) n, SUM(lower_units <= forecast_units AND forecast_units <= upper_units) inside "
                      "FROM workload_forecasts GROUP BY method ORDER BY method")
        hist, future = fc
        assert hist["method"] == "history" and hist["hi"] == today - timedelta(days=1) and hist["nulls"] == 0
        assert future["method"] == "seasonal_trend" and (future["lo"], future["hi"]) == (today, today + timedelta(days=14))
        assert future["nulls"] == future["n"] == future["inside"] == 5 * 6 * 3 * 15

    @pytest.mark.parametrize("name", list(q.SITE_QUERIES) + ["staff_query"])
    def test_seed_site_queries_return_rows_for_yokohama(self, sql, name):
        query = q.STAFF_QUERY if name == "staff_query" else q.SITE_QUERIES[name]
        rows = sql.rows(query, ("横浜",))
        assert rows
        if name == "productivity_trend":
            assert len(rows) == 7 and all(60 <= float(r["daily_productivity"]) <= 120 for r in rows)
        if name == "current_alerts":
            assert {r["adjustment_type"] for r in rows} >= {"absence_cover", "process_change"}
            assert all(0.6 <= float(r["avg_confidence"]) <= 0.95 for r in rows)
        if name == "staff_query":
            rates = [float(r["attendance_rate"]) for r in rows]
            assert len(rows) >= 30 and all(0 <= x <= 1 for x in rates) and sum(rates) / len(rates) > 0.8

    def test_seed_attendance_pattern_shows_yokohama_mondays(self, sql):
        rows = sql.rows(q.ATTENDANCE_PATTERN, ("横浜",))
        totals: dict[int, list[int]] = {}
        for r in rows:
            t = totals.setdefault(int(r["day_of_week"]), [0, 0])
            t[1] += int(r["count"])
            t[0] += int(r["count"]) if r["attendance_status"] == "absent" else 0
        rates = {dow: a / n for dow, (a, n) in totals.items()}
        assert max(rates, key=rates.get) == 2  # MySQL DAYOFWEEK: 2 = Monday
        assert rates[2] >= 0.12

    @pytest.mark.parametrize("pattern", ["%横浜%", "%横浜 アラート 改善%"])
    def test_seed_context_query(self, sql, pattern):
        rows = sql.rows(q.CONTEXT_QUERY, (pattern,))
        assert 1 <= len(rows) <= 3 and all("横浜" in r["context_value"] for r in rows)

    def test_seed_simple_query_counts_todays_adjustments(self, sql):
        assert sql.rows(q.SIMPLE_QUERY_ADJUSTMENTS_TODAY)[0]["count"] > 0

    def test_seed_create_table_as_select(self, sql):
        sql.execute("DROP TABLE IF EXISTS productivity_analytics")
        try:
            sql.execute(q.CREATE_PRODUCTIVITY_ANALYTICS)
            expected = sql.value("SELECT COUNT(DISTINCT location_id, record_date) FROM productivity_records")
            assert sql.value("SELECT COUNT(*) FROM productivity_analytics") == expected
            assert sql.value("SELECT COUNT(*) FROM productivity_analytics WHERE location_id = 1") > 0
        finally:
            sql.execute("DROP TABLE IF EXISTS productivity_analytics")

    def test_adjustments_recent_and_today_at_every_site(self, sql):
        rows = sql.rows(
            "SELECT da.location_id, SUM(aa.adjustment_date >= CURDATE() - INTERVAL 7 DAY) AS week, "
            "SUM(aa.adjustment_date = CURDATE()) AS today FROM assignment_adjustments aa "
            "JOIN daily_assignments da ON aa.original_assignment_id = da.assignment_id GROUP BY da.location_id")
        assert len(rows) == 5 and all(r["week"] >= 5 and r["today"] >= 1 for r in rows)
        bad = sql.value("SELECT COUNT(*) FROM assignment_adjustments WHERE ai_confidence_score IS NOT NULL "
                        "AND ai_confidence_score NOT BETWEEN 0.6 AND 0.95")
        assert bad == 0
        assert sql.value("SELECT COUNT(*) FROM assignment_adjustments aa LEFT JOIN daily_assignments da "
                         "ON aa.original_assignment_id = da.assignment_id WHERE da.assignment_id IS NULL") == 0

    def test_hours_agree_between_attendance_and_productivity(self, sql):
        mismatches = sql.value(
            "SELECT COUNT(*) FROM attendance_records a JOIN (SELECT employee_id, record_date, SUM(hours_worked) h, "
            "SUM(overtime_hours) o FROM productivity_records GROUP BY employee_id, record_date) p "
            "ON p.employee_id = a.employee_id AND p.record_date = a.attendance_date "
            "WHERE ABS(p.h - a.actual_hours) > 0.01 OR ABS(p.o - a.overtime_hours) > 0.01")
        assert mismatches == 0
        worked_without_rows = sql.value(
            "SELECT COUNT(*) FROM attendance_records a WHERE a.attendance_status IN ('present','late','early_leave') "
            "AND NOT EXISTS (SELECT 1 FROM productivity_records p WHERE p.employee_id = a.employee_id "
            "AND p.record_date = a.attendance_date)")
        assert worked_without_rows == 0

    def test_assignments_respect_skills(self, sql):
        unqualified = sql.value(
            "SELECT COUNT(*) FROM daily_assignments da JOIN processes p ON p.process_id = da.process_id "
            "LEFT JOIN employee_skills es ON es.employee_id = da.employee_id AND es.process_id = da.process_id "
            "WHERE es.skill_level IS NULL OR es.skill_level < p.min_skill_level")
        assert unqualified == 0
        blocks = {r["time_block"]: r for r in sql.rows(
            "SELECT time_block, MIN(planned_hours) lo, MAX(planned_hours) hi FROM daily_assignments "
            "WHERE status IN ('planned','confirmed') GROUP BY time_block")}
        assert float(blocks["morning"]["lo"]) == float(blocks["afternoon"]["hi"]) == 4.0
        assert {float(blocks["overtime"]["lo"]), float(blocks["overtime"]["hi"])} == {1.0, 2.0}

    def test_roster_shape(self, sql):
        rows = {r["site"]: r for r in sql.rows(
            "SELECT l.location_name site, SUM(e.is_active) active, SUM(e.is_active = 0) inactive, "
            "AVG(e.skill_level <= 2 AND e.hire_date >= CURDATE() - INTERVAL 6 MONTH) new_share "
            "FROM employees e JOIN locations l USING (location_id) GROUP BY l.location_name")}
        assert all(30 <= rows[s]["active"] <= 45 and rows[s]["inactive"] >= 1 for s in SITES)
        assert float(rows["横浜"]["new_share"]) >= 0.35
        assert max(SITES, key=lambda s: rows[s]["new_share"]) == "横浜"
        name = sql.value("SELECT employee_name FROM employees ORDER BY employee_id LIMIT 1")
        assert " " in name and all(ord(ch) > 0x3000 for ch in name.replace(" ", ""))

    def test_sunday_is_mostly_off(self, sql):
        rows = {int(r["dow"]): float(r["per_day"]) for r in sql.rows(
            "SELECT DAYOFWEEK(attendance_date) dow, COUNT(*) / COUNT(DISTINCT attendance_date) per_day "
            "FROM attendance_records GROUP BY dow")}
        assert rows[1] < 0.2 * rows[3] and rows[7] < rows[3]

    def test_alerts(self, sql):
        rows = sql.rows("SELECT alert_type, status, rule_key, evidence_json, resolved_at FROM alerts")
        types = {r["alert_type"] for r in rows}
        assert types <= {"overtime_over_limit", "productivity_drop", "absence_spike", "staffing_shortage"}
        assert len(types) >= 2
        assert {r["status"] for r in rows} == {"resolved"}  # open alerts come from detection, not the generator
        assert all(r["rule_key"].startswith("seed:") and json.loads(r["evidence_json"]) for r in rows)
        assert all((r["status"] == "resolved") == (r["resolved_at"] is not None) for r in rows)


class TestFixedDate:
    @pytest.fixture(scope="class")
    def loads(self, sql):
        load_sample(TEST_DB, seed=42, end_date=FIXED_END)
        first = checksums(sql)
        load_sample(TEST_DB, seed=42, end_date=FIXED_END)
        return first, checksums(sql)

    def test_same_seed_same_data(self, loads):
        first, second = loads
        assert first == second
        assert all(n > 0 for n, _ in first.values())

    def test_yokohama_monday_absence_is_the_weekday_maximum(self, sql, loads):
        for days in (30, 119):
            rates = absence_by_weekday(sql, "横浜", FIXED_END - timedelta(days=days), FIXED_END)
            assert max(rates, key=rates.get) == 2
            assert rates[2] > 2 * max(v for k, v in rates.items() if k != 2)

    def test_sapporo_recent_absence_is_highest(self, sql, loads):
        rates = absence_by_site(sql, FIXED_END - timedelta(days=30), FIXED_END)
        assert max(rates, key=rates.get) == "札幌"
        assert rates["札幌"] > rates["横浜"] + 0.015
        early = absence_by_site(sql, FIXED_END - timedelta(days=119), FIXED_END - timedelta(days=60))
        assert rates["札幌"] > 1.5 * early["札幌"]  # rising into winter

    def test_shinagawa_overtime_is_highest_and_over_the_personal_limit(self, sql, loads):
        rows = {r["site"]: r for r in sql.rows(
            "SELECT l.location_name site, AVG(ar.overtime_hours) avg_ot, AVG(ar.overtime_hours > e.max_overtime_hours_per_day) over_limit "
            "FROM attendance_records ar JOIN employees e USING (employee_id) JOIN locations l ON l.location_id = e.location_id "
            "WHERE ar.attendance_status IN ('present','late') GROUP BY l.location_name")}
        assert max(rows, key=lambda s: rows[s]["avg_ot"]) == "品川"
        assert float(rows["品川"]["avg_ot"]) > 3 * max(float(rows[s]["avg_ot"]) for s in SITES if s != "品川")
        assert float(rows["品川"]["over_limit"]) > 0.2

    def test_other_seed_other_data(self, sql, loads):
        load_sample(TEST_DB, seed=7, end_date=FIXED_END)
        assert checksums(sql)["attendance_records"] != loads[0]["attendance_records"]


class TestReload:
    def test_reload_keeps_knowledge_and_chat_rows(self, sql):
        load_sample(TEST_DB, seed=42)
        sql.execute("INSERT INTO knowledge_documents (doc_id, title, category, source, chunk_count, content_hash) "
                    "VALUES ('doc-test', 't', '現場ノウハウ', 'test.txt', 1, REPEAT('0', 64))")
        sql.execute("INSERT INTO rag_context (context_type, context_key, context_value, doc_id) "
                    "VALUES ('implicit_knowledge', 'k', 'v', 'doc-test')")
        sql.execute("INSERT INTO chat_messages (session_id, role, content) VALUES ('s1', 'user', 'こんにちは')")
        load_sample(TEST_DB, seed=42)
        assert sql.value("SELECT COUNT(*) FROM knowledge_documents") == 1
        assert sql.value("SELECT COUNT(*) FROM chat_messages") == 1
        assert sql.value("SELECT COUNT(*) FROM rag_context WHERE doc_id = 'doc-test'") == 1
        assert sql.value("SELECT COUNT(*) FROM rag_context WHERE doc_id IS NULL") == len(KNOWHOW)
