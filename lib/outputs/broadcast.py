"""The broadcast file of a case's grade (RULES "Tracing cases"): one CSV for a WhatsApp
Business broadcast list or an SMS gateway, and the list of those it cannot reach.

Formula-safe as every file made for people (RULES "Personal data", ``lib.outputs.export``):
a name such as ``=SUM(1)`` reaches the gateway as ``'=SUM(1)``. Making the file is
audited ('case_export', format ``broadcast_csv``) with its grade and row count; marking
its contacts ``dihubungi`` is a separate step the tracer confirms
(:func:`lib.analytics.cases.mark_broadcast_sent`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb
import pandas as pd

from lib.analytics import cases
from lib.outputs import export
from lib.store import db

FORMAT = "broadcast_csv"


@dataclass(frozen=True)
class Broadcast:
    """A grade's file: ``data`` (CSV bytes, ``cases.BROADCAST_COLUMNS``), who is in it, who is not."""

    case_id: int
    grade: str
    data: bytes
    sendable: pd.DataFrame  # cases.BROADCAST_COLUMNS
    no_phone: pd.DataFrame  # cases.NO_PHONE_COLUMNS

    @property
    def person_ids(self) -> list[str]:
        return [str(p) for p in self.sendable["person_id"]]


def build_broadcast(
    con: duckdb.DuckDBPyConnection, case_id: int, grade: str, tz: str = db.DEFAULT_TIMEZONE,
    allow_empty: bool = False,
) -> Broadcast:
    """The file of ``grade`` (not audited: :func:`record_broadcast` when it leaves Pantau).

    Raises :class:`lib.analytics.cases.CaseError` ``bad_grade``, ``unknown_case``, or
    ``no_phones`` when none of the grade's contacts has a usable phone (then there is no
    file; with ``allow_empty`` a page gets the empty file and its list of those without).
    """
    sendable, no_phone = cases.broadcast_list(con, case_id, grade, tz)
    if sendable.empty and not allow_empty:
        raise cases.CaseError("no_phones", case=int(case_id), grade=grade, without=len(no_phone))
    return Broadcast(int(case_id), grade, gateway_csv_bytes(sendable), sendable, no_phone)


def gateway_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Formula-safe like every export, but UTF-8 without the byte-order mark
    ``export.csv_bytes`` adds for Excel: a broadcast list or an SMS gateway reads the header
    row by name, and a mark would make the first column ``\ufeffperson_id``."""
    return export.formula_safe(frame).to_csv(index=False).encode("utf-8")


def no_phone_csv(broadcast: Broadcast) -> bytes:
    """Those the file cannot reach (id, name, phone as stored), formula-safe, to call or visit."""
    return export.csv_bytes(broadcast.no_phone)


def record_broadcast(con: duckdb.DuckDBPyConnection, broadcast: Broadcast, actor: str) -> None:
    """Who took which case's broadcast file out of Pantau (audited 'case_export')."""
    case = cases.get_case(con, broadcast.case_id)
    params = {"person_id": case["person_id"], "format": FORMAT, "grade": broadcast.grade,
              "without_phone": len(broadcast.no_phone)}
    db.write_audit(con, actor, "case_export", str(broadcast.case_id), json.dumps(params, sort_keys=True),
                   len(broadcast.sendable))
