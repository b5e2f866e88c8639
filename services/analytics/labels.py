"""Fixed vocabularies of the analytics engine and their Japanese labels (one place, so wording stays consistent)."""
from __future__ import annotations

from services.common.dates import MYSQL_DOW_JA

ALERT_TYPES: dict[str, str] = {
    "overtime_over_limit": "残業時間超過",
    "productivity_drop": "生産性低下",
    "absence_spike": "欠勤率上昇",
    "staffing_shortage": "人員不足",
}

# Severity order matters: it ranks alerts for the manager (low=1 ... critical=4).
SEVERITY_RANK: dict[str, int] = {"low": 1, "medium": 2, "high": 3, "critical": 4}
SEVERITY_LABELS: dict[str, str] = {"low": "低", "medium": "中", "high": "高", "critical": "緊急"}
RANK_SEVERITY: dict[int, str] = {rank: name for name, rank in SEVERITY_RANK.items()}

ALERT_STATUSES: dict[str, str] = {"open": "未対応", "acknowledged": "確認済み", "resolved": "解決済み"}
OPEN_STATUSES: tuple[str, ...] = ("open", "acknowledged")

ATTENDANCE_STATUSES: dict[str, str] = {
    "present": "出勤", "absent": "欠勤", "late": "遅刻", "early_leave": "早退", "paid_leave": "有給休暇",
}
# Statuses that count as "worked that day" (attendance rate) and as "not there" (absence rate).
ATTENDED = ("present", "late", "early_leave")
ABSENT = ("absent", "paid_leave")

# Monday-first order of MySQL DAYOFWEEK numbers (1 = Sunday) for tables a manager reads.
DOW_ORDER: tuple[int, ...] = (2, 3, 4, 5, 6, 7, 1)
WEEKDAY_NAME: dict[int, str] = dict(MYSQL_DOW_JA)

ALL_SITES_LABEL = "全拠点"


def weekday_name(mysql_dow: int) -> str:
    return WEEKDAY_NAME.get(int(mysql_dow), "?")


def mysql_dow(date) -> int:
    """MySQL DAYOFWEEK of a Python date (1 = Sunday ... 7 = Saturday)."""
    return (date.weekday() + 1) % 7 + 1
