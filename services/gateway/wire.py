"""Proto → JSON dict exactly as Envoy renders it (snake_case names, zero values and empty lists kept),
so REST and WebSocket clients see one shape."""
from __future__ import annotations

from google.protobuf import json_format


def to_dict(message) -> dict:
    return json_format.MessageToDict(message, preserving_proto_field_name=True,
                                     always_print_fields_with_no_presence=True)
