"""ListAlerts / GetAlert / GetAlertStats: filters, keyset paging, evidence and related records, statistics that
add up to independent counts."""
from __future__ import annotations

import datetime as dt

import pytest

from services.common.errors import InvalidArgument, NotFound

from services.analytics.alert_stats import alert_stats
from services.analytics.alerts import get_alert, list_alerts
from services.analytics.detection.runner import detect_alerts
from tests.analytics.helpers import sql

TODAY = dt.date.today()


@pytest.fixture(scope="module", autouse=True)
async def some_detected_alerts(deps):
    await detect_alerts(deps, "", TODAY.isoformat(), (TODAY - dt.timedelta(days=6)).isoformat())


async def test_paging_walks_every_alert_once(deps, pool):
    seen, token, pages = [], "", 0
    while True:
        page = await list_alerts(deps, location="品川", page_size=7, page_token=token)
        seen.extend(a["alert_id"] for a in page["alerts"])
        pages += 1
        token = page["next_page_token"]
        if not token:
            break
    expected = (await sql(pool, "SELECT COUNT(*) AS n FROM alerts WHERE location_id = 2"))[0]["n"]
    assert len(seen) == len(set(seen)) == page["total"] == expected and pages == -(-expected // 7)


async def test_filters_combine(deps, pool):
    page = await list_alerts(deps, alert_type="overtime_over_limit", severity="critical", status="open",
                             date_from=(TODAY - dt.timedelta(days=6)).isoformat(), date_to=TODAY.isoformat())
    assert page["alerts"] and all(a["alert_type"] == "overtime_over_limit" and a["severity"] == "critical"
                                  and a["status"] == "open" for a in page["alerts"])
    expected = (await sql(pool, """SELECT COUNT(*) AS n FROM alerts a WHERE alert_type = 'overtime_over_limit'
        AND severity = 'critical' AND status = 'open'
        AND LEAST(period_end, DATE(detected_at)) BETWEEN CURDATE() - INTERVAL 6 DAY AND CURDATE()"""))[0]["n"]
    assert page["total"] == expected
    ordered = [(a["period_end"], a["alert_id"]) for a in page["alerts"]]
    assert ordered == sorted(ordered, reverse=True)


async def test_token_is_bound_to_its_filters(deps):
    first = await list_alerts(deps, page_size=2)
    assert first["next_page_token"]
    with pytest.raises(InvalidArgument, match="別の検索条件"):
        await list_alerts(deps, location="横浜", page_size=2, page_token=first["next_page_token"])
    with pytest.raises(InvalidArgument, match="page_token が不正"):
        await list_alerts(deps, page_token="not-a-token")


@pytest.mark.parametrize("kwargs, fragment", [
    ({"alert_type": "fire"}, "alert_type"), ({"severity": "urgent"}, "severity"), ({"status": "closed"}, "status"),
    ({"page_size": 500}, "page_size"), ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "以前"),
])
async def test_list_rejects_bad_filters(deps, kwargs, fragment):
    with pytest.raises(InvalidArgument, match=fragment):
        await list_alerts(deps, **kwargs)


async def test_get_alert_has_evidence_and_related_records(deps):
    page = await list_alerts(deps, location="品川", alert_type="overtime_over_limit", page_size=50)
    detected = next(a for a in page["alerts"] if a["rule_key"].startswith("overtime_over_limit:"))
    detail = await get_alert(deps, detected["alert_id"])
    assert detail["alert"]["evidence"]["site_overtime_hours"] > 0
    records = detail["related_records"]
    assert records and all(r["attendance_date"] == detected["period_start"] for r in records)
    assert sum(r["over_personal_limit"] for r in records) == detail["alert"]["evidence"]["staff_over_personal_limit"]
    seeded = next(a for a in page["alerts"] if a["rule_key"].startswith("seed:"))
    assert (await get_alert(deps, seeded["alert_id"]))["related_records"]  # other writers' alerts are explained too


@pytest.mark.parametrize("alert_type", ["overtime_over_limit", "productivity_drop", "absence_spike",
                                        "staffing_shortage"])
async def test_get_alert_explains_every_alert_type(deps, alert_type):
    """The console opens alerts of every type: each one's related records must load (strict GROUP BY too)."""
    page = await list_alerts(deps, alert_type=alert_type, page_size=5)
    assert page["alerts"], f"sample data has no {alert_type} alert"
    for alert in page["alerts"]:
        detail = await get_alert(deps, alert["alert_id"])
        assert detail["alert"]["alert_type"] == alert_type and isinstance(detail["related_records"], list)


async def test_get_alert_errors(deps):
    with pytest.raises(NotFound, match="999999"):
        await get_alert(deps, 999999)
    with pytest.raises(InvalidArgument):
        await get_alert(deps, 0)


async def test_stats_add_up_to_sql(deps, pool):
    stats = await alert_stats(deps, period="day")
    expected = (await sql(pool, """SELECT COUNT(*) AS n, SUM(status <> 'resolved') AS open FROM alerts
        WHERE LEAST(period_end, DATE(detected_at)) BETWEEN CURDATE() - INTERVAL 29 DAY AND CURDATE()"""))[0]
    assert stats["total"] == expected["n"] and stats["open"] == int(expected["open"])
    for key in ("by_location", "by_type", "by_severity", "by_status", "by_period"):
        assert sum(b["count"] for b in stats[key]) == stats["total"], key
    assert [b["key"] for b in stats["by_period"]] == sorted(b["key"] for b in stats["by_period"])
    shinagawa = await alert_stats(deps, location="品川", period="month")
    assert shinagawa["by_location"] == [{"key": "品川", "count": shinagawa["total"]}]


async def test_stats_reject_unknown_period(deps):
    with pytest.raises(InvalidArgument, match="period"):
        await alert_stats(deps, period="quarter")
