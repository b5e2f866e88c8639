"""Storing findings idempotently.

Two guards, so re-running detection (scheduled, on demand, or a backfill) never duplicates an alert:
1. rule_key is UNIQUE: the same rule, subject and period is stored once (a concurrent insert that loses the
   race gets the duplicate-key error and reads the winner's row).
2. Episodes: a finding whose period overlaps an alert already stored for the same rule, site and subject is
   the same episode (a 7-day productivity window sliding by one day is not a new problem), so it is reported
   as that existing alert. Only keys written by detection (`<type>:<site code>:<subject>:...`) take part;
   alerts written by other writers keep their own keys and are left alone.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pymysql

from services.common.db import fetch_all

from services.analytics.detection.finding import Finding

DUPLICATE_KEY = 1062


@dataclass
class _Stored:
    alert_id: int
    prefix: str
    start: dt.date
    end: dt.date


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def store_findings(pool, findings: list[Finding]) -> list[tuple[int, bool, Finding]]:
    """[(alert_id, created, finding)] in the findings' order (chronological per rule)."""
    if not findings:
        return []
    known: dict[tuple[int, str], list[_Stored]] = {}
    by_key: dict[str, int] = {}
    for site_id, alert_type in {(f.site.location_id, f.alert_type) for f in findings}:
        related = [f for f in findings if f.site.location_id == site_id and f.alert_type == alert_type]
        rows = await fetch_all(pool, """
            SELECT alert_id, rule_key, period_start, period_end FROM alerts
            WHERE location_id = %s AND alert_type = %s AND rule_key LIKE %s
              AND period_end >= %s AND period_start <= %s""",
                               (site_id, alert_type, _like_prefix(f"{alert_type}:{related[0].site.code}:"),
                                min(f.period_start for f in related), max(f.period_end for f in related)))
        for r in rows:
            by_key[r["rule_key"]] = int(r["alert_id"])
            prefix = r["rule_key"].rsplit(":", 2)[0] + ":"
            known.setdefault((site_id, prefix), []).append(
                _Stored(int(r["alert_id"]), prefix, r["period_start"], r["period_end"]))
    results = []
    for f in sorted(findings, key=lambda f: (f.site.location_id, f.alert_type, f.subject, f.period_end)):
        if f.rule_key in by_key:
            results.append((by_key[f.rule_key], False, f))
            continue
        episode = next((s for s in known.get((f.site.location_id, f.rule_prefix), [])
                        if s.start <= f.period_end and s.end >= f.period_start), None)
        if episode is not None:
            results.append((episode.alert_id, False, f))
            continue
        alert_id, created = await _insert(pool, f)
        by_key[f.rule_key] = alert_id
        known.setdefault((f.site.location_id, f.rule_prefix), []).append(
            _Stored(alert_id, f.rule_prefix, f.period_start, f.period_end))
        results.append((alert_id, created, f))
    return results


async def _insert(pool, f: Finding) -> tuple[int, bool]:
    async with pool.acquire() as conn:
        async with conn.cursor() as cur:
            try:
                await cur.execute("""
                    INSERT INTO alerts (location_id, alert_type, severity, status, title, message, evidence_json,
                                        period_start, period_end, rule_key)
                    VALUES (%s, %s, %s, 'open', %s, %s, %s, %s, %s, %s)""",
                                  (f.site.location_id, f.alert_type, f.severity, f.title[:200], f.message[:1000],
                                   json.dumps(f.evidence, ensure_ascii=False, default=str),
                                   f.period_start, f.period_end, f.rule_key))
                return int(cur.lastrowid), True
            except pymysql.err.IntegrityError as exc:
                if exc.args and exc.args[0] == DUPLICATE_KEY:
                    await cur.execute("SELECT alert_id FROM alerts WHERE rule_key = %s", (f.rule_key,))
                    return int((await cur.fetchone())[0]), False
                raise
