"""What the import accepts, in words for the Import page, and template files to start from.

Everything is derived from ``lib.ingest.importer``'s column tables (``COLUMN_ALIASES``,
``EVENT_COLUMNS``, ``VISIT_COLUMNS``, ``OPTIONAL_COLUMNS``): a column added there shows
here. RULES "Import": names match case-insensitively, ignoring spaces, '-' and '_'.
"""

from __future__ import annotations

import pandas as pd

from lib.core.i18n import t
from lib.ingest.importer import (
    COLUMN_ALIASES,
    EVENT_COLUMNS,
    OPTIONAL_COLUMNS,
    VISIT_COLUMNS,
    normalize_column_name,
)
from lib.outputs import export

SHAPES = ("events", "visits")


def shape_columns(shape: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, optional) canonical columns of one shape. A visits list takes every
    column that is neither required there nor one of the event-only columns
    (timestamp, action): ``checkout_at`` and the optional details."""
    if shape == "events":
        return EVENT_COLUMNS, OPTIONAL_COLUMNS
    if shape == "visits":
        event_only = tuple(c for c in EVENT_COLUMNS if c not in VISIT_COLUMNS)
        optional = [c for c in COLUMN_ALIASES if c not in VISIT_COLUMNS and c not in event_only]
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
    ', '), required ('ya'/'yes' or 'tidak'/'no'), meaning (words)."""
    required, optional = shape_columns(shape)
    rows = [
        {
            "column": column,
            "other_names": ", ".join(other_names(column)),
            "required": t("import.yes" if column in required else "import.no", lang),
            "meaning": t(f"import.column.{column}", lang),
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
    if shape == "events":
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
        return export.xlsx_bytes(frame, sheet_name=f"pantau-{shape}")
    raise ValueError(f"unknown format: {file_format!r}")


def template_filename(shape: str, file_format: str) -> str:
    """'contoh-log-pindaian.csv' (events) or 'contoh-daftar-kunjungan.xlsx' (visits)."""
    stem = "contoh-log-pindaian" if shape == "events" else "contoh-daftar-kunjungan"
    return f"{stem}.{file_format}"
