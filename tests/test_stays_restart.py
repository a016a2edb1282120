"""Area stays re-derived from a restart instant per person (``lib.ingest.areas.rederive``)
equal a re-derivation of everyone's whole history, after every import of a series of
random door-scan and area-scan files, files that reach back before earlier ones included.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lib.ingest import areas, importer
from lib.store import db
from tests.conftest import write_csv

WITA = dt.timezone(dt.timedelta(hours=8))
DAY = dt.datetime(2022, 1, 3, tzinfo=WITA)
HEADER = ["timestamp", "person_id", "building", "action", "area", "category"]


def stored(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], list[tuple]]:
    """Every stored stay and area anomaly, sorted."""
    stays = con.execute(
        "SELECT person_id, building, area, start_at, end_at, end_kind, auto_end_at FROM stays ORDER BY ALL"
    ).fetchall()
    anomalies = con.execute(
        "SELECT person_id, building, area, ts, action, kind FROM area_anomalies ORDER BY ALL"
    ).fetchall()
    return stays, anomalies


def from_scratch(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], list[tuple]]:
    """What re-deriving every person's whole history gives, without keeping it."""
    con.execute("BEGIN TRANSACTION")
    try:
        areas.rederive(con, "SELECT DISTINCT person_id FROM events")
        return stored(con)
    finally:
        con.execute("ROLLBACK")


# Scans cluster around a few hours over two days (so restarts, MAX_STAY of 12 h and
# AREA_STAY of 2 h all matter) at seconds around DEDUP (120 s).
scan_strategy = st.tuples(
    st.sampled_from([0, 9, 11, 20, 33]), st.integers(0, 200), st.sampled_from([0, 30, 119, 121]),
    st.sampled_from(["P0", "P1", "P2"]), st.sampled_from(["A", "A", "B"]), st.sampled_from(["checkin", "checkout"]),
    st.sampled_from(["", "", "R1", "r1", "R2"]), st.sampled_from(["ASN", "ASN", "ASN", "visitor"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.lists(scan_strategy, min_size=1, max_size=15), min_size=2, max_size=5))
def test_stays_after_each_import_equal_a_whole_rederivation(
    tmp_path_factory: pytest.TempPathFactory, files: list[list[tuple]]
) -> None:
    folder = tmp_path_factory.mktemp("restart")
    con = db.connect(folder / "p.duckdb")
    earliest_so_far = None
    for i, scans in enumerate(files):
        rows = [
            [(DAY + dt.timedelta(hours=h, minutes=m, seconds=s)).isoformat(), p, b, action, area, category]
            for h, m, s, p, b, action, area, category in scans
        ]
        first = min(DAY + dt.timedelta(hours=h, minutes=m, seconds=s) for h, m, s, *_ in scans)
        if earliest_so_far is not None and first < earliest_so_far:
            event("a file reaches back before an earlier one")
        earliest_so_far = first if earliest_so_far is None else min(earliest_so_far, first)
        assert importer.import_file(con, write_csv(folder / f"f{i}.csv", HEADER, rows)).status == "ok"
        got = stored(con)
        assert got == from_scratch(con), f"after file {i}"
        for kind in sorted({s[5] for s in got[0]}, key=str):
            event(f"stay ended {kind}")
    con.close()


def test_a_stay_left_open_long_ago_closes_when_a_later_scan_comes(tmp_path: Path) -> None:
    """A stay open at the end of the scans, then a scan in the building a day later:
    the stay ends ``auto`` at start + AREA_STAY, as a whole re-derivation says."""
    con = db.connect(tmp_path / "p.duckdb")
    first = [[DAY.isoformat(), "P0", "A", "checkin", "R1", "ASN"]]
    importer.import_file(con, write_csv(tmp_path / "a.csv", HEADER, first))
    assert con.execute("SELECT end_at FROM stays").fetchall() == [(None,)]
    later = [[(DAY + dt.timedelta(days=1)).isoformat(), "P0", "A", "checkin", "R2", "ASN"]]
    importer.import_file(con, write_csv(tmp_path / "b.csv", HEADER, later))
    kinds = con.execute("SELECT area, end_kind, end_at - start_at FROM stays ORDER BY start_at").fetchall()
    assert kinds == [("R1", "auto", dt.timedelta(hours=2)), ("R2", None, None)]
    assert stored(con) == from_scratch(con)
    con.close()
