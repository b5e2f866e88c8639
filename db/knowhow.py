"""rag_context seed rows: managers' know-how in Japanese, keyed by keywords.

context_key is matched by the seed's `WHERE context_key LIKE %s` with f"%{location} アラート 改善%",
so the site rows contain that exact phrase; other keys cover 月曜 欠勤, 冬季, 残業, 新人, 配置ルール.
"""
from __future__ import annotations

from datetime import timedelta

# (context_type, context_key, context_value, relevance_score, use_count, site name or None, days ago)
KNOWHOW: tuple[tuple, ...] = (
    ("implicit_knowledge", "横浜 アラート 改善 月曜 欠勤",
     "横浜拠点では月曜日の欠勤率が他の曜日の約3倍（15%前後）になる。月曜朝は熟練者2名を午前に配置し、"
     "新人は午後からのOJTに回すと生産性の落ち込みを抑えられる。", 0.920, 14, "横浜", 40),
    ("implicit_knowledge", "横浜 アラート 改善 新人 教育",
     "横浜は直近半年の新規採用が多く、スキル1〜2の新人が4割近い。検品・出荷には必ずベテラン（スキル4以上）"
     "を1名以上つけ、新人はピッキング・仕分けから始めて2週間ごとに工程を増やす。", 0.880, 9, "横浜", 25),
    ("case_result", "横浜 月曜 生産性 低下",
     "横浜拠点では月曜朝の生産性が15%低下する傾向。月曜午前の出荷締めを30分遅らせたところ残業が減り、"
     "生産性の落ち込みも半分になった。", 0.800, 6, "横浜", 60),
    ("implicit_knowledge", "品川 アラート 改善 残業 超過",
     "品川は18時の出荷締めに向けて残業が常態化し、1人1日2時間の上限を超える日が多い。16時以降の新規業務を"
     "止めて翌日午前に回すと残業時間が約30%減った実績がある。", 0.900, 12, "品川", 30),
    ("manager_feedback", "品川 残業 応援 関東",
     "品川で残業上限を超えそうな日は、同じ関東の横浜から午後だけ応援を出す。移動は1時間以内で済む。",
     0.750, 4, "品川", 20),
    ("implicit_knowledge", "札幌 アラート 改善 冬季 欠勤 積雪",
     "札幌は11月〜3月に積雪や交通障害で欠勤が増え、1月は平常時の3倍近くになる。冬季は予備要員を1割多く"
     "計画し、前日夕方の天気予報を見て出勤確認の連絡を入れる。", 0.900, 10, "札幌", 35),
    ("implicit_knowledge", "大阪 アラート 改善 ピッキング",
     "大阪はピッキングの生産性が高く安定している。繁忙日は大阪のピッキング熟練者を関西内の応援に回せる。",
     0.700, 3, "大阪", 50),
    ("implicit_knowledge", "佐世保 アラート 改善 少人数 出荷",
     "佐世保は少人数拠点のため、1名欠勤すると出荷工程が止まりやすい。出荷と検品を兼務できる人を最低2名確保する。",
     0.750, 5, "佐世保", 45),
    ("case_result", "月曜 欠勤 残業 全拠点",
     "月曜の欠勤は前週金曜の長時間残業と相関がある。金曜の残業を2時間以内に抑えた拠点では月曜欠勤が2割減った。",
     0.700, 7, None, 70),
    ("implicit_knowledge", "配置ルール 検品 出荷 ベテラン",
     "検品と出荷はベテラン必須工程。各時間帯に最低1名のスキル4以上を配置し、検品はスキル2未満の者を配置しない。",
     0.850, 20, None, 90),
    ("implicit_knowledge", "残業 上限 ルール アラート",
     "残業は1人1日2時間まで、拠点合計は拠点ごとの上限（時間）以内に収める。超える見込みなら前日までに配置を見直す。",
     0.820, 15, None, 90),
)


def rag_rows(site_ids: dict[str, int], end_date) -> list[tuple]:
    """Rows for the sites present in this load (scale mode always includes the five named sites)."""
    rows = []
    for ctype, key, value, score, uses, site, days_ago in KNOWHOW:
        if site is not None and site not in site_ids:
            continue
        created = f"{(end_date - timedelta(days=days_ago)).isoformat()} 10:00:00"
        rows.append((ctype, key, value, score, uses, site_ids.get(site) if site else None, created))
    return rows
