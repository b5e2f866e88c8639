"""A small model server for tests: the Ollama API and the OpenAI-compatible API on one loopback port.

Real clients (the `ollama` AsyncClient, httpx for the openai provider) talk to it over real HTTP/1.1, so
tests exercise the same request/response code as production. Endpoints:
- POST /api/generate, POST /api/chat — non-streaming JSON or streaming NDJSON (`stream`), honouring
  `format`: when no reply is programmed, a JSON-schema `format` gets a valid instance built from the schema;
- GET /api/tags, GET /v1/models — the one served model;
- POST /v1/chat/completions — JSON or SSE (`stream: true`).

Behaviour is programmed per test: `reply` (text, a dict/list sent as JSON, or a function of the request
body), `delay` before answering (slowness), `chunk_delay` between stream chunks, `status` (e.g. 500) to
fail, and `received` records every request for assertions. Run standalone for manual checks of the mesh:
`PYTHONPATH=.:gen .venv/bin/python -m tests.support.fake_ollama --port 11434 --reply '{"intent": ...}'`.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

Reply = str | dict | list | Callable[[str, dict], "str | dict | list"] | None


@dataclass
class Received:
    method: str
    path: str
    body: dict


@dataclass
class FakeModelServer:
    model: str = "fake-model"
    reply: Reply = None
    delay: float = 0.0
    chunk_delay: float = 0.0
    status: int = 200
    chunk_size: int = 4
    received: list[Received] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0
    _server: asyncio.AbstractServer | None = None
    _handlers: set[asyncio.Task] = field(default_factory=set)

    # -- programming -------------------------------------------------------------------------------
    def reset(self, **behaviour: Any) -> "FakeModelServer":
        """Back to a healthy, instant server with no programmed reply, then apply `behaviour`."""
        self.reply, self.delay, self.chunk_delay, self.status = None, 0.0, 0.0, 200
        self.received.clear()
        for key, value in behaviour.items():
            setattr(self, key, value)
        return self

    # -- lifecycle -----------------------------------------------------------------------------------
    async def start(self) -> "FakeModelServer":
        self._server = await asyncio.start_server(self._serve_connection, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._handlers):
                task.cancel()
            await asyncio.gather(*self._handlers, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> "FakeModelServer":
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- HTTP/1.1 ----------------------------------------------------------------------------------
    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._handlers.add(task)
        try:
            while True:  # keep-alive: several requests per connection
                request_line = await reader.readline()
                if not request_line.strip():
                    return
                method, path, _ = request_line.decode("latin-1").split(" ", 2)
                headers = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                raw = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                body = json.loads(raw) if raw else {}
                self.received.append(Received(method, path.split("?")[0], body))
                await self._respond(writer, method, path.split("?")[0], body)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client gave up (timeout) or the server is stopping
        finally:
            self._handlers.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _respond(self, writer: asyncio.StreamWriter, method: str, path: str, body: dict) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if (method, path) in (("GET", "/api/tags"), ("GET", "/v1/models")):
            entry = {"name": self.model, "model": self.model, "id": self.model, "size": 1, "digest": "0" * 12}
            payload = {"models": [entry]} if path == "/api/tags" else {"object": "list", "data": [entry]}
            return await _send_json(writer, 200, payload)
        if method != "POST" or path not in ("/api/generate", "/api/chat", "/v1/chat/completions"):
            return await _send_json(writer, 404, {"error": f"no route {method} {path}"})
        openai = path.startswith("/v1/")
        if self.status >= 400:
            message = f"fake failure {self.status}"
            return await _send_json(writer, self.status, {"error": {"message": message}} if openai else {"error": message})
        text = self._text_for(path, body)
        if not body.get("stream", not openai):  # Ollama streams unless told not to; OpenAI the reverse
            return await _send_json(writer, 200, _whole(path, self.model, text))
        pieces = [text[i:i + self.chunk_size] for i in range(0, len(text), self.chunk_size)] or [""]
        await _start_chunked(writer, "text/event-stream" if openai else "application/x-ndjson")
        for piece in pieces:
            if self.chunk_delay:
                await asyncio.sleep(self.chunk_delay)
            await _send_chunk(writer, _stream_line(path, self.model, piece, done=False))
        await _send_chunk(writer, _stream_line(path, self.model, "", done=True))
        if openai:
            await _send_chunk(writer, "data: [DONE]\n\n")
        await _send_chunk(writer, "")

    def _text_for(self, path: str, body: dict) -> str:
        reply = self.reply(path, body) if callable(self.reply) else self.reply
        if reply is None:
            schema = body.get("format") if path.startswith("/api/") else \
                ((body.get("response_format") or {}).get("json_schema") or {}).get("schema")
            reply = instance_of(schema) if isinstance(schema, dict) else "これはテスト用の応答です。"
        return reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)


def instance_of(schema: dict) -> Any:
    """A minimal valid instance of a JSON schema: first enum value, empty string, zero, false."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: instance_of(sub) for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        return []
    return {"string": "", "number": 0.0, "integer": 0, "boolean": False}.get(kind)


def _whole(path: str, model: str, text: str) -> dict:
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if path == "/api/generate":
        return {"model": model, "created_at": now, "response": text, "done": True, "done_reason": "stop"}
    if path == "/api/chat":
        return {"model": model, "created_at": now, "message": {"role": "assistant", "content": text},
                "done": True, "done_reason": "stop"}
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def _stream_line(path: str, model: str, piece: str, *, done: bool) -> str:
    if path == "/v1/chat/completions":
        delta = {} if done else {"content": piece}
        chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": model,
                 "choices": [{"index": 0, "delta": delta, "finish_reason": "stop" if done else None}]}
        return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
    line = _whole(path, model, piece)
    line["done"] = done
    if not done:
        line.pop("done_reason")
    return json.dumps(line, ensure_ascii=False) + "\n"


async def _send_json(writer: asyncio.StreamWriter, status: int, payload: dict) -> None:
    data = json.dumps(payload, ensure_ascii=False).encode()
    writer.write(f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(data)}\r\nConnection: keep-alive\r\n\r\n".encode() + data)
    await writer.drain()


async def _start_chunked(writer: asyncio.StreamWriter, content_type: str) -> None:
    writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n"
                 f"Connection: keep-alive\r\n\r\n".encode())
    await writer.drain()


async def _send_chunk(writer: asyncio.StreamWriter, text: str) -> None:
    data = text.encode()
    writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
    await writer.drain()


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Ollama/OpenAI-compatible model server (tests, demos)")
    parser.add_argument("--port", type=int, default=11434)
    parser.add_argument("--model", default="fake-model")
    parser.add_argument("--reply", default=None, help="fixed reply text (default: schema-valid JSON or a sentence)")
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()

    async def run() -> None:
        server = await FakeModelServer(model=args.model, reply=args.reply, delay=args.delay, port=args.port).start()
        print(f"fake model server on {server.url}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(run())


if __name__ == "__main__":
    main()
