"""bench/roster_site_bench.py plans a site's roster from the database as PlanRoster does and reports it."""
from __future__ import annotations

from bench import roster_site_bench


def test_reports_one_row_per_site_with_a_consistent_objective_and_bound(database_url, capsys):
    assert roster_site_bench.main(["--site", "佐世保", "--site", "横浜", "--days", "7", "--time-limit", "3"]) == 0
    rows = [line.split("|")[1:-1] for line in capsys.readouterr().out.splitlines()
            if line.startswith("| ") and not line.startswith("| site")]
    assert [r[0].strip() for r in rows] == ["佐世保", "横浜"]
    for site, staff, cols, _rows, first, last, _proof, objective, bound in rows:
        assert int(staff) > 0 and int(cols) > 0
        assert float(first.split()[0]) <= float(last.split()[0])
        assert 0 <= float(bound) <= float(objective)
