"""The LLM's typed question: asked only when the rules find no metric in something asked as a question.

The light model fills the same `Question` the rules fill, under a JSON schema whose enums are the closed
vocabularies (metrics, sites, processes). Not every server enforces a schema,
and a small model guesses, so its answer is validated again here against what the request itself says:
- the metric must be in the whitelist ("none" means the model found no question either: an honest cannot);
- every site must be one the request names (or the conversation's), a process the request names, a person
  written in the request: an invented site, process or person rejects the whole answer;
Everything else (filters, the period, grouping and ranking words) is read by the same rules as for a
deterministic question (`parse.build`); a period not written in the request is the metric's stated default.
The model is not asked for them: measured with Qwen2.5-Coder-1.5B on the dev set, it added a grouping and an
order to plain counts (「品川で梱包ができる人は何人？」 → per site, descending) and a period to a question
that names none (「大阪の派遣社員の人数は？」 → 今週), which turns right answers into wrong ones, and every field
costs output tokens (~0.5 s each on 2 shared cores). Any rejection raises `LlmRejected` with a reason and
the rules' answer stands.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace

from services.common.llm import LlmClient
from services.intent.llm_parser import LlmRejected
from services.intent.model import SITE_NAMES
from services.intent.question import lexicon as lx
from services.intent.question.model import Question
from services.intent.question.parse import build, is_consultation
from services.intent.rules import PROCESS_NAMES

NO_METRIC = "none"
MAX_TOKENS = 64  # a filled question is ~30 tokens; the cap bounds a model that rambles

SCHEMA: dict = {
    "type": "object",
    "properties": {
        "metric": {"type": "string", "enum": [*lx.METRICS, NO_METRIC]},
        "sites": {"type": "array", "items": {"type": "string", "enum": list(SITE_NAMES)}, "maxItems": len(SITE_NAMES)},
        "process": {"type": "string", "enum": ["", *PROCESS_NAMES]},
        "employee_name": {"type": "string", "maxLength": 20},
    },
    "required": ["metric", "sites", "process", "employee_name"],
    "additionalProperties": False,
}

SYSTEM = f"""物流拠点の管理者の質問を、集計できる形のJSONにしてください。JSONだけを返します。
metric（何を数えるか）:
headcount=在籍人数 / qualified_headcount=その工程をできる人 / skill_level=スキルの高さ / absence_count=欠勤・休んだ人 /
absence_rate=欠勤率 / attended_count=出勤した人 / attendance_rate=出勤率 / late_count=遅刻 / early_leave_count=早退 /
paid_leave_days=有給 / overtime_hours=残業時間 / productivity=生産性・効率 / units_processed=処理数 /
forecast_units=業務量・物量の予測 / forecast_staff_hours=必要人時 / assigned_people=配置・割り振り /
scheduled_people=出勤予定 / off_people=休みの予定 / alert_count=アラート / {NO_METRIC}=どれでもない
sites: 質問に書かれた拠点（{'・'.join(SITE_NAMES)}）だけ。書かれていなければ []。
process: 書かれた工程（{'・'.join(PROCESS_NAMES)}）か ""。employee_name: 書かれた人名か ""。"""


def wanted(question: Question | None, text: str) -> bool:
    """Asked as a question (「…は？」「誰」「何人」) and no consultation, yet the rules found no metric."""
    if question is not None and question.metric:
        return False
    return bool(lx.QUESTION_SHAPE.search(text)) and not is_consultation(text)


def _compact(text: str) -> str:
    return re.sub(r"[\s\u3000]", "", text)


def build_prompt(query: str, previous: Question | None) -> str:
    lines = [f"質問: {query}"]
    if previous is not None and previous.metric:
        lines.append(f"直前の質問: metric={previous.metric}, sites={list(previous.sites)}（続きの質問なら引き継ぐ）")
    return "\n".join(lines)


def _enum(data: dict, key: str, allowed) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or (value and value not in allowed):
        raise LlmRejected(f"schema: unknown {key} {value!r}")
    return value


def validate(raw: str, query: str, sites: tuple[str, ...], process: str) -> dict:
    """The model's fields, checked against the vocabularies and against the request (`sites`/`process`
    are what the rules read in it); LlmRejected names the first problem."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, TypeError) as exc:
        raise LlmRejected(f"invalid_json: {raw[:80]!r}") from exc
    if not isinstance(data, dict):
        raise LlmRejected(f"schema: JSON object expected, got {type(data).__name__}")
    metric = data.get("metric")
    if metric == NO_METRIC:
        raise LlmRejected("no_metric: the model found no question in the data either")
    if metric not in lx.METRICS:
        raise LlmRejected(f"schema: unknown metric {metric!r}")
    named = data.get("sites") or []
    if not isinstance(named, list) or not all(isinstance(s, str) for s in named):
        raise LlmRejected(f"schema: sites must be a list of names, got {named!r}")
    for site in named:
        if site not in SITE_NAMES:
            raise LlmRejected(f"schema: unknown site {site!r}")
        if site not in sites:
            raise LlmRejected(f"invented_site: {site} is not in the request")
    llm_process = _enum(data, "process", PROCESS_NAMES)
    if llm_process and llm_process != process:
        raise LlmRejected(f"invented_process: {llm_process} is not in the request")
    person = data.get("employee_name") or ""
    if not isinstance(person, str) or (person and _compact(person) not in _compact(query)):
        raise LlmRejected(f"invented_person: {person!r} is not in the request")
    return {"metric": metric, "employee_name": person.strip()}


def merge(fields: dict, text: str, reference: dt.date, sites: tuple[str, ...], all_sites_word: bool,
          process: str) -> Question:
    """The rules' reading of everything the request says (filters, period, grouping, ranking), with the
    model's metric and a person written in the request that the rules did not read."""
    q = build(text, reference, sites, all_sites_word, process, fields["metric"])
    if not q.employee_name and fields["employee_name"]:
        q = replace(q, employee_name=fields["employee_name"])
    return q


async def fill(client: LlmClient, query: str, text: str, reference: dt.date, sites: tuple[str, ...],
               all_sites_word: bool, process: str, previous: Question | None, timeout: float) -> Question:
    """The model's question for `query` (normalised `text`), validated and merged; raises LlmRejected or a
    domain error (DeadlineExceeded / Unavailable) so the caller keeps the rules' answer."""
    raw = await client.generate(build_prompt(query, previous), system=SYSTEM, json_schema=SCHEMA,
                                temperature=0.0, max_tokens=MAX_TOKENS, timeout=timeout)
    fields = validate(raw.strip(), query, sites, process)
    return merge(fields, text, reference, sites, all_sites_word, process)
