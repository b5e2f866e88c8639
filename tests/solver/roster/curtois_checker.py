"""An independent checker for Curtois benchmark solutions: its own parser, no import of the model.

check(instance_text, solution_text) -> (violations, objective). A violation is a sentence naming the
hard rule, the employee and the day(s); the objective is recomputed from the instance's weights.
Written from the benchmark's README (schedulingbenchmarks.org), not from services/solver/roster.
"""
from __future__ import annotations


def _read(text: str) -> dict[str, list[list[str]]]:
    sections: dict[str, list[list[str]]] = {}
    name = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            name = line
            sections[name] = []
        else:
            sections[name].append(line.split(","))
    return sections


def _runs(worked: list[bool], value: bool) -> list[tuple[int, int]]:
    """(start, end inclusive) of each maximal run of `value`."""
    out, start = [], None
    for d, w in enumerate(worked + [not value]):
        if w == value and start is None:
            start = d
        elif w != value and start is not None:
            out.append((start, d - 1))
            start = None
    return out


def check(instance_text: str, solution_text: str) -> tuple[list[str], int]:
    sec = _read(instance_text)
    horizon = int(sec["SECTION_HORIZON"][0][0])
    length = {row[0]: int(row[1]) for row in sec["SECTION_SHIFTS"]}
    cannot_follow = {row[0]: {s for s in (row[2].split("|") if len(row) > 2 else []) if s}
                     for row in sec["SECTION_SHIFTS"]}
    staff = sec["SECTION_STAFF"]
    lines = solution_text.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    bad: list[str] = []
    if len(lines) != len(staff):
        return [f"{len(lines)} lines for {len(staff)} employees"], -1
    plan: dict[str, list[str]] = {}
    for row, line in zip(staff, lines):
        fields = line.split("\t")
        if len(fields) != horizon:
            bad.append(f"{row[0]}: {len(fields)} fields for {horizon} days")
            fields = (fields + [""] * horizon)[:horizon]
        for d, f in enumerate(fields):
            if f and f not in length:
                bad.append(f"{row[0]} day {d}: unknown shift {f!r}")
        plan[row[0]] = [f if f in length else "" for f in fields]
    for row in sec.get("SECTION_DAYS_OFF", []):
        for d in row[1:]:
            if d and plan[row[0]][int(d)]:
                bad.append(f"{row[0]} day {d}: works on a fixed day off")
    for row in staff:
        emp, fields = row[0], plan[row[0]]
        limits = dict(item.split("=") for item in row[1].split("|") if item)
        for sid, n in limits.items():
            if sum(f == sid for f in fields) > int(n):
                bad.append(f"{emp}: more than {n} shifts {sid}")
        for d in range(horizon - 1):
            if fields[d] and fields[d + 1] in cannot_follow[fields[d]]:
                bad.append(f"{emp} day {d}-{d + 1}: {fields[d + 1]} may not follow {fields[d]}")
        total = sum(length[f] for f in fields if f)
        if not int(row[3]) <= total <= int(row[2]):
            bad.append(f"{emp}: {total} minutes outside [{row[3]}, {row[2]}]")
        worked = [bool(f) for f in fields]
        max_on, min_on, min_off, max_we = int(row[4]), int(row[5]), int(row[6]), int(row[7])
        for a, b in _runs(worked, True):
            if b - a + 1 > max_on:
                bad.append(f"{emp} days {a}-{b}: {b - a + 1} shifts in a row > {max_on}")
            if b - a + 1 < min_on and a > 0 and b < horizon - 1:
                bad.append(f"{emp} days {a}-{b}: {b - a + 1} shifts in a row < {min_on}")
        for a, b in _runs(worked, False):
            if b - a + 1 < min_off and a > 0 and b < horizon - 1:
                bad.append(f"{emp} days {a}-{b}: {b - a + 1} days off in a row < {min_off}")
        weekends = sum(1 for sat in range(5, horizon, 7)
                       if worked[sat] or (sat + 1 < horizon and worked[sat + 1]))
        if weekends > max_we:
            bad.append(f"{emp}: {weekends} weekends worked > {max_we}")
    objective = 0
    for row in sec.get("SECTION_SHIFT_ON_REQUESTS", []):
        if plan[row[0]][int(row[1])] != row[2]:
            objective += int(row[3])
    for row in sec.get("SECTION_SHIFT_OFF_REQUESTS", []):
        if plan[row[0]][int(row[1])] == row[2]:
            objective += int(row[3])
    for row in sec.get("SECTION_COVER", []):
        d, sid, need = int(row[0]), row[1], int(row[2])
        have = sum(plan[e][d] == sid for e in plan)
        objective += max(0, need - have) * int(row[3]) + max(0, have - need) * int(row[4])
    return bad, objective
