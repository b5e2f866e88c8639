"""Request text → typed `Question`, or None when the request is not a question (a consultation, a what-if).

General rules, no per-question cases: the metric from its synonyms, filters from their words, the period
from the date readers, the grouping from who/where words (誰 → employee, どこ/拠点 → site), the ranking
from 一番/多い/少ない/上位N. Sites come from the intent reading; all-sites words mean every site; a
missing site stays missing (the gateway uses the conversation's site or asks back), never a default.
Follow-ups (「じゃあ品川は？」「先月は？」「上位3人は？」) edit the previous question.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from services.intent.question import lexicon as lx
from services.intent.question.model import Question
from services.intent.question.periods import find_comparison, find_period

HALF_YEAR_DAYS = 183
VETERAN_SKILL = 4
RANKING_ROWS = 10   # 「ランキング」 without a number: the first ten
_FOLLOW_UP_TOP = re.compile(r"(?:上位|トップ|ベスト)(?P<n>\d{1,2})|(?P<m>\d{1,2}) ?(?:人|名)")
_PERSON_METRICS = {"headcount", "qualified_headcount", "assigned_people", "scheduled_people", "off_people"}


def _metric(text: str) -> str:
    for metric, pattern in lx.METRIC_PATTERNS:
        if pattern.search(text):
            return metric
    return ""


def _first(options, text: str) -> str:
    return next((key for key, pattern in options if pattern.search(text)), "")


def named_people(text: str, sites: tuple[str, ...]) -> tuple[str, ...]:
    """The people named with an honorific (田中さん, 田中 太郎さん), as written, in order; site names and
    group words (派遣さん, 皆さん) are not people."""
    names = []
    for m in lx.PERSON.finditer(text):
        name = f"{m['family']} {m['given']}" if m["family"] else m["given"]
        if m["given"] in lx.NOT_A_NAME or any(name.startswith(s) for s in sites):
            continue
        names.append(name)
    return tuple(dict.fromkeys(names))


def _employee(text: str, sites: tuple[str, ...]) -> str:
    return next(iter(named_people(text, sites)), "")


def _filters(text: str, metric: str) -> dict:
    fields: dict = {"employment_type": _first(lx.EMPLOYMENT, text)}
    if lx.NEW_STAFF.search(text):
        fields["hired_within_days"] = HALF_YEAR_DAYS
    if m := lx.TENURE.search(text):
        n = 0.5 if m["n"] == "半" else int(m["n"])
        fields["hired_within_days"] = round(n * 365.25) if m["unit"] == "年" else round(n * 30.5)
    if lx.VETERAN.search(text):
        fields["skill_min"] = VETERAN_SKILL
    if m := lx.SKILL_RANGE.search(text):
        level = int(m["n"])
        if not m["le"]:
            fields["skill_min"] = level
        if not m["ge"]:
            fields["skill_max"] = level   # 「スキル5の人」: exactly that level
    if metric == "alert_count":
        fields.update(alert_type=_first(lx.ALERT_TYPES, text), alert_severity=_first(lx.SEVERITY, text),
                      alert_status=_first(lx.STATUS, text))
    fields["time_block"] = _first(lx.TIME_BLOCK, text)
    return fields


def _grouping(text: str, metric: str, n_sites: int) -> tuple[str, str, int, bool]:
    """(group_by, order, top_n, compare)."""
    compare = bool(lx.COMPARE.search(text)) and n_sites != 1
    ranked_text = lx.SEVERITY_WORDS.sub("", text) if metric == "alert_count" else text
    order = "asc" if lx.ASC.search(ranked_text) else "desc" if lx.DESC.search(ranked_text) else ""
    if lx.WORST.search(text):
        order = "desc" if metric in lx.HIGH_IS_BAD else "asc"
    group = ""
    if lx.GROUP_EMPLOYEE.search(text) and metric != "alert_count" and not re.search(r"何人|何名|人数", text):
        group = "employee"
    elif lx.GROUP_PROCESS.search(text):
        group = "process"
    elif lx.GROUP_SITE.search(text) or compare:
        group = "site"
    elif lx.GROUP_PROCESS.search(text):
        group = "process"
    else:
        group = _first(lx.GROUP_TIME, text)
    if not group and lx.COUNT_ASK.search(text) and not lx.RANKING.search(text):
        order = ""
    if not group and (order or lx.RANKING.search(text)):
        # 「…が一番多いのは？」「生産性ランキング」: over sites when no single site is named, else over people.
        group = "site" if n_sites != 1 or metric == "alert_count" else "employee"
        order = order or "desc"
    if group == "employee" and metric in _PERSON_METRICS:
        # 「検品のベテランは誰？」「休みの人は誰？」: a list, unless a ranking word asks for the top.
        order = "" if not lx.TOP_N.search(text) and not re.search(r"一番|最も|トップ|上位", text) else order
    if not group:
        order = ""
    top = 0
    if order and (m := lx.TOP_N.search(text)):
        top = int(m["n"] or m["m"])
    elif order and lx.RANKING.search(text):
        top = RANKING_ROWS
    if compare:
        order, top = "", 0
    return group, order, top, compare


def _period(text: str, reference: dt.date, metric: str) -> tuple[str, dict]:
    extra: dict = {}
    versus = find_comparison(text, reference)
    if versus is not None:
        found, (c_phrase, c_start, c_end) = versus
        extra = {"compare_date_from": c_start.isoformat(), "compare_date_to": c_end.isoformat(),
                 "compare_phrase": c_phrase}
    else:
        found = find_period(text, reference)
    if m := lx.WEEKDAY.search(text):
        extra["weekday"] = m["wd"]
    if found is None:
        return metric, extra
    phrase, start, end = found
    # Plans live in shift_plans (future), what happened in attendance_records (past): the date decides.
    if metric == "off_people" and end < reference:
        metric = "absence_count"
    elif metric == "absence_count" and start > reference:
        metric = "off_people"
    elif metric == "attended_count" and start > reference:
        metric = "scheduled_people"
    elif metric == "scheduled_people" and end < reference:
        metric = "attended_count"
    return metric, {"date_from": start.isoformat(), "date_to": end.isoformat(), "period_phrase": phrase, **extra}


def is_consultation(text: str) -> bool:
    return bool(lx.CONSULTATION.search(text))


def read_question(text: str, reference: dt.date, sites: tuple[str, ...], all_sites_word: bool, process: str,
                  previous: Question | None = None) -> Question | None:
    """The typed question in normalised `text`, or None. `sites`/`process` come from the intent reading."""
    if is_consultation(text):
        return None
    if lx.OUT_OF_MODEL.search(text) and lx.QUESTION_SHAPE.search(text):
        return Question(metric=lx.OUT_OF_MODEL_METRIC, sites=sites, all_sites=all_sites_word)
    metric = _metric(text)
    if not metric:
        return _follow_up(text, reference, sites, all_sites_word, previous)
    if not lx.QUESTION_SHAPE.search(text) and previous is None:
        return None
    return build(text, reference, sites, all_sites_word, process, metric)


def build(text: str, reference: dt.date, sites: tuple[str, ...], all_sites_word: bool, process: str,
          metric: str) -> Question:
    """The question about `metric` with every other part read from `text` (the rules' metric, or the LLM's
    when the rules found none: filters, period and grouping are read the same way for both)."""
    metric, period = _period(text, reference, metric)
    if metric == "duty":
        metric = "assigned_people" if period else "qualified_headcount"
    if metric == "headcount" and period and not lx.STAFF_WORDS.search(text) and (process or lx.TIME_BLOCK[1][1].search(text)
                                                                                 or lx.TIME_BLOCK[0][1].search(text)):
        metric = "assigned_people"   # 「明日の梱包は何人？」: people on the day's assignment
    group, order, top, compare = _grouping(text, metric, len(sites))
    if period.get("compare_date_from") and len(sites) <= 1:
        compare = False   # two periods of one scope, not two sites
        if group == "site" and sites:
            group = ""
    all_sites = all_sites_word or (not sites and (group == "site" or metric == "alert_count"
                                                   or bool(lx.WHOLE.search(text))))
    if metric == "skill_level" and not group:
        group, order, top = "employee", order or "desc", top or 1
    if metric == "assigned_people" and not group and not re.search(r"何人|何名|人数", text):
        group = "process"   # 「明日の大阪の配置を見せて」: the day's assignment per process
    if metric == "forecast_units" and not group and process == "" and re.search(r"工程(?:ごと|別)", text):
        group = "process"
    aggregate = "avg" if lx.AVERAGE.search(text) and metric in ("overtime_hours", "units_processed") else ""
    return Question(metric=metric, sites=() if all_sites and not sites else sites, all_sites=all_sites and not sites,
                    process=process, employee_name=_employee(text, sites), group_by=group, order=order,
                    top_n=top, compare=compare, aggregate=aggregate, **_filters(text, metric), **period)


def _follow_up(text: str, reference: dt.date, sites: tuple[str, ...], all_sites_word: bool,
               previous: Question | None) -> Question | None:
    """「じゃあ品川は？」「先月は？」「上位3人は？」: the previous question with the named parts changed."""
    if previous is None or not previous.metric or previous.metric == lx.OUT_OF_MODEL_METRIC:
        return None
    changes: dict = {}
    if sites:
        changes.update(sites=sites, all_sites=False)
    elif all_sites_word:
        changes.update(sites=(), all_sites=True)
    found = find_period(text, reference)
    if found is not None:
        phrase, start, end = found
        changes.update(date_from=start.isoformat(), date_to=end.isoformat(), period_phrase=phrase)
    if m := _FOLLOW_UP_TOP.search(text):
        changes.update(top_n=int(m["n"] or m["m"]), order=previous.order or "desc",
                       group_by=previous.group_by or "employee")
    elif lx.ASC.search(text) and previous.order:
        changes.update(order="asc")
    return replace(previous, **changes) if changes else None


_ABSENT = re.compile(r"(?:さん|くん|君|氏)(?:が|は|も)?(?:休ん|欠勤し|来なかっ|いなかっ|抜け|いなくなっ)")


def read_absent_names(text: str, sites: tuple[str, ...]) -> tuple[str, ...]:
    """What-if: the people said to be absent (「田中さんが休んだら」), as written."""
    names = []
    for m in lx.PERSON.finditer(text):
        honorific_start = m.start() + len(m.group(0)) - (1 if m.group(0).endswith(("君", "氏")) else 2)
        if _ABSENT.match(text, honorific_start) and m["given"] not in lx.NOT_A_NAME:
            names.append(f"{m['family']} {m['given']}" if m["family"] else m["given"])
    return tuple(dict.fromkeys(names))
