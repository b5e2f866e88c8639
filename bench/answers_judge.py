"""Judging rules of ../shared/eval/answers_dev.jsonl, as plain functions (the evaluator and the tests use them).

An answer is right when its first two sentences state the true value (within 0.05 or 0.5 %; a rate as a
percentage), name the true person (any of a tie), name the true site first, or name every person listed;
extra SQL columns/rows are accepted alternatives. An answer for a default site to an all-sites question is
wrong. "Cannot" answers (お答えできません, asking back) are counted apart from wrong ones.
"""
from __future__ import annotations

import re
from decimal import Decimal

SITES = ("横浜", "品川", "札幌", "大阪", "佐世保")
_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]?")
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
CANNOT = re.compile(r"お答えできません|どの拠点についてですか|指定してください|対象外|扱っていません")
DEFAULT_SITE = "拠点の指定がなかったため"


def first_sentences(text: str, n: int = 2) -> str:
    parts = [p for p in _SENTENCE.findall(text or "") if p.strip()]
    return "".join(parts[:n])


def numbers(text: str) -> list[float]:
    return [float(m.group(0).replace(",", "")) for m in _NUMBER.finditer(text)]


def close(stated: float, true: float) -> bool:
    return abs(stated - true) <= 0.05 or abs(stated - true) <= 0.005 * abs(true)


def _values(row) -> list[float]:
    return [float(v) for v in row if isinstance(v, (int, float, Decimal)) and v is not None]


def _compact(name: str) -> str:
    return str(name).replace(" ", "").replace("\u3000", "")


def judge(kind: str, answer: str, rows: list[tuple] | None, line: dict) -> str:
    """'right', 'wrong' or 'cannot'."""
    if DEFAULT_SITE in (answer or ""):
        return "wrong"
    head = first_sentences(answer)
    compact = _compact(head)
    verdict = False
    if kind == "contains":
        verdict = all(s in answer for s in line.get("contains", [])) and \
            not any(s in answer for s in line.get("not_contains", []))
    elif kind == "number":
        stated = numbers(head)
        verdict = any(close(n, v) for row in rows for v in _values(row) for n in stated)
    elif kind == "numbers_all":
        stated = numbers(head)
        verdict = bool(rows) and all(any(close(n, v) for v in _values(row) for n in stated) for row in rows)
    elif kind == "name":
        verdict = any(_compact(row[0]) in compact for row in rows if row and row[0])
    elif kind == "names_all":
        verdict = all(_compact(row[0]) in compact for row in rows if row and row[0])
    elif kind == "site":
        found = sorted((compact.find(s), s) for s in SITES if s in compact)
        verdict = bool(found) and any(found[0][1] == row[0] for row in rows)
    if verdict:
        return "right"
    return "cannot" if CANNOT.search(head) else "wrong"
