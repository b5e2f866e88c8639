"""Typed readers for environment settings, so every service's config object is built the same way."""
from __future__ import annotations

import os

from db.connect import DEFAULT_DATABASE_URL  # one default, shared with the loader
from services.common.errors import InvalidArgument

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def env_str(name: str, default: str = "") -> str:
    """The variable's value, or default when unset or empty."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def _env_number(name: str, default, cast, kind: str):
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        return cast(raw)
    except ValueError as exc:
        raise InvalidArgument(f"環境変数 {name} は{kind}で指定してください（現在: {raw!r}）") from exc


def env_int(name: str, default: int) -> int:
    return _env_number(name, default, int, "整数")


def env_float(name: str, default: float) -> float:
    return _env_number(name, default, float, "数値")


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    return raw in {"1", "true", "yes", "on"}


# The mesh's gRPC ports, once: every engine, the gateway, the supervisor and the Envoy renderer read this.
DEFAULT_PORTS: dict[str, int] = {"gateway": 50050, "intent": 50051, "analytics": 50052, "solver": 50053,
                                 "knowledge": 50054, "synthesis": 50055, "webui": 8020}
DEFAULT_CACHE_PREFIX = "aimee"


def service_port(name: str) -> int:
    """Port of a service: <NAME>_PORT, else its entry in DEFAULT_PORTS."""
    return env_int(f"{name.upper()}_PORT", DEFAULT_PORTS[name])


def engine_address(name: str) -> str:
    """Where the gateway reaches an engine: <NAME>_ADDR, else this machine at the engine's port."""
    return env_str(f"{name.upper()}_ADDR", f"127.0.0.1:{service_port(name)}")


def bind_host() -> str:
    return env_str("SERVICE_BIND_HOST", "127.0.0.1")


def database_url() -> str:
    return env_str("DATABASE_URL", DEFAULT_DATABASE_URL)


def redis_url() -> str:
    return env_str("REDIS_URL", DEFAULT_REDIS_URL)


def cache_prefix() -> str:
    """The Redis key prefix the whole mesh shares (CACHE_PREFIX): whoever reads or bumps keys uses this."""
    return env_str("CACHE_PREFIX", DEFAULT_CACHE_PREFIX)


def chroma_path() -> str:
    """Where embedded Chroma keeps its store (CHROMADB_PATH): the knowledge engine and backups read the same."""
    return env_str("CHROMADB_PATH", "var/chroma")


def engine_storage(name: str, pool_size: int) -> dict:
    """The fields every MySQL-backed engine's Settings share, read the same way for each: where it listens,
    its database and pool (<NAME>_DB_POOL_SIZE), Redis and the mesh's cache prefix."""
    return {"host": bind_host(), "port": service_port(name), "database_url": database_url(),
            "redis_url": redis_url(), "cache_prefix": cache_prefix(),
            "db_pool_size": env_int(f"{name.upper()}_DB_POOL_SIZE", pool_size)}


def cache_ttl_seconds() -> int:
    return env_int("CACHE_TTL_SECONDS", 3600)
