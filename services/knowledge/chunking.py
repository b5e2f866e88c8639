"""Japanese-aware chunking: sentences (。！？ and line breaks) packed into chunks of at most `chunk_size`
characters, with whole-sentence overlap, never crossing a heading.

Why headings matter: know-how files are organised as `# title` / `## 横浜` / `### 月曜の朝`; a chunk cut
from the middle of the 横浜 section would otherwise not say which site or topic it is about, and neither
the embedding nor the keyword index could match 「横浜の月曜」 to it. Every chunk therefore starts with its
heading path (「拠点別ベストプラクティス > 横浜 > 月曜の朝」), counted inside `chunk_size`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$")
# A sentence ends at 。！？!? (plus closing brackets/quotes right after it) or at a line break.
_SENTENCE = re.compile(r"[^。！？!?\n]+(?:[。！？!?]+[」』）)】\"']*)?|[。！？!?]+")
_SOFT_BREAKS = "、，, 　・"


@dataclass(frozen=True)
class Section:
    """Body text under one heading path (empty path = text before any heading, or plain text)."""

    path: tuple[str, ...]
    body: str

    @property
    def prefix(self) -> str:
        return " > ".join(self.path)


def sections(text: str) -> list[Section]:
    """Split Markdown-ish text at `#` headings, remembering the heading path of every body."""
    result: list[Section] = []
    path: list[tuple[int, str]] = []
    body: list[str] = []

    def flush() -> None:
        joined = "\n".join(body).strip()
        if joined:
            result.append(Section(tuple(title for _, title in path), joined))
        body.clear()

    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        match = _HEADING.match(line)
        if match:
            flush()
            level = len(match.group(1))
            path = [(lvl, title) for lvl, title in path if lvl < level] + [(level, match.group(2))]
        else:
            body.append(line)
    flush()
    return result


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, terminators kept; a sentence that ended its line keeps a trailing "\n" so
    list items stay on their own lines when sentences are packed back together."""
    out: list[str] = []
    for line in text.split("\n"):
        pieces = [s.strip() for s in _SENTENCE.findall(line) if s.strip()]
        if pieces:
            out.extend(pieces[:-1])
            out.append(pieces[-1] + "\n")
    return out


def _hard_split(sentence: str, size: int, overlap: int) -> list[str]:
    """A sentence longer than a chunk: cut at a soft break (、 or space) near the limit, else at the limit;
    the next piece starts `overlap` characters back, snapped forward to a soft break when there is one."""
    pieces: list[str] = []
    start = 0
    while start < len(sentence):
        end = min(start + size, len(sentence))
        if end < len(sentence):
            soft = max(sentence.rfind(ch, start + size // 2, end) for ch in _SOFT_BREAKS)
            if soft > start:
                end = soft + 1
        pieces.append(sentence[start:end])
        if end >= len(sentence):
            break
        back = max(end - overlap, start + 1)
        soft = [i for i in (sentence.find(ch, back, end - 1) for ch in _SOFT_BREAKS) if i >= 0]
        start = min(soft) + 1 if soft else back
    return [p for p in pieces if p.strip()]


def _join(units: list[str]) -> str:
    return "".join(units).strip()


def _pack(sentences: list[str], budget: int, overlap: int) -> list[str]:
    """Greedy packing; the next chunk repeats the previous chunk's last sentences up to `overlap` chars."""
    units: list[str] = []
    for sentence in sentences:
        units.extend(_hard_split(sentence, budget, overlap) if len(sentence) > budget else [sentence])
    chunks: list[str] = []
    current: list[str] = []
    for unit in units:
        if current and len(_join(current + [unit])) > budget:
            chunks.append(_join(current))
            carry: list[str] = []
            for previous in reversed(current):
                if len(_join([previous] + carry)) > overlap:
                    break
                carry.insert(0, previous)
            current = carry if len(_join(carry + [unit])) <= budget else []
        current.append(unit)
    if current:
        chunks.append(_join(current))
    return chunks


def chunk_text(text: str, chunk_size: int = 512, overlap: int = 64) -> list[str]:
    """Chunks of `text`, each at most `chunk_size` characters (heading path included)."""
    chunks: list[str] = []
    for section in sections(text):
        prefix = section.prefix
        # Keep at least half the chunk for body text even under a very long heading path.
        if len(prefix) > chunk_size // 2:
            prefix = prefix[: chunk_size // 2 - 1] + "…"
        budget = chunk_size - (len(prefix) + 1 if prefix else 0)
        for body in _pack(split_sentences(section.body), budget, overlap):
            chunks.append(f"{prefix}\n{body}" if prefix else body)
    return chunks
