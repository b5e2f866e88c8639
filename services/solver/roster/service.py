"""Roster use cases for the solver engine: plan (a draft version), get, publish (optimistic concurrency,
audited, written to shift_plans so the daily assignment reads it) and explain. No gRPC here."""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field

from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.solver.options import check_time_limit
from services.solver.roster.loader import load_problem
from services.solver.roster.planner import RosterInfeasible, plan
from services.solver.roster.repository import RosterRepository
from services.solver.roster.site import RosterProblem, RosterRequest

HARD_RULES = (
    "労働基準法35条: 7日ごとに1日以上の休日（4週4休の拠点は28日で4日）",
    "労働基準法32条: 週40時間・1日8時間（超える分は36協定の範囲の残業）",
    "36協定: 月・年の残業上限（今月・今年の実績を含む）",
    "勤務間インターバル: 前日の終業から次の始業まで拠点設定の時間（既定11時間）",
    "雇用契約: 週の契約日数・1日の契約時間",
    "就業規則: 連続勤務日数の上限",
    "労働基準法39条・承認済み希望休: 有給休暇と承認済みの休みは固定",
)


@dataclass
class RosterView:
    location: str
    start: dt.date
    days: int
    version: int
    status: str
    cells: dict[int, list[str | None]]                  # employee_id -> shift code per day (None: off)
    names: dict[int, str] = field(default_factory=dict)
    shift_names: dict[str, str] = field(default_factory=dict)
    costs: dict[str, int] = field(default_factory=dict)
    objective: float = 0.0
    bound: float = 0.0
    refused: list[str] = field(default_factory=list)
    seconds: float = 0.0


def next_monday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=7 - today.weekday())


class RosterService:
    def __init__(self, repo: RosterRepository, sites, time_limit: float = 10.0, threads: int = 2) -> None:
        self.repo, self.sites = repo, sites
        self.time_limit, self.threads = time_limit, threads

    async def _problem(self, location: str, start: dt.date, days: int) -> tuple[object, RosterProblem]:
        site = await self.sites.get(location)
        problem = await load_problem(self.repo, site.location_id, start, days)
        published = await self.repo.latest(site.location_id, start, "published")
        if published:
            cells = json.loads(published["cells_json"])
            problem.published = {(int(e), start + dt.timedelta(days=k)): code
                                 for e, row in cells.items() for k, code in enumerate(row) if k < days}
        return site, problem

    async def plan(self, location: str, start: dt.date | None, days: int = 7, time_limit: float | None = None,
                   extra_off: list[tuple[int, dt.date]] = (), save: bool = True) -> RosterView:
        """Plan and save a draft. `extra_off` adds 希望休 (the 「佐藤さんが水曜休み希望だったら」 what-if)."""
        site, problem, limit = await self._load(location, start, days, time_limit)
        problem.requests += self._wishes(site, problem, extra_off)
        return await self._view(site, problem, await self._solve(problem, limit), save)

    async def compare(self, location: str, start: dt.date | None, days: int = 7, time_limit: float | None = None,
                      extra_off: list[tuple[int, dt.date]] = ()) -> tuple[RosterView, RosterView]:
        """(baseline, wish plan) of a what-if, neither saved: the problem is loaded once, planned without
        `extra_off`, then with it against the baseline as the reference roster (site.RosterProblem.baseline),
        so the wish plan differs from the baseline only where the wish is worth it, not by an unrelated swap
        between plans of equal cost. Each plan gets half the time limit, so the call as a whole keeps to
        the limit the caller budgeted for one plan; the wish plan starts from the baseline and needs little."""
        site, problem, limit = await self._load(location, start, days, time_limit)
        wishes = self._wishes(site, problem, extra_off)     # checked before the first plan
        half = limit / 2
        base = await self._solve(problem, half)
        wish = dataclasses.replace(problem, requests=[*problem.requests, *wishes], baseline=base.cells)
        return (await self._view(site, problem, base, save=False),
                await self._view(site, wish, await self._solve(wish, half), save=False))

    async def _load(self, location: str, start: dt.date | None, days: int, time_limit: float | None):
        """(site, problem, time limit) of a plan request: the limit checked, the start next Monday by default."""
        check_time_limit(time_limit or 0.0)
        site, problem = await self._problem(location, start or next_monday(dt.date.today()), days)
        return site, problem, time_limit or self.time_limit

    @staticmethod
    def _wishes(site, problem: RosterProblem, extra_off) -> list[RosterRequest]:
        """The what-if's 希望休 as requests; someone not at the site is the caller's mistake."""
        known = {p.employee_id for p in problem.people}
        for emp, _ in extra_off:
            if emp not in known:
                raise InvalidArgument(f"社員 {emp} は{site.name}拠点の在籍者ではありません")
        return [RosterRequest(emp, day, None) for emp, day in extra_off]

    async def _solve(self, problem: RosterProblem, limit: float):
        try:
            return await asyncio.to_thread(plan, problem, limit, self.threads)
        except RosterInfeasible as exc:
            raise FailedPrecondition(str(exc)) from exc

    async def _view(self, site, problem: RosterProblem, result, save: bool) -> RosterView:
        dates = problem.dates()
        cells = {p.employee_id: [result.cells[(p.employee_id, d)] for d in dates] for p in problem.people}
        version = 0
        if save:
            version = await self.repo.save_draft(site.location_id, problem.start, problem.days,
                                                 {str(k): v for k, v in cells.items()},
                                                 {"costs": result.costs, "refused": result.refused},
                                                 result.objective, result.bound)
        return RosterView(site.name, problem.start, problem.days, version, "draft", cells,
                          {p.employee_id: p.name for p in problem.people},
                          {t.code: t.name for t in problem.shift_types}, result.costs, result.objective,
                          result.bound, result.refused, result.seconds)

    async def get(self, location: str, start: dt.date, version: int = 0) -> RosterView:
        if version < 0:
            raise InvalidArgument(f"version は 0（最新）以上の整数で指定してください（現在: {version}）")
        site = await self.sites.get(location)
        row = await (self.repo.version(site.location_id, start, version) if version
                     else self.repo.latest(site.location_id, start))
        if row is None:
            raise NotFound(f"{site.name}拠点の{start}からの勤務表はありません。先に作成してください")
        staff = {int(r["employee_id"]): r["employee_name"] for r in await self.repo.staff(site.location_id)}
        types = {r["shift_code"]: r["shift_name"] for r in await self.repo.shift_types(site.location_id)}
        cells = {int(k): v for k, v in json.loads(row["cells_json"]).items()}
        extra = json.loads(row["costs_json"])
        return RosterView(site.name, start, int(row["period_days"]), int(row["version"]), row["status"], cells,
                          staff, types, extra.get("costs", {}), float(row["objective"]), float(row["bound"]),
                          extra.get("refused", []))

    async def publish(self, location: str, start: dt.date, version: int, actor: str) -> tuple[RosterView, int]:
        if version <= 0:
            raise InvalidArgument("公開する勤務表の version を指定してください")
        view = await self.get(location, start, version)
        site = await self.sites.get(location)
        times = {r["shift_code"]: (r["start_time"], r["end_time"]) for r in await self.repo.shift_types(site.location_id)}
        end = start + dt.timedelta(days=view.days - 1)
        leave = {(int(r["employee_id"]), r["shift_date"]) for r in await self.repo.leave(site.location_id, start, end)}
        previous = await self.repo.latest(site.location_id, start, "published")
        before = {int(k): v for k, v in json.loads(previous["cells_json"]).items()} if previous else {}
        rows, changed = [], 0
        for emp, row in view.cells.items():
            for k, code in enumerate(row):
                day = start + dt.timedelta(days=k)
                if before and before.get(emp, [None] * view.days)[k] != code:
                    changed += 1
                if code is None:
                    status = "paid_leave" if (emp, day) in leave else "day_off"
                    rows.append((emp, site.location_id, day, status, "09:00:00", "18:00:00"))
                else:
                    s, e = times[code]
                    rows.append((emp, site.location_id, day, "scheduled", s, e))
        if not before:
            changed = sum(1 for row in view.cells.values() for c in row if c is not None)
        audit_id = await self.repo.publish(site.location_id, start, version, actor or "manager", rows, changed)
        view.status = "published"
        return view, audit_id

    async def explain(self, location: str, start: dt.date, version: int = 0) -> tuple[RosterView, list[str]]:
        view = await self.get(location, start, version)
        lines = [f"{rule}" for rule in HARD_RULES]
        lines += [f"{name}: コスト {cost}" for name, cost in sorted(view.costs.items(), key=lambda kv: -kv[1])]
        lines += view.refused
        return view, lines
