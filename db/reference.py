"""Fixed reference data: the five sites with their planted behaviour, the six processes, name lists.

Ids are stable by construction (sites 1..5 in this order, processes 1..6 in this order) so other
engines, fixtures and knowledge documents can rely on them after every reload.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SiteProfile:
    """How one site behaves in generated data. Numbers are per-day probabilities unless noted."""
    name: str
    code: str
    region: str
    sample_staff: int                 # active staff in sample mode (scale mode uses --staff for all)
    new_staff_share: float = 0.12     # hired within the last 180 days at skill 1-2
    base_absence: float = 0.045       # weekday unplanned absence
    monday_absence: float | None = None  # overrides base_absence on Mondays (横浜)
    winter_absence: bool = False      # absence *= winter_absence_factor(date): Nov-Mar, peak Jan (札幌)
    overtime_prob: float = 0.14       # share of present full-time staff doing overtime
    heavy_overtime: bool = False      # overtime of 2-4 h instead of 0.5-2 h (品川)
    monday_demand_boost: float = 0.0  # extra forecast workload on Mondays (横浜)
    recent_productivity_drop: float = 0.0  # score points lost, ramping over the last 35 days (横浜)


NAMED_SITES: tuple[SiteProfile, ...] = (
    SiteProfile("横浜", "yokohama", "関東", 44, new_staff_share=0.42, monday_absence=0.18,
                monday_demand_boost=0.12, recent_productivity_drop=7.0),
    SiteProfile("品川", "shinagawa", "関東", 38, overtime_prob=0.58, heavy_overtime=True),
    SiteProfile("札幌", "sapporo", "北海道", 34, winter_absence=True),
    SiteProfile("大阪", "osaka", "関西", 40),
    SiteProfile("佐世保", "sasebo", "九州", 31),
)

REGIONS_CYCLE = ("関東", "北海道", "関西", "九州")


def synthetic_site(index: int, staff: int) -> SiteProfile:
    """Extra scale-mode sites: 拠点006/site006 ..., regions cycling, ordinary behaviour."""
    return SiteProfile(f"拠点{index:03d}", f"site{index:03d}", REGIONS_CYCLE[(index - 1) % 4], staff)


@dataclass(frozen=True)
class Process:
    process_id: int
    code: str
    name: str
    min_skill: int
    requires_veteran: int
    units_per_hour: float   # standard_units_per_hour: one staff-hour at productivity_score 100
    demand_share: float     # default share of a site's workload


PROCESSES: tuple[Process, ...] = (
    Process(1, "picking", "ピッキング", 1, 0, 110.0, 0.27),
    Process(2, "inspection", "検品", 2, 1, 80.0, 0.13),
    Process(3, "packing", "梱包", 1, 0, 70.0, 0.18),
    Process(4, "receiving", "入荷", 1, 0, 90.0, 0.14),
    Process(5, "shipping", "出荷", 1, 1, 75.0, 0.14),
    Process(6, "sorting", "仕分け", 1, 0, 120.0, 0.14),
)
PROCESS_BY_ID = {p.process_id: p for p in PROCESSES}
VETERAN_SKILL = 4
BLOCKS = ("morning", "afternoon", "overtime")

FAMILY_NAMES = (
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤",
    "吉田", "山田", "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水",
    "山崎", "森", "池田", "橋本", "阿部", "石川", "前田", "藤田", "小川", "岡田",
)
GIVEN_NAMES = (
    "健太", "翔太", "大輔", "拓也", "直樹", "陽介", "美咲", "彩", "由美", "恵",
    "結衣", "陽菜", "真由美", "裕子", "浩二", "誠", "隆", "花子", "さくら", "優子",
    "翼", "蓮", "悠斗", "愛", "舞", "亮", "和也", "智子", "明美", "哲也",
)
