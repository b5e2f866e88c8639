"""Exports with Japanese headers: daily assignments and rosters (plans), alerts, and an analytics result table.

Why typed rows: the writers keep dates and numbers typed in .xlsx (Excel sorts and sums them) and escape
formula-looking text (an employee named `=cmd|...` stays text). One function per dataset returns
(header, rows, sheet name); `export_bytes` picks the dataset and the format.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from services.common.dates import parse_date
from services.common.db import fetch_all
from services.common.errors import InvalidArgument
from services.common.sites import SiteDirectory
from services.dataio.writers import table_bytes

MAX_EXPORT_DAYS = 366
BLOCK_LABELS = {"morning": "午前", "afternoon": "午後", "overtime": "残業"}
STATUS_LABELS = {"planned": "計画", "confirmed": "確定", "changed": "変更", "cancelled": "取消",
                 "open": "未対応", "acknowledged": "確認済", "resolved": "解決済"}
ALERT_TYPES = {"overtime_over_limit": "残業上限超過", "productivity_drop": "生産性低下", "absence_spike": "欠勤増加",
               "staffing_shortage": "人員不足"}
SEVERITY = {"low": "低", "medium": "中", "high": "高", "critical": "緊急"}
DATASETS = ("assignments", "alerts", "productivity", "rosters")
ROSTER_STATUS = {"published": "公開済", "draft": "下書き"}
ROSTER_DEFAULT_DAYS = 28  # rosters are planned ahead: by default today and the next four weeks
DAY_OFF = "休み"
WEEKDAYS = "月火水木金土日"


async def _site_filter(pool, location: str) -> tuple[str, tuple, str]:
    if not (location or "").strip():
        return "", (), "全拠点"
    site = await SiteDirectory(pool).get(location)
    return " AND x.location_id = %s", (site.location_id,), site.name


def _range(date_from: str, date_to: str, default_days: int) -> tuple[dt.date, dt.date]:
    end = parse_date(date_to, "date_to", dt.date.today() + dt.timedelta(days=1))
    start = parse_date(date_from, "date_from", end - dt.timedelta(days=default_days - 1))
    if start > end:
        raise InvalidArgument(f"date_from（{start}）は date_to（{end}）以前の日付にしてください")
    if (end - start).days + 1 > MAX_EXPORT_DAYS:
        raise InvalidArgument(f"一度に出力できる期間は最大 {MAX_EXPORT_DAYS} 日です")
    return start, end


async def assignments_table(pool, location: str = "", date_from: str = "", date_to: str = "") -> tuple:
    where, args, label = await _site_filter(pool, location)
    start, end = _range(date_from, date_to, 7)
    rows = await fetch_all(pool, "SELECT l.location_name, x.assignment_date, x.time_block, e.employee_code, "
                                 "e.employee_name, p.process_name, x.planned_hours, x.status, x.source, x.version "
                                 "FROM daily_assignments x JOIN locations l ON l.location_id = x.location_id "
                                 "JOIN employees e ON e.employee_id = x.employee_id "
                                 "JOIN processes p ON p.process_id = x.process_id "
                                 f"WHERE x.assignment_date BETWEEN %s AND %s{where} "
                                 "ORDER BY l.location_id, x.assignment_date, FIELD(x.time_block, 'morning', "
                                 "'afternoon', 'overtime'), e.employee_code", (start, end, *args))
    header = ["拠点", "日付", "時間帯", "従業員コード", "氏名", "工程", "計画時間", "状態", "作成元", "版"]
    body = [(r["location_name"], r["assignment_date"], BLOCK_LABELS.get(r["time_block"], r["time_block"]),
             r["employee_code"], r["employee_name"], r["process_name"], r["planned_hours"],
             STATUS_LABELS.get(r["status"], r["status"]), r["source"], r["version"]) for r in rows]
    return header, body, f"配置_{label}"


async def alerts_table(pool, location: str = "", date_from: str = "", date_to: str = "", status: str = "") -> tuple:
    where, args, label = await _site_filter(pool, location)
    start, end = _range(date_from, date_to, 90)
    if status:
        if status not in ("open", "acknowledged", "resolved"):
            raise InvalidArgument("status は open / acknowledged / resolved のいずれかを指定してください")
        where += " AND x.status = %s"
        args = (*args, status)
    rows = await fetch_all(pool, "SELECT x.alert_id, l.location_name, x.alert_type, x.severity, x.status, x.title, "
                                 "x.message, x.period_start, x.period_end, x.detected_at FROM alerts x "
                                 "JOIN locations l ON l.location_id = x.location_id "
                                 f"WHERE x.period_end BETWEEN %s AND %s{where} "
                                 "ORDER BY x.period_end DESC, x.alert_id", (start, end, *args))
    header = ["アラートID", "拠点", "種別", "重要度", "状態", "タイトル", "内容", "期間開始", "期間終了", "検出日時"]
    body = [(r["alert_id"], r["location_name"], ALERT_TYPES.get(r["alert_type"], r["alert_type"]),
             SEVERITY.get(r["severity"], r["severity"]), STATUS_LABELS.get(r["status"], r["status"]), r["title"],
             r["message"], r["period_start"], r["period_end"], r["detected_at"]) for r in rows]
    return header, body, f"アラート_{label}"


def _clock(value) -> str:
    """A TIME column (aiomysql gives a timedelta) as HH:MM."""
    if isinstance(value, dt.timedelta):
        minutes = int(value.total_seconds()) // 60
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return str(value or "")[:5]


async def rosters_table(pool, location: str = "", date_from: str = "", date_to: str = "") -> tuple:
    """One row per employee and day of the rosters covering the range: for each site and period the
    published version (the one staff work to), else the latest draft, with its state in 状態."""
    where, args, label = await _site_filter(pool, location)
    today = dt.date.today()
    start = parse_date(date_from, "date_from", today)
    end = parse_date(date_to, "date_to", start + dt.timedelta(days=ROSTER_DEFAULT_DAYS - 1))
    if start > end:
        raise InvalidArgument(f"date_from（{start}）は date_to（{end}）以前の日付にしてください")
    if (end - start).days + 1 > MAX_EXPORT_DAYS:
        raise InvalidArgument(f"一度に出力できる期間は最大 {MAX_EXPORT_DAYS} 日です")
    versions = await fetch_all(
        pool, "SELECT x.location_id, l.location_name, x.period_start, x.period_days, x.version, x.status, "
              "x.cells_json FROM roster_versions x JOIN locations l ON l.location_id = x.location_id "
              "WHERE x.period_start <= %s AND DATE_ADD(x.period_start, INTERVAL x.period_days - 1 DAY) >= %s"
              f"{where} ORDER BY x.location_id, x.period_start, x.status = 'published' DESC, x.version DESC",
        (end, start, *args))
    chosen: dict[tuple, dict] = {}
    for v in versions:
        chosen.setdefault((v["location_id"], v["period_start"]), v)
    cells = {key: {int(k): days for k, days in json.loads(v["cells_json"]).items()} for key, v in chosen.items()}
    employee_ids = sorted({e for per in cells.values() for e in per})
    sites = sorted({loc for loc, _ in chosen})
    people, shifts = {}, {}
    if employee_ids:
        marks = ", ".join(["%s"] * len(employee_ids))
        people = {r["employee_id"]: r for r in await fetch_all(
            pool, f"SELECT employee_id, employee_code, employee_name FROM employees WHERE employee_id IN ({marks})",
            tuple(employee_ids))}
        marks = ", ".join(["%s"] * len(sites))
        shifts = {(r["location_id"], r["shift_code"]): r for r in await fetch_all(
            pool, "SELECT location_id, shift_code, shift_name, start_time, end_time FROM roster_shift_types "
                  f"WHERE location_id IN ({marks})", tuple(sites))}
    body = []
    for key in sorted(chosen):
        v = chosen[key]
        order = sorted(cells[key], key=lambda e: people.get(e, {}).get("employee_code", str(e)))
        for offset in range(v["period_days"]):
            day = v["period_start"] + dt.timedelta(days=offset)
            if not start <= day <= end:
                continue
            for employee_id in order:
                codes = cells[key][employee_id]
                code = codes[offset] if offset < len(codes) else None
                shift = shifts.get((key[0], code)) if code else None
                person = people.get(employee_id, {})
                body.append((v["location_name"], day, WEEKDAYS[day.weekday()], person.get("employee_code", ""),
                             person.get("employee_name", ""),
                             DAY_OFF if code is None else (shift["shift_name"] if shift else code),
                             _clock(shift["start_time"]) if shift else "", _clock(shift["end_time"]) if shift else "",
                             v["version"], ROSTER_STATUS.get(v["status"], v["status"])))
    header = ["拠点", "日付", "曜日", "従業員コード", "氏名", "シフト", "開始", "終了", "版", "状態"]
    return header, body, f"勤務表_{label}"


# An analytics answer's result table: the trend points' fields → Japanese headers, dates typed.
POINT_HEADERS = (("period_start", "開始日"), ("period_end", "終了日"), ("process", "工程"),
                 ("employee_id", "従業員ID"), ("mean", "平均生産性"), ("stddev", "標準偏差"),
                 ("sample_size", "件数"), ("hours_worked", "作業時間"))


def points_table(points: list[dict]) -> tuple[list[str], list[tuple]]:
    """Rows of an analytics result (dicts) → typed table; only the columns the points carry."""
    present = [(k, h) for k, h in POINT_HEADERS if any(k in p for p in points)]
    rows = []
    for p in points:
        row = []
        for key, _ in present:
            value = p.get(key)
            if key in ("period_start", "period_end") and isinstance(value, str):
                value = dt.date.fromisoformat(value)
            elif isinstance(value, float):
                value = Decimal(str(value))
            row.append(value)
        rows.append(tuple(row))
    return [h for _, h in present], rows


async def productivity_table(deps, location: str, date_from: str = "", date_to: str = "",
                             granularity: str = "", group_by: str = "process") -> tuple:
    from services.analytics.productivity import productivity_trend  # the analytics engine's own domain code
    trend = await productivity_trend(deps, location, date_from, date_to, granularity, group_by=group_by)
    header, rows = points_table(trend["points"])
    return header, rows, f"生産性_{trend['location']}"


async def export_bytes(dataset: str, fmt: str, pool, deps=None, **params) -> tuple[bytes, str, str]:
    """(content, media type, file name) of one dataset in csv or xlsx."""
    if params.get("status") and dataset != "alerts":  # accepted by the route, meaningful for alerts only
        raise InvalidArgument(f"status で絞り込めるのはアラート（alerts）の出力だけです（指定: {dataset}）")
    if dataset == "assignments":
        header, rows, sheet = await assignments_table(pool, params.get("location", ""), params.get("date_from", ""),
                                                      params.get("date_to", ""))
    elif dataset == "alerts":
        header, rows, sheet = await alerts_table(pool, params.get("location", ""), params.get("date_from", ""),
                                                 params.get("date_to", ""), params.get("status", ""))
    elif dataset == "rosters":
        header, rows, sheet = await rosters_table(pool, params.get("location", ""), params.get("date_from", ""),
                                                  params.get("date_to", ""))
    elif dataset == "productivity":
        if deps is None:
            from services.analytics.cached import ResultCache
            from services.analytics.deps import Deps
            deps = Deps.create(pool, ResultCache(None))
        header, rows, sheet = await productivity_table(deps, params.get("location", ""), params.get("date_from", ""),
                                                       params.get("date_to", ""), params.get("granularity", ""),
                                                       params.get("group_by", "") or "process")
    else:
        raise InvalidArgument(f"出力できるデータは {', '.join(DATASETS)} です（指定: {dataset}）")
    content, media = table_bytes(fmt, header, rows, sheet)
    return content, media, f"{dataset}_{dt.date.today():%Y%m%d}.{fmt}"
