"""Limits of the public API, checked on every request before any work is done (no grpc import).

`check(message)` walks a request (nested messages too) and holds every set field to the rule for its
name: a length bound for text, a list bound for repeated fields, the accepted date range for dates and
the allowed words for enumerations. The gateway's intake interceptor runs it for every public RPC and the
WebSocket bridge runs it for every message, so a 4 MB `location` is refused in microseconds, before it is
parsed, appended to a query, sent to an engine or stored. Engines keep their own domain checks (a known
site, a valid category); this module only guarantees that nothing oversized or malformed reaches them.

Limits are the widths of the columns the values end up in (db/schema.sql) or the engines' own limits.
Messages never quote a long value back (services.common.echo.clip).
"""
from __future__ import annotations

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from services.common import dates
from services.common.echo import clip
from services.common.errors import InvalidArgument
from services.intent.engine import MAX_QUERY_CHARS as INTENT_QUERY_CHARS
from services.knowledge import validation as knowledge_limits

MAX_QUERY_CHARS = INTENT_QUERY_CHARS  # a consultation or chat message: the intent engine reads at most this
MAX_SITE_CHARS = 32              # locations.location_name VARCHAR(32)
MAX_ID_CHARS = 64                # chat_messages.session_id/user_id, knowledge doc_id, adjusted_by VARCHAR(64)
MAX_WORD_CHARS = 32              # filters and choices: process, category, severity, granularity ...
MAX_REASON_CHARS = 500           # assignment_adjustments.reason VARCHAR(500)
MAX_PAGE_TOKEN_CHARS = 256
MAX_OTHER_CHARS = 256            # any text field without its own rule
MAX_LIST_ITEMS = 1_000           # any repeated field (employee ids ...)
URGENCIES = ("low", "medium", "high")

# Field name → longest accepted value (characters). A name means the same thing in every message.
TEXT_LIMITS: dict[str, int] = {
    "query": MAX_QUERY_CHARS, "message": MAX_QUERY_CHARS, "q": knowledge_limits.MAX_QUERY_CHARS,
    "location": MAX_SITE_CHARS,
    "session_id": MAX_ID_CHARS, "user_id": MAX_ID_CHARS, "doc_id": MAX_ID_CHARS, "adjusted_by": MAX_ID_CHARS,
    "process": MAX_WORD_CHARS, "category": MAX_WORD_CHARS, "severity": MAX_WORD_CHARS, "status": MAX_WORD_CHARS,
    "alert_type": MAX_WORD_CHARS, "granularity": MAX_WORD_CHARS, "group_by": MAX_WORD_CHARS,
    "period": MAX_WORD_CHARS, "time_block": MAX_WORD_CHARS, "test_type": MAX_WORD_CHARS,
    "cutoff_time": MAX_WORD_CHARS, "urgency": MAX_WORD_CHARS,
    "reason": MAX_REASON_CHARS, "page_token": MAX_PAGE_TOKEN_CHARS,
    "text": knowledge_limits.MAX_TEXT_CHARS, "title": knowledge_limits.MAX_TITLE_CHARS,
    "source": knowledge_limits.MAX_SOURCE_CHARS,
    "context_type": knowledge_limits.MAX_CONTEXT_TYPE_CHARS, "context_key": knowledge_limits.MAX_CONTEXT_KEY_CHARS,
    "context_value": knowledge_limits.MAX_CONTEXT_VALUE_CHARS,
}
# The exceptions, by message: where a field name means something else. An import's `text` is a whole file,
# bounded by the import door itself (services/gateway/imports.py says how big and what to do instead).
MESSAGE_TEXT_LIMITS: dict[str, dict[str, int]] = {
    "aimee.gateway.v1.CreateImportRequest": {"text": 1 << 20},  # Envoy's body limit bounds it anyway
}
DATE_FIELDS = frozenset({"date", "date_from", "date_to", "start_date", "reference_date"})
CHOICES: dict[str, tuple[str, ...]] = {"urgency": URGENCIES}


def text_limit(name: str, message: str = "") -> int:
    override = MESSAGE_TEXT_LIMITS.get(message, {})
    return override.get(name) or TEXT_LIMITS.get(name, MAX_OTHER_CHARS)


def check_text(name: str, value: str, path: str = "", message: str = "") -> None:
    """One text field against its rule; raises InvalidArgument naming the field and the limit."""
    label = path or name
    limit = text_limit(name, message)
    if len(value) > limit:
        raise InvalidArgument(f"{label} は {limit:,} 文字以内にしてください（現在 {len(value):,} 文字）")
    if "\x00" in value:
        raise InvalidArgument(f"{label} に制御文字（NUL）は使えません")
    if name in DATE_FIELDS and value:
        dates.parse_date(value, label)
    allowed = CHOICES.get(name)
    if allowed and value and value not in allowed:
        raise InvalidArgument(f"{label} は {' / '.join(allowed)} のいずれかで指定してください（現在: {clip(value)!r}）")


def check(message: Message, prefix: str = "") -> Message:
    """Every set field of `message` (recursively) against its rule; returns the message unchanged."""
    for field, value in message.ListFields():
        path = f"{prefix}{field.name}"
        if field.is_repeated:
            if len(value) > MAX_LIST_ITEMS:
                raise InvalidArgument(f"{path} は最大 {MAX_LIST_ITEMS:,} 件までです（現在 {len(value):,} 件）")
            items = value
        else:
            items = (value,)
        for item in items:
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                check(item, f"{path}.")
            elif field.type == FieldDescriptor.TYPE_STRING:
                check_text(field.name, item, path, message.DESCRIPTOR.full_name)
    return message


def required_text(value: str, label: str, what: str) -> str:
    """A field the request cannot do without: stripped, or InvalidArgument saying what to send."""
    text = (value or "").strip()
    if not text:
        raise InvalidArgument(f"{label}（{what}）を指定してください")
    return text


def query_text(query: str) -> str:
    """The consultation text: required, stripped, within MAX_QUERY_CHARS."""
    text = required_text(query, "query", "相談内容")
    check_text("query", text)
    return text
