"""A tiny asyncio HTTP/1.1 server for web/dist (Envoy routes `/` here; the API never passes through).

Stdlib only: the console is a handful of files, so a framework would be more code to trust than this.
GET and HEAD; gzip when the client accepts it (the JS bundle shrinks ~3x); keep-alive per HTTP/1.1.
    PYTHONPATH=.:gen python -m services.webui.server
"""
from __future__ import annotations

import asyncio
import gzip
import logging
import signal

from services.webui.config import Settings
from services.webui.files import Reply, resolve

log = logging.getLogger("aimee.webui")
_COMPRESSIBLE = ("text/", "application/json", "image/svg+xml")
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
            503: "Service Unavailable"}
_gzip_cache: dict[tuple[str, int], bytes] = {}


def _encode(reply: Reply, accept_gzip: bool, key: str) -> Reply:
    if not accept_gzip or len(reply.body) < 1024 or not reply.headers.get("Content-Type", "").startswith(
            _COMPRESSIBLE):
        return reply
    cache_key = (key, hash(reply.body))
    body = _gzip_cache.get(cache_key)
    if body is None:
        body = gzip.compress(reply.body, 6)
        if len(_gzip_cache) > 256:
            _gzip_cache.clear()
        _gzip_cache[cache_key] = body
    return Reply(reply.status, body, {**reply.headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"})


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str]] | None:
    line = await reader.readline()
    if not line:
        return None
    parts = line.decode("latin-1").split()
    headers: dict[str, str] = {}
    while True:
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if len(parts) != 3:
        return "", "", headers
    return parts[0], parts[1], headers


def make_handler(settings: Settings):
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await _read_head(reader)
                if head is None:
                    break
                method, target, headers = head
                if method not in ("GET", "HEAD"):
                    reply = Reply(405 if method else 400, b"", {"Allow": "GET, HEAD"})
                else:
                    reply = _encode(resolve(settings.dist, target),
                                    "gzip" in headers.get("accept-encoding", ""), target)
                keep = headers.get("connection", "").lower() != "close"
                lines = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'OK')}",
                         f"Content-Length: {len(reply.body)}", "X-Content-Type-Options: nosniff",
                         f"Connection: {'keep-alive' if keep else 'close'}"]
                lines += [f"{k}: {v}" for k, v in reply.headers.items()]
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
                if method != "HEAD":
                    writer.write(reply.body)
                await writer.drain()
                if not keep:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
    return handle


async def serve(settings: Settings) -> None:
    server = await asyncio.start_server(make_handler(settings), settings.host, settings.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("serving %s on %s:%s", settings.dist, settings.host, settings.port)
    async with server:
        await stop.wait()


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    asyncio.run(serve(Settings.from_env()))


if __name__ == "__main__":
    main()
