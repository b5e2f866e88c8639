"""A TCP forwarder the fault tests put between the mesh and MySQL or Redis, so an outage can be made
without touching the real shared servers: `close()` stops listening and cuts every open connection (the
service is "down"), `open()` listens again on the same port (it is "back")."""
from __future__ import annotations

import asyncio
import socket
import threading


class TcpProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        with socket.socket() as s:  # reserve a free port number; nothing listens on it until open()
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"tcp-proxy-{self.port}", daemon=True)
        self._thread.start()
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def _run(self, coro, timeout: float = 10.0):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    @property
    def is_open(self) -> bool:
        return self._server is not None

    def open(self) -> None:
        if self._server is None:
            self._server = self._run(asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True))

    def close(self) -> None:
        """Refuse new connections and reset the open ones, as a crashed server would."""
        async def stop():
            if self._server is not None:
                self._server.close()
                self._server = None
            for writer in list(self._writers):
                writer.transport.abort()
            self._writers.clear()
        self._run(stop())

    def shutdown(self) -> None:
        self.close()

        async def cancel_pumps():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        self._run(cancel_pumps())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self._writers.update((client_writer, upstream_writer))

        async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.transport.abort()
                self._writers.discard(writer)

        await asyncio.gather(pump(client_reader, upstream_writer), pump(upstream_reader, client_writer))
