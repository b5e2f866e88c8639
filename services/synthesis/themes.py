"""The problems a site has, each with its measured size, in priority order.

A theme (overtime, productivity, absence, shortage, or another alert type) is raised by open alerts or by a
measured deviation. Order: themes with open alerts first, by Σ count × mean severity (SiteOverview
.alerts_by_type); then the others by their measured deviation in percent or points (absence gap of the worst
weekday, productivity change, shortage share of demand, overtime share of demand). The rule is stated in the
answer so a manager can check it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from services.synthesis import facts, fmt
from services.synthesis.model import ComposeInput

ALERT_THEME = {
    "overtime_over_limit": "overtime",
    "productivity_drop": "productivity",
    "absence_spike": "absence",
    "staffing_shortage": "shortage",
}
ORDER_RULE = "優先順位は、未解決アラートの件数×平均重要度の大きい順、アラートのない課題は計測値の乖離の大きい順です。"

# Deviation thresholds for raising a theme without an alert.
ABSENCE_GAP_PTS = 3.0
PRODUCTIVITY_DROP_PCT = -2.0


@dataclass
class Theme:
    key: str
    headline: str                 # short label: 「残業時間超過アラート（3件）」
    description: str              # priority_analysis text
    alert_count: int = 0
    alert_weight: float = 0.0
    magnitude: float = 0.0
    words: tuple[str, ...] = ()
    alert_types: list[str] = field(default_factory=list)


def _alert_part(rows: list[dict]) -> tuple[str, int, float]:
    """「残業時間超過アラート 3件（最高重要度: 高）」 for the alert rows of one theme."""
    if not rows:
        return "", 0, 0.0
    parts = []
    for r in rows:
        label = fmt.alert_type(r.get("alert_type", ""), r.get("label", ""))
        parts.append(f"{label}アラート {fmt.count(r.get('count', 0))}件（最高重要度: {fmt.severity(r.get('max_severity', ''))}）")
    return "、".join(parts), sum(int(r.get("count") or 0) for r in rows), sum(facts.alert_weight(r) for r in rows)


@dataclass(frozen=True)
class _Measured:
    """What one theme measured besides its alerts. Without alerts it is raised only when `deviates`."""
    deviates: bool
    headline: str                 # the label when there is no alert
    bits: list[str]
    magnitude: float
    words: tuple[str, ...]


def _overtime(overview: dict | None, plan, figures) -> _Measured:
    bits = []
    if overview and overview.get("overtime_hours_avg"):
        bits.append(f"直近30日の平均残業は1日1人あたり{fmt.hours(overview['overtime_hours_avg'])}")
    if figures and figures.overtime > 0:
        bits.append(f"配置案でも残業が計{fmt.hours(figures.overtime)}（1人最大{fmt.hours(figures.max_person_overtime)}）")
    # planned overtime alone is not a deviation: without alerts it ranks last (magnitude 0)
    return _Measured(bool(figures and figures.overtime > 0), "残業の発生", bits, 0.0, ("残業", "時間外", "定時", "超過"))


def _productivity(overview: dict | None, plan, figures) -> _Measured:
    change = float((overview or {}).get("productivity_change_pct") or 0.0)
    bits = []
    if overview:
        if change:
            avg = fmt.pct(overview.get("productivity_avg", 0))
            bits.append(f"直近7日の生産性は前30日比{fmt.signed_pct(change)}（直近30日平均{avg}）")
        share = facts.new_staff_share_pct(overview)
        if share and overview.get("new_staff"):
            bits.append(f"在籍{fmt.count(overview['active_staff'])}名中{fmt.count(overview['new_staff'])}名が"
                        f"入社180日以内（{fmt.pct(share)}）")
    return _Measured(change <= PRODUCTIVITY_DROP_PCT, f"生産性の低下（前30日比{fmt.signed_pct(change)}）", bits,
                     max(0.0, -change), ("生産性", "効率", "新人", "熟練", "教育", "ベテラン"))


def _absence(overview: dict | None, plan, figures) -> _Measured:
    contrast = facts.absence_contrast(overview)
    if not contrast:
        return _Measured(False, "", [], 0.0, ("欠勤", "休み", "出勤", "勤怠"))
    bit = (f"{contrast.weekday}曜の欠勤率{fmt.rate(contrast.rate)}（他の曜日平均{fmt.rate(contrast.others_rate)}、"
           f"{fmt.pts(contrast.diff_pts)}、{fmt.times(contrast.ratio)}）")
    return _Measured(contrast.diff_pts >= ABSENCE_GAP_PTS, f"{contrast.weekday}曜の欠勤（欠勤率{fmt.rate(contrast.rate)}）",
                     [bit], contrast.diff_pts, ("欠勤", "休み", "出勤", "勤怠", f"{contrast.weekday}曜"))


def _shortage(overview: dict | None, plan, figures) -> _Measured:
    shortages = facts.shortages_sorted(plan)
    bits, headline = [], ""
    if shortages:
        top = shortages[0]
        headline = (f"{top.get('process', '')}・{fmt.block(top.get('time_block', ''))}の人員不足"
                    f"（{fmt.staff_hours(top.get('staff_hours', 0))}）")
        if figures:
            more = f"ほか計{len(shortages)}件・" if len(shortages) > 1 else ""
            binding = top.get("binding_constraint", "")
            constraint = fmt.CONSTRAINT_JA.get(binding, binding or "制約不明")
            bits.append(f"配置案でも{top.get('process', '')}・{fmt.block(top.get('time_block', ''))}が"
                        f"{fmt.staff_hours(top.get('staff_hours', 0))}不足（{constraint}）、"
                        f"{more}不足合計{fmt.staff_hours(figures.shortage)}（充足率{fmt.pct(figures.coverage_pct)}）")
    elif figures is None and overview and overview.get("active_staff"):
        bits.append(f"在籍{fmt.count(overview['active_staff'])}名")
    return _Measured(bool(shortages), headline, bits, figures.shortage_share_pct if figures else 0.0,
                     ("不足", "応援", "人員", "増員", "補充", "シフト", "人手"))


# theme key, the alert label of its headline, what it measures
_THEMES = (
    ("overtime", "残業時間超過", _overtime),
    ("productivity", "生産性低下", _productivity),
    ("absence", "欠勤増加", _absence),
    ("shortage", "人員不足", _shortage),
)


def detect(inp: ComposeInput) -> list[Theme]:
    overview = inp.part("overview")
    plan = inp.solver_plan()
    rows_by_theme: dict[str, list[dict]] = {}
    for row in (overview or {}).get("alerts_by_type") or []:
        if int(row.get("count") or 0) <= 0:
            continue
        key = ALERT_THEME.get(row.get("alert_type", ""), f"alert:{row.get('alert_type', '')}")
        rows_by_theme.setdefault(key, []).append(row)

    themes: list[Theme] = []
    figures = facts.plan_figures(plan)
    for key, alert_label, measure in _THEMES:
        rows = rows_by_theme.pop(key, [])
        alerts, n, w = _alert_part(rows)
        measured = measure(overview, plan, figures)
        if rows or measured.deviates:
            bits = ([alerts] if alerts else []) + measured.bits
            headline = f"{alert_label}アラート（{fmt.count(n)}件）" if n else measured.headline
            themes.append(Theme(key, headline, "。".join(bits), n, w, measured.magnitude, measured.words,
                                [r["alert_type"] for r in rows]))

    # other alert types
    for key, rows in rows_by_theme.items():
        alerts, n, w = _alert_part(rows)
        label = fmt.alert_type(rows[0].get("alert_type", ""), rows[0].get("label", ""))
        themes.append(Theme(key, f"{label}アラート（{fmt.count(n)}件）", alerts, n, w, 0.0, (label,),
                            [r["alert_type"] for r in rows]))

    themes.sort(key=lambda t: (t.alert_count == 0, -t.alert_weight, -t.magnitude))
    return themes


def theme_of_alert_type(alert_type: str) -> str:
    return ALERT_THEME.get(alert_type, f"alert:{alert_type}")


def focus(themes: list[Theme], key: str) -> list[Theme]:
    """The same themes with `key` first (the alert being improved leads its own plan)."""
    first = [t for t in themes if t.key == key]
    return first + [t for t in themes if t.key != key]
