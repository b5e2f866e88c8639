"""Know-how documents (text / Markdown files) → knowledge documents, through whatever registers them.

Why a callback: the knowledge engine owns Chroma, the keyword index and the rag_context mirror. The CLI
hands in `KnowledgeService.add_document` (embedded Chroma, mesh stopped, like migrate-knowledge); the
gateway hands in the knowledge engine's AddDocument RPC. Both dedupe by source, so re-importing the same
file is unchanged. The text is decoded like a CSV (UTF-8 with/without BOM or CP932, never mixed).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Awaitable, Callable

from services.common.errors import InvalidArgument
from services.dataio.reader import ZIP_MAGIC, detect_encoding

SOURCE_PREFIX = "import:"
DEFAULT_CATEGORY = "現場ノウハウ"
ALLOWED_SUFFIXES = (".txt", ".md", ".markdown")
_FRONT = re.compile(r"^(カテゴリ|category|拠点|location)\s*[:：]\s*(.+?)\s*$", re.I | re.M)


@dataclass(frozen=True)
class KnowhowDoc:
    title: str
    text: str
    category: str
    location: str
    source: str


def parse_document(name: str, data: bytes, category: str = "", location: str = "") -> KnowhowDoc:
    """One file → one document. `カテゴリ: 成功事例` / `拠点: 横浜` lines at the top override the defaults."""
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise InvalidArgument(f"{name}: ノウハウは .txt または .md ファイルで指定してください")
    if not data.strip(b" \r\n\t\xef\xbb\xbf"):
        raise InvalidArgument(f"{name}: ファイルが空です")
    if data.startswith(ZIP_MAGIC) or b"\x00" in data[:65536]:
        raise InvalidArgument(f"{name}: テキストファイルではありません（バイナリファイルです）")
    encoding = detect_encoding(data[:262144])
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise InvalidArgument(f"{name}: 文字コードが混在しています。UTF-8 で保存し直してください") from None
    head = "\n".join(text.splitlines()[:5])
    for key, value in _FRONT.findall(head):
        if key.lower() in ("カテゴリ", "category"):
            category = category or value
        else:
            location = location or value
    title = next((line.lstrip("#").strip() for line in text.splitlines() if line.strip()), name)[:200]
    return KnowhowDoc(title=title, text=text, category=category or DEFAULT_CATEGORY, location=location,
                      source=SOURCE_PREFIX + name[-150:])


AddDocument = Callable[[KnowhowDoc], Awaitable[str]]  # returns "added" | "replaced" | "unchanged"


async def import_documents(files: list[tuple[str, bytes]], add: AddDocument, dry_run: bool = False,
                           category: str = "", location: str = "") -> dict:
    """Validate every file first (all or nothing), then register them one by one."""
    docs = [parse_document(name, data, category, location) for name, data in files]
    if not docs:
        raise InvalidArgument("取り込むノウハウファイルがありません")
    report = {"kind": "knowhow", "kind_label": "ノウハウ文書", "dry_run": dry_run, "rows": len(docs),
              "documents": [{"source": d.source, "title": d.title, "category": d.category,
                             "location": d.location} for d in docs],
              "inserted": 0, "updated": 0, "unchanged": 0, "bad_row_count": 0, "bad_rows": []}
    if dry_run:
        report["status"] = "validated"
        report["message"] = f"確認のみ（書き込みなし）: {len(docs)} 件の文書を登録できます"
        return report
    for doc, entry in zip(docs, report["documents"]):
        status = await add(doc)
        entry["status"] = status
        report[{"added": "inserted", "replaced": "updated"}.get(status, "unchanged")] += 1
    report["status"] = "imported"
    report["message"] = (f"ノウハウ文書を取り込みました: 追加 {report['inserted']} 件・更新 {report['updated']} 件・"
                         f"変更なし {report['unchanged']} 件")
    return report
