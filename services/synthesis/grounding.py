"""The number check: every number a narrative states must come from the engine data.

A narrative number is supported when, after rounding to the decimals it is written with, it equals
  - a number in the engine data (any field except ids; 0-1 rates also count as percent),
  - a number written in the data's texts (shortage reasons, alert messages, knowledge chunks ...),
  - a number derived by `facts` (the same functions the plan builders use: other-weekday absence,
    differences, ratios, totals), or an absolute difference of two headline figures of the same kind,
  - a number in the manager's request, or a schedule constant of the plan (Day7, 3日以内).
A number written as percent/points/割 must match a percent-kind value; a bare number may match any value.
Not checked: dates and weekdays, small ordinal list markers (1. 2. / (1) / 第1), identifiers glued to
Latin letters (gemma3, Day1). Signs are ignored (a direction error is not a number error).
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Iterable

from services.synthesis import facts

# ---- extraction -------------------------------------------------------------------------------------
_PCT_SUFFIX = re.compile(r"\s*(%|パーセント|ポイント|pts?\b)")
_WARI_SUFFIX = re.compile(r"\s*割")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMBER = re.compile(r"(?<![唯統同単])([〇一二三四五六七八九十百千]+)(?=(割|件|名|人時|人|倍|%|パーセント|ポイント|時間))")
_KANJI_IDIOMS = re.compile(r"一人ひとり|一人一人|一人前|十分|一時的|一部|一方|一層|一度|一律|一般|一緒|一覧|一番|一定|一因|一環")

_EXEMPT = [
    re.compile(r"\d{4}\s*[-/年]\s*\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?"),      # 2025-11-24, 2025年11月24日
    re.compile(r"\d{4}\s*年(\s*\d{1,2}\s*月)?"),                            # 2025年, 2025年11月
    re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*日"),                              # 11月24日
    re.compile(r"\d{1,2}\s*月(?=\s*[のにはからまで、。）)]|\s*$)"),              # 11月の
    re.compile(r"\d{1,2}\s*日\s*[(（]\s*[月火水木金土日]\s*[)）]"),              # 24日（月）
    re.compile(r"\d{1,2}/\d{1,2}(?=\s*[(（]\s*[月火水木金土日])"),             # 11/24（月）
    re.compile(r"(?:^|(?<=\n))[ \t]*[#*\-・>]*[ \t]*\d{1,2}\s*[.)．、:](?!\d)"),  # list markers 1. 2)
    re.compile(r"[(（]\s*\d{1,2}\s*[)）]"),                                    # (1)
    re.compile(r"第\s*\d{1,2}"),                                              # 第1
    re.compile(r"\d{1,2}\s*(?:つ目|番目|点目)"),                                # 1つ目
    re.compile(r"優先(?:度|順位)\s*(?:第\s*)?\d{1,2}(?:位)?"),                  # 優先度1
    re.compile(r"(?:ステップ|Step|STEP)\s*\d{1,2}"),
]
_ANY_NUMBER = re.compile(r"[0-9０-９〇一二三四五六七八九十百千]")
_CIRCLED = re.compile(r"[\u2460-\u2473\u24f5-\u24fe\u2776-\u277f]")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")


@dataclass(frozen=True)
class Mention:
    """A number as written in a text."""

    text: str
    value: float
    decimals: int
    kind: str  # "pct" or "num"


def normalize(text: str) -> str:
    """Full-width digits and signs to ASCII; circled list numbers removed (they are markers)."""
    return unicodedata.normalize("NFKC", _CIRCLED.sub(" ", text or ""))


def _kanji_value(word: str) -> int | None:
    total, current = 0, 0
    for ch in word:
        if ch in _KANJI_DIGITS:
            current = current * 10 + _KANJI_DIGITS[ch] if current else _KANJI_DIGITS[ch]
        elif ch in _KANJI_UNITS:
            total += (current or 1) * _KANJI_UNITS[ch]
            current = 0
        else:
            return None
    return total + current


def _glued_identifier(after: str) -> bool:
    """Digits followed by a Latin word (0.5b-instruct, 3rd, 4bit) are part of a name; a lone unit letter
    (12.5h, 3x) is not."""
    if not after[:1].isascii() or not (after[:1].isalpha() or after[:1] == "_"):
        return False
    return len(after) > 1 and after[1].isascii() and (after[1].isalnum() or after[1] in "_-")


def extract(text: str, exempt: bool = True) -> list[Mention]:
    """Numbers in `text` with their kind; dates, list markers and identifiers skipped when `exempt`."""
    s = normalize(text)
    if exempt:
        for pattern in _EXEMPT:
            s = pattern.sub(lambda m: " " * len(m.group(0)), s)
    s = _TIME.sub(lambda m: m.group(1) + "時" + " " * (len(m.group(0)) - len(m.group(1)) - 1), s)
    out: list[Mention] = []
    for m in _NUMBER.finditer(s):
        before = s[m.start() - 1] if m.start() > 0 else ""
        after = s[m.end():m.end() + 3]
        if before and (before.isascii() and (before.isalpha() or before in "_.")):
            continue
        pct_suffix = _PCT_SUFFIX.match(s, m.end())
        if not pct_suffix and _glued_identifier(after):
            continue
        raw = m.group(0)
        value = float(raw.replace(",", ""))
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        if _WARI_SUFFIX.match(s, m.end()):
            out.append(Mention(raw + "割", value * 10, max(0, decimals - 1), "pct"))
        elif pct_suffix:
            out.append(Mention(raw + pct_suffix.group(1), value, decimals, "pct"))
        else:
            out.append(Mention(raw, value, decimals, "num"))
    masked = _KANJI_IDIOMS.sub(lambda m: " " * len(m.group(0)), s)
    for m in _KANJI_NUMBER.finditer(masked):
        value = _kanji_value(m.group(1))
        if value is None:
            continue
        suffix = m.group(2)
        if suffix == "割":
            out.append(Mention(m.group(1) + suffix, value * 10.0, 0, "pct"))
        else:
            kind = "pct" if suffix in ("%", "パーセント", "ポイント") else "num"
            out.append(Mention(m.group(1) + suffix, float(value), 0, kind))
    return out


# ---- the index of supported numbers -----------------------------------------------------------------
_SKIP_FIELDS = {"employee_id", "assignment_id", "context_id", "day_of_week", "version", "adjustment_id",
                "doc_id", "chunk_id", "source", "rule_key", "detected_at", "resolved_at", "period_start",
                "period_end", "date", "date_from", "date_to", "as_of", "record_date", "start_date",
                "build_time_ms", "solve_time_ms", "objective", "variables", "constraints"}
_PCT_FIELDS = {"daily_productivity", "productivity_avg", "productivity_change_pct", "mean", "change_pct",
               "change_pts", "difference_pts", "smape", "mape", "baseline_smape", "baseline_mape", "coverage_pct",
               "expected_productivity", "avg_productivity", "mean_productivity", "demand_change_pct", "stddev"}
_RATE_FIELDS = {"rate", "absence_rate", "late_rate", "early_leave_rate", "value", "baseline", "attendance_rate",
                "avg_confidence", "mip_gap", "interval_level", "interval_coverage"}
_NO_PCT_FIELDS = {"score", "vector_score", "keyword_score", "relevance_score", "severity_score", "z_score",
                  "change_t", "ratio"}


# Windows that define the analytics figures (SiteOverview: last 7 days vs the 30 days before, new staff =
# hired within 180 days) and the unit "1" of per-person / per-day rates: part of a figure's name, not a claim.
DEFINITION_CONSTANTS = (1.0, 7.0, 30.0, 180.0)


class SupportIndex:
    """Supported values, by kind, with rounding-aware lookup."""

    def __init__(self) -> None:
        self._values: dict[str, list[float]] = {"pct": [], "num": []}
        self._frozen: dict[str, list[float]] | None = None

    def add(self, value: Any, kind: str) -> None:
        try:
            v = abs(float(value))
        except (TypeError, ValueError):
            return
        if math.isfinite(v):
            self._values[kind].append(v)
            self._frozen = None

    def add_text(self, text: str, exempt: bool = False) -> None:
        if not text or not _ANY_NUMBER.search(text):
            return
        for m in extract(text, exempt=exempt):
            self.add(m.value, m.kind)
            if m.kind == "pct":
                self.add(m.value, "num")

    def _sorted(self) -> dict[str, list[float]]:
        if self._frozen is None:
            pct = sorted(set(self._values["pct"]))
            num = sorted(set(self._values["num"]) | set(pct))
            self._frozen = {"pct": pct, "num": num}
        return self._frozen

    def supports(self, mention: Mention) -> bool:
        values = self._sorted()["pct" if mention.kind == "pct" else "num"]
        tol = 0.5 * 10 ** (-mention.decimals) + 1e-6
        x = abs(mention.value)
        lo, hi = _bisect(values, x - tol), _bisect(values, x + tol + 1e-12)
        return hi > lo

    def __len__(self) -> int:
        v = self._sorted()
        return len(v["num"])

    # -- building --
    @classmethod
    def build(cls, data: dict, query: str = "", constants: Iterable[str] = ()) -> "SupportIndex":
        idx = cls()
        for value in DEFINITION_CONSTANTS:
            idx.add(value, "num")
        idx._walk(data, "")
        for value, kind in facts.derived_numbers(data):
            idx.add(value, kind)
            if kind == "pct":
                idx.add(value, "num")
        idx._headline_differences(data)
        idx.add_text(query, exempt=False)
        for text in constants:  # schedule labels: Day14 means 14 days, so digits count even when glued
            for digits in re.findall(r"\d+(?:\.\d+)?", normalize(text)):
                idx.add(float(digits), "num")
        return idx

    def _walk(self, node: Any, key: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k not in _SKIP_FIELDS:
                    self._walk(v, k)
        elif isinstance(node, list):
            for item in node:
                self._walk(item, key)
        elif isinstance(node, bool):
            return
        elif isinstance(node, (int, float)):
            v = float(node)
            self.add(v, "num")
            if key in _NO_PCT_FIELDS:
                return
            if key in _PCT_FIELDS or key.endswith(("_pct", "_pts", "_points", "_mean", "_productivity")):
                self.add(v, "pct")
            if key in _RATE_FIELDS or key.endswith("_rate"):
                self.add(v, "pct")
                if abs(v) <= 1.0:
                    self.add(v * 100, "pct")
                else:
                    self.add(v / 100, "num")
                    self.add(100 - v, "pct")
        elif isinstance(node, str) and node:
            self.add_text(node, exempt=False)

    def _headline_differences(self, data: dict) -> None:
        """|a - b| within one family of headline figures: the 'simple differences' a reader may compute
        (productivity vs productivity, coverage vs coverage ...), never across unrelated figures."""
        productivity: list[float] = []
        attendance: list[float] = [100.0]
        coverage: list[float] = [100.0]
        hours: list[float] = []
        evidence_pct: list[float] = []
        o = data.get("overview") or {}
        if o:
            productivity += [o.get("productivity_avg", 0)]
            trend = o.get("productivity_trend") or []
            if trend:
                productivity += [trend[0].get("daily_productivity", 0), trend[-1].get("daily_productivity", 0)]
            attendance += [o.get("attendance_rate", 0), o.get("absence_rate", 0)]
        for plan in facts.all_plans(data):
            k = plan.get("kpis") or {}
            if k:
                coverage.append(k.get("coverage_pct", 0))
                productivity.append(k.get("expected_productivity", 0))
                hours += [k.get("demand_staff_hours", 0), k.get("covered_staff_hours", 0),
                          k.get("shortage_staff_hours", 0), k.get("overtime_hours", 0)]
        p = data.get("productivity") or {}
        if p:
            productivity += [(p.get("current") or {}).get("mean", 0), (p.get("previous") or {}).get("mean", 0)]
        a = data.get("attendance") or {}
        if a:
            attendance.append(float(a.get("absence_rate") or 0) * 100)
        evidence = (data.get("alert") or {}).get("evidence") or {}
        evidence_num: list[float] = []
        for key, value in evidence.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or key in _SKIP_FIELDS:
                continue
            evidence_num.append(float(value))
            if key in _PCT_FIELDS or key.endswith(("_pct", "_pts", "_points", "_mean")):
                evidence_pct.append(float(value))
            elif (key in _RATE_FIELDS or key.endswith("_rate")) and abs(float(value)) <= 1:
                evidence_pct.append(float(value) * 100)
        for group, kind in ((productivity, "pct"), (attendance, "pct"), (coverage, "pct"), (evidence_pct, "pct"),
                            (hours, "num"), (evidence_num, "num")):
            vals = sorted({abs(float(v)) for v in group if v})
            for x, y in combinations(vals, 2):
                self.add(y - x, kind)
                if kind == "pct":
                    self.add(y - x, "num")


def _numbers_in(node: Any) -> Iterable[float]:
    if isinstance(node, dict):
        for v in node.values():
            yield from _numbers_in(v)
    elif isinstance(node, list):
        for v in node:
            yield from _numbers_in(v)
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield float(node)


def _bisect(values: list[float], x: float) -> int:
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


# ---- the check --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckResult:
    numbers_checked: int
    unsupported: list[str]

    @property
    def ok(self) -> bool:
        return not self.unsupported


def check(text: str, index: SupportIndex) -> CheckResult:
    mentions = extract(text)
    unsupported: list[str] = []
    for m in mentions:
        if not index.supports(m) and m.text not in unsupported:
            unsupported.append(m.text)
    return CheckResult(len(mentions), unsupported)
