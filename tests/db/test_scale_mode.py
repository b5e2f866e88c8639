"""Scale mode and the bulk-load paths, on small sizes so the suite stays fast."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from db.load import load, main
from db.sample_data import GenConfig, generate
from tests.db.conftest import TEST_DB
from tests.db.test_sample_data import checksums

END = date(2026, 11, 25)


class ListSink:
    def __init__(self) -> None:
        self.rows: dict[str, list[tuple]] = defaultdict(list)

    def add(self, table: str, row: tuple) -> None:
        self.rows[table].append(row)


def test_cli_scale_mode_synthetic_sites(sql, capsys):
    assert main(["--database", TEST_DB, "--scale", "--sites", "7", "--staff", "12", "--days", "40",
                 "--end-date", END.isoformat(), "--reset"]) == 0
    assert "rows/s" in capsys.readouterr().out
    sites = sql.rows("SELECT location_id, location_name, location_code, region FROM locations ORDER BY location_id")
    assert [s["location_name"] for s in sites] == ["横浜", "品川", "札幌", "大阪", "佐世保", "拠点006", "拠点007"]
    assert (sites[5]["location_code"], sites[5]["region"], sites[6]["region"]) == ("site006", "北海道", "関西")
    active = sql.rows("SELECT location_id, SUM(is_active) n FROM employees GROUP BY location_id")
    assert all(int(r["n"]) == 12 for r in active)
    span = sql.rows("SELECT MIN(attendance_date) lo, MAX(attendance_date) hi FROM attendance_records")[0]
    assert (span["hi"] - span["lo"]).days == 39 and span["hi"] == END


def test_insert_and_infile_paths_write_identical_rows(sql):
    config = GenConfig(end_date=END, history_days=20, sites=2, staff_per_site=10)
    via_insert = load(TEST_DB, config, use_infile=False, batch_rows=500)
    sums_insert = checksums(sql)
    via_infile = load(TEST_DB, config, use_infile=True, batch_rows=500)
    assert (via_insert["method"], via_infile["method"]) == ("multi_row_insert", "load_data_infile")
    assert via_insert["counts"] == via_infile["counts"]
    assert checksums(sql) == sums_insert


def test_a_year_of_history_shows_sapporo_winter():
    sink = ListSink()
    generate(GenConfig(end_date=END, history_days=365, sites=3, staff_per_site=40), sink)
    by_month: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for _, _, loc, day, status, *_ in sink.rows["attendance_records"]:
        cell = by_month[(loc, int(day[5:7]))]
        cell[0] += status == "absent"
        cell[1] += 1
    rate = {k: a / n for k, (a, n) in by_month.items()}
    sapporo, yokohama = 3, 1
    assert rate[(sapporo, 1)] > 2.5 * rate[(sapporo, 7)]
    assert min(rate[(sapporo, m)] for m in (12, 1, 2)) > max(rate[(sapporo, m)] for m in (5, 6, 7, 8, 9))
    assert rate[(sapporo, 1)] > 1.5 * rate[(yokohama, 1)]


def test_generator_is_deterministic_without_a_database():
    a, b = ListSink(), ListSink()
    config = GenConfig(end_date=END, history_days=30, sites=6, staff_per_site=15, seed=3)
    generate(config, a)
    generate(config, b)
    assert a.rows == b.rows
