"""What the import accepts, in words for the Import page, and template files to start from.

Everything is derived from ``lib.ingest.importer``'s column tables (``COLUMN_ALIASES``,
``EVENT_COLUMNS``, ``VISIT_COLUMNS``, ``OPTIONAL_COLUMNS``): a column added there shows
here. RULES "Import": names match case-insensitively, ignoring spaces, '-' and '_'.
"""

from __future__ import annotations

import pandas as pd

from lib.core.i18n import all_texts, t
from lib.ingest.importer import (
    COLUMN_ALIASES,
    EVENT_COLUMNS,
    OPTIONAL_COLUMNS,
    VISIT_COLUMNS,
    normalize_column_name,
)
from lib.outputs import export

LOG_SHAPES = ("events", "visits")
SHAPES = (*LOG_SHAPES, "roster")
# The staff roster (RULES "Places inside a building"): an id and a unit or a room; the
# roster-only column (unit) is not offered for the two log shapes.
ROSTER_REQUIRED = ("person_id",)
ROSTER_OPTIONAL = ("unit", "building", "area", "name", "category", "phone")
ROSTER_ONLY = ("unit",)


def shape_columns(shape: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, optional) canonical columns of one shape. A visits list takes every
    column that is neither required there nor one of the event-only columns
    (timestamp, action): ``checkout_at`` and the optional details."""
    if shape == "events":
        return EVENT_COLUMNS, OPTIONAL_COLUMNS
    if shape == "roster":
        return ROSTER_REQUIRED, ROSTER_OPTIONAL
    if shape == "visits":
        event_only = tuple(c for c in EVENT_COLUMNS if c not in VISIT_COLUMNS)
        optional = [
            c for c in COLUMN_ALIASES if c not in VISIT_COLUMNS and c not in event_only and c not in ROSTER_ONLY
        ]
        # The shape's own columns (checkout_at) before the details every shape takes.
        optional.sort(key=lambda c: c in OPTIONAL_COLUMNS)
        return VISIT_COLUMNS, tuple(optional)
    raise ValueError(f"unknown shape: {shape!r}")


def other_names(column: str) -> list[str]:
    """The other accepted names of a column (as matched: lower case, no spaces, '-', '_')."""
    own = normalize_column_name(column)
    return [alias for alias in COLUMN_ALIASES[column] if alias != own]


def accepted_columns(shape: str, lang: str) -> pd.DataFrame:
    """One row per column of ``shape``, required first: column, other_names (joined with
    ', '), required ('ya'/'yes' or 'tidak'/'no'), meaning (words). A roster's columns
    mean what a roster sets (``import.column.roster.<column>`` where that differs)."""
    required, optional = shape_columns(shape)

    def meaning(column: str) -> str:
        key = f"import.column.roster.{column}"
        return t(key, lang) if shape == "roster" and key in all_texts() else t(f"import.column.{column}", lang)

    rows = [
        {
            "column": column,
            "other_names": ", ".join(other_names(column)),
            "required": t("import.yes" if column in required else "import.no", lang),
            "meaning": meaning(column),
        }
        for column in (*required, *optional)
    ]
    return pd.DataFrame(rows, columns=["column", "other_names", "required", "meaning"])


# Example rows: a civil servant's day (in and out through the main gate) and a visitor.
# Identity numbers are text (leading digits kept); timestamps are local time (WITA).
_EXAMPLE_PEOPLE = (
    ("197901012005011001", "Andi Lumentut", "ASN", "081234567890"),
    ("7172012301900001", "Grace Wenas", "pengunjung", "085298765432"),
)


def template_frame(shape: str) -> pd.DataFrame:
    """A small valid file of ``shape`` (columns: required, then optional) with example rows."""
    required, optional = shape_columns(shape)
    columns = [*required, *optional]
    (staff_id, staff_name, staff_cat, staff_phone), (guest_id, guest_name, guest_cat, guest_phone) = _EXAMPLE_PEOPLE
    base = {"building": "kantor-walikota", "gate": "utama", "status": "hijau"}
    if shape == "roster":
        # NIPs of 18 digits, as text; one person without a room (a unit only).
        rows = [
            {"person_id": staff_id, "unit": "Bagian Umum", "building": "kantor-walikota", "area": "Ruang Bagian Umum",
             "name": staff_name, "category": staff_cat, "phone": staff_phone},
            {"person_id": "198507142009022003", "unit": "Bagian Umum", "building": "kantor-walikota",
             "area": "Ruang Bagian Umum", "name": "Maria Rondonuwu", "category": "ASN", "phone": ""},
            {"person_id": "199203302019031002", "unit": "Dinas Kesehatan", "building": "dinkes", "area": "",
             "name": "Yohanis Pangemanan", "category": "THL", "phone": ""},
        ]
    elif shape == "events":
        rows = [
            {**base, "timestamp": "2022-01-03 07:52:10", "person_id": staff_id, "action": "masuk",
             "name": staff_name, "category": staff_cat, "phone": staff_phone},
            {**base, "timestamp": "2022-01-03 09:15:00", "person_id": guest_id, "action": "masuk",
             "name": guest_name, "category": guest_cat, "phone": guest_phone},
            {**base, "timestamp": "2022-01-03 10:02:30", "person_id": guest_id, "action": "keluar",
             "name": guest_name, "category": guest_cat, "phone": guest_phone},
            {**base, "timestamp": "2022-01-03 16:05:00", "person_id": staff_id, "action": "keluar",
             "name": staff_name, "category": staff_cat, "phone": staff_phone},
        ]
    else:
        rows = [
            {**base, "person_id": staff_id, "checkin_at": "2022-01-03 07:52:10", "checkout_at": "2022-01-03 16:05:00",
             "name": staff_name, "category": staff_cat, "phone": staff_phone},
            {**base, "person_id": guest_id, "checkin_at": "2022-01-03 09:15:00", "checkout_at": "2022-01-03 10:02:30",
             "name": guest_name, "category": guest_cat, "phone": guest_phone},
        ]
    return pd.DataFrame([{c: row.get(c, "") for c in columns} for row in rows], columns=columns)


def template_bytes(shape: str, file_format: str) -> bytes:
    """The template as a people-facing file ('csv': UTF-8 with BOM; 'xlsx'), formula-safe."""
    frame = template_frame(shape)
    if file_format == "csv":
        return export.csv_bytes(frame)
    if file_format == "xlsx":
        data = export.xlsx_bytes(frame, sheet_name=f"pantau-{shape}")
        return _id_columns_as_text(data, frame) if shape == "roster" else data
    raise ValueError(f"unknown format: {file_format!r}")


def _id_columns_as_text(data: bytes, frame: pd.DataFrame) -> bytes:
    """The workbook with its id and phone columns formatted as text ('@') for the first
    1000 rows, so a NIP typed into the template keeps all 18 digits (RULES "Choices where
    the rules were silent": Excel keeps only 15 significant digits of a number)."""
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet is not None
    for index, column in enumerate(frame.columns, start=1):
        if column in ("person_id", "phone"):
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_filename(shape: str, file_format: str) -> str:
    """'contoh-log-pindaian.csv' (events), 'contoh-daftar-kunjungan.xlsx' (visits) or
    'contoh-daftar-pegawai.csv' (roster)."""
    stem = {"events": "contoh-log-pindaian", "visits": "contoh-daftar-kunjungan"}.get(shape, "contoh-daftar-pegawai")
    return f"{stem}.{file_format}"
