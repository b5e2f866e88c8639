"""What in a question may count as evidence that the know-how answers it.

Off-topic questions that name a site or a generic work word scored like real ones (「明日の大阪の天気予報」
0.39, 「冬のタイヤ交換の時期」 0.53 with a 0.23 threshold): 大阪 is a rare, high-idf bigram in the site
sections and 時期/方法/確認 occur in the know-how, so BM25 found "half the query" in an unrelated chunk and
e5 pulled the site's chunks up as well. Two measured changes (bench/README.md, tuning vs held-out):

1. `keyword_query` removes place names and generic question words before BM25 scores the question, so the
   keyword side only counts the words that say *what* is asked (the vector side still reads the whole
   question, and a site is selected by the `location` filter, so site questions still find their section).
2. `mentions_domain`: a question must name something of workforce placement (staff, work, shifts, processes,
   absences, goods …) — the vocabulary below plus the rag_context lexicon, scene words excepted — or its
   content words other than scene words (`evidence_query`) must be found in a chunk (keyword coverage ≥
   STRONG_KEYWORD on at least MIN_EVIDENCE_TERMS distinct terms), so a manager's document on a new topic
   stays reachable by its own words. A question with neither is answered with nothing, whatever its vector
   score.

The lists are word classes (places, question scaffolding, workforce vocabulary), not off-topic examples.
"""
from __future__ import annotations

import re
import unicodedata

from services.knowledge.keyword import terms
from services.knowledge.keywords import LEXICON, SITES

# Places the know-how mentions besides the sites, and big cities a question may name.
PLACES = SITES + ("北海道", "関東", "関西", "九州", "東北", "東京", "京都", "名古屋", "福岡", "神戸", "長崎", "日本")

# Question scaffolding and generic "how/when/what" words: they occur in the know-how but never say what a
# question is about.
GENERIC = (
    "時期", "方法", "やり方", "仕方", "コツ", "手順", "確認", "予定", "計画", "おすすめ", "教えて", "知りたい",
    "今日", "明日", "明後日", "昨日", "来週", "今週", "先週", "週末", "来月", "今月", "今年", "来年", "いつ", "どこ",
    "どう", "どんな", "何", "ため", "こと", "もの", "とき", "場合", "選び方", "作り方", "頼み方", "出し方",
    "取り方", "行き方", "付け方", "立て方", "進め方", "使い方", "見直し", "対策", "対処", "対応", "準備", "目安",
    "ルール", "必要", "上手", "人気", "有名", "原因", "理由", "注意", "ポイント", "基本", "見通し", "状況",
    "情報", "最新", "一番", "良い", "よい", "いい",
)

# Workforce-placement vocabulary beyond keywords.LEXICON (which names processes, time words, staff types and
# problems): how managers and staff talk about the same things in their own words.
WORKFORCE = (
    "人手", "人員", "人数", "頭数", "何人", "一人", "二人", "人を", "人が", "人に", "人は", "働く人", "従業員",
    "スタッフ", "社員", "作業", "工程", "持ち場", "仕事", "勤務", "出勤", "欠員", "休み", "休む", "休んだ",
    "時間外", "居残り", "割り振", "割当", "配置", "シフト", "助っ人", "手を貸", "新入り", "若手", "先輩",
    "経験", "入社", "管理者", "拠点", "現場", "倉庫", "荷物", "荷受け", "積み込み", "集荷", "運送", "発送",
    "締め", "効率", "仕事量", "作業量", "見込", "確認作業", "チェック", "見落とし", "取り違え", "送り間違い",
    "研修", "教え方", "朝礼", "ミーティング", "始業", "負担", "負荷", "兼務", "ライン", "棚", "品番",
    "資材", "トラック", "フォークリフト", "スキル", "技能", "熟達", "習熟", "穴埋め", "穴を", "代わり", "応援",
    # goods and their handling, so a manager's own document on a new subject (冷凍品, 方面ラベル …) stays
    # reachable by a question in everyday words
    "商品", "品物", "届い", "届く", "点検", "検査", "ラベル", "在庫", "保管", "配送", "行き先", "方面", "冷凍",
    "冷蔵", "温度管理", "作業者",
)
# Scene words set the scene of a question (冬の札幌, 月曜の朝, 明日の天気) but are not its subject: 「冬のタイヤ交換」
# is not about winter staffing and 「大阪の天気予報」 is not about checking the forecast before planning. They
# count neither as domain vocabulary nor as keyword evidence (the lexicon's time and season words + weather).
SCENE = ("月曜", "火曜", "水曜", "木曜", "金曜", "土曜", "日曜", "週明け", "連休", "午前", "午後", "夕方", "16時",
         "朝", "冬季", "冬", "積雪", "大雪", "雪", "夏", "春", "秋", "繁忙期", "年末", "月末", "予測",
         "天気", "天候", "予報", "気温", "気象", "雨", "晴れ", "台風", "降水", "湿度")
DOMAIN = tuple(w for w in dict.fromkeys(LEXICON + WORKFORCE) if w not in SCENE)

# Content-word keyword coverage that counts as evidence on its own (a document's own rare words), and the
# fewest distinct content terms it must rest on: one shared word (平均, 交換) is what made off-topic questions
# look relevant in the first place.
STRONG_KEYWORD = 0.5
MIN_EVIDENCE_TERMS = 2

_STRIP = tuple(sorted(PLACES + GENERIC, key=len, reverse=True))
_SCENE = tuple(sorted(SCENE, key=len, reverse=True))


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


_HAS_KANA_PARTICLE = re.compile(r"[\u3041-\u309f]")
_LEFTOVER = re.compile(r"^[\u3041-\u309fー\W_]*$")  # particles and punctuation a removed word leaves behind


def _remove(text: str, words: tuple[str, ...]) -> str:
    for word in words:
        text = text.replace(word, " ")
    return " ".join(piece for piece in text.split() if not _LEFTOVER.match(piece))


def keyword_query(query: str) -> str:
    """The question without place names and generic words (what BM25 scores). Empty if nothing is left."""
    return _remove(_norm(query), _STRIP)


def evidence_query(query: str) -> str:
    """keyword_query without scene words: the words whose keyword coverage may stand in for domain vocabulary."""
    return _remove(keyword_query(query), _SCENE)


def content_terms(text: str) -> list[str]:
    """Index terms without hiragana: 「の平」 or 「交換の」 straddle a particle and say nothing on their own."""
    return [t for t in terms(text) if not _HAS_KANA_PARTICLE.search(t)]


def mentions_domain(query: str) -> bool:
    text = _norm(query)
    return any(word in text for word in DOMAIN)
