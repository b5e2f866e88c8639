"""Keywords for rag_context: `context_key` of mirrored chunks and the LIKE patterns of a question.

The seed matches rag_context with `context_key LIKE %s`, so the key must hold words a manager's question
will contain. Without a tokenizer we use a small workforce lexicon (sites, processes, time words, staff
types, problems) plus katakana words; the same function runs on both sides, so a question about
「横浜の月曜の欠勤」 yields the patterns 横浜 / 月曜 / 欠勤 that the chunk's key also holds.
"""
from __future__ import annotations

import re
import unicodedata

SITES = ("横浜", "品川", "札幌", "大阪", "佐世保")

# Longer, more specific words first: 「熟練者」 is found before 「熟練」 and both are kept deliberately.
LEXICON = (
    "ピッキング", "検品", "梱包", "入荷", "出荷", "仕分け",
    "月曜", "火曜", "水曜", "木曜", "金曜", "土曜", "日曜", "週明け", "連休", "午前", "午後", "夕方", "16時",
    "朝", "冬季", "冬", "積雪", "大雪", "雪", "夏", "繁忙期", "年末", "月末",
    "新人", "熟練者", "熟練", "ベテラン", "パート", "派遣", "多能工", "リーダー", "予備要員", "応援",
    "欠勤", "遅刻", "早退", "残業", "生産性", "誤出荷", "ミス", "事故", "離職", "疲労", "品質",
    "ペア", "配置", "ローテーション", "教育", "育成", "面談", "シフト", "作業量", "需要", "予測", "締め",
    "アラート", "削減", "改善", "上限", "安全", "休憩",
)
_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc]{3,}")
MAX_KEY_LENGTH = 255


def extract_keywords(text: str, limit: int = 12) -> list[str]:
    """Sites first, then lexicon words, then other katakana words, in order of first appearance."""
    norm = unicodedata.normalize("NFKC", text)
    found: list[tuple[int, int, str]] = []
    for rank, words in enumerate((SITES, LEXICON)):
        for word in words:
            pos = norm.find(word)
            if pos >= 0:
                found.append((rank, pos, -len(word), word))
    for match in _KATAKANA.finditer(norm):
        found.append((2, match.start(), -len(match.group()), match.group()))
    out: list[str] = []
    for _, _, _, word in sorted(found):
        if word not in out:
            out.append(word)
    return out[:limit]


def context_key(text: str, location: str = "") -> str:
    """`context_key` for a chunk: its site (when the document has one) plus its keywords, ≤ 255 chars."""
    words = ([location] if location else []) + [w for w in extract_keywords(text) if w != location]
    key = ""
    for word in words:
        candidate = f"{key} {word}" if key else word
        if len(candidate) > MAX_KEY_LENGTH:
            break
        key = candidate
    return key
