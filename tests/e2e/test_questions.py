"""Typed questions end to end through Envoy (REST → gateway → intent → analytics), judged against SQL on
the suite's database with the evaluator's own rules (bench/answers_judge.py)."""
from __future__ import annotations

import uuid

import pymysql
import pytest

from bench.answers_judge import judge
from db.connect import parse_database_url

LOC = "(SELECT location_id FROM locations WHERE location_name = '{}')"
LAST_MONTH = ("attendance_date >= DATE_FORMAT(CURDATE() - INTERVAL 1 MONTH, '%Y-%m-01') "
              "AND attendance_date < DATE_FORMAT(CURDATE(), '%Y-%m-01')")


@pytest.fixture(scope="module")
def db(database_url):
    conn = pymysql.connect(**parse_database_url(database_url))
    yield conn
    conn.close()


def rows(db, sql: str) -> list[tuple]:
    with db.cursor() as cur:
        cur.execute(sql)
        return list(cur.fetchall())


CASES = [
    ("number", "佐世保で検品を任せられる人は何人？",
     "SELECT COUNT(*) FROM employee_skills es JOIN employees e USING (employee_id) JOIN processes p USING (process_id) "
     f"WHERE e.location_id = {LOC.format('佐世保')} AND p.process_name = '検品' AND e.is_active = 1 "
     "AND es.skill_level >= p.min_skill_level"),
    ("number", "札幌の先月の欠勤率は？",
     "SELECT 100 * AVG(attendance_status = 'absent'), 100 * AVG(attendance_status IN ('absent', 'paid_leave')) "
     f"FROM attendance_records WHERE location_id = {LOC.format('札幌')} AND {LAST_MONTH}"),
    ("name", "品川で先月いちばん残業した人は？",
     "SELECT e.employee_name FROM attendance_records ar JOIN employees e USING (employee_id) "
     f"WHERE ar.location_id = {LOC.format('品川')} AND ar.{LAST_MONTH} GROUP BY e.employee_id, e.employee_name "
     "HAVING SUM(ar.overtime_hours) = (SELECT MAX(s) FROM (SELECT SUM(overtime_hours) s FROM attendance_records "
     f"WHERE location_id = {LOC.format('品川')} AND {LAST_MONTH} GROUP BY employee_id) t)"),
    ("site", "先月、遅刻が一番多かった拠点はどこ？",
     "SELECT l.location_name FROM attendance_records ar JOIN locations l USING (location_id) "
     f"WHERE ar.{LAST_MONTH} GROUP BY l.location_name ORDER BY SUM(ar.attendance_status = 'late') DESC LIMIT 1"),
    ("names_all", "明日の大阪で梱包に入るのは誰？",
     "SELECT DISTINCT e.employee_name FROM daily_assignments da JOIN processes p USING (process_id) "
     f"JOIN employees e USING (employee_id) WHERE da.location_id = {LOC.format('大阪')} AND p.process_name = '梱包' "
     "AND da.assignment_date = CURDATE() + INTERVAL 1 DAY"),
    ("numbers_all", "横浜と佐世保の先月の残業時間を比較して",
     "SELECT SUM(ar.overtime_hours) FROM attendance_records ar JOIN locations l USING (location_id) "
     f"WHERE l.location_name IN ('横浜', '佐世保') AND ar.{LAST_MONTH} GROUP BY l.location_name"),
    ("number", "全拠点の緊急アラートは何件？", "SELECT COUNT(*) FROM alerts WHERE status = 'open' AND severity = 'critical'"),
]


@pytest.mark.parametrize("kind, query, sql", CASES, ids=[c[1] for c in CASES])
def test_question_through_envoy_matches_sql(http, db, kind, query, sql):
    response = http.post("/api/v1/ai/query", json={"query": query})
    assert response.status_code == 200, response.text
    body = response.json()
    assert judge(kind, body["answer"], rows(db, sql), {}) == "right", body["answer"]
    assert body["interpretation"]["sentence"].endswith("しました。")
    assert body["interpretation"]["question"]["metric"] and body["result"]["columns"]
    assert "analytics:mysql" in body["model_chain"]


def test_missing_site_asks_back_and_out_of_model_suggests(http):
    asked = http.post("/api/v1/ai/query", json={"query": "先月一番残業した人は？"}).json()
    assert "どの拠点" in asked["answer"] and "佐世保" in asked["answer"]
    assert "拠点の指定がなかったため" not in asked["answer"]
    outside = http.post("/api/v1/ai/query", json={"query": "横浜で一番若い人は？"}).json()
    assert "お答えできません" in outside["answer"] and outside["answer"].count("」「") >= 2
    share = http.post("/api/v1/ai/query", json={"query": "品川の派遣社員の割合は？"}).json()
    assert "お答えできません" in share["answer"] and "品川で" in share["answer"]


@pytest.mark.parametrize("text, message", [
    ("", "query"), ("   ", "query"), ("横" * 2001, "1,000 文字以内"),
], ids=["empty", "blank", "2001-chars"])
def test_bad_questions_get_a_clear_400(http, text, message):
    response = http.post("/api/v1/ai/query", json={"query": text})
    assert response.status_code == 400 and message in response.json()["message"], response.text


@pytest.mark.parametrize("text", [
    "🎉🎉🎉", "'; DROP TABLE employees; --", "SELECT * FROM employees; DROP TABLE employees;",
    "横浜の'; DROP TABLE employees; --", "😀横浜😀",
], ids=["emoji", "sql-injection", "sql-text", "site-and-sql", "emoji-and-site"])
def test_nonsense_and_sql_text_get_an_honest_cannot(http, db, text):
    before = rows(db, "SELECT COUNT(*) FROM employees")
    response = http.post("/api/v1/ai/query", json={"query": text})
    assert response.status_code == 200 and "お答えできません" in response.json()["answer"], response.text
    assert rows(db, "SELECT COUNT(*) FROM employees") == before
    still = http.post("/api/v1/ai/query", json={"query": "大阪の在籍人数は？"})
    assert still.status_code == 200 and "人です" in still.json()["answer"]


def test_chat_follow_ups_edit_the_typed_question(http):
    session = f"sess_{uuid.uuid4().hex[:10]}"

    def say(text: str) -> dict:
        response = http.post("/api/v1/chat/messages", json={"session_id": session, "message": text})
        assert response.status_code == 200, response.text
        return response.json()["reply"]

    first = say("横浜で先月一番残業した人は？")
    assert first["interpretation"]["question"]["sites"] == ["横浜"]
    second = say("じゃあ品川は？")
    assert second["interpretation"]["question"]["sites"] == ["品川"]
    assert second["interpretation"]["question"]["metric"] == "overtime_hours" and "品川" in second["answer"]
    third = say("上位3人は？")
    assert third["interpretation"]["question"]["top_n"] == 3 and "上位3人" in third["answer"]


def test_what_if_names_its_change(http, db):
    unique = rows(db, "SELECT SUBSTRING_INDEX(employee_name, ' ', 1) AS surname FROM employees "
                      f"WHERE location_id = {LOC.format('横浜')} AND is_active = 1 "
                      "GROUP BY surname HAVING COUNT(*) = 1 LIMIT 1")[0][0]
    body = http.post("/api/v1/ai/query", json={"query": f"横浜で{unique}さんが休んだら明日どうなる？"}).json()
    assert "条件変更なし" not in body["answer"] and f"欠勤：{unique}" in body["answer"]
    demand = http.post("/api/v1/ai/query", json={"query": "品川の明日の物量が10%増えたらどうなる？"}).json()
    assert "需要+10%" in demand["answer"]
