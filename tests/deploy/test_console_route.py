"""Envoy with the console: the static server is a catch-all placed after every API route, the API's own
routes keep the transcoder (so unknown /api paths still get the JSON 404), native gRPC still passes,
and the config validates in the real Envoy."""
from __future__ import annotations

from services.launcher.envoy_config import TRANSCODER, build_envoy_config, render_envoy_config
from tests.deploy.test_envoy_config import envoy_validate, render_kwargs, routes_of


def test_console_route_is_last_and_api_routes_unchanged_before_it():
    without = routes_of(build_envoy_config(**render_kwargs()))
    config = build_envoy_config(**render_kwargs(webui_port=8020))
    routes = routes_of(config)
    names = [r["name"] for r in routes]
    assert names[-1] == "console" and names[-4:-1] == ["api", "health", "grpc"]
    assert [r["name"] for r in without][:-1] == names[:-4]  # websocket + long-running routes untouched
    console = routes[-1]
    assert console["match"] == {"prefix": "/"} and console["route"]["cluster"] == "webui"
    assert console["typed_per_filter_config"][TRANSCODER]["disabled"] is True
    by_name = {r["name"]: r for r in routes}
    assert by_name["api"]["match"] == {"prefix": "/api/"} and by_name["health"]["match"] == {"path": "/health"}
    assert by_name["grpc"]["match"] == {"prefix": "/", "grpc": {}}
    assert all(by_name[n]["route"]["cluster"] == "gateway_grpc" for n in ("api", "health", "grpc"))
    clusters = {c["name"] for c in config["static_resources"]["clusters"]}
    assert clusters == {"gateway_grpc", "gateway_ws", "webui"}


def test_without_console_the_config_is_as_before():
    routes = routes_of(build_envoy_config(**render_kwargs()))
    assert routes[-1]["name"] == "api" and routes[-1]["match"] == {"prefix": "/"}


def test_console_config_validates_in_envoy(tmp_path):
    path = tmp_path / "envoy.json"
    path.write_text(render_envoy_config(**render_kwargs(webui_host="web", webui_port=8080)))
    envoy_validate(path)
