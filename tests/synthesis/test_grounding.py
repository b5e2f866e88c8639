"""The number check: invented numbers are caught, numbers derived from the data are accepted."""
from __future__ import annotations

import pytest

from services.synthesis import grounding
from tests.synthesis import fixtures as f
from tests.synthesis.helpers import prepared

REQUEST = f.request("optimize", parts=(*f.FULL, "productivity", "attendance", "alert"),
                    query="横浜拠点のアラートを改善して。明日3名休む予定です")


@pytest.fixture(scope="module")
def index() -> grounding.SupportIndex:
    p = prepared(REQUEST)
    return grounding.SupportIndex.build(p.inp.data, p.inp.query)


def unsupported(text: str, index) -> list[str]:
    return grounding.check(text, index).unsupported


def test_an_invented_percentage_is_caught(index):
    assert unsupported("配置を見直せば生産性が37%向上します。", index) == ["37%"]
    assert unsupported("残業は6割減ります。", index) == ["6割"]           # 60% as 割
    assert unsupported("欠勤は七割減ります。", index) == ["七割"]         # kanji numeral
    assert unsupported("生産性が３７％向上します。", index) == ["37%"]     # full-width


@pytest.mark.parametrize("text", [
    "未解決のアラートは8件です。",                                  # raw count
    "平均生産性は85.2%、おおよそ85%です。",                          # raw + rounding
    "月曜の欠勤率は18.5%です。",                                    # 0.185 as percent
    "他の曜日は平均6.8%で、その差は11.7ポイント、約2.7倍です。",           # derived: weighted mean, difference, ratio
    "充足率は84.4%から93.5%へ9.1ポイント改善します。",                   # difference of two coverages
    "不足は9.7人時から4.0人時に減り、5.7人時の改善です（58.8%減）。",       # difference and relative change
    "出勤率91.5%なので、欠勤は8.5%です。",                              # complement
    "期待生産性91.3%は直近平均より6.1ポイント高い水準です。",               # difference within one family
    "検品を補えば充足率は97.6%になります。",                            # (58.0 + 2.5) / 62.0
    "移動費は1,200円です。",                                         # thousands separator
    "月曜は約2.8名、他の曜日並みなら約1.0名の欠勤が見込まれます。",          # active staff x rate
    "ナレッジでは16時以降の新規業務停止で残業が30%削減されました。",          # numbers in a knowledge chunk
    "検品の平均生産性は80.4%です。",                                    # sample-weighted process mean
    "明日3名休む予定とのことです。",                                   # number in the request text
    "直近7日の生産性は前30日比で4.2%低下しました。",                       # metric window + raw change
    "2026年11月25日（水）、11月24日の分析です。",                        # dates
    "1. 残業の平準化\n2. 月曜の配置調整\n（3）生産性",                    # list markers
    "第1に残業、優先度2は欠勤です。",                                   # ordinals
    "ollama:gemma3:4b-instruct が書きました。",                         # identifiers
])
def test_supported_numbers_pass(text, index):
    assert unsupported(text, index) == []


def test_unsupported_numbers_are_reported_once_each(index):
    result = grounding.check("生産性が37%向上し、さらに37%向上し、欠勤は12.34%です。", index)
    assert result.unsupported == ["37%", "12.34%"] and result.numbers_checked == 3 and not result.ok


def test_percent_needs_a_percent_value(index):
    # 62 is in the data as staff-hours (demand), not as a percent
    assert unsupported("需要は62人時です。", index) == []
    assert unsupported("生産性が62%に下がりました。", index) == ["62%"]


def test_extraction_kinds_and_exemptions():
    got = [(m.text, m.value, m.kind) for m in grounding.extract("1. 充足率93.5%、不足4.0人時、3割、12.5h、二件")]
    assert got == [("93.5%", 93.5, "pct"), ("4.0", 4.0, "num"), ("3割", 30.0, "pct"), ("12.5", 12.5, "num"),
                   ("二件", 2.0, "num")]
    assert grounding.extract("一人ひとりの一部を一度だけ") == []
    assert grounding.extract("2026-11-25 と 11月25日（水）") == []


def test_false_acceptance_rate_of_invented_percentages_is_low(index):
    """Measured on this data: random one-decimal percentages that happen to match something."""
    accepted = sum(index.supports(grounding.Mention("x", n / 10, 1, "pct")) for n in range(1, 1001))
    assert accepted / 1000 < 0.10


def test_the_answer_index_also_accepts_the_plan_schedule_but_not_inventions():
    index = prepared(REQUEST).index  # what the composer checks model text against
    assert unsupported("Day7に効果測定を行い、14日後に定着を確認します。3日以内に残業ルールを適用します。", index) == []
    assert unsupported("その後、生産性が37%向上します。", index) == ["37%"]
