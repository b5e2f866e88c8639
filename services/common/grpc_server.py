"""gRPC server bootstrap shared by every engine: interceptors, health, reflection, graceful shutdown.

`create_server` builds a server bound to a port (0 in tests) and returns it with the health servicer;
`serve` runs it until SIGTERM/SIGINT, flipping health to NOT_SERVING before draining in-flight calls.
An engine that needs MySQL passes `ready` (raises while a dependency does not answer): it then starts
NOT_SERVING and `watch_readiness` flips its health both ways by itself, so the mesh heals without a restart.
Every engine server checks the internal token first (services.common.grpc_auth); only the gateway, whose
public API has its own bearer check, is built with `internal_token=None`.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from services.common import logs, request_id
from services.common.errors import AimeeError
from services.common.grpc_auth import InternalTokenInterceptor, require_token

log = logging.getLogger("aimee.grpc")

_STATUS = {name: getattr(grpc.StatusCode, name) for name in (
    "INVALID_ARGUMENT", "NOT_FOUND", "FAILED_PRECONDITION", "ABORTED", "UNAUTHENTICATED",
    "UNAVAILABLE", "DEADLINE_EXCEEDED", "UNIMPLEMENTED", "INTERNAL", "PERMISSION_DENIED",
)}


def status_of(error: AimeeError) -> grpc.StatusCode:
    return _STATUS.get(error.code, grpc.StatusCode.INTERNAL)


class ContextInterceptor(grpc.aio.ServerInterceptor):
    """Binds the caller's request id, logs each call, and maps domain errors to gRPC statuses."""

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        rid = request_id.from_metadata(handler_call_details.invocation_metadata) or request_id.new_request_id()

        if handler.unary_unary:
            inner = handler.unary_unary

            async def unary_unary(req, ctx):
                async with _call_scope(method, rid, ctx):
                    return await inner(req, ctx)

            return grpc.unary_unary_rpc_method_handler(
                unary_unary, handler.request_deserializer, handler.response_serializer)
        if handler.unary_stream:
            inner_stream = handler.unary_stream

            async def unary_stream(req, ctx):
                async with _call_scope(method, rid, ctx):
                    async for item in inner_stream(req, ctx):
                        yield item

            return grpc.unary_stream_rpc_method_handler(
                unary_stream, handler.request_deserializer, handler.response_serializer)
        return handler


@contextlib.asynccontextmanager
async def _call_scope(method: str, rid: str, ctx):
    """One call's request id, log line and error mapping, the same for unary and streaming handlers."""
    token = request_id.bind(rid)
    started = time.perf_counter()
    try:
        yield
    except AimeeError as exc:
        await ctx.abort(status_of(exc), exc.message)
    except grpc.aio.AbortError:
        raise
    except Exception:  # noqa: BLE001 - a bug must still answer a readable status
        log.exception("unhandled error", extra={"fields": {"method": method}})
        await ctx.abort(grpc.StatusCode.INTERNAL, _internal_message())
    finally:
        _log_call(method, started, ctx)
        request_id.reset(token)


def _internal_message() -> str:
    return f"内部エラーが発生しました。管理者に request_id {request_id.current()} をお伝えください"


def _log_call(method: str, started: float, ctx) -> None:
    if method.startswith("/grpc."):
        return
    code = ctx.code() if hasattr(ctx, "code") else None
    log.info("rpc", extra={"fields": {
        "method": method,
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 2),
        "code": str(code.name if hasattr(code, "name") else code or "OK"),
    }})


Registrar = Callable[[grpc.aio.Server], None]


Readiness = Callable[[], Awaitable[None]]


@dataclass
class Built:
    """What an engine's `build(settings)` returns: enough to serve it (or run it in-process in a test).

    `ready` raises while the engine cannot answer (MySQL down); unpacks as (registrars, names, cleanup).
    """

    registrars: list[Registrar]
    service_names: list[str]
    cleanup: Callable[[], Awaitable[None]]
    ready: Readiness | None = None

    def __iter__(self):
        return iter((self.registrars, self.service_names, self.cleanup))


# While down, re-check soon and back off to READY_BACKOFF_MAX (which bounds the recovery time after MySQL
# returns); while serving, re-check every READY_INTERVAL so a lost database shows as NOT_SERVING.
READY_BACKOFF_MIN = 0.25
READY_BACKOFF_MAX = 2.0
READY_INTERVAL = 2.0
READY_PROBE_TIMEOUT = 3.0


async def watch_readiness(health_servicer: health.aio.HealthServicer, service_names: Iterable[str],
                          ready: Readiness, name: str = "") -> None:
    """Keep the health status of "" and every service in step with `ready`, forever (cancel to stop)."""
    names = ["", *service_names]
    serving: bool | None = None
    backoff = READY_BACKOFF_MIN
    while True:
        try:
            await asyncio.wait_for(ready(), READY_PROBE_TIMEOUT)
            now, reason = True, ""
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready yet"
            now, reason = False, f"{type(exc).__name__}: {exc}"[:300]
        if now != serving:
            status = health_pb2.HealthCheckResponse.SERVING if now else health_pb2.HealthCheckResponse.NOT_SERVING
            for service in names:
                await health_servicer.set(service, status)
            log.log(logging.INFO if now else logging.WARNING, "serving" if now else "not serving",
                    extra={"fields": {"service": name, "reason": reason}})
            serving = now
        if now:
            backoff = READY_BACKOFF_MIN
            await asyncio.sleep(READY_INTERVAL)
        else:
            await asyncio.sleep(backoff)
            backoff = min(READY_BACKOFF_MAX, backoff * 2)


async def create_server(
    registrars: Iterable[Registrar],
    service_names: Iterable[str],
    port: int = 0,
    host: str = "127.0.0.1",
    extra_interceptors: Iterable[grpc.aio.ServerInterceptor] = (),
    ready: Readiness | None = None,
    *,
    internal_token: str | None,
) -> tuple[grpc.aio.Server, int, health.aio.HealthServicer]:
    """Build and start a server; returns (server, bound port, health servicer).

    With `ready` the server starts NOT_SERVING; call `watch_readiness` to flip it (serve does).
    `internal_token`: the token every RPC must carry (an engine), or None for the public gateway. It has
    no default so that no caller can build an open engine by forgetting it.
    """
    auth = [InternalTokenInterceptor(internal_token)] if internal_token is not None else []
    server = grpc.aio.server(interceptors=[*auth, *extra_interceptors, ContextInterceptor()])
    for register in registrars:
        register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = list(service_names)
    reflection.enable_server_reflection(
        [*names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME], server)
    bound = server.add_insecure_port(f"{host}:{port}")
    if bound == 0:
        raise RuntimeError(f"cannot bind {host}:{port}")
    await server.start()
    initial = health_pb2.HealthCheckResponse.SERVING if ready is None else health_pb2.HealthCheckResponse.NOT_SERVING
    for name in ["", *names]:
        await health_servicer.set(name, initial)
    return server, bound, health_servicer


def run_engine(name: str, settings_type, build) -> None:
    """The one `main` of every engine process: JSON logs, settings from the environment, `build(settings)`
    (a Built), then serve it on the settings' host and port with health following `Built.ready`."""
    logs.setup(name)

    async def run() -> None:
        settings = settings_type.from_env()
        built = await build(settings)
        await serve(name, built.registrars, built.service_names, settings.port, settings.host,
                    on_shutdown=built.cleanup, ready=built.ready)

    asyncio.run(run())


async def serve(
    name: str,
    registrars: Iterable[Registrar],
    service_names: Iterable[str],
    port: int,
    host: str,
    on_shutdown: Callable[[], Awaitable[None]] | None = None,
    extra_interceptors: Iterable[grpc.aio.ServerInterceptor] = (),
    grace_seconds: float = 5.0,
    ready: Readiness | None = None,
    public: bool = False,
) -> None:
    """Run a service until SIGTERM/SIGINT, then drain gracefully; health follows `ready` when given.

    An engine (public=False) needs INTERNAL_TOKEN and refuses to start without it.
    """
    service_names = list(service_names)
    server, bound, health_servicer = await create_server(
        registrars, service_names, port, host, extra_interceptors, ready=ready,
        internal_token=None if public else require_token())
    log.info("listening", extra={"fields": {"service": name, "address": f"{host}:{bound}"}})
    watcher = (asyncio.create_task(watch_readiness(health_servicer, service_names, ready, name),
                                   name=f"{name}-readiness") if ready is not None else None)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down", extra={"fields": {"service": name}})
    if watcher is not None:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
    await health_servicer.enter_graceful_shutdown()
    await server.stop(grace_seconds)
    if on_shutdown is not None:
        await on_shutdown()
    log.info("stopped", extra={"fields": {"service": name}})
