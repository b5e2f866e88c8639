"""The LLM narrative, gated by the number check.

`write` asks for the whole text and checks it. `stream` passes tokens through as they come, except that a
sentence containing a digit (or a kanji numeral) is held until it is complete and its numbers are checked:
the client sees number-free text token by token and a number only once it is known to be supported. On the
first unsupported number the model's stream is closed (the rest would be discarded anyway) and the outcome
says why; the composer then resets the client's text and sends the deterministic narrative.
"""
from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from services.common.errors import DeadlineExceeded
from services.synthesis import grounding
from services.synthesis.model import Chunk
from services.synthesis.prompts import Prompt

TEMPERATURE = 0.3   # lower than the seed's 0.7: fewer invented numbers, so fewer rejected narratives
_BOUNDARY = re.compile(r"[。！？\n]")
_HOLD = re.compile(r"[0-9０-９〇一二三四五六七八九十百千]")
_JAPANESE = re.compile(r"[ぁ-んァ-ン一-龥]")
_THINK = re.compile(r"<think>.*?</think>", re.S)


@dataclass
class Outcome:
    """How the model's narrative ended: accepted text, or why it was not used."""

    text: str = ""
    ok: bool = False
    reason: str = ""                  # ungrounded, not-japanese, empty, timeout, unavailable, error
    numbers_checked: int = 0
    unsupported: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0

    @property
    def rejected(self) -> bool:
        """The model answered but its text was refused (as opposed to the call failing)."""
        return self.reason in ("ungrounded", "not-japanese")


def _failure_reason(exc: BaseException) -> str:
    if isinstance(exc, (DeadlineExceeded, TimeoutError)):
        return "timeout"
    code = getattr(exc, "code", "")
    return "unavailable" if code == "UNAVAILABLE" else "error"


def _verdict(text: str, index: grounding.SupportIndex, started: float) -> Outcome:
    text = _THINK.sub("", text).strip()
    elapsed = (time.perf_counter() - started) * 1000
    if not text:
        return Outcome(text, False, "empty", elapsed_ms=elapsed)
    result = grounding.check(text, index)
    if not result.ok:
        return Outcome(text, False, "ungrounded", result.numbers_checked, result.unsupported, elapsed)
    if not _JAPANESE.search(text):
        return Outcome(text, False, "not-japanese", result.numbers_checked, elapsed_ms=elapsed)
    return Outcome(text, True, "", result.numbers_checked, elapsed_ms=elapsed)


class Narrator:
    def __init__(self, client, timeout: float):
        self.client = client
        self.timeout = timeout

    @property
    def name(self) -> str:
        return self.client.name

    async def write(self, prompt: Prompt, index: grounding.SupportIndex) -> Outcome:
        started = time.perf_counter()
        try:
            text = await self.client.generate(prompt.text, system=prompt.system, temperature=TEMPERATURE,
                                              max_tokens=prompt.max_tokens, timeout=self.timeout)
        except Exception as exc:  # noqa: BLE001 - any model failure means the deterministic narrative
            return Outcome("", False, _failure_reason(exc), elapsed_ms=(time.perf_counter() - started) * 1000)
        return _verdict(text, index, started)

    async def stream(self, prompt: Prompt, index: grounding.SupportIndex) -> AsyncIterator[Chunk | Outcome]:
        """Chunks of accepted text, then exactly one Outcome (last)."""
        started = time.perf_counter()
        deadline = asyncio.get_running_loop().time() + self.timeout
        tokens = self.client.stream(prompt.text, system=prompt.system, temperature=TEMPERATURE,
                                    max_tokens=prompt.max_tokens, timeout=self.timeout)
        full, sent, sentence_start = "", 0, 0
        failure: Outcome | None = None
        try:
            while True:
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    raise TimeoutError
                try:
                    async with asyncio.timeout(remaining):
                        token = await anext(tokens)
                except StopAsyncIteration:
                    break
                full += token
                for m in _BOUNDARY.finditer(full, sentence_start):
                    end = m.end()
                    result = grounding.check(full[sentence_start:end], index)
                    if not result.ok:
                        failure = Outcome(full, False, "ungrounded", result.numbers_checked, result.unsupported)
                        break
                    sentence_start = end
                if failure:
                    break
                if sent < sentence_start:
                    yield Chunk(full[sent:sentence_start])
                    sent = sentence_start
                if not _HOLD.search(full, sentence_start) and sent < len(full):
                    yield Chunk(full[sent:])
                    sent = len(full)
        except Exception as exc:  # noqa: BLE001 - model failures degrade to the deterministic narrative
            failure = Outcome(full, False, _failure_reason(exc))
        finally:
            aclose = getattr(tokens, "aclose", None)
            if aclose is not None:
                try:
                    await aclose()
                except Exception:  # noqa: BLE001
                    pass
        if failure is None:
            verdict = _verdict(full, index, started)
            if verdict.ok and sent < len(full):
                tail = full[sent:]
                yield Chunk(tail)
            if verdict.ok:
                verdict.text = full  # keep exactly what was streamed
            failure = None if verdict.ok else verdict
            outcome = verdict
        else:
            outcome = failure
        outcome.elapsed_ms = (time.perf_counter() - started) * 1000
        yield outcome
