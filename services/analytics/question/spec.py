"""The typed question as the analytics engine sees it (a plain dataclass; the servicer maps the proto).

`validate` is the second gate after the intent engine: every vocabulary value is checked against the
whitelist here, so a hand-written gRPC call cannot reach SQL with anything outside it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from services.common.dates import WEEKDAY_JA
from services.common.errors import InvalidArgument
from services.common.question import Question
from services.analytics.labels import ALERT_STATUSES, ALERT_TYPES, SEVERITY_RANK
from services.analytics.question.metrics import (AGGREGATES, EMPLOYMENT_TYPES, GROUPINGS, METRICS, SOURCES,
                                                 TIME_BLOCKS)

MAX_TOP_N = 50
DEFAULT_RECENT_DAYS = 30


# The analytics engine's name for the shared typed question (services.common.question).
QuestionSpec = Question


def _check(value: str, allowed, what: str) -> None:
    if value and value not in allowed:
        raise InvalidArgument(f"{what}「{value}」は指定できません。指定できる値: {'、'.join(allowed)}")


def validate(q: QuestionSpec, reference: dt.date) -> QuestionSpec:
    """Whitelist check plus the metric's defaults (a headcount of a process is a qualified headcount,
    a period that was not said is the metric's default period, alerts are the open ones)."""
    if not q.metric:
        raise InvalidArgument("question.metric を指定してください")
    _check(q.metric, METRICS, "指標")
    _check(q.group_by, GROUPINGS, "集計単位")
    _check(q.order, ("asc", "desc"), "並び順")
    _check(q.aggregate, AGGREGATES, "集計方法")
    _check(q.employment_type, EMPLOYMENT_TYPES, "雇用形態")
    _check(q.alert_type, ALERT_TYPES, "アラート種別")
    _check(q.alert_severity, SEVERITY_RANK, "重要度")
    _check(q.alert_status, ALERT_STATUSES, "アラート状態")
    _check(q.time_block, TIME_BLOCKS, "時間帯")
    if not 0 <= q.top_n <= MAX_TOP_N:
        raise InvalidArgument(f"top_n は 0〜{MAX_TOP_N} で指定してください")
    for bound in (q.skill_min, q.skill_max):
        if not 0 <= bound <= 5:
            raise InvalidArgument("スキルレベルは 1〜5 で指定してください")
    if q.hired_within_days < 0 or len(q.employee_name) > 40:
        raise InvalidArgument("在籍期間・従業員名の指定が不正です")
    _check(q.weekday, WEEKDAY_JA, "曜日")
    changes: dict = {}
    if q.compare_date_from or q.compare_date_to:
        c_start = _parse(q.compare_date_from or q.compare_date_to, "compare_date_from")
        c_end = _parse(q.compare_date_to or q.compare_date_from, "compare_date_to")
        if c_start > c_end:
            raise InvalidArgument("比較期間の開始は終了以前にしてください")
        changes.update(compare_date_from=c_start.isoformat(), compare_date_to=c_end.isoformat())
    if q.metric == "headcount" and q.process:
        changes["metric"] = "qualified_headcount"
    if q.metric == "alert_count" and not q.alert_status:
        changes["alert_status"] = "open"
    if q.order and not q.top_n:
        changes["top_n"] = 1
    source = SOURCES[METRICS[changes.get("metric", q.metric)].source]
    if source.date_col:
        if q.date_from or q.date_to:
            start = _parse(q.date_from or q.date_to, "date_from")
            end = _parse(q.date_to or q.date_from, "date_to")
            if start > end:
                raise InvalidArgument(f"期間の開始（{start}）は終了（{end}）以前にしてください")
            if source.default_period == "recent30" and start <= reference < end:
                end = reference   # records exist up to today: 今月 means 1st..today
            changes.update(date_from=start.isoformat(), date_to=end.isoformat())
        else:
            start, end, phrase = _default_period(source.default_period, reference)
            changes.update(date_from=start.isoformat(), date_to=end.isoformat(), period_phrase=phrase)
    return replace(q, **changes)


def _parse(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidArgument(f"{name} は YYYY-MM-DD 形式で指定してください（現在: {value!r}）") from exc


def _default_period(kind: str, reference: dt.date) -> tuple[dt.date, dt.date, str]:
    if kind == "today":
        return reference, reference, "今日"
    if kind == "tomorrow":
        tomorrow = reference + dt.timedelta(days=1)
        return tomorrow, tomorrow, "明日"
    return reference - dt.timedelta(days=DEFAULT_RECENT_DAYS - 1), reference, f"直近{DEFAULT_RECENT_DAYS}日"
