"""Quoting a caller's value back in an error message, never more than a glance of it.

A 1 MB `location` must not come back as a 1 MB message (it fills logs and the response, and Envoy
refuses to transcode it); the manager only needs enough to recognise what they sent.
"""
from __future__ import annotations

ECHO_CHARS = 40


def clip(value: object, limit: int = ECHO_CHARS) -> str:
    """`value` as text, cut to `limit` characters with an ellipsis and the full length when longer."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…（全{len(text)}文字）"
