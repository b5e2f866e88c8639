"""Reader for the Curtois shift-scheduling benchmark text format (schedulingbenchmarks.org).

Sections SECTION_HORIZON, SECTION_SHIFTS, SECTION_STAFF, SECTION_DAYS_OFF, SECTION_SHIFT_ON_REQUESTS,
SECTION_SHIFT_OFF_REQUESTS, SECTION_COVER; `#` starts a comment line. The result is a RosterSpec, so the
benchmark runs through the very model AIMEE's rosters use.
"""
from __future__ import annotations

from pathlib import Path

from services.solver.roster.spec import Cover, Employee, Request, RosterSpec, Shift, weekends_from_monday


def _sections(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            current = line
            out[current] = []
        elif current is not None:
            out[current].append(line)
    return out


def parse(text: str) -> RosterSpec:
    sec = _sections(text)
    days = int(sec["SECTION_HORIZON"][0])
    shifts = []
    for line in sec.get("SECTION_SHIFTS", []):
        parts = line.split(",")
        nxt = frozenset(p for p in (parts[2].split("|") if len(parts) > 2 else []) if p)
        shifts.append(Shift(parts[0], int(parts[1]), nxt))
    staff_rows = [line.split(",") for line in sec.get("SECTION_STAFF", [])]
    index = {row[0]: i for i, row in enumerate(staff_rows)}
    off: dict[str, set[int]] = {row[0]: set() for row in staff_rows}
    for line in sec.get("SECTION_DAYS_OFF", []):
        parts = line.split(",")
        off[parts[0]].update(int(p) for p in parts[1:] if p)
    employees = []
    for row in staff_rows:
        limits = {}
        for item in row[1].split("|"):
            if item:
                sid, n = item.split("=")
                limits[sid] = int(n)
        employees.append(Employee(row[0], limits, int(row[2]), int(row[3]), int(row[4]), int(row[5]),
                                  int(row[6]), int(row[7]), frozenset(off[row[0]])))
    requests = []
    for name, on in (("SECTION_SHIFT_ON_REQUESTS", True), ("SECTION_SHIFT_OFF_REQUESTS", False)):
        for line in sec.get(name, []):
            e, d, s, w = line.split(",")
            requests.append(Request(index[e], int(d), s, int(w), on))
    cover = []
    for line in sec.get("SECTION_COVER", []):
        d, s, req, wu, wo = line.split(",")
        cover.append(Cover(int(d), s, int(req), int(wu), int(wo)))
    return RosterSpec(days, shifts, employees, requests, cover, weekend_days=weekends_from_monday(days))


def read(path: str | Path) -> RosterSpec:
    return parse(Path(path).read_text(encoding="utf-8"))
