"""What a rule found, before it is stored: the alert's content plus the key that makes storing idempotent."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.common.sites import Site


@dataclass(frozen=True)
class Finding:
    site: Site
    alert_type: str
    subject: str                 # what within the site: "day", "weekday2", "recent" ...
    severity: str
    period_start: dt.date
    period_end: dt.date
    title: str
    message: str
    evidence: dict = field(default_factory=dict)

    @property
    def rule_prefix(self) -> str:
        """Same rule, same site, same subject: findings with this prefix and overlapping periods are one episode."""
        return f"{self.alert_type}:{self.site.code}:{self.subject}:"

    @property
    def rule_key(self) -> str:
        return f"{self.rule_prefix}{self.period_start.isoformat()}:{self.period_end.isoformat()}"


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def md(day: dt.date) -> str:
    """11/24 style for titles."""
    return f"{day.month}/{day.day}"
