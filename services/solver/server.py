"""Solver engine process: wiring only (pool, sites, cache, planner, servicer) — `python -m services.solver.server`.

`build(settings)` is what tests and the gateway's tests use to run the engine in-process (it binds no port):
    built = await build(Settings.from_env())      # or: registrars, service_names, cleanup = await build(...)
    server, port, health = await create_server(built.registrars, built.service_names, port=0,
                                               internal_token=token)  # callers send it
    ...; await server.stop(0); await built.cleanup()
"""
from __future__ import annotations


from aimee.solver.v1 import solver_pb2, solver_pb2_grpc

from services.common.cache import Cache
from services.common.db import create_pool
from services.common.grpc_server import Built, run_engine
from services.common.schema import ready_with_schema
from services.common.sites import SiteDirectory

from services.solver.config import Settings
from services.solver.history import AssignmentHistory
from services.solver.planner import Planner
from services.solver.repository import SolverRepository
from services.solver.roster.repository import RosterRepository
from services.solver.roster.service import RosterService
from services.solver.servicer import SolverServicer
from services.solver.updates import AssignmentUpdater

SERVICE_NAME = solver_pb2.DESCRIPTOR.services_by_name["SolverService"].full_name



async def build(settings: Settings) -> Built:
    """Create the engine's resources; the cache is only used to invalidate analytics after an update."""
    pool = await create_pool(settings.database_url, minsize=1, maxsize=settings.db_pool_size)
    cache = Cache(settings.redis_url, prefix=settings.cache_prefix)
    repo = SolverRepository(pool)
    sites = SiteDirectory(pool)
    rosters = RosterService(RosterRepository(pool), sites, settings.roster_time_limit_seconds,
                            settings.roster_threads)
    servicer = SolverServicer(Planner(repo, sites, settings), AssignmentUpdater(repo, sites, cache), rosters,
                              AssignmentHistory(repo, sites))

    async def cleanup() -> None:
        await cache.close()
        pool.close()
        await pool.wait_closed()

    def register(server) -> None:
        solver_pb2_grpc.add_SolverServiceServicer_to_server(servicer, server)

    return Built([register], [SERVICE_NAME], cleanup,
                 ready=ready_with_schema(pool, settings.database_url))


def main() -> None:
    run_engine("solver", Settings, build)


if __name__ == "__main__":
    main()
