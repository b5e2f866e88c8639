"""Domain records of the knowledge engine (no grpc, no proto): what the service returns to the servicer."""
from __future__ import annotations

from dataclasses import dataclass, field

CATEGORIES = ("配置ルール", "現場ノウハウ", "成功事例", "失敗パターン", "従業員特性")


@dataclass(frozen=True)
class NewDocument:
    """A validated AddDocument request."""

    title: str
    text: str
    category: str
    location: str          # site name, "" = every site
    location_id: int | None
    source: str


@dataclass(frozen=True)
class AddResult:
    doc_id: str
    chunk_count: int
    replaced: bool         # an older version of the same source was removed
    unchanged: bool        # same source and content already stored: nothing was re-embedded


@dataclass(frozen=True)
class DeleteResult:
    doc_id: str
    deleted_chunks: int
    deleted_context_rows: int


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    doc_id: str
    text: str
    score: float           # fused relevance 0-1: the ranking key and what SIMILARITY_THRESHOLD applies to
    vector_score: float    # cosine similarity
    keyword_score: float   # normalised bigram BM25, 0-1
    title: str = ""
    category: str = ""
    location: str = ""
    source: str = ""


@dataclass(frozen=True)
class ContextRow:
    context_id: int
    context_type: str
    context_key: str
    context_value: str
    relevance_score: float
    use_count: int


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    context: list[ContextRow] = field(default_factory=list)
