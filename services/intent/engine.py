"""The intent engine's use case: rules first, the light LLM only when the rules are unsure.

The deterministic parse always runs (sub-millisecond) and is always a complete answer, so the product
works with no model at all. When a light LLM is configured, it is asked once, under a hard time budget:
- for the typed question (question.llm_fill), when the request is asked as a question but the rules found
  no metric in it;
- otherwise for the intent label (llm_parser), when the rules' confidence is below the threshold and they
  typed no question (a typed question is answered by the question flow whatever the label: measured on
  the dev set, 4 of 24 questions had a typed question under an unsure label, and asking cost seconds each).
A timeout, an error, an answer outside the schema or one naming what the request does not (an invented
site, process or person) leaves the rules' answer in place and says why in `fallback_reason`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time

from services.common import dates as common_dates
from services.common.errors import AimeeError, InvalidArgument
from services.common.llm import LlmClient
from services.intent import llm_parser, parser
from services.intent.model import Intent, ParseOutcome
from services.intent.question import llm_fill

log = logging.getLogger("aimee.intent")
MAX_QUERY_CHARS = 1000
DETERMINISTIC = "deterministic"


class IntentEngine:
    def __init__(self, llm: LlmClient | None = None, *, threshold: float = 0.7, llm_timeout: float = 5.0):
        self.llm = llm
        self.threshold = threshold
        self.llm_timeout = llm_timeout

    async def parse(self, query: str, reference_date: str = "", previous: Intent | None = None) -> ParseOutcome:
        started = time.perf_counter()
        query = (query or "").strip()
        if not query:
            raise InvalidArgument("query（依頼文）を入力してください")
        if len(query) > MAX_QUERY_CHARS:
            raise InvalidArgument(f"query は {MAX_QUERY_CHARS} 文字以内にしてください（現在: {len(query)} 文字）")
        reference = common_dates.parse_date(reference_date, "reference_date", common_dates.today())
        previous = previous if previous is not None and previous.intent else None

        intent = parser.parse(query, reference, previous)
        used, reason = DETERMINISTIC, ""
        if self.llm is not None:
            scope = parser.question_scope(query, reference, previous)
            ask_question = self._wants_question(intent, scope.text)
            typed = intent.question is not None and bool(intent.question.metric)
            if ask_question or (intent.confidence < self.threshold and not typed):
                try:
                    if ask_question:
                        intent = await self._fill_question(query, intent, scope, reference, previous)
                    else:
                        intent = await llm_parser.refine(self.llm, query, intent, reference, previous,
                                                         self.llm_timeout)
                    used = f"llm:{self.llm.name}"
                except llm_parser.LlmRejected as exc:
                    reason = exc.reason
                except AimeeError as exc:  # DeadlineExceeded / Unavailable from the provider
                    reason = f"{'timeout' if exc.code == 'DEADLINE_EXCEEDED' else 'unavailable'}: {exc.message}"
                if reason:
                    log.warning("llm fallback", extra={"fields": {"reason": reason}})
        return ParseOutcome(intent, used, reason, round((time.perf_counter() - started) * 1000, 3))

    def _wants_question(self, intent: Intent, text: str) -> bool:
        """A question the rules could not type: not a consultation, not confidently off-topic."""
        off_topic = intent.intent == "unsupported" and intent.confidence >= self.threshold
        return intent.intent not in parser.NOT_QUESTIONS and not off_topic and llm_fill.wanted(intent.question, text)

    async def _fill_question(self, query: str, intent: Intent, scope: parser.QuestionScope, reference: dt.date,
                             previous: Intent | None) -> Intent:
        """The intent carrying the LLM's typed question (a workplace question the rules did not read)."""
        question = await llm_fill.fill(self.llm, query, scope.text, reference, scope.sites, scope.all_sites_word,
                                       scope.process, previous.question if previous is not None else None,
                                       self.llm_timeout)
        if intent.intent == "unsupported":
            intent = dataclasses.replace(parser.retarget(intent, "simple_query", query, reference),
                                         confidence=llm_parser.OVERRIDE_CONFIDENCE)
        return dataclasses.replace(intent, question=question)
