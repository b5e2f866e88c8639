"""Japanese sentences for a question: what was understood (interpretation) and the result (answer).

The answer's first sentence states the understood question and its value, e.g.
「先月（11/1〜11/30）の大阪で残業時間の合計が最も多いのは山田 太郎さん（12.5時間）です。」, so a manager
can check the reading at a glance; alternatives of a definition follow in brackets in the same sentence.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from services.analytics.labels import ALERT_STATUSES, ALERT_TYPES, SEVERITY_LABELS
from services.analytics.question.executor import Executed, Row
from services.analytics.question.metrics import DIMENSIONS, EMPLOYMENT_TYPES, TIME_BLOCKS, date_dimension
from services.analytics.question.spec import QuestionSpec

MAX_LISTED = 100   # names_all answers must name everyone; beyond this the table carries the rest


def _md(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.month}/{d.day}"


def period_text(q: QuestionSpec) -> str:
    if not q.date_from:
        return ""
    span = _md(q.date_from) if q.date_from == q.date_to else f"{_md(q.date_from)}〜{_md(q.date_to)}"
    return f"{q.period_phrase}（{span}）" if q.period_phrase else span


def sites_text(q: QuestionSpec) -> str:
    return "・".join(q.sites) if q.sites else "全拠点"


def _filters(q: QuestionSpec, e: Executed) -> str:
    parts = []
    if e.employees:
        parts.append(f"{e.employees[0]}さんの")
    if q.employment_type:
        parts.append(f"{EMPLOYMENT_TYPES[q.employment_type]}の")
    if q.hired_within_days:
        parts.append(f"入社{q.hired_within_days}日以内の")
    if q.skill_min and q.skill_min == q.skill_max:
        parts.append(f"スキル{q.skill_min}の")
    elif q.skill_min and q.skill_max:
        parts.append(f"スキル{q.skill_min}〜{q.skill_max}の")
    elif q.skill_min:
        parts.append(f"スキル{q.skill_min}以上の")
    elif q.skill_max:
        parts.append(f"スキル{q.skill_max}以下の")
    if q.process:
        parts.append(f"{q.process}の")
    if q.time_block:
        parts.append(f"{TIME_BLOCKS[q.time_block]}の")
    if q.weekday:
        parts.append(f"{q.weekday}曜日の")
    if e.metric.source == "alerts":
        if q.alert_status:
            parts.append(f"{ALERT_STATUSES[q.alert_status]}の")
        if q.alert_severity:
            parts.append(f"重要度「{SEVERITY_LABELS[q.alert_severity]}」の")
        if q.alert_type:
            parts.append(f"{ALERT_TYPES[q.alert_type]}の")
    return "".join(parts)


def _metric_phrase(q: QuestionSpec, e: Executed) -> str:
    label = e.metric.label
    if q.aggregate == "avg" and e.metric.key in ("overtime_hours", "units_processed"):
        return f"{label}の平均"
    if e.metric.key in ("overtime_hours", "units_processed"):
        return f"{label}の合計"
    if e.metric.key == "productivity":
        return "平均生産性"
    return label


def scope_text(q: QuestionSpec, e: Executed, site_particle: str = "の") -> str:
    """「先月（11/1〜11/30）の大阪の梱包の」: period, sites and filters as one prefix (「大阪で」 for rankings)."""
    period = period_text(q)
    return (f"{period}の" if period else "") + f"{sites_text(q)}{site_particle}" + _filters(q, e)


def fmt(value: float | None, e: Executed) -> str:
    if value is None:
        return "データなし"
    unit = e.metric.unit
    prefix = ""
    if unit == "人" and e.question.group_by == "employee" and e.metric.source == "attendance":
        unit = "日"   # per person, a count of people is a count of that person's days
    elif unit == "人" and e.metric.source == "attendance" and e.question.date_from != e.question.date_to:
        prefix = "延べ"   # over several days, one person absent twice counts twice
    decimals = e.metric.decimals
    if e.metric.key == "skill_level":
        return f"レベル{value:.0f}"
    text = f"{value:,.{decimals}f}" if decimals else f"{round(value):,}"
    return f"{prefix}{text}{unit}" if unit else text


def _with_alt(row: Row, e: Executed) -> str:
    main = fmt(row.value, e)
    if e.metric.alt and row.alt is not None and row.alt != row.value:
        alt = f"{row.alt:,.1f}人時" if e.metric.key == "forecast_units" else fmt(row.alt, e)
        return f"{main}（{e.metric.alt_label}{alt}）"
    return main


def _name(row: Row, q: QuestionSpec) -> str:
    return f"{row.key}さん" if q.group_by == "employee" else row.key


_VERBS = {"assigned_people": "配置されている", "off_people": "休みな", "scheduled_people": "出勤予定な",
          "qualified_headcount": "対応できる", "headcount": "在籍している", "absence_count": "欠勤した",
          "late_count": "遅刻した", "early_leave_count": "早退した", "attended_count": "出勤した",
          "paid_leave_days": "有給休暇を取った"}


def _verb(e: Executed) -> str:
    return _VERBS.get(e.metric.key, f"{e.metric.label}がある")


def interpretation(e: Executed) -> str:
    q = e.question
    grouping = {"site": "拠点ごと", "process": "工程ごと", "employee": "従業員ごと", "weekday": "曜日ごと",
                "day": "日ごと", "week": "週ごと", "month": "月ごと"}.get(q.group_by, "")
    ranking = ""
    if q.order:
        ranking = f"で{'多い' if q.order == 'desc' else '少ない'}順に{q.top_n}位まで（同順位を含む）"
    grouped = f"を{grouping}" if grouping else "を"
    return f"{scope_text(q, e)}{_metric_phrase(q, e)}{grouped}集計{ranking}しました。"


def answer(e: Executed) -> str:
    q = e.question
    if e.ambiguous:
        return (f"「{q.employee_name}」さんに当たる人が{len(e.ambiguous)}人います（{'、'.join(e.ambiguous)}）。"
                "フルネームか拠点を指定してください。")
    scope, what = scope_text(q, e), _metric_phrase(q, e)
    notes = "".join(e.notes)
    if q.compare_date_from and len(e.rows) == 2 and not q.group_by:
        now, then = e.rows
        other = replace(q, date_from=q.compare_date_from, date_to=q.compare_date_to, period_phrase=q.compare_phrase)
        text = f"{scope}{what}は{_with_alt(now, e)}、{period_text(other)}は{_with_alt(then, e)}です"
        if now.value is not None and then.value is not None:
            diff = now.value - then.value
            text += f"（{'増加' if diff > 0 else '減少' if diff < 0 else '同じ'}{'' if diff == 0 else ' ' + fmt(abs(diff), e)}）"
        return text + "。" + notes
    if not q.group_by:
        row = e.rows[0] if e.rows else Row("", None)
        return f"{scope}{what}は{_with_alt(row, e)}です。{notes}"
    if not e.rows and q.group_by == "employee" and e.metric.people and not q.order:
        return f"{scope.removesuffix('の')}で{_verb(e)}のは0人です（該当者なし）。{notes}"
    if not e.rows:
        return f"{scope}{what}に当てはまる記録はありません。{notes}"
    if q.order:
        scope = scope_text(q, e, "のうち" if q.group_by == "site" else "で")
        among = ""
        if q.group_by == "site" and q.sites:
            # The answer's site is the first site named: the compared sites follow the answer.
            scope = scope_text(replace(q, sites=()), e, "").replace("全拠点", "", 1)
            among = f"（対象: {sites_text(q)}）"
        high = "多い" if e.metric.unit in ("時間", "人", "件", "回", "日", "人時") else "高い"
        word = ("最も" + high if q.order == "desc" else "最も" + ("少ない" if high == "多い" else "低い"))
        if q.top_n > 1:
            word = f"{'上位' if q.order == 'desc' else '下位'}{q.top_n}{'人' if q.group_by == 'employee' else ''}"
            listed = "、".join(f"{_name(r, q)}（{_with_alt(r, e)}）" for r in e.rows)
            if len(e.rows) < q.top_n:   # every group fits: say the order, not a cut
                direction = ("多い" if high == "多い" else "高い") if q.order == "desc" else \
                    ("少ない" if high == "多い" else "低い")
                return f"{scope}{what}は{direction}順に{listed}です。{notes}"
            return f"{scope}{what}の{word}は{listed}です。{notes}"
        top = e.rows
        names = "、".join(_name(r, q) for r in top)
        tie = "（同数）" if len(top) > 1 else ""
        return f"{scope}{what}が{word}のは{names}{tie}（{_with_alt(top[0], e)}）です{among}。{notes}"
    if q.group_by == "employee" and e.metric.people:
        shown = e.rows[:MAX_LISTED]
        names = "、".join(f"{r.key}さん" for r in shown)
        more = f"ほか{len(e.rows) - MAX_LISTED}人" if len(e.rows) > MAX_LISTED else ""
        dropped = ""
        if e.dropped:
            dropped = f"（{e.metric.alt_label}{'、'.join(r.key + 'さん' for r in e.dropped)}も）"
        verb = _verb(e)
        return f"{scope.removesuffix('の')}で{verb}のは{names}{more}の{len(e.rows)}人です{dropped}。{notes}"
    listed = "、".join(f"{_name(r, q)}が{_with_alt(r, e)}" for r in e.rows)
    if q.compare and len(e.rows) == 2 and e.rows[0].value is not None and e.rows[1].value is not None:
        diff = abs(e.rows[0].value - e.rows[1].value)
        gap = f"{diff:.1f}ポイント" if e.metric.unit == "%" else fmt(diff, e)
        return f"{scope}{what}は{listed}です（差は{gap}）。{notes}"
    return f"{scope}{what}は{listed}です。{notes}"


def definitions(e: Executed) -> list[str]:
    return [e.metric.definition]


def table(e: Executed) -> tuple[list[str], list[list[str]]]:
    q = e.question
    head = []
    if q.group_by:
        dim = DIMENSIONS.get(q.group_by) or date_dimension(q.group_by, "d")
        head.append(dim.label)
    head.append(e.metric.label + (f"（{e.metric.unit}）" if e.metric.unit else ""))
    if e.metric.alt:
        head.append(e.metric.alt_label.removesuffix("と").removesuffix("する") or "別定義")
    rows = []
    period_rows = bool(q.compare_date_from and not q.group_by)
    if period_rows:
        head.insert(0, "期間")
    other = replace(q, date_from=q.compare_date_from, date_to=q.compare_date_to, period_phrase=q.compare_phrase)
    for r in e.rows or ([Row("", None)] if not q.group_by else []):
        label = (period_text(q) if r.key == "asked" else period_text(other)) if period_rows else r.key
        cells = ([label] if q.group_by or period_rows else []) + ["" if r.value is None else f"{r.value:.{max(e.metric.decimals, 1)}f}"]
        if e.metric.alt:
            cells.append("" if r.alt is None else f"{r.alt:.1f}")
        rows.append(cells)
    return head, rows
