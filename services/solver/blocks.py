"""Time blocks of a working day and how many hours a person can give to each.

Why fixed windows: shift_plans store start/end times and the sample data (like the sites) works
09:00-13:00 (午前), a one-hour break, 14:00-18:00 (午後), then overtime (残業) from 18:00. A person's hours
in a block are the overlap of their shift with the block window, clipped by a cut-off time (the seed's
「16時以降の新規業務停止」) and by their contract hours. Overtime exists only for people whose shift
reaches the end of the afternoon.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from services.common.errors import InvalidArgument

MORNING, AFTERNOON, OVERTIME = "morning", "afternoon", "overtime"
BLOCKS: tuple[str, ...] = (MORNING, AFTERNOON, OVERTIME)
REGULAR_BLOCKS: tuple[str, ...] = (MORNING, AFTERNOON)
BLOCK_JA = {MORNING: "午前", AFTERNOON: "午後", OVERTIME: "残業"}

# Block windows in minutes after midnight. Overtime starts when the afternoon ends.
WINDOWS = {MORNING: (9 * 60, 13 * 60), AFTERNOON: (14 * 60, 18 * 60)}
OVERTIME_START = WINDOWS[AFTERNOON][1]

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


def parse_hhmm(value: str, field: str) -> int:
    """'16:00' (or '16:00:00') → minutes after midnight; anything else is INVALID_ARGUMENT."""
    match = _HHMM.match((value or "").strip())
    if not match:
        raise InvalidArgument(f"{field} は HH:MM 形式（例: 16:00）で指定してください（現在: {value!r}）")
    return int(match.group(1)) * 60 + int(match.group(2))


def format_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def validate_block(value: str, field: str = "time_block") -> str:
    if value not in BLOCKS:
        raise InvalidArgument(f"{field} は morning・afternoon・overtime のいずれかです（現在: {value!r}）")
    return value


@dataclass(frozen=True)
class DayHours:
    """Hours one person can work in each block of the day."""
    morning: float
    afternoon: float
    overtime_cap: float

    def regular(self, block: str) -> float:
        return self.morning if block == MORNING else self.afternoon if block == AFTERNOON else 0.0


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def day_hours(shift_start: int, shift_end: int, contract_hours: float, overtime_limit: float,
              cutoff: int | None = None) -> DayHours:
    """A person's block hours from their shift (minutes), contract and overtime limit, under a cut-off.

    The afternoon is clipped so regular hours never exceed the contract; overtime needs a shift that
    reaches 18:00 and ends at the cut-off when one is set before the overtime window closes.
    """
    end = shift_end if cutoff is None else min(shift_end, cutoff)
    morning = _overlap((shift_start, end), WINDOWS[MORNING]) / 60.0
    afternoon = _overlap((shift_start, end), WINDOWS[AFTERNOON]) / 60.0
    morning = min(morning, max(0.0, contract_hours))
    afternoon = min(afternoon, max(0.0, contract_hours - morning))
    overtime = 0.0
    if shift_end >= OVERTIME_START and afternoon > 0 and overtime_limit > 0:
        overtime = overtime_limit
        if cutoff is not None:
            overtime = min(overtime, max(0, cutoff - OVERTIME_START) / 60.0)
    return DayHours(round(morning, 4), round(afternoon, 4), round(max(0.0, overtime), 4))


def cutoff_share(block: str, cutoff: int | None) -> float:
    """Share of a block's workload that falls before the cut-off (the rest waits for the next day)."""
    if cutoff is None:
        return 1.0
    if block == OVERTIME:
        return 0.0 if cutoff <= OVERTIME_START else 1.0
    start, end = WINDOWS[block]
    return max(0.0, min(1.0, (cutoff - start) / (end - start)))
