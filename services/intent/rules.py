"""Intent classification by general cue rules over normalised Japanese (with romaji/English variants).

Each cue is a verb or noun pattern with a weight for one intent. Two kinds matter:
- topic cues name the subject (アラート, 配置, 生産性, 勤怠, 業務量, ノウハウ); any topic cue, site or process
  makes a request "in domain", and a request with no domain word at all is `unsupported` (株価を予想して);
- action cues say what is wanted (改善/減らす, 最適化/提案, 〜たら/シミュレーション, 予測, 何件/何人, 探して).
Analysis verbs (分析, 傾向, 推移 …) only strengthen an analysis whose topic is present.

Japanese is head-final: the request's real ask sits at the end (「…欠勤対策ノウハウ」 is a knowledge search,
「ノウハウを活かして配置を最適化して」 an optimisation), so the strongest cue that ends last gets a bonus
(English has no such order — "Forecast X" vs "X alerts count" — so it gets no bonus).

Confidence is calibrated on the score: high only when one intent is both strong (≥ 4 points ≈ a topic plus
its action) and clearly ahead of the runner-up; a single weak cue or a close race stays below the
SIMPLE_TASK_THRESHOLD (0.7) so the LLM, when configured, gets the final word.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

ALERT = r"アラート|警告|(?<![a-z])alert"
ASSIGN = r"配置|シフト|割り?当て|アサイン|人員計画|要員計画|assignment|schedul|(?<![a-z])shift|staffing|roster"
ANALYSIS = (r"分析|傾向|推移|トレンド|trend|比較|比べ|原因|理由|低い|高い|落ち|上が|下が|増えて|減って|悪化|"
            r"見たい|見せて|どう|パターン|pattern|by process|工程別|別に|ごと|analy[sz]|気になる|問題|状況|調べ")
COUNT = (r"何件|何人|何名|何か所|いくつ|件数|(?<!必要)(?<!必要な)(?<!必要になる)人数|人員数|"
         r"(?:アラート|警告|従業員|社員|スタッフ|者|員)数|how many|(?<![a-z])count|number of")
# Words of the workplace that carry no intent themselves but make a request in domain (新人について …).
DOMAIN = (r"従業員|スタッフ|社員|作業員|人員|人手|要員|新人|ベテラン|パート|派遣|拠点|工程|現場|センター|倉庫|"
          r"作業|在籍|employee|staff|worker|(?<![a-z])site|warehouse|\d+ ?(?:名|人)")  # a headcount is workforce talk


@dataclass(frozen=True)
class Cue:
    intent: str
    pattern: re.Pattern
    weight: float
    topic: bool = False        # names the subject, so the request is in domain
    needs_topic: bool = False  # counts only when a topic cue of the same intent matched


def _cue(intent: str, pattern: str, weight: float, *, topic: bool = False, needs_topic: bool = False) -> Cue:
    return Cue(intent, re.compile(pattern), weight, topic, needs_topic)


CUES: tuple[Cue, ...] = (
    # improve_alerts: alerts plus a wish to lower/fix them.
    _cue("improve_alerts", ALERT, 1.0, topic=True),
    _cue("improve_alerts", rf"(?:{ALERT}).{{0,15}}?(?:改善|減ら|削減|対策|なんとか|何とか|どうにか|解消|抑え|防|原因|"
                           r"見直|対処|対応策|improve|reduce|fix)", 3.0),
    _cue("improve_alerts", r"(?:残業|超過).{0,10}?(?:減ら|削減|抑え|改善|対策)", 2.0),
    _cue("improve_alerts", r"改善|対策|解消|improve", 0.6),
    # optimize_assignment: an assignment noun plus a request to build/optimise it.
    _cue("optimize_assignment", ASSIGN, 1.0, topic=True),
    _cue("optimize_assignment", rf"(?:最適|optimi[sz]).{{0,20}}?(?:{ASSIGN})|(?:{ASSIGN}).{{0,10}}?(?:最適|提案|組んで|組み|"
                                r"組む|作って|作成|決めて|考えて|立てて|案|出して|optimi[sz]|recommend|plan|propos)", 3.0),
    _cue("optimize_assignment", r"最適化|最適な|optimi[sz]", 1.5),
    # simulate_assignment: a hypothetical change and its outcome.
    _cue("simulate_assignment", r"シミュレーション|シミュレート|試算|simulat|what[- ]if|もし|仮に|if we", 3.0),
    _cue("simulate_assignment", r"(?:休ん|欠勤し|抜け|欠け|追加し|減らし|増やし|回し|移し|移動し|足し|増え|減っ|異動し|"
                                r"外し|入れ|来なかっ|いなかっ|いなくなっ)(?:[たで]?[ただ](?:ら|場合|とき|時))", 3.0),
    _cue("simulate_assignment", r"\d+ ?(?:名|人|割|%|パーセント).{0,15}?(?:[たで]?[ただ](?:ら|場合|とき)|なら)", 2.0),
    _cue("simulate_assignment", r"どうなる|どう変わる|影響|足りる|回る\?|間に合う|what happens|impact", 1.0),
    _cue("simulate_assignment", r"[たで]?[ただ]ら|[たで]?[ただ]場合|場合の|としたら", 0.8),
    # analyze_productivity / analyze_attendance: a measured subject, optionally an analysis verb.
    _cue("analyze_productivity", r"生産性|効率|productivity|efficien|(?<![a-z])uph|処理速度|処理能力|パフォーマンス|"
                                 r"performance|作業スピード|能率", 2.0, topic=True),
    _cue("analyze_productivity", ANALYSIS, 0.8, needs_topic=True),
    _cue("analyze_attendance", r"勤怠|欠勤|遅刻|早退|出勤率|休暇|有給|休み|休職|離職|attendance|absen|tardi|"
                               r"(?<![a-z])late|残業|overtime", 2.0, topic=True),
    _cue("analyze_attendance", r"出勤|出社", 1.0, topic=True),
    _cue("analyze_attendance", ANALYSIS, 0.8, needs_topic=True),
    # forecast_workload: a volume/need noun and a looking-ahead verb.
    _cue("forecast_workload", r"業務量|物量|作業量|取扱量|取り扱い量|入荷量|出荷量|入荷数|出荷数|荷量|需要|workload|"
                              r"volume|demand|必要(?:な|になる)?(?:人員|人数|人手|要員|スタッフ)|staff needed", 2.0,
         topic=True),
    _cue("forecast_workload", r"予測|見込|見通し|見積|予想|forecast|predict|estimate|projection|なりそう|増えそう|"
                              r"減りそう|どれくらい|どのくらい|どれぐらい", 1.2),
    # search_knowledge: know-how nouns and search verbs.
    _cue("search_knowledge", r"ノウハウ|ナレッジ|コツ|事例|ベストプラクティス|マニュアル|手順書|know-?how|knowledge|"
                             r"tips|best practice|ルール|秘訣|知見|工夫|対処法|やり方|ガイドライン|guideline", 3.0,
         topic=True),
    _cue("search_knowledge", r"検索|探して|探す|さがして|search|(?<![a-z])find|見つけて", 1.5),
    _cue("search_knowledge", r"過去の|他拠点|成功|ありますか|はある", 0.5),
    # simple_query: a count or a plain "tell me".
    _cue("simple_query", COUNT, 2.0),
    _cue("simple_query", rf"(?:{ASSIGN})(?:案|表)?[をは]?(?:教えて|見せて|確認|一覧|状況)", 2.0),
    _cue("simple_query", r"一覧|リスト|(?<![a-z])list", 1.5),
    _cue("simple_query", r"教えて|知りたい|見せて|現在の|今の|いま|(?<![a-z])show", 0.5),
    _cue("simple_query", r"\?$", 0.3),
)

HEAD_BONUS = 1.0
# Tie-break order when two intents score the same: the more specific ask first.
PRIORITY = ("simulate_assignment", "improve_alerts", "optimize_assignment", "forecast_workload", "search_knowledge",
            "analyze_attendance", "analyze_productivity", "simple_query")
_DOMAIN = re.compile(DOMAIN)

# What a simple query needs, first match wins (出勤者数 → attendance before the generic headcount).
_DATA_REQUIRED: tuple[tuple[str, re.Pattern], ...] = tuple((name, re.compile(p)) for name, p in (
    ("alerts", ALERT),
    ("attendance", r"出勤|欠勤|勤怠|遅刻|休み|attendance|absen"),
    ("assignments", ASSIGN),
    ("productivity", r"生産性|効率|productivity"),
    ("workload", r"業務量|物量|入荷|出荷|workload"),
    ("employees", r"従業員|在籍|人数|社員|スタッフ|人員|何人|何名|employee|staff|headcount"),
))

_PROCESSES: tuple[tuple[str, re.Pattern], ...] = tuple((name, re.compile(p)) for name, p in (
    ("ピッキング", r"ピッキング|picking"),
    ("検品", r"検品|検査|inspection"),
    ("梱包", r"梱包|パッキング|packing"),
    ("入荷", r"入荷|receiving"),
    ("出荷", r"出荷|shipping"),
    ("仕分け", r"仕分|ソーティング|sorting"),
))


PROCESS_NAMES: tuple[str, ...] = tuple(name for name, _ in _PROCESSES)


@dataclass(frozen=True)
class Classification:
    intent: str
    confidence: float
    scores: dict[str, float]
    in_domain: bool


def find_process(text: str) -> tuple[str, str] | None:
    """(process name, phrase) of the first process named in normalised `text`."""
    found = [(m.start(), name, m.group(0)) for name, pattern in _PROCESSES if (m := pattern.search(text))]
    if not found:
        return None
    _, name, phrase = min(found)
    return name, phrase


def data_required(text: str) -> str:
    return next((name for name, pattern in _DATA_REQUIRED if pattern.search(text)), "overview")


def _is_latin(text: str) -> bool:
    letters = [ch for ch in text if not ch.isspace() and not ch.isdigit()]
    return bool(letters) and sum(ch.isascii() for ch in letters) / len(letters) > 0.6


def classify(text: str, *, extra_domain: bool = False) -> Classification:
    """Score every intent on normalised `text`; `extra_domain` says a site/process/date word was found."""
    scores: dict[str, float] = defaultdict(float)
    has_topic: set[str] = set()
    hits: list[tuple[Cue, re.Match]] = []  # each cue's last match: its end position feeds the head bonus
    for cue in sorted(CUES, key=lambda c: c.needs_topic):  # topic cues first, so needs_topic can see them
        last = None
        for last in cue.pattern.finditer(text):
            pass
        if last is None or (cue.needs_topic and cue.intent not in has_topic):
            continue
        if cue.topic:
            has_topic.add(cue.intent)
        hits.append((cue, last))
    for i, (cue, match) in enumerate(hits):
        # Words overlapping a stronger cue of the same intent (配置, 最適化 in 配置を最適化) say nothing new.
        if not any(other.intent == cue.intent and (other.weight, j) > (cue.weight, i)
                   and other_match.start() < match.end() and match.start() < other_match.end()
                   for j, (other, other_match) in enumerate(hits)):
            scores[cue.intent] += cue.weight
    strong = [(match.end(), cue.weight, cue.intent) for cue, match in hits if cue.weight >= 1.0]
    if strong and not _is_latin(text):
        scores[max(strong)[2]] += HEAD_BONUS
    in_domain = bool(has_topic) or extra_domain or bool(_DOMAIN.search(text))
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], PRIORITY.index(kv[0])))
    top, top_score = ranked[0] if ranked else ("unsupported", 0.0)
    if not in_domain or top_score < 1.0:
        # Off-topic with no domain word at all is a confident "unsupported"; a domain word without any ask
        # (横浜の新人について) is a guess that the LLM or a follow-up should settle.
        confidence = 0.35 if in_domain else (0.75 if top_score >= 1.0 else 0.9)
        return Classification("unsupported", confidence, dict(scores), in_domain)
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = 0.5 + 0.45 * min(1.0, top_score / 4.0) * min(1.0, (top_score - runner_up) / 2.0)
    return Classification(top, round(confidence, 3), dict(scores), in_domain)
