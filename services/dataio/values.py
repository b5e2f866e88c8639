"""Cell converters: raw cell (str, or a typed value from .xlsx) → the string stored in the staging table.

Why strings: the fast path writes a TSV for LOAD DATA, and MySQL parses ISO dates and plain decimals
itself, so a valid cell is passed on as-is. Each converter raises BadValue with the Japanese reason a
clerk can act on; the importer adds 「N行目 列名: 値」 in front.
"""
from __future__ import annotations

import datetime as dt
import math
import re

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLASH_DATE = re.compile(r"^(\d{4})[/.年](\d{1,2})[/.月](\d{1,2})日?$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_INT = re.compile(r"^[+-]?\d+$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_TRUE = {"1", "true", "yes", "y", "はい", "○", "〇", "有", "あり", "在籍"}
_FALSE = {"0", "false", "no", "n", "いいえ", "×", "無", "なし", "退職"}


class BadValue(ValueError):
    """A cell that cannot be stored; the message is the Japanese reason."""


def text(max_len: int):
    def convert(value) -> str:
        s = value if isinstance(value, str) else _plain(value)
        s = s.strip()
        if len(s) > max_len:
            raise BadValue(f"{max_len}文字以内で入力してください（{len(s)}文字）")
        if "\t" in s or "\n" in s or "\r" in s or "\x00" in s:
            raise BadValue("タブ・改行などの制御文字は使えません")
        return s
    convert.free_text = True  # TSV-escaped on the fast path, formula-escaped on export
    return convert


def date(value) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    s = value.strip() if isinstance(value, str) else _plain(value)
    if _ISO_DATE.match(s):
        try:
            dt.date.fromisoformat(s)
            return s
        except ValueError:
            pass
    else:
        m = _SLASH_DATE.match(s)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            except ValueError:
                pass
    raise BadValue(f"{s} は日付ではありません（例: 2026-04-01 または 2026/4/1）")


def time_of_day(value) -> str:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.datetime):
        return value.strftime("%H:%M:%S")
    s = value.strip() if isinstance(value, str) else _plain(value)
    m = _TIME.match(s)
    if m and int(m.group(1)) <= 24 and int(m.group(2)) < 60 and int(m.group(3) or 0) < 60:
        return f"{int(m.group(1)):02d}:{m.group(2)}:{m.group(3) or '00'}"
    raise BadValue(f"{s} は時刻ではありません（例: 09:00）")


def number(low: float, high: float, integer: bool = False):
    """A plain decimal (no exponent, no NaN) within [low, high]."""
    kind = "整数" if integer else "数値"

    def convert(value) -> str:
        if isinstance(value, bool):
            raise BadValue(f"{value} は{kind}ではありません")
        if isinstance(value, (int, float)):
            if not math.isfinite(value) or (integer and value != int(value)):
                raise BadValue(f"{value} は{kind}ではありません")
            s = str(int(value)) if integer or float(value).is_integer() else repr(float(value))
        else:
            s = value.strip().replace(",", "")
            if not (_INT if integer else _DECIMAL).match(s):
                raise BadValue(f"{value.strip()} は{kind}ではありません")
        v = float(s)
        if v < low or v > high:
            raise BadValue(f"{s} は範囲外です（{_fmt(low)}〜{_fmt(high)}）")
        return s
    return convert


def choice(options: dict[str, str]):
    """Japanese or English label → stored code; the message lists what is accepted."""
    lookup = {k.lower(): v for k, v in options.items()}
    accepted = "、".join(dict.fromkeys(options))

    def convert(value) -> str:
        s = (value if isinstance(value, str) else _plain(value)).strip()
        code = lookup.get(s.lower())
        if code is None:
            raise BadValue(f"{s} は使えません（使える値: {accepted}）")
        return code
    return convert


def flag(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    s = (value if isinstance(value, str) else _plain(value)).strip().lower()
    if s in _TRUE:
        return "1"
    if s in _FALSE:
        return "0"
    raise BadValue(f"{s} は「1/0」「はい/いいえ」のどちらかで入力してください")


def _plain(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)
