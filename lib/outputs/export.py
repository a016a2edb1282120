"""Files made for people: CSV/XLSX/JSON, safe to open in a spreadsheet (RULES "Personal data")."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v
            )
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, so Excel on Windows shows names with accents correctly."""
    return formula_safe(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "Pantau") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        formula_safe(frame).to_excel(writer, index=False, sheet_name=sheet_name[:31])
    return buffer.getvalue()


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
