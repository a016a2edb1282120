"""RULES "Import" and "Time": one test per rule, with files written the way offices write them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.analytics.visits import list_visits
from lib.core import config
from lib.ingest import importer
from lib.store import db
from tests.conftest import write_csv
from tests.support.old_store import store_at_version

WITA = dt.timezone(dt.timedelta(hours=8))
EVENT_HEADER = ["timestamp", "person_id", "building", "action", "name", "category", "phone"]
LATER = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def visits_of(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, dt.datetime, dt.datetime | None, str | None]]:
    frame = list_visits(con, now=LATER)
    return [
        (r.person_id, r.building, r.checkin_at.to_pydatetime(),
         None if pd.isna(r.checkout_at) else r.checkout_at.to_pydatetime(),
         None if pd.isna(r.checkout_kind) else r.checkout_kind)
        for r in frame.itertuples()
    ]


def local(hour: int, minute: int = 0, day: int = 3) -> dt.datetime:
    return dt.datetime(2022, 1, day, hour, minute, tzinfo=WITA)


def table_counts(con: duckdb.DuckDBPyConnection) -> tuple[int, ...]:
    return tuple(
        con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
        for t in ("events", "visits", "persons", "buildings", "quarantine", "scan_anomalies")
    )


def test_csv_with_comma_and_bom(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(
        "\ufefftimestamp,person_id,building,action\n"
        "2022-01-03 08:00:00,001,kantor-walikota,checkin\n"
        "2022-01-03 10:00:00,001,kantor-walikota,checkout\n".encode()
    )
    summary = importer.import_file(con, path)
    assert summary.status == "ok" and summary.events_new == 2 and summary.new_visits == 1
    assert visits_of(con) == [("001", "kantor-walikota", local(8), local(10), "scan")]


def test_csv_with_semicolon_and_indonesian_columns(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "id.csv",
        ["Waktu", "Person-ID", "Gedung", "Status_Scan", "Nama", "Kategori", "No_HP", "Pintu"],
        [
            ["03/01/2022 08:00", "7172", "dinas-kesehatan", "Masuk", "Sélly Rorong", "Tamu", "0812", "utama"],
            ["03/01/2022 09:30:15", "7172", "dinas-kesehatan", "KELUAR", "", "", "", "samping"],
        ],
        delimiter=";",
    )
    summary = importer.import_file(con, path)
    assert summary.status == "ok" and summary.quarantined == 0
    assert visits_of(con) == [
        ("7172", "dinas-kesehatan", local(8), local(9, 30).replace(second=15), "scan")
    ]
    person = con.execute("SELECT name, category, phone FROM persons").fetchall()
    assert person == [("Sélly Rorong", "visitor", "0812")]
    gates = con.execute("SELECT gate_in, gate_out FROM visits").fetchall()
    assert gates == [("utama", "samping")]


@pytest.mark.parametrize(
    "word,expected",
    [("checkin", "checkin"), ("Check-In", "checkin"), ("check in", "checkin"), ("IN", "checkin"),
     ("masuk", "checkin"), ("checkout", "checkout"), ("check-out", "checkout"), ("Check Out", "checkout"),
     ("out", "checkout"), ("Keluar", "checkout")],
)
def test_action_words(con: duckdb.DuckDBPyConnection, tmp_path: Path, word: str, expected: str) -> None:
    path = write_csv(tmp_path / "a.csv", EVENT_HEADER[:4], [["2022-01-03 08:00", "1", "b", word]])
    importer.import_file(con, path)
    assert con.execute("SELECT action FROM events").fetchall() == [(expected,)]


def test_timestamp_forms(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Local ISO, ISO with offset, Z, and day-first all land on the right instant."""
    path = write_csv(
        tmp_path / "t.csv",
        EVENT_HEADER[:4],
        [
            ["2022-01-03 08:01:00", "a", "b", "in"],
            ["2022-01-03T08:02:00+08:00", "b", "b", "in"],
            ["2022-01-03T00:03:00Z", "c", "b", "in"],
            ["03/01/2022 08:04", "d", "b", "in"],
            ["2022-01-03T08:05:00", "e", "b", "in"],
            ["2022-01-03T01:06:00+01:00", "f", "b", "in"],
        ],
    )
    summary = importer.import_file(con, path)
    assert summary.quarantined == 0
    rows = con.execute("SELECT person_id, ts FROM events ORDER BY person_id").fetchall()
    assert [(p, ts.astimezone(dt.UTC)) for p, ts in rows] == [
        (p, local(8, minute).astimezone(dt.UTC)) for p, minute in zip("abcdef", range(1, 7), strict=True)
    ]


def test_naive_time_is_local_to_the_building(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    con.execute("INSERT INTO buildings (building_id, name, timezone) VALUES ('jakarta', 'Jakarta', 'Asia/Jakarta')")
    path = write_csv(tmp_path / "z.csv", EVENT_HEADER[:4], [["2022-01-03 08:00", "1", "jakarta", "in"]])
    importer.import_file(con, path)
    (ts,) = con.execute("SELECT ts FROM events").fetchall()[0]
    assert ts == dt.datetime(2022, 1, 3, 1, 0, tzinfo=dt.UTC)  # 08:00 WIB = 01:00 UTC


def test_bad_rows_quarantined_good_rows_land(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        EVENT_HEADER[:4],
        [
            ["2022-01-03 08:00", "1", "b", "in"],
            ["bukan waktu", "2", "b", "in"],
            ["2022-01-03 08:00", "", "b", "in"],
            ["2022-01-03 08:00", "3", "", "in"],
            ["2022-01-03 08:00", "4", "b", "menari"],
            ["2022-02-30 08:00", "5", "b", "in"],
            ["", "6", "b", "in"],
            ["2022-01-03 09:00", "1", "b", "out"],
        ],
    )
    summary = importer.import_file(con, path)
    assert (summary.status, summary.rows_read, summary.events_new, summary.quarantined) == ("ok", 8, 2, 6)
    rows = con.execute("SELECT file_name, row_no, reason, raw FROM quarantine ORDER BY row_no").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("bad.csv", 3, "bad_timestamp"),
        ("bad.csv", 4, "missing_value:person_id"),
        ("bad.csv", 5, "missing_value:building"),
        ("bad.csv", 6, "bad_action"),
        ("bad.csv", 7, "bad_timestamp"),
        ("bad.csv", 8, "missing_value:timestamp"),
    ]
    assert json.loads(rows[0][3]) == {"timestamp": "bukan waktu", "person_id": "2", "building": "b", "action": "in"}
    assert visits_of(con) == [("1", "b", local(8), local(9), "scan")]


def test_file_that_is_not_a_log_is_refused_whole(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    importer.import_file(con, write_csv(tmp_path / "ok.csv", EVENT_HEADER[:4], [["2022-01-03 08:00", "1", "b", "in"]]))
    before = table_counts(con)
    path = write_csv(tmp_path / "anggaran.csv", ["tanggal", "uraian", "jumlah"], [["2022-01-03", "ATK", "150000"]])
    summary = importer.import_file(con, path)
    assert summary.status == "refused"
    assert summary.missing_columns == ["timestamp", "person_id", "building", "action"]
    assert table_counts(con) == before


def test_reimport_and_overlapping_exports_in_any_order(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rows = [
        ["2022-01-03 08:00", "1", "b", "in"], ["2022-01-03 12:00", "1", "b", "out"],
        ["2022-01-03 13:00", "1", "b", "in"], ["2022-01-03 13:01", "1", "b", "in"],
        ["2022-01-03 17:00", "1", "b", "out"], ["2022-01-03 09:00", "2", "b", "in"],
        ["2022-01-03 10:00", "2", "c", "in"], ["2022-01-03 11:00", "2", "b", "out"],
    ]
    whole = write_csv(tmp_path / "whole.csv", EVENT_HEADER[:4], rows)
    importer.import_file(con, whole)
    expected = visits_of(con)
    before = table_counts(con)
    again = importer.import_file(con, whole)
    assert again.events_new == 0 and again.new_visits == 0
    assert table_counts(con) == before

    second = db.connect(tmp_path / "other.duckdb")
    late = write_csv(tmp_path / "late.csv", EVENT_HEADER[:4], rows[3:])
    early = write_csv(tmp_path / "early.csv", EVENT_HEADER[:4], rows[:5])
    importer.import_file(second, late)
    importer.import_file(second, early)
    assert visits_of(second) == expected
    second.close()


def _stored_events_reference(files: list[list[list[str]]]) -> list[tuple[str, str, int, str | None, str]]:
    """RULES "Import" in plain Python: each identity (person, building, action, instant and,
    for an area scan, its area ignoring case) once, with the values of its first row."""
    first: dict[tuple[str, str, str, int, str | None], tuple[str, str, int, str | None, str]] = {}
    for rows in files:
        for minute, person, action, area, name in rows:
            key = (person, "b", action, int(minute), area.lower() if area else None)
            first.setdefault(key, (person, action, int(minute), area or None, name))
    return sorted(first.values(), key=repr)


_event_row = st.tuples(
    st.sampled_from(["0", "1", "2", "3"]),  # minute after 08:00: many repeats
    st.sampled_from(["p1", "p2"]),
    st.sampled_from(["checkin", "checkout"]),
    st.sampled_from(["", "", "Ruang A", "ruang a"]),
    st.sampled_from(["Ani", "Budi", "Citra"]),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.lists(_event_row, min_size=1, max_size=8), min_size=1, max_size=3))
def test_stored_events_are_each_identity_once_with_its_first_rows_values(tmp_path_factory, files) -> None:  # type: ignore[no-untyped-def]
    """Files with repeated rows, files already imported in part and files all new (the
    plain insert) leave the events a plain-Python reference of the rule leaves."""
    folder = tmp_path_factory.mktemp("events")
    con = db.connect(folder / "e.duckdb")
    for index, rows in enumerate(files):
        lines = [[f"2022-01-03 08:0{minute}:00", person, "b", action, area, name]
                 for minute, person, action, area, name in rows]
        path = write_csv(folder / f"part{index}.csv", ["timestamp", "person_id", "building", "action", "area", "name"],
                         lines)
        assert importer.import_file(con, path).status == "ok"
    stored = con.execute(
        "SELECT person_id, action, minute(ts AT TIME ZONE 'Asia/Makassar')::INTEGER, area, name FROM events"
    ).fetchall()
    con.close()
    assert sorted(stored, key=repr) == _stored_events_reference(files)


def test_unknown_building_created_with_defaults(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    importer.import_file(con, write_csv(tmp_path / "n.csv", EVENT_HEADER[:4], [["2022-01-03 08:00", "1", "kantor-baru", "in"]]))
    row = con.execute(
        "SELECT building_id, timezone, max_stay_asn_min, max_stay_thl_min, max_stay_visitor_min FROM buildings"
    ).fetchall()
    assert row == [("kantor-baru", "Asia/Makassar", 720, 720, 180)]


def test_person_id_stays_text(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "ids.csv",
        EVENT_HEADER[:4],
        [
            ["2022-01-03 08:00", "007", "b", "in"],
            ["2022-01-03 08:00", "7172012301900001", "b", "in"],
            ["2022-01-03 08:00", "7172012301900002.0", "b", "in"],
            ["2022-01-03 08:00", "7.172012301900003E+15", "b", "in"],
        ],
    )
    importer.import_file(con, path)
    ids = sorted(r[0] for r in con.execute("SELECT person_id FROM events").fetchall())
    assert ids == ["007", "7172012301900001", "7172012301900002", "7172012301900003"]


def test_xlsx_first_fitting_sheet_native_datetimes_and_numbers(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "Keterangan"
    cover.append(["Rekap scan", "Januari 2022"])
    cover.append(["Dibuat oleh", "Bagian Umum"])
    sheet = workbook.create_sheet("Data")
    sheet.append(["Laporan scan QR"])  # a title row before the header
    sheet.append(["Waktu", "NIP", "Gedung", "Aksi", "Nama", "Kategori"])
    sheet.append([dt.datetime(2022, 1, 3, 8, 0), "198503122010011001", "kantor-walikota", "masuk", "Andi", "ASN"])
    sheet.append([dt.datetime(2022, 1, 3, 16, 0), "198503122010011001", "kantor-walikota", "keluar", "Andi", "ASN"])
    sheet.append(["03/01/2022 09:00", "0071", "kantor-walikota", "masuk", "Budi", "THL"])
    sheet.append([7172012301900001, 7172012301900001, "kantor-walikota", "masuk", None, None])
    path = tmp_path / "rekap.xlsx"
    workbook.save(path)
    summary = importer.import_file(con, path)
    assert (summary.status, summary.events_new, summary.quarantined) == ("ok", 3, 1)
    assert con.execute("SELECT row_no, reason FROM quarantine").fetchall() == [(6, "bad_timestamp")]
    assert visits_of(con)[0] == ("198503122010011001", "kantor-walikota", local(8), local(16), "scan")
    assert {r[0] for r in con.execute("SELECT person_id FROM events").fetchall()} == {"198503122010011001", "0071"}


def test_parquet_native_timestamps(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    table = pa.table(
        {
            "timestamp": pa.array([dt.datetime(2022, 1, 3, 8, 0), dt.datetime(2022, 1, 3, 10, 0)], pa.timestamp("us")),
            "person_id": pa.array([7172012301900001, 7172012301900001], pa.int64()),
            "building": ["b", "b"],
            "action": ["checkin", "checkout"],
        }
    )
    pq.write_table(table, tmp_path / "naive.parquet")
    zoned = pa.table(
        {
            "timestamp": pa.array(
                [dt.datetime(2022, 1, 3, 3, 0, tzinfo=dt.UTC)], pa.timestamp("us", tz="Asia/Makassar")
            ),
            "person_id": ["x"],
            "building": ["b"],
            "action": ["in"],
        }
    )
    pq.write_table(zoned, tmp_path / "zoned.parquet")
    assert importer.import_file(con, tmp_path / "naive.parquet").events_new == 2
    assert importer.import_file(con, tmp_path / "zoned.parquet").events_new == 1
    assert visits_of(con)[0] == ("7172012301900001", "b", local(8), local(10), "scan")
    assert con.execute("SELECT ts FROM events WHERE person_id = 'x'").fetchall()[0][0] == local(11)


def test_visits_shape(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "bukutamu.csv",
        ["person_id", "gedung", "jam_masuk", "jam_keluar", "nama"],
        [
            ["1", "b", "2022-01-03 08:00", "2022-01-03 09:00", "Andi"],
            ["2", "b", "2022-01-03 08:00", "", "Budi"],
            ["3", "b", "2022-01-03 08:00", "2022-01-03 08:00", "Cici"],
            ["4", "b", "2022-01-03 08:00", "2022-01-03 07:00", "Dodi"],
            ["5", "b", "2022-01-03 08:00", "kemarin", "Eka"],
        ],
    )
    summary = importer.import_file(con, path)
    assert summary.shape == "visits" and summary.quarantined == 3
    reasons = con.execute("SELECT row_no, reason FROM quarantine ORDER BY row_no").fetchall()
    assert reasons == [(4, "checkout_not_after_checkin"), (5, "checkout_not_after_checkin"), (6, "bad_checkout_timestamp")]
    assert visits_of(con) == [
        ("1", "b", local(8), local(9), "scan"),
        ("2", "b", local(8), local(11), "auto"),  # visitor MAX_STAY 3 h
    ]


def test_category_words_and_latest_non_empty_values(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        EVENT_HEADER,
        [
            ["2022-01-03 08:00", "1", "b", "in", "Andi", "pengunjung", "0811"],
            ["2022-01-04 08:00", "1", "b", "in", "Andi S.", "", ""],
            ["2022-01-03 08:00", "2", "b", "in", "", "Tamu", ""],
            ["2022-01-03 08:00", "3", "b", "in", "", "", ""],
            ["2022-01-03 08:00", "4", "b", "in", "", "Dosen", ""],
            ["2022-01-03 08:00", "5", "b", "in", "", "thl", ""],
        ],
    )
    importer.import_file(con, path)
    persons = con.execute("SELECT person_id, name, category, phone FROM persons ORDER BY person_id").fetchall()
    assert persons == [
        ("1", "Andi S.", "visitor", "0811"),
        ("2", None, "visitor", None),
        ("3", None, "visitor", None),
        ("4", None, "visitor", None),
        ("5", None, "THL", None),
    ]
    # An older file imported later does not overwrite the newer name.
    older = write_csv(tmp_path / "old.csv", EVENT_HEADER, [["2022-01-02 08:00", "1", "b", "in", "A. Lama", "", ""]])
    importer.import_file(con, older)
    assert con.execute("SELECT name FROM persons WHERE person_id = '1'").fetchall() == [("Andi S.",)]


def test_category_change_repairs_history(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """MAX_STAY follows the person's latest category, whatever the import order."""
    first = write_csv(tmp_path / "1.csv", EVENT_HEADER, [["2022-01-03 08:00", "1", "b", "in", "", "", ""]])
    importer.import_file(con, first)
    assert visits_of(con)[0][3] == local(11)  # visitor: 3 h
    second = write_csv(tmp_path / "2.csv", EVENT_HEADER, [["2022-01-05 08:00", "1", "b", "in", "", "ASN", ""]])
    importer.import_file(con, second)
    assert visits_of(con)[0][3] == local(20)  # ASN: 12 h


def test_wrong_encoding_and_ragged_rows(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "timestamp;person_id;building;action;name\n"
        "2022-01-03 08:00;1;b;in;Sélly\n"
        "2022-01-03 08:00;2;b;in;Ani;extra;fields\n".encode("cp1252")
    )
    summary = importer.import_file(con, path)
    assert (summary.status, summary.events_new, summary.quarantined) == ("ok", 1, 1)
    assert con.execute("SELECT name FROM persons").fetchall() == [("Sélly",)]
    assert con.execute("SELECT row_no, reason FROM quarantine").fetchall() == [(3, "wrong_field_count")]


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n\x00\x00binary", b"\n\n  \n"])
def test_empty_or_binary_file_refused(con: duckdb.DuckDBPyConnection, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    summary = importer.import_file(con, path)
    assert summary.status == "refused" and summary.message_code in ("empty", "binary")
    assert table_counts(con)[0] == 0


def test_import_summary_is_stored(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", EVENT_HEADER[:4], [["2022-01-03 08:00", "1", "b", "in"], ["x", "2", "b", "in"]])
    importer.import_file(con, path, actor="admin")
    row = con.execute(
        "SELECT file_name, imported_by, status, rows_read, events_new, new_visits, quarantined FROM imports"
    ).fetchall()
    assert row == [("s.csv", "admin", "ok", 2, 1, 1, 1)]
    assert con.execute("SELECT actor, action, subject, rows FROM audit_log").fetchall() == [("admin", "import", "s.csv", 1)]


def test_progress_is_reported_for_long_files(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rows = [[f"2022-01-03 {8 + i % 9:02d}:{i % 60:02d}:{i % 59:02d}", str(i % 700), "b", "in"] for i in range(250_000)]
    path = write_csv(tmp_path / "long.csv", EVENT_HEADER[:4], rows)
    shares: list[float] = []
    summary = importer.import_file(con, path, progress=shares.append)
    assert summary.rows_read == 250_000
    assert len(shares) >= 3 and shares == sorted(shares) and shares[-1] == 1.0 and 0 < shares[0] < 1


def test_import_runs_again_without_the_cap_when_duckdb_runs_out_of_memory(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANTAU_IMPORT_MEMORY_LIMIT", "1MB")
    monkeypatch.setattr(importer, "BOUNDED_FROM_BYTES", 0)  # the cap applies to this small file too
    rows = [[f"2022-01-03 08:{i % 60:02d}:{i % 59:02d}", str(i), "b", "in"] for i in range(20_000)]
    summary = importer.import_file(con, write_csv(tmp_path / "m.csv", EVENT_HEADER[:4], rows))
    assert (summary.status, summary.events_new, summary.rows_read) == ("ok", 20_000, 20_000)
    assert con.execute("SELECT count(*) FROM imports").fetchall()[0][0] == 1
    limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    assert limit != "1.0 MiB" and "KiB" not in limit  # the cap is lifted again afterwards


def test_import_runs_again_with_four_times_the_cap_before_all_memory(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step that cannot spill within the cap (the persons' index of a province's file)
    gets four times the cap next, not the whole machine at once (issue 27: 19 GB)."""
    monkeypatch.setenv("PANTAU_IMPORT_MEMORY_LIMIT", "64MB")
    monkeypatch.setattr(importer, "BOUNDED_FROM_BYTES", 0)
    caps: list[str] = []
    real = importer._import_with_fallbacks

    def out_of_memory_under_the_first_cap(con: duckdb.DuckDBPyConnection, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        caps.append(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
        if len(caps) == 1:
            raise duckdb.OutOfMemoryException("the persons' index does not fit")
        real(con, *args, **kwargs)

    monkeypatch.setattr(importer, "_import_with_fallbacks", out_of_memory_under_the_first_cap)
    rows = [[f"2022-01-03 08:{i % 60:02d}:{i % 59:02d}", str(i), "b", "in"] for i in range(100)]
    summary = importer.import_file(con, write_csv(tmp_path / "m.csv", EVENT_HEADER[:4], rows))
    assert summary.status == "ok" and summary.events_new == 100
    assert len(caps) == 2 and caps[0].startswith("61.0 MiB") and caps[1].startswith("244.0 MiB")
    assert config.memory_bytes("768MB") == 768_000_000 and config.memory_bytes("1.5 GiB") == 3 * 2**29


def test_a_version_4_file_keeps_its_persons_through_migration_5(tmp_path: Path) -> None:
    """Migration 5 rebuilds ``persons`` (strings uncompressed): an office's existing file
    keeps every person, and the next import still updates them by person_id."""
    path = tmp_path / "old.duckdb"
    old = store_at_version(path, 4)
    old.execute(
        "INSERT INTO persons VALUES "
        "('p1', 'Selly Wuisan', '2022-01-03 00:00:00+00', 'ASN', '2022-01-03 00:00:00+00', '0812', NULL), "
        "('p2', NULL, NULL, 'visitor', NULL, NULL, NULL)"
    )
    before = old.execute("SELECT * FROM persons ORDER BY person_id").fetchall()
    old.close()

    con = db.connect(path)
    assert db.schema_version(con) == len(db.MIGRATIONS) >= 5
    # (later migrations add columns after these seven: institution, institution_at)
    kept = "person_id, name, name_at, category, category_at, phone, phone_at"
    assert con.execute(f"SELECT {kept} FROM persons ORDER BY person_id").fetchall() == before
    csv = write_csv(tmp_path / "next.csv", EVENT_HEADER,
                    [["2022-01-04 08:00:00", "p1", "b", "in", "Selly W.", "ASN", "0813"]])
    assert importer.import_file(con, csv).events_new == 1
    assert con.execute("SELECT person_id, name, phone FROM persons ORDER BY person_id").fetchall() == [
        ("p1", "Selly W.", "0813"), ("p2", None, None)
    ]
    con.close()
