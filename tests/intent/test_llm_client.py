"""services.common.llm against the fake server, through the real `ollama` client and real httpx."""
from __future__ import annotations

import time

import ollama
import pytest

from services.common import llm
from services.common.errors import DeadlineExceeded, InvalidArgument, Unavailable

SCHEMA = {"type": "object", "properties": {"intent": {"type": "string", "enum": ["a", "b"]}}, "required": ["intent"]}
PROVIDERS = ("ollama", "openai")


def _client(provider: str, server) -> llm.LlmClient:
    return llm.make_client(provider, "127.0.0.1", server.port, server.model)


def test_base_url_and_factory(monkeypatch):
    assert llm.base_url("ollama-light", 11434) == "http://ollama-light:11434"
    assert llm.base_url("http://gpu-box", 8080) == "http://gpu-box:8080"
    assert llm.base_url("https://gpu-box:9000/", 8080) == "https://gpu-box:9000"
    assert llm.make_client("ollama", "", 11434, "m") is None
    with pytest.raises(InvalidArgument, match="LLM_PROVIDER"):
        llm.make_client("bedrock", "h", 1, "m")
    monkeypatch.setenv("OLLAMA_LIGHT_HOST", "")
    assert llm.light_client_from_env() is None
    monkeypatch.setenv("LLM_PROVIDER", "openai")
    monkeypatch.setenv("OLLAMA_MAIN_HOST", "127.0.0.1")
    monkeypatch.setenv("OLLAMA_MAIN_PORT", "8080")
    monkeypatch.setenv("MAIN_MODEL", "qwen2.5-coder-1.5b")
    client = llm.main_client_from_env()
    assert client.name == "openai:qwen2.5-coder-1.5b" and client.url == "http://127.0.0.1:8080"


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_generate_sends_schema_and_options(fake_llm, provider):
    client = _client(provider, fake_llm)
    try:
        text = await client.generate("依頼", system="分類して", json_schema=SCHEMA, max_tokens=32)
    finally:
        await client.aclose()
    assert text == '{"intent": "a"}'  # the fake honours the schema: first enum value
    body = fake_llm.received[-1].body
    if provider == "ollama":
        assert fake_llm.received[-1].path == "/api/generate"
        assert (body["format"], body["system"], body["prompt"]) == (SCHEMA, "分類して", "依頼")
        assert body["options"] == {"temperature": 0.0, "num_predict": 32} and body["keep_alive"] == "30m"
    else:
        assert fake_llm.received[-1].path == "/v1/chat/completions"
        assert body["response_format"]["json_schema"]["schema"] == SCHEMA
        assert body["messages"] == [{"role": "system", "content": "分類して"}, {"role": "user", "content": "依頼"}]
        assert (body["temperature"], body["max_tokens"], body["stream"]) == (0.0, 32, False)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_stream_yields_chunks_in_order(fake_llm, provider):
    fake_llm.reset(reply="横浜の欠勤率は月曜に高い傾向です。")
    client = _client(provider, fake_llm)
    try:
        chunks = [chunk async for chunk in client.stream("説明して", temperature=0.3, max_tokens=100)]
    finally:
        await client.aclose()
    assert len(chunks) > 3 and "".join(chunks) == "横浜の欠勤率は月曜に高い傾向です。"
    body = fake_llm.received[-1].body
    assert body["stream"] is True
    assert fake_llm.received[-1].path == ("/api/chat" if provider == "ollama" else "/v1/chat/completions")


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_server_error_is_unavailable_naming_the_provider(fake_llm, provider):
    fake_llm.reset(status=500)
    client = _client(provider, fake_llm)
    try:
        with pytest.raises(Unavailable, match=f"{provider}:qwen-test"):
            await client.generate("x")
        with pytest.raises(Unavailable, match=f"{provider}:qwen-test"):
            [chunk async for chunk in client.stream("x")]
    finally:
        await client.aclose()


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_slow_server_hits_the_deadline_and_the_client_stays_usable(fake_llm, provider):
    client = _client(provider, fake_llm)
    try:
        fake_llm.reset(delay=3.0)
        started = time.perf_counter()
        with pytest.raises(DeadlineExceeded, match=provider):
            await client.generate("x", timeout=0.2)
        assert time.perf_counter() - started < 1.5  # far below the server's 3 s
        fake_llm.reset(reply="abcdefgh", chunk_size=2, chunk_delay=3.0)
        started = time.perf_counter()
        with pytest.raises(DeadlineExceeded):
            [chunk async for chunk in client.stream("x", timeout=0.2)]
        assert time.perf_counter() - started < 1.5  # far below the server's 3 s
        fake_llm.reset(reply="ok")
        assert await client.generate("x") == "ok"
    finally:
        await client.aclose()


async def test_refused_connection_is_unavailable():
    client = llm.make_client("ollama", "127.0.0.1", 9, "m")  # discard port: nothing listens
    try:
        with pytest.raises(Unavailable, match="ollama:m"):
            await client.generate("x", timeout=2.0)
    finally:
        await client.aclose()


async def test_fake_server_lists_its_model_like_ollama(fake_llm):
    client = ollama.AsyncClient(host=fake_llm.url)
    try:
        listed = await client.list()
    finally:
        await client.close()
    assert [m.model for m in listed.models] == ["qwen-test"]
