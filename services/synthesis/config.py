"""Synthesis engine settings, read once from the environment (names from the seed's 環境設定 block)."""
from __future__ import annotations

from dataclasses import dataclass

from services.common import config
from services.common.llm import DEFAULT_KEEP_ALIVE, DEFAULT_MAIN_MODEL, DEFAULT_PORT, llm_role

NO_LLM_PROVIDERS = {"none", "off", "deterministic"}


@dataclass(frozen=True)
class Settings:
    port: int = config.DEFAULT_PORTS["synthesis"]
    host: str = "127.0.0.1"
    llm_provider: str = "ollama"            # LLM_PROVIDER: ollama | openai | none
    main_host: str = ""                     # OLLAMA_MAIN_HOST: empty = deterministic writer only
    main_port: int = DEFAULT_PORT           # OLLAMA_MAIN_PORT
    main_model: str = DEFAULT_MAIN_MODEL    # MAIN_MODEL
    keep_alive: str = DEFAULT_KEEP_ALIVE    # LLM_KEEP_ALIVE
    llm_api_key: str = ""                   # LLM_API_KEY (openai provider only)
    # SYNTHESIS_LLM_TIMEOUT_SECONDS: the model's whole budget for one narrative, shrunk further to the caller's
    # gRPC deadline; past it the deterministic narrative is used.
    llm_timeout_seconds: float = 20.0
    # STREAMING_RESPONSE: ComposeStream passes model tokens through as they come (numbers only once
    # checked); false = the model's text is checked whole, then sent in sentence chunks.
    streaming: bool = True

    @property
    def llm_enabled(self) -> bool:
        return bool(self.main_host) and self.llm_provider.strip().lower() not in NO_LLM_PROVIDERS

    @classmethod
    def from_env(cls) -> "Settings":
        main = llm_role("main")
        return cls(
            port=config.service_port("synthesis"),
            host=config.bind_host(),
            llm_provider=main.provider,
            main_host=main.host,
            main_port=main.port,
            main_model=main.model,
            keep_alive=main.keep_alive,
            llm_api_key=main.api_key,
            llm_timeout_seconds=main.timeout_seconds,
            streaming=config.env_bool("STREAMING_RESPONSE", True),
        )
