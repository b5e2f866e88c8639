"""docker-compose.yml (no Docker engine here, so the file is checked as data): every long-running service
has a healthcheck, every dependency waits on a condition, MySQL gets no query-cache flag, Chroma and the
storage services are not published, each engine's healthcheck probes the port it listens on, the engines sit on an
internal network with the internal token, and Envoy's admin is a unix socket."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML (installed with chromadb) parses docker-compose.yml")

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
ENGINES = {"intent": 50051, "analytics": 50052, "solver": 50053, "knowledge": 50054, "synthesis": 50055,
           "gateway": 50050}
CONDITIONS = {"service_healthy", "service_completed_successfully"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def is_one_shot(service: dict) -> bool:
    return service.get("restart") == "no"


def test_expected_services(services):
    expected = {"mysql", "redis", "chromadb", "db-init", "envoy", "web", *ENGINES}
    assert expected <= set(services)
    optional = set(services) - expected
    assert all("llm" in services[name].get("profiles", []) for name in optional), optional


def test_every_long_running_service_has_a_healthcheck(services):
    for name, service in services.items():
        if is_one_shot(service):
            continue
        check = service.get("healthcheck")
        assert check and check.get("test") and not check.get("disable"), f"{name}: no healthcheck"


def test_every_dependency_waits_on_a_condition(services):
    for name, service in services.items():
        deps = service.get("depends_on", {})
        assert isinstance(deps, dict), f"{name}: depends_on must be a mapping with conditions"
        for dep, spec in deps.items():
            assert dep in services, f"{name} depends on unknown {dep}"
            assert "profiles" not in services[dep], f"{name} depends on optional {dep}"
            condition = spec.get("condition")
            assert condition in CONDITIONS, f"{name} -> {dep}: condition {condition!r}"
            if condition == "service_healthy":
                assert "healthcheck" in services[dep], f"{name} waits for {dep} healthy but it has none"
            else:
                assert is_one_shot(services[dep]), f"{name} waits for {dep} to complete but it restarts"
    for name in (*ENGINES, "db-init", "envoy"):
        assert services[name].get("depends_on"), f"{name} starts without waiting for anything"
    assert services["db-init"]["depends_on"]["mysql"]["condition"] == "service_healthy"
    for name in ENGINES:
        assert services[name]["depends_on"]["db-init"]["condition"] == "service_completed_successfully"
    for name in ENGINES:
        if name != "gateway":
            assert services["gateway"]["depends_on"][name]["condition"] == "service_healthy"
    assert services["envoy"]["depends_on"]["gateway"]["condition"] == "service_healthy"


def test_mysql_flags(services):
    text = COMPOSE.read_text(encoding="utf-8").lower()
    assert "query-cache" not in text and "query_cache" not in text  # MySQL 8 refuses to start with it
    mysql = services["mysql"]
    assert mysql["image"].startswith("mysql:8")
    flags = " ".join(mysql["command"])
    assert "--character-set-server=utf8mb4" in flags
    assert "mysqladmin" in " ".join(mysql["healthcheck"]["test"])
    assert "-u aimee_user" in " ".join(mysql["healthcheck"]["test"])


def test_only_envoy_is_published(services):
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"envoy"}
    assert "ports" not in services["chromadb"]
    assert any(str(p).endswith(":8000") for p in services["envoy"]["ports"])
    assert "chroma-data:/data" in services["chromadb"]["volumes"]


def test_engines_probe_their_own_port_and_gateway_addresses_match(services):
    for name, port in ENGINES.items():
        service = services[name]
        env = service["environment"]
        assert str(env[f"{name.upper()}_PORT"]) == str(port)
        assert env["SERVICE_BIND_HOST"] == "0.0.0.0"
        assert service["healthcheck"]["test"] == ["CMD", "python", "deploy/healthcheck.py", f"127.0.0.1:{port}"]
        assert service["command"] == ["python", "-m", f"services.{name}.server"]
        assert (REPO / "services" / name / "server.py").is_file(), f"services/{name}/server.py missing"
    gateway_env = services["gateway"]["environment"]
    for name, port in ENGINES.items():
        if name != "gateway":
            assert gateway_env[f"{name.upper()}_ADDR"] == f"{name}:{port}"
    assert gateway_env["AIMEE_API_TOKENS"] == "${AIMEE_API_TOKENS:?set AIMEE_API_TOKENS}"
    knowledge_env = services["knowledge"]["environment"]
    assert knowledge_env["CHROMADB_HOST"] == "chromadb" and str(knowledge_env["CHROMADB_PORT"]) == "8000"


def test_database_url_and_one_shot_commands(services):
    url = services["db-init"]["environment"]["DATABASE_URL"]
    assert re.fullmatch(r"mysql://aimee_user:\$\{MYSQL_PASSWORD[^}]*\}@mysql:3306/aimee_db", url), url
    command = " ".join(services["db-init"]["command"])
    assert "python -m db.apply" in command and "python -m db.load" in command
    for module in ("apply", "load"):
        assert (REPO / "db" / f"{module}.py").is_file()
    assert (REPO / "deploy" / "healthcheck.py").is_file()


def test_envoy_container_renders_and_execs(services):
    command = services["envoy"]["command"]
    assert command[:3] == ["python", "-m", "services.launcher.envoy_config"]
    assert "--exec" in command
    args = dict(zip(command[3::2], command[4::2]))
    assert args["--listen-host"] == "0.0.0.0"
    assert args["--gateway-grpc-host"] == "gateway" and args["--ws-host"] == "gateway"
    assert args["--gateway-grpc-port"] == "50050" and args["--ws-port"] == "8010"


def test_every_built_service_uses_the_one_image(services):
    built = {name: s for name, s in services.items() if "build" in s and name != "web"}
    assert set(built) == {"db-init", "envoy", *ENGINES}
    assert {s["build"]["dockerfile"] for s in built.values()} == {"deploy/Dockerfile"}
    assert len({s["image"] for s in built.values()}) == 1
    assert (REPO / "deploy" / "Dockerfile").is_file()


def test_engines_sit_on_an_internal_network_that_only_envoy_bridges(compose, services):
    networks = compose["networks"]
    assert networks["mesh"]["internal"] is True
    for name, service in services.items():
        assert service.get("networks"), f"{name} would join the default (routable) network"
        if name == "envoy":
            continue
        routable = [n for n in service["networks"] if not networks[n].get("internal")]
        if "llm" in service.get("profiles", []):
            assert routable == ["models"] and "ports" not in service, name  # pulls models, publishes nothing
            continue
        assert routable == [], f"{name} is reachable from outside the mesh via {routable}"
    for name in (*ENGINES, "mysql", "redis", "chromadb", "db-init"):
        assert services[name]["networks"] == ["mesh"], name
    assert set(services["envoy"]["networks"]) == {"edge", "mesh"}
    assert not networks["edge"].get("internal")


def test_every_engine_and_the_gateway_get_the_internal_token(services):
    expected = "${INTERNAL_TOKEN:?set INTERNAL_TOKEN (e.g. openssl rand -hex 32)}"
    for name in ENGINES:
        assert services[name]["environment"]["INTERNAL_TOKEN"] == expected, name
    for name in ("envoy", "db-init", "mysql", "redis", "chromadb"):
        assert "INTERNAL_TOKEN" not in (services[name].get("environment") or {}), f"{name} needs no engine access"


def test_envoy_admin_is_a_unix_socket_and_never_published(services):
    envoy = services["envoy"]
    args = dict(zip(envoy["command"][3::2], envoy["command"][4::2]))
    assert "--admin-port" not in envoy["command"]
    socket_path = args["--admin-socket"]
    assert socket_path.startswith("/")
    assert envoy["healthcheck"]["test"] == ["CMD", "python", "deploy/healthcheck.py", f"unix:{socket_path}", "/ready"]
    assert [str(p).rsplit(":", 1)[-1] for p in envoy["ports"]] == ["8000"]  # the public listener only
    assert "expose" not in envoy


def test_console_is_built_from_web_and_routed_by_envoy(services):
    web = services["web"]
    assert web["build"]["dockerfile"] == "web/Dockerfile" and (REPO / "web" / "Dockerfile").is_file()
    assert "ports" not in web  # reached only through Envoy
    command = services["envoy"]["command"]
    assert dict(zip(command[3::2], command[4::2]))["--webui-addr"] == "web:8080"
    assert services["envoy"]["depends_on"]["web"]["condition"] == "service_healthy"
    assert "listen 8080;" in (REPO / "web" / "nginx.conf").read_text()
