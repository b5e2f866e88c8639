"""The deterministic parser: sites + dates + cue rules + follow-up resolution → one `Intent`.

Follow-ups: in a conversation 「じゃあ明日は？」 or 「札幌は？」 carries no ask of its own, only a new slot.
When the previous intent is given and the request has no intent cue but names a site, date or process,
the previous intent is kept and only the named slots change. A request that does have its own ask but
reads as a continuation (starts with じゃあ/では/それ…, or is very short) still inherits the slots it does not
name (site, date, process). Either way `from_context` is set. All-sites words (全拠点) are an explicit
"no single site" and are never overridden by the previous site.
"""
from __future__ import annotations


import datetime as dt
import re
from dataclasses import dataclass, replace

from services.common.dates import WEEKDAY_JA
from services.intent import dates, rules, sites
from services.intent.model import SCHEDULING_INTENTS, SITE_NAMES, UNCLEAR, Intent, RosterWish, complexity_of
from services.intent.text import normalize
from services.intent.whatif import DayOffWhatIf, read_day_off_wish, read_whatif, says_day_off_wish
from services.intent.question.lexicon import PERSON
from services.intent.question.parse import read_question, read_absent_names

_CONTINUATION = re.compile(r"^(?:じゃあ|じゃ|では|それ|あと|次は|同じ|なら|ちなみに|また|and |what about|how about)")
SHORT_FOLLOW_UP = 15  # characters: 「品川の勤怠は？」 is a continuation, a full sentence is not
# Filler around the slots of a bare follow-up: when nothing but these is left, the follow-up reading is sure.
_FILLER = re.compile(r"じゃあ|じゃ|では|それで?|あと|次は|同じく?|ちなみに|また|について|だと|なら|の場合|"
                     r"どう(?:です|でしょう)?か?|は|の|で|も|を|に|と|what about|how about|and|[\s?!、。,.:]")
FOLLOW_UP_CONFIDENCE = 0.9
LOOSE_FOLLOW_UP_CONFIDENCE = 0.6  # something besides the slots was said: let the LLM check, if present
MULTI_SITE_PENALTY = 0.85
WISH_CONFIDENCE = 0.9   # a person, a day and a wish word: the reading is sure, no LLM needed


@dataclass(frozen=True)
class _Reading:
    """What the text names, independent of the intent."""

    text: str
    sites: list[sites.SiteMention]
    all_sites: re.Match | None
    mentions: list[dates.DateMention]
    when: dates.DateMention | None
    process: tuple[str, str] | None   # (name, phrase)

    @property
    def site_named(self) -> bool:
        return bool(self.sites or self.all_sites)

    @property
    def slot_phrases(self) -> list[str]:
        return ([m.phrase for m in self.sites] + [m.phrase for m in self.mentions]
                + ([self.process[1]] if self.process else []) + ([self.all_sites.group(0)] if self.all_sites else []))


def _read(query: str, reference: dt.date) -> _Reading:
    text = normalize(query)
    mentions = dates.find_dates(text, reference)
    return _Reading(text, sites.find_sites(text), sites.names_all_sites(text), mentions, dates.primary(mentions),
                    rules.find_process(text))


def _intent_fields(name: str, text: str) -> dict:
    """The fields that follow from the intent itself."""
    return {"intent": name, "complexity": complexity_of(name),
            "data_required": rules.data_required(text) if name == "simple_query" else ""}


def parse(query: str, reference: dt.date, previous: Intent | None = None) -> Intent:
    reading = _read(query, reference)
    result = rules.classify(reading.text, extra_domain=reading.site_named or bool(reading.process))
    locations = tuple(dict.fromkeys(m.name for m in reading.sites))
    confidence = result.confidence * (MULTI_SITE_PENALTY if len(locations) > 1 else 1.0)
    intent = Intent(**_intent_fields(result.intent, reading.text), confidence=round(confidence, 3),
                    location=locations[0] if locations else UNCLEAR, locations=locations,
                    process=reading.process[0] if reading.process else "")
    if previous is not None and previous.intent and previous.intent != "unsupported":
        intent = _follow_up(intent, reading, previous, reference)
    intent = _with_date(intent, reading.when, reference)
    prior = _prior_wish(previous, reading)
    if (wish := read_day_off_wish(reading.text, reading.mentions, locations, reference, prior)) is not None:
        return _with_wish(intent, wish, locations, previous)
    if intent.intent == "simulate_assignment":
        what = read_whatif(reading.text)
        intent = replace(intent, demand_change_pct=what.demand_change_pct,
                         cutoff_time=what.cutoff_time, overtime_limit_hours=what.overtime_limit_hours,
                         absent_employee_names=read_absent_names(reading.text, locations))
    return _with_question(intent, reading, reference, previous)


def _prior_wish(previous: Intent | None, reading: _Reading) -> DayOffWhatIf | None:
    """The previous turn's roster wish, when this request follows it up: nothing but a new day, person, site
    or period (「じゃあ木曜は？」「鈴木さんは？」), or a wish again (「木曜に休みたいと言ったら？」); anything
    else (「横浜の新人は誰？」) starts afresh."""
    wish = previous.roster_wish if previous is not None else None
    if wish is None:
        return None
    if not says_day_off_wish(reading.text) and not _only_slots(reading, PERSON.sub("", reading.text)):
        return None
    period = (dt.date.fromisoformat(previous.date_from), dt.date.fromisoformat(previous.date_to))
    return DayOffWhatIf(wish.employee_name, dt.date.fromisoformat(wish.date), wish.day_phrase, period,
                        previous.date_phrase)


def _with_wish(intent: Intent, wish: DayOffWhatIf, named: tuple[str, ...], previous: Intent | None) -> Intent:
    """A roster what-if: the wish, the roster's period and its site (named, else the conversation's; else
    unclear, and the gateway finds the person's own site)."""
    location, from_context = (named[0], intent.from_context) if named else (UNCLEAR, False)
    if not named and previous is not None and previous.location in SITE_NAMES:
        location, from_context = previous.location, True
    return replace(intent, **_intent_fields("simulate_assignment", ""),
                   confidence=max(intent.confidence, WISH_CONFIDENCE), location=location,
                   locations=(location,) if location != UNCLEAR else (), from_context=from_context,
                   date="", weekday="", date_from=wish.period[0].isoformat(), date_to=wish.period[1].isoformat(),
                   date_phrase=wish.period_phrase, absent_employee_names=(), question=None,
                   roster_wish=RosterWish(wish.employee_name, wish.day.isoformat(), wish.day_phrase))


def _with_question(intent: Intent, reading: _Reading, reference: dt.date, previous: Intent | None) -> Intent:
    """Attach the typed question; a site not named comes from the conversation, never from a default."""
    if intent.intent in NOT_QUESTIONS:
        return intent
    scope = _scope(reading, previous)
    question = read_question(scope.text, reference, scope.sites, scope.all_sites_word, scope.process,
                             previous.question if previous is not None else None)
    return replace(intent, question=question) if question is not None else intent


NOT_QUESTIONS = frozenset({"simulate_assignment", "optimize_assignment", "search_knowledge"})


@dataclass(frozen=True)
class QuestionScope:
    """What a question is about, as the rules read it: the only sites, process and wording a question may use
    (the LLM's reading is checked against it)."""

    text: str                      # normalised request
    sites: tuple[str, ...]         # named in the request, else the conversation's
    all_sites_word: bool           # 全拠点 and no site named
    process: str


def _scope(reading: _Reading, previous: Intent | None) -> QuestionScope:
    named = tuple(dict.fromkeys(m.name for m in reading.sites))
    sites = named
    if not sites and not reading.all_sites and previous is not None and previous.location != UNCLEAR:
        sites = previous.locations or (previous.location,)
    return QuestionScope(reading.text, sites, bool(reading.all_sites) and not named,
                         reading.process[0] if reading.process else "")


def question_scope(query: str, reference: dt.date, previous: Intent | None = None) -> QuestionScope:
    previous = previous if previous is not None and previous.intent else None
    return _scope(_read(query, reference), previous)


def retarget(intent: Intent, new_intent: str, query: str, reference: dt.date) -> Intent:
    """The same reading under another intent (the LLM's): recompute what depends on the intent."""
    if new_intent == intent.intent:
        return intent
    reading = _read(query, reference)
    return _with_date(replace(intent, **_intent_fields(new_intent, reading.text)), reading.when, reference)


def _follow_up(intent: Intent, reading: _Reading, previous: Intent, reference: dt.date) -> Intent:
    has_slot = reading.site_named or bool(reading.when or reading.process)
    if intent.intent == "unsupported" and has_slot:
        if previous.intent == "simulate_assignment" and _asks_its_own_question(reading, reference):
            return intent       # 「横浜の新人は誰？」 after a what-if is a question, not the what-if again
        return _inherit_intent(intent, previous, reading)
    if intent.intent != "unsupported" and (_CONTINUATION.search(reading.text) or len(reading.text) <= SHORT_FOLLOW_UP):
        # A day carries over to another day-based ask (配置 → 2名休んだら), not to an analysis.
        same_day_ask = intent.intent == previous.intent or intent.intent in SCHEDULING_INTENTS
        return _inherit_slots(intent, previous, keep_site=reading.site_named,
                              keep_date=bool(reading.when) or not same_day_ask)
    return intent


def _asks_its_own_question(reading: _Reading, reference: dt.date) -> bool:
    scope = _scope(reading, None)
    question = read_question(scope.text, reference, scope.sites, scope.all_sites_word, scope.process, None)
    return question is not None and bool(question.metric)


def _only_slots(reading: _Reading, text: str) -> bool:
    """Nothing but slots (site, date, process) and filler words is left of `text`: a bare follow-up."""
    for phrase in reading.slot_phrases:
        text = text.replace(phrase, "")
    return not _FILLER.sub("", text)


def _inherit_intent(intent: Intent, previous: Intent, reading: _Reading) -> Intent:
    """「札幌は？」: the previous ask with the newly named slots; sure only if nothing else was said."""
    sure = _only_slots(reading, reading.text)
    inherited = _inherit_slots(intent, previous, keep_site=reading.site_named, keep_date=bool(reading.when))
    return replace(
        inherited, intent=previous.intent, complexity=complexity_of(previous.intent),
        data_required=previous.data_required,
        confidence=FOLLOW_UP_CONFIDENCE if sure else LOOSE_FOLLOW_UP_CONFIDENCE, from_context=True)


def _inherit_slots(intent: Intent, previous: Intent, *, keep_site: bool, keep_date: bool) -> Intent:
    """Fill the slots the request did not name from the previous intent."""
    changes: dict = {}
    if not keep_site and previous.location != UNCLEAR:
        changes.update(location=previous.location, locations=previous.locations or (previous.location,))
    if not keep_date and (previous.date or previous.date_from or previous.weekday):
        changes.update(date=previous.date, date_from=previous.date_from, date_to=previous.date_to,
                       weekday=previous.weekday, date_phrase=previous.date_phrase)
    if not intent.process and previous.process:
        changes.update(process=previous.process)
    return replace(intent, from_context=True, **changes) if changes else intent


def _with_date(intent: Intent, when: dates.DateMention | None, reference: dt.date) -> Intent:
    """Put the named date on the intent; a bare weekday is a date only for intents that act on a day."""
    if when is None:
        return intent
    fields: dict = {"date_phrase": when.phrase, "date": "", "date_from": "", "date_to": "", "weekday": ""}
    if when.day is not None:
        fields["date"] = when.day.isoformat()
    elif when.period is not None:
        fields["date_from"], fields["date_to"] = (d.isoformat() for d in when.period)
    else:
        fields["weekday"] = WEEKDAY_JA[when.weekday]
        if intent.intent in SCHEDULING_INTENTS and not when.recurring:
            fields["date"] = dates.next_occurrence(when.weekday, reference).isoformat()
    return replace(intent, **fields)
