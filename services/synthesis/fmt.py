"""Number formatting and Japanese labels used by every writer.

One place decides how a number is printed (decimals, units), so the grounding checker's rounding tolerance
matches what the writers produce: a value printed with one decimal is within 0.05 of the data.
"""
from __future__ import annotations

SEVERITY_JA = {"low": "低", "medium": "中", "high": "高", "critical": "重大"}
SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}
BLOCK_JA = {"morning": "午前", "afternoon": "午後", "overtime": "残業時間帯"}
ALERT_TYPE_JA = {
    "overtime_over_limit": "残業時間超過",
    "productivity_drop": "生産性低下",
    "absence_spike": "欠勤増加",
    "staffing_shortage": "人員不足",
}
ENGINE_JA = {
    "intent": "意図解析エンジン",
    "analytics": "分析エンジン",
    "solver": "最適化エンジン",
    "knowledge": "ナレッジ検索エンジン",
}
CONSTRAINT_JA = {
    "skill": "スキル要件",
    "veteran": "熟練者の必要数",
    "hours": "勤務時間の上限",
    "overtime_limit": "残業上限",
    "cutoff": "作業終了時刻",
    "availability": "出勤可能人数",
}


def num(value: float, decimals: int = 1) -> str:
    """A plain number: integers without decimals, others with `decimals` (thousands separated)."""
    v = float(value)
    if abs(v - round(v)) < 1e-9:
        return f"{int(round(v)):,}"
    return f"{v:,.{decimals}f}"


def count(value: float) -> str:
    return f"{int(round(float(value))):,}"


def pct(value: float, decimals: int = 1) -> str:
    """A value already in percent (85.2 -> '85.2%')."""
    return f"{float(value):.{decimals}f}%"


def rate(value: float, decimals: int = 1) -> str:
    """A 0-1 rate as percent (0.153 -> '15.3%')."""
    return f"{float(value) * 100:.{decimals}f}%"


def pts(value: float, decimals: int = 1) -> str:
    """A difference of two percentages, signed ('+4.2ポイント')."""
    return f"{float(value):+.{decimals}f}ポイント"


def signed_pct(value: float, decimals: int = 1) -> str:
    return f"{float(value):+.{decimals}f}%"


def hours(value: float) -> str:
    return f"{float(value):.1f}時間"


def staff_hours(value: float) -> str:
    return f"{float(value):.1f}人時"


def yen(value: float) -> str:
    return f"{int(round(float(value))):,}円"


def times(value: float) -> str:
    return f"{float(value):.1f}倍"


def severity(name: str) -> str:
    return SEVERITY_JA.get(name, name or "不明")


def block(name: str) -> str:
    return BLOCK_JA.get(name, name)


def alert_type(name: str, label: str = "") -> str:
    return label or ALERT_TYPE_JA.get(name, name)


def site(location: str) -> str:
    """'横浜' -> '横浜拠点'; all sites stay '全拠点'."""
    if not location or location in ("unclear", "全拠点"):
        return "全拠点"
    return f"{location}拠点"
