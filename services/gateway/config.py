"""Gateway settings: engine addresses, deadlines, tokens, storage. One object, read once from the environment."""
from __future__ import annotations

from dataclasses import dataclass, field

from services.common import config as env
from services.common.grpc_auth import token_from_env
from services.common.llm import llm_role


@dataclass(frozen=True)
class EngineBudgets:
    """Per-engine deadlines (seconds); each is further capped by the request's remaining time."""

    intent: float = 1.5
    analytics: float = 3.0
    solver: float = 6.0
    knowledge: float = 2.0
    synthesis: float = 4.0


@dataclass(frozen=True)
class Settings:
    port: int = env.DEFAULT_PORTS["gateway"]
    ws_port: int = 8010
    bind_host: str = "127.0.0.1"
    intent_addr: str = f"127.0.0.1:{env.DEFAULT_PORTS['intent']}"
    analytics_addr: str = f"127.0.0.1:{env.DEFAULT_PORTS['analytics']}"
    solver_addr: str = f"127.0.0.1:{env.DEFAULT_PORTS['solver']}"
    knowledge_addr: str = f"127.0.0.1:{env.DEFAULT_PORTS['knowledge']}"
    synthesis_addr: str = f"127.0.0.1:{env.DEFAULT_PORTS['synthesis']}"
    hybrid_timeout_seconds: float = 10.0
    budgets: EngineBudgets = field(default_factory=EngineBudgets)
    database_url: str = env.DEFAULT_DATABASE_URL
    redis_url: str = env.DEFAULT_REDIS_URL
    cache_ttl_seconds: int = 3600
    cache_prefix: str = env.DEFAULT_CACHE_PREFIX
    api_tokens: tuple[str, ...] = ()
    internal_token: str = ""  # sent to every engine (services.common.grpc_auth)
    default_location: str = "横浜"
    chromadb_host: str = ""
    chromadb_port: int = 8001
    db_pool_size: int = 5  # GATEWAY_DB_POOL_SIZE: chat history, audit, site lookups
    supervisor_state: str = ""  # the local supervisor's mesh.json (given-up children appear in /health)

    @classmethod
    def from_env(cls) -> "Settings":
        tokens = tuple(t.strip() for t in env.env_str("AIMEE_API_TOKENS").split(",") if t.strip())
        # With a main LLM the narrative takes seconds, not milliseconds: widen synthesis' (and the total) budget.
        main, light = llm_role("main"), llm_role("light")
        synthesis_default = main.timeout_seconds + 0.5 if main.configured else EngineBudgets.synthesis
        intent_default = light.timeout_seconds + 0.5 if light.configured else EngineBudgets.intent
        hybrid_default = max(10.0, synthesis_default + intent_default + 4.5)
        return cls(
            port=env.service_port("gateway"),
            ws_port=env.env_int("GATEWAY_WS_PORT", 8010),
            bind_host=env.bind_host(),
            intent_addr=env.engine_address("intent"),
            analytics_addr=env.engine_address("analytics"),
            solver_addr=env.engine_address("solver"),
            knowledge_addr=env.engine_address("knowledge"),
            synthesis_addr=env.engine_address("synthesis"),
            hybrid_timeout_seconds=env.env_float("HYBRID_TIMEOUT_SECONDS", hybrid_default),
            budgets=EngineBudgets(
                intent=env.env_float("INTENT_TIMEOUT_SECONDS", intent_default),
                analytics=env.env_float("ANALYTICS_TIMEOUT_SECONDS", EngineBudgets.analytics),
                solver=env.env_float("SOLVER_TIMEOUT_SECONDS", EngineBudgets.solver),
                knowledge=env.env_float("KNOWLEDGE_TIMEOUT_SECONDS", EngineBudgets.knowledge),
                synthesis=env.env_float("SYNTHESIS_TIMEOUT_SECONDS", synthesis_default),
            ),
            database_url=env.database_url(),
            redis_url=env.redis_url(),
            cache_ttl_seconds=env.cache_ttl_seconds(),
            cache_prefix=env.cache_prefix(),
            api_tokens=tokens,
            internal_token=token_from_env(),
            default_location=env.env_str("AIMEE_DEFAULT_LOCATION", "横浜"),
            chromadb_host=env.env_str("CHROMADB_HOST"),
            chromadb_port=env.env_int("CHROMADB_PORT", 8001),
            db_pool_size=env.env_int("GATEWAY_DB_POOL_SIZE", 5),
            supervisor_state=env.env_str("AIMEE_SUPERVISOR_STATE"),
        )
