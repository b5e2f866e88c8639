"""Site (拠点) names as managers write them: kanji, hiragana, katakana, romaji and English, with suffixes.

Matching runs on `text.normalize`d input, so full-width/upper-case spellings need no entries. Romaji is
matched only at a word start so "osaka" is not found inside an unrelated Latin word. Suffixes (拠点, センター,
支店, 倉庫, site …) are optional: 「横浜」 and 「横浜センター」 name the same site, and a suffix only widens the
phrase that is reported. This module is the intent engine's own lexicon (it reads no database), so the
engine can run and be tested alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from services.intent.model import SITE_NAMES

_SPELLINGS: dict[str, tuple[str, ...]] = {
    "横浜": ("横浜", "よこはま", "ヨコハマ", "yokohama"),
    "品川": ("品川", "しながわ", "シナガワ", "shinagawa"),
    "札幌": ("札幌", "さっぽろ", "サッポロ", "sapporo"),
    "大阪": ("大阪", "おおさか", "オオサカ", "osaka", "oosaka", "ōsaka"),
    "佐世保": ("佐世保", "させぼ", "サセボ", "sasebo"),
}
assert tuple(_SPELLINGS) == SITE_NAMES

SUFFIXES = ("拠点", "センター", "支店", "倉庫", "物流センター", "事業所", "site", "center", "centre", "warehouse")
# Words that explicitly mean "every site" — an answer about all sites, i.e. no single location.
ALL_SITES = re.compile(r"全拠点|全社|全センター|(?:すべて|全て|各)の?拠点|拠点全体|all sites|every site")


@dataclass(frozen=True)
class SiteMention:
    name: str     # canonical site name (横浜 …)
    phrase: str   # as written, suffix included
    start: int
    end: int


# (canonical name, spelling) pairs, longest spelling first so 「さっぽろ」 wins over a shorter overlap.
_ENTRIES = sorted(((name, spelling.lower()) for name, spellings in _SPELLINGS.items() for spelling in spellings),
                  key=lambda entry: len(entry[1]), reverse=True)


def _site_pattern() -> re.Pattern:
    alternatives = [f"(?P<s{i}>{'(?<![a-z])' if spelling.isascii() else ''}{re.escape(spelling)})"
                    for i, (_, spelling) in enumerate(_ENTRIES)]
    suffix = "|".join(re.escape(s) for s in sorted(SUFFIXES, key=len, reverse=True))
    return re.compile(f"(?:{'|'.join(alternatives)})(?:\\s?(?:{suffix}))?")


_PATTERN = _site_pattern()


def find_sites(text: str) -> list[SiteMention]:
    """Every site named in normalised `text`, in order of mention (duplicates kept)."""
    mentions = []
    for match in _PATTERN.finditer(text):
        group = next(g for g, v in match.groupdict().items() if v is not None)
        mentions.append(SiteMention(_ENTRIES[int(group[1:])][0], match.group(0), match.start(), match.end()))
    return mentions


def names_all_sites(text: str) -> re.Match | None:
    return ALL_SITES.search(text)
