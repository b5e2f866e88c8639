"""Typed questions on the short path: the intent's `question` → analytics.AnswerQuestion → one Answer.

The analytics engine words the result (its first sentence states what was understood and the value);
this module only routes, asks back for a missing site (never a silent default site), and fills the
additive `interpretation` and `result` fields of the public Answer.
"""
from __future__ import annotations

import datetime as dt

from aimee.analytics.v1 import analytics_pb2
from aimee.gateway.v1 import gateway_pb2
from aimee.intent.v1 import intent_pb2
from services.common import request_id
from services.gateway.engines import Budget, Outcome, call_engine

SITE_CHOICES = ("横浜", "品川", "札幌", "大阪", "佐世保")
# What a site-less question can still be about without asking back (they are counted over every site).
ALL_SITE_METRICS = frozenset({"alert_count"})


def applies(intent: intent_pb2.Intent) -> bool:
    return bool(intent.question.metric)


def _ask_site(question: intent_pb2.Question) -> str:
    return (f"どの拠点についてですか？{'・'.join(SITE_CHOICES)}のいずれかを指定してください"
            f"（全拠点をまとめる場合は「全拠点の…」と聞いてください）。")


async def answer(orchestrator, query: str, intent: intent_pb2.Intent, parser: str, intent_outcome: Outcome,
                 budget: Budget, sink=None) -> gateway_pb2.Answer:
    question = intent.question
    outcomes = [intent_outcome]
    result = None
    if not question.sites and not question.all_sites and question.metric not in ALL_SITE_METRICS:
        text, status = _ask_site(question), "success"
    else:
        request = analytics_pb2.AnswerQuestionRequest(question=question, reference_date=dt.date.today().isoformat())
        namespace = f"analytics:{question.sites[0] if len(question.sites) == 1 else 'all'}"
        outcome = await call_engine(
            "analytics", lambda t, md: orchestrator.engines.analytics.AnswerQuestion(request, timeout=t, metadata=md),
            budget.cap(orchestrator.settings.budgets.analytics), cache=orchestrator.cache,
            cache_key=(namespace, ("question", request.SerializeToString(), request.reference_date)),
            parse=analytics_pb2.AnswerQuestionResponse.FromString)
        outcomes.append(outcome)
        if outcome.ok:
            result = outcome.value
            text, status = result.answer, "success"
        elif outcome.code in ("INVALID_ARGUMENT", "NOT_FOUND", "FAILED_PRECONDITION"):
            text, status = f"この質問にはお答えできません：{outcome.reason.split(': ', 1)[-1]}", "success"
        else:
            text, status = ("集計エンジンが応答しなかったため、数値をお答えできません。"
                            "しばらくしてから再度お試しください。"), "partial"
    elapsed = budget.elapsed_ms()
    reply = gateway_pb2.Answer(
        status=status, processing_time=f"{elapsed / 1000:.1f}秒", processing_time_ms=round(elapsed, 1),
        model_chain=[parser, *(["analytics:mysql"] if result is not None else []), "gateway:question"],
        request=query, intent_parser=parser, request_id=request_id.current(), answer=text)
    reply.intent.CopyFrom(intent)
    if result is not None:
        reply.interpretation.question.CopyFrom(result.question)
        reply.interpretation.sentence = result.interpretation
        reply.interpretation.definitions.extend(result.definitions)
        reply.result.CopyFrom(result.result)
        reply.narrative = text + "（定義: " + " ".join(result.definitions) + "）"
    else:
        reply.interpretation.question.CopyFrom(question)
        reply.narrative = text
    for o in outcomes:
        reply.timings.append(gateway_pb2.StageTiming(stage=o.engine, elapsed_ms=round(o.elapsed_ms, 1),
                                                     status=o.status))
        if not o.ok and o.code not in ("INVALID_ARGUMENT", "NOT_FOUND", "FAILED_PRECONDITION"):
            reply.degraded.add(engine=o.engine, reason=o.reason, elapsed_ms=round(o.elapsed_ms, 1))
    if sink is not None:
        await sink({"type": "final", "answer": reply})
    return reply
