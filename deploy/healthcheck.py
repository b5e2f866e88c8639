"""Container healthcheck: exit 0 when the target is up, 1 otherwise (used by docker-compose.yml).

    python deploy/healthcheck.py 127.0.0.1:50051              # gRPC health: overall status SERVING
    python deploy/healthcheck.py 127.0.0.1:50051 SERVICE      # ... of one service name
    python deploy/healthcheck.py http://127.0.0.1:8000/health # HTTP: status 200
    python deploy/healthcheck.py unix:/tmp/envoy-admin.sock /ready  # HTTP over a unix socket (Envoy admin)

Standalone on purpose (grpcio + grpcio-health-checking + the standard library), so it runs in any image
built from requirements.txt and needs neither gen/ nor PYTHONPATH.
"""
from __future__ import annotations

import http.client
import socket
import sys
import urllib.request

TIMEOUT_S = 3.0


def check_grpc(target: str, service: str = "") -> bool:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=TIMEOUT_S)
        except grpc.RpcError as exc:
            print(f"{target}: {exc.code().name} {exc.details()}", file=sys.stderr)
            return False
    ok = reply.status == health_pb2.HealthCheckResponse.SERVING
    if not ok:
        print(f"{target}: {health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)}", file=sys.stderr)
    return ok


def check_http(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as resp:  # noqa: S310 - fixed local URL
            return resp.status == 200
    except OSError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return False


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str):
        super().__init__("localhost", timeout=TIMEOUT_S)
        self.unix_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(TIMEOUT_S)
        self.sock.connect(self.unix_path)


def check_unix_http(path: str, url_path: str) -> bool:
    conn = _UnixHTTPConnection(path)
    try:
        conn.request("GET", url_path)
        return conn.getresponse().status == 200
    except OSError as exc:
        print(f"unix:{path}{url_path}: {exc}", file=sys.stderr)
        return False
    finally:
        conn.close()


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__, file=sys.stderr)
        return 2
    target = argv[0]
    if target.startswith("unix:"):
        return 0 if check_unix_http(target[len("unix:"):], argv[1] if len(argv) > 1 else "/ready") else 1
    if target.startswith(("http://", "https://")):
        return 0 if check_http(target) else 1
    return 0 if check_grpc(target, argv[1] if len(argv) > 1 else "") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
