"""Files that used to break an import (RULES "Import", "Personal data"): each bad row is
quarantined with its reason, the good rows land, and no file a person can upload costs
minutes or gigabytes. ``tests/hardening/test_file_attacks.py`` replays them through the
command line and a running server."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import stat
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pytest

from lib.analytics.quality import quarantine_rows
from lib.ingest import importer, readers
from lib.outputs import export
from lib.store import db, spool
from tests.conftest import write_csv
from tests.support.attacks import (
    BAD_TEXT,
    SCAN_ROWS,
    cell_bomb_xlsx,
    huge_claim_xlsx,
    rewrite_sheet,
    run_measured,
    workbook_bytes,
)

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["timestamp", "person_id", "building", "action", "name", "phone", "gate", "area"]


def has_control(text: str | None) -> bool:
    return text is not None and any(unicodedata.category(c) in ("Cc", "Cf") for c in text)


def quarantined(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    return [(int(r), str(c)) for r, c in con.execute("SELECT row_no, reason FROM quarantine ORDER BY row_no").fetchall()]


# --- 1. control characters --------------------------------------------------------------


def test_control_characters_never_reach_the_store_nor_break_an_xlsx_export(con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = write_csv(tmp_path / "scan.csv", HEADER, [
        ["2022-01-03 08:00", "1", "b", "in", BAD_TEXT, "0812\x1b[0m", "Pintu\x07 A", "Ruang\u202e 1"],
        ["2022-01-03 09:00", "1", "b", "out", BAD_TEXT, "", "", ""],
    ])
    summary = importer.import_file(con, log)
    assert (summary.status, summary.events_new, summary.quarantined) == ("ok", 2, 0)
    roster = write_csv(tmp_path / "roster.csv", ["nip", "nama", "unit", "gedung", "ruang"], [
        ["2", "Budi\x1b]0;pwned\x07 Santoso", "Bagian\x0b Umum\x1b[2J", "b", "Aula\x08"],
    ])
    assert importer.import_file(con, roster).status == "ok"

    names = dict(con.execute("SELECT person_id, name FROM persons").fetchall())
    assert names == {"1": "Tamu [31m", "2": "Budi]0;pwned Santoso"}
    texts = [
        *con.execute("SELECT phone FROM persons WHERE phone IS NOT NULL").fetchall(),
        *con.execute("SELECT gate, area FROM events").fetchall(),
        *con.execute("SELECT unit, room FROM roster").fetchall(),
        *con.execute("SELECT area_id, name FROM areas").fetchall(),
    ]
    assert texts and not any(has_control(value) for row in texts for value in row)
    assert con.execute("SELECT unit FROM roster").fetchall() == [("Bagian Umum[2J",)]
    # What broke before: openpyxl refused the stored names (IllegalCharacterError).
    frame = con.execute("SELECT p.person_id, p.name, p.phone, r.unit FROM persons p LEFT JOIN roster r USING (person_id)").df()
    export.write_file(frame, tmp_path / "persons.xlsx")
    cells = [c.value for row in openpyxl.load_workbook(tmp_path / "persons.xlsx").active.iter_rows() for c in row]
    assert "Tamu [31m" in cells


def test_column_names_with_invisible_marks_or_controls_are_found(con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = write_csv(tmp_path / "marks.csv", ["\u200bWaktu", "NIP\u00a0", "Ge\x1bdung", "Aksi"],
                    [["2022-01-03 08:00", "1", "b", "masuk"]])
    summary = importer.import_file(con, log)
    assert (summary.status, summary.events_new) == ("ok", 1), summary


# --- 2. rows from the future ------------------------------------------------------------


def test_rows_more_than_a_day_ahead_are_quarantined_and_the_good_rows_land(con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))  # the building's zone (WITA)
    soon = now + dt.timedelta(hours=20)  # within a day: a clock a little ahead is no error
    year_ahead = now + dt.timedelta(days=365)
    fmt = "%Y-%m-%d %H:%M:%S"
    log = write_csv(tmp_path / "future.csv", HEADER[:4], [
        ["2022-01-03 08:00", "1", "b", "in"],
        [year_ahead.strftime(fmt), "2", "b", "in"],
        ["2099-01-01 08:00", "3", "b", "in"],
        ["2022-01-03 10:00", "1", "b", "out"],
        [soon.strftime(fmt), "4", "b", "in"],
    ])
    summary = importer.import_file(con, log)
    assert (summary.status, summary.events_new, summary.new_visits, summary.quarantined) == ("ok", 3, 2, 2)
    assert quarantined(con) == [(3, "future"), (4, "future")]
    assert con.execute("SELECT max(ts) < TIMESTAMPTZ '2099-01-01' FROM events").fetchall() == [(True,)]
    words = quarantine_rows(con, ["future.csv"], "en")["reason_text"].tolist()
    assert words == ["time more than a day in the future"] * 2
    assert quarantine_rows(con, ["future.csv"], "id")["reason_text"].tolist() == ["waktu lebih dari sehari di masa depan"] * 2
    # A visit list whose check-out lies in 2099 is quarantined too.
    visits = write_csv(tmp_path / "visits.csv", ["person_id", "building", "jam_masuk", "jam_keluar"], [
        ["5", "b", "2022-01-04 08:00", "2099-01-04 09:00"],
        ["6", "b", "2022-01-04 08:00", "2022-01-04 09:00"],
    ])
    summary = importer.import_file(con, visits)
    assert (summary.new_visits, summary.quarantined) == (1, 1)


# --- 3. an XLSX that claims to be huge ---------------------------------------------------


def test_xlsx_claiming_all_of_excel_imports_its_rows_in_seconds_and_little_memory(tmp_path: Path) -> None:
    path = huge_claim_xlsx(tmp_path / "claim.xlsx", padding_rows=60_000)
    done, seconds, peak_mb = run_measured(["--db", str(tmp_path / "c.duckdb"), "ingest", str(path)])
    print(f"huge-claim XLSX ({path.stat().st_size // 1024} kB): {seconds:.1f} s, peak {peak_mb:.0f} MB")
    assert done.returncode == 0, done.stderr
    assert ",ok,2,2,1," in done.stdout  # its two scans, one visit
    # Before: a 390 kB file of this kind ran past 60 s (the padding read as 16,384 columns).
    assert seconds < 30 and peak_mb < 1500


def test_xlsx_declaring_fewer_rows_than_it_holds_loses_none(con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [*SCAN_ROWS, ["2022-01-03 10:00", "2", "b", "in", "Budi"], ["2022-01-03 11:00", "2", "b", "out", "Budi"]]
    path = rewrite_sheet(
        tmp_path / "short.xlsx", rows, lambda head: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:B2"/>', head),
        lambda: iter(()),
    )
    summary = importer.import_file(con, path)
    assert (summary.status, summary.events_new, summary.new_visits) == ("ok", 4, 2)


def test_xlsx_beyond_the_limits_is_refused_with_a_message(con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wide = cell_bomb_xlsx(tmp_path / "wide.xlsx", rows=3, cells_per_row=readers.MAX_ROW_CELLS + 10)
    started = time.monotonic()
    summary = importer.import_file(con, wide)
    assert time.monotonic() - started < 20
    assert (summary.status, summary.message_code) == ("refused", "xlsx_too_large")
    from lib.core.i18n import refusal_message

    assert refusal_message("xlsx_too_large", "en", detail=summary.message or "").startswith(
        "File refused: the Excel file is beyond what can be read"
    )
    assert con.execute("SELECT count(*) FROM events").fetchall() == [(0,)]


# --- 4. encodings -------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le-bom", "utf-16-be-bom", "utf-16-le", "utf-8", "utf-8-sig"])
def test_unicode_text_as_excel_writes_it_is_read(con, tmp_path: Path, encoding: str) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Waktu\tNIP\tGedung\tAksi\tNama\r\n"
        "03/01/2022 08:00\t007\tkantor\tmasuk\tSiti Ayu Ñoño\r\n"
        "03/01/2022 10:00\t007\tkantor\tkeluar\tSiti Ayu Ñoño\r\n"
    )
    codec, _, bom = encoding.partition("-bom")
    data = text.encode(codec)
    if encoding == "utf-16-le-bom":
        data = b"\xff\xfe" + data
    elif encoding == "utf-16-be-bom":
        data = b"\xfe\xff" + data
    path = tmp_path / "unicode.txt"
    path.write_bytes(data)
    summary = importer.import_file(con, path)
    assert (summary.status, summary.events_new, summary.new_visits) == ("ok", 2, 1), summary
    assert con.execute("SELECT person_id, name FROM persons").fetchall() == [("007", "Siti Ayu Ñoño")]


# --- 5. a NUL byte, a giant cell -----------------------------------------------------------


def test_a_nul_byte_or_a_giant_cell_quarantines_its_row_not_the_file(con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = "2022-01-03 08:00,1,b,in,Ani\n2022-01-03 09:00,1,b,out,Ani\n"
    path = tmp_path / "damaged.csv"
    path.write_bytes(
        (
            "timestamp,person_id,building,action,name\n" + good
            + "2022-01-03 10:00,2,b,in,Bu\x00di\n"
            + "2022-01-03 10:00,3,b,in," + "Z" * 20_000_000 + "\n"
            + "2022-01-03 11:00,4,b,in,Citra\n"
        ).encode()
    )
    summary = importer.import_file(con, path)
    assert (summary.status, summary.events_new, summary.quarantined) == ("ok", 3, 2)
    assert quarantined(con) == [(4, "nul_byte"), (5, "cell_too_large")]
    shown = quarantine_rows(con, ["damaged.csv"], "en")
    assert shown["row_no"].tolist() == [4, 5]
    assert shown["reason_text"].tolist() == [
        "the row holds a NUL character (the file is damaged on this row)",
        "a cell is too large (over 4 million characters)",
    ]
    assert shown["raw"].str.len().max() < 5000  # the giant cell is not copied into the quarantine
    assert sorted(r[0] for r in con.execute("SELECT person_id FROM persons").fetchall()) == ["1", "4"]


# --- 6. an unclosed quote -------------------------------------------------------------------


def test_an_unclosed_quote_is_reported_and_the_rows_below_it_still_land(con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "quote.csv"
    path.write_text(
        "timestamp,person_id,building,action,name\n"
        '2022-01-03 08:00,1,b,in,"Ani\n'  # the quote never closes
        "2022-01-03 09:00,2,b,in,Budi\n"
        "2022-01-03 10:00,2,b,out,Budi\n"
        '2022-01-03 11:00,3,b,in,"Jl. Merdeka\nNo. 5"\n'  # a real two-line cell stays one cell
        "2022-01-03 12:00,4,b,in,Dewi\n"
    )
    summary = importer.import_file(con, path)
    assert (summary.status, summary.rows_read, summary.events_new, summary.quarantined) == ("ok", 5, 4, 1)
    assert quarantined(con) == [(2, "unclosed_quote")]
    assert quarantine_rows(con, ["quote.csv"], "id")["reason_text"].tolist() == [
        'tanda kutip (") dibuka tetapi tidak ditutup; baris-baris di bawahnya dibaca terpisah'
    ]
    names = dict(con.execute("SELECT person_id, name FROM persons").fetchall())
    assert names == {"2": "Budi", "3": "Jl. Merdeka No. 5", "4": "Dewi"}


# --- 7. spools: private, beside the database, removed after a crash -------------------------


def test_spools_are_private_beside_the_database_and_leftovers_are_removed(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    database = tmp_path / "data" / "pantau.duckdb"
    con = db.connect(database)
    seen: list[tuple[Path, int, int, int]] = []
    original_add = spool.ParquetSpool.add

    def watching_add(self: spool.ParquetSpool, table) -> None:  # type: ignore[no-untyped-def]
        original_add(self, table)
        root = spool.spool_root(database)
        seen.append((self.path, stat.S_IMODE(self.path.stat().st_mode), stat.S_IMODE(self.path.parent.stat().st_mode),
                     stat.S_IMODE(root.stat().st_mode)))

    monkeypatch.setattr(spool.ParquetSpool, "add", watching_add)
    log = write_csv(tmp_path / "scan.csv", HEADER[:5], [["2022-01-03 08:00", "1", "b", "in", "Ani"]])
    assert importer.import_file(con, log).events_new == 1
    con.close()
    assert seen, "the import spooled nothing"
    path, file_mode, folder_mode, root_mode = seen[0]
    assert path.is_relative_to(database.parent / ".spool") and (file_mode, folder_mode, root_mode) == (0o600, 0o700, 0o700)
    assert not path.exists()  # removed when the import ended

    # A crash leaves a spool; the next open by the command line removes it.
    leftover = spool.spool_root(database) / "import-crashed" / "raw.parquet"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"names and phones")
    # And DuckDB's own spill of the killed import, which held names and phones too.
    spill = database.with_name(database.name + ".tmp") / "duckdb_temp_storage_S32K-0.tmp"
    spill.parent.mkdir(exist_ok=True)
    spill.write_bytes(b"Nama Orang 31871 081234567890")
    done = subprocess.run([sys.executable, "-m", "lib.cli", "--db", str(database), "visits"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not leftover.exists() and not leftover.parent.exists()
    assert not spill.exists()
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"x")
    assert spool.remove_leftovers(database) == 1 and spool.remove_leftovers(database) == 0
    assert os.listdir(spool.spool_root(database)) == []


# --- what the Import page shows -------------------------------------------------------------


def test_import_page_names_each_bad_row_and_its_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Import page (pages/import_logs.py): the file imports, and its quarantine table
    names each bad row with its reason in the user's language."""
    from lib.ui.data import import_upload
    from tests.support.app import app_as, make_app_env

    env = make_app_env(tmp_path, monkeypatch)

    class Upload(io.BytesIO):
        def __init__(self, name: str, data: bytes) -> None:
            super().__init__(data)
            self.name, self.size = name, len(data)

    data = (
        "waktu;nip;gedung;aksi;nama\n"
        "2022-01-03 08:00;1;kantor;masuk;Ani\n"
        "2099-01-03 08:00;2;kantor;masuk;Budi\n"
        "2022-01-03 09:00;3;kantor;masuk;Ci\x00tra\n"
        '2022-01-03 10:00;4;kantor;masuk;"Dewi\n'
        "2022-01-03 11:00;5;kantor;masuk;Eka\n"
    ).encode("utf-16")  # as Excel's "Unicode text" writes it, with a byte-order mark
    summary = import_upload(env.con(), Upload("absen.txt", data), "kabag", 10_000, "10 KB")
    assert (summary.status, summary.events_new, summary.quarantined) == ("ok", 2, 3)

    at = app_as("kabag", ["admin"]).run()
    at.switch_page("pages/import_logs.py")
    at.session_state["import_results"] = [summary.as_dict()]
    at.run()
    assert not at.exception
    rows = at.dataframe[1].value
    assert rows["Baris ke"].tolist() == [3, 4, 5]
    assert rows["Alasan"].tolist() == [
        "waktu lebih dari sehari di masa depan",
        "baris berisi karakter NUL (file rusak di baris ini)",
        'tanda kutip (") dibuka tetapi tidak ditutup; baris-baris di bawahnya dibaca terpisah',
    ]
    assert not any(has_control(text) for text in rows["Isi baris"])


def test_an_uploaded_file_waits_in_the_database_private_spool_not_in_the_system_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Import page's copy of an upload holds names and phones: it is written in the
    database's 0700 spool folder (cleared at the next start after a kill), never in /tmp."""
    from lib.ui import data as ui_data

    con = db.connect(tmp_path / "pantau.duckdb")
    seen: list[tuple[Path, int]] = []
    real_import = ui_data.importer.import_file

    def watching_import(con_: object, path: Path, **kwargs: object) -> object:
        seen.append((Path(path), stat.S_IMODE(Path(path).parent.stat().st_mode)))
        return real_import(con_, path, **kwargs)

    monkeypatch.setattr(ui_data.importer, "import_file", watching_import)

    class Uploaded(io.BytesIO):
        name = "log.csv"
        size = 0

    body = b"timestamp,person_id,building,action\n2022-01-03 08:00,1,kw,in\n"
    upload = Uploaded(body)
    upload.size = len(body)
    summary = ui_data.import_upload(con, upload, "admin", 10**6, "too large")
    assert summary.status != "refused"
    (path, folder_mode), = seen
    assert tmp_path in path.parents and folder_mode == 0o700
    assert not path.exists()
    con.close()


# --- bombs the red team found past the first limits ----------------------------------------


@pytest.mark.parametrize("cell", ['<x:c s="1"/>', '<c\ns="1"/>', '<c\ts="1"></c>'])
def test_cells_written_with_a_prefix_or_a_line_break_count_against_the_limit(  # type: ignore[no-untyped-def]
    con, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cell: str
) -> None:
    """An XML parser reads ``<x:c`` (a namespace prefix) and ``<c\\n`` as cells too: a 1.7 MB
    file of 40 million of them was parsed for 139 s past the cell limit."""
    monkeypatch.setattr(readers, "MAX_XLSX_CELLS", 2_000)
    row = ('<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + cell * 50 + "</x:row>").encode()
    bomb = rewrite_sheet(tmp_path / "bomb.xlsx", SCAN_ROWS, lambda head: head, lambda: (row for _ in range(100)))
    summary = importer.import_file(con, bomb)
    assert (summary.status, summary.message_code) == ("refused", "xlsx_too_large"), summary.message


def _with_part(path: Path, name: str, payload: bytes) -> Path:
    """The scan workbook with the part ``name`` replaced by ``payload``."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes(SCAN_ROWS)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info, payload if info.filename == name else source.read(info.filename))
        if name not in source.namelist():
            out.writestr(name, payload)
    return path


def test_shared_strings_and_styles_beyond_what_openpyxl_can_hold_are_refused_at_once(  # type: ignore[no-untyped-def]
    con, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """openpyxl reads these parts whole: 251 MB of tiny shared strings took 1.6 GB, 252 MB of
    styles 8.6 GB. Now too many texts or an oversized style part is refused before parsing."""
    monkeypatch.setattr(readers, "MAX_SHARED_STRINGS", 500)
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strings = f'<?xml version="1.0"?><sst xmlns="{ns}">{"<si><t>a</t></si>" * 600}</sst>'.encode()
    many = importer.import_file(con, _with_part(tmp_path / "strings.xlsx", "xl/sharedStrings.xml", strings))
    assert (many.status, many.message_code) == ("refused", "xlsx_too_large") and "texts" in (many.message or "")
    styles = f'<?xml version="1.0"?><styleSheet xmlns="{ns}"><cellXfs>{"<xf/>" * 40_000}</cellXfs></styleSheet>'.encode()
    monkeypatch.setattr(readers, "MAX_XLSX_OTHER_PART_BYTES", 100_000)
    styled = importer.import_file(con, _with_part(tmp_path / "styles.xlsx", "xl/styles.xml", styles))
    assert (styled.status, styled.message_code) == ("refused", "xlsx_too_large") and "styles.xml" in (styled.message or "")
    assert con.execute("SELECT count(*) FROM events").fetchall() == [(0,)]


def _dictionary(value: str, rows: int) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array([0] * rows, type=pa.int32()), pa.array([value]))


def test_parquet_that_decodes_to_gigabytes_is_refused_in_its_metadata_or_its_dictionary(  # type: ignore[no-untyped-def]
    con, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 290 KB Parquet file of 20 million dictionary rows took 3.3 GB before failing; one
    3 MB name shared by 200,000 rows failed with "malloc of size 300000000000". Both are
    refused with a message, before anything is decoded."""
    import pyarrow.parquet as pq

    monkeypatch.setattr(readers, "MAX_PARQUET_GROUP_ROWS", 1_000)
    columns = {"timestamp": "2022-01-03 08:00", "person_id": "1", "building": "b", "action": "in"}
    tall = tmp_path / "tall.parquet"
    pq.write_table(pa.table({k: _dictionary(v, 2_000) for k, v in columns.items()}), tall, row_group_size=2_000)
    refused = importer.import_file(con, tall)
    assert (refused.status, refused.message_code) == ("refused", "parquet_too_large"), refused.message
    monkeypatch.setattr(readers, "MAX_PARQUET_BATCH_TEXT_BYTES", 2**20)
    wide = tmp_path / "wide.parquet"
    table = pa.table({**{k: _dictionary(v, 500) for k, v in columns.items()}, "name": _dictionary("A" * 10_000, 500)})
    pq.write_table(table, wide)
    refused = importer.import_file(con, wide)
    assert (refused.status, refused.message_code) == ("refused", "parquet_too_large"), refused.message
    from lib.core.i18n import refusal_message

    assert refusal_message("parquet_too_large", "id", detail="x").startswith("File ditolak: file Parquet melebihi batas")
    fine = tmp_path / "fine.parquet"
    pq.write_table(pa.table({**{k: _dictionary(v, 10) for k, v in columns.items()}, "name": _dictionary("Ani", 10)}), fine)
    assert importer.import_file(con, fine).status == "ok"
