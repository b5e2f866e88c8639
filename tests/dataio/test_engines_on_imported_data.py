"""Done-when of issue 14: analytics and the solver answer from a database filled only by the importer."""
from __future__ import annotations

import datetime as dt

from services.analytics.cached import ResultCache
from services.analytics.deps import Deps
from services.analytics.overview import site_overview
from services.common.db import create_pool, with_database
from services.common.sites import SiteDirectory
from services.solver.config import Settings as SolverSettings
from services.solver.options import PlanOptions
from services.solver.planner import Planner
from services.solver.repository import SolverRepository
from tests.conftest import TEST_DATABASE_URL


async def test_analytics_and_solver_work_on_imported_data(imported_db):
    pool = await create_pool(with_database(TEST_DATABASE_URL, imported_db), maxsize=3)
    try:
        overview = await site_overview(Deps.create(pool, ResultCache(None)), "横浜")
        assert overview["location"] == "横浜" and overview["productivity_records"] > 0
        assert overview["attendance_records"] > 0 and overview["active_staff"] > 0
        planner = Planner(SolverRepository(pool), SiteDirectory(pool), SolverSettings.from_env())
        tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
        plan = await planner.recommend("横浜", tomorrow, PlanOptions(time_limit_seconds=10))
        assert plan.report.has_solution and plan.assignments
        assert plan.kpis.assigned_staff > 0
    finally:
        pool.close()
        await pool.wait_closed()
