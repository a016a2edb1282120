"""Files made for people: CSV/XLSX/JSON, safe to open in a spreadsheet (RULES "Personal data")."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters that XML 1.0 (so XLSX) cannot hold, and that a PDF font has no glyph
# for: C0 except tab, line feed and carriage return, DEL and C1. A name typed on a public
# page or imported may still hold them (RULES "Personal data": every export writes what is
# stored), so they become a visible placeholder instead of failing the whole file.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
PLACEHOLDER = "\ufffd"  # the replacement character: DejaVu draws it, Excel shows it


def visible_text(value: str) -> str:
    """``value`` with every control character replaced by ``PLACEHOLDER``."""
    return CONTROL_CHARACTERS.sub(PLACEHOLDER, value)


def _safe_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = visible_text(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe, and
    control characters become ``PLACEHOLDER`` (an XLSX cannot hold them at all)."""
    safe = frame.copy()
    safe.columns = [visible_text(c) if isinstance(c, str) else c for c in safe.columns]
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_safe_cell)
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, so Excel on Windows shows names with accents correctly."""
    return formula_safe(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_sheets(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """One XLSX with a sheet per entry (name cut to Excel's 31 characters), every cell
    formula-safe and free of control characters: the one writer every XLSX goes through."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet_name, frame in sheets.items():
            formula_safe(frame).to_excel(writer, index=False, sheet_name=visible_text(sheet_name)[:31])
    return buffer.getvalue()


def xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "Pantau") -> bytes:
    return xlsx_sheets({sheet_name: frame})


def write_file(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a people-facing file; the format follows the ending (.csv, .xlsx, .json)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".xlsx":
        target.write_bytes(xlsx_bytes(frame))
    elif suffix == ".json":
        target.write_text(frame.to_json(orient="records", force_ascii=False, indent=1), encoding="utf-8")
    else:
        target.write_bytes(csv_bytes(frame))
