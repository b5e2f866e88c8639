"""The one place LLM providers live: a small client interface used by the intent and synthesis engines.

Two providers behind `LlmClient`:
- `ollama` (default): the official `ollama` AsyncClient — /api/generate for one-shot (structured output via
  `format` = JSON schema), /api/chat for streamed prose; options temperature/num_predict; `keep_alive` so
  the model stays loaded between requests.
- `openai`: any OpenAI-compatible server (llama.cpp / xllamacpp, vLLM, LM Studio) over httpx —
  /v1/chat/completions, `response_format: json_schema`, SSE streaming.

Every failure is reported as a domain error naming the provider: `DeadlineExceeded` when the time budget
ran out, `Unavailable` for anything else (refused connection, HTTP error, malformed body). Callers decide
how to degrade; nothing here retries, because a retry would double the caller's worst-case latency.

`generate(timeout=…)` is a total deadline for the call. `stream(timeout=…)` is the longest wait for the
next chunk (the first one included): a long narrative may take longer than any fixed total, but a silent
server is detected just as fast.

Settings (seed 環境設定 names): LLM_PROVIDER, OLLAMA_LIGHT_HOST/PORT + INTENT_MODEL (light client),
OLLAMA_MAIN_HOST/PORT + MAIN_MODEL (main client), LLM_KEEP_ALIVE (ollama only), LLM_API_KEY (openai only,
optional). An empty host means "no LLM": the factories return None and the product runs on rules alone.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from typing import Protocol, TypeVar
from urllib.parse import urlparse

import httpx
import ollama

from services.common.config import env_float, env_int, env_str
from services.common.errors import AimeeError, DeadlineExceeded, InvalidArgument, Unavailable

PROVIDERS = ("ollama", "openai")
DEFAULT_PORT = 11434
DEFAULT_INTENT_MODEL = "qwen2:0.5b"
DEFAULT_MAIN_MODEL = "gemma3:4b-instruct"
DEFAULT_KEEP_ALIVE = "30m"

T = TypeVar("T")


class LlmClient(Protocol):
    """What the engines need from a model server, whatever speaks behind it."""

    name: str  # "<provider>:<model>", what a response's model chain / parser field shows

    async def generate(self, prompt: str, *, system: str = "", json_schema: dict | None = None,
                       temperature: float = 0.0, max_tokens: int = 256, timeout: float = 5.0) -> str:
        """The whole completion; with `json_schema` the server is asked to emit JSON matching it."""
        ...

    def stream(self, prompt: str, *, system: str = "", temperature: float = 0.7,
               max_tokens: int = 800, timeout: float = 30.0) -> AsyncIterator[str]:
        """Completion text in chunks as the model produces them."""
        ...

    async def aclose(self) -> None:
        """Release the HTTP connections."""
        ...


def base_url(host: str, port: int) -> str:
    """`host` may be a bare name (ollama-light) or a URL (http://h:11434); a URL's own port wins."""
    if "://" not in host:
        return f"http://{host}:{port}"
    parsed = urlparse(host)
    return host.rstrip("/") if parsed.port else f"{parsed.scheme}://{parsed.hostname}:{port}{parsed.path.rstrip('/')}"


def make_client(provider: str, host: str, port: int, model: str, *, keep_alive: str = DEFAULT_KEEP_ALIVE,
                api_key: str = "") -> LlmClient | None:
    """A client for `provider`, or None when no host is configured (rules-only mode)."""
    if not host:
        return None
    provider = (provider or "ollama").strip().lower()
    if provider == "ollama":
        return OllamaClient(base_url(host, port), model, keep_alive=keep_alive)
    if provider == "openai":
        return OpenAICompatibleClient(base_url(host, port), model, api_key=api_key)
    raise InvalidArgument(f"環境変数 LLM_PROVIDER は {' / '.join(PROVIDERS)} のいずれかを指定してください（現在: {provider!r}）")


@dataclass(frozen=True)
class LlmRole:
    """One model role's settings, read in one place: the engine that uses the role and the gateway (which
    widens its deadlines when a role has a model) read the same values and the same defaults."""

    provider: str
    host: str               # empty = no model for this role: rules / the deterministic writer only
    port: int
    model: str
    keep_alive: str
    api_key: str
    timeout_seconds: float  # the model's whole budget per request

    @property
    def configured(self) -> bool:
        return bool(self.host)


# role -> (host/port variable stem, model variable, default model, timeout variable, default timeout)
_ROLES = {
    "light": ("LIGHT", "INTENT_MODEL", DEFAULT_INTENT_MODEL, "INTENT_LLM_TIMEOUT_SECONDS", 5.0),
    "main": ("MAIN", "MAIN_MODEL", DEFAULT_MAIN_MODEL, "SYNTHESIS_LLM_TIMEOUT_SECONDS", 20.0),
}


def llm_role(role: str) -> LlmRole:
    """Settings of the `light` (intent parsing) or `main` (narratives) model from the environment."""
    stem, model_env, default_model, timeout_env, default_timeout = _ROLES[role]
    return LlmRole(
        provider=env_str("LLM_PROVIDER", "ollama"), host=env_str(f"OLLAMA_{stem}_HOST"),
        port=env_int(f"OLLAMA_{stem}_PORT", DEFAULT_PORT), model=env_str(model_env, default_model),
        keep_alive=env_str("LLM_KEEP_ALIVE", DEFAULT_KEEP_ALIVE), api_key=env_str("LLM_API_KEY"),
        timeout_seconds=env_float(timeout_env, default_timeout))


def _client_from_env(role: str) -> LlmClient | None:
    r = llm_role(role)
    return make_client(r.provider, r.host, r.port, r.model, keep_alive=r.keep_alive, api_key=r.api_key)


def light_client_from_env() -> LlmClient | None:
    """The small, fast model (intent parsing): OLLAMA_LIGHT_HOST/PORT + INTENT_MODEL."""
    return _client_from_env("light")


def main_client_from_env() -> LlmClient | None:
    """The larger model (narratives): OLLAMA_MAIN_HOST/PORT + MAIN_MODEL."""
    return _client_from_env("main")


def _failure(name: str, exc: BaseException, timeout: float) -> AimeeError:
    """One mapping of provider failures to domain errors, naming the provider."""
    if isinstance(exc, AimeeError):
        return exc
    if isinstance(exc, (TimeoutError, httpx.TimeoutException)):
        return DeadlineExceeded(f"LLM（{name}）が {timeout:g} 秒以内に応答しませんでした")
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return Unavailable(f"LLM（{name}）を利用できません: {detail}")


async def _call(name: str, call: Awaitable[T], timeout: float) -> T:
    """Await a provider call under a total deadline, mapping every failure."""
    try:
        async with asyncio.timeout(timeout):  # no extra task: httpx streams stay in the caller's task
            return await call
    except Exception as exc:  # noqa: BLE001 - any provider failure becomes one of two domain errors
        raise _failure(name, exc, timeout) from exc


async def _guarded(name: str, chunks: AsyncIterator[str], timeout: float) -> AsyncIterator[str]:
    """Yield provider chunks, each awaited under `timeout`; always closes the provider's stream."""
    try:
        while True:
            try:
                async with asyncio.timeout(timeout):
                    chunk = await anext(chunks)
            except StopAsyncIteration:
                return
            if chunk:
                yield chunk
    except Exception as exc:  # noqa: BLE001
        raise _failure(name, exc, timeout) from exc
    finally:
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            try:
                await aclose()
            except Exception:  # noqa: BLE001 - closing a broken stream must not mask the real error
                pass


def _messages(prompt: str, system: str) -> list[dict]:
    return ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]


class OllamaClient:
    """Ollama's native API through the official client."""

    def __init__(self, url: str, model: str, *, keep_alive: str = DEFAULT_KEEP_ALIVE):
        self.name = f"ollama:{model}"
        self.model = model
        self.url = url
        self.keep_alive = keep_alive
        self._client = ollama.AsyncClient(host=url)

    async def generate(self, prompt: str, *, system: str = "", json_schema: dict | None = None,
                       temperature: float = 0.0, max_tokens: int = 256, timeout: float = 5.0) -> str:
        response = await _call(self.name, self._client.generate(
            model=self.model, prompt=prompt, system=system or None, format=json_schema,
            options={"temperature": temperature, "num_predict": max_tokens}, keep_alive=self.keep_alive,
        ), timeout)
        return response.response or ""

    async def stream(self, prompt: str, *, system: str = "", temperature: float = 0.7,
                     max_tokens: int = 800, timeout: float = 30.0) -> AsyncIterator[str]:
        async def chunks() -> AsyncIterator[str]:
            parts = await self._client.chat(
                model=self.model, messages=_messages(prompt, system), stream=True,
                options={"temperature": temperature, "num_predict": max_tokens}, keep_alive=self.keep_alive)
            try:
                async for part in parts:
                    yield part.message.content or ""
                    if part.done:
                        return
            finally:
                await parts.aclose()

        async for chunk in _guarded(self.name, chunks(), timeout):
            yield chunk

    async def aclose(self) -> None:
        await self._client.close()


class OpenAICompatibleClient:
    """An OpenAI-style /v1/chat/completions server (llama.cpp, vLLM, LM Studio)."""

    def __init__(self, url: str, model: str, *, api_key: str = ""):
        self.name = f"openai:{model}"
        self.model = model
        self.url = url
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.AsyncClient(base_url=url, headers=headers, timeout=None)

    def _body(self, prompt: str, system: str, temperature: float, max_tokens: int, stream: bool) -> dict:
        return {"model": self.model, "messages": _messages(prompt, system), "temperature": temperature,
                "max_tokens": max_tokens, "stream": stream}

    async def generate(self, prompt: str, *, system: str = "", json_schema: dict | None = None,
                       temperature: float = 0.0, max_tokens: int = 256, timeout: float = 5.0) -> str:
        body = self._body(prompt, system, temperature, max_tokens, stream=False)
        if json_schema is not None:
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": "response", "schema": json_schema, "strict": True}}

        async def call() -> str:
            response = await self._http.post("/v1/chat/completions", json=body)
            response.raise_for_status()
            return response.json()["choices"][0]["message"]["content"] or ""

        return await _call(self.name, call(), timeout)

    async def stream(self, prompt: str, *, system: str = "", temperature: float = 0.7,
                     max_tokens: int = 800, timeout: float = 30.0) -> AsyncIterator[str]:
        body = self._body(prompt, system, temperature, max_tokens, stream=True)

        async def chunks() -> AsyncIterator[str]:
            async with self._http.stream("POST", "/v1/chat/completions", json=body) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise Unavailable(f"LLM（{self.name}）を利用できません: HTTP {response.status_code} "
                                      f"{response.text[:200]}")
                async for line in response.aiter_lines():  # SSE: "data: {...}" lines, "data: [DONE]" at the end
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    choices = json.loads(data).get("choices") or [{}]
                    yield (choices[0].get("delta") or {}).get("content") or ""

        async for chunk in _guarded(self.name, chunks(), timeout):
            yield chunk

    async def aclose(self) -> None:
        await self._http.aclose()
