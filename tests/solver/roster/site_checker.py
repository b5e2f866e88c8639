"""Independent hard-rule checker for AIMEE rosters: reads the RosterProblem's raw fields and the cells,
never the model's spec, and says which law or contract rule a roster breaks, for whom and when."""
from __future__ import annotations

import datetime as dt


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def check(problem, cells: dict[tuple[int, dt.date], str | None]) -> list[str]:
    r = problem.rules
    types = {s.code: s for s in problem.shift_types}
    dates = [problem.start + dt.timedelta(days=i) for i in range(problem.days)]
    bad: list[str] = []

    def span(code):
        s = types[code]
        start, end = _minutes(s.start), _minutes(s.end)
        if end <= start:
            end += 1440
        return start, end, end - start - s.break_minutes

    fixed_off = {(q.employee_id, q.day) for q in problem.requests if q.fixed and q.shift_code is None}
    for q in problem.requests:                      # approved 希望シフト are pinned
        if q.fixed and q.shift_code is not None and cells.get((q.employee_id, q.day)) != q.shift_code:
            bad.append(f"{q.employee_id} {q.day}: pinned {q.shift_code} not kept")
    for p in problem.people:
        row = [cells[(p.employee_id, d)] for d in dates]
        for d, code in zip(dates, row):
            if code is None:
                continue
            if code not in types:
                bad.append(f"{p.name} {d}: unknown shift {code}")
                continue
            if (p.employee_id, d) in problem.leave or (p.employee_id, d) in fixed_off:
                bad.append(f"{p.name} {d}: works on approved leave / fixed day off")
            if p.shift_codes is not None and code not in p.shift_codes:
                bad.append(f"{p.name} {d}: not allowed shift {code}")
            work = span(code)[2]
            if min(work, r.daily_regular_minutes) > p.contract_minutes_per_day:
                bad.append(f"{p.name} {d}: shift longer than the contract")
        # rest interval between consecutive days
        for i in range(len(row) - 1):
            if row[i] and row[i + 1]:
                rest = 1440 + span(row[i + 1])[0] - span(row[i])[1]
                if rest < r.rest_interval_hours * 60:
                    bad.append(f"{p.name} {dates[i]}: rest {rest / 60:.1f} h < {r.rest_interval_hours} h")
        # 7-day blocks: a day off, 40 h regular, contract days
        for a in range(0, len(row), 7):
            blk = row[a:a + 7]
            n = sum(1 for c in blk if c)
            if len(blk) == 7 and n > 6:
                bad.append(f"{p.name} week of {dates[a]}: no day off (労基法35条)")
            if n > p.contract_days_per_week:
                bad.append(f"{p.name} week of {dates[a]}: {n} days > contract {p.contract_days_per_week}")
            regular = sum(min(span(c)[2], r.daily_regular_minutes) for c in blk if c)
            if regular > r.weekly_regular_minutes:
                bad.append(f"{p.name} week of {dates[a]}: {regular / 60:.1f} h > 40 h")
        overtime = sum(max(0, span(c)[2] - r.daily_regular_minutes) for c in row if c)
        if overtime + p.overtime_month_minutes > r.overtime_month_limit_minutes or \
                overtime + p.overtime_year_minutes > r.overtime_year_limit_minutes:
            bad.append(f"{p.name}: overtime beyond the 36協定 limit")
        run = 0
        for c in row:
            run = run + 1 if c else 0
            if run > r.max_consecutive_days:
                bad.append(f"{p.name}: more than {r.max_consecutive_days} days in a row")
                break
    return bad
