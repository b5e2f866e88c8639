"""AnswerQuestion use case: validate → execute → word. Returns a dict shaped like AnswerQuestionResponse."""
from __future__ import annotations

import dataclasses

from services.common import dates as common_dates
from services.analytics.question import executor, wording
from services.analytics.question.spec import QuestionSpec, validate


async def answer_question(deps, question: QuestionSpec, reference_date: str = "") -> dict:
    reference = common_dates.parse_date(reference_date, "reference_date", common_dates.today())
    q = validate(question, reference)
    if q.sites:
        for name in q.sites:
            await deps.sites.get(name)  # NOT_FOUND listing the valid sites
    if q.process:
        await deps.processes.get(q.process)
    done = await executor.execute(deps.pool, q, reference)
    columns, rows = wording.table(done)
    executed = {f.name: getattr(done.question, f.name) for f in dataclasses.fields(QuestionSpec)}
    executed["sites"] = list(done.question.sites)
    return {"result": {"columns": columns, "rows": [{"cells": r} for r in rows]},
            "definitions": wording.definitions(done), "interpretation": wording.interpretation(done),
            "answer": wording.answer(done), "question": executed}
