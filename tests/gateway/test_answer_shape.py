"""A degraded answer has the same JSON keys as a complete one (proto3 JSON drops unset messages)."""
from __future__ import annotations

from google.protobuf import json_format

from aimee.intent.v1 import intent_pb2
from aimee.synthesis.v1 import synthesis_pb2
from services.gateway.answer import build_answer
from services.gateway.engines import Outcome


def test_answer_without_synthesis_keeps_every_key():
    answer = build_answer(query="横浜のアラートを改善して", intent=intent_pb2.Intent(), parser="rules",
                          data=synthesis_pb2.EngineData(), outcomes=[Outcome("synthesis", reason="停止中")],
                          composed=None, elapsed_ms=12.0, notes=[])
    body = json_format.MessageToDict(answer, preserving_proto_field_name=True)
    for key in ("improvement_plan", "next_monitoring", "grounding", "supporting_data", "intent"):
        assert key in body, key
    assert body["improvement_plan"] == {} and body["status"] == "partial"
