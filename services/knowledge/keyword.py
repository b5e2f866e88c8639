"""Keyword retrieval for Japanese without a tokenizer: BM25 over character bigrams.

Japanese has no spaces, and a morphological analyser (MeCab, Sudachi) would be one more native dependency
with its own dictionary. Overlapping character bigrams are the classic tokenizer-free alternative: 「熟練者」
→ 熟練, 練者; a query sharing the bigrams of a rare word (検品, 札幌, 残業) scores the chunks containing it.
Pure-hiragana bigrams (の東, して, ます …) are mostly particles and inflections, so they are not indexed.

The index lives in memory, is rebuilt from the Chroma collection at start-up and updated on every write, so it
always describes exactly the chunks Chroma holds. Postings are dicts (cheap updates) with a per-term numpy copy
made lazily for scoring, so a query over 10,000 chunks costs about a millisecond.
"""
from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np

_RUN = re.compile(r"[0-9a-z\u3041-\u309f\u30a0-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ー]+")
_HIRAGANA = re.compile(r"^[\u3041-\u309fー]+$")
FACETS = ("location", "category")


def terms(text: str) -> list[str]:
    """Index terms of `text`: character bigrams within runs of word characters (NFKC, lower-cased);
    a one-character run is kept as a unigram so that a single-kanji query (雪) still matches."""
    out: list[str] = []
    for run in _RUN.findall(unicodedata.normalize("NFKC", text).lower()):
        if len(run) == 1:
            out.append(run)
            continue
        out.extend(bg for bg in (run[i:i + 2] for i in range(len(run) - 1)) if not _HIRAGANA.match(bg))
    return out


class BigramBM25:
    """BM25 (k1=1.2, b=0.75) over bigram terms, with facet filters (location, category)."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._lock = threading.RLock()
        self._postings: dict[str, dict[int, int]] = {}
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._slot_of: dict[str, int] = {}
        self._ids: list[str | None] = []
        self._terms: list[Counter] = []
        self._lengths = np.zeros(0, dtype=np.float32)
        self._facets: dict[str, np.ndarray] = {f: np.zeros(0, dtype=np.int32) for f in FACETS}
        self._codes: dict[str, dict[str, int]] = {f: {} for f in FACETS}
        self._free: list[int] = []
        self._total_length = 0.0

    def __len__(self) -> int:
        return len(self._slot_of)

    def ids(self) -> set[str]:
        with self._lock:
            return set(self._slot_of)

    # ---- writes -------------------------------------------------------------------------------------------
    def add(self, items: Iterable[tuple[str, str, Mapping[str, str]]]) -> None:
        """Index (chunk_id, text, metadata) triples; an id already present is replaced."""
        with self._lock:
            for chunk_id, text, meta in items:
                self._remove_one(chunk_id)
                slot = self._free.pop() if self._free else self._grow()
                counts = Counter(terms(text))
                self._ids[slot], self._terms[slot] = chunk_id, counts
                self._slot_of[chunk_id] = slot
                length = sum(counts.values())
                self._lengths[slot] = length
                self._total_length += length
                for facet in FACETS:
                    codes = self._codes[facet]
                    value = str(meta.get(facet, "") or "")
                    self._facets[facet][slot] = codes.setdefault(value, len(codes) + 1)
                for term, tf in counts.items():
                    self._postings.setdefault(term, {})[slot] = tf
                    self._arrays.pop(term, None)

    def remove(self, chunk_ids: Iterable[str]) -> int:
        """Forget chunks; returns how many were indexed."""
        with self._lock:
            return sum(self._remove_one(cid) for cid in chunk_ids)

    def take(self, other: "BigramBM25") -> None:
        """Become `other` (a freshly built index) in one step, under the lock."""
        with self._lock, other._lock:
            state = {k: v for k, v in vars(other).items() if k != "_lock"}
            vars(self).update(state)

    def _grow(self) -> int:
        slot = len(self._ids)
        self._ids.append(None)
        self._terms.append(Counter())
        if slot >= len(self._lengths):
            size = max(64, 2 * len(self._lengths))
            self._lengths = np.resize(self._lengths, size)
            for facet in FACETS:
                self._facets[facet] = np.resize(self._facets[facet], size)
        self._lengths[slot] = 0
        return slot

    def _remove_one(self, chunk_id: str) -> bool:
        slot = self._slot_of.pop(chunk_id, None)
        if slot is None:
            return False
        for term in self._terms[slot]:
            posting = self._postings.get(term)
            if posting is not None:
                posting.pop(slot, None)
                if not posting:
                    del self._postings[term]
            self._arrays.pop(term, None)
        self._total_length -= float(self._lengths[slot])
        self._lengths[slot] = 0
        for facet in FACETS:
            self._facets[facet][slot] = 0
        self._ids[slot], self._terms[slot] = None, Counter()
        self._free.append(slot)
        return True

    # ---- reads --------------------------------------------------------------------------------------------
    def _array(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        cached = self._arrays.get(term)
        if cached is None:
            posting = self._postings[term]
            cached = (np.fromiter(posting.keys(), dtype=np.int64, count=len(posting)),
                      np.fromiter(posting.values(), dtype=np.float32, count=len(posting)))
            self._arrays[term] = cached
        return cached

    def _allowed(self, filters: Mapping[str, Iterable[str]] | None) -> np.ndarray | None:
        if not filters:
            return None
        mask = np.ones(len(self._ids), dtype=bool)
        for facet, values in filters.items():
            codes = [self._codes[facet][v] for v in values if v in self._codes[facet]]
            mask &= np.isin(self._facets[facet][: len(self._ids)], codes)
        return mask

    def shared_terms(self, query_terms: Iterable[str], chunk_id: str) -> int:
        """How many of these distinct terms the chunk contains (0 if it is not indexed)."""
        with self._lock:
            slot = self._slot_of.get(chunk_id)
            return 0 if slot is None else sum(1 for t in set(query_terms) if t in self._terms[slot])

    def search(self, query: str, limit: int, filters: Mapping[str, Iterable[str]] | None = None,
               also: Iterable[str] = ()) -> tuple[list[tuple[str, float]], dict[str, float]]:
        """Top `limit` (chunk_id, normalised score), plus the scores of the chunks in `also` (the vector
        search's candidates, which fusion needs a keyword score for even when they rank low here).

        Normalisation divides by Σ idf over the query's terms — the score of an average-length chunk holding
        every query bigram once — and clips at 1. The result is "the share of the query's (idf-weighted)
        bigrams the chunk contains": a question whose rare bigrams appear nowhere stays near 0, an absolute
        scale that a threshold can use (raw BM25 is not comparable across queries).
        """
        with self._lock:
            query_terms = set(terms(query))
            n = len(self._slot_of)
            also = list(also)
            if not query_terms or n == 0:
                return [], dict.fromkeys(also, 0.0)
            avg = max(self._total_length / n, 1.0)
            lengths = self._lengths[: len(self._ids)]
            scores = np.zeros(len(self._ids), dtype=np.float32)
            upper = 0.0
            for term in query_terms:
                df = len(self._postings.get(term, ()))
                idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
                upper += idf
                if df == 0:
                    continue
                slots, tfs = self._array(term)
                norm = self.k1 * (1.0 - self.b + self.b * lengths[slots] / avg)
                scores[slots] += idf * tfs * (self.k1 + 1.0) / (tfs + norm)
            allowed = self._allowed(filters)
            if allowed is not None:
                scores[~allowed] = 0.0
            np.minimum(scores / upper, 1.0, out=scores)
            hit_slots = np.flatnonzero(scores > 0)
            if hit_slots.size > limit:
                hit_slots = hit_slots[np.argpartition(-scores[hit_slots], limit - 1)[:limit]]
            order = hit_slots[np.argsort(-scores[hit_slots], kind="stable")]
            ranked = [(self._ids[s], float(scores[s])) for s in order]
            extra = {cid: float(scores[self._slot_of[cid]]) if cid in self._slot_of else 0.0 for cid in also}
            return ranked, extra
