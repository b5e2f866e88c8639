"""SolverService transport: proto request → domain call → proto response. No logic lives here.

Domain errors (services.common.errors) are mapped to gRPC statuses by the shared interceptor.
"""
from __future__ import annotations

import datetime as dt

from aimee.solver.v1 import roster_pb2 as rpb
from aimee.solver.v1 import solver_pb2 as pb
from aimee.solver.v1 import solver_pb2_grpc as pb_grpc

from services.common.errors import InvalidArgument, Unimplemented
from services.solver.history import AssignmentHistory, HistoryEntry
from services.solver.options import build_options
from services.solver.plan import PlanResult
from services.solver.planner import Planner
from services.solver.repository import AssignmentRow
from services.solver.roster.service import RosterService, RosterView
from services.solver.updates import AssignmentUpdater, UpdateRequest


def assignment_pb(row: AssignmentRow, location: str) -> pb.Assignment:
    return pb.Assignment(assignment_id=row.assignment_id, location=location, employee_id=row.employee_id,
                         employee_name=row.employee_name, process=row.process, time_block=row.time_block,
                         date=row.date.isoformat(), planned_hours=row.planned_hours, status=row.status,
                         source=row.source, version=row.version)


def history_entry_pb(e: HistoryEntry) -> pb.AssignmentHistoryEntry:
    return pb.AssignmentHistoryEntry(
        adjustment_id=e.adjustment_id, adjustment_type=e.adjustment_type, adjustment_type_label=e.type_label,
        adjusted_by=e.adjusted_by, adjusted_at=e.adjusted_at, reason=e.reason,
        ai_confidence_score=e.ai_confidence_score,
        changes=[pb.FieldChange(field=c.field, label=c.label, before=c.before, after=c.after) for c in e.changes],
        before_json=e.before_json, after_json=e.after_json, version=e.version)


def plan_pb(p: PlanResult) -> pb.Plan:
    k, r = p.kpis, p.report
    return pb.Plan(
        location=p.location, date=p.date,
        assignments=[pb.PlannedAssignment(
            employee_id=a.employee_id, employee_name=a.employee_name, home_location=a.home_location,
            process=a.process, time_block=a.time_block, hours=a.hours, is_overtime=a.is_overtime,
            changed_from_current=a.changed_from_current, expected_productivity=a.expected_productivity,
            skill_level=a.skill_level, current_process=a.current_process, assignment_id=a.assignment_id,
            version=a.version) for a in p.assignments],
        coverage=[pb.ProcessCoverage(
            process=c.process, time_block=c.time_block, demand_staff_hours=c.demand,
            covered_staff_hours=c.covered, coverage_pct=c.coverage_pct, shortage_staff_hours=c.shortage,
            assigned_staff=c.assigned_staff, veterans=c.veterans, deferred_staff_hours=c.deferred,
            upper_demand_staff_hours=c.upper) for c in p.coverage],
        kpis=pb.PlanKpis(
            demand_staff_hours=k.demand, covered_staff_hours=k.covered, shortage_staff_hours=k.shortage,
            coverage_pct=k.coverage_pct, overtime_hours=k.overtime_hours, changes_from_current=k.changes,
            expected_productivity=k.expected_productivity, available_staff=k.available_staff,
            assigned_staff=k.assigned_staff, max_person_overtime_hours=k.max_person_overtime,
            deferred_staff_hours=k.deferred, transfers=k.transfers, travel_cost_yen=k.travel_cost,
            current_plan_shortage_staff_hours=k.current_shortage, current_plan_coverage_pct=k.current_coverage_pct),
        shortages=[pb.Shortage(process=s.process, time_block=s.time_block, staff_hours=s.staff_hours,
                               binding_constraint=s.binding, reason=s.reason) for s in p.shortages],
        transfers=[pb.Transfer(employee_id=t.employee_id, employee_name=t.employee_name,
                               from_location=t.from_location, to_location=t.to_location,
                               travel_cost=t.travel_cost) for t in p.transfers],
        solver=pb.SolverStats(status=r.status, objective=_finite(r.objective), mip_gap=_finite(r.mip_gap),
                              build_time_ms=round(r.build_ms, 2), solve_time_ms=round(r.solve_ms, 2),
                              variables=r.variables, constraints=r.constraints, dual_bound=_finite(r.dual_bound),
                              nodes=r.nodes),
        optimization_feasible=p.feasible, constraint_violations=p.violations, explanation=p.explanation,
        changes=[pb.AssignmentChange(employee_id=c.employee_id, employee_name=c.employee_name,
                                     time_block=c.time_block, from_process=c.from_process, to_process=c.to_process,
                                     assignment_id=c.assignment_id, version=c.version, reason=c.reason)
                 for c in p.changes])


def parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidArgument(f"日付は YYYY-MM-DD で指定してください（指定: {text!r}）") from exc


def roster_pb(v: RosterView) -> rpb.Roster:
    return rpb.Roster(
        location=v.location, start_date=v.start.isoformat(), days=v.days, version=v.version, status=v.status,
        rows=[rpb.RosterRow(employee_id=e, employee_name=v.names.get(e, ""), shifts=[c or "" for c in row])
              for e, row in v.cells.items()],
        costs=[rpb.RosterCost(rule=k, cost=int(c)) for k, c in v.costs.items()],
        objective=_finite(v.objective), bound=_finite(v.bound), refused=v.refused,
        shift_types=[rpb.ShiftTypeInfo(code=c, name=n) for c, n in v.shift_names.items()], seconds=v.seconds)


def _finite(value: float) -> float:
    """NaN/inf do not belong on a JSON wire (no solution yet, or an unbounded bound): report 0."""
    return value if value == value and abs(value) != float("inf") else 0.0


class SolverServicer(pb_grpc.SolverServiceServicer):
    def __init__(self, planner: Planner, updater: AssignmentUpdater, rosters: RosterService | None = None,
                 history: AssignmentHistory | None = None):
        self.planner, self.updater, self.rosters, self.history = planner, updater, rosters, history

    def _roster_service(self) -> RosterService:
        if self.rosters is None:
            raise Unimplemented("勤務表の作成はこのエンジンでは有効になっていません")
        return self.rosters

    async def PlanRoster(self, request: rpb.PlanRosterRequest, context):
        extra = [(w.employee_id, parse_day(w.date)) for w in request.extra_days_off]
        args = (request.location, parse_day(request.start_date) if request.start_date else None, request.days or 7,
                request.time_limit_seconds or None, extra)
        if request.compare:      # a what-if: never saved, whatever dry_run says
            base, view = await self._roster_service().compare(*args)
            return rpb.PlanRosterResponse(roster=roster_pb(view), baseline=roster_pb(base))
        view = await self._roster_service().plan(*args, save=not request.dry_run)
        return rpb.PlanRosterResponse(roster=roster_pb(view))

    async def GetRoster(self, request: rpb.GetRosterRequest, context):
        view = await self._roster_service().get(request.location, parse_day(request.start_date), request.version)
        return rpb.GetRosterResponse(roster=roster_pb(view))

    async def PublishRoster(self, request: rpb.PublishRosterRequest, context):
        view, audit_id = await self._roster_service().publish(
            request.location, parse_day(request.start_date), request.version, request.published_by)
        return rpb.PublishRosterResponse(roster=roster_pb(view), audit_id=audit_id)

    async def ExplainRoster(self, request: rpb.ExplainRosterRequest, context):
        view, lines = await self._roster_service().explain(request.location, parse_day(request.start_date),
                                                           request.version)
        return rpb.ExplainRosterResponse(roster=roster_pb(view), lines=lines)

    async def GetCurrentAssignments(self, request: pb.GetCurrentAssignmentsRequest, context):
        site, day, rows = await self.planner.current(request.location, request.date)
        return pb.GetCurrentAssignmentsResponse(location=site.name, date=day.isoformat(),
                                                assignments=[assignment_pb(r, site.name) for r in rows])

    async def Recommend(self, request: pb.RecommendRequest, context):
        o = request.options
        options = build_options(allow_cross_site=o.allow_cross_site, cutoff_time=o.cutoff_time,
                                overtime_limit_hours=o.overtime_limit_hours,
                                site_overtime_limit_hours=o.site_overtime_limit_hours,
                                time_limit_seconds=o.time_limit_seconds, mip_rel_gap=o.mip_rel_gap)
        plan = await self.planner.recommend(request.location, request.date, options)
        return pb.RecommendResponse(plan=plan_pb(plan))

    async def Simulate(self, request: pb.SimulateRequest, context):
        options = build_options(allow_cross_site=request.allow_cross_site, cutoff_time=request.cutoff_time,
                                overtime_limit_hours=request.overtime_limit_hours,
                                site_overtime_limit_hours=request.site_overtime_limit_hours,
                                demand_change_pct=request.demand_change_pct,
                                absent_ids=request.absent_employee_ids, added_ids=request.added_employee_ids)
        sim = await self.planner.simulate(request.location, request.date, options)
        d = sim.delta
        return pb.SimulateResponse(
            baseline=plan_pb(sim.baseline), scenario=plan_pb(sim.scenario), explanation=sim.explanation,
            delta=pb.KpiDelta(shortage_staff_hours=d.shortage, coverage_pct=d.coverage_pct,
                              overtime_hours=d.overtime_hours, expected_productivity=d.expected_productivity,
                              assigned_staff=d.assigned_staff, changes_from_current=d.changes,
                              max_person_overtime_hours=d.max_person_overtime, deferred_staff_hours=d.deferred))

    async def UpdateAssignment(self, request: pb.UpdateAssignmentRequest, context):
        row, site, adjustment_id = await self.updater.update(UpdateRequest(
            assignment_id=request.assignment_id, expected_version=request.expected_version, process=request.process,
            time_block=request.time_block, planned_hours=request.planned_hours, status=request.status,
            reason=request.reason, adjusted_by=request.adjusted_by, ai_confidence_score=request.ai_confidence_score))
        return pb.UpdateAssignmentResponse(assignment=assignment_pb(row, site), adjustment_id=adjustment_id)

    async def GetAssignmentHistory(self, request: pb.GetAssignmentHistoryRequest, context):
        if self.history is None:
            raise Unimplemented("配置の変更履歴はこのエンジンでは有効になっていません")
        h = await self.history.history(request.assignment_id)
        return pb.GetAssignmentHistoryResponse(assignment=assignment_pb(h.assignment, h.location),
                                               entries=[history_entry_pb(e) for e in h.entries])
