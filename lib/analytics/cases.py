"""Tracing cases (RULES "Tracing cases"): from a positive case to every contact reached.

A case keeps the index person, the window of the health ministry's rule, the tracer, notes
and open/closed; its graded contact list (:func:`lib.analytics.tracing.trace_contacts`
over the window) is stored as a snapshot of when it was made, and each contact carries
its follow-up (status, test result, note, who changed it and when). Every change is also
kept in ``case_updates`` and written to the audit log. Cases never change visits.

All instants are UTC; dates (onset, swab, isolation) are local dates of the default zone
(WITA). Reads return DataFrames; writes go through :func:`lib.store.db.transaction`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from lib.analytics import tracing
from lib.core.text import clean_text
from lib.store import db

STATUSES = ("belum", "dihubungi", "tidak_terjangkau", "karantina", "selesai")
REACHED = ("dihubungi", "karantina", "selesai")  # a tracer spoke with the person
UNREACHABLE = "tidak_terjangkau"
TEST_RESULTS = ("negatif", "positif")
GRADES = ("K1", "K2")
FOLLOW_UP_COLUMNS = ["status", "test_result", "note", "status_at", "status_by", "whatsapp"]
CASE_CONTACT_COLUMNS = [*tracing.CONTACT_COLUMNS, *FOLLOW_UP_COLUMNS]
CASE_COLUMNS = [
    "case_id", "person_id", "name", "onset_date", "swab_date", "isolation_date", "window_from", "window_to",
    "min_overlap", "tail", "tracer", "notes", "status", "parent_case_id", "opened_by", "opened_at",
    "snapshot_at", "closed_at", "depth", "k1", "k1_reached", "k1_unreachable", "k2", "k2_reached",
    "k2_unreachable", "contacts", "reached", "done_share",
]
LEADERSHIP_COLUMNS = ["week", "cases", "contacts", "contacts_per_case", "k1", "k1_reached_24h", "k1_reached_72h"]
MESSAGE_SETTING = "case_message:{grade}"
# {nama}: the contact's name; {tanggal}: the local date of the last contact (dd/mm/yyyy).
DEFAULT_MESSAGES = {
    "K1": (
        "Halo {nama}, kami dari tim pelacakan kontak Pemerintah Kota Bitung. Anda tercatat berada di "
        "ruangan yang sama dengan seorang kasus positif COVID-19 pada {tanggal}. Mohon karantina mandiri "
        "di rumah dan periksakan diri (tes antigen/PCR) di Puskesmas terdekat. Balas pesan ini bila Anda "
        "memiliki gejala. Terima kasih."
    ),
    "K2": (
        "Halo {nama}, kami dari tim pelacakan kontak Pemerintah Kota Bitung. Anda tercatat berada di "
        "gedung yang sama dengan seorang kasus positif COVID-19 pada {tanggal}. Mohon pantau kesehatan "
        "Anda sendiri selama 14 hari (demam, batuk, pilek, sesak napas, hilang penciuman) dan segera "
        "periksakan diri ke Puskesmas bila muncul gejala. Terima kasih."
    ),
}
ACTIONS = ("case_open", "case_view", "case_refresh", "case_contact_set", "case_edit", "case_export", "case_close")


class CaseError(ValueError):
    """Bad input for a case: a text key ``cases.error.<code>`` and its values; nothing was written."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(f"{code}: {values}" if values else code)
        self.code, self.values = code, values


# --- the window ----------------------------------------------------------------------------


def _local_midnight(day: date, tz: str) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def local_today(now: datetime | None = None, tz: str = db.DEFAULT_TIMEZONE) -> date:
    """Today's date on the local clock (WITA by default)."""
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(tz)).date()


def case_window(
    onset: date | None = None,
    swab: date | None = None,
    isolation: date | None = None,
    today: date | None = None,
    tz: str = db.DEFAULT_TIMEZONE,
) -> tuple[datetime, datetime]:
    """The window of a case as UTC instants ``[window_from, window_to)`` (RULES "Tracing cases").

    From local midnight two days before the symptom onset (or the swab date when there are no
    symptoms) up to local midnight after the fourteenth day after it, so that day is
    included; an isolation date ends it earlier, at the local midnight that starts the
    isolation date (the isolation day is not in the window). Raises :class:`CaseError`:
    ``need_onset`` (neither or both of onset and swab), ``future_date`` (a date after
    ``today``), ``isolation_before_window`` (isolation on or before the window's first day).
    """
    if (onset is None) == (swab is None):
        raise CaseError("need_onset")
    day = onset if onset is not None else swab
    assert day is not None
    today = today or local_today(tz=tz)
    for given in (day, isolation):
        if given is not None and given > today:
            raise CaseError("future_date", date=given.isoformat(), today=today.isoformat())
    first = day - timedelta(days=tracing.DAYS_BEFORE_ONSET)
    after_last = day + timedelta(days=tracing.DAYS_AFTER_ONSET + 1)
    if isolation is not None:
        if isolation <= first:
            raise CaseError("isolation_before_window", date=isolation.isoformat(), first=first.isoformat())
        after_last = min(after_last, isolation)
    return _local_midnight(first, tz), _local_midnight(after_last, tz)


# --- phones and WhatsApp ---------------------------------------------------------------------

_PHONE_NOISE = re.compile(r"[\s\-.()/]")


def normalize_phone(phone: object) -> str | None:
    """An Indonesian mobile number as WhatsApp wants it: '62812…', else None.

    ``0812…``, ``+62 812-…``, ``62812…`` and ``812…`` all become ``62812…`` (spaces,
    dashes, dots, slashes and brackets ignored). What is left must be a mobile number: 8
    followed by 8 to 11 more digits after the country code. Anything else (a landline, a
    foreign number, letters, empty) is None: no link, and the page marks it.
    """
    if not isinstance(phone, str):
        return None
    digits = _PHONE_NOISE.sub("", phone.strip())
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("62"):
            return None
    if not digits.isdigit():
        return None
    if digits.startswith("62"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = digits
    if not re.fullmatch(r"8\d{8,11}", national):
        return None
    return "62" + national


def message_template(con: duckdb.DuckDBPyConnection, grade: str) -> str:
    """The WhatsApp message of a grade (Settings), or the default in Indonesian."""
    stored = db.get_setting(con, MESSAGE_SETTING.format(grade=grade))
    return stored if stored else DEFAULT_MESSAGES.get(grade, DEFAULT_MESSAGES["K2"])


def set_message_template(con: duckdb.DuckDBPyConnection, grade: str, text: str, actor: str) -> bool:
    """Change a grade's WhatsApp message (audited as a setting change). An empty text goes
    back to the default. Returns whether it changed."""
    if grade not in GRADES:
        raise CaseError("bad_grade", grade=grade)
    key = MESSAGE_SETTING.format(grade=grade)
    value = (text or "").strip()
    if value == DEFAULT_MESSAGES[grade]:
        value = ""  # the default is not stored: a better default later reaches everyone
    with db.transaction(con):
        old = db.get_setting(con, key)
        if (old or "") == value:
            return False
        db.set_setting(con, key, value)
        db.write_audit(con, actor, "setting_change", key, json.dumps({"old": old, "new": value}), 1)
    return True


def whatsapp_link(phone: object, message: str) -> str:
    """``https://wa.me/62…?text=…`` for a usable phone, else ''."""
    number = normalize_phone(phone)
    if number is None:
        return ""
    return f"https://wa.me/{number}?text={quote(message, safe='')}"


def fill_message(template: str, name: object, last_contact: object, tz: str = db.DEFAULT_TIMEZONE) -> str:
    """A template with {nama} and {tanggal} filled (plain replacement: other braces stay)."""
    when = ""
    if last_contact is not None and not pd.isna(last_contact):
        when = f"{pd.Timestamp(last_contact).tz_convert(tz):%d/%m/%Y}"
    person = name if isinstance(name, str) and name.strip() else ""
    return template.replace("{nama}", person).replace("{tanggal}", when)


# --- reads -----------------------------------------------------------------------------------


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | dict[str, Any] | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def get_case(con: duckdb.DuckDBPyConnection, case_id: int) -> dict[str, Any]:
    """One case as a dict (the ``cases`` columns); :class:`CaseError` ``unknown_case`` if none."""
    frame = con.execute("SELECT * FROM cases WHERE case_id = ?", [_case_number(case_id)]).df()
    if frame.empty:
        raise CaseError("unknown_case", case=case_id)
    record = frame.iloc[0].to_dict()
    for column in ("window_from", "window_to", "opened_at", "snapshot_at", "closed_at", "purged_at"):
        value = record.get(column)
        record[column] = None if value is None or pd.isna(value) else pd.Timestamp(value).tz_convert("UTC")
    return record


def _case_number(case_id: object) -> int:
    try:
        return int(str(case_id).strip())
    except ValueError:
        raise CaseError("unknown_case", case=case_id) from None


def list_cases(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every case with its progress, as a tree: each case after its parent (``depth`` 0 for
    a first case, 1 for a case opened for one of its contacts, ...), roots newest first.

    Progress counts contacts still in the list: ``k1``/``k2`` contacts, ``*_reached``
    (status dihubungi, karantina or selesai), ``*_unreachable`` (tidak_terjangkau);
    ``done_share`` = reached / contacts (None without contacts). ``name`` is the index
    person's name when the case was opened.
    """
    frame = con.execute(
        """
        SELECT c.case_id, c.person_id, c.person_name AS name, c.onset_date, c.swab_date, c.isolation_date,
               c.window_from, c.window_to, c.min_overlap, c.tail, c.tracer, c.notes, c.status, c.parent_case_id,
               c.opened_by, c.opened_at, c.snapshot_at, c.closed_at,
               count(k.case_id) FILTER (WHERE k.grade = 'K1') AS k1,
               count(k.case_id) FILTER (WHERE k.grade = 'K1' AND k.status IN ('dihubungi', 'karantina', 'selesai'))
                   AS k1_reached,
               count(k.case_id) FILTER (WHERE k.grade = 'K1' AND k.status = 'tidak_terjangkau') AS k1_unreachable,
               count(k.case_id) FILTER (WHERE k.grade = 'K2') AS k2,
               count(k.case_id) FILTER (WHERE k.grade = 'K2' AND k.status IN ('dihubungi', 'karantina', 'selesai'))
                   AS k2_reached,
               count(k.case_id) FILTER (WHERE k.grade = 'K2' AND k.status = 'tidak_terjangkau') AS k2_unreachable
        FROM cases c LEFT JOIN case_contacts k ON k.case_id = c.case_id AND k.in_list
        GROUP BY ALL
        """
    ).df()
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in CASE_COLUMNS})
    for column in ("k1", "k1_reached", "k1_unreachable", "k2", "k2_reached", "k2_unreachable"):
        frame[column] = frame[column].astype(int)
    frame["contacts"] = frame["k1"] + frame["k2"]
    frame["reached"] = frame["k1_reached"] + frame["k2_reached"]
    frame["done_share"] = [r / c if c else None for r, c in zip(frame["reached"], frame["contacts"], strict=True)]
    # The tree: depth-first from the roots (newest first), children in the order they were opened.
    children: dict[int | None, list[int]] = {}
    known = set(frame["case_id"].astype(int))
    for case_id, parent in sorted(zip(frame["case_id"].astype(int), frame["parent_case_id"], strict=True)):
        parent_id = int(parent) if parent is not None and not pd.isna(parent) and int(parent) in known else None
        children.setdefault(parent_id, []).append(case_id)
    order: list[tuple[int, int]] = []

    def walk(case_id: int, depth: int) -> None:
        order.append((case_id, depth))
        for child in children.get(case_id, []):
            walk(child, depth + 1)

    for root in sorted(children.get(None, []), reverse=True):
        walk(root, 0)
    position = {case_id: (index, depth) for index, (case_id, depth) in enumerate(order)}
    frame["depth"] = frame["case_id"].map(lambda c: position[int(c)][1])
    frame["_order"] = frame["case_id"].map(lambda c: position[int(c)][0])
    frame = frame.sort_values("_order").drop(columns="_order")
    return frame[CASE_COLUMNS].reset_index(drop=True)


def progress_by_tracer(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Open cases per assigned tracer: ``tracer, cases, contacts, reached, unreachable, done_share``."""
    cases = list_cases(con)
    cases = cases[cases["status"] == "open"]
    if cases.empty:
        return pd.DataFrame(columns=["tracer", "cases", "contacts", "reached", "unreachable", "done_share"])
    cases = cases.assign(
        tracer=cases["tracer"].fillna(""), unreachable=cases["k1_unreachable"] + cases["k2_unreachable"]
    )
    grouped = cases.groupby("tracer", as_index=False).agg(
        cases=("case_id", "count"), contacts=("contacts", "sum"), reached=("reached", "sum"),
        unreachable=("unreachable", "sum"),
    )
    grouped["done_share"] = [r / c if c else None for r, c in zip(grouped["reached"], grouped["contacts"], strict=True)]
    return grouped.sort_values(["done_share", "tracer"], na_position="last").reset_index(drop=True)


@dataclass(frozen=True)
class Progress:
    """One case's follow-up in numbers (contacts still in the list)."""

    k1: int
    k1_reached: int
    k1_unreachable: int
    k2: int
    k2_reached: int
    k2_unreachable: int
    hours_to_first_contact: list[float]  # per reached contact: case opening -> first reached, hours


def case_progress(con: duckdb.DuckDBPyConnection, case_id: int) -> Progress:
    """"18 of 26 K1 reached, 3 unreachable" and the time from opening to each first contact."""
    number = _case_number(case_id)
    listed = list_cases(con)
    row = listed[listed["case_id"] == number]
    if row.empty:
        raise CaseError("unknown_case", case=case_id)
    record = row.iloc[0]
    hours = [
        float(value)
        for (value,) in _rows(
            con,
            """SELECT epoch(k.first_reached_at - c.opened_at) / 3600.0 FROM case_contacts k JOIN cases c USING (case_id)
               WHERE k.case_id = ? AND k.in_list AND k.first_reached_at IS NOT NULL ORDER BY 1""",
            [number],
        )
    ]
    return Progress(
        int(record["k1"]), int(record["k1_reached"]), int(record["k1_unreachable"]),
        int(record["k2"]), int(record["k2_reached"]), int(record["k2_unreachable"]), hours,
    )


def case_contacts(
    con: duckdb.DuckDBPyConnection, case_id: int, include_dropped: bool = False, tz: str = db.DEFAULT_TIMEZONE
) -> pd.DataFrame:
    """The case's contact list: ``CASE_CONTACT_COLUMNS`` (the graded columns of
    :func:`lib.analytics.tracing.trace_contacts` as of the snapshot, then ``status``,
    ``test_result`` (None, 'negatif' or 'positif'), ``note``, ``status_at`` (UTC),
    ``status_by`` and ``whatsapp`` (the wa.me link with the grade's message, '' when the
    phone is not a usable mobile number)), in the snapshot's order. With
    ``include_dropped`` also the contacts a refresh no longer found (column ``in_list``).
    Not audited: see :func:`view_case`.
    """
    number = _case_number(case_id)
    get_case(con, number)
    where = "" if include_dropped else "AND in_list"
    frame = con.execute(
        f"""SELECT * FROM case_contacts WHERE case_id = ? {where}
            ORDER BY NOT in_list, grade, area_minutes DESC, overlap_minutes DESC, person_id""",
        [number],
    ).df()
    for column in ("first_contact", "last_contact", "status_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    for column in ("estimated", "area_assumed"):
        frame[column] = frame[column].astype(bool)
    templates = {grade: message_template(con, grade) for grade in GRADES}
    frame["whatsapp"] = [
        whatsapp_link(phone, fill_message(templates.get(grade, templates["K2"]), name, last, tz))
        for phone, grade, name, last in zip(frame["phone"], frame["grade"], frame["name"], frame["last_contact"],
                                            strict=True)
    ]
    columns = [*CASE_CONTACT_COLUMNS, "in_list"] if include_dropped else CASE_CONTACT_COLUMNS
    for column in ("test_result", "note", "status_by", "unit", "areas", "phone", "name", "buildings"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame[columns].reset_index(drop=True)


def hours_to_first_contact(con: duckdb.DuckDBPyConnection, case_id: int) -> dict[str, float]:
    """Per reached contact: hours from the case's opening to the first time it was reached."""
    rows = _rows(
        con,
        """SELECT k.person_id, epoch(k.first_reached_at - c.opened_at) / 3600.0 FROM case_contacts k
           JOIN cases c USING (case_id) WHERE k.case_id = ? AND k.first_reached_at IS NOT NULL""",
        [_case_number(case_id)],
    )
    return {str(person): float(hours) for person, hours in rows if person is not None}


def view_case(con: duckdb.DuckDBPyConnection, case_id: int, actor: str) -> pd.DataFrame:
    """:func:`case_contacts` for a user, audited ('case_view': who looked at whose contacts)."""
    frame = case_contacts(con, case_id)
    case = get_case(con, case_id)
    db.write_audit(con, actor, "case_view", str(case["case_id"]),
                   json.dumps({"person_id": case["person_id"]}), len(frame))
    return frame


def leadership_summary(con: duckdb.DuckDBPyConnection, tz: str = db.DEFAULT_TIMEZONE) -> pd.DataFrame:
    """Aggregates for leadership, no names, ids or phones (RULES "Personal data").

    One row per local ISO week (``week`` '2022-W02') in which cases were opened: ``cases``,
    ``contacts`` (in the lists), ``contacts_per_case``, ``k1`` and the share of those K1
    contacts first reached within 24 and 72 hours of the case's opening (None without K1).
    Counts survive the retention purge, which removes only personal data.
    """
    frame = con.execute(
        f"""
        WITH c AS (
            SELECT case_id, opened_at, strftime(opened_at AT TIME ZONE '{tz}', '%G-W%V') AS week FROM cases
        ),
        k AS (
            SELECT c.week, k.grade, epoch(k.first_reached_at - c.opened_at) / 3600.0 AS hours
            FROM case_contacts k JOIN c USING (case_id) WHERE k.in_list
        )
        SELECT c.week, count(DISTINCT c.case_id) AS cases,
               (SELECT count(*) FROM k WHERE k.week = c.week) AS contacts,
               (SELECT count(*) FROM k WHERE k.week = c.week AND k.grade = 'K1') AS k1,
               (SELECT count(*) FROM k WHERE k.week = c.week AND k.grade = 'K1' AND k.hours <= 24) AS k1_24,
               (SELECT count(*) FROM k WHERE k.week = c.week AND k.grade = 'K1' AND k.hours <= 72) AS k1_72
        FROM c GROUP BY c.week ORDER BY c.week
        """
    ).df()
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in LEADERSHIP_COLUMNS})
    frame["contacts_per_case"] = frame["contacts"] / frame["cases"]
    frame["k1_reached_24h"] = [a / k if k else None for a, k in zip(frame["k1_24"], frame["k1"], strict=True)]
    frame["k1_reached_72h"] = [a / k if k else None for a, k in zip(frame["k1_72"], frame["k1"], strict=True)]
    return frame[LEADERSHIP_COLUMNS].reset_index(drop=True)


# --- writes ----------------------------------------------------------------------------------


def _snapshot(
    con: duckdb.DuckDBPyConnection, person_id: str, start: datetime, end: datetime, min_overlap: float,
    tail: float, now: datetime | None,
) -> pd.DataFrame:
    try:
        return tracing.trace_contacts(con, person_id, start, end, min_overlap, tail, now=now, audit=False)
    except tracing.UnknownPersonError:
        raise CaseError("unknown_person", person=person_id) from None
    except ValueError as error:
        raise CaseError("bad_value", detail=str(error)) from None


def _insert_contacts(con: duckdb.DuckDBPyConnection, case_id: int, contacts: pd.DataFrame) -> None:
    if contacts.empty:
        return
    frame = contacts[tracing.CONTACT_COLUMNS].copy()
    frame.insert(0, "case_id", case_id)
    con.register("case_new_contacts", frame)
    try:
        columns = ", ".join(["case_id", *tracing.CONTACT_COLUMNS])
        con.execute(f"INSERT INTO case_contacts ({columns}) SELECT {columns} FROM case_new_contacts")
    finally:
        con.unregister("case_new_contacts")


def open_case(
    con: duckdb.DuckDBPyConnection,
    person_id: str,
    onset: date | None = None,
    swab: date | None = None,
    isolation: date | None = None,
    min_overlap: float = tracing.DEFAULT_MIN_OVERLAP_MINUTES,
    tail: float = tracing.DEFAULT_TAIL_MINUTES,
    tracer: str | None = None,
    notes: str | None = None,
    actor: str = "cli",
    parent_case_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Open a case and keep its graded contact list (RULES "Tracing cases"); returns its id.

    The window is :func:`case_window`'s; the contacts are exactly
    :func:`lib.analytics.tracing.trace_contacts` over it (``now`` ends visits still open,
    default the clock). The tracer defaults to ``actor``. ``parent_case_id`` links the
    case to the case it came from; when not given, a case opened for a person marked
    ``positif`` in another case is linked to the latest such case. Audited ('case_open').
    Bad input raises :class:`CaseError` and writes nothing.
    """
    person_id = str(person_id).strip()
    moment = now or datetime.now(UTC)
    start, end = case_window(onset, swab, isolation, today=local_today(moment))
    if parent_case_id is not None:
        get_case(con, parent_case_id)
    contacts = _snapshot(con, person_id, start, end, min_overlap, tail, now)
    names = _rows(con, "SELECT name FROM persons WHERE person_id = ?", [person_id])
    name = names[0][0] if names else None
    with db.transaction(con):
        if parent_case_id is None:
            linked = _rows(
                con,
                """SELECT max(case_id) FROM case_contacts WHERE person_id = ? AND test_result = 'positif'""",
                [person_id],
            )
            parent_case_id = linked[0][0] if linked and linked[0][0] is not None else None
        case_id = int(_rows(con, "SELECT coalesce(max(case_id), 0) + 1 FROM cases")[0][0])
        con.execute(
            """INSERT INTO cases (case_id, person_id, person_name, onset_date, swab_date, isolation_date, window_from,
                                  window_to, min_overlap, tail, tracer, notes, status, parent_case_id, parent_contact,
                                  opened_by, opened_at, snapshot_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)""",
            [case_id, person_id, name, onset, swab, isolation, start, end, float(min_overlap), float(tail),
             tracer or actor, notes, parent_case_id, person_id if parent_case_id is not None else None,
             actor, moment, moment],
        )
        _insert_contacts(con, case_id, contacts)
        params = {
            "person_id": person_id, "from": start.isoformat(), "to": end.isoformat(),
            "onset": onset.isoformat() if onset else None, "swab": swab.isoformat() if swab else None,
            "isolation": isolation.isoformat() if isolation else None, "min_overlap_minutes": float(min_overlap),
            "tail_minutes": float(tail), "tracer": tracer or actor, "parent_case_id": parent_case_id,
            "k1": int((contacts["grade"] == "K1").sum()), "k2": int((contacts["grade"] == "K2").sum()),
        }
        db.write_audit(con, actor, "case_open", str(case_id), json.dumps(params, sort_keys=True), len(contacts))
    return case_id


def _require_open(case: dict[str, Any]) -> None:
    if case["status"] != "open":
        raise CaseError("case_closed", case=case["case_id"])
    if case.get("purged_at") is not None:
        raise CaseError("case_purged", case=case["case_id"])


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh changed: ids added to the list, gone from it, and whose grade moved."""

    added: list[str]
    removed: list[str]
    regraded: list[tuple[str, str, str]]  # (person_id, old grade, new grade)


def refresh_case(con: duckdb.DuckDBPyConnection, case_id: int, actor: str, now: datetime | None = None) -> RefreshResult:
    """Re-run the trace over the case's window and keep the new snapshot (audited 'case_refresh').

    A contact found again keeps its follow-up and gets the new graded columns; a new one
    starts at ``belum``; one no longer found stays stored with its follow-up but leaves
    the list (``in_list`` false), so no tracer's work is lost.
    """
    case = get_case(con, case_id)
    _require_open(case)
    moment = now or datetime.now(UTC)
    fresh = _snapshot(con, case["person_id"], case["window_from"].to_pydatetime(), case["window_to"].to_pydatetime(),
                      case["min_overlap"], case["tail"], now)
    number = int(case["case_id"])
    with db.transaction(con):
        old = dict(_rows(con, "SELECT person_id, CASE WHEN in_list THEN grade END FROM case_contacts WHERE case_id = ?",
                         [number]))
        fresh_ids = [str(p) for p in fresh["person_id"]]
        added = [p for p in fresh_ids if old.get(p) is None]
        removed = sorted(p for p, grade in old.items() if grade is not None and p not in set(fresh_ids))
        regraded = [
            (p, str(old[p]), str(g)) for p, g in zip(fresh_ids, fresh["grade"], strict=True)
            if old.get(p) is not None and old[p] != g
        ]
        con.execute("UPDATE case_contacts SET in_list = false WHERE case_id = ?", [number])
        stored = set(old)
        frame = fresh[tracing.CONTACT_COLUMNS].copy()
        con.register("case_fresh", frame)
        try:
            assignments = ", ".join(f"{c} = f.{c}" for c in tracing.CONTACT_COLUMNS if c != "person_id")
            con.execute(
                f"""UPDATE case_contacts k SET {assignments}, in_list = true FROM case_fresh f
                    WHERE k.case_id = ? AND k.person_id = f.person_id""",
                [number],
            )
        finally:
            con.unregister("case_fresh")
        _insert_contacts(con, number, fresh[~fresh["person_id"].astype(str).isin(stored)])
        con.execute("UPDATE cases SET snapshot_at = ? WHERE case_id = ?", [moment, number])
        params = {"person_id": case["person_id"], "added": added, "removed": removed,
                  "regraded": [list(r) for r in regraded]}
        db.write_audit(con, actor, "case_refresh", str(number), json.dumps(params, sort_keys=True), len(fresh))
    return RefreshResult(added, removed, regraded)


def set_contact(
    con: duckdb.DuckDBPyConnection,
    case_id: int,
    person_id: str,
    status: str | None = None,
    test_result: str | None = None,
    note: str | None = None,
    actor: str = "cli",
    now: datetime | None = None,
) -> dict[str, Any]:
    """Change a contact's follow-up; returns the stored row (RULES "Tracing cases").

    Only the fields given change (None = unchanged; ``note=''`` clears the note;
    ``test_result=''`` clears the result). ``status_at``/``status_by`` record the change;
    the first move to a reached status (dihubungi, karantina, selesai) sets
    ``first_reached_at`` for good. Each change is one row of ``case_updates`` and one audit
    record ('case_contact_set', each field as ``{old, new}``). Two tracers changing the same
    contact at once take turns on the write lock: both are recorded, the later stands.
    Raises :class:`CaseError` (``bad_status``, ``bad_test``, ``unknown_case``,
    ``unknown_contact``, ``case_closed``, ``nothing_to_change``) and then writes nothing.
    """
    if status is not None and status not in STATUSES:
        raise CaseError("bad_status", status=status, allowed=", ".join(STATUSES))
    if test_result not in (None, "") and test_result not in TEST_RESULTS:
        raise CaseError("bad_test", test=test_result, allowed=", ".join(TEST_RESULTS))
    if status is None and test_result is None and note is None:
        raise CaseError("nothing_to_change")
    case = get_case(con, case_id)
    _require_open(case)
    number, person_id = int(case["case_id"]), str(person_id).strip()
    with db.transaction(con):
        moment = now or datetime.now(UTC)
        before = _rows(
            con, "SELECT status, test_result, note FROM case_contacts WHERE case_id = ? AND person_id = ?",
            [number, person_id],
        )
        if not before:
            raise CaseError("unknown_contact", case=number, person=person_id)
        old_status, old_test, old_note = before[0]
        new_status = status if status is not None else old_status
        new_test = (test_result or None) if test_result is not None else old_test
        new_note = (clean_text(note, -1) or None) if note is not None else old_note
        con.execute(
            """UPDATE case_contacts SET status = ?, test_result = ?, note = ?, status_at = ?, status_by = ?,
                      first_reached_at = CASE WHEN first_reached_at IS NULL AND ? THEN ? ELSE first_reached_at END
               WHERE case_id = ? AND person_id = ?""",
            [new_status, new_test, new_note, moment, actor, new_status in REACHED, moment, number, person_id],
        )
        con.execute(
            "INSERT INTO case_updates VALUES (?, ?, ?, ?, ?, ?, ?)",
            [number, person_id, moment, actor, status, test_result, note],
        )
        params = {
            "case_id": number,
            "status": {"old": old_status, "new": new_status},
            "test_result": {"old": old_test, "new": new_test},
            "note": {"old": old_note, "new": new_note},
        }
        db.write_audit(con, actor, "case_contact_set", person_id, json.dumps(params, sort_keys=True), 1)
    row = case_contacts(con, number)
    return row[row["person_id"].astype(str) == person_id].iloc[0].to_dict()


def close_case(con: duckdb.DuckDBPyConnection, case_id: int, actor: str, now: datetime | None = None) -> None:
    """Close a case (audited 'case_close'); its list and follow-up stay readable."""
    case = get_case(con, case_id)
    _require_open(case)
    with db.transaction(con):
        con.execute("UPDATE cases SET status = 'closed', closed_at = ? WHERE case_id = ?",
                    [now or datetime.now(UTC), int(case["case_id"])])
        db.write_audit(con, actor, "case_close", str(case["case_id"]), json.dumps({"person_id": case["person_id"]}), 1)


def set_case_details(
    con: duckdb.DuckDBPyConnection, case_id: int, actor: str, tracer: str | None = None, notes: str | None = None
) -> None:
    """Change the assigned tracer or the case's notes (audited 'case_edit')."""
    case = get_case(con, case_id)
    _require_open(case)
    with db.transaction(con):
        con.execute(
            "UPDATE cases SET tracer = coalesce(?, tracer), notes = coalesce(?, notes) WHERE case_id = ?",
            [tracer, notes, int(case["case_id"])],
        )
        params = {"case_id": int(case["case_id"]), "tracer": tracer, "notes": notes}
        db.write_audit(con, actor, "case_contact_set", case["person_id"], json.dumps(params, sort_keys=True), 1)


def record_export(con: duckdb.DuckDBPyConnection, case_id: int, actor: str, file_format: str, rows: int) -> None:
    """Who exported which case's contacts (audited 'case_export')."""
    case = get_case(con, case_id)
    db.write_audit(con, actor, "case_export", str(case["case_id"]),
                   json.dumps({"person_id": case["person_id"], "format": file_format}), rows)
