"""「来週の横浜のシフトを作って」: a request for a roster over several days goes to the solver's PlanRoster.

Why a path of its own: the daily flow (Recommend) assigns one day's people to processes; a week's shifts are
who works which day, which only the roster model plans. The request is recognised from what the intent
engine already read (a single site, a period of two days or more) plus a roster word in the text; the
roster is saved as a draft version, and the answer says so, with what it cost and which wishes it refused.
Publishing stays an explicit act (REST or the console), never a side effect of a chat message.
"""
from __future__ import annotations

import datetime as dt

from aimee.gateway.v1 import gateway_pb2
from aimee.intent.v1 import intent_pb2
from aimee.solver.v1 import roster_pb2
from services.gateway.answer import CALLER_ERRORS, short_answer
from services.gateway.engines import Budget, Outcome, call_engine
from services.intent.model import SITE_NAMES
from services.intent.whatif import ROSTER_WORDS
MAX_DAYS = 28               # PlanRoster's horizon
PLAN_SECONDS = 5.0          # the model's limit inside the chat budget (a week of one site solves in seconds)


def period_days(intent: intent_pb2.Intent) -> int:
    if not (intent.date_from and intent.date_to):
        return 0
    return (dt.date.fromisoformat(intent.date_to) - dt.date.fromisoformat(intent.date_from)).days + 1


def applies(intent: intent_pb2.Intent, query: str) -> bool:
    """A roster word, one named site and a period of 2-28 days (「来週」「再来週」「12月7日から2週間」), and not a
    question about shifts (「来週シフトに入っている人は何人？」 is the question model's)."""
    return (intent.intent in ("optimize_assignment", "unsupported") and not intent.question.metric
            and intent.location in SITE_NAMES
            and 2 <= period_days(intent) <= MAX_DAYS and bool(ROSTER_WORDS.search(query)))


def _md(day: str) -> str:
    d = dt.date.fromisoformat(day)
    return f"{d.month}/{d.day}"


def summary(roster: roster_pb2.Roster, phrase: str) -> str:
    """The answer's text: what was planned, for whom, what it could not grant, and what publishing takes."""
    end = (dt.date.fromisoformat(roster.start_date) + dt.timedelta(days=roster.days - 1)).isoformat()
    work = sum(1 for row in roster.rows for code in row.shifts if code)
    off = sum(1 for row in roster.rows for code in row.shifts if not code)
    costs = "、".join(f"{c.rule} {c.cost}" for c in roster.costs if c.cost) or "なし"
    text = (f"{phrase or '指定期間'}（{_md(roster.start_date)}〜{_md(end)}）の{roster.location}の勤務表案を作成しました"
            f"（版{roster.version}・下書き、{len(roster.rows)}名）。出勤 {work}人日・休み {off}人日、"
            f"希望や公平性の未達（重み付き）: {costs}。")
    if roster.refused:
        text += f"反映できなかった希望: {' '.join(roster.refused[:3])}"
        text += f"（ほか{len(roster.refused) - 3}件）。" if len(roster.refused) > 3 else ""
    return text + ("公開すると翌日以降の配置がこの勤務表を使います（コンソールまたは "
                   f"POST /api/v1/rosters/{roster.location}/{roster.start_date}/publish、版{roster.version}）。")


async def answer(orchestrator, query: str, intent: intent_pb2.Intent, parser: str, intent_outcome: Outcome,
                 budget: Budget, sink=None) -> gateway_pb2.Answer:
    days = period_days(intent)
    request = roster_pb2.PlanRosterRequest(location=intent.location, start_date=intent.date_from, days=days,
                                           time_limit_seconds=PLAN_SECONDS)
    outcome = await call_engine(
        "solver", lambda t: orchestrator.engines.solver.PlanRoster(request, timeout=t),
        budget.cap(PLAN_SECONDS + 4.0))
    if outcome.ok:
        text = summary(outcome.value.roster, intent.date_phrase)
    elif outcome.code in CALLER_ERRORS:
        text = f"勤務表を作成できませんでした：{outcome.reason.split(': ', 1)[-1]}"
    else:
        text = "最適化エンジンが応答しなかったため、勤務表を作成できませんでした。しばらくしてから再度お試しください。"
    out = short_answer(query=query, intent=intent, parser=parser, outcomes=[intent_outcome, outcome],
                       elapsed_ms=budget.elapsed_ms(), text=text,
                       model_chain=[parser, "solver:highs-roster", "gateway:roster"])
    if sink is not None:
        await sink({"type": "final", "answer": out})
    return out
