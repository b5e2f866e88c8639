"""Fixtures of the intent tests: labelled sets and a fake model server the real clients talk to."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.fake_ollama import FakeModelServer

REPO_ROOT = Path(__file__).resolve().parents[2]
DEV_SET = REPO_ROOT.parent / "shared" / "eval" / "intent_dev.jsonl"
REGRESSION_SET = Path(__file__).with_name("intent_regression.jsonl")  # written with the rules: not held-out


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
async def fake_llm():
    """A healthy fake Ollama/OpenAI server on a free loopback port, stopped after the test."""
    async with FakeModelServer(model="qwen-test") as server:
        yield server
