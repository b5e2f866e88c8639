"""One normalisation for every matcher, so rules are written once against one spelling.

NFKC folds full-width digits/letters/punctuation (１１／３０, Ｙｏｋｏｈａｍａ, ？) and half-width kana to
their canonical forms; lower-casing makes romaji/English matching case-blind. Kana stays kana.
"""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_KANJI_COUNT = re.compile(r"([一二三四五六七八九十])(?=(?:名|人|日|割|件|週))")


def normalize(text: str) -> str:
    """NFKC + lower case + single spaces; small kanji counts (一人, 三日後) become digits (1人, 3日後)."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    folded = _KANJI_COUNT.sub(lambda m: str(_KANJI_DIGITS[m.group(1)]), folded)
    return _SPACES.sub(" ", folded).strip()
