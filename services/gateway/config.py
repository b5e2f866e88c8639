"""Gateway settings: engine addresses, deadlines, tokens, storage. One object, read once from the environment."""
from __future__ import annotations

from dataclasses import dataclass, field

from services.common import config as env
from services.common.grpc_auth import token_from_env


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
    port: int = 50050
    ws_port: int = 8010
    bind_host: str = "127.0.0.1"
    intent_addr: str = "127.0.0.1:50051"
    analytics_addr: str = "127.0.0.1:50052"
    solver_addr: str = "127.0.0.1:50053"
    knowledge_addr: str = "127.0.0.1:50054"
    synthesis_addr: str = "127.0.0.1:50055"
    hybrid_timeout_seconds: float = 10.0
    budgets: EngineBudgets = field(default_factory=EngineBudgets)
    database_url: str = env.DEFAULT_DATABASE_URL
    redis_url: str = env.DEFAULT_REDIS_URL
    cache_ttl_seconds: int = 3600
    cache_prefix: str = "aimee"
    api_tokens: tuple[str, ...] = ()
    internal_token: str = ""  # sent to every engine (services.common.grpc_auth)
    default_location: str = "横浜"
    chromadb_host: str = ""
    chromadb_port: int = 8001
    supervisor_state: str = ""  # the local supervisor's mesh.json (given-up children appear in /health)

    @classmethod
    def from_env(cls) -> "Settings":
        tokens = tuple(t.strip() for t in env.env_str("AIMEE_API_TOKENS").split(",") if t.strip())
        # With a main LLM the narrative takes seconds, not milliseconds: widen synthesis' (and the total) budget.
        llm_synthesis = env.env_float("SYNTHESIS_LLM_TIMEOUT_SECONDS", 20.0) + 0.5
        synthesis_default = llm_synthesis if env.env_str("OLLAMA_MAIN_HOST") else 4.0
        llm_intent = env.env_float("INTENT_LLM_TIMEOUT_SECONDS", 5.0) + 0.5
        intent_default = llm_intent if env.env_str("OLLAMA_LIGHT_HOST") else 1.5
        hybrid_default = max(10.0, synthesis_default + intent_default + 4.5)
        return cls(
            port=env.service_port("gateway", 50050),
            ws_port=env.env_int("GATEWAY_WS_PORT", 8010),
            bind_host=env.bind_host(),
            intent_addr=env.env_str("INTENT_ADDR", f"127.0.0.1:{env.service_port('intent', 50051)}"),
            analytics_addr=env.env_str("ANALYTICS_ADDR", f"127.0.0.1:{env.service_port('analytics', 50052)}"),
            solver_addr=env.env_str("SOLVER_ADDR", f"127.0.0.1:{env.service_port('solver', 50053)}"),
            knowledge_addr=env.env_str("KNOWLEDGE_ADDR", f"127.0.0.1:{env.service_port('knowledge', 50054)}"),
            synthesis_addr=env.env_str("SYNTHESIS_ADDR", f"127.0.0.1:{env.service_port('synthesis', 50055)}"),
            hybrid_timeout_seconds=env.env_float("HYBRID_TIMEOUT_SECONDS", hybrid_default),
            budgets=EngineBudgets(
                intent=env.env_float("INTENT_TIMEOUT_SECONDS", intent_default),
                analytics=env.env_float("ANALYTICS_TIMEOUT_SECONDS", 3.0),
                solver=env.env_float("SOLVER_TIMEOUT_SECONDS", 6.0),
                knowledge=env.env_float("KNOWLEDGE_TIMEOUT_SECONDS", 2.0),
                synthesis=env.env_float("SYNTHESIS_TIMEOUT_SECONDS", synthesis_default),
            ),
            database_url=env.database_url(),
            redis_url=env.redis_url(),
            cache_ttl_seconds=env.cache_ttl_seconds(),
            cache_prefix=env.env_str("CACHE_PREFIX", "aimee"),
            api_tokens=tokens,
            internal_token=token_from_env(),
            default_location=env.env_str("AIMEE_DEFAULT_LOCATION", "横浜"),
            chromadb_host=env.env_str("CHROMADB_HOST"),
            chromadb_port=env.env_int("CHROMADB_PORT", 8001),
            supervisor_state=env.env_str("AIMEE_SUPERVISOR_STATE"),
        )
