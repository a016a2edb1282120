"""The page benchmark's core on the demo month: it runs real pages and reports them.

``benchmarks/pages.py`` times every page at 1 and 10 million visits (minutes); this runs
two pages once on the small demo database so a broken script shows up in the suite.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks import pages as page_bench
from tests.support.demo_store import copy_demo_store


def test_two_pages_are_timed_and_tabled(tmp_path: Path) -> None:
    source = copy_demo_store(tmp_path / "demo.duckdb")
    before = source.read_bytes()

    started = time.perf_counter()
    report = page_bench.run_benchmark(source, runs=1, pages=["now", "occupancy"], source="demo", log=lambda _: None)
    assert time.perf_counter() - started < 40

    assert source.read_bytes() == before  # worked on a copy
    assert report.shift_weeks == 0  # the demo month ends now: nothing to shift
    assert [(r.page, r.role) for r in report.results] == [
        ("now", "admin"), ("occupancy", "leadership"), ("occupancy", "admin"),
    ]
    for result in report.results:
        assert not result.error, result.error
        assert len(result.runs_ms) == 1 and result.runs_ms[0] > 0
    assert report.results[0].target_ms == 200 and report.results[1].target_ms == 300
    assert report.overhead_ms and all(ms > 0 for ms in report.overhead_ms)

    table = report.markdown(runs=1)
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| page | role | median ms | max ms |")
    assert any(line.startswith("| now | admin | ") for line in rows)
    assert any(line.startswith("| occupancy | leadership | ") for line in rows)
    assert "AppTest's own cost on an empty script" in table


def test_shift_moves_stale_data_into_the_last_week() -> None:
    wall = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)
    assert page_bench.shift_weeks_for(None, wall) == 0
    assert page_bench.shift_weeks_for(wall - timedelta(days=3), wall) == 0
    latest = datetime(2024, 12, 21, 10, 0, tzinfo=UTC)
    weeks = page_bench.shift_weeks_for(latest, wall)
    shifted = latest + weeks * page_bench.WEEK
    assert wall <= shifted < wall + page_bench.WEEK
