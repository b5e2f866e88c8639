"""A manager's roster what-if through the gateway (「○○さんが水曜休み希望だったら」): the intent, analytics and
solver engines run in-process on the sample data; the answer names the person, says whether the wish can be
granted, and no roster version is saved. Bad input (an unknown or ambiguous name, a day outside the period)
is a clear Japanese answer, and a stopped solver a degraded one. People and days are picked from the data at
test time (the sample data is generated relative to the load date)."""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import re

import pytest

from aimee.gateway.v1 import gateway_pb2, gateway_pb2_grpc
from aimee.solver.v1 import roster_pb2, solver_pb2_grpc
from services.analytics.config import Settings as AnalyticsSettings
from services.analytics.server import build as build_analytics
from services.common.db import create_pool, fetch_all, fetch_one
from services.common.dates import WEEKDAY_JA
from services.gateway.config import EngineBudgets
from services.gateway.roster_flow import PLAN_SECONDS
from services.intent.config import Settings as IntentSettings
from services.intent.dates import next_week
from services.intent.server import build as build_intent
from services.solver.config import Settings as SolverSettings
from services.solver.server import build as build_solver
from tests.gateway.conftest import dead_address
from tests.support.in_process import engine_channel, serving_at

SITE, SITE_ID = "横浜", 1
VERDICTS = ("この希望は受けられます", "この希望は受けられません")


@pytest.fixture(scope="module")
async def engines(database_url, redis_url):
    prefix = f"aimee-test-whatif-{os.getpid()}"
    builds = {
        "intent": build_intent(IntentSettings()),
        "analytics": build_analytics(dataclasses.replace(
            AnalyticsSettings.from_env(), database_url=database_url, redis_url=redis_url, port=0,
            cache_prefix=prefix, alert_detection_interval_seconds=0)),
        "solver": build_solver(dataclasses.replace(
            SolverSettings.from_env(), database_url=database_url, redis_url=redis_url, port=0, cache_prefix=prefix)),
    }
    async with contextlib.AsyncExitStack() as stack:
        yield {name: await stack.enter_async_context(serving_at(await pending)) for name, pending in builds.items()}


@pytest.fixture
async def pool(database_url):
    p = await create_pool(database_url, maxsize=2)
    yield p
    p.close()
    await p.wait_closed()


@pytest.fixture
async def ask(engines, gateway_settings, start_gateway):
    async def run(query: str, **addresses) -> gateway_pb2.Answer:
        settings = gateway_settings(
            **{f"{name}_addr": addr for name, addr in {**engines, **addresses}.items()}, hybrid_timeout_seconds=30.0,
            budgets=EngineBudgets(intent=10.0, analytics=20.0, solver=25.0, knowledge=1.0, synthesis=1.0))
        channel, _ = await start_gateway(settings)
        return await gateway_pb2_grpc.AiServiceStub(channel).Query(gateway_pb2.QueryRequest(query=query), timeout=60)
    return run


async def _unique_people(pool) -> list[str]:
    """横浜 employees whose full name no other active employee of any site shares or begins."""
    rows = await fetch_all(pool, "SELECT e.employee_name, e.location_id FROM employees e WHERE e.is_active = 1")
    compact = [r["employee_name"].replace(" ", "") for r in rows]
    return [row["employee_name"] for row, name in zip(rows, compact)
            if row["location_id"] == SITE_ID and sum(other.startswith(name) for other in compact) == 1]


async def _unique_person(pool) -> str:
    people = await _unique_people(pool)
    if not people:
        pytest.skip("no uniquely named employee at 横浜 in the sample data")
    return people[0]


async def _call(engines, wishes=(), compare=False) -> roster_pb2.PlanRosterResponse:
    """Next week's 横浜 roster as the gateway's what-if plans it (same inputs, same time limit)."""
    start, _ = next_week(dt.date.today())
    channel = engine_channel(engines["solver"])
    try:
        return await solver_pb2_grpc.SolverServiceStub(channel).PlanRoster(roster_pb2.PlanRosterRequest(
            location=SITE, start_date=start.isoformat(), days=7, time_limit_seconds=PLAN_SECONDS,
            extra_days_off=list(wishes), dry_run=True, compare=compare))
    finally:
        await channel.close()


async def _plan(engines, wishes=()) -> roster_pb2.Roster:
    return (await _call(engines, wishes)).roster


def _changed(a: roster_pb2.Roster, b: roster_pb2.Roster) -> set[tuple[int, int]]:
    cells = {r.employee_id: list(r.shifts) for r in a.rows}
    return {(r.employee_id, k) for r in b.rows for k, code in enumerate(r.shifts) if cells[r.employee_id][k] != code}


async def _working_day(engines, name: str) -> dt.date:
    """A day of next week on which `name` works in the plan without any wish."""
    roster = await _plan(engines)
    row = next(r for r in roster.rows if r.employee_name == name)
    k = next((k for k, code in enumerate(row.shifts) if code), None)
    assert k is not None, f"{name} works no day of next week"
    return dt.date.fromisoformat(roster.start_date) + dt.timedelta(days=k)


async def _versions(pool) -> int:
    return (await fetch_one(pool, "SELECT COUNT(*) AS n FROM roster_versions"))["n"]


async def test_a_wish_is_tried_as_a_small_change_of_a_dry_run_and_nothing_is_saved(engines, ask, pool):
    name = await _unique_person(pool)
    day = await _working_day(engines, name)
    before = await _versions(pool)
    # No site named: the person's own site, since the full name is one person.
    answer = await ask(f"{name}さんが{WEEKDAY_JA[day.weekday()]}曜休み希望だったら")
    text = answer.answer
    assert answer.status == "success", (answer.degraded, text)
    assert "gateway:roster-whatif" in answer.model_chain and "solver:highs-roster" in answer.model_chain
    assert name in text and SITE in text and f"{day.month}/{day.day}" in text, text
    assert any(verdict in text for verdict in VERDICTS), text
    assert "目的関数" in text and "保存していません" in text, text
    assert answer.intent.location == SITE and answer.intent.roster_wish.date == day.isoformat()
    assert await _versions(pool) == before   # dry runs only: no roster version written
    # The verdict is the solver's: the person is off that day in the plan with the wish exactly when granted.
    person = next(r for r in (await _plan(engines)).rows if r.employee_name == name)
    k = (day - next_week(dt.date.today())[0]).days
    res = await _call(engines, [roster_pb2.DayOffWish(employee_id=person.employee_id, date=day.isoformat())],
                      compare=True)
    off = not next(r for r in res.roster.rows if r.employee_id == person.employee_id).shifts[k]
    assert ("この希望は受けられます" in text) == off and ("この希望は受けられません" in text) == (not off), text
    if not off:
        assert "入っています" in text, text   # the shift that keeps the person, and the cover need it serves
    # The wish plan is a small change of the baseline (the bound's derivation: tests/solver/roster/
    # test_roster_rpc.py MAX_OTHER_CHANGES).
    others = _changed(res.baseline, res.roster) - {(person.employee_id, k)}
    assert len(others) <= 4, others


async def test_a_granted_wish_names_only_the_real_cover(engines, ask, pool):
    """A wish the plan grants by a change: the answer counts the cells changed besides the wished one and
    names who covers the day, both the few changes the wish needs (the bound's derivation: tests/solver/
    roster/test_roster_rpc.py MAX_OTHER_CHANGES), where two independent plans differ in tens of cells."""
    start, _ = next_week(dt.date.today())
    rows = {r.employee_name: r for r in (await _plan(engines)).rows}
    text = ""
    for name in [n for n in await _unique_people(pool) if n in rows][:12]:
        for k in [k for k, code in enumerate(rows[name].shifts) if code][:3]:
            day = start + dt.timedelta(days=k)
            text = (await ask(f"来週の{SITE}で{name}さんが{day.month}月{day.day}日に休みたいと言ったらどうなる？")).answer
            if "この希望は受けられます（" in text:
                break
        else:
            continue
        break
    else:
        pytest.fail(f"no wish of a uniquely named 横浜 employee was granted by a change next week: {text}")
    m = re.search(r"ほかに(\d+)マス", text)
    others = int(m.group(1)) if m else 0
    assert m or "この日だけ" in text, text
    assert others <= 4, text
    cover = re.search(r"代わりに(.*)が入ります", text)
    named = {n for n in rows if cover and f"{n}さん（" in cover.group(1)}
    assert len(named) <= max(others, 0), text          # each cover is one of the changed cells
    assert "代わりに" in text or "代わりの人は入りません" in text, text


async def test_a_named_site_and_period(engines, ask, pool):
    name = await _unique_person(pool)
    day = await _working_day(engines, name)
    answer = await ask(f"来週の{SITE}で{name}さんが{day.month}月{day.day}日に休みたいと言ったらどうなる？")
    assert any(verdict in answer.answer for verdict in VERDICTS) and name in answer.answer, answer.answer


async def test_an_unknown_person_is_said_plainly(ask, pool):
    names = [r["employee_name"].replace(" ", "") for r in await fetch_all(pool, "SELECT employee_name FROM employees")]
    unknown = next(c for c in ("鬼瓦", "勘解由小路", "左衛門", "東海林") if not any(n.startswith(c) for n in names))
    answer = await ask(f"来週の{SITE}で{unknown}さんが水曜休み希望だったら")
    assert answer.status == "success" and "見つかりません" in answer.answer and unknown in answer.answer, answer.answer
    assert "solver:highs-roster" not in answer.model_chain


async def test_an_ambiguous_name_is_asked_back_with_the_candidates(ask, pool):
    rows = await fetch_all(pool, "SELECT SUBSTRING_INDEX(employee_name, ' ', 1) AS surname, COUNT(*) AS n, "
                           "GROUP_CONCAT(employee_name) AS names FROM employees WHERE is_active = 1 "
                           "AND employee_name LIKE '% %' GROUP BY surname HAVING n BETWEEN 2 AND 8 ORDER BY n, surname LIMIT 1")
    if not rows:
        pytest.skip("no surname shared by two active employees in the sample data")
    surname, names = rows[0]["surname"], rows[0]["names"].split(",")
    answer = await ask(f"{surname}さんが水曜休み希望だったら")
    assert f"{len(names)}人います" in answer.answer and "どなたですか" in answer.answer, answer.answer
    assert all(n in answer.answer for n in names), answer.answer
    assert "solver:highs-roster" not in answer.model_chain


async def test_a_day_outside_the_period_is_refused_before_planning(ask, pool):
    name = await _unique_person(pool)
    start, _ = next_week(dt.date.today())
    later = start + dt.timedelta(days=20)
    answer = await ask(f"来週の{SITE}で{name}さんが{later.month}月{later.day}日に休み希望だったら")
    assert "期間" in answer.answer and "外です" in answer.answer, answer.answer
    assert "solver:highs-roster" not in answer.model_chain


async def test_a_stopped_solver_gives_a_degraded_answer(ask, pool):
    name = await _unique_person(pool)
    answer = await ask(f"来週の{SITE}で{name}さんが水曜休み希望だったら", solver=dead_address())
    assert answer.status == "partial" and [d.engine for d in answer.degraded] == ["solver"]
    assert "最適化エンジンが応答しなかった" in answer.answer, answer.answer


async def test_a_day_already_past_is_refused_before_planning(ask, pool):
    name = await _unique_person(pool)
    answer = await ask(f"{name}さんが昨日休み希望だったら")
    assert "過ぎた" in answer.answer and "solver:highs-roster" not in answer.model_chain, answer.answer
