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
from lib.store.relations import StayRestarts
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
        areas.rederive(con, StayRestarts("SELECT DISTINCT person_id FROM events"))
        return stored(con)
    finally:
        con.execute("ROLLBACK")


# Scans cluster around a few hours over two days (so restarts, MAX_STAY of 12 h and
# AREA_STAY of 2 h all matter) at seconds around DEDUP (120 s).
HOURS = [0, 9, 11, 20, 33]
SECONDS = [0, 30, 119, 121]
PERSONS = ["P0", "P1", "P2"]
BUILDINGS = ["A", "A", "B"]
scan_strategy = st.tuples(
    st.sampled_from(HOURS), st.integers(0, 200), st.sampled_from(SECONDS), st.sampled_from(PERSONS),
    st.sampled_from(BUILDINGS), st.sampled_from(["checkin", "checkout"]), st.sampled_from(["", "", "R1", "r1", "R2"]),
    st.sampled_from(["ASN", "ASN", "ASN", "visitor"]),
)


@st.composite
def visit_with_stays(draw: st.DrawFn) -> list[tuple]:
    """A door check-in, room check-ins and check-outs, a door check-out: each scan kept or
    dropped at random, so stays end by a scan, by moving, by AREA_STAY or by leaving."""
    hour, minute = draw(st.sampled_from(HOURS)), draw(st.integers(0, 120))
    person, building = draw(st.sampled_from(PERSONS)), draw(st.sampled_from(BUILDINGS))
    offsets = sorted(draw(st.lists(st.integers(0, 200), min_size=4, max_size=6)))
    rooms = draw(st.lists(st.sampled_from(["R1", "R2"]), min_size=len(offsets) - 2, max_size=len(offsets) - 2))
    plan = [("checkin", "")] + [(draw(st.sampled_from(["checkin", "checkout"])), r) for r in rooms] + [("checkout", "")]
    scans = [
        (hour, minute + offset, draw(st.sampled_from(SECONDS)), person, building, action, area, "ASN")
        for offset, (action, area) in zip(offsets, plan, strict=True)
        if draw(st.integers(0, 4))  # one scan in five is lost
    ]
    # Some scans repeated within DEDUP (or just after), as a double tap; a room check-out
    # followed at the same instant by a check-in in the other room.
    again = [(h, m + draw(st.sampled_from([0, 1, 2])), *rest) for h, m, *rest in scans if not draw(st.integers(0, 3))]
    moves = [
        (h, m, sec, p, b, "checkin", "R2" if area == "R1" else "R1", c)
        for h, m, sec, p, b, action, area, c in scans
        if action == "checkout" and area and draw(st.booleans())
    ]
    return scans + again + moves


@st.composite
def files_strategy(draw: st.DrawFn) -> list[list[tuple]]:
    """Random scans dealt at random into 2 to 5 files: a double tap or the two ends of a
    stay often land in different files, imported in either order."""
    parts = draw(st.lists(st.one_of(scan_strategy.map(lambda scan: [scan]), visit_with_stays()), min_size=1, max_size=8))
    scans = [scan for part in parts for scan in part]
    count = draw(st.integers(2, 5))
    files: list[list[tuple]] = [[] for _ in range(count)]
    for scan in scans:
        files[draw(st.integers(0, count - 1))].append(scan)
    return [f for f in files if f]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=files_strategy(), r2_stay=st.sampled_from([None, 5, 30, 240]))
def test_stays_after_each_import_equal_a_whole_rederivation(
    tmp_path_factory: pytest.TempPathFactory, files: list[list[tuple]], r2_stay: int | None
) -> None:
    folder = tmp_path_factory.mktemp("restart")
    con = db.connect(folder / "p.duckdb")
    if r2_stay is not None:  # a room with its own AREA_STAY, shorter or longer than 2 h
        db.ensure_buildings(con, ["A"])
        areas.create_area(con, "A", "R2", area_stay_min=r2_stay)
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
        for kind in sorted({a[5] for a in got[1]}):
            event(f"area scan {kind}")
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


def row(hours: float, action: str, area: str = "", building: str = "A") -> list[str]:
    return [(DAY + dt.timedelta(seconds=round(hours * 3600))).isoformat(), "P0", building, action, area, "ASN"]


@pytest.mark.parametrize(
    ("first", "second", "expected_stays", "expected_anomalies"),
    [
        # A check-out within DEDUP of the scanned end of a stay, in a later file: a duplicate.
        ([row(9, "checkin", "R1"), row(9.5, "checkout", "R1")], [row(9.5 + 60 / 3600, "checkout", "R1")],
         [("R1", "scan")], [("checkout", "duplicate")]),
        # A check-in elsewhere exactly when AREA_STAY runs out: the stay ends "moved", not "auto".
        ([row(9, "checkin", "R1"), row(11.5, "checkin", "R2")], [row(11, "checkin", "R3")],
         [("R1", "moved"), ("R3", "moved"), ("R2", None)], []),
        # The check-out of a stay open across the new file's first scan closes it.
        ([row(9, "checkin", "R1")], [row(9.5, "checkout", "R1")], [("R1", "scan")], []),
        # A door check-out that comes later ends the stay its visit holds ("left").
        ([row(8, "checkin"), row(9, "checkin", "R1")], [row(9.5, "checkout")], [("R1", "left")], []),
        # A file reaching back: an earlier check-in closes nothing twice.
        ([row(10, "checkin", "R2"), row(10.5, "checkout", "R2")], [row(9, "checkin", "R1")],
         [("R1", "moved"), ("R2", "scan")], []),
    ],
)
def test_a_later_file_changes_earlier_stays_as_one_file_would(
    tmp_path: Path, first: list[list[str]], second: list[list[str]], expected_stays: list[tuple],
    expected_anomalies: list[tuple],
) -> None:
    con = db.connect(tmp_path / "p.duckdb")
    importer.import_file(con, write_csv(tmp_path / "a.csv", HEADER, first))
    importer.import_file(con, write_csv(tmp_path / "b.csv", HEADER, second))
    assert con.execute("SELECT area, end_kind FROM stays ORDER BY start_at, end_at").fetchall() == expected_stays
    assert con.execute("SELECT action, kind FROM area_anomalies ORDER BY ts").fetchall() == expected_anomalies
    assert stored(con) == from_scratch(con)
    one = db.connect(tmp_path / "one.duckdb")
    importer.import_file(one, write_csv(tmp_path / "c.csv", HEADER, first + second))
    assert stored(one) == stored(con)
    one.close()
    con.close()
