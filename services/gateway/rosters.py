"""REST /api/v1/rosters/... : the solver engine's roster RPCs passed through unchanged (transport only)."""
from __future__ import annotations

from aimee.gateway.v1 import gateway_pb2_grpc

from services.common.cache import Cache
from services.gateway import invalidation
from services.gateway.engines import Engines

PLAN_SECONDS = 120.0   # a 4-week plan runs up to the engine's roster time limit; Envoy's route allows 150 s


class RostersApiServicer(gateway_pb2_grpc.RostersApiServiceServicer):
    def __init__(self, engines: Engines, passthrough, cache: Cache | None = None) -> None:
        self.engines, self.call, self.cache = engines, passthrough, cache
        self.budget = passthrough.settings.budgets.solver

    async def PlanRoster(self, request, context):
        return await self.call(context, "solver", self.engines.solver.PlanRoster, request,
                               max(PLAN_SECONDS, self.budget))

    async def GetRoster(self, request, context):
        return await self.call(context, "solver", self.engines.solver.GetRoster, request, self.budget)

    async def PublishRoster(self, request, context):
        result = await self.call(context, "solver", self.engines.solver.PublishRoster, request, self.budget)
        await invalidation.shift_plans_changed(self.cache, request.location)
        return result

    async def ExplainRoster(self, request, context):
        return await self.call(context, "solver", self.engines.solver.ExplainRoster, request, self.budget)
