"""docs/imports.md documents every kind's headers (the mapping's one home is kinds.py; the doc must follow)."""
from __future__ import annotations

from pathlib import Path

from services.dataio.kinds import KINDS, normalise_header
from services.dataio.mapping import build_plan, guess_kind

DOC = Path(__file__).resolve().parents[2] / "docs" / "imports.md"


def test_every_kind_and_header_is_in_the_doc():
    text = DOC.read_text(encoding="utf-8")
    for kind in KINDS.values():
        assert f"`{kind.name}`" in text
        for field in kind.fields:
            row = f"| {field.name} | {field.english} |"
            assert row in text, f"{kind.name}: {row}"


def test_headers_match_in_japanese_english_and_loose_spelling():
    kind = KINDS["attendance"]
    for header in (["従業員コード", "勤務日", "勤怠区分"], ["Employee Code", "ATTENDANCE_DATE", "status"],
                   ["﻿従業員コード ", "勤務日", "区分"]):
        plan = build_plan(kind, header)
        assert [s[0] for s in plan.slots][:3] == ["ref", "cell", "cell"], header
    assert normalise_header("Ｅｍｐｌｏｙｅｅ＿Ｃｏｄｅ") == "employeecode"
    assert guess_kind(["拠点", "工程", "日付", "時間帯", "予測数量"]) == "workload_forecasts"


def test_the_console_offers_every_kind_with_its_label():
    """web/src/api/imports.ts lists the kinds for the upload pane; it must follow kinds.py."""
    import re
    from services.dataio.kinds import ALL_KINDS, KNOWHOW
    source = (DOC.parents[1] / "web" / "src" / "api" / "imports.ts").read_text(encoding="utf-8")
    offered = dict(re.findall(r'\{ id: "(\w+)", label: "([^"]+)" \}', source))
    assert list(offered) == list(ALL_KINDS)
    assert all(offered[name] == kind.label for name, kind in KINDS.items()) and KNOWHOW in offered
