"""Request dates: one accepted range, so no analysis can overflow date arithmetic (0001-01-01 - 1 day)."""
from __future__ import annotations

import datetime as dt

import pytest

from services.common.dates import MAX_DATE, MIN_DATE, parse_date, parse_range
from services.common.echo import clip
from services.common.errors import InvalidArgument


@pytest.mark.parametrize("value", ["0001-01-01", "1999-12-31", "2100-01-01", "9999-12-31"])
def test_dates_outside_the_range_are_refused_with_the_range(value):
    with pytest.raises(InvalidArgument, match="2000-01-01〜2099-12-31") as err:
        parse_date(value, "date_to")
    assert err.value.message.startswith("date_to ")


@pytest.mark.parametrize("value", ["20261201", "2026-W48-2", "２０２６-１２-０１", "2026-12-1", "2026-02-30", "x"])
def test_only_yyyy_mm_dd_is_accepted(value):
    with pytest.raises(InvalidArgument, match="YYYY-MM-DD"):
        parse_date(value, "date")


def test_edges_of_the_range_are_accepted_and_shifting_them_cannot_overflow():
    assert parse_date(MIN_DATE.isoformat(), "d") == MIN_DATE
    assert parse_date(MAX_DATE.isoformat(), "d") == MAX_DATE
    # The longest shifts the analyses make are a few hundred days; the range leaves centuries of room.
    assert MIN_DATE - dt.timedelta(days=10_000) > dt.date.min
    assert MAX_DATE + dt.timedelta(days=10_000) < dt.date.max


def test_range_with_only_an_out_of_range_end_is_refused_not_overflowed():
    with pytest.raises(InvalidArgument, match="date_to"):
        parse_range("", "0001-01-01")


def test_a_long_value_is_not_echoed_whole():
    with pytest.raises(InvalidArgument) as err:
        parse_date("9" * 1_000_000, "date")
    assert len(err.value.message) < 200
    assert clip("あ" * 1000).endswith("…（全1000文字）")
    assert clip("横浜") == "横浜"
