"""The Import page's help: accepted columns come from lib.ingest.importer's tables, and the
template files import cleanly (every row, no quarantine) in both shapes and formats."""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import pytest

from lib.ingest import importer
from lib.outputs import import_template


def test_accepted_columns_follow_the_importer_tables() -> None:
    events = import_template.accepted_columns("events", "id")
    assert events["column"].tolist() == [*importer.EVENT_COLUMNS, *importer.OPTIONAL_COLUMNS]
    required = events.set_index("column")["required"]
    assert required["timestamp"] == "ya" and required["phone"] == "tidak"
    names = events.set_index("column")["other_names"]
    assert "waktu" in names["timestamp"] and "gedung" in names["building"] and "aksi" in names["action"]
    assert "nip" in names["person_id"] and "nohp" in names["phone"]

    visits = import_template.accepted_columns("visits", "en").set_index("column")
    assert visits.index.tolist()[:4] == [*importer.VISIT_COLUMNS, "checkout_at"]
    # Every column but the scan-only ones and the roster's own unit.
    assert set(visits.index) == set(importer.COLUMN_ALIASES) - {"timestamp", "action", "unit"}
    assert visits.loc["checkin_at", "required"] == "yes" and visits.loc["checkout_at", "required"] == "no"
    assert "jammasuk" in visits.loc["checkin_at", "other_names"]
    assert "jamkeluar" in visits.loc["checkout_at", "other_names"]
    assert all(visits["meaning"].str.len() > 0) and not any(visits["meaning"].str.startswith("import."))
    roster = import_template.accepted_columns("roster", "id").set_index("column")
    assert roster.index.tolist()[0] == "person_id" and roster.loc["person_id", "required"] == "ya"
    assert {"unit", "building", "area"} <= set(roster.index)
    assert not set(roster.index) & set(importer.SCAN_ONLY_COLUMNS)
    assert "unitkerja" in roster.loc["unit", "other_names"] and "ruangan" in roster.loc["area", "other_names"]
    assert not any(roster["meaning"].str.startswith("import."))
    # Each name shown is one the importer really maps to that column.
    for shape in import_template.SHAPES:
        for row in import_template.accepted_columns(shape, "id").itertuples():
            for alias in [row.column, *filter(None, row.other_names.split(", "))]:
                assert importer.map_columns([alias]) == {row.column: 0}, (shape, alias)


@pytest.mark.parametrize("shape", import_template.LOG_SHAPES)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_template_imports_cleanly(con: duckdb.DuckDBPyConnection, tmp_path: Path, shape: str, file_format: str) -> None:
    path = tmp_path / import_template.template_filename(shape, file_format)
    path.write_bytes(import_template.template_bytes(shape, file_format))
    frame = import_template.template_frame(shape)
    summary = importer.import_file(con, path, actor="test")
    assert summary.status == "ok", summary
    assert summary.shape == shape
    assert summary.rows_read == len(frame) >= 2
    assert summary.quarantined == 0
    assert summary.events_new == 4  # two people, in and out
    assert summary.new_visits == 2
    # Identity numbers stay text, leading digits and all.
    ids = {r[0] for r in con.execute("SELECT DISTINCT person_id FROM events").fetchall()}
    assert ids == set(frame["person_id"])
    assert con.execute("SELECT count(*) FROM visits WHERE checkout_kind = 'scan'").fetchall()[0][0] == 2


def test_templates_are_formula_safe_files(tmp_path: Path) -> None:
    csv = import_template.template_bytes("events", "csv")
    assert csv.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel shows accents right
    header = csv.decode("utf-8-sig").splitlines()[0].split(",")
    assert header == [*importer.EVENT_COLUMNS, *importer.OPTIONAL_COLUMNS]
    path = tmp_path / "t.xlsx"
    path.write_bytes(import_template.template_bytes("visits", "xlsx"))
    sheet = openpyxl.load_workbook(path).active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert cells and all(not str(v).startswith(("=", "+", "-", "@")) for v in cells)
    # The 18-digit NIP is a text cell, not a number Excel would round.
    assert "197901012005011001" in [v for v in cells if isinstance(v, str)]
