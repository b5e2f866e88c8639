"""Retrieval quality on the project's labelled sets (knowledge/eval), shared by the test and the benchmark.

Two splits (knowledge/eval/README.md): `tuning/` is what the fusion constants, the threshold and the relevance
rules (relevance.py) were chosen on; `heldout/` was written apart and is only measured — its figures are the
ones to quote. Each split holds:
retrieval.jsonl: {"id", "question", "answers": [{"source", "phrase"}]} — a hit answers the question when
its document source matches and its chunk text contains the phrase. Questions are paraphrases with little
word overlap, so keyword search alone cannot carry them.
offtopic.jsonl: {"id", "question", "kind"?} — questions the know-how cannot answer; with the default
threshold they must return nothing. kind "entity_overlap" marks ones that share a proper noun with the
know-how (e.g. 北海道): reported, not required to be empty (no retriever can tell from words alone).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from services.knowledge.chunking import chunk_text
from services.knowledge.config import PROJECT_ROOT
from services.knowledge.keyword import terms
from services.knowledge.models import Hit
from services.knowledge.service import KnowledgeService


EVAL_DIR = PROJECT_ROOT / "knowledge" / "eval"
SPLITS = ("tuning", "heldout")


def load_split(split: str) -> tuple[list[dict], list[dict]]:
    """(labelled on-topic questions, off-topic questions) of one split."""
    if split not in SPLITS:
        raise ValueError(f"unknown eval split {split!r}")
    return load_jsonl(EVAL_DIR / split / "retrieval.jsonl"), load_jsonl(EVAL_DIR / split / "offtopic.jsonl")


@dataclass
class Rejection:
    """The deployed threshold's job on one split: off-topic questions answered with nothing, on-topic ones not."""
    offtopic: int
    offtopic_rejected: int
    ontopic: int
    ontopic_answered: int
    answered_offtopic: list[tuple[str, float]] = field(default_factory=list)   # (id, top score)

    @property
    def rejection_rate(self) -> float:
        return self.offtopic_rejected / self.offtopic if self.offtopic else 1.0

    @property
    def precision(self) -> float:
        """Of the questions that got any hit, the share that were on-topic."""
        answered = self.ontopic_answered + (self.offtopic - self.offtopic_rejected)
        return self.ontopic_answered / answered if answered else 1.0


async def rejection(service: KnowledgeService, items: list[dict], offtopic: list[dict]) -> Rejection:
    answered = 0
    for item in items:
        answered += bool((await service.search(item["question"])).hits)
    leaked = []
    for item in offtopic:
        hits = (await service.search(item["question"])).hits
        if hits and item.get("kind") != "entity_overlap":
            leaked.append((item["id"], hits[0].score))
    scored = [o for o in offtopic if o.get("kind") != "entity_overlap"]
    return Rejection(len(scored), len(scored) - len(leaked), len(items), answered, leaked)


@dataclass
class ModeScore:
    mode: str
    recall_at_5: float
    mrr: float            # reciprocal rank of the first answering hit within the top 10
    misses: list[str] = field(default_factory=list)


@dataclass
class Calibration:
    lowest_relevant: list[tuple[float, str]]   # best answering hit's hybrid score, lowest first
    highest_offtopic: list[tuple[float, str]]  # top hit's hybrid score of off-topic questions, highest first
    offtopic_answered: list[str]               # off-topic questions (not entity_overlap) that returned hits


def word_overlap(items: list[dict], documents: dict[str, str], chunk_size: int = 512, overlap: int = 64) -> float:
    """Mean share of a question's bigram terms that occur in its answering chunk (how paraphrased the set is).
    `documents` maps source → text; the best-overlapping answering chunk counts."""
    shares = []
    for item in items:
        q = set(terms(item["question"]))
        best = 0.0
        for answer in item["answers"]:
            for chunk in chunk_text(documents[answer["source"]], chunk_size, overlap):
                if answer["phrase"] in chunk and q:
                    best = max(best, len(q & set(terms(chunk))) / len(q))
        shares.append(best)
    return sum(shares) / len(shares)


def load_jsonl(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def answers(item: dict, hit: Hit) -> bool:
    return any(hit.source == a["source"] and a["phrase"] in hit.text for a in item["answers"])


def _first_rank(item: dict, hits: list[Hit]) -> int | None:
    return next((rank for rank, hit in enumerate(hits, 1) if answers(item, hit)), None)


async def score_mode(service: KnowledgeService, items: list[dict], mode: str,
                     threshold: float | None = 0.0) -> ModeScore:
    """Recall@5 and MRR@10 of one mode. threshold 0 measures ranking alone; None applies the service's."""
    found, rr, misses = 0, 0.0, []
    for item in items:
        result = await service.search(item["question"], top_k=10, mode=mode, threshold=threshold)
        rank = _first_rank(item, result.hits)
        if rank is not None and rank <= 5:
            found += 1
        else:
            misses.append(item["id"])
        rr += 1.0 / rank if rank else 0.0
    return ModeScore(mode, found / len(items), rr / len(items), misses)


async def evaluate(service: KnowledgeService, items: list[dict]) -> list[ModeScore]:
    """vector, keyword, rank fusion and hybrid ranking (no threshold), then hybrid as deployed (default
    threshold)."""
    scores = [await score_mode(service, items, mode) for mode in ("vector", "keyword", "rrf", "hybrid")]
    deployed = await score_mode(service, items, "hybrid", threshold=None)
    deployed.mode = f"hybrid ≥ {service.threshold:g}"
    return scores + [deployed]


async def calibrate(service: KnowledgeService, items: list[dict], offtopic: list[dict]) -> Calibration:
    relevant: list[tuple[float, str]] = []
    for item in items:
        result = await service.search(item["question"], top_k=50, threshold=0.0)
        best = max((h.score for h in result.hits if answers(item, h)), default=0.0)
        relevant.append((best, item["id"]))
    highest, answered = [], []
    for item in offtopic:
        top = (await service.search(item["question"], top_k=1, threshold=0.0)).hits
        highest.append((top[0].score if top else 0.0, item["id"]))
        deployed = (await service.search(item["question"])).hits
        if deployed and item.get("kind") != "entity_overlap":
            answered.append(item["id"])
    return Calibration(sorted(relevant), sorted(highest, reverse=True), answered)

