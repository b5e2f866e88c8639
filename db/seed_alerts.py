"""A modest set of historic alerts per site, derived from the simulated numbers (so they are true).

Rules mirror what the analytics engine detects; rule_key 'seed:<type>:<site code>:<period start>' keeps
them distinct from live detections. The newest few per type are kept: recent ones open/acknowledged,
older ones resolved.
"""
from __future__ import annotations

import json
import random
from datetime import timedelta

from db.reference import SiteProfile
from db.simulate import Ids, SiteStats
from db.timeline import Timeline


def _candidates(tl: Timeline, profile: SiteProfile, stats: SiteStats, demand: list[float],
                overtime_limit: float) -> dict[str, list[tuple]]:
    """type -> [(start_idx, end_idx, severity, title, message, evidence)] oldest first."""
    name, today = profile.name, tl.today
    out: dict[str, list[tuple]] = {k: [] for k in
                                   ("overtime_over_limit", "absence_spike", "staffing_shortage", "productivity_drop")}
    total_att = sum(stats.att_n) or 1
    baseline = sum(stats.absent_n) / total_att
    spike_at = max(0.10, 1.8 * baseline)
    for d in range(today + 1):
        ds = tl.strs[d]
        ot = stats.ot_sum[d]
        if ot > overtime_limit:
            ratio = ot / overtime_limit
            sev = "critical" if ratio >= 2.5 else "high" if ratio >= 1.5 else "medium" if ratio >= 1.2 else "low"
            out["overtime_over_limit"].append((d, d, sev, f"{name}拠点 残業上限超過",
                f"{ds} の残業合計 {ot:.1f}h が拠点上限 {overtime_limit:.1f}h を超過しました"
                f"（個人上限超過 {stats.over_personal[d]}名）",
                {"date": ds, "overtime_hours": round(ot, 2), "limit_hours": overtime_limit,
                 "staff_over_personal_limit": stats.over_personal[d]}))
        n, absent = stats.att_n[d], stats.absent_n[d]
        if n >= 8 and absent / n >= spike_at:
            rate = absent / n
            sev = "high" if rate >= 0.25 else "medium" if rate >= 0.14 else "low"
            out["absence_spike"].append((d, d, sev, f"{name}拠点 欠勤急増",
                f"{ds} の欠勤率 {rate:.0%}（{absent}/{n}名）が平常時 {baseline:.0%} を大きく上回りました",
                {"date": ds, "absent": absent, "scheduled": n, "absence_rate": round(rate, 4),
                 "baseline_rate": round(baseline, 4)}))
        if d < today and demand[d] >= 32.0:  # ignore near-empty Sundays: one absence is not a shortage
            ratio = stats.present_hours[d] / demand[d]
            if ratio < 0.85:
                sev = "high" if ratio < 0.75 else "medium" if ratio < 0.8 else "low"
                out["staffing_shortage"].append((d, d, sev, f"{name}拠点 人員不足",
                    f"{ds} の必要工数 {demand[d]:.0f}h に対し出勤工数 {stats.present_hours[d]:.0f}h"
                    f"（充足率 {ratio:.0%}）",
                    {"date": ds, "required_hours": round(demand[d], 1),
                     "available_hours": round(stats.present_hours[d], 1), "coverage": round(ratio, 3)}))
    for end in range(today, 34, -7):  # rolling 7 days vs the 28 days before
        cur_n = sum(stats.score_n[end - 6:end + 1])
        base_n = sum(stats.score_n[end - 34:end - 6])
        if cur_n < 20 or base_n < 80:
            continue
        cur = sum(stats.score_sum[end - 6:end + 1]) / cur_n
        base = sum(stats.score_sum[end - 34:end - 6]) / base_n
        if base - cur >= 2.5:
            drop = base - cur
            sev = "high" if drop >= 6 else "medium" if drop >= 4 else "low"
            out["productivity_drop"].append((end - 6, end, sev, f"{name}拠点 生産性低下",
                f"{tl.strs[end - 6]}〜{tl.strs[end]} の平均生産性 {cur:.1f}% が前4週平均 {base:.1f}% から"
                f" {drop:.1f}pt 低下しました",
                {"period_start": tl.strs[end - 6], "period_end": tl.strs[end], "avg_productivity": round(cur, 2),
                 "baseline_productivity": round(base, 2), "drop_points": round(drop, 2)}))
    for rows in out.values():
        rows.sort(key=lambda r: r[0])
    return out


LIVE_WINDOW_DAYS = 14  # the detection backfill covers these days


def emit_alerts(tl: Timeline, profile: SiteProfile, location_id: int, stats: SiteStats, demand: list[float],
                overtime_limit: float, rng: random.Random, ids: Ids, sink, per_type: int = 4) -> None:
    today = tl.today
    for kind, rows in _candidates(tl, profile, stats, demand, overtime_limit).items():
        # Only resolved history: the live (open) alerts are raised by the analytics engine's detection rules
        # run over the loaded data (services.analytics.backfill), so every open alert was found, not written.
        historic = [r for r in rows if today - r[1] > LIVE_WINDOW_DAYS]
        for start, end, severity, title, message, evidence in historic[-per_type:]:
            status = "resolved"
            detected = f"{tl.strs[end]} 19:00:00"
            resolved = f"{(tl.dates[end] + timedelta(days=rng.randint(1, 3))).isoformat()} 17:00:00"
            ids.alert += 1
            sink.add("alerts", (ids.alert, location_id, kind, severity, status, title, message,
                                json.dumps(evidence, ensure_ascii=False), tl.strs[start], tl.strs[end],
                                f"seed:{kind}:{profile.code}:{tl.strs[start]}", detected, resolved))
