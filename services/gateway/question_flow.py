"""Typed questions on the short path: the intent's `question` → analytics.AnswerQuestion → one Answer.

The analytics engine words the result (its first sentence states what was understood and the value);
this module only routes, asks back for a missing site (never a silent default site), answers requests
outside the question model honestly with close questions it can answer, resolves what-if absentees by
name, and fills the additive `interpretation` and `result` fields of the public Answer.
"""
from __future__ import annotations

import datetime as dt

from aimee.analytics.v1 import analytics_pb2
from aimee.gateway.v1 import gateway_pb2
from aimee.intent.v1 import intent_pb2
from services.common import cache_names
from services.gateway.answer import CALLER_ERRORS, short_answer
from services.intent.model import SITE_NAMES
from services.gateway.engines import Budget, Outcome, call_engine

SITE_CHOICES = SITE_NAMES
# Metrics a site-less question may mean over every site without asking back.
ALL_SITE_METRICS = frozenset({"alert_count"})
OUT_OF_MODEL = "out_of_model"   # the intent engine's marker: a question the data cannot answer


def _seed_summary(question: intent_pb2.Question) -> bool:
    """「現在のアラート件数は？」 with no filter at all is the seed's own example: its flow (overview with the
    alert summary in supporting_data) answers it as before."""
    return question.metric == "alert_count" and not (question.sites or question.alert_type or question.alert_severity
                                                     or question.alert_status or question.date_from)


def applies(intent: intent_pb2.Intent) -> bool:
    """A typed question, or a workplace request outside the model (answered with suggestions)."""
    if intent.question.metric:
        return not _seed_summary(intent.question)
    return intent.intent == "unsupported" and intent.location not in ("", "unclear")


def _site(intent: intent_pb2.Intent) -> str:
    return intent.location if intent.location in SITE_CHOICES else "横浜"


def suggestions(intent: intent_pb2.Intent) -> list[str]:
    site = _site(intent)
    return [f"{site}で先月一番残業した人は？", f"{site}の新人は誰？", f"明日の{site}の配置を見せて"]


def out_of_model(intent: intent_pb2.Intent) -> str:
    asks = "」「".join(suggestions(intent))
    return (f"この質問は今のAIMEEが扱えるデータ（人数・スキル・勤怠・残業・生産性・処理数・業務量予測・配置・シフト・"
            f"アラート）の範囲外のため、お答えできません。近い質問なら答えられます：「{asks}」")


def _ask_site() -> str:
    return (f"どの拠点についてですか？{'・'.join(SITE_CHOICES)}のいずれかを指定してください"
            "（全拠点をまとめる場合は「全拠点の…」と聞いてください）。")


async def answer(orchestrator, query: str, intent: intent_pb2.Intent, parser: str, intent_outcome: Outcome,
                 budget: Budget, sink=None) -> gateway_pb2.Answer:
    question = intent.question
    if question.metric in ("", OUT_OF_MODEL):
        return await reply(orchestrator, query, intent, parser, [intent_outcome], budget, out_of_model(intent), sink)
    if not question.sites and not question.all_sites and question.metric not in ALL_SITE_METRICS:
        return await reply(orchestrator, query, intent, parser, [intent_outcome], budget, _ask_site(), sink)
    request = analytics_pb2.AnswerQuestionRequest(question=question, reference_date=dt.date.today().isoformat())
    namespace = cache_names.analytics(question.sites[0] if len(question.sites) == 1 else "")
    outcome = await call_engine(
        "analytics", lambda t: orchestrator.engines.analytics.AnswerQuestion(request, timeout=t),
        budget.cap(orchestrator.settings.budgets.analytics), cache=orchestrator.cache,
        cache_key=(namespace, ("question", request.SerializeToString(), request.reference_date)),
        parse=analytics_pb2.AnswerQuestionResponse.FromString)
    outcomes = [intent_outcome, outcome]
    if outcome.ok:
        return await reply(orchestrator, query, intent, parser, outcomes, budget, outcome.value.answer, sink,
                           outcome.value)
    if outcome.code in CALLER_ERRORS:
        text = f"この質問にはお答えできません：{outcome.reason.split(': ', 1)[-1]}"
    else:
        text = "集計エンジンが応答しなかったため、数値をお答えできません。しばらくしてから再度お試しください。"
    return await reply(orchestrator, query, intent, parser, outcomes, budget, text, sink)


async def reply(orchestrator, query: str, intent: intent_pb2.Intent, parser: str, outcomes: list[Outcome],
                budget: Budget, text: str, sink=None, result: analytics_pb2.AnswerQuestionResponse | None = None
                ) -> gateway_pb2.Answer:
    out = short_answer(query=query, intent=intent, parser=parser, outcomes=outcomes, elapsed_ms=budget.elapsed_ms(),
                       text=text, model_chain=[parser, *(["analytics:mysql"] if result is not None else []),
                                               "gateway:question"])
    if result is not None:
        out.interpretation.question.CopyFrom(result.question)
        out.interpretation.sentence = result.interpretation
        out.interpretation.definitions.extend(result.definitions)
        out.result.CopyFrom(result.result)
        out.narrative = f"{text}（定義: {' '.join(result.definitions)}）"
    elif intent.question.metric and intent.question.metric != OUT_OF_MODEL:
        out.interpretation.question.CopyFrom(intent.question)
    if sink is not None:
        await sink({"type": "final", "answer": out})
    return out


def match_staff(name: str, staff) -> list:
    """The staff (anything with employee_name) a name said in chat means: the exact name (spaces ignored),
    else every name it begins (a surname)."""
    compact = name.replace(" ", "")
    exact = [e for e in staff if e.employee_name.replace(" ", "") == compact]
    return exact or [e for e in staff if e.employee_name.replace(" ", "").startswith(compact)]


async def resolve_absent(orchestrator, intent: intent_pb2.Intent, budget: Budget) -> str:
    """Fill intent.absent_employee_ids from the names said (「田中さんが休んだら」) at the intent's site.

    Returns "" when every name is one person; otherwise the ask-back text (no one / several match), so a
    what-if never runs as 「条件変更なし」 while it named a change."""
    outcome = await call_engine(
        "analytics", lambda t: orchestrator.engines.analytics.GetEmployeeStats(
            analytics_pb2.GetEmployeeStatsRequest(location=intent.location), timeout=t),
        budget.cap(orchestrator.settings.budgets.analytics))
    if not outcome.ok:
        return f"{intent.location}の従業員を確認できなかったため、シミュレーションできません（{outcome.reason}）。"
    ids = []
    for name in intent.absent_employee_names:
        found = match_staff(name, outcome.value.employees)
        if not found:
            return f"{intent.location}に「{name}」さんという在籍者は見つかりません。フルネームで指定してください。"
        if len(found) > 1:
            listed = "、".join(e.employee_name for e in found)
            return f"{intent.location}の「{name}」さんは{len(found)}人います（{listed}）。どなたですか？フルネームで指定してください。"
        ids.append(found[0].employee_id)
    intent.absent_employee_ids.extend(ids)
    return ""
