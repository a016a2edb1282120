"""Bad input never crashes the importer and never leaves half a file in the store."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.ingest import importer
from lib.store import db, spool
from tests.conftest import write_csv

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("events", "visits", "persons", "quarantine", "scan_anomalies", "buildings")


def counts(con) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES)


cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["2022-01-03 08:00", "03/01/2022 08:00", "in", "keluar", "kantor", "007", "=1+1", "", "\x00"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.lists(st.sampled_from(["timestamp", "waktu", "person_id", "gedung", "building", "aksi", "action",
                                     "nama", "jam_masuk", "x", ""]), min_size=0, max_size=7),
    rows=st.lists(st.lists(cell, max_size=8), max_size=12),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)
def test_fuzzed_csv_never_crashes(tmp_path_factory, header, rows, delimiter, encoding) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("fuzz")
    con = db.connect(folder / "f.duckdb")
    text = "\n".join(delimiter.join(r) for r in [header, *rows])
    path = folder / "fuzz.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    before = counts(con)
    summary = importer.import_file(con, path)
    assert summary.status in ("ok", "refused")
    if summary.status == "refused":
        assert counts(con) == before
        assert summary.message_code
    else:
        stored = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
        assert stored == summary.events_new
        assert summary.rows_read >= summary.quarantined
    con.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".parquet", ".txt"]))
def test_random_bytes_refused_cleanly(tmp_path_factory, content, suffix) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("bytes")
    con = db.connect(folder / "b.duckdb")
    path = folder / f"random{suffix}"
    path.write_bytes(content)
    summary = importer.import_file(con, path)
    assert summary.status in ("ok", "refused")
    if summary.status == "refused":
        assert counts(con) == (0, 0, 0, 0, 0, 0)
    con.close()


def test_huge_field_and_xlsx_with_merged_cells_and_extra_sheets(con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    huge = write_csv(tmp_path / "huge.csv", ["timestamp", "person_id", "building", "action", "name"],
                     [["2022-01-03 08:00", "1", "b", "in", "A" * 2_000_000], ["2022-01-03 09:00", "1", "b", "out", ""]])
    assert importer.import_file(con, huge).new_visits == 1
    workbook = openpyxl.Workbook()
    workbook.active.title = "Grafik"
    sheet = workbook.create_sheet("Scan")
    sheet.append(["Waktu", "Person ID", "Gedung", "Aksi"])
    sheet.append(["2022-01-03 08:00", "2", "b", "masuk"])
    sheet.append(["2022-01-03 09:00", "2", "b", "keluar"])
    sheet.append(["2022-01-03 10:00", "3", "b", "masuk"])
    sheet.merge_cells("C3:C4")  # the building cell of the last row disappears in the merge
    workbook.create_sheet("Catatan").append(["dibuat", "Bagian Umum"])
    workbook.save(tmp_path / "merged.xlsx")
    summary = importer.import_file(con, tmp_path / "merged.xlsx")
    assert (summary.status, summary.events_new, summary.quarantined) == ("ok", 2, 1)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("xl/workbook.xml", "<nonsense")
    assert importer.import_file(con, broken).status == "refused"


def test_killed_import_leaves_all_or_nothing_and_can_run_again(tmp_path: Path) -> None:
    database = tmp_path / "k.duckdb"
    rows = [[f"2022-01-{3 + i % 20:02d} {8 + i % 9:02d}:{i % 60:02d}:00", str(i % 5000), f"b{i % 7}", "in" if i % 2 else "out"]
            for i in range(600_000)]
    big = write_csv(tmp_path / "big.csv", ["timestamp", "person_id", "building", "action"], rows)
    command = [sys.executable, "-m", "lib.cli", "--db", str(database), "ingest", str(big)]
    in_system_temp = set(Path(tempfile.gettempdir()).glob("pantau-import-*"))
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Killed while it spools the file's rows (names, phones): the spool is the database's own.
    spools = spool.spool_root(database)
    deadline = time.monotonic() + 60
    while not list(spools.glob("*/*.parquet")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the import finished before it could be killed: make the file bigger"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    left = list(spools.glob("*/*.parquet"))
    assert left and all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in left)
    assert set(Path(tempfile.gettempdir()).glob("pantau-import-*")) == in_system_temp
    con = db.connect(database)
    assert counts(con)[0] in (0,)  # never part of the file
    con.close()
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert not any(path.exists() for path in left)  # the next start removed the leftover
    assert list(spools.iterdir()) == []
    con = db.connect(database)
    events = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
    expected = len({(r[1], r[2], r[3], r[0]) for r in rows})
    assert events == expected
    con.close()
