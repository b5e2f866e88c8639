"""Assembles the public `Answer` (the seed's レスポンス例 shape) from the engine outcomes and synthesis.

Headline numbers in supporting_data are copied from the engine outputs, which ride along in full
(`engine_data`) so every number in the answer can be traced to the engine that produced it.
"""
from __future__ import annotations

from aimee.gateway.v1 import gateway_pb2
from aimee.synthesis.v1 import synthesis_pb2
from services.common import request_id
from services.gateway.engines import Outcome

ENGINE_LABELS = {
    "analytics": "analytics:mysql",
    "solver": "solver:highs",
    "knowledge": "knowledge:chroma",
}


def _model_chain(parser: str, outcomes: list[Outcome], composed) -> list[str]:
    chain = [parser]
    seen = set()
    for outcome in outcomes:
        label = ENGINE_LABELS.get(outcome.engine)
        if label and outcome.ok and label not in seen:
            seen.add(label)
            chain.append(label)
    if composed is not None:
        chain.extend(composed.model_chain)
    else:
        chain.append("gateway:data-only")
    return chain


def _supporting(data: synthesis_pb2.EngineData, composed) -> gateway_pb2.SupportingData:
    supporting = gateway_pb2.SupportingData()
    supporting.engine_data.CopyFrom(data)
    if data.HasField("overview"):
        o = data.overview
        supporting.mysql_analysis.CopyFrom(gateway_pb2.MysqlAnalysis(
            alert_count=o.alert_count, productivity_avg=o.productivity_avg, attendance_rate=o.attendance_rate,
            overtime_hours_avg=o.overtime_hours_avg, worst_absence_weekday=o.worst_absence_weekday,
            active_staff=o.active_staff, new_staff=o.new_staff))
    plan = data.plan if data.HasField("plan") else (data.simulation.scenario if data.HasField("simulation") else None)
    if plan is not None:
        p = plan
        supporting.constraint_check.CopyFrom(gateway_pb2.ConstraintCheck(
            available_staff=p.kpis.available_staff, optimization_feasible=p.optimization_feasible,
            constraint_violations=list(p.constraint_violations), shortage_staff_hours=p.kpis.shortage_staff_hours,
            coverage_pct=p.kpis.coverage_pct, solver_status=p.solver.status, date=p.date))
    # Only the chunks the answer actually cites; without synthesis, none is claimed as applied.
    used = set(composed.knowledge_used) if composed is not None else set()
    for hit in data.knowledge.hits:
        if hit.chunk_id not in used:
            continue
        supporting.knowledge_applied.append(gateway_pb2.KnowledgeApplied(
            doc_id=hit.doc_id, chunk_id=hit.chunk_id, title=hit.title, text=hit.text, score=hit.score))
    return supporting


def present_every_message(message) -> None:
    """Mark every singular message field present, so the JSON keeps the same keys when a part is missing.

    proto3 JSON (Envoy's transcoder) omits unset message fields even with always_print_primitive_fields;
    clients of a degraded answer must still find `improvement_plan`, `next_monitoring` ... (empty).
    """
    for field in message.DESCRIPTOR.fields:
        if (field.message_type is not None and not field.is_repeated
                and field.containing_oneof is None):
            getattr(message, field.name).SetInParent()


def _data_only_answer(outcomes: list[Outcome]) -> str:
    missing = "、".join(sorted({o.engine for o in outcomes if not o.ok}))
    return (f"回答文を生成できませんでした（停止・遅延: {missing}）。"
            "取得できた数値データを supporting_data に示します。")


def build_answer(*, query: str, intent, parser: str, data: synthesis_pb2.EngineData, outcomes: list[Outcome],
                 composed, elapsed_ms: float, notes: list[str]) -> gateway_pb2.Answer:
    degraded = [o for o in outcomes if not o.ok]
    answer = gateway_pb2.Answer(
        status="partial" if degraded else "success",
        processing_time=f"{elapsed_ms / 1000:.1f}秒",
        processing_time_ms=round(elapsed_ms, 1),
        model_chain=_model_chain(parser, outcomes, composed),
        request=query,
        intent_parser=parser,
        request_id=request_id.current(),
    )
    answer.intent.CopyFrom(intent)
    answer.supporting_data.CopyFrom(_supporting(data, composed))
    prefix = "".join(notes)
    if composed is not None:
        answer.answer = prefix + composed.answer
        answer.narrative = prefix + composed.narrative
        answer.improvement_plan.CopyFrom(composed.improvement_plan)
        answer.next_monitoring.CopyFrom(composed.next_monitoring)
        answer.grounding.CopyFrom(composed.grounding)
    else:
        answer.answer = prefix + _data_only_answer(outcomes)
        answer.narrative = answer.answer
    for o in degraded:
        answer.degraded.append(synthesis_pb2.DegradedPart(engine=o.engine, reason=o.reason,
                                                          elapsed_ms=round(o.elapsed_ms, 1)))
    for o in outcomes:
        answer.timings.append(gateway_pb2.StageTiming(stage=o.engine, elapsed_ms=round(o.elapsed_ms, 1),
                                                      status=o.status))
    # Top level only: an empty mysql_analysis would read as real zeros, while an empty plan reads as none.
    present_every_message(answer)
    return answer


# An engine refusing the caller's request (a bad or unknown value) is an answer, not a degraded part.
CALLER_ERRORS = ("INVALID_ARGUMENT", "NOT_FOUND", "FAILED_PRECONDITION")


def short_answer(*, query: str, intent, parser: str, outcomes: list[Outcome], elapsed_ms: float, text: str,
                 model_chain: list[str]) -> gateway_pb2.Answer:
    """The Answer of a short path (a typed question, a roster request): the text as answer and narrative,
    each engine's timing, the failed ones as degraded parts, and every JSON key present."""
    degraded = [o for o in outcomes if not o.ok and o.code not in CALLER_ERRORS]
    out = gateway_pb2.Answer(
        status="partial" if degraded else "success", processing_time=f"{elapsed_ms / 1000:.1f}秒",
        processing_time_ms=round(elapsed_ms, 1), model_chain=model_chain, request=query, intent_parser=parser,
        request_id=request_id.current(), answer=text, narrative=text)
    out.intent.CopyFrom(intent)
    for o in outcomes:
        out.timings.append(gateway_pb2.StageTiming(stage=o.engine, elapsed_ms=round(o.elapsed_ms, 1), status=o.status))
    for o in degraded:
        out.degraded.add(engine=o.engine, reason=o.reason, elapsed_ms=round(o.elapsed_ms, 1))
    present_every_message(out)
    return out
