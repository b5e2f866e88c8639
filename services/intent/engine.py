"""The intent engine's use case: rules first, the light LLM only when the rules are unsure.

The deterministic parse always runs (sub-millisecond) and is always a complete answer, so the product
works with no model at all. When a light LLM is configured and the rules' confidence is below the
threshold, the model is asked under a hard time budget; a timeout, an error or an answer outside the
schema leaves the rules' answer in place and says why in `fallback_reason`.
"""
from __future__ import annotations

import logging
import time

from services.common import dates as common_dates
from services.common.errors import AimeeError, InvalidArgument
from services.common.llm import LlmClient
from services.intent import llm_parser, parser
from services.intent.model import Intent, ParseOutcome

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
        if self.llm is not None and intent.confidence < self.threshold:
            try:
                intent = await llm_parser.refine(self.llm, query, intent, reference, previous, self.llm_timeout)
                used = f"llm:{self.llm.name}"
            except llm_parser.LlmRejected as exc:
                reason = exc.reason
            except AimeeError as exc:  # DeadlineExceeded / Unavailable from the provider
                reason = f"{'timeout' if exc.code == 'DEADLINE_EXCEEDED' else 'unavailable'}: {exc.message}"
            if reason:
                log.warning("llm fallback", extra={"fields": {"reason": reason}})
        return ParseOutcome(intent, used, reason, round((time.perf_counter() - started) * 1000, 3))
