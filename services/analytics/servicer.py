"""AnalyticsService transport: proto request → domain call → proto response. No logic lives here.

Domain functions return plain dicts keyed by the proto field names; messages.to_message (strict: an unknown
key is a bug and fails loudly in tests) turns them into messages. Domain errors are mapped by the shared
interceptor.
"""
from __future__ import annotations

from aimee.analytics.v1 import analytics_pb2 as pb
from aimee.analytics.v1 import analytics_pb2_grpc as pb_grpc

from services.analytics import alert_stats, alerts, attendance, employees, forecast, overview, productivity
from services.analytics.deps import Deps
from services.analytics.messages import to_message
from services.analytics.detection import runner
from services.analytics.question.service import answer_question
from services.analytics.question.spec import QuestionSpec


class AnalyticsServicer(pb_grpc.AnalyticsServiceServicer):
    def __init__(self, deps: Deps):
        self._deps = deps

    async def GetSiteOverview(self, request: pb.GetSiteOverviewRequest, context) -> pb.GetSiteOverviewResponse:
        data = await overview.site_overview(self._deps, request.location, request.date)
        return pb.GetSiteOverviewResponse(overview=to_message(pb.SiteOverview(), data))

    async def GetProductivityTrend(self, request: pb.GetProductivityTrendRequest, context) -> pb.GetProductivityTrendResponse:
        data = await productivity.productivity_trend(
            self._deps, request.location, request.date_from, request.date_to, request.granularity,
            request.process, request.employee_id, request.group_by)
        return to_message(pb.GetProductivityTrendResponse(), data)

    async def GetAttendancePattern(self, request: pb.GetAttendancePatternRequest, context) -> pb.GetAttendancePatternResponse:
        data = await attendance.attendance_pattern(self._deps, request.location, request.date_from, request.date_to)
        return to_message(pb.GetAttendancePatternResponse(), data)

    async def GetAlertStats(self, request: pb.GetAlertStatsRequest, context) -> pb.GetAlertStatsResponse:
        data = await alert_stats.alert_stats(self._deps, request.location, request.date_from, request.date_to,
                                             request.period)
        return to_message(pb.GetAlertStatsResponse(), data)

    async def ForecastWorkload(self, request: pb.ForecastWorkloadRequest, context) -> pb.ForecastWorkloadResponse:
        data = await forecast.forecast_workload(self._deps, request.location, request.days, request.process,
                                                request.start_date)
        return to_message(pb.ForecastWorkloadResponse(), data)

    async def GetEmployeeStats(self, request: pb.GetEmployeeStatsRequest, context) -> pb.GetEmployeeStatsResponse:
        data = await employees.employee_stats(self._deps, request.location, request.employee_id, request.date_from,
                                              request.date_to)
        return to_message(pb.GetEmployeeStatsResponse(), data)

    async def DetectAlerts(self, request: pb.DetectAlertsRequest, context) -> pb.DetectAlertsResponse:
        data = await runner.detect_alerts(self._deps, request.location, request.date, request.date_from)
        return to_message(pb.DetectAlertsResponse(), data)

    async def ListAlerts(self, request: pb.ListAlertsRequest, context) -> pb.ListAlertsResponse:
        data = await alerts.list_alerts(self._deps, request.location, request.alert_type, request.severity,
                                        request.status, request.date_from, request.date_to, request.page_size,
                                        request.page_token)
        return to_message(pb.ListAlertsResponse(), data)

    async def GetAlert(self, request: pb.GetAlertRequest, context) -> pb.GetAlertResponse:
        data = await alerts.get_alert(self._deps, request.alert_id)
        return to_message(pb.GetAlertResponse(), data)

    async def AnswerQuestion(self, request: pb.AnswerQuestionRequest, context) -> pb.AnswerQuestionResponse:
        data = await answer_question(self._deps, question_from_proto(request.question), request.reference_date)
        return to_message(pb.AnswerQuestionResponse(), data)


def question_from_proto(message) -> QuestionSpec:
    """aimee.intent.v1.Question → the engine's spec (the field names are the same)."""
    fields = {name: getattr(message, name) for name in message.DESCRIPTOR.fields_by_name}
    fields["sites"] = tuple(message.sites)
    return QuestionSpec(**fields)
