"""A manager's change to one assignment: validated, applied with optimistic concurrency, audited.

Why the checks: a stale screen must never overwrite a newer plan (expected_version), a change must be
something the person may do (certified for the process), and every change leaves an
assignment_adjustments row with before/after so the analytics and the seed's queries can count it.
After the commit the analytics cache of the site is invalidated; Redis being down never fails the update.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from services.common import cache_names
from services.common.cache import Cache
from services.common.errors import Conflict, FailedPrecondition, InvalidArgument, NotFound
from services.common.sites import SiteDirectory
from services.solver.blocks import BLOCK_JA, OVERTIME, REGULAR_BLOCKS, validate_block
from services.solver.repository import AssignmentRow, SolverRepository


STATUSES = ("planned", "confirmed", "changed", "cancelled")
MAX_REGULAR_HOURS = 4.0
MAX_OVERTIME_HOURS = 8.0
CACHE_TIMEOUT_SECONDS = 1.5


@dataclass(frozen=True)
class UpdateRequest:
    assignment_id: int
    expected_version: int
    process: str = ""
    time_block: str = ""
    planned_hours: float = 0.0
    status: str = ""
    reason: str = ""
    adjusted_by: str = ""
    ai_confidence_score: float = 0.0


def _validate(req: UpdateRequest) -> None:
    if req.assignment_id <= 0:
        raise InvalidArgument("assignment_id を指定してください")
    if req.expected_version <= 0:
        raise InvalidArgument("expected_version（画面で表示した配置の version）を指定してください")
    if req.time_block:
        validate_block(req.time_block)
    if not math.isfinite(req.planned_hours) or req.planned_hours < 0:
        raise InvalidArgument(f"planned_hours は0以上の時間数です（現在: {req.planned_hours}）")
    if req.status and req.status not in STATUSES:
        raise InvalidArgument(f"status は {'・'.join(STATUSES)} のいずれかです（現在: {req.status!r}）")
    if not math.isfinite(req.ai_confidence_score) or not 0.0 <= req.ai_confidence_score <= 1.0:
        raise InvalidArgument(f"ai_confidence_score は0〜1で指定してください（現在: {req.ai_confidence_score}）")
    if len(req.reason) > 500:
        raise InvalidArgument("reason は500文字以内で入力してください")
    if len(req.adjusted_by) > 64:
        raise InvalidArgument("adjusted_by は64文字以内で入力してください")


def _adjustment_type(before: AssignmentRow, process_changed: bool, block: str, hours: float, status: str) -> str:
    if status == "cancelled" and before.status != "cancelled":
        return "cancel"
    if block == OVERTIME and (before.time_block != OVERTIME or hours > before.planned_hours):
        return "overtime_extension"
    if process_changed:
        return "process_change"
    if block != before.time_block:
        return "block_change"
    if abs(hours - before.planned_hours) > 1e-9:
        return "hours_change"
    return "status_change"


def _snapshot(row: AssignmentRow, process_code: str) -> dict:
    return {"employee_id": row.employee_id, "process": process_code, "time_block": row.time_block,
            "planned_hours": row.planned_hours, "status": row.status, "version": row.version}


class AssignmentUpdater:
    def __init__(self, repo: SolverRepository, sites: SiteDirectory, cache: Cache | None):
        self.repo, self.sites, self.cache = repo, sites, cache

    async def update(self, req: UpdateRequest) -> tuple[AssignmentRow, str, int]:
        """Returns (the stored row after the change, its site name, the adjustment id)."""
        _validate(req)
        current = await self.repo.assignment(req.assignment_id)
        if current is None:
            raise NotFound(f"配置 assignment_id={req.assignment_id} は見つかりません")
        if current.version != req.expected_version:
            raise Conflict(f"配置 {req.assignment_id} は他の操作で更新されています（現在の version={current.version}、"
                           f"指定 {req.expected_version}）。最新の配置を取得してやり直してください")
        processes = await self.repo.processes()
        by_name = {p.name: p for p in processes} | {p.code: p for p in processes}
        old_proc = by_name[current.process]
        new_proc = old_proc
        if req.process:
            new_proc = by_name.get(req.process.strip())
            if new_proc is None:
                raise InvalidArgument(f"工程「{req.process}」はありません。指定できる工程: "
                                      + "、".join(p.name for p in processes))
        block = req.time_block or current.time_block
        hours = req.planned_hours or current.planned_hours
        limit = MAX_REGULAR_HOURS if block in REGULAR_BLOCKS else MAX_OVERTIME_HOURS
        if hours > limit:
            raise InvalidArgument(f"{BLOCK_JA[block]}の planned_hours は{limit:g}時間以下です（現在: {hours}）")
        process_changed = new_proc.process_id != old_proc.process_id
        changed = process_changed or block != current.time_block or abs(hours - current.planned_hours) > 1e-9
        status = req.status or ("changed" if changed else current.status)
        if not changed and status == current.status:
            raise InvalidArgument("変更内容がありません（process・time_block・planned_hours・status のいずれかを指定してください）")
        if process_changed:
            level = (await self.repo.skills([current.employee_id])).get(current.employee_id, {}).get(new_proc.name, 0)
            if level < new_proc.min_skill:
                have = f"レベル{level}" if level else "未認定"
                raise FailedPrecondition(f"{current.employee_name}さんは{new_proc.name}の有資格者ではありません"
                                         f"（必要レベル{new_proc.min_skill}、現在{have}）")
        if block != current.time_block:
            clash = await self.repo.assignment_at(current.employee_id, current.date, block)
            if clash is not None:
                raise FailedPrecondition(f"{current.employee_name}さんは{current.date}の{BLOCK_JA[block]}に既に配置があります"
                                         f"（assignment_id={clash.assignment_id}）。先にそちらを変更してください")
        source = "optimizer" if req.ai_confidence_score > 0 else "manual"
        after = {"employee_id": current.employee_id, "process": new_proc.code, "time_block": block,
                 "planned_hours": hours, "status": status, "version": current.version + 1}
        adjustment = {
            "type": _adjustment_type(current, process_changed, block, hours, status),
            "confidence": req.ai_confidence_score if req.ai_confidence_score > 0 else None,
            "by": req.adjusted_by.strip() or "manager", "reason": req.reason.strip(),
            "before": _snapshot(current, old_proc.code), "after": after}
        updated, adjustment_id = await self.repo.apply_update(
            current, req.expected_version,
            {"process_id": new_proc.process_id, "time_block": block, "planned_hours": hours, "status": status,
             "source": source}, adjustment)
        site = next((s.name for s in await self.sites.all() if s.location_id == updated.location_id), "")
        await self._invalidate(site)
        return updated, site, adjustment_id

    async def _invalidate(self, site: str) -> None:
        if self.cache is not None:
            await self.cache.invalidate_quietly(cache_names.analytics(site), cache_names.analytics(),
                                                timeout=CACHE_TIMEOUT_SECONDS)
