"""「佐藤さんが水曜休み希望だったら」: a roster what-if, answered by one PlanRoster call with `compare`.

Why a fresh baseline and not the saved draft: a draft may be older than today's data (leave, staff), and a
difference between plans of different inputs would be read as the wish's effect. Why `compare` and not two
independent plans: two plans of equal cost differ in unrelated cells (tens of them on a week), so "who
covers the day instead" would list people who merely swapped. With `compare` the engine plans without the
wish, then with it against that plan as the reference roster, so what changes is what the wish needs.
`dry_run` as well (compare never saves anyway): a what-if never writes a roster version.

The intent engine reads who, which day and the period (intent.roster_wish, date_from..date_to) and the
site when one is named or the conversation has one; without a site the person's own site is used when the
name is one person, and several matches are asked back, never guessed.
"""
from __future__ import annotations

import asyncio
import datetime as dt

from aimee.analytics.v1 import analytics_pb2
from aimee.gateway.v1 import gateway_pb2
from aimee.intent.v1 import intent_pb2
from aimee.solver.v1 import roster_pb2
from services.common.dates import WEEKDAY_JA
from services.gateway.answer import CALLER_ERRORS, short_answer
from services.gateway.engines import Budget, Outcome, call_engine
from services.gateway.question_flow import match_staff
from services.gateway.roster_flow import MAX_DAYS, PLAN_SECONDS, period_days
from services.intent.model import SITE_NAMES

SOLVER_DOWN = "最適化エンジンが応答しなかったため、希望休の影響を試算できませんでした。しばらくしてから再度お試しください。"
DRY_RUN_NOTE = "これは試算です（ドライラン）。勤務表は保存していません。"


def applies(intent: intent_pb2.Intent) -> bool:
    return bool(intent.roster_wish.employee_name)


def _md(day: dt.date) -> str:
    return f"{day.month}/{day.day}（{WEEKDAY_JA[day.weekday()]}）"


def check_period(intent: intent_pb2.Intent) -> str:
    """'' when the wish's day lies in a roster period PlanRoster plans; else what to say instead."""
    days = period_days(intent)
    if not 1 <= days <= MAX_DAYS:
        return (f"勤務表の試算は{MAX_DAYS}日以内の期間で指定してください（「来週」「12月7日からの週」など）。"
                f"指定された期間: {intent.date_phrase or '不明'}（{days}日）。")
    start, end = dt.date.fromisoformat(intent.date_from), dt.date.fromisoformat(intent.date_to)
    day = dt.date.fromisoformat(intent.roster_wish.date)
    if day <= dt.date.today():
        return (f"{intent.roster_wish.day_phrase or day.isoformat()}（{day.month}/{day.day}）はもう過ぎたか今日の日付のため、"
                "休み希望の試算はできません。明日以降の日を指定してください（「来週の水曜」など）。")
    if not start <= day <= end:
        return (f"{intent.roster_wish.day_phrase or day.isoformat()}（{day.month}/{day.day}）は試算する勤務表の期間"
                f"（{intent.date_phrase} {_md(start)}〜{_md(end)}）の外です。期間内の日を指定するか、"
                f"その日を含む期間（「{day.month}月{day.day}日の週」など）を指定してください。")
    return ""


async def find_person(orchestrator, intent: intent_pb2.Intent, budget: Budget
                      ) -> tuple[str, int, str, Outcome | None]:
    """(site, employee id, employee name, failed outcome) or ('', 0, ask-back text, failed outcome).

    The name is matched by the same rule as the daily what-if's absentees (question_flow.match_staff), at the
    site of the intent, else at every site."""
    name = intent.roster_wish.employee_name
    sites = [intent.location] if intent.location in SITE_NAMES else list(SITE_NAMES)
    outcomes = await asyncio.gather(*(call_engine(
        "analytics", lambda t, site=site: orchestrator.engines.analytics.GetEmployeeStats(
            analytics_pb2.GetEmployeeStatsRequest(location=site), timeout=t),
        budget.cap(orchestrator.settings.budgets.analytics)) for site in sites))
    failed = next((o for o in outcomes if not o.ok), None)
    if failed is not None:
        return "", 0, f"従業員を確認できなかったため、希望休の影響を試算できませんでした（{failed.reason}）。", failed
    found = [(site, e) for site, o in zip(sites, outcomes) for e in match_staff(name, o.value.employees)]
    where = f"{intent.location}に" if len(sites) == 1 else "どの拠点にも"
    if not found:
        return "", 0, (f"{where}「{name}」さんという在籍者は見つかりません。"
                       "名前（フルネーム）と拠点を確認してください。"), None
    if len(found) > 1:
        listed = "、".join(f"{e.employee_name}さん（{site}）" for site, e in found[:8])
        more = f"ほか{len(found) - 8}人" if len(found) > 8 else ""
        return "", 0, (f"「{name}」さんに当たる人が{len(found)}人います（{listed}{more}）。"
                       "どなたですか？フルネームと拠点で指定してください（例:「横浜の" + found[0][1].employee_name
                       + "さんが…」）。"), None
    site, person = found[0]
    return site, person.employee_id, person.employee_name, None


def _cells(roster: roster_pb2.Roster) -> dict[int, list[str]]:
    return {row.employee_id: list(row.shifts) for row in roster.rows}


def summary(base: roster_pb2.Roster, wish: roster_pb2.Roster, employee_id: int, person: str,
            day: dt.date) -> str:
    """Granted or refused (and why), who covers the day, how each soft cost and the objective move."""
    start = dt.date.fromisoformat(base.start_date)
    end = start + dt.timedelta(days=base.days - 1)
    k = (day - start).days
    names = {t.code: t.name for t in wish.shift_types}
    people = {row.employee_id: row.employee_name for row in wish.rows}
    before, after = _cells(base), _cells(wish)
    was, now = before[employee_id][k], after[employee_id][k]
    head = f"{wish.location}の{_md(start)}〜{_md(end)}の勤務表で、{person}さんが{_md(day)}に休み希望を出した場合の試算です。"
    if not was:
        return (head + f"この希望は受けられます：希望がなくても{person}さんはこの日は休みの計画で、その日の体制は"
                f"変わりません（目的関数 {base.objective:.0f}→{wish.objective:.0f}）。" + DRY_RUN_NOTE)
    if now:
        why = next((line.split(": ", 1)[-1] for line in wish.refused
                    if line.startswith(f"{person}さん {day:%m/%d}")), f"{names.get(now, now)}に入っています")
        text = head + f"この希望は受けられません：{why}。"
    else:
        text = head + f"この希望は受けられます（{names.get(was, was)}→休み）。"
        cover = [f"{people[e]}さん（{names.get(before[e][k], '休み') if before[e][k] else '休み'}→{names.get(row[k], row[k])}）"
                 for e, row in after.items() if e != employee_id and row[k] == was and before[e][k] != was]
        shift = names.get(was, was)
        staffed = (sum(1 for row in before.values() if row[k] == was), sum(1 for row in after.values() if row[k] == was))
        text += (f"{_md(day)}の{shift}は代わりに{'、'.join(cover)}が入ります" if cover else
                 f"{_md(day)}の{shift}に代わりの人は入りません")
        text += f"（{shift}の人数 {staffed[0]}人→{staffed[1]}人）。"
        others = sum(1 for e, row in after.items() for j, code in enumerate(row)
                     if (e, j) != (employee_id, k) and before[e][j] != code)
        # With a short-staffed site the person's day often moves rather than disappears: say where to.
        moved = [f"{_md(start + dt.timedelta(days=j))} {names.get(b, b) if b else '休み'}→{names.get(a, a) if a else '休み'}"
                 for j, (b, a) in enumerate(zip(before[employee_id], after[employee_id])) if j != k and b != a]
        text += f"{person}さん自身の勤務も動きます：{'、'.join(moved)}。" if moved else ""
        text += (f"希望なしの計画との違いは、{person}さんのこの日のほかに{others}マスです。" if others else
                 f"希望なしの計画との違いは{person}さんのこの日だけです。")
    base_costs = {c.rule: c.cost for c in base.costs}
    wish_costs = {c.rule: c.cost for c in wish.costs}
    deltas = [f"{rule} {base_costs.get(rule, 0)}→{wish_costs.get(rule, 0)}（{wish_costs.get(rule, 0) - base_costs.get(rule, 0):+d}）"
              for rule in dict.fromkeys([*base_costs, *wish_costs])
              if wish_costs.get(rule, 0) != base_costs.get(rule, 0)]
    text += (f"希望なしの計画と比べたコスト（重み付き）: {'、'.join(deltas) if deltas else '変化なし'}、"
             f"目的関数 {base.objective:.0f}→{wish.objective:.0f}（{round(wish.objective - base.objective):+d}）。")
    return text + DRY_RUN_NOTE


async def answer(orchestrator, query: str, intent: intent_pb2.Intent, parser: str, intent_outcome: Outcome,
                 budget: Budget, sink=None) -> gateway_pb2.Answer:
    outcomes = [intent_outcome]
    chain = [parser, "gateway:roster-whatif"]
    text = check_period(intent)
    if not text:
        site, employee_id, found, failed = await find_person(orchestrator, intent, budget)
        outcomes += [failed] if failed is not None else []
        text = found if not employee_id else await _plans(orchestrator, intent, site, employee_id, found, budget,
                                                          outcomes)
        if employee_id:
            intent.location = site
            intent.locations[:] = [site]
            chain[1:1] = ["analytics:mysql", "solver:highs-roster"]
    out = short_answer(query=query, intent=intent, parser=parser, outcomes=outcomes,
                       elapsed_ms=budget.elapsed_ms(), text=text, model_chain=chain)
    if sink is not None:
        await sink({"type": "final", "answer": out})
    return out


async def _plans(orchestrator, intent: intent_pb2.Intent, site: str, employee_id: int, person: str,
                 budget: Budget, outcomes: list[Outcome]) -> str:
    """The baseline and the wish plan in one call (each plan half of PLAN_SECONDS); the answer text, or why
    there is none."""
    day = dt.date.fromisoformat(intent.roster_wish.date)
    request = roster_pb2.PlanRosterRequest(
        location=site, start_date=intent.date_from, days=period_days(intent), time_limit_seconds=PLAN_SECONDS,
        extra_days_off=[roster_pb2.DayOffWish(employee_id=employee_id, date=day.isoformat())], dry_run=True,
        compare=True)
    out = await call_engine("solver", lambda t: orchestrator.engines.solver.PlanRoster(request, timeout=t),
                            budget.cap(PLAN_SECONDS + 4.0))
    outcomes.append(out)
    if out.ok:
        return summary(out.value.baseline, out.value.roster, employee_id, person, day)
    if out.code in CALLER_ERRORS:
        # A wish is soft, so the hard rules that leave no roster leave none without it either: the site's
        # rules or pins conflict this period, whoever wishes what (FAILED_PRECONDITION names them).
        return f"{person}さんの希望休を試算できませんでした：{out.reason.split(': ', 1)[-1]}"
    return SOLVER_DOWN
