"""The know-how files shipped in knowledge/ → documents to register (the seed's migrate_knowledge_to_chromadb).

Three files are one document each (rules, process know-how, staff characteristics: they apply to every
site). Three are split at their `## ` headings into one document per section, because each section belongs
to a site: location_practices.txt has a section per site (`## 横浜`), the case files tag each case
(`## 【品川】…`, `【全拠点】` = every site). A per-site document carries its location, so a search filtered
to 横浜 returns 横浜's practices plus the all-site rules — and never 札幌's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from services.knowledge.keywords import SITES

SOURCE_PREFIX = "knowledge/"


@dataclass(frozen=True)
class ShippedFile:
    name: str
    category: str
    per_section: bool


SHIPPED_FILES = (
    ShippedFile("management_rules.txt", "配置ルール", False),
    ShippedFile("process_knowhow.txt", "現場ノウハウ", False),
    ShippedFile("location_practices.txt", "現場ノウハウ", True),
    ShippedFile("employee_characteristics.txt", "従業員特性", False),
    ShippedFile("success_cases.txt", "成功事例", True),
    ShippedFile("failure_patterns.txt", "失敗パターン", True),
)


@dataclass(frozen=True)
class DocumentSpec:
    title: str
    text: str
    category: str
    location: str
    source: str


_TITLE = re.compile(r"^#\s+(.+?)\s*$", re.M)
_SECTION = re.compile(r"^##\s+(.+?)\s*$", re.M)
_TAG = re.compile(r"^【(.+?)】\s*(.*)$")


def _site_of(heading: str) -> tuple[str, str]:
    """'横浜' → ('横浜', '横浜'); '【品川】残業削減' → ('品川', '残業削減'); '【全拠点】…' → ('', '…')."""
    if heading in SITES:
        return heading, heading
    tagged = _TAG.match(heading)
    if tagged:
        tag, rest = tagged.groups()
        return (tag if tag in SITES else ""), (rest or heading)
    return "", heading


def documents_of(path: Path, shipped: ShippedFile) -> list[DocumentSpec]:
    text = path.read_text(encoding="utf-8")
    title_match = _TITLE.search(text)
    file_title = title_match.group(1) if title_match else path.stem
    source = SOURCE_PREFIX + shipped.name
    if not shipped.per_section:
        return [DocumentSpec(file_title, text, shipped.category, "", source)]
    heads = list(_SECTION.finditer(text))
    docs = []
    for i, head in enumerate(heads):
        heading = head.group(1)
        body = text[head.end(): heads[i + 1].start() if i + 1 < len(heads) else len(text)].strip()
        if not body:
            continue
        location, short = _site_of(heading)
        title = f"{file_title}（{location}）" if heading == location else short
        # Keep the file title and section heading as headings: the chunker prefixes them to every chunk.
        section_text = f"# {file_title}\n## {heading}\n{body}\n"
        docs.append(DocumentSpec(title[:200], section_text, shipped.category, location,
                                 f"{source}#{heading}"[:191]))
    return docs


def shipped_documents(directory: str | Path) -> list[DocumentSpec]:
    """Every document of the shipped know-how files (a missing file is skipped by the caller's report)."""
    root = Path(directory)
    docs: list[DocumentSpec] = []
    for shipped in SHIPPED_FILES:
        path = root / shipped.name
        if path.is_file():
            docs.extend(documents_of(path, shipped))
    return docs
