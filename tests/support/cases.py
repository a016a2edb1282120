"""A tracing case's scan log (RULES "Tracing cases") and the command line as the case
tests run it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.conftest import write_csv

ONSET = dt.date(2022, 1, 10)
NOW = dt.datetime(2022, 1, 26, 2, 0, tzinfo=dt.UTC)  # 26 January 10:00 WITA
HEADER = ["timestamp", "person_id", "building", "action", "area", "name", "phone"]
# A contact's name that a spreadsheet would run as a formula (exports must not).
EVIL_NAME = "=SUM(1+2)"


def scans(folder: Path, name: str, rows: list[list[str]]) -> Path:
    return write_csv(folder / name, HEADER, rows)


def base_log(folder: Path) -> Path:
    """The case C0 in the meeting room with k1, the building with k2a/k2b, and 'late' after isolation."""
    return scans(folder, "log.csv", [
        ["2022-01-10 08:00", "C0", "kw", "in", "", "Kasus Satu", "081200000000"],
        ["2022-01-10 12:00", "C0", "kw", "out", "", "", ""],
        ["2022-01-10 09:00", "C0", "kw", "in", "Rapat", "", ""],
        ["2022-01-10 10:00", "C0", "kw", "out", "Rapat", "", ""],
        ["2022-01-10 08:00", "k1", "kw", "in", "", "Kontak Ruang", "+62 812-3456-7890"],
        ["2022-01-10 12:00", "k1", "kw", "out", "", "", ""],
        ["2022-01-10 09:00", "k1", "kw", "in", "Rapat", "", ""],
        ["2022-01-10 10:00", "k1", "kw", "out", "Rapat", "", ""],
        ["2022-01-10 08:30", "k2a", "kw", "in", "", "Kontak Gedung", "0812 1111 2222"],
        ["2022-01-10 11:00", "k2a", "kw", "out", "", "", ""],
        ["2022-01-10 10:00", "k2b", "kw", "in", "", EVIL_NAME, "021555123"],
        ["2022-01-10 11:00", "k2b", "kw", "out", "", "", ""],
        ["2022-01-20 08:00", "C0", "kw", "in", "", "", ""],
        ["2022-01-20 10:00", "C0", "kw", "out", "", "", ""],
        ["2022-01-20 08:00", "late", "kw", "in", "", "Datang Belakangan", "85299998888"],
        ["2022-01-20 10:00", "late", "kw", "out", "", "", ""],
    ])


