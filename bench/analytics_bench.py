"""Analytics engine benchmark: latency of every analytics RPC on the sample data and on the large data set.

    python -m bench.analytics_bench [--database aimee_sample_bench] [--scale-database aimee_scale]
                                    [--iterations 20] [--skip-scale] [--reload-sample]

For each data set and RPC it prints p50/p95 of the domain call and of the same call through gRPC
(in-process server from services.analytics.server.build, real grpc.aio channel), the share of wall time
during which a MySQL query was outstanding, then EXPLAIN of every distinct statement the RPCs ran (key used,
rows examined, Extra) and the forecast backtest (method vs seasonal-naive) per site.
The Redis cache is OFF (ANALYTICS_CACHE semantics): the figures are real query time. Runs are warm (each
case runs once before it is measured). DetectAlerts is measured on re-runs (idempotent: it still evaluates
every rule, but stores nothing new).
"""
from __future__ import annotations

import argparse
import asyncio
import contextvars
import dataclasses
import datetime as dt
import secrets
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiomysql
import grpc

from aimee.analytics.v1 import analytics_pb2 as pb
from aimee.analytics.v1 import analytics_pb2_grpc as pb_grpc
from db.connect import connect
from services.common.db import create_pool, fetch_all
from services.common.grpc_server import create_server
from services.gateway.engine_client import engine_interceptors

from services.analytics import alert_stats, alerts, attendance, employees, forecast, overview, productivity
from services.analytics.cached import ResultCache
from services.analytics.config import Settings
from services.analytics.deps import Deps
from services.analytics.detection import runner
from services.analytics.server import build

# -- MySQL time accounting ------------------------------------------------------------------------------
_intervals: contextvars.ContextVar[list | None] = contextvars.ContextVar("bench_intervals", default=None)
_statements: contextvars.ContextVar[set | None] = contextvars.ContextVar("bench_statements", default=None)
_original_execute = aiomysql.Cursor.execute


async def _timed_execute(self, query, args=None):
    started = time.perf_counter()
    try:
        return await _original_execute(self, query, args)
    finally:
        spans = _intervals.get()
        if spans is not None:
            spans.append((started, time.perf_counter()))
        seen = _statements.get()
        if seen is not None and query.lstrip().upper().startswith("SELECT") and "GET_LOCK" not in query \
                and "RELEASE_LOCK" not in query:
            seen.add((query, tuple(args) if isinstance(args, (list, tuple)) else args))


aiomysql.Cursor.execute = _timed_execute


def _union_length(spans: list[tuple[float, float]]) -> float:
    total, current_start, current_end = 0.0, None, None
    for start, end in sorted(spans):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return total


# -- cases -----------------------------------------------------------------------------------------------
@dataclass
class Case:
    name: str
    domain: Callable[[Deps], Awaitable]
    grpc_call: Callable[[pb_grpc.AnalyticsServiceStub], Awaitable]
    iterations: int | None = None


def cases(site: str, today: dt.date, alert_id: int) -> list[Case]:
    year_ago = (today - dt.timedelta(days=365)).isoformat()
    return [
        Case("GetSiteOverview (site)", lambda d: overview.site_overview(d, site),
             lambda s: s.GetSiteOverview(pb.GetSiteOverviewRequest(location=site))),
        Case("GetSiteOverview (all sites)", lambda d: overview.site_overview(d, ""),
             lambda s: s.GetSiteOverview(pb.GetSiteOverviewRequest(location=""))),
        Case("GetProductivityTrend day 30d", lambda d: productivity.productivity_trend(d, site),
             lambda s: s.GetProductivityTrend(pb.GetProductivityTrendRequest(location=site))),
        Case("GetProductivityTrend week 366d by process",
             lambda d: productivity.productivity_trend(d, site, year_ago, "", "week", group_by="process"),
             lambda s: s.GetProductivityTrend(pb.GetProductivityTrendRequest(
                 location=site, date_from=year_ago, granularity="week", group_by="process"))),
        Case("GetProductivityTrend day 30d by employee",
             lambda d: productivity.productivity_trend(d, site, group_by="employee"),
             lambda s: s.GetProductivityTrend(pb.GetProductivityTrendRequest(location=site, group_by="employee"))),
        Case("GetAttendancePattern 30d", lambda d: attendance.attendance_pattern(d, site),
             lambda s: s.GetAttendancePattern(pb.GetAttendancePatternRequest(location=site))),
        Case("GetAttendancePattern 366d", lambda d: attendance.attendance_pattern(d, site, year_ago),
             lambda s: s.GetAttendancePattern(pb.GetAttendancePatternRequest(location=site, date_from=year_ago))),
        Case("GetAlertStats (all sites, 30d)", lambda d: alert_stats.alert_stats(d),
             lambda s: s.GetAlertStats(pb.GetAlertStatsRequest())),
        Case("ForecastWorkload 14d (+backtest)", lambda d: forecast.forecast_workload(d, site, 14),
             lambda s: s.ForecastWorkload(pb.ForecastWorkloadRequest(location=site, days=14))),
        Case("GetEmployeeStats 30d", lambda d: employees.employee_stats(d, site),
             lambda s: s.GetEmployeeStats(pb.GetEmployeeStatsRequest(location=site))),
        Case("ListAlerts (all, page 50)", lambda d: alerts.list_alerts(d),
             lambda s: s.ListAlerts(pb.ListAlertsRequest())),
        Case("GetAlert", lambda d: alerts.get_alert(d, alert_id),
             lambda s: s.GetAlert(pb.GetAlertRequest(alert_id=alert_id))),
        Case("DetectAlerts (site, as of today)", lambda d: runner.detect_alerts(d, site),
             lambda s: s.DetectAlerts(pb.DetectAlertsRequest(location=site))),
        Case("DetectAlerts (all sites, as of today)", lambda d: runner.detect_alerts(d, ""),
             lambda s: s.DetectAlerts(pb.DetectAlertsRequest()), iterations=3),
    ]


@dataclass
class Row:
    name: str
    domain: list[float] = field(default_factory=list)
    grpc: list[float] = field(default_factory=list)
    mysql_share: list[float] = field(default_factory=list)
    statements: set = field(default_factory=set)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def measure(database: str, iterations: int) -> tuple[list[Row], dict, list[dict]]:
    url = f"mysql://root@127.0.0.1:3306/{database}"
    pool = await create_pool(url, maxsize=8)
    deps = Deps.create(pool, ResultCache(None))
    sites = await deps.sites.all()
    site = sites[0].name
    today = dt.date.today()
    await runner.detect_alerts(deps, "", today.isoformat())  # so alerts exist and later runs are re-runs
    alert_id = int((await fetch_all(pool, "SELECT MAX(alert_id) AS id FROM alerts"))[0]["id"])
    counts = {t: int((await fetch_all(pool, f"SELECT COUNT(*) AS n FROM {t}"))[0]["n"])
              for t in ("locations", "employees", "productivity_records", "attendance_records", "alerts")}
    settings = dataclasses.replace(Settings.from_env(), database_url=url, cache_enabled=False, port=0,
                                   alert_detection_interval_seconds=0)
    registrars, names, cleanup = await build(settings)
    token = secrets.token_urlsafe(16)  # the engine checks it as in the mesh; the channel sends it
    server, port, _ = await create_server(registrars, names, port=0, internal_token=token)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}",
                                        interceptors=engine_interceptors(token, default_timeout=60.0))
    stub = pb_grpc.AnalyticsServiceStub(channel)
    rows = []
    try:
        for case in cases(site, today, alert_id):
            row = Row(case.name)
            n = case.iterations or iterations
            await case.domain(deps)          # warm-up
            await case.grpc_call(stub)
            for _ in range(n):
                spans: list = []
                seen: set = set()
                token_i, token_s = _intervals.set(spans), _statements.set(seen)
                started = time.perf_counter()
                await case.domain(deps)
                wall = time.perf_counter() - started
                _intervals.reset(token_i)
                _statements.reset(token_s)
                row.domain.append(wall * 1000)
                row.mysql_share.append(_union_length(spans) / wall if wall else 0.0)
                row.statements |= seen
                started = time.perf_counter()
                await case.grpc_call(stub)
                row.grpc.append((time.perf_counter() - started) * 1000)
            rows.append(row)
        backtests = await _backtests(deps, sites[:10])
    finally:
        await channel.close()
        await server.stop(0)
        await cleanup()
        pool.close()
        await pool.wait_closed()
    return rows, counts, backtests


async def _backtests(deps: Deps, sites) -> list[dict]:
    out = []
    for site in sites:
        result = await forecast.forecast_workload(deps, site.name, 1)
        out.append({"site": site.name, **result["backtest"], "history_days": result["history_days"]})
    return out


def explain(database: str, rows: list[Row]) -> list[tuple]:
    """EXPLAIN each distinct statement once (first parameter set seen)."""
    out, done = [], set()
    with connect(database=database) as conn, conn.cursor() as cur:
        for row in rows:
            for query, args in sorted(row.statements, key=lambda qa: qa[0]):
                key = " ".join(query.split())
                if key in done:
                    continue
                done.add(key)
                cur.execute("EXPLAIN " + query, args)
                for r in cur.fetchall():
                    out.append((row.name, key[:70], r[2], r[3], r[5] or "-", r[8], (r[9] or "")[:55]))
    return out


# -- printing ----------------------------------------------------------------------------------------------
def print_table(title: str, headers: list[str], rows: list[list]) -> None:
    widths = [max(_w(str(h)), *(_w(str(r[i])) for r in rows)) if rows else _w(str(h)) for i, h in enumerate(headers)]
    print(f"\n### {title}\n")
    print("| " + " | ".join(_pad(str(h), w) for h, w in zip(headers, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(_pad(str(c), w) for c, w in zip(r, widths)) + " |")


def _w(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _w(text))


def report(label: str, database: str, rows: list[Row], counts: dict, backtests: list[dict]) -> None:
    sizes = ", ".join(f"{k} {v:,}" for k, v in counts.items())
    print_table(f"{label}: {database} ({sizes})",
                ["RPC", "domain p50 ms", "domain p95 ms", "gRPC p50 ms", "gRPC p95 ms", "MySQL share", "n"],
                [[r.name, f"{statistics.median(r.domain):.1f}", f"{pct(r.domain, 0.95):.1f}",
                  f"{statistics.median(r.grpc):.1f}", f"{pct(r.grpc, 0.95):.1f}",
                  f"{statistics.mean(r.mysql_share) * 100:.0f}%", len(r.domain)] for r in rows])
    total_method = sum(b["wape"] for b in backtests) / len(backtests)
    total_base = sum(b["baseline_wape"] for b in backtests) / len(backtests)
    print_table(f"{label}: forecast backtest ({backtests[0]['folds']} folds x {backtests[0]['horizon_days']} days, "
                "site x process x day)",
                ["site", "sMAPE", "naive sMAPE", "MAPE", "naive MAPE", "WAPE", "naive WAPE", "PI90 coverage", "points"],
                [[b["site"], b["smape"], b["baseline_smape"], b["mape"], b["baseline_mape"], b["wape"],
                  b["baseline_wape"], b["interval_coverage"], b["points"]] for b in backtests]
                + [["mean", f"{statistics.mean(b['smape'] for b in backtests):.2f}",
                    f"{statistics.mean(b['baseline_smape'] for b in backtests):.2f}",
                    f"{statistics.mean(b['mape'] for b in backtests):.2f}",
                    f"{statistics.mean(b['baseline_mape'] for b in backtests):.2f}",
                    f"{total_method:.2f}", f"{total_base:.2f}",
                    f"{statistics.mean(b['interval_coverage'] for b in backtests):.3f}", ""]])


def ensure_sample(database: str, reload: bool) -> None:
    with connect(database="") as conn, conn.cursor() as cur:
        cur.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (database,))
        exists = cur.fetchone() is not None
    if reload or not exists:
        from db.load import load_sample
        load_sample(database, seed=42)


def scale_exists(database: str) -> bool:
    with connect(database="") as conn, conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s "
                    "AND table_name = 'productivity_records'", (database,))
        return cur.fetchone()[0] > 0


async def main_async(args) -> int:
    datasets = [("sample", args.database)]
    ensure_sample(args.database, args.reload_sample)
    if not args.skip_scale:
        if scale_exists(args.scale_database):
            datasets.append(("large", args.scale_database))
        else:
            print(f"({args.scale_database} not found: run `make data-scale` first; benchmarking the sample only)")
    print(f"# Analytics benchmark — {dt.datetime.now():%Y-%m-%d %H:%M}, cache off, warm, {args.iterations} iterations")
    for label, database in datasets:
        rows, counts, backtests = await measure(database, args.iterations)
        report(label, database, rows, counts, backtests)
        if label == "large" or args.skip_scale or len(datasets) == 1:
            print_table(f"{label}: EXPLAIN of every statement the RPCs ran ({database})",
                        ["RPC", "statement", "table", "type", "key", "rows", "Extra"], explain(database, rows))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.analytics_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="aimee_sample_bench", help="sample data (loaded if missing)")
    parser.add_argument("--scale-database", default="aimee_scale", help="large data (`make data-scale`)")
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--reload-sample", action="store_true")
    args = parser.parse_args(argv)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
