"""alerts-table row → Alert dict (proto field names): one conversion shared by listing, detail and detection."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

ALERT_COLUMNS = ("a.alert_id, l.location_name, a.alert_type, a.severity, a.status, a.title, a.message, "
                 "a.evidence_json, a.period_start, a.period_end, a.rule_key, a.detected_at, a.resolved_at")
ALERT_FROM = "alerts a JOIN locations l ON l.location_id = a.location_id"
# The day an alert counts on in listings and statistics: the last day of the period it describes, or the
# day it was raised when that is earlier (a staffing alert about next week counts today, when it is news;
# a backfilled alert about September counts in September).
ALERT_DATE_SQL = "LEAST(a.period_end, DATE(a.detected_at))"


def iso(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def plain(value: Any) -> Any:
    """DB values → JSON/Struct-safe values (Decimal → float, dates → ISO strings)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime, dt.timedelta)):
        return iso(value) if not isinstance(value, dt.timedelta) else str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def alert_dict(row: dict) -> dict:
    evidence = row.get("evidence_json")
    if isinstance(evidence, (bytes, str)):
        try:
            evidence = json.loads(evidence)
        except ValueError:
            evidence = {"raw": evidence if isinstance(evidence, str) else evidence.decode(errors="replace")}
    return {
        "alert_id": int(row["alert_id"]), "location": row["location_name"], "alert_type": row["alert_type"],
        "severity": row["severity"], "status": row["status"], "title": row["title"], "message": row["message"],
        "evidence": plain(evidence) if isinstance(evidence, dict) else {},
        "period_start": iso(row["period_start"]), "period_end": iso(row["period_end"]),
        "detected_at": iso(row["detected_at"]), "resolved_at": iso(row["resolved_at"]), "rule_key": row["rule_key"],
    }
