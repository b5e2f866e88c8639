"""absence_spike: unplanned absence (status 'absent'; paid leave is planned and left out) clearly higher
than normal, in two ways:

- weekday: over the last 8 weeks one weekday's absence rate exceeds the other weekdays' rate
  (e.g. 横浜's Mondays). Subject `weekday<DAYOFWEEK>`, period = the 8 weeks.
- recent: the last 28 days' rate exceeds the site's own rate over the 56 days before (e.g. 札幌 in winter).
  Subject `recent`, period = the 28 days.

Both need a difference of at least MIN_DIFF_PTS points and a two-proportion z of at least MIN_Z.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from services.common.db import fetch_all
from services.common.sites import Site

from services.analytics.detection.finding import Finding, days, md
from services.analytics.labels import DOW_ORDER, mysql_dow, weekday_name
from services.analytics.stats import two_proportion_z

WEEKDAY_WINDOW = 56
RECENT_DAYS, BASELINE_DAYS = 28, 56
MIN_DIFF_PTS = 3.0
MIN_Z = 3.0
MIN_RECORDS = 30


def severity(diff_pts: float, ratio: float) -> str:
    if diff_pts >= 10 or ratio >= 3:
        return "high"
    if diff_pts >= 5 or ratio >= 1.75:
        return "medium"
    return "low"


async def detect(ctx, site: Site, start: dt.date, end: dt.date) -> list[Finding]:
    first = start - dt.timedelta(days=max(WEEKDAY_WINDOW, RECENT_DAYS + BASELINE_DAYS) - 1)
    rows = await fetch_all(ctx.pool, """
        SELECT attendance_date, COUNT(*) AS n, SUM(attendance_status = 'absent') AS absent
        FROM attendance_records WHERE location_id = %s AND attendance_date BETWEEN %s AND %s
        GROUP BY attendance_date""", (site.location_id, first, end))
    daily = {r["attendance_date"]: (int(r["n"]), int(r["absent"] or 0)) for r in rows}
    findings = []
    for as_of in days(start, end):
        findings.extend(_weekday(site, as_of, daily))
        recent = _recent(site, as_of, daily)
        if recent:
            findings.append(recent)
    return findings


def _sum(daily: dict, first: dt.date, last: dt.date) -> tuple[int, int]:
    n = x = 0
    for day in days(first, last):
        dn, dx = daily.get(day, (0, 0))
        n, x = n + dn, x + dx
    return n, x


def _weekday(site: Site, as_of: dt.date, daily: dict) -> list[Finding]:
    first = as_of - dt.timedelta(days=WEEKDAY_WINDOW - 1)
    per_dow: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    weekly: dict[int, list[dict]] = defaultdict(list)
    for day in days(first, as_of):
        n, x = daily.get(day, (0, 0))
        if n:
            dow = mysql_dow(day)
            per_dow[dow][0] += n
            per_dow[dow][1] += x
            weekly[dow].append({"date": day.isoformat(), "records": n, "absent": x, "rate": round(x / n, 4)})
    all_n, all_x = sum(v[0] for v in per_dow.values()), sum(v[1] for v in per_dow.values())
    out = []
    for dow in DOW_ORDER:
        n, x = per_dow.get(dow, (0, 0))
        rest_n, rest_x = all_n - n, all_x - x
        if n < MIN_RECORDS or rest_n < MIN_RECORDS:
            continue
        rate, base = x / n, rest_x / rest_n
        diff, z = (rate - base) * 100, two_proportion_z(x, n, rest_x, rest_n)
        if diff < MIN_DIFF_PTS or z < MIN_Z:
            continue
        ratio = rate / base if base else 0.0
        name = weekday_name(dow)
        out.append(Finding(
            site=site, alert_type="absence_spike", subject=f"weekday{dow}", severity=severity(diff, ratio),
            period_start=first, period_end=as_of,
            title=f"{site.name} {name}曜日の欠勤率上昇（{md(first)}〜{md(as_of)}）",
            message=(f"直近8週間（{first.isoformat()}〜{as_of.isoformat()}）の{name}曜日の欠勤率（有給除く）は "
                     f"{rate * 100:.1f}%（{x}/{n}件）で、他の曜日の {base * 100:.1f}% より {diff:.1f}ポイント高く"
                     f"（{ratio:.1f}倍、z={z:.1f}）なっています。"),
            evidence={"rule": "absence_spike", "subject": "weekday", "day_of_week": dow, "weekday_name": name,
                      "window_from": first.isoformat(), "window_to": as_of.isoformat(),
                      "absence_rate": round(rate, 4), "other_days_rate": round(base, 4),
                      "difference_pts": round(diff, 2), "ratio": round(ratio, 2), "z_score": round(z, 2),
                      "records": n, "absent": x, "other_records": rest_n, "other_absent": rest_x,
                      "by_date": weekly[dow], "statuses_counted": ["absent"], "source": "attendance_records"}))
    return out


def _recent(site: Site, as_of: dt.date, daily: dict) -> Finding | None:
    recent_start = as_of - dt.timedelta(days=RECENT_DAYS - 1)
    base_start = recent_start - dt.timedelta(days=BASELINE_DAYS)
    base_end = recent_start - dt.timedelta(days=1)
    n, x = _sum(daily, recent_start, as_of)
    bn, bx = _sum(daily, base_start, base_end)
    if n < MIN_RECORDS or bn < MIN_RECORDS:
        return None
    rate, base = x / n, bx / bn
    diff, z = (rate - base) * 100, two_proportion_z(x, n, bx, bn)
    if diff < MIN_DIFF_PTS or z < MIN_Z:
        return None
    ratio = rate / base if base else 0.0
    return Finding(
        site=site, alert_type="absence_spike", subject="recent", severity=severity(diff, ratio),
        period_start=recent_start, period_end=as_of,
        title=f"{site.name} 欠勤率上昇（{md(recent_start)}〜{md(as_of)}）",
        message=(f"直近28日（{recent_start.isoformat()}〜{as_of.isoformat()}）の欠勤率（有給除く）は "
                 f"{rate * 100:.1f}%（{x}/{n}件）で、その前の8週間の {base * 100:.1f}% から {diff:.1f}ポイント上昇"
                 f"（{ratio:.1f}倍、z={z:.1f}）しています。"),
        evidence={"rule": "absence_spike", "subject": "recent", "window_from": recent_start.isoformat(),
                  "window_to": as_of.isoformat(), "baseline_from": base_start.isoformat(),
                  "baseline_to": base_end.isoformat(), "absence_rate": round(rate, 4),
                  "baseline_rate": round(base, 4), "difference_pts": round(diff, 2), "ratio": round(ratio, 2),
                  "z_score": round(z, 2), "records": n, "absent": x, "baseline_records": bn, "baseline_absent": bx,
                  "statuses_counted": ["absent"], "source": "attendance_records"})
