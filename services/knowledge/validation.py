"""Request limits, checked before any work, with Japanese messages that state the limit."""
from __future__ import annotations

from collections.abc import Sequence

from services.common.errors import InvalidArgument
from services.knowledge.models import CATEGORIES

MAX_TEXT_CHARS = 200_000
MAX_TITLE_CHARS = 200
MAX_SOURCE_CHARS = 191        # knowledge_documents.source is a UNIQUE VARCHAR(191)
MAX_QUERY_CHARS = 1_000
MIN_TOP_K, MAX_TOP_K = 1, 50
MAX_CONTEXT_TYPE_CHARS = 32
MAX_CONTEXT_KEY_CHARS = 255
MAX_CONTEXT_VALUE_CHARS = 20_000  # TEXT holds 65,535 bytes: 20,000 characters of 3-byte UTF-8 fit
MAX_CONTEXT_IDS = 100
DEFAULT_RELEVANCE = 0.5


def text(value: str) -> str:
    if not value or not value.strip():
        raise InvalidArgument("本文（text）が空です。登録するノウハウの本文を入力してください")
    if len(value) > MAX_TEXT_CHARS:
        raise InvalidArgument(f"本文（text）は最大 {MAX_TEXT_CHARS:,} 文字までです（現在: {len(value):,} 文字）。"
                              "分割して登録してください")
    return value


def title(value: str, body: str) -> str:
    """The given title, or the body's first line when none was given."""
    value = (value or "").strip()
    if not value:
        first = next((line.strip().lstrip("#").strip() for line in body.splitlines() if line.strip()), "")
        value = first[:60] or "無題"
    if len(value) > MAX_TITLE_CHARS:
        raise InvalidArgument(f"タイトル（title）は最大 {MAX_TITLE_CHARS} 文字までです（現在: {len(value)} 文字）")
    return value


def category(value: str, required: bool = True) -> str:
    value = (value or "").strip()
    if not value and not required:
        return ""
    if value not in CATEGORIES:
        shown = f"「{value}」" if value else "（未指定）"
        raise InvalidArgument(f"カテゴリ{shown}は使えません。指定できるカテゴリ: {'、'.join(CATEGORIES)}")
    return value


def source(value: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_SOURCE_CHARS:
        raise InvalidArgument(f"出典（source）は最大 {MAX_SOURCE_CHARS} 文字までです（現在: {len(value)} 文字）")
    return value


def query(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidArgument("検索語（q）が空です。調べたい内容を入力してください")
    if len(value) > MAX_QUERY_CHARS:
        raise InvalidArgument(f"検索語（q）は最大 {MAX_QUERY_CHARS:,} 文字までです（現在: {len(value):,} 文字）")
    return value


def top_k(value: int, default: int) -> int:
    if value == 0:
        return default
    if not MIN_TOP_K <= value <= MAX_TOP_K:
        raise InvalidArgument(f"top_k は {MIN_TOP_K}〜{MAX_TOP_K} で指定してください（現在: {value}）")
    return value


def doc_id(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidArgument("ドキュメントID（doc_id）を指定してください")
    if len(value) > 64:
        raise InvalidArgument(f"ドキュメントID（doc_id）は最大 64 文字です（現在: {len(value)} 文字）")
    return value


def context_fields(context_type: str, key: str, value: str, relevance: float) -> tuple[str, str, str, float]:
    context_type, key = (context_type or "").strip(), (key or "").strip()
    if not context_type or len(context_type) > MAX_CONTEXT_TYPE_CHARS:
        raise InvalidArgument(f"context_type は 1〜{MAX_CONTEXT_TYPE_CHARS} 文字で指定してください"
                              "（例: implicit_knowledge, manager_feedback）")
    if not key or len(key) > MAX_CONTEXT_KEY_CHARS:
        raise InvalidArgument(f"context_key（キーワード）は 1〜{MAX_CONTEXT_KEY_CHARS} 文字で指定してください"
                              f"（現在: {len(key)} 文字）")
    if not value or not value.strip() or len(value) > MAX_CONTEXT_VALUE_CHARS:
        raise InvalidArgument(f"context_value は 1〜{MAX_CONTEXT_VALUE_CHARS:,} 文字で指定してください"
                              f"（現在: {len(value or ''):,} 文字）")
    if relevance == 0:
        relevance = DEFAULT_RELEVANCE
    if not 0.0 < relevance <= 1.0:
        raise InvalidArgument(f"relevance_score は 0〜1 で指定してください（現在: {relevance}）。"
                              f"0 または未指定は {DEFAULT_RELEVANCE} として扱います")
    return context_type, key, value.strip(), round(float(relevance), 3)


def context_ids(ids: Sequence[int]) -> list[int]:
    unique = sorted(set(int(i) for i in ids))
    if not unique:
        raise InvalidArgument("context_ids を1件以上指定してください")
    if len(unique) > MAX_CONTEXT_IDS:
        raise InvalidArgument(f"context_ids は一度に最大 {MAX_CONTEXT_IDS} 件までです（現在: {len(unique)} 件）")
    if unique[0] <= 0:
        raise InvalidArgument(f"context_ids は正の整数で指定してください（現在: {unique[0]}）")
    return unique
