"""REST requests that mirror an engine's request (GET query parameters must be top-level fields, so the gateway
cannot embed the engine message) are generated from it by tools/sync_rest_mirrors.py: same field names,
numbers, types and comments. A field added or renamed on one side only fails here, not in a client."""
from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from aimee.analytics.v1 import analytics_pb2
from aimee.gateway.v1 import gateway_pb2
from aimee.solver.v1 import solver_pb2
from tools import sync_rest_mirrors

REPO = Path(__file__).resolve().parents[2]
ENGINE_MODULES = {"analytics/v1/analytics.proto": analytics_pb2, "solver/v1/solver.proto": solver_pb2}
MIRRORS = [(getattr(gateway_pb2, rest), getattr(ENGINE_MODULES[proto], engine))
           for rest, (proto, engine) in sync_rest_mirrors.MIRRORS.items()]


def _field_comments() -> dict[tuple[str, str], str]:
    """(message full name, field name) -> the field's leading comment, from Envoy's descriptor set."""
    files = descriptor_pb2.FileDescriptorSet.FromString((REPO / "deploy" / "gen" / "aimee.pb").read_bytes())
    out = {}
    for f in files.file:
        where = {tuple(loc.path): loc.leading_comments.strip() for loc in f.source_code_info.location}
        for m_index, message in enumerate(f.message_type):
            for f_index, field in enumerate(message.field):
                out[(f"{f.package}.{message.name}", field.name)] = where.get((4, m_index, 2, f_index), "")
    return out


COMMENTS = _field_comments()


def test_the_gateway_proto_is_what_the_generator_writes():
    assert sync_rest_mirrors.main(["--check"]) == 0, "run: python tools/sync_rest_mirrors.py"


@pytest.mark.parametrize("rest, engine", MIRRORS, ids=lambda m: m.DESCRIPTOR.name)
def test_rest_request_matches_the_engine_request(rest, engine):
    def shape(message):
        return {f.name: (f.number, f.type) for f in message.DESCRIPTOR.fields}

    assert shape(rest) == shape(engine)
    for field in engine.DESCRIPTOR.fields:
        assert COMMENTS[(rest.DESCRIPTOR.full_name, field.name)] == \
            COMMENTS[(engine.DESCRIPTOR.full_name, field.name)], field.name
