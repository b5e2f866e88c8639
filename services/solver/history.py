"""An assignment's audit trail: every assignment_adjustments row, oldest first, in a manager's words.

Why here and not in the console: the rows store process codes, block keys and employee ids (and the sample
data's rows only the keys that changed), so the engine that owns those words turns each row into
"field: before → after" in Japanese once, and every client shows the same sentence. The raw JSON goes
along for tools that want the stored documents.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from services.common.errors import InvalidArgument, NotFound
from services.common.sites import SiteDirectory
from services.solver.blocks import BLOCK_JA
from services.solver.repository import AdjustmentRow, AssignmentRow, SolverRepository

TYPE_JA = {"process_change": "工程変更", "block_change": "時間帯変更", "hours_change": "時間変更",
           "status_change": "状態変更", "absence_cover": "欠勤補充", "overtime_extension": "残業延長",
           "cancel": "取消"}
FIELD_JA = {"process": "工程", "time_block": "時間帯", "planned_hours": "予定時間", "status": "状態",
            "employee_id": "従業員", "cover_employee_id": "補充者"}
STATUS_JA = {"planned": "計画", "confirmed": "確定", "changed": "変更", "cancelled": "取消"}
EMPLOYEE_FIELDS = ("employee_id", "cover_employee_id")
# The version is reported on its own (HistoryEntry.version), not as a changed value.
NOT_A_CHANGE = ("version",)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    adjustment_id: int
    adjustment_type: str
    type_label: str
    adjusted_by: str
    adjusted_at: str
    reason: str
    ai_confidence_score: float
    changes: list[FieldChange]
    before_json: str
    after_json: str
    version: int


@dataclass(frozen=True)
class History:
    assignment: AssignmentRow
    location: str
    entries: list[HistoryEntry]


class AssignmentHistory:
    def __init__(self, repo: SolverRepository, sites: SiteDirectory):
        self.repo, self.sites = repo, sites

    async def history(self, assignment_id: int) -> History:
        if assignment_id <= 0:
            raise InvalidArgument("assignment_id（正の整数）を指定してください")
        current = await self.repo.assignment(assignment_id)
        if current is None:
            raise NotFound(f"配置 assignment_id={assignment_id} は見つかりません。配置ボードを再読み込みしてください")
        rows = await self.repo.adjustments(assignment_id)
        processes = {p.code: p.name for p in await self.repo.processes()}
        ids = {int(doc[k]) for r in rows for doc in (r.before or {}, r.after or {}) for k in EMPLOYEE_FIELDS
               if isinstance(doc.get(k), int)}
        words = _Words(processes, await self.repo.employee_names(ids))
        site = next((s.name for s in await self.sites.all() if s.location_id == current.location_id), "")
        return History(current, site, [_entry(r, words) for r in rows])


@dataclass(frozen=True)
class _Words:
    processes: dict[str, str]
    employees: dict[int, str]

    def value(self, field: str, value) -> str:
        if value is None:
            return ""
        if field == "process":
            return self.processes.get(str(value), str(value))
        if field == "time_block":
            return BLOCK_JA.get(str(value), str(value))
        if field == "status":
            return STATUS_JA.get(str(value), str(value))
        if field == "planned_hours" and isinstance(value, (int, float)):
            return f"{float(value):g}時間"
        if field in EMPLOYEE_FIELDS and isinstance(value, int):
            name = self.employees.get(value)
            return f"{name}（#{value}）" if name else f"#{value}"
        return str(value)


def _changes(before: dict, after: dict, words: _Words) -> list[FieldChange]:
    """Keys the after-document sets to a value other than the before-document's, in the stored order."""
    out = []
    for key, new in after.items():
        if key in NOT_A_CHANGE or before.get(key) == new:
            continue
        out.append(FieldChange(key, FIELD_JA.get(key, key), words.value(key, before.get(key)), words.value(key, new)))
    return out


def _entry(r: AdjustmentRow, words: _Words) -> HistoryEntry:
    before, after = r.before or {}, r.after or {}
    version = after.get("version")
    return HistoryEntry(
        adjustment_id=r.adjustment_id, adjustment_type=r.adjustment_type,
        type_label=TYPE_JA.get(r.adjustment_type, r.adjustment_type), adjusted_by=r.adjusted_by,
        adjusted_at=r.created_at.isoformat(timespec="seconds"), reason=r.reason,
        ai_confidence_score=r.ai_confidence_score or 0.0, changes=_changes(before, after, words),
        before_json=json.dumps(before, ensure_ascii=False), after_json=json.dumps(after, ensure_ascii=False),
        version=version if isinstance(version, int) else 0)
