"""Which requests the gateway sends to the roster model: a roster word, one site and a period of days —
never a single day's assignment, a question about shifts, or a request without a site."""
from __future__ import annotations

import datetime as dt

import pytest

from services.gateway import roster_flow
from services.intent import parser
from services.intent.wire import to_proto

TODAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize("query, expected", [
    ("来週の横浜のシフトを作って", True),
    ("再来週の品川のシフトを組んで", True),
    ("来週月曜の札幌の最適なシフトを組んで", False),   # one day: the daily assignment
    ("明日の横浜の配置を最適化して", False),
    ("来週のシフトを作って", False),                  # no site: the daily flow asks or says which site it used
    ("来週の横浜でシフトに入っている人は何人？", False),  # a question about shifts
])
def test_applies(query, expected):
    intent = to_proto(parser.parse(query, TODAY, None))
    assert roster_flow.applies(intent, query) is expected, intent
