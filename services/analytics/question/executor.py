"""Executes a validated question: one parameterised SELECT built from the whitelist, then ranking/listing.

Ties are kept: a top-1 question whose best value is shared by two people names both. Listing questions
(「…は誰？」 without a ranking) keep the people with a non-zero value.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from services.common.dates import WEEKDAY_JA
from services.common.db import fetch_all
from services.common.errors import InvalidArgument
from services.analytics.labels import weekday_name
from services.analytics.question.metrics import (AVERAGE_OF, DIMENSIONS, METRICS, SOURCES, Dimension, Metric,
                                                 date_dimension)
from services.analytics.question.spec import QuestionSpec


@dataclass(frozen=True)
class Row:
    key: str
    value: float | None
    alt: float | None = None


@dataclass(frozen=True)
class Executed:
    question: QuestionSpec
    metric: Metric
    rows: list[Row]                  # ranked / listed / one total (key '')
    dropped: list[Row]               # listing: people only in the alternative definition (取消のみ …)
    employees: list[str]             # resolved employee names of the employee filter
    ambiguous: list[str]             # more than one employee matched the name: ask back
    notes: list[str]


def _num(value) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, (Decimal, int, float)) else float(value)


def _label(kind: str, key) -> str:
    if kind == "weekday":
        return weekday_name(int(key)) + "曜"
    if isinstance(key, (dt.date, dt.datetime)):
        return key.isoformat()
    return str(key)


async def resolve_employee(pool, name: str, sites: tuple[str, ...]) -> list[dict]:
    """Employees whose name (spaces ignored) equals or starts with `name` (a surname), within the sites."""
    compact = name.replace(" ", "").replace("\u3000", "")
    sql = ("SELECT e.employee_id, e.employee_name, l.location_name FROM employees e "
           "JOIN locations l ON l.location_id = e.location_id "
           "WHERE e.is_active = 1 AND REPLACE(e.employee_name, ' ', '') LIKE %s")
    params: list = [compact.replace("%", "").replace("_", "") + "%"]
    if sites:
        sql += f" AND l.location_name IN ({', '.join(['%s'] * len(sites))})"
        params += list(sites)
    rows = await fetch_all(pool, sql + " ORDER BY e.employee_id", params)
    exact = [r for r in rows if r["employee_name"].replace(" ", "") == compact]
    return exact or rows


def _dimension(q: QuestionSpec, metric: Metric) -> Dimension | None:
    if not q.group_by:
        return None
    source = SOURCES[metric.source]
    dim = DIMENSIONS.get(q.group_by) or (date_dimension(q.group_by, source.date_col) if source.date_col else None)
    if dim is None or (dim.needs == "employee" and not source.has_employee) or \
            (dim.needs == "process" and not source.has_process):
        raise InvalidArgument(f"{metric.label}は「{q.group_by}」ごとには集計できません")
    return dim


def build_sql(q: QuestionSpec, metric: Metric, employee_ids: list[int], reference: dt.date
              ) -> tuple[str, list, list[str]]:
    """SELECT [group label,] value [, alternative] FROM the metric's source WHERE filters [GROUP BY]."""
    source = SOURCES[metric.source]
    dim = _dimension(q, metric)
    value = metric.value
    if q.aggregate == "avg" and metric.key in AVERAGE_OF:
        value = AVERAGE_OF[metric.key]
    select = ([f"{dim.select} AS k"] if dim else []) + [f"{value} AS v"] + ([f"{metric.alt} AS v2"] if metric.alt else [])
    where: list[str] = []
    params: list = []
    notes: list[str] = []
    if metric.where:
        where.append(metric.where)
    if source.active_only:
        where.append("e.is_active = 1")
    if q.sites:
        where.append(f"l.location_name IN ({', '.join(['%s'] * len(q.sites))})")
        params += list(q.sites)
    if q.process:
        if source.has_process:
            where.append("p.process_name = %s")
            params.append(q.process)
        else:
            notes.append(f"{metric.label}は工程別の記録がないため、工程（{q.process}）は絞り込みに使っていません。")
    employee_filters = bool(employee_ids or q.employment_type or q.skill_min or q.skill_max or q.hired_within_days)
    if employee_filters and not source.has_employee:
        notes.append(f"{metric.label}は従業員別の記録がないため、従業員の条件は使っていません。")
    elif employee_filters:
        if employee_ids:
            where.append(f"e.employee_id IN ({', '.join(['%s'] * len(employee_ids))})")
            params += employee_ids
        if q.employment_type:
            where.append("e.employment_type = %s")
            params.append(q.employment_type)
        skill_col = metric.skill_col if source.has_process and q.process else "e.skill_level"
        if q.skill_min:
            where.append(f"{skill_col} >= %s")
            params.append(q.skill_min)
        if q.skill_max:
            where.append(f"{skill_col} <= %s")
            params.append(q.skill_max)
        if q.hired_within_days:
            where.append("e.hire_date >= %s")
            params.append((reference - dt.timedelta(days=q.hired_within_days)).isoformat())
    if metric.source == "alerts":
        for column, val in (("a.alert_type", q.alert_type), ("a.severity", q.alert_severity),
                            ("a.status", q.alert_status)):
            if val:
                where.append(f"{column} = %s")
                params.append(val)
    if q.time_block and metric.source in ("assignments", "forecast"):
        where.append(f"{'da' if metric.source == 'assignments' else 'wf'}.time_block = %s")
        params.append(q.time_block)
    if source.date_col and q.date_from:
        where.append(f"{source.date_col} BETWEEN %s AND %s")
        params += [q.date_from, q.date_to]
    if source.date_col and q.weekday:
        where.append(f"DAYOFWEEK({source.date_col}) = %s")
        params.append((WEEKDAY_JA.index(q.weekday) + 1) % 7 + 1)  # MySQL: 1 = Sunday
    sql = f"SELECT {', '.join(select)} FROM {source.from_sql}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    if dim:
        sql += f" GROUP BY {dim.group}"
    return sql, params, notes


def _rank(rows: list[Row], order: str, top_n: int) -> list[Row]:
    present = [r for r in rows if r.value is not None]
    present.sort(key=lambda r: r.value, reverse=order == "desc")
    if not top_n or len(present) <= top_n:
        return present
    edge = round(present[top_n - 1].value, 6)
    return [r for r in present if (round(r.value, 6) >= edge if order == "desc" else round(r.value, 6) <= edge)]


async def execute(pool, q: QuestionSpec, reference: dt.date) -> Executed:
    metric = METRICS[q.metric]
    employee_ids: list[int] = []
    names: list[str] = []
    if q.employee_name:
        found = await resolve_employee(pool, q.employee_name, q.sites)
        if not found:
            where = "・".join(q.sites) or "全拠点"
            raise InvalidArgument(f"{where}に「{q.employee_name}」さんという在籍者は見つかりません")
        if len(found) > 1:
            return Executed(q, metric, [], [], [], [f"{r['employee_name']}（{r['location_name']}）" for r in found], [])
        employee_ids = [found[0]["employee_id"]]
        names = [found[0]["employee_name"]]
        if not q.sites:
            q = replace(q, sites=(found[0]["location_name"],))
    sql, params, notes = build_sql(q, metric, employee_ids, reference)
    records = await fetch_all(pool, sql, params)
    if q.compare_date_from and not q.group_by and SOURCES[metric.source].date_col:
        # Two periods: the same question over the comparison period, one row each (asked period first).
        base = replace(q, date_from=q.compare_date_from, date_to=q.compare_date_to)
        sql2, params2, _ = build_sql(base, metric, employee_ids, reference)
        other = await fetch_all(pool, sql2, params2)
        rows = [Row("asked", _num(records[0]["v"]) if records else None, _num(records[0].get("v2")) if records else None),
                Row("compare", _num(other[0]["v"]) if other else None, _num(other[0].get("v2")) if other else None)]
        return Executed(q, metric, rows, [], names, [], notes)
    rows = [Row(_label(q.group_by, r["k"]) if q.group_by else "", _num(r["v"]), _num(r.get("v2"))) for r in records]
    dropped: list[Row] = []
    if q.order:
        rows = _rank(rows, q.order, q.top_n)
    elif q.group_by == "employee" and metric.people:
        dropped = [r for r in rows if not r.value and r.alt]
        rows = sorted((r for r in rows if r.value), key=lambda r: r.key)
    elif q.group_by == "weekday":
        order = ["月曜", "火曜", "水曜", "木曜", "金曜", "土曜", "日曜"]
        rows.sort(key=lambda r: order.index(r.key) if r.key in order else 9)
    elif q.group_by in ("day", "week", "month"):
        rows.sort(key=lambda r: r.key)
    elif q.group_by:
        rows.sort(key=lambda r: (r.value is None, -(r.value or 0)))
    return Executed(q, metric, rows, dropped, names, [], notes)
