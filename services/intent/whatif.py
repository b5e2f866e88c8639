"""What-if parameters said in a simulation request, read by general patterns:

「物量が20%増えたら」「需要が1割減ったら」 → demand_change_pct; 「16時以降は止めたら」 → cutoff_time;
「残業を1時間までにしたら」 → overtime_limit_hours. The solver's Simulate takes them as they are.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_VOLUME = r"(?:物量|業務量|需要|作業量|出荷量|入荷量|荷物|仕事量|量)"
_DEMAND = re.compile(_VOLUME + r"[^0-9。]{0,8}?(\d+(?:\.\d+)?)\s*(%|％|パーセント|割)\s*(?:も|ほど|くらい|ぐらい)?\s*"
                     r"(増|減|アップ|ダウン|up|down)", re.IGNORECASE)
_CUTOFF = re.compile(r"(\d{1,2})\s*(?:時|:00)\s*(?:以降|から|過ぎ)[^。]{0,12}?(?:停止|止め|止まる|打ち切|なし|しない|禁止|やめ)")
_OVERTIME = re.compile(r"残業[^0-9。]{0,8}?(\d+(?:\.\d+)?)\s*時間\s*(?:まで|以内|上限|に制限|に抑え)")


@dataclass(frozen=True)
class WhatIf:
    demand_change_pct: float = 0.0
    cutoff_time: str = ""
    overtime_limit_hours: float = 0.0


def read_whatif(text: str) -> WhatIf:
    demand = 0.0
    if m := _DEMAND.search(text):
        amount = float(m.group(1)) * (10 if m.group(2) == "割" else 1)
        demand = -amount if m.group(3).lower() in ("減", "ダウン", "down") else amount
    cutoff = ""
    if (m := _CUTOFF.search(text)) and 0 <= int(m.group(1)) <= 23:
        cutoff = f"{int(m.group(1)):02d}:00"
    overtime = float(m.group(1)) if (m := _OVERTIME.search(text)) else 0.0
    return WhatIf(demand, cutoff, overtime)
