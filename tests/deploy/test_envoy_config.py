"""Envoy config: the rendered config passes `envoy --mode validate` with the real descriptor set, routes
/ws/ as WebSocket and transcodes all seven public services; and a real Envoy in front of a throwaway
gRPC server answers Envoy's own errors (unknown path, malformed JSON) with the same JSON error shape
as transcoded gRPC errors."""
from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import grpc
import httpx
import pytest
from google.protobuf import descriptor_pb2

from services.launcher.envoy_config import (
    BUFFER,
    GATEWAY_SERVICES,
    MAX_REQUEST_BYTES,
    TRANSCODER,
    build_envoy_config,
    envoy_binary,
    main as envoy_config_main,
    render_envoy_config,
)
from tests.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
DESCRIPTOR = REPO / "deploy" / "gen" / "aimee.pb"


def envoy_validate(config_path: Path) -> None:
    proc = subprocess.run([envoy_binary(), "--mode", "validate", "-c", str(config_path), "-l", "error",
                           "--disable-hot-restart"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"envoy --mode validate failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


def render_kwargs(**overrides) -> dict:
    kw = dict(listen_host="127.0.0.1", listen_port=free_port(),
              admin_socket=Path(tempfile.gettempdir()) / f"aimee-envoy-admin-{uuid.uuid4().hex[:8]}.sock",
              gateway_grpc_host="127.0.0.1", gateway_grpc_port=free_port(), ws_host="127.0.0.1",
              ws_port=free_port(), descriptor_path=DESCRIPTOR)
    kw.update(overrides)
    return kw


def hcm_of(config: dict) -> dict:
    return config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]


def transcoder_of(config: dict) -> dict:
    filters = {f["name"]: f["typed_config"] for f in hcm_of(config)["http_filters"]}
    return filters[TRANSCODER]


def routes_of(config: dict) -> list[dict]:
    return hcm_of(config)["route_config"]["virtual_hosts"][0]["routes"]


def test_descriptor_set_exists():
    assert DESCRIPTOR.is_file(), "deploy/gen/aimee.pb missing: run `make gen` (tools/gen_protos.sh)"


def test_rendered_config_passes_envoy_validate(tmp_path):
    path = tmp_path / "envoy.json"
    path.write_text(render_envoy_config(**render_kwargs(access_log_path=str(tmp_path / "access.log"))))
    envoy_validate(path)


def test_compose_style_config_with_service_names_validates(tmp_path):
    """Host names (compose service names) become STRICT_DNS clusters; the config still validates."""
    out = tmp_path / "envoy.json"
    assert envoy_config_main([
        "--out", str(out), "--listen-host", "0.0.0.0", "--listen-port", "8000",
        "--admin-socket", "/tmp/envoy-admin.sock",
        "--gateway-grpc-host", "gateway", "--gateway-grpc-port", "50050", "--ws-host", "gateway",
        "--ws-port", "8010", "--descriptor", str(DESCRIPTOR)]) == 0
    config = json.loads(out.read_text())
    clusters = {c["name"]: c for c in config["static_resources"]["clusters"]}
    assert clusters["gateway_grpc"]["type"] == "STRICT_DNS"
    assert config["admin"]["address"] == {"pipe": {"path": "/tmp/envoy-admin.sock", "mode": 0o600}}
    envoy_validate(out)


def test_transcoder_lists_every_gateway_service_in_the_descriptor():
    fds = descriptor_pb2.FileDescriptorSet.FromString(DESCRIPTOR.read_bytes())
    in_descriptor = {f"{f.package}.{s.name}" for f in fds.file if f.package == "aimee.gateway.v1"
                     for s in f.service}
    assert len(GATEWAY_SERVICES) == len(set(GATEWAY_SERVICES))  # each once
    assert set(GATEWAY_SERVICES) == in_descriptor

    transcoder = transcoder_of(build_envoy_config(**render_kwargs()))
    assert transcoder["services"] == list(GATEWAY_SERVICES)
    assert transcoder["proto_descriptor"] == str(DESCRIPTOR.resolve())
    assert transcoder["print_options"] == {
        "add_whitespace": False, "always_print_primitive_fields": True,
        "always_print_enums_as_ints": False, "preserve_proto_field_names": True}
    assert transcoder["convert_grpc_status"] is True
    assert transcoder["match_incoming_request_route"] is True
    assert transcoder["auto_mapping"] is False
    assert transcoder["request_validation_options"] == {
        "reject_unknown_method": True, "reject_unknown_query_parameters": True}


def test_routes_websocket_then_long_running_then_api():
    config = build_envoy_config(**render_kwargs(route_timeout_s=30))
    routes = routes_of(config)
    ws = routes[0]
    assert ws["match"] == {"prefix": "/ws/"}
    assert ws["route"]["cluster"] == "gateway_ws"
    assert ws["route"]["upgrade_configs"] == [{"upgrade_type": "websocket"}]
    assert ws["route"]["timeout"] == "0s"
    assert ws["route"]["idle_timeout"] == "3600s"
    assert ws["typed_per_filter_config"][TRANSCODER]["disabled"] is True

    by_path = {r["match"].get("path"): r for r in routes if "path" in r["match"]}
    assert by_path["/api/v1/benchmark"]["route"]["timeout"] == "600s"
    assert by_path["/aimee.gateway.v1.AiService/RunBenchmark"]["route"]["timeout"] == "600s"
    assert by_path["/api/v1/knowledge/documents"]["route"]["timeout"] == "600s"

    catch_all = routes[-1]
    assert catch_all["match"] == {"prefix": "/"}
    assert catch_all["route"] == {"cluster": "gateway_grpc", "timeout": "30s"}
    assert "upgrade_configs" not in catch_all["route"]

    clusters = {c["name"]: c for c in config["static_resources"]["clusters"]}
    assert clusters["gateway_grpc"]["type"] == "STATIC"
    options = clusters["gateway_grpc"]["typed_extension_protocol_options"][
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
    assert "http2_protocol_options" in options["explicit_http_config"]
    assert "typed_extension_protocol_options" not in clusters["gateway_ws"]  # HTTP/1.1 for the upgrade

    hcm = hcm_of(config)
    assert hcm["generate_request_id"] is True
    log_format = hcm["access_log"][0]["typed_config"]["log_format"]["json_format"]
    assert log_format["request_id"] == "%REQ(X-REQUEST-ID)%"


def test_request_bodies_are_limited_to_1_mib_except_websockets():
    config = build_envoy_config(**render_kwargs())
    filters = [f["name"] for f in hcm_of(config)["http_filters"]]
    assert filters.index(BUFFER) < filters.index(TRANSCODER), "refused before the transcoder buffers it"
    buffer = {f["name"]: f["typed_config"] for f in hcm_of(config)["http_filters"]}[BUFFER]
    assert buffer["max_request_bytes"] == MAX_REQUEST_BYTES == 1024 * 1024
    assert routes_of(config)[0]["typed_per_filter_config"][BUFFER]["disabled"] is True


# --- a real Envoy in front of a throwaway gRPC server ---------------------------------------------

def _fake_gateway_server(port: int) -> grpc.aio.Server:
    from aimee.gateway.v1 import gateway_pb2 as pb
    from aimee.gateway.v1 import gateway_pb2_grpc as pbg

    class Mesh(pbg.MeshStatusServiceServicer):
        async def GetHealth(self, request, context):
            rid = dict(context.invocation_metadata()).get("x-request-id", "")
            return pb.GetHealthResponse(status="ok", components=[
                pb.ComponentHealth(name="intent", status="ok", detail=rid, latency_ms=0.0)])

    class Alerts(pbg.AlertsApiServiceServicer):
        async def GetAlert(self, request, context):
            await context.abort(grpc.StatusCode.NOT_FOUND, f"アラートが見つかりません: {request.alert_id}")

    server = grpc.aio.server()
    pbg.add_MeshStatusServiceServicer_to_server(Mesh(), server)
    pbg.add_AlertsApiServiceServicer_to_server(Alerts(), server)  # ChatApiService left unregistered
    server.add_insecure_port(f"127.0.0.1:{port}")
    return server


@pytest.fixture(scope="module")
async def edge(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("envoy")
    kw = render_kwargs()
    server = _fake_gateway_server(kw["gateway_grpc_port"])
    await server.start()
    config = tmp / "envoy.json"
    config.write_text(render_envoy_config(**kw))
    log = (tmp / "envoy.log").open("w")
    proc = subprocess.Popen([envoy_binary(), "-c", str(config), "-l", "error", "--disable-hot-restart"],
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{kw['listen_port']}"
    try:
        async with httpx.AsyncClient(timeout=5.0) as client:
            deadline = time.monotonic() + 15
            while True:
                assert proc.poll() is None, (tmp / "envoy.log").read_text()[-3000:]
                try:
                    if (await admin_get(kw["admin_socket"], "/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "envoy not ready in 15 s"
                await asyncio.sleep(0.05)
            yield client, base, kw
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        Path(kw["admin_socket"]).unlink(missing_ok=True)
        await server.stop(0)


async def admin_get(socket_path, path: str, method: str = "GET") -> httpx.Response:
    """Envoy admin over its unix socket, as the operator reaches it."""
    async with httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(uds=str(socket_path)), timeout=5.0) as admin:
        return await admin.request(method, f"http://envoy-admin{path}")


def test_admin_listens_on_a_unix_socket_only():
    config = build_envoy_config(**render_kwargs())
    assert set(config["admin"]["address"]) == {"pipe"}
    assert config["admin"]["address"]["pipe"]["mode"] == 0o600
    with pytest.raises(ValueError, match="too long"):
        build_envoy_config(**render_kwargs(admin_socket="/tmp/" + "x" * 120))


async def test_admin_is_reachable_only_through_its_0600_socket(edge):
    client, base, kw = edge
    mode = os.stat(kw["admin_socket"]).st_mode
    assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600  # no other account may connect
    dump = await admin_get(kw["admin_socket"], "/config_dump")
    assert dump.status_code == 200 and "grpc_json_transcoder" in dump.text
    # The public listener has no admin routes: /quitquitquit is just an unknown path there.
    resp = await client.post(f"{base}/quitquitquit")
    assert resp.status_code == 404 and resp.json()["code"] == 5
    assert (await client.get(f"{base}/config_dump")).status_code == 404
    assert (await admin_get(kw["admin_socket"], "/ready")).text.strip() == "LIVE"  # Envoy still up


async def test_success_is_snake_case_with_zero_values_and_request_id(edge):
    client, base, _ = edge
    resp = await client.get(f"{base}/health", headers={"x-request-id": "deploy-test-rid"})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["x-request-id"] == "deploy-test-rid"
    body = resp.json()
    assert body == {"status": "ok", "version": "", "components": [
        {"name": "intent", "status": "ok", "detail": "deploy-test-rid", "latency_ms": 0}]}

    generated = await client.get(f"{base}/health")
    rid = generated.headers["x-request-id"]
    assert rid and generated.json()["components"][0]["detail"] == rid


async def test_unknown_path_and_wrong_method_are_json_404(edge):
    client, base, _ = edge
    resp = await client.get(f"{base}/api/v1/nope?x=1")
    assert resp.status_code == 404
    assert resp.headers["content-type"] == "application/json"
    assert resp.json() == {"code": 5, "message": "パスが見つかりません: GET /api/v1/nope"}
    wrong_method = await client.delete(f"{base}/health")
    assert wrong_method.status_code == 404
    assert wrong_method.json()["message"] == "パスが見つかりません: DELETE /health"


async def test_malformed_json_and_unknown_query_parameter_are_json_400(edge):
    client, base, _ = edge
    resp = await client.post(f"{base}/api/v1/chat/messages", content=b"{bad json",
                             headers={"content-type": "application/json"})
    assert resp.status_code == 400
    assert resp.headers["content-type"] == "application/json"
    body = resp.json()
    assert body["code"] == 3
    assert body["message"].startswith("リクエストの形式が正しくありません: ")
    unknown = await client.get(f"{base}/api/v1/chat/history", params={"session_id": "s", "bogus": "1"})
    assert unknown.status_code == 400
    assert "bogus" in unknown.json()["message"]


async def test_grpc_errors_keep_their_message_and_map_to_http(edge):
    client, base, _ = edge
    not_found = await client.get(f"{base}/api/v1/alerts/5")
    assert not_found.status_code == 404
    assert not_found.json()["code"] == 5
    assert not_found.json()["message"] == "アラートが見つかりません: 5"
    unimplemented = await client.get(f"{base}/api/v1/chat/history", params={"session_id": "s"})
    assert unimplemented.status_code == 501
    assert unimplemented.json()["code"] == 12


async def test_native_grpc_passes_through(edge):
    from aimee.gateway.v1 import gateway_pb2 as pb
    from aimee.gateway.v1 import gateway_pb2_grpc as pbg

    _, _, kw = edge
    async with grpc.aio.insecure_channel(f"127.0.0.1:{kw['listen_port']}") as channel:
        reply = await pbg.MeshStatusServiceStub(channel).GetHealth(
            pb.GetHealthRequest(), metadata=(("x-request-id", "grpc-rid"),), timeout=5)
        assert reply.components[0].detail == "grpc-rid"
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await pbg.AlertsApiServiceStub(channel).GetAlert(pb.GetAlertRequest(alert_id=3), timeout=5)
        assert err.value.code() == grpc.StatusCode.NOT_FOUND
        assert err.value.details() == "アラートが見つかりません: 3"


async def test_a_body_over_1_mib_is_413_with_the_json_error_body(edge):
    client, base, _ = edge
    body = json.dumps({"session_id": "s", "message": "あ" * 400_000}, ensure_ascii=False).encode()
    assert len(body) > MAX_REQUEST_BYTES
    resp = await client.post(f"{base}/api/v1/chat/messages", content=body,
                             headers={"content-type": "application/json"})
    assert resp.status_code == 413
    assert resp.headers["content-type"] == "application/json"
    assert resp.json()["message"].startswith("リクエストが大きすぎます（上限 1 MiB）")
    assert len(resp.text) < 300
