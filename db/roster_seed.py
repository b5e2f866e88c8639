"""Sample rostering data for the five sites: shift types, settings and requests (希望休 / 希望シフト).

Runs after the main generator (db/load.py) and reads the employees it wrote, so the existing generated
tables stay byte-for-byte what they were. Deterministic per (seed, end_date). Requests cover the next
three weeks; a cluster of 希望休 on next week's Saturday at every site is more than cover allows, so
planning next week must refuse some (and say which and why).
"""
from __future__ import annotations

import datetime as dt
import random

from db.connect import connect

SHIFT_TYPES = (   # code, name, start, end, break minutes, is_late, share of the day's headcount
    ("early", "早番", "07:00:00", "16:00:00", 60, 0, 0.40),
    ("day", "日勤", "09:00:00", "18:00:00", 60, 0, 0.35),
    ("late", "遅番", "13:00:00", "22:00:00", 60, 1, 0.25),
)
# location_id -> (four_in_four, closed_on_holidays): 札幌 uses 4週4休, 佐世保 closes on public holidays
SETTINGS = {3: (1, 0), 5: (0, 1)}
ROSTER_TABLES = ("roster_audit", "roster_versions", "roster_requests", "roster_settings", "roster_shift_types")


def seed_rosters(database: str, end_date: dt.date, seed: int = 42, url: str | None = None) -> dict[str, int]:
    counts = {t: 0 for t in ROSTER_TABLES}
    with connect(database=database, url=url, autocommit=False) as conn, conn.cursor() as cur:
        for table in ROSTER_TABLES:
            cur.execute(f"DELETE FROM `{table}`")
        cur.execute("SELECT location_id FROM locations ORDER BY location_id")
        sites = [r[0] for r in cur.fetchall()]
        for loc in sites:
            for code, name, start, end, brk, late, share in SHIFT_TYPES:
                cur.execute("INSERT INTO roster_shift_types (location_id, shift_code, shift_name, start_time, "
                            "end_time, break_minutes, is_late, demand_share) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)",
                            (loc, code, name, start, end, brk, late, share))
                counts["roster_shift_types"] += 1
            four, closed = SETTINGS.get(loc, (0, 0))
            cur.execute("INSERT INTO roster_settings (location_id, four_in_four, closed_on_holidays) "
                        "VALUES (%s,%s,%s)", (loc, four, closed))
            counts["roster_settings"] += 1
        monday = end_date + dt.timedelta(days=7 - end_date.weekday())
        saturday = monday + dt.timedelta(days=5)
        for loc in sites:
            rng = random.Random(f"aimee-roster:{seed}:{end_date.isoformat()}:{loc}")
            cur.execute("SELECT employee_id FROM employees WHERE location_id = %s AND is_active = 1 "
                        "ORDER BY employee_id", (loc,))
            staff = [r[0] for r in cur.fetchall()]
            rows = []
            for emp in rng.sample(staff, max(1, len(staff) * 2 // 3)):   # everyone wants that Saturday
                rows.append((emp, loc, saturday, None, "pending", "家族の予定"))
            for emp in staff:
                for _ in range(rng.choice((0, 0, 1, 2))):
                    day = monday + dt.timedelta(days=rng.randrange(21))
                    if rng.random() < 0.3:
                        rows.append((emp, loc, day, rng.choice(("early", "day", "late")), "pending", "希望シフト"))
                    else:
                        approved = rng.random() < 0.3
                        rows.append((emp, loc, day, None, "approved" if approved else "pending",
                                     "通院" if approved else "私用"))
            seen, unique = set(), []
            for row in rows:
                if (row[0], row[2]) not in seen:
                    seen.add((row[0], row[2]))
                    unique.append(row)
            cur.executemany("INSERT INTO roster_requests (employee_id, location_id, request_date, shift_code, "
                            "status, note) VALUES (%s,%s,%s,%s,%s,%s)", unique)
            counts["roster_requests"] += len(unique)
        conn.commit()
    return counts
