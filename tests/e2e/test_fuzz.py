"""Bad input through Envoy on every public route: never a 5xx, always a JSON {code, message}, nothing written.

The routes come from the google.api.http annotations of protos/aimee/gateway/v1/gateway.proto (a new RPC
without a baseline here fails the test). For each route a valid baseline request is sent with one field at
a time replaced by each bad value of that field's kind (bad UTF-8, one character over the limit, 1 MB
bodies, NUL, dates out of range, unknown sites, wrong JSON types, out-of-range numbers). Before and after,
every table's CHECKSUM must be the same: a refused request changes no row. A few WebSocket messages go
through Envoy too. The figures (inputs tried, 5xx found) are printed for the closing note.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from urllib.parse import quote

import httpx
import pymysql
from google.api import annotations_pb2
from google.protobuf.descriptor import FieldDescriptor
from websockets.asyncio.client import connect

from aimee.gateway.v1 import gateway_pb2
from db.connect import parse_database_url
from services.gateway import validation

BAD_UTF8 = object()          # the bytes FF FE: %FF%FE in a URL, raw in a JSON body
TODAY = dt.date.today().isoformat()
# A Monday five weeks ahead: no roster is stored there, so even an accepted roster request finds nothing to
# publish, and plans are dry runs.
ROSTER_START = (dt.date.today() + dt.timedelta(days=35 - dt.date.today().weekday())).isoformat()
MAX_ERROR_BODY = 2_000        # an error never echoes a long value back
TIME_LIMIT_S = 60


def _routes() -> list[tuple[str, str, str, str, object]]:
    """(rpc, verb, path template, body field, input descriptor) for every annotated RPC."""
    out = []
    for service in gateway_pb2.DESCRIPTOR.services_by_name.values():
        for method in service.methods:
            rule = method.GetOptions().Extensions[annotations_pb2.http]
            verb = rule.WhichOneof("pattern")
            out.append((method.name, verb, getattr(rule, verb), rule.body, method.input_type))
    return out


def _baselines(alert_id: int, assignment: dict) -> dict[str, dict]:
    """A valid request per RPC (fields by JSON name as the REST client sends them)."""
    return {
        "Optimize": {"query": "横浜拠点のアラート件数は？", "context": {"user_id": "fuzz", "urgency": "low"}},
        "Query": {"query": "現在のアラート件数は？", "context": {"user_id": "fuzz"}},
        "Analyze": {"query": "生産性を分析して", "location": "横浜", "date_from": "", "date_to": "",
                    "context": {"user_id": "fuzz"}},
        "RunBenchmark": {"test_type": "full_performance", "iterations": 1},
        "AddKnowledgeDocument": {"title": "fuzz", "text": "ピッキングは午前に人を厚く。", "category": "現場ノウハウ",
                                 "location": "横浜", "source": "fuzz-source"},
        "SearchKnowledge": {"q": "残業", "location": "横浜", "category": "現場ノウハウ", "top_k": 3},
        "DeleteKnowledgeDocument": {"doc_id": "doc-fuzz-none"},
        "AddKnowledgeContext": {"context_type": "manager_feedback", "context_key": "fuzz", "context_value": "fuzz",
                                "relevance_score": 0.5, "location": "横浜"},
        "GetProductivity": {"location": "横浜", "granularity": "day", "group_by": "process", "process": "検品",
                            "employee_id": 0, "date_from": "", "date_to": ""},
        "GetAttendance": {"location": "横浜", "date_from": "", "date_to": ""},
        "GetAlertStatistics": {"location": "横浜", "period": "week", "date_from": "", "date_to": ""},
        "ForecastWorkload": {"location": "横浜", "days": 7, "process": "検品", "start_date": ""},
        "ListAlerts": {"location": "横浜", "alert_type": "", "severity": "", "status": "", "date_from": "",
                       "date_to": "", "page_size": 5, "page_token": ""},
        "GetAlert": {"alert_id": alert_id},
        "AnalyzeAlert": {"alert_id": alert_id, "context": {"user_id": "fuzz"}},
        "ImproveAlert": {"alert_id": alert_id, "context": {"user_id": "fuzz"}},
        "DetectAlerts": {"location": "横浜", "date": TODAY, "date_from": ""},
        "GetCurrentAssignments": {"location": "横浜", "date": TODAY},
        "RecommendAssignments": {"location": "横浜", "date": "", "options": {"time_limit_seconds": 5}},
        "UpdateAssignment": {"assignment_id": assignment["assignment_id"], "expected_version": assignment["version"],
                             "process": assignment["process"], "time_block": assignment["time_block"],
                             "planned_hours": assignment["planned_hours"], "status": assignment["status"],
                             "reason": "fuzz", "adjusted_by": "fuzz", "ai_confidence_score": 0.5},
        "GetAssignmentHistory": {"assignment_id": assignment["assignment_id"]},
        "SimulateAssignments": {"location": "横浜", "date": "", "demand_change_pct": 10, "absent_employee_ids": []},
        "PlanRoster": {"location": "横浜", "start_date": ROSTER_START, "days": 7, "time_limit_seconds": 1,
                       "extra_days_off": [], "dry_run": True},
        "GetRoster": {"location": "横浜", "start_date": ROSTER_START, "version": 1},
        "PublishRoster": {"location": "横浜", "start_date": ROSTER_START, "version": 1, "published_by": "fuzz"},
        "ExplainRoster": {"location": "横浜", "start_date": ROSTER_START, "version": 1},
        "PostChatMessage": {"session_id": "sess_fuzz", "user_id": "fuzz", "message": "横浜のアラート件数は？"},
        "GetChatHistory": {"session_id": "sess_fuzz", "limit": 5},
        "GetHealth": {},
    }


# Values that must be refused whatever route carries the field; a value that a field legitimately accepts
# (an empty filter, 0 for "the default") is not in these lists, because an accepted value may do work.
ENUM_FIELDS = {"granularity", "group_by", "period", "severity", "status", "alert_type", "time_block", "category",
               "urgency", "test_type", "process"}


def _bad_values(field, in_body: bool, in_path: bool) -> list:
    name = field.name
    if field.is_repeated:
        return [[-1], ["a"], list(range(1, validation.MAX_LIST_ITEMS + 2)), "x"]
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return ["x", [1]] if in_body else []
    if field.type == FieldDescriptor.TYPE_BOOL:
        return ["maybe", 2]            # Envoy's JSON parser takes "yes"/"1" as true, as protobuf's does
    if field.type in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_INT64):
        values = [-1, 2**31, "abc", 1.5]
        return values if not in_path else [-1, 0, 2**31, "abc", 999_999_999]
    if field.type == FieldDescriptor.TYPE_DOUBLE:
        return ["NaN", "Infinity", -1e308, "abc"]
    values = [BAD_UTF8, "a" * (validation.text_limit(name) + 1), "fuzz\x00"]
    if in_body:
        values += [123, ["x"], "x" * 1_100_000]                  # wrong JSON types; a body over 1 MiB
    elif not in_path:
        values.append("x" * 20_000)                              # a long URL
    if name in validation.DATE_FIELDS:
        values += ["0001-01-01", "9999-12-31", "2026-02-30", "明日"]
    if name == "location":
        values.append("東京")
    if name in ENUM_FIELDS:
        values += ["x", "'; DROP TABLE alerts; --"]
    if name in ("query", "message", "q", "text", "context_value", "context_key"):
        values.append("   ")                                     # required text, only blanks (a blank title
        #                                                          is taken from the text's first line)
    return values


def _cases(baselines: dict[str, dict]):
    """(rpc, verb, url, body bytes or None, label) for every bad value of every field of every route."""
    for rpc, verb, template, body_field, message in _routes():
        assert rpc in baselines, f"{rpc}: add a baseline (and so its bad values) to the fuzz test"
        base = baselines[rpc]
        path_fields = {f.name for f in message.fields if "{" + f.name + "}" in template}
        if body_field and body_field != "*":
            body_message = message.fields_by_name[body_field].message_type
            in_body = {f.name: f for f in body_message.fields}
        elif body_field == "*":
            in_body = {f.name: f for f in message.fields if f.name not in path_fields}
        else:
            in_body = {}
        targets = [(f, f.name in in_body, f.name in path_fields) for f in message.fields if f.name not in in_body]
        targets += [(f, True, False) for f in in_body.values()]
        nested = [(f, sub) for f in in_body.values() if f.type == FieldDescriptor.TYPE_MESSAGE and not f.is_repeated
                  for sub in f.message_type.fields]
        for field, body, path in targets:
            if field.name == body_field:
                continue
            for value in _bad_values(field, body, path):
                yield rpc, verb, *_request(template, base, path_fields, bool(in_body), {field.name: value}), \
                    f"{rpc}.{field.name}={_show(value)}"
        for parent, sub in nested:
            for value in _bad_values(sub, True, False):
                merged = {**base.get(parent.name, {}), sub.name: value}
                yield rpc, verb, *_request(template, base, path_fields, True, {parent.name: merged}), \
                    f"{rpc}.{parent.name}.{sub.name}={_show(value)}"


def _show(value) -> str:
    text = "<FF FE>" if value is BAD_UTF8 else repr(value)
    return text if len(text) <= 40 else f"{text[:30]}…({len(text)})"


def _request(template: str, base: dict, path_fields: set, has_body: bool, override: dict):
    values = {**base, **override}
    path = template
    for name in path_fields:
        value = values.pop(name)
        path = path.replace("{" + name + "}", "%FF%FE" if value is BAD_UTF8 else quote(str(value), safe=""))
    if has_body:
        marker = "\u0001FUZZ_BAD_UTF8\u0001"
        doc = json.dumps(_swap(values, marker), ensure_ascii=False).encode()
        return path, doc.replace(json.dumps(marker).encode(), b'"\xff\xfe"')
    query = "&".join(f"{k}={'%FF%FE' if v is BAD_UTF8 else quote(str(v), safe='')}"
                     for k, v in values.items() if v != "" and not isinstance(v, (dict, list)))
    return path + (f"?{query}" if query else ""), None


def _swap(value, marker):
    if value is BAD_UTF8:
        return marker
    if isinstance(value, dict):
        return {k: _swap(v, marker) for k, v in value.items()}
    return value


def _checksums(database_url: str) -> dict[str, int]:
    kwargs = parse_database_url(database_url)
    conn = pymysql.connect(**kwargs)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW TABLES")
            tables = [r[0] for r in cur.fetchall()]
            cur.execute("CHECKSUM TABLE " + ", ".join(f"`{t}`" for t in tables))
            return {name: checksum for name, checksum in cur.fetchall()}
    finally:
        conn.close()


# The reproductions of the issue, each with the status it must get.
ISSUE_CASES: list[tuple[str, str, dict | None, int]] = [
    ("POST", "/api/v1/ai/analyze", {"query": "生産性", "location": "あ" * 1_400_000}, 413),   # 4 MB
    ("POST", "/api/v1/ai/analyze", {"query": "生産性", "location": "a" * 900_000}, 400),
    ("POST", "/api/v1/ai/analyze", {"query": "生産性を分析して", "location": "東京"}, 404),
    ("POST", "/api/v1/ai/analyze", {"query": "生産性", "location": "横浜", "date_from": "2026-13-01"}, 400),
    ("GET", "/api/v1/alerts?location=%FF%FE", None, 400),
    ("GET", "/api/v1/knowledge/search?q=%FF%FE", None, 400),
    ("DELETE", "/api/v1/knowledge/documents/%FF%FE", None, 400),
    ("GET", "/api/v1/analytics/attendance?location=%FF%FE", None, 400),
    ("GET", "/api/v1/assignments/current?location=%FF%FE", None, 400),
    ("GET", "/api/v1/chat/history?session_id=%FF%FE", None, 400),
    ("GET", "/api/v1/analytics/productivity?location=%E6%A8%AA%E6%B5%9C&date_to=0001-01-01", None, 400),
    ("POST", "/api/v1/analytics/forecast", {"location": "横浜", "start_date": "0001-01-01"}, 400),
    ("POST", "/api/v1/alerts/detect", {"date": "9999-12-31"}, 400),
    ("POST", "/api/v1/chat/messages", {"session_id": "sess_fuzz", "user_id": "u" * 65, "message": "件数は？"}, 400),
    ("POST", "/api/v1/assignments/recommend", {}, 400),
    ("POST", "/api/v1/assignments/simulate", {"demand_change_pct": 10}, 400),
    ("POST", "/api/v1/ai/optimize", {"query": "件数", "context": {"urgency": "urgent"}}, 400),
]

WS_BAD = ['{"query": 123}', "[1, 2]", '{"query": ["横浜"]}', '{"query": "件数", "context": {"urgency": "now"}}',
          '{"quer": "件数"}', "{not json", '{"query": ""}', b"\xff\xfe",
          json.dumps({"query": "あ" * 100_000, "user_id": "u" * 65}, ensure_ascii=False)]


async def _ws_fuzz(ws_url: str) -> list[str]:
    problems = []
    for path in ("/ws/ai/stream", "/ws/chat/sess_fuzz_ws"):
        async with connect(ws_url + path, open_timeout=10) as ws:
            for message in WS_BAD:
                await ws.send(message)
                event = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if event.get("type") != "error" or event.get("code") != "INVALID_ARGUMENT" or not event.get("message"):
                    problems.append(f"ws {path} {message!r}: {event}")
        async with connect(f"{ws_url}/ws/chat/{'s' * 65}", open_timeout=10) as ws:
            await ws.send('{"message": "横浜のアラート件数は？"}')
            event = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if event.get("type") != "error":
                problems.append(f"ws long session id: {event}")
    return problems


def test_no_bad_input_gives_a_5xx_or_writes_a_row(mesh, http):
    alert_id = http.get("/api/v1/alerts", params={"page_size": 1}).json()["alerts"][0]["alert_id"]
    current = http.get("/api/v1/assignments/current", params={"location": "横浜"}).json()
    assignment = current["assignments"][0]
    before = _checksums(mesh.env["DATABASE_URL"])

    started = time.monotonic()
    tried, server_errors, problems, accepted = 0, [], [], []
    with httpx.Client(base_url=mesh.base_url, timeout=30) as client:
        for rpc, verb, url, body, label in _cases(_baselines(alert_id, assignment)):
            headers = {"content-type": "application/json"} if body is not None else {}
            resp = client.request(verb.upper(), url, content=body, headers=headers)
            tried += 1
            if resp.status_code >= 500:
                server_errors.append(f"{label}: {resp.status_code} {resp.text[:200]}")
                continue
            if resp.status_code < 400:
                accepted.append(label)
                continue
            try:
                error = resp.json()
            except ValueError:
                problems.append(f"{label}: {resp.status_code} not JSON: {resp.text[:120]!r}")
                continue
            if not (isinstance(error, dict) and "code" in error and error.get("message")):
                problems.append(f"{label}: {resp.status_code} without code/message: {resp.text[:120]}")
            elif len(resp.content) > MAX_ERROR_BODY:
                problems.append(f"{label}: {resp.status_code} error body of {len(resp.content)} bytes")
        for verb, url, payload, expected in ISSUE_CASES:
            body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else None
            resp = client.request(verb, url, content=body, headers={"content-type": "application/json"})
            tried += 1
            if resp.status_code != expected or not resp.json().get("message"):
                problems.append(f"{verb} {url[:60]}: {resp.status_code} (want {expected}) {resp.text[:160]}")
    ws_problems = asyncio.run(_ws_fuzz(mesh.ws_url))
    tried += 2 * len(WS_BAD) + 1
    elapsed = time.monotonic() - started

    after = _checksums(mesh.env["DATABASE_URL"])
    changed = sorted(t for t in before if before[t] != after.get(t))
    print(f"\nfuzz: {tried} bad inputs tried, {len(server_errors)} 5xx, {len(accepted)} accepted, "
          f"{elapsed:.1f} s")
    assert not server_errors, "\n".join(server_errors[:40])
    assert not problems + ws_problems, "\n".join((problems + ws_problems)[:40])
    assert not changed, f"rows changed in {changed}; accepted inputs: {accepted}"
    assert not accepted, f"bad values accepted: {accepted}"
    assert elapsed < TIME_LIMIT_S
