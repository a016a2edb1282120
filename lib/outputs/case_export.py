"""A case's contacts as the Puskesmas takes them: an XLSX with a summary and one sheet per grade.

RULES "Tracing cases": sheets ``Ringkasan`` (``Summary`` in English), ``K1`` and ``K2``; a
grade's sheet has id, name, phone, category, unit, rooms, last contact date (local date),
minutes (K1: minutes in the same room; K2: minutes in the same building; one decimal),
status and test result as their codes (``tidak_terjangkau``, ``positif``), headers in the
interface's language. Formula-safe (RULES
"Personal data"): no text cell starts a formula, and a stored control character is a
placeholder (``lib.outputs.export.xlsx_sheets``).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from lib.analytics import cases
from lib.core.i18n import t
from lib.core.timeutil import format_local_short
from lib.outputs.export import xlsx_sheets
from lib.store import db

GRADE_COLUMNS = [
    ("person_id", "tracing.col.person_id"),
    ("name", "tracing.col.name"),
    ("phone", "tracing.col.phone"),
    ("category", "tracing.col.category"),
    ("unit", "tracing.col.unit"),
    ("areas", "tracing.col.areas"),
    ("last_contact_date", "cases.col.last_contact_date"),
    ("minutes", "cases.col.minutes"),
    ("status", "cases.col.status"),
    ("test_result", "cases.col.test_result"),
]


def grade_frame(contacts: pd.DataFrame, grade: str, lang: str | None = None, tz: str = db.DEFAULT_TIMEZONE) -> pd.DataFrame:
    """One grade's rows of :func:`lib.analytics.cases.case_contacts` as the sheet shows them."""
    rows = contacts[contacts["grade"] == grade]
    minutes = rows["area_minutes"] if grade == "K1" else rows["overlap_minutes"]
    frame = pd.DataFrame(
        {
            "person_id": rows["person_id"].astype(str),
            "name": rows["name"],
            "phone": rows["phone"],
            "category": [
                t(f"tracing.category.{c}", lang) if c in db.CATEGORIES else c for c in rows["category"].fillna("visitor")
            ],
            "unit": rows["unit"],
            "areas": rows["areas"].fillna("").str.replace(";", "; ", regex=False),
            "last_contact_date": [
                None if pd.isna(v) else pd.Timestamp(v).tz_convert(tz).date() for v in rows["last_contact"]
            ],
            "minutes": minutes.astype(float).round(1),
            # The codes themselves (Indonesian words): what `case set` takes and a script reads back.
            "status": list(rows["status"]),
            "test_result": [r or "" for r in rows["test_result"]],
        }
    )
    return frame.rename(columns={c: t(key, lang) for c, key in GRADE_COLUMNS}).reset_index(drop=True)


def summary_frame(con: duckdb.DuckDBPyConnection, case_id: int, lang: str | None = None,
                  tz: str = db.DEFAULT_TIMEZONE) -> pd.DataFrame:
    """The summary sheet: the case, its window, tracer, status and the counts per grade."""
    case = cases.get_case(con, case_id)
    progress = cases.case_progress(con, case_id)
    contacts = cases.case_contacts(con, case_id)
    person = f"{case['person_name'] or ''} ({case['person_id'] or ''})".strip()
    rows: list[tuple[str, object]] = [
        (t("cases.summary.case", lang), int(case["case_id"])),
        (t("cases.summary.person", lang), person),
        (t("cases.summary.window_from", lang), format_local_short(case["window_from"], tz)),
        (t("cases.summary.window_to", lang), format_local_short(case["window_to"], tz)),
        (t("cases.summary.tracer", lang), case["tracer"] or ""),
        (t("cases.summary.status", lang), t(f"cases.case_status.{case['status']}", lang)),
        (t("cases.summary.snapshot", lang), format_local_short(case["snapshot_at"], tz)),
    ]
    for grade, total, reached, unreachable in (
        ("K1", progress.k1, progress.k1_reached, progress.k1_unreachable),
        ("K2", progress.k2, progress.k2_reached, progress.k2_unreachable),
    ):
        positive = int(((contacts["grade"] == grade) & (contacts["test_result"] == "positif")).sum())
        rows += [
            (t("cases.summary.contacts", lang, grade=grade), total),
            (t("cases.summary.reached", lang, grade=grade), reached),
            (t("cases.summary.unreachable", lang, grade=grade), unreachable),
            (t("cases.summary.positive", lang, grade=grade), positive),
        ]
    return pd.DataFrame(rows, columns=[t("cases.summary.item", lang), t("cases.summary.value", lang)])


def case_xlsx_bytes(con: duckdb.DuckDBPyConnection, case_id: int, lang: str | None = None,
                    tz: str = db.DEFAULT_TIMEZONE) -> tuple[bytes, int]:
    """The XLSX file and the number of contacts in it (not audited: the caller records the export)."""
    contacts = cases.case_contacts(con, case_id)
    sheets = {t("cases.sheet.summary", lang): summary_frame(con, case_id, lang, tz)}
    sheets.update({grade: grade_frame(contacts, grade, lang, tz) for grade in cases.GRADES})
    return xlsx_sheets(sheets), len(contacts)
