"""productivity_drop: the site's mean productivity of the last 14 days fell against its rolling baseline
(the 28 days before those 14) by at least DROP_PCT percent, with Welch |t| >= MIN_T so that it is not
day-to-day noise. Both windows hold whole weeks, so the weekday mix is the same on each side; 14 days
rather than 7 so that a gradual slide (a few points over a month) is seen, not only a sudden fall.

The evidence breaks the drop down by process so the manager sees where it happened.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from services.common.db import fetch_all
from services.common.sites import Site

from services.analytics.detection.finding import Finding, days, md
from services.analytics.stats import welch_t

RECENT_DAYS = 14
BASELINE_DAYS = 28
DROP_PCT = 2.5      # relative to the baseline mean (sites differ in level, so relative, not points)
MIN_T = 3.0
MIN_RECENT, MIN_BASELINE = 30, 100


def severity(drop_pct: float) -> str:
    return "critical" if drop_pct >= 10 else "high" if drop_pct >= 6 else "medium" if drop_pct >= 4 else "low"


class _Acc:
    """Running sums of one window: enough for mean and standard deviation."""
    __slots__ = ("n", "s", "ss")

    def __init__(self) -> None:
        self.n, self.s, self.ss = 0, 0.0, 0.0

    def add(self, n: int, s: float, ss: float) -> None:
        self.n, self.s, self.ss = self.n + n, self.s + s, self.ss + ss

    @property
    def mean(self) -> float:
        return self.s / self.n if self.n else 0.0

    @property
    def sd(self) -> float:
        if self.n < 2:
            return 0.0
        return math.sqrt(max(0.0, (self.ss - self.s * self.s / self.n) / (self.n - 1)))


async def detect(ctx, site: Site, start: dt.date, end: dt.date) -> list[Finding]:
    first = start - dt.timedelta(days=RECENT_DAYS + BASELINE_DAYS - 1)
    rows = await fetch_all(ctx.pool, """
        SELECT record_date, process_id, COUNT(*) AS n, SUM(productivity_score) AS s,
               SUM(productivity_score * productivity_score) AS ss
        FROM productivity_records WHERE location_id = %s AND record_date BETWEEN %s AND %s
        GROUP BY record_date, process_id""", (site.location_id, first, end))
    daily: dict[dt.date, list[tuple[int, int, float, float]]] = defaultdict(list)
    for r in rows:
        daily[r["record_date"]].append((int(r["process_id"]), int(r["n"]), float(r["s"]), float(r["ss"])))
    names = {p.process_id: p.name for p in await ctx.processes.all()}
    findings = []
    for as_of in days(start, end):
        recent_start = as_of - dt.timedelta(days=RECENT_DAYS - 1)
        base_start = recent_start - dt.timedelta(days=BASELINE_DAYS)
        recent, base = _Acc(), _Acc()
        per_process: dict[int, tuple[_Acc, _Acc]] = defaultdict(lambda: (_Acc(), _Acc()))
        for day in days(base_start, as_of):
            side = 0 if day >= recent_start else 1
            for pid, n, s, ss in daily.get(day, ()):
                (recent if side == 0 else base).add(n, s, ss)
                per_process[pid][side].add(n, s, ss)
        if recent.n < MIN_RECENT or base.n < MIN_BASELINE:
            continue
        drop = base.mean - recent.mean
        drop_pct = drop / base.mean * 100 if base.mean else 0.0
        t = welch_t(recent.mean, recent.sd, recent.n, base.mean, base.sd, base.n)
        if drop_pct < DROP_PCT or t > -MIN_T:
            continue
        breakdown = sorted(
            ({"process": names.get(pid, str(pid)), "recent_mean": round(r.mean, 2), "baseline_mean": round(b.mean, 2),
              "drop_points": round(b.mean - r.mean, 2), "recent_records": r.n, "baseline_records": b.n}
             for pid, (r, b) in per_process.items() if r.n and b.n),
            key=lambda x: -x["drop_points"])
        worst = breakdown[0] if breakdown else None
        message = (f"{recent_start.isoformat()}〜{as_of.isoformat()} の平均生産性 {recent.mean:.1f}% が、"
                   f"その前の4週間（{base_start.isoformat()}〜{(recent_start - dt.timedelta(days=1)).isoformat()}）の"
                   f"平均 {base.mean:.1f}% から {drop:.1f}ポイント（{drop_pct:.1f}%）低下しました"
                   f"（{recent.n}件 / {base.n}件、t={t:.1f}）。")
        if worst:
            message += f"低下が最も大きい工程は{worst['process']}（{worst['baseline_mean']:.1f}% → {worst['recent_mean']:.1f}%）。"
        findings.append(Finding(
            site=site, alert_type="productivity_drop", subject="site", severity=severity(drop_pct),
            period_start=recent_start, period_end=as_of,
            title=f"{site.name} 生産性低下（{md(recent_start)}〜{md(as_of)}）",
            message=message,
            evidence={
                "rule": "productivity_drop", "subject": "site",
                "recent_from": recent_start.isoformat(), "recent_to": as_of.isoformat(),
                "baseline_from": base_start.isoformat(), "baseline_to": (recent_start - dt.timedelta(days=1)).isoformat(),
                "recent_mean": round(recent.mean, 2), "baseline_mean": round(base.mean, 2),
                "drop_points": round(drop, 2), "drop_pct": round(drop_pct, 2),
                "recent_stddev": round(recent.sd, 2), "baseline_stddev": round(base.sd, 2),
                "recent_records": recent.n, "baseline_records": base.n, "welch_t": round(t, 2),
                "threshold_pct": DROP_PCT, "min_t": MIN_T, "by_process": breakdown, "source": "productivity_records",
            }))
    return findings
