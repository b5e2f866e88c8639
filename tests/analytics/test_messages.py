"""Domain dict → proto conversion: same result as json_format.ParseDict, and strict about unknown keys."""
from __future__ import annotations

import pytest
from google.protobuf.json_format import ParseDict

from aimee.analytics.v1 import analytics_pb2 as pb
from services.analytics.messages import to_message


def test_nested_repeated_and_struct_fields_match_parse_dict():
    data = {"alert": {"alert_id": 7, "location": "品川", "evidence": {"hours": 41.5, "staff": [{"id": 1}], "none": None}},
            "related_records": [{"attendance_date": "2026-11-24", "overtime_hours": 3.5}, {"k": "v"}]}
    assert to_message(pb.GetAlertResponse(), data) == ParseDict(data, pb.GetAlertResponse())
    trend = {"location": "横浜", "points": [{"period_start": "2026-11-02", "mean": 81.5, "sample_size": 3}],
             "current": {"mean": 80.0, "sample_size": 9}, "comparable": True}
    assert to_message(pb.GetProductivityTrendResponse(), trend) == ParseDict(trend, pb.GetProductivityTrendResponse())


def test_unknown_key_is_an_error():
    with pytest.raises(KeyError):
        to_message(pb.SiteOverview(), {"locaton": "横浜"})
