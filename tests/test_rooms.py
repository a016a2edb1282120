"""Rooms inside buildings: area stays, the staff roster and graded tracing (docs/HOW_IT_WORKS.md "Rooms and the staff roster").

Example tests for each rule, and the stays and graded contacts against a short literal
reading of the rules on random door scans, area scans and roster rows, imported as
overlapping files in any order.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from unittest import mock

import duckdb
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lib import cli
from lib.analytics import tracing
from lib.analytics.stays import list_stays
from lib.analytics.visits import list_visits
from lib.ingest import areas, importer, roster, upgrade
from lib.store import db, places, retention
from tests.conftest import write_csv
from tests.support.old_store import store_at_version

WITA = dt.timezone(dt.timedelta(hours=8))
DAY = dt.datetime(2022, 1, 3, tzinfo=WITA)
LATER = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
HEADER = ["timestamp", "person_id", "building", "action", "area", "category"]
ROSTER_HEADER = ["nip", "nama", "unit_kerja", "gedung", "ruang"]
SEC = 1 / 3600
DEDUP_S = 120
AREA_STAY_S = 120 * 60


def at(hours: float) -> dt.datetime:
    return DAY + dt.timedelta(seconds=round(hours * 3600))


def hours(instant: pd.Timestamp | dt.datetime) -> float:
    return round((pd.Timestamp(instant).to_pydatetime() - DAY).total_seconds() / 3600, 6)


def ingest(con: duckdb.DuckDBPyConnection, tmp_path: Path, rows: list[tuple], name: str = "e.csv") -> importer.ImportSummary:
    """rows: (hours after 2022-01-03 00:00 WITA, person, building, action, area[, category])."""
    csv_rows = [[at(r[0]).isoformat(), r[1], r[2], r[3], r[4], r[5] if len(r) > 5 else "ASN"] for r in rows]
    return importer.import_file(con, write_csv(tmp_path / name, HEADER, csv_rows))


def stays(con: duckdb.DuckDBPyConnection, now: dt.datetime = LATER) -> list[tuple]:
    frame = list_stays(con, now=now)
    return [
        (r.person_id, r.building, r.area, hours(r.start), None if pd.isna(r.end) else hours(r.end),
         None if pd.isna(r.end_kind) else r.end_kind)
        for r in frame.itertuples()
    ]


def area_anomalies(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("SELECT area, action, kind FROM area_anomalies ORDER BY ts").fetchall()


# --- area stays, one rule each -----------------------------------------------------------


def test_area_scans_make_stays_not_visits(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    summary = ingest(con, tmp_path, [(8, "1", "kw", "in", ""), (9, "1", "kw", "in", "Rapat"),
                                     (10, "1", "kw", "out", "Rapat"), (16, "1", "kw", "out", "")])
    assert [(v.checkin_at.hour, v.checkout_kind) for v in list_visits(con).itertuples()] == [(0, "scan")]
    assert stays(con) == [("1", "kw", "Rapat", 9, 10, "scan")]
    assert summary.new_visits == 1 and summary.orphans == 0


def test_area_scan_at_the_same_instant_never_hides_a_door_scan(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [(8, "1", "kw", "in", "Rapat"), (9, "1", "kw", "out", "Rapat")], name="rooms.csv")
    ingest(con, tmp_path, [(8, "1", "kw", "in", ""), (16, "1", "kw", "out", "")], name="doors.csv")
    assert [(hours(v.checkin_at), hours(v.checkout_at)) for v in list_visits(con).itertuples()] == [(8, 16)]
    assert stays(con) == [("1", "kw", "Rapat", 8, 9, "scan")]


def test_moved_and_auto_when_area_stay_came_first(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [(7, "1", "kw", "in", ""), (8, "1", "kw", "in", "A"), (9, "1", "kw", "in", "B"),
                           (12, "1", "kw", "in", "A"), (13, "1", "kw", "out", "A"), (18, "1", "kw", "out", "")])
    assert stays(con) == [("1", "kw", "A", 8, 9, "moved"), ("1", "kw", "B", 9, 11, "auto"),
                          ("1", "kw", "A", 12, 13, "scan")]


def test_checkout_after_area_stay_is_orphan_and_open_stay_ends_auto(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [(8, "1", "kw", "in", "A"), (10 + SEC, "1", "kw", "out", "A"), (11, "2", "kw", "in", "A")])
    assert stays(con) == [("1", "kw", "A", 8, 10, "auto"), ("2", "kw", "A", 11, 13, "auto")]
    assert area_anomalies(con) == [("A", "checkout", "orphan")]
    assert stays(con, now=at(12)) == [("1", "kw", "A", 8, 10, "auto"), ("2", "kw", "A", 11, None, None)]


def test_duplicates_within_dedup_and_orphan_elsewhere(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    summary = ingest(con, tmp_path, [
        (8, "1", "kw", "in", "A"), (8 + 120 * SEC, "1", "kw", "in", "a "), (9, "1", "kw", "out", "A"),
        (9 + 120 * SEC, "1", "kw", "out", "A"), (9.5, "1", "kw", "in", "A"), (9.6, "1", "kw", "out", "B"),
        (9.7, "1", "kw", "out", "A"), (9.7 + 121 * SEC, "1", "kw", "out", "A"),
    ])
    assert stays(con) == [("1", "kw", "A", 8, 9, "scan"), ("1", "kw", "A", 9.5, 9.7, "scan")]
    assert area_anomalies(con) == [("A", "checkin", "duplicate"), ("A", "checkout", "duplicate"),
                                   ("B", "checkout", "orphan"), ("A", "checkout", "orphan")]
    assert (summary.duplicates, summary.orphans) == (2, 2)


def test_leaving_the_building_ends_the_stay(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [(8, "1", "kw", "in", "A")], name="rooms.csv")
    assert stays(con) == [("1", "kw", "A", 8, 10, "auto")]
    # The door scans come later: the visit 7:30-9:00 holds the stay's start and ends first.
    ingest(con, tmp_path, [(7.5, "1", "kw", "in", ""), (9, "1", "kw", "out", "")], name="doors.csv")
    assert stays(con) == [("1", "kw", "A", 8, 9, "left")]
    # A later check-out at the door moves the visit's end, and the stay's end follows.
    ingest(con, tmp_path, [(8.5, "1", "kw", "out", "")], name="doors2.csv")
    assert stays(con) == [("1", "kw", "A", 8, 8.5, "left")]


def test_leaving_ends_only_the_stay_it_holds_at_a_shared_start(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Two posters scanned at one instant: the first stay ends `moved` there, with no length;
    leaving the building ends the second one, not the first (each stay by its own end)."""
    ingest(con, tmp_path, [(7.5, "1", "kw", "in", ""), (8, "1", "kw", "in", "A"), (8, "1", "kw", "in", "B"),
                           (9, "1", "kw", "out", "")])
    assert stays(con) == [("1", "kw", "A", 8, 8, "moved"), ("1", "kw", "B", 8, 9, "left")]


def test_a_new_area_stay_rederives_the_stays(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [(8, "1", "kw", "in", "Aula")])
    assert stays(con) == [("1", "kw", "Aula", 8, 10, "auto")]
    areas.update_area(con, "kw", " aula", area_stay_min=30, capacity=100, actor="admin")
    assert stays(con) == [("1", "kw", "Aula", 8, 8.5, "auto")]
    assert places.list_areas(con, "kw")[["area_id", "area_stay_min", "capacity"]].values.tolist() == [["Aula", 30, 100]]
    with pytest.raises(places.SettingsError, match="unknown_area"):
        areas.update_area(con, "kw", "Gudang", area_stay_min=30)


def test_unknown_room_is_created_once_ignoring_case_and_spaces(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [(8, "1", "kw", "in", " Bagian Umum "), (9, "2", "kw", "in", "bagian umum")])
    assert con.execute("SELECT building, area_id, area_stay_min, capacity FROM areas").fetchall() == [
        ("kw", "Bagian Umum", 120, None)
    ]
    assert {s[2] for s in stays(con)} == {"Bagian Umum"}


def test_area_column_names_and_visits_shape(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    log = write_csv(tmp_path / "v.csv", ["nip", "gedung", "jam_masuk", "jam_keluar", "lokasi"],
                    [["1", "kw", "2022-01-03 08:00", "2022-01-03 16:00", ""],
                     ["1", "kw", "2022-01-03 09:00", "2022-01-03 10:00", "Rapat"]])
    assert importer.import_file(con, log).shape == "visits"
    assert len(list_visits(con)) == 1
    assert stays(con) == [("1", "kw", "Rapat", 9, 10, "scan")]


# --- the staff roster ---------------------------------------------------------------------


def roster_file(tmp_path: Path, rows: list[list[object]], name: str = "roster.csv", header: list[str] | None = None) -> Path:
    return write_csv(tmp_path / name, header or ROSTER_HEADER, rows)


def test_roster_sets_unit_home_room_and_quarantines_with_reasons(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = roster_file(tmp_path, [["198501012010011001", "Sherly", "Bagian Umum", "kw", "Ruang Umum"],
                                  ["", "Tanpa NIP", "Umum", "kw", ""],
                                  ["2", "Tanpa Gedung", "Umum", "", "Ruang 2"],
                                  ["3", "Tamu", "Umum", "kw", ""]],
                       header=ROSTER_HEADER)
    summary = importer.import_file(con, path)
    assert (summary.shape, summary.rows_read, summary.persons_set, summary.quarantined) == ("roster", 4, 2, 1 + 1)
    assert con.execute("SELECT person_id, unit, building, room FROM roster ORDER BY person_id").fetchall() == [
        ("198501012010011001", "Bagian Umum", "kw", "Ruang Umum"), ("3", "Umum", "kw", None)]
    reasons = con.execute("SELECT row_no, reason FROM quarantine ORDER BY row_no").fetchall()
    assert reasons == [(3, "missing_value:person_id"), (4, "room_without_building")]
    categories = roster_file(tmp_path, [["4", "X", "Umum", "kw", "", "dosen"], ["5", "Y", "Umum", "kw", "", "Tamu"]],
                             name="cat.csv", header=[*ROSTER_HEADER, "kategori"])
    summary = importer.import_file(con, categories)
    assert (summary.persons_set, summary.quarantined) == (1, 1)
    assert con.execute("SELECT reason FROM quarantine WHERE row_no = 2 AND file_name = 'cat.csv'").fetchall() == [
        ("unknown_category",)]
    assert con.execute("SELECT category FROM persons WHERE person_id = '5'").fetchall() == [("visitor",)]
    last = roster.last_roster_import(con)
    assert last is not None and (last["file_name"], last["persons_set"], last["quarantined"]) == ("cat.csv", 1, 1)
    assert sorted(roster.roster_table(con).person_id) == ["198501012010011001", "3", "5"]


def test_roster_without_id_column_is_refused_naming_it(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = roster_file(tmp_path, [["Sherly", "Umum", "kw", "Ruang 1"]], header=["nama", "unit_kerja", "gedung", "ruang"])
    summary = importer.import_file(con, path)
    assert (summary.status, summary.missing_columns) == ("refused", ["person_id"])
    assert con.execute("SELECT count(*) FROM roster").fetchall()[0][0] == 0


def test_roster_xlsx_number_cell_nip_reads_as_digits(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["NIP", "Nama", "Bagian", "Kantor", "Ruangan"])
    sheet.append([7172012301900001, "Yohanis", "Umum", "kw", "Ruang 1"])
    sheet.append(["0012", "Nol", "Umum", "kw", ""])
    workbook.save(tmp_path / "roster.xlsx")
    assert importer.import_file(con, tmp_path / "roster.xlsx").persons_set == 2
    assert con.execute("SELECT person_id FROM roster ORDER BY person_id").fetchall() == [("0012",), ("7172012301900001",)]


def test_latest_roster_wins_empty_cell_clears_and_names_count_at_import(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [(8, "1", "kw", "in", "")])
    con.execute("UPDATE persons SET name = 'Old Scan Name', name_at = '2022-01-03' WHERE person_id = '1'")
    importer.import_file(con, roster_file(tmp_path, [["1", "Roster Name", "Umum", "kw", "R1"]], name="r1.csv"))
    importer.import_file(con, roster_file(tmp_path, [["1", "", "Keuangan", "kw", ""]], name="r2.csv"))
    assert con.execute("SELECT unit, building, room FROM roster").fetchall() == [("Keuangan", "kw", None)]
    assert con.execute("SELECT name FROM persons WHERE person_id = '1'").fetchall() == [("Roster Name",)]
    # A scan newer than the roster import wins over it.
    future = dt.datetime.now(WITA) + dt.timedelta(days=1)
    importer.import_file(con, write_csv(tmp_path / "new.csv", ["timestamp", "person_id", "building", "action", "name"],
                                        [[future.isoformat(), "1", "kw", "in", "Newer Scan"]]))
    assert con.execute("SELECT name FROM persons WHERE person_id = '1'").fetchall() == [("Newer Scan",)]


def test_roster_category_change_repairs_visits(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [(8, "1", "kw", "in", "", "tamu"), (16, "1", "kw", "out", "", "")])
    assert [v.checkout_kind for v in list_visits(con).itertuples()] == ["auto"]  # visitor: 3 h
    importer.import_file(con, roster_file(tmp_path, [["1", "A", "Umum", "kw", "", "ASN"]], header=[*ROSTER_HEADER, "kategori"]))
    assert [v.checkout_kind for v in list_visits(con).itertuples()] == ["scan"]


# --- graded tracing, examples -------------------------------------------------------------


def window() -> tuple[dt.datetime, dt.datetime]:
    return at(0), at(24)


def test_same_room_is_k1_before_same_building_and_assumed_room(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [
        (8, "case", "kw", "in", ""), (12, "case", "kw", "out", ""), (9, "case", "kw", "in", "Rapat"),
        (10, "case", "kw", "out", "Rapat"),
        (8, "room", "kw", "in", ""), (12, "room", "kw", "out", ""), (9.5, "room", "kw", "in", "Rapat"),
        (10, "room", "kw", "out", "Rapat"),
        (7, "hall", "kw", "in", ""), (13, "hall", "kw", "out", ""),
        (8, "desk", "kw", "in", ""), (11, "desk", "kw", "out", ""),
    ])
    importer.import_file(con, roster_file(tmp_path, [["case", "C", "Umum", "kw", "Bagian Umum"],
                                                     ["desk", "D", "Umum", "kw", "bagian umum"]]))
    got = tracing.trace_contacts(con, "case", *window(), audit=False, now=LATER)
    assert list(got.columns) == tracing.CONTACT_COLUMNS
    rows = {r.person_id: r for r in got.itertuples()}
    assert list(got.person_id) == ["desk", "room", "hall"]
    # desk: assumed in Bagian Umum 8-11, the case there 8-9 and 10-12 (assumed): 120 minutes.
    assert (rows["desk"].grade, rows["desk"].area_minutes, rows["desk"].areas, rows["desk"].area_assumed) == (
        "K1", 120.0, "Bagian Umum", True)
    assert (rows["room"].grade, rows["room"].area_minutes, rows["room"].areas, rows["room"].area_assumed) == (
        "K1", 30.0, "Rapat", False)
    assert (rows["hall"].grade, rows["hall"].area_minutes, rows["hall"].overlap_minutes) == ("K2", 0.0, 240.0)
    assert rows["desk"].unit == "Umum"


def test_minimum_overlap_zero_means_any_overlap_and_k1_still_needs_a_shared_room(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # Minimum 0 once graded every same-building contact K1 (a room time of 0 "reached" 0):
    # a case opened so sent the whole building the same-room message.
    ingest(con, tmp_path, [
        (8, "case", "kw", "in", ""), (12, "case", "kw", "out", ""), (9, "case", "kw", "in", "Rapat"),
        (10, "case", "kw", "out", "Rapat"),
        (9.5, "room", "kw", "in", ""), (11, "room", "kw", "out", ""), (9.75, "room", "kw", "in", "Rapat"),
        (10, "room", "kw", "out", "Rapat"),
        (7, "hall", "kw", "in", ""), (13, "hall", "kw", "out", ""),
        (13, "later", "kw", "in", ""), (14, "later", "kw", "out", ""),
    ])
    got = tracing.trace_contacts(con, "case", *window(), min_overlap_minutes=0, audit=False, now=LATER)
    grades = dict(zip(got.person_id, got.grade, strict=True))
    assert grades == {"room": "K1", "hall": "K2"}  # "later" shares no time at all: no contact
    overlaps = tracing.contact_overlaps(con, "case", *window(), min_overlap_minutes=0, now=LATER)
    assert set(overlaps.contact_id) == {"room", "hall"}


def test_cli_stays_and_graded_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = str(tmp_path / "c.duckdb")
    log = write_csv(tmp_path / "scan.csv", HEADER[:5], [
        [at(8).isoformat(), "case", "kw", "in", "Rapat"], [at(9).isoformat(), "case", "kw", "out", "Rapat"],
        [at(8.5).isoformat(), "c1", "kw", "in", "Rapat"],
    ])
    assert cli.main(["--db", database, "ingest", str(log)]) == 0
    capsys.readouterr()
    assert cli.main(["--db", database, "stays", "--building", "kw", "--from", "2022-01-03", "--to", "2022-01-03"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "person_id,building,area,start,end,end_kind",
        "case,kw,Rapat,2022-01-03T08:00:00+08:00,2022-01-03T09:00:00+08:00,scan",
        "c1,kw,Rapat,2022-01-03T08:30:00+08:00,2022-01-03T10:30:00+08:00,auto",
    ]
    roster = roster_file(tmp_path, [["c1", "Satu", "Umum", "kw", ""]])
    assert cli.main(["--db", database, "ingest", str(roster)]) == 0
    summary = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))[0]
    assert (summary["shape"], summary["rows"], summary["persons"], summary["quarantined"]) == ("roster", "1", "1", "0")
    assert cli.main(["--db", database, "trace", "--person", "case", "--from", "2022-01-03", "--to", "2022-01-03"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0].keys()) == tracing.CONTACT_COLUMNS
    assert {k: rows[0][k] for k in ("person_id", "unit", "grade", "areas", "area_minutes", "area_assumed", "buildings",
                                    "overlap_minutes", "estimated", "first_contact")} == {
        "person_id": "c1", "unit": "Umum", "grade": "K1", "areas": "Rapat", "area_minutes": "30.0",
        "area_assumed": "false", "buildings": "", "overlap_minutes": "0.0", "estimated": "true",
        "first_contact": "2022-01-03T08:30:00+08:00"}


# --- schema and retention -----------------------------------------------------------------


def test_a_version_5_file_gets_the_room_tables(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = store_at_version(path, 5)
    con.execute("INSERT INTO imports (import_id, file_name, imported_at, status) VALUES (1, 'old.csv', current_timestamp, 'ok')")
    con.execute("INSERT INTO buildings (building_id, name) VALUES ('kw', 'kw')")
    con.execute("INSERT INTO persons (person_id, category) VALUES ('1', 'ASN'), ('2', 'ASN')")
    # Before version 7 a scan with an area made a visit like a door scan.
    for person, action, ts, area in (("1", "checkin", at(9), "Rapat"), ("1", "checkout", at(10), "Rapat"),
                                     ("2", "checkin", at(8), None), ("2", "checkout", at(16), None)):
        con.execute("INSERT INTO events (person_id, building, action, ts, area, import_id) VALUES (?, 'kw', ?, ?, ?, 1)",
                    [person, action, ts, area])
    for person, start, end in (("1", at(9), at(10)), ("2", at(8), at(16))):
        con.execute("INSERT INTO visits VALUES (?, 'kw', ?, ?, 'scan', ?, 'ASN', NULL, NULL, NULL, NULL)",
                    [person, start, end, start + dt.timedelta(hours=12)])
    con.close()
    con = db.connect(path)
    assert db.schema_version(con) == len(db.MIGRATIONS) >= 7
    assert db.get_setting(con, db.PENDING_AREA_SCANS) == "1"  # the data step waits for lib.ingest
    upgrade.finish(con)
    assert db.get_setting(con, db.PENDING_AREA_SCANS) is None
    assert con.execute("SELECT persons_set FROM imports").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM roster").fetchall() == [(0,)]
    assert list(list_visits(con).person_id) == ["2"]  # the door scans' visit only
    assert stays(con) == [("1", "kw", "Rapat", 9, 10, "scan")]
    con.close()


def test_retention_pseudonymises_stays_and_forgets_old_rosters(tmp_path: Path) -> None:
    path = tmp_path / "r.duckdb"
    con = db.connect(path)
    ingest(con, tmp_path, [(8, "7172012301900001", "kw", "in", "Rapat"), (9, "7172012301900001", "kw", "out", "Rapat"),
                           (9 + 10 * SEC, "7172012301900001", "kw", "out", "Rapat")])
    importer.import_file(con, roster_file(tmp_path, [["198501012010011001", "Sherly Roster", "Umum", "kw", "Rapat"]]))
    before = stays(con)
    counts = retention.purge(con, now=dt.datetime(2022, 3, 1, tzinfo=dt.UTC))
    assert counts["stays"] == 1 and counts["area_anomalies"] == 1 and counts["roster"] == 0
    assert [s[1:] for s in stays(con)] == [s[1:] for s in before]  # the stay is kept, under a pseudonym
    assert con.execute("SELECT count(*) FROM stays WHERE person_id = '7172012301900001'").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM persons WHERE person_id = '198501012010011001'").fetchall() == [(1,)]
    counts = retention.purge(con, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=31))
    assert counts["roster"] == 1
    assert con.execute("SELECT count(*) FROM persons WHERE person_id = '198501012010011001'").fetchall() == [(0,)]
    con.close()
    retention.rewrite_closed_file(path)
    content = path.read_bytes()
    for secret in (b"7172012301900001", b"198501012010011001", b"Sherly Roster"):
        assert secret not in content, secret


# --- against a literal reading, on random data --------------------------------------------

PERSONS = ["P0", "P1", "P2", "P3"]
BUILDINGS = ["A", "A", "B"]
AREAS = ["", "", "R1", "r1", "R2", " R2 "]


def ref_stays(scans: list[tuple], visits: list[tuple]) -> list[tuple]:
    """The rules, read literally. scans: (t_s, person, building, action, area_key) area scans;
    visits: (person, building, start_s, end_s). Stays: (person, building, area_key, start, end, kind)."""
    out = []
    for person, building in sorted({(s[1], s[2]) for s in scans}):
        own = sorted((s for s in scans if (s[1], s[2]) == (person, building)), key=lambda s: (s[0], s[3] == "in", s[4]))
        open_, last, made = None, {}, []
        for t, _, _, action, area in own:
            if action == "in":
                if open_ and open_[0] == area and t - open_[1] <= DEDUP_S:
                    continue  # duplicate
                if open_:
                    deadline = open_[1] + AREA_STAY_S
                    made.append((open_[0], open_[1], min(deadline, t), "auto" if deadline < t else "moved"))
                    last[open_[0]] = made[-1]
                open_ = (area, t)
            elif open_ and open_[0] == area:
                deadline = open_[1] + AREA_STAY_S
                made.append((area, open_[1], t, "scan") if t <= deadline else (area, open_[1], deadline, "auto"))
                last[area], open_ = made[-1], None
            # else: duplicate or orphan; an open stay elsewhere stays open
        if open_:
            made.append((open_[0], open_[1], open_[1] + AREA_STAY_S, "auto"))
        for area, start, end, kind in made:
            for p, b, v_start, v_end in visits:
                if (p, b) == (person, building) and v_start <= start < v_end and v_end < end:
                    end, kind = v_end, "left"
            out.append((person, building, area, start, end, kind))
    return sorted(out)


def ref_contacts(stays_: list[tuple], visits: list[tuple], roster: dict[str, tuple[str, str]], index: str,
                 start: int, end: int, min_s: int, tail: int) -> dict[str, tuple]:
    """Graded contacts, literally. visits: (person, building, start, end, auto?)."""
    def segments(person: str) -> list[tuple]:
        own = [(s[1], s[2], s[3], s[4], s[5] == "auto", False) for s in stays_ if s[0] == person]
        home = roster.get(person)
        for p, b, v_start, v_end, auto in visits:
            if p != person or home is None or b != home[0]:
                continue
            pieces = [(v_start, v_end)]
            for s in stays_:
                if s[0] == person:
                    pieces = [q for a, z in pieces for q in ((a, min(z, s[3])), (max(a, s[4]), z)) if q[1] > q[0]]
            own += [(b, home[1], a, z, auto, True) for a, z in pieces]
        return own

    def overlap(a0: int, a1: int, b0: int, b1: int) -> int:
        return max(0, min(a1, b1) - max(a0, b0))

    idx_visits = [(b, max(s, start), min(e + tail, end), auto) for p, b, s, e, auto in visits if p == index]
    idx_segs = [(b, a, max(s, start), min(e + tail, end), est, asm) for b, a, s, e, est, asm in segments(index)]
    found = {}
    for c in sorted({v[0] for v in visits} | {s[0] for s in stays_} | set(roster)):
        if c == index:
            continue
        b_us = a_us = 0
        buildings, areas, est, assumed, spans = set(), set(), False, False, []
        for b, s, e, auto in idx_visits:
            for p, wb, ws, we, wauto in visits:
                o = overlap(s, e, ws, we) if (p, wb) == (c, b) and e > s else 0
                if o:
                    b_us += o
                    buildings.add(b)
                    est |= auto or wauto
                    spans.append((max(s, ws), min(e, we)))
        for b, a, s, e, xest, xasm in idx_segs:
            for yb, ya, ys, ye, yest, yasm in segments(c):
                o = overlap(s, e, ys, ye) if (yb, ya) == (b, a) and e > s else 0
                if o:
                    a_us += o
                    areas.add(a)
                    est |= xest or yest
                    assumed |= xasm or yasm
                    spans.append((max(s, ys), min(e, ye)))
        # RULES "Contact tracing": a minimum of 0 means any overlap longer than zero.
        room, building = a_us > 0 and a_us >= min_s, b_us > 0 and b_us >= min_s
        if spans and (room or building):
            grade = "K1" if room else "K2"
            found[c] = (grade, ";".join(sorted(buildings)), b_us, a_us, ";".join(sorted(areas)), assumed, est,
                        min(x for x, _ in spans), max(y for _, y in spans))
    return found


scan_strategy = st.tuples(
    st.integers(0, 5 * 60), st.sampled_from([0, 0, 30, 119]), st.sampled_from(PERSONS),
    st.sampled_from(BUILDINGS), st.sampled_from(["in", "out"]), st.sampled_from(AREAS),
)
roster_strategy = st.dictionaries(
    st.sampled_from(PERSONS), st.tuples(st.sampled_from(BUILDINGS), st.sampled_from(["R1", "R2", "R3"])), max_size=4
)


def canonical(area: str) -> str:
    return area.strip().lower()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.lists(scan_strategy, min_size=1, max_size=40),
    roster=roster_strategy,
    cuts=st.lists(st.integers(0, 40), min_size=2, max_size=4),
    order=st.randoms(use_true_random=False),
    tail_min=st.sampled_from([0, 0, 10]),
    min_overlap=st.sampled_from([15, 15, 1, 0]),
    stream_rows=st.sampled_from([None, None, 1, 3]),
)
def test_stays_and_graded_trace_match_the_rules(
    tmp_path_factory: pytest.TempPathFactory, raw: list[tuple], roster: dict[str, tuple[str, str]],
    cuts: list[int], order, tail_min: int, min_overlap: int, stream_rows: int | None,  # noqa: ANN001
) -> None:
    """``stream_rows``: the stays' re-derivation reads the area scans in batches this small
    and spools its stays to Parquet, as a province-sized import does (issue 27)."""
    if stream_rows is None:
        _stays_and_graded_trace_match_the_rules(tmp_path_factory, raw, roster, cuts, order, tail_min, min_overlap)
        return
    with (mock.patch.object(areas, "SCANS_PER_BATCH", stream_rows),
          mock.patch.object(areas, "SPOOL_ROWS", stream_rows + 1)):
        _stays_and_graded_trace_match_the_rules(tmp_path_factory, raw, roster, cuts, order, tail_min, min_overlap)


def _stays_and_graded_trace_match_the_rules(
    tmp_path_factory: pytest.TempPathFactory, raw: list[tuple], roster: dict[str, tuple[str, str]],
    cuts: list[int], order, tail_min: int, min_overlap: int,  # noqa: ANN001
) -> None:
    folder = tmp_path_factory.mktemp("rooms")
    con = db.connect(folder / "p.duckdb")
    # One scan per identity (person, building, action, instant, area), as a scanner writes it.
    scans, seen = [], set()
    for minute, second, person, building, action, area in raw:
        t = minute * 60 + second
        if (person, building, action, t, canonical(area)) not in seen:
            seen.add((person, building, action, t, canonical(area)))
            scans.append((t, person, building, action, area))
    rows = [[(DAY + dt.timedelta(seconds=t)).isoformat(), p, b, a, area, "ASN"] for t, p, b, a, area in scans]
    # Overlapping files: each a slice between two cut points, together covering every row.
    bounds = sorted({0, len(rows), *(min(c, len(rows)) for c in cuts)})
    files = [rows[max(0, lo - 2):hi] for lo, hi in zip(bounds, bounds[1:], strict=False)]
    paths = [write_csv(folder / f"part{i}.csv", HEADER, part) for i, part in enumerate(files)]
    roster_path = write_csv(folder / "roster.csv", ["nip", "gedung", "ruang"],
                            [[p, b, room] for p, (b, room) in sorted(roster.items())])
    paths.append(roster_path)
    order.shuffle(paths)
    for path in paths:
        assert importer.import_file(con, path).status == "ok"

    visit_frame = list_visits(con, now=LATER)
    base = DAY.timestamp()
    visits = [(r.person_id, r.building, int(r.checkin_at.timestamp() - base), int(r.checkout_at.timestamp() - base),
               r.checkout_kind == "auto") for r in visit_frame.itertuples()]
    area_scans = [(t, p, b, a, canonical(area)) for t, p, b, a, area in scans if area.strip()]
    expected_stays = ref_stays(area_scans, [v[:4] for v in visits])
    got_stays = sorted(
        (r.person_id, r.building, canonical(r.area), int(r.start.timestamp() - base), int(r.end.timestamp() - base),
         r.end_kind) for r in list_stays(con, now=LATER).itertuples()
    )
    assert got_stays == expected_stays
    for kind in sorted({s[5] for s in expected_stays}):
        event(f"stay ended {kind}")

    start, end = 30 * 60, 5 * 3600
    homes = {p: (b, canonical(room)) for p, (b, room) in roster.items()}
    expected = ref_contacts(expected_stays, visits, homes, "P0", start, end, min_overlap * 60, tail_min * 60)
    if "P0" not in {s[1] for s in scans} and "P0" not in roster:
        con.close()
        return
    got = tracing.trace_contacts(con, "P0", DAY + dt.timedelta(seconds=start), DAY + dt.timedelta(seconds=end),
                                 min_overlap, tail_min, now=LATER, audit=False)
    as_found = {
        r.person_id: (r.grade, r.buildings, round(r.overlap_minutes * 60), round(r.area_minutes * 60),
                      ";".join(sorted(canonical(a) for a in r.areas.split(";") if a)), r.area_assumed, r.estimated,
                      int(r.first_contact.timestamp() - base), int(r.last_contact.timestamp() - base))
        for r in got.itertuples()
    }
    assert as_found == expected
    for grade, *_rest, in expected.values():
        event(f"contact {grade}")
    if any(v[5] for v in expected.values()):
        event("assumed room contributed")
    ranks = [(r.grade, -r.area_minutes, -r.overlap_minutes, r.person_id) for r in got.itertuples()]
    assert ranks == sorted(ranks)
    con.close()
