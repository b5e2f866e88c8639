"""Regenerate the REST requests that mirror an engine request, from the engine's .proto (fields and comments).

GET routes read query parameters into top-level fields, so such a REST request cannot embed the engine
message; instead its body is generated from the engine message by this tool, never edited by hand:

    python tools/sync_rest_mirrors.py           # rewrite protos/aimee/gateway/v1/gateway.proto
    python tools/sync_rest_mirrors.py --check   # exit 1 if a mirror drifted (tests/gateway/test_rest_mirrors.py)
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GATEWAY = REPO / "protos/aimee/gateway/v1/gateway.proto"
# gateway message -> (engine .proto, engine message)
MIRRORS = {
    "GetProductivityRequest": ("analytics/v1/analytics.proto", "GetProductivityTrendRequest"),
    "GetAttendanceRequest": ("analytics/v1/analytics.proto", "GetAttendancePatternRequest"),
    "GetAlertStatisticsRequest": ("analytics/v1/analytics.proto", "GetAlertStatsRequest"),
    "ListAlertsRequest": ("analytics/v1/analytics.proto", "ListAlertsRequest"),
    "DetectAlertsRequest": ("analytics/v1/analytics.proto", "DetectAlertsRequest"),
    "GetCurrentAssignmentsRequest": ("solver/v1/solver.proto", "GetCurrentAssignmentsRequest"),
    "UpdateAssignmentRequest": ("solver/v1/solver.proto", "UpdateAssignmentRequest"),
    "GetAssignmentHistoryRequest": ("solver/v1/solver.proto", "GetAssignmentHistoryRequest"),
}


def _body(text: str, message: str) -> tuple[int, int]:
    """(start, end) of the text between `message X {` and its closing brace (messages here are flat)."""
    match = re.search(rf"^message {message} \{{\n", text, re.M)
    if not match:
        raise SystemExit(f"message {message} not found")
    end = text.index("\n}", match.end())
    return match.end(), end + 1


def synced(gateway_text: str) -> str:
    for rest, (proto, engine) in MIRRORS.items():
        source = (REPO / "protos/aimee" / proto).read_text(encoding="utf-8")
        s, e = _body(source, engine)
        g_s, g_e = _body(gateway_text, rest)
        gateway_text = gateway_text[:g_s] + source[s:e] + gateway_text[g_e:]
    return gateway_text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    current = GATEWAY.read_text(encoding="utf-8")
    wanted = synced(current)
    if args.check:
        if wanted != current:
            print("gateway.proto: REST mirrors drifted; run python tools/sync_rest_mirrors.py", file=sys.stderr)
            return 1
        return 0
    GATEWAY.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
