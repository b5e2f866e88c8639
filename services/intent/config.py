"""Intent engine settings, read once from the environment (names from the seed's 環境設定 block)."""
from __future__ import annotations

from dataclasses import dataclass

from services.common import config
from services.common.llm import DEFAULT_INTENT_MODEL, DEFAULT_KEEP_ALIVE, DEFAULT_PORT, llm_role


@dataclass(frozen=True)
class Settings:
    port: int = config.DEFAULT_PORTS["intent"]
    host: str = "127.0.0.1"
    llm_provider: str = "ollama"          # LLM_PROVIDER: ollama | openai
    light_host: str = ""                  # OLLAMA_LIGHT_HOST: empty = rules only, no LLM
    light_port: int = DEFAULT_PORT        # OLLAMA_LIGHT_PORT
    intent_model: str = DEFAULT_INTENT_MODEL  # INTENT_MODEL
    keep_alive: str = DEFAULT_KEEP_ALIVE  # LLM_KEEP_ALIVE
    llm_api_key: str = ""                 # LLM_API_KEY (openai provider only)
    # SIMPLE_TASK_THRESHOLD: below this rule confidence the LLM (when configured) is asked.
    simple_task_threshold: float = 0.7
    # INTENT_LLM_TIMEOUT_SECONDS: the LLM's whole budget per request; past it the rules' answer stands.
    llm_timeout_seconds: float = 5.0

    @classmethod
    def from_env(cls) -> "Settings":
        light = llm_role("light")
        return cls(
            port=config.service_port("intent"),
            host=config.bind_host(),
            llm_provider=light.provider,
            light_host=light.host,
            light_port=light.port,
            intent_model=light.model,
            keep_alive=light.keep_alive,
            llm_api_key=light.api_key,
            simple_task_threshold=config.env_float("SIMPLE_TASK_THRESHOLD", 0.7),
            llm_timeout_seconds=light.timeout_seconds,
        )
