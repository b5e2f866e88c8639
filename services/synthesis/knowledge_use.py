"""Which retrieved know-how applies to which problem.

The knowledge engine ranks chunks by similarity to the request; that says "related", not "applies to this
priority". A chunk is used for a topic only when it mentions one of the topic's words (a process name, the
worst weekday, 残業 ...), so every citation in the plan can be explained by a word the reader can see.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from services.synthesis.model import KnowledgeRef

CONTEXT_TITLE = "蓄積ノウハウ"


@dataclass(frozen=True)
class Hit:
    doc_id: str
    chunk_id: str
    title: str
    text: str
    score: float


def hits(knowledge: dict | None) -> list[Hit]:
    return [Hit(str(h.get("doc_id") or ""), str(h.get("chunk_id") or ""), str(h.get("title") or ""),
                str(h.get("text") or ""), float(h.get("score") or 0.0))
            for h in (knowledge or {}).get("hits") or []]


def contexts(knowledge: dict | None) -> list[dict]:
    return list((knowledge or {}).get("context") or [])


def excerpt(text: str, limit: int = 80) -> str:
    """First sentence of a chunk (at most `limit` characters), for quoting."""
    text = re.sub(r"\s+", " ", text or "").strip()
    first = re.split(r"(?<=[。！？])", text, maxsplit=1)[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"


def matching(knowledge: dict | None, words: tuple[str, ...] | list[str], limit: int = 2,
             exclude: set[str] | None = None, prefer: tuple[str, ...] = ()) -> list[KnowledgeRef]:
    """Chunks (at most `limit`) and one context row that mention any of `words`.

    A chunk applies only through a topic word; `prefer` words (a process name) rank the applicable ones
    first, then the retrieval score does.
    """
    words = [w for w in words if w]
    exclude = exclude or set()
    refs: list[KnowledgeRef] = []
    applicable = [h for h in hits(knowledge) if h.chunk_id not in exclude and any(w in h.title + " " + h.text
                                                                                     for w in words)]
    applicable.sort(key=lambda h: (not any(p and p in h.title + h.text for p in prefer), -h.score))
    for h in applicable[:limit]:
        refs.append(KnowledgeRef(title=h.title or h.doc_id, excerpt=_sentence_with(h.text, [*prefer, *words]),
                                 doc_id=h.doc_id, chunk_id=h.chunk_id))
    rows = sorted(contexts(knowledge), key=lambda c: -float(c.get("relevance_score") or 0))
    for c in rows:
        cid = int(c.get("context_id") or 0)
        if not cid or f"context:{cid}" in exclude:
            continue
        if any(w in f"{c.get('context_key', '')} {c.get('context_value', '')}" for w in words):
            refs.append(KnowledgeRef(title=CONTEXT_TITLE,
                                     excerpt=excerpt(str(c.get("context_value") or "")), context_id=cid))
            break
    return refs


def _sentence_with(text: str, words: list[str]) -> str:
    """The first sentence of `text` that mentions a topic word (else the first sentence)."""
    sentences = [s.strip() for s in re.split(r"(?<=[。！？\n])", text or "") if s.strip()]
    for s in sentences:
        if any(w in s for w in words):
            return excerpt(s, 90)
    return excerpt(text, 90) if sentences else ""


def sources_of(refs: list[KnowledgeRef]) -> list[str]:
    """Action.sources entries: the doc id of each chunk, `rag_context:<id>` for context rows."""
    out: list[str] = []
    for r in refs:
        key = r.doc_id if r.chunk_id else f"rag_context:{r.context_id}"
        if key and key not in out:
            out.append(key)
    return out
