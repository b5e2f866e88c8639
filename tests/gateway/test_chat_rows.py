"""The chat table stores the domain intent in its own JSON shape, and reads rows written in the older proto
JSON mapping the same way (so a conversation survives a proto rename or an upgrade)."""
from __future__ import annotations

import json

from google.protobuf import json_format

from aimee.intent.v1 import intent_pb2
from services.gateway.chat import intent_from_row, intent_row

FOLLOW_UP = intent_pb2.Intent(intent="optimize_assignment", location="横浜", locations=["横浜", "品川"],
                              confidence=0.9, date="2026-12-02", demand_change_pct=20.0)


def test_a_row_round_trips_and_names_domain_fields():
    row = intent_row(FOLLOW_UP)
    assert intent_from_row(row) == FOLLOW_UP
    stored = json.loads(row)
    assert stored["location"] == "横浜" and stored["locations"] == ["横浜", "品川"]
    assert set(stored) >= {"intent", "date_from", "date_to", "weekday"}  # every domain field, defaults included


def test_rows_in_the_old_proto_json_shape_still_read():
    old = json_format.MessageToJson(FOLLOW_UP, preserving_proto_field_name=True)
    assert intent_from_row(old) == FOLLOW_UP


def test_the_typed_question_and_absentees_survive_a_row():
    asked = intent_pb2.Intent(intent="query_data", location="品川", absent_employee_names=["田中"])
    asked.question.metric = "overtime_hours"
    asked.question.sites.extend(["品川", "大阪"])
    asked.question.top_n = 3
    assert intent_from_row(intent_row(asked)) == asked


def test_unknown_keys_are_ignored():
    assert intent_from_row(json.dumps({"intent": "query_alerts", "no_such_field": 1})).intent == "query_alerts"
