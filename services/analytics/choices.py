"""Validation of enumerated request fields: the value must be one of a fixed set, else INVALID_ARGUMENT.

The same fixed dicts also hold the SQL fragments a choice selects, so nothing from a request ever reaches
SQL text: a request value is only ever used as a key into one of these dicts.
"""
from __future__ import annotations

from collections.abc import Mapping

from services.common.errors import InvalidArgument


def choose(value: str, field: str, allowed: Mapping[str, object] | tuple[str, ...], default: str | None = None) -> str:
    """The normalised choice, or INVALID_ARGUMENT listing what is accepted."""
    key = (value or "").strip().lower()
    if key == "" and default is not None:
        return default
    if key in allowed:
        return key
    shown = "、".join(k or '""' for k in allowed)
    raise InvalidArgument(f"{field} に「{value}」は指定できません。指定できる値: {shown}")


def bounded_int(value: int, field: str, low: int, high: int, default: int) -> int:
    """0 means "not given" (proto3 default) → default; otherwise low..high."""
    if value == 0:
        return default
    if not low <= value <= high:
        raise InvalidArgument(f"{field} は {low}〜{high} の範囲で指定してください（現在: {value}）")
    return value
