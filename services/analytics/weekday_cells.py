"""Weekday × attendance-status counts shaped for the wire: written once for the overview and the
attendance pattern, which show the same cells (GetSiteOverview.attendance_pattern, GetAttendancePattern.cells)."""
from __future__ import annotations

from services.analytics.labels import ABSENT, ATTENDANCE_STATUSES, DOW_ORDER, weekday_name

Counts = dict[str, int]


def status_cells(by_dow: dict[int, Counts]) -> list[dict]:
    """One cell per weekday (MySQL DAYOFWEEK, Monday first) and status seen, with its share of the weekday."""
    cells = []
    for dow in DOW_ORDER:
        counts = by_dow.get(dow)
        if not counts:
            continue
        n = sum(counts.values())
        for status in ATTENDANCE_STATUSES:
            if counts.get(status):
                cells.append({"day_of_week": dow, "weekday_name": weekday_name(dow), "attendance_status": status,
                              "count": counts[status], "rate": round(counts[status] / n, 4)})
    return cells


def absence_share(counts: Counts) -> float:
    """Absence (labels.ABSENT statuses) over every record of these counts, 4 decimals."""
    n = sum(counts.values())
    return round(sum(counts.get(s, 0) for s in ABSENT) / n, 4) if n else 0.0
