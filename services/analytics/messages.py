"""Domain dict → protobuf message, strictly (an unknown key is a bug and raises) and fast.

json_format.ParseDict walks every value in Python and was half the time of a 6 000-point trend; this sets
fields straight on the upb message. google.protobuf.Struct fields take the dict as it is (evidence,
related records).
"""
from __future__ import annotations

from google.protobuf.message import Message

STRUCT = "google.protobuf.Struct"


def to_message(message: Message, data: dict) -> Message:
    fields = message.DESCRIPTOR.fields_by_name
    for key, value in data.items():
        field = fields[key]  # KeyError: the domain and the proto disagree — fix one of them
        target = field.message_type
        if target is None:
            if field.is_repeated:
                getattr(message, key).extend(value)
            else:
                setattr(message, key, value)
        elif target.full_name == STRUCT:
            if field.is_repeated:
                for item in value:
                    getattr(message, key).add().update(item)
            else:
                getattr(message, key).update(value)
        elif field.is_repeated:
            container = getattr(message, key)
            for item in value:
                to_message(container.add(), item)
        else:
            to_message(getattr(message, key), value)
    return message
