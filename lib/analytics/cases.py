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
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from lib.analytics import tracing
from lib.core.errors import PantauError
from lib.core.phone import international_phone
from lib.core.text import clean_text, url_quote
from lib.core.timeutil import local_midnight
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
LEADERSHIP_COLUMNS = [
    "week", "cases", "contacts", "contacts_per_case", "k1", "k1_reached_24h", "k1_reached_72h",
    "k2", "k2_reached_24h", "k2_reached_72h",
]
BROADCAST_COLUMNS = ["person_id", "name", "phone", "message"]
NO_PHONE_COLUMNS = ["person_id", "name", "phone"]
QUEUE_COLUMNS = [
    "case_id", "person_id", "name", "grade", "phone", "status", "test_result", "reason", "urgent",
    "hours_open", "last_contact", "exit_test_day", "area_minutes", "overlap_minutes", "unit",
]
# RULES "Tracing cases" (quarantine and test days, KMK HK.01.07/MENKES/4641/2021): a K1 contact
# quarantines 14 days counted from the last contact (day 0), takes an entry test when found
# and an exit test on the 13th day.
QUARANTINE_DAYS = 14
EXIT_TEST_DAY = 13
NOT_REACHED_HOURS = 24  # a contact still not reached this long after the case opened goes to the top
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


class CaseError(PantauError, ValueError):
    """Bad input for a case: a text key ``cases.error.<code>`` and its values; nothing was written."""

    TEXT_PREFIX = "cases.error."


# --- the window ----------------------------------------------------------------------------


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
    return local_midnight(first, tz), local_midnight(after_last, tz)


# --- phones and WhatsApp ---------------------------------------------------------------------

def normalize_phone(phone: object) -> str | None:
    """An Indonesian mobile number as WhatsApp wants it: '62812…', else None.

    The phone's one international form (``lib.core.phone.international_phone``: ``0812…``,
    ``+62 812-…``, ``62812…`` and ``812…`` all become ``62812…``), kept only when it is a
    mobile: 8 followed by 8 to 11 more digits after the country code. Anything else (a
    landline, a foreign number, letters, empty) is None: no link, and the page marks it.
    """
    if not isinstance(phone, str):
        return None
    number = international_phone(phone)
    return number if number is not None and _MOBILE.fullmatch(number) else None


_MOBILE = re.compile(r"628\d{8,11}")


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
    return db.set_setting_audited(con, key, value or None, actor)


def whatsapp_link(phone: object, message: str) -> str:
    """``https://wa.me/62…?text=…`` for a usable phone, else ''."""
    number = normalize_phone(phone)
    return "" if number is None else _wa_me(number, message)


def _wa_me(number: str, message: str) -> str:
    return f"https://wa.me/{number}?text={url_quote(message)}"


def fill_message(template: str, name: object, last_contact: object, tz: str = db.DEFAULT_TIMEZONE) -> str:
    """A template with {nama} and {tanggal} filled (plain replacement: other braces stay)."""
    when = ""
    if last_contact is not None and not pd.isna(last_contact):
        when = f"{pd.Timestamp(last_contact).tz_convert(tz):%d/%m/%Y}"
    person = name if isinstance(name, str) and name.strip() else ""
    return template.replace("{nama}", person).replace("{tanggal}", when)


def whatsapp_links(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, tz: str = db.DEFAULT_TIMEZONE
) -> list[str]:
    """:func:`whatsapp_link` with each row's grade message (``phone``, ``grade``, ``name``,
    ``last_contact``), for a whole list at once: the dates are formatted in one step and a
    message is only built for a usable phone (hundreds of K2 on every page run)."""
    templates = {grade: message_template(con, grade) for grade in GRADES}
    days = pd.to_datetime(frame["last_contact"], utc=True).dt.tz_convert(tz).dt.strftime("%d/%m/%Y").fillna("")
    links = []
    for phone, grade, name, day in zip(frame["phone"], frame["grade"], frame["name"], days, strict=True):
        number = normalize_phone(phone)
        if number is None:
            links.append("")
            continue
        person = name if isinstance(name, str) and name.strip() else ""
        message = templates.get(grade, templates["K2"]).replace("{nama}", person).replace("{tanggal}", day)
        links.append(_wa_me(number, message))
    return links


# --- reads -----------------------------------------------------------------------------------


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | dict[str, Any] | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def get_case(con: duckdb.DuckDBPyConnection, case_id: int) -> dict[str, Any]:
    """One case as a dict (the ``cases`` columns); :class:`CaseError` ``unknown_case`` if none."""
    # One row: fetched as a tuple, not a DataFrame (a page asks for its case several times a run).
    result = con.execute("SELECT * FROM cases WHERE case_id = ?", [_case_number(case_id)])
    rows = result.fetchall()
    if not rows:
        raise CaseError("unknown_case", case=case_id)
    record = dict(zip([d[0] for d in result.description], rows[0], strict=True))
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


def progress_by_tracer(con: duckdb.DuckDBPyConnection, listed: pd.DataFrame | None = None) -> pd.DataFrame:
    """Open cases per assigned tracer: ``tracer, cases, contacts, reached, unreachable, done_share``
    (``listed``: :func:`list_cases` when the caller has it already)."""
    cases = list_cases(con) if listed is None else listed
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
    # The one case's counts (the same rule as list_cases, without building the whole tree).
    counts = _rows(
        con,
        """SELECT count(*) FILTER (WHERE k.grade = 'K1'),
                  count(*) FILTER (WHERE k.grade = 'K1' AND k.status IN ('dihubungi', 'karantina', 'selesai')),
                  count(*) FILTER (WHERE k.grade = 'K1' AND k.status = 'tidak_terjangkau'),
                  count(*) FILTER (WHERE k.grade = 'K2'),
                  count(*) FILTER (WHERE k.grade = 'K2' AND k.status IN ('dihubungi', 'karantina', 'selesai')),
                  count(*) FILTER (WHERE k.grade = 'K2' AND k.status = 'tidak_terjangkau')
           FROM cases c LEFT JOIN case_contacts k ON k.case_id = c.case_id AND k.in_list
           WHERE c.case_id = ? GROUP BY c.case_id""",
        [number],
    )
    if not counts:
        raise CaseError("unknown_case", case=case_id)
    record = dict(zip(["k1", "k1_reached", "k1_unreachable", "k2", "k2_reached", "k2_unreachable"], counts[0],
                      strict=True))
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
    if not _rows(con, "SELECT 1 FROM cases WHERE case_id = ?", [number]):
        raise CaseError("unknown_case", case=case_id)
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
    frame["whatsapp"] = whatsapp_links(con, frame, tz)
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
    contacts first reached within 24 and 72 hours of the case's opening (None without K1),
    then the same for K2 (``k2``, ``k2_reached_24h``, ``k2_reached_72h``): K2 counts as
    reached by a message (a broadcast confirmed as sent) as by a call, as K1 does.
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
        ),
        counts AS (
            SELECT week, count(*) AS contacts,
                   count(*) FILTER (WHERE grade = 'K1') AS k1,
                   count(*) FILTER (WHERE grade = 'K1' AND hours <= 24) AS k1_24,
                   count(*) FILTER (WHERE grade = 'K1' AND hours <= 72) AS k1_72,
                   count(*) FILTER (WHERE grade = 'K2') AS k2,
                   count(*) FILTER (WHERE grade = 'K2' AND hours <= 24) AS k2_24,
                   count(*) FILTER (WHERE grade = 'K2' AND hours <= 72) AS k2_72
            FROM k GROUP BY week
        )
        SELECT c.week, count(DISTINCT c.case_id) AS cases, any_value(coalesce(n.contacts, 0)) AS contacts,
               any_value(coalesce(n.k1, 0)) AS k1, any_value(coalesce(n.k1_24, 0)) AS k1_24,
               any_value(coalesce(n.k1_72, 0)) AS k1_72, any_value(coalesce(n.k2, 0)) AS k2,
               any_value(coalesce(n.k2_24, 0)) AS k2_24, any_value(coalesce(n.k2_72, 0)) AS k2_72
        FROM c LEFT JOIN counts n USING (week) GROUP BY c.week ORDER BY c.week
        """
    ).df()
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in LEADERSHIP_COLUMNS})
    frame["contacts_per_case"] = frame["contacts"] / frame["cases"]
    for grade in ("k1", "k2"):
        for hours in (24, 72):
            frame[f"{grade}_reached_{hours}h"] = [
                a / k if k else None for a, k in zip(frame[f"{grade}_{hours}"], frame[grade], strict=True)
            ]
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
    _check_change(status, test_result, note)
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


def _check_change(status: str | None, test_result: str | None, note: str | None) -> None:
    """A follow-up change one contact or a group gets: a known status and test result, and
    something to change; else ``CaseError`` before anything is read or written."""
    if status is not None and status not in STATUSES:
        raise CaseError("bad_status", status=status, allowed=", ".join(STATUSES))
    if test_result not in (None, "") and test_result not in TEST_RESULTS:
        raise CaseError("bad_test", test=test_result, allowed=", ".join(TEST_RESULTS))
    if status is None and test_result is None and note is None:
        raise CaseError("nothing_to_change")


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


# --- many contacts at once: selections, group actions, broadcasts (issue 23) --------------------


@dataclass(frozen=True)
class Selection:
    """Which contacts of a case a group action or a view takes (None: any).

    ``unit`` '' takes the contacts without a unit; ``area`` takes the contacts who shared
    that room with the index person (one of their ``areas``); ``day`` is the local date of
    the last contact (the date their message names); ``status`` their follow-up status.
    """

    grade: str | None = None
    unit: str | None = None
    area: str | None = None
    day: date | None = None
    status: str | None = None

    def check(self) -> None:
        """:class:`CaseError` ``bad_grade`` / ``bad_status`` for an unknown grade or status."""
        if self.grade is not None and self.grade not in GRADES:
            raise CaseError("bad_grade", grade=self.grade)
        if self.status is not None and self.status not in STATUSES:
            raise CaseError("bad_status", status=self.status, allowed=", ".join(STATUSES))

    def as_params(self) -> dict[str, str]:
        """The filters given, for the audit log."""
        values = {"grade": self.grade, "unit": self.unit, "area": self.area,
                  "day": self.day.isoformat() if self.day else None, "status": self.status}
        return {key: value for key, value in values.items() if value is not None}


def contact_days(frame: pd.DataFrame, tz: str = db.DEFAULT_TIMEZONE) -> pd.Series:
    """The local date of each contact's last contact with the index person (None if unknown)."""
    return _local_dates(frame["last_contact"], tz)


def _local_dates(instants: pd.Series, tz: str) -> pd.Series:
    """Each instant's local date, None where there is none; in one step, where a row at a
    time cost ~30 ms of a page run at 2 848 contacts (issue 27)."""
    local = pd.to_datetime(instants, utc=True).dt.tz_convert(tz)
    return local.dt.date.astype(object).where(local.notna(), None)


def select_contacts(frame: pd.DataFrame, selection: Selection, tz: str = db.DEFAULT_TIMEZONE) -> pd.DataFrame:
    """The rows of a contact list (:func:`case_contacts`' columns) that ``selection`` takes."""
    selection.check()
    keep = pd.Series(True, index=frame.index)
    if selection.grade is not None:
        keep &= frame["grade"] == selection.grade
    if selection.status is not None:
        keep &= frame["status"] == selection.status
    if selection.unit is not None:
        keep &= frame["unit"].fillna("").astype(str) == selection.unit
    if selection.area is not None:
        keep &= frame["areas"].fillna("").astype(str).map(lambda joined: selection.area in joined.split(";"))
    if selection.day is not None:
        keep &= contact_days(frame, tz) == selection.day
    return frame[keep]


@dataclass(frozen=True)
class GroupResult:
    """What a group action changed: the case, the ids (in list order) and their number."""

    case_id: int
    person_ids: list[str]

    @property
    def count(self) -> int:
        return len(self.person_ids)


def set_contacts(
    con: duckdb.DuckDBPyConnection,
    case_id: int,
    selection: Selection | None = None,
    person_ids: list[str] | None = None,
    status: str | None = None,
    test_result: str | None = None,
    note: str | None = None,
    actor: str = "cli",
    now: datetime | None = None,
    via: str | None = None,
    skip_statuses: tuple[str, ...] = (),
) -> GroupResult:
    """One follow-up change for many contacts of a case in one step (RULES "Tracing cases").

    The contacts are those of the list that ``selection`` takes, narrowed to ``person_ids``
    when given (a page's confirmed selection or a broadcast file's rows), without those
    whose status is in ``skip_statuses``. Fields as in
    :func:`set_contact` (None unchanged, '' clears a test result or note). Every contact
    gets its row in ``case_updates``; the audit log gets ONE record ('case_contact_set',
    subject the case id) with the filters, the new values, ``via`` (e.g. 'broadcast'),
    ``count`` and ``ids``. Two tracers acting on the same contacts take turns on the write
    lock: both records stay, the later change stands (``status_by`` shows whose).
    Raises :class:`CaseError` (``bad_status``, ``bad_test``, ``bad_grade``,
    ``nothing_to_change``, ``unknown_case``, ``case_closed``, ``unknown_contact``,
    ``empty_selection``) and then writes nothing.
    """
    selection = selection or Selection()
    _check_change(status, test_result, note)
    selection.check()
    case = get_case(con, case_id)
    _require_open(case)
    number = int(case["case_id"])
    with db.transaction(con):
        # Read inside the write lock: the selection is what the list holds at this moment.
        current = con.execute(
            """SELECT person_id, grade, unit, areas, last_contact, status FROM case_contacts
               WHERE case_id = ? AND in_list ORDER BY grade, area_minutes DESC, overlap_minutes DESC, person_id""",
            [number],
        ).df()
        chosen = select_contacts(current, selection)
        if person_ids is not None:
            wanted = [str(p).strip() for p in person_ids]
            missing = sorted(set(wanted) - set(current["person_id"].astype(str)))
            if missing:
                raise CaseError("unknown_contact", case=number, person=", ".join(missing[:5]))
            chosen = chosen[chosen["person_id"].astype(str).isin(set(wanted))]
        chosen = chosen[~chosen["status"].isin(skip_statuses)]
        ids = [str(p) for p in chosen["person_id"]]
        if not ids:
            raise CaseError("empty_selection", case=number)
        moment = now or datetime.now(UTC)
        assignments, values = ["status_at = ?", "status_by = ?"], [moment, actor]
        if status is not None:
            assignments += ["status = ?", "first_reached_at = CASE WHEN first_reached_at IS NULL AND ? THEN ? "
                                          "ELSE first_reached_at END"]
            values += [status, status in REACHED, moment]
        if test_result is not None:
            assignments.append("test_result = ?")
            values.append(test_result or None)
        clean_note = None
        if note is not None:
            clean_note = clean_text(note, -1) or None
            assignments.append("note = ?")
            values.append(clean_note)
        chosen_ids = pd.DataFrame({"person_id": ids})
        con.register("case_group_ids", chosen_ids)
        try:
            con.execute(
                f"""UPDATE case_contacts SET {", ".join(assignments)}
                    WHERE case_id = ? AND person_id IN (SELECT person_id FROM case_group_ids)""",
                [*values, number],
            )
            con.execute(
                "INSERT INTO case_updates SELECT ?, person_id, ?, ?, ?, ?, ? FROM case_group_ids",
                [number, moment, actor, status, test_result, note],
            )
        finally:
            con.unregister("case_group_ids")
        params = {
            "case_id": number, "group": selection.as_params(), "via": via, "status": status,
            "test_result": test_result, "note": clean_note if note is not None else None,
            "count": len(ids), "ids": ids,
        }
        db.write_audit(con, actor, "case_contact_set", str(number),
                       json.dumps({k: v for k, v in params.items() if v is not None}, sort_keys=True), len(ids))
    return GroupResult(number, ids)


def broadcast_list(
    con: duckdb.DuckDBPyConnection, case_id: int, grade: str, tz: str = db.DEFAULT_TIMEZONE
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A grade's contacts for a WhatsApp Business broadcast list or an SMS gateway.

    Returns ``(sendable, no_phone)``: ``BROADCAST_COLUMNS`` for every contact of the grade
    in the list with a usable mobile number (``phone`` as ``62…``, :func:`normalize_phone`;
    ``message`` the grade's template with the name and the local date of the last contact),
    in the list's order; and ``NO_PHONE_COLUMNS`` (the phone as stored) for the others.
    Raises :class:`CaseError` ``bad_grade`` or ``unknown_case``. Not audited: the file
    that is made of it is (``lib.outputs.broadcast``).
    """
    if grade not in GRADES:
        raise CaseError("bad_grade", grade=grade)
    contacts = case_contacts(con, case_id, tz=tz)
    contacts = contacts[contacts["grade"] == grade]
    template = message_template(con, grade)
    numbers = contacts["phone"].map(normalize_phone)
    usable = numbers.notna()
    sendable = pd.DataFrame({
        "person_id": contacts["person_id"][usable].astype(str),
        "name": contacts["name"][usable].map(lambda n: n if isinstance(n, str) else ""),
        "phone": numbers[usable],
        "message": [fill_message(template, n, last, tz)
                    for n, last in zip(contacts["name"][usable], contacts["last_contact"][usable], strict=True)],
    })
    no_phone = contacts.loc[~usable, NO_PHONE_COLUMNS].copy()
    return sendable[BROADCAST_COLUMNS].reset_index(drop=True), no_phone.reset_index(drop=True)


def mark_broadcast_sent(
    con: duckdb.DuckDBPyConnection, case_id: int, person_ids: list[str], actor: str, now: datetime | None = None
) -> GroupResult:
    """The tracer confirmed the broadcast was sent: its contacts become ``dihubungi``.

    Contacts already further on (``karantina``, ``selesai``) keep their status; the rest
    of the file moves, as one audited group action ``via`` 'broadcast'. ``empty_selection``
    when nobody in the file is left to move.
    """
    return set_contacts(con, case_id, person_ids=person_ids, status="dihubungi", actor=actor, now=now,
                        via="broadcast", skip_statuses=("karantina", "selesai"))


# --- priority, the work queue, groups (issue 23) ----------------------------------------------------


def in_priority_order(frame: pd.DataFrame) -> pd.DataFrame:
    """A contact list in the order a tracer works it (RULES "Tracing cases"): K1 before K2;
    within a grade the not yet reached (``belum``, ``tidak_terjangkau``) before the reached;
    then the longest time in the same room, then in the same building; then the id."""
    if frame.empty:
        return frame
    keys = pd.DataFrame({
        "grade": frame["grade"].map(lambda g: GRADES.index(g) if g in GRADES else len(GRADES)),
        "reached": frame["status"].isin(REACHED),
        "room": -frame["area_minutes"].fillna(0.0),
        "building": -frame["overlap_minutes"].fillna(0.0),
        "id": frame["person_id"].fillna("").astype(str),
    }, index=frame.index)
    order = keys.sort_values(["grade", "reached", "room", "building", "id"], kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def exit_test_day(last_contact: object, tz: str = db.DEFAULT_TIMEZONE) -> date | None:
    """The local date of a K1 contact's exit test: the 13th day after the last contact (day 0)."""
    return _exit_test_days(pd.Series([last_contact]), tz).iloc[0]


def _exit_test_days(last_contacts: pd.Series, tz: str) -> pd.Series:
    """:func:`exit_test_day` of a whole column (a page run's thousands of contacts), None where
    the last contact is unknown."""
    return _local_dates(last_contacts, tz).map(lambda day: None if day is None else day + timedelta(days=EXIT_TEST_DAY))


def work_queue(
    con: duckdb.DuckDBPyConnection, tracer: str, now: datetime | None = None, tz: str = db.DEFAULT_TIMEZONE
) -> pd.DataFrame:
    """A tracer's "to call now" list across every open case assigned to them (RULES "Tracing cases").

    ``QUEUE_COLUMNS``, one row per contact still to act on: not yet reached (``belum``,
    ``tidak_terjangkau``), or a K1 contact whose test is due. ``reason``:
    ``test_exit`` (K1, its exit test day, :func:`exit_test_day`, has come and no result was
    recorded on or after it), ``test_entry`` (K1 with no test result yet: the entry test is
    due from the day they are found), ``not_reached`` (not reached ``NOT_REACHED_HOURS``
    after the case opened), else ''. ``urgent`` rows come first (K1 before K2, then
    test_exit, test_entry, not_reached, then the longest open); then the rest in
    :func:`in_priority_order`. A positive or ``selesai`` contact needs no test reminder.
    ``hours_open``: hours since the case opened. No WhatsApp links: :func:`whatsapp_links`
    makes them for the rows a page shows.
    """
    moment = now or datetime.now(UTC)
    today = local_today(moment, tz)
    frame = con.execute(
        """WITH mine AS (SELECT case_id, opened_at FROM cases
                         WHERE status = 'open' AND purged_at IS NULL AND tracer = ?),
                tested AS (SELECT u.case_id, u.person_id, max(u.changed_at) AS tested_at
                           FROM case_updates u JOIN mine USING (case_id)
                           WHERE coalesce(u.test_result, '') <> '' GROUP BY ALL)
           SELECT k.case_id, k.person_id, k.name, k.grade, k.phone, k.status, k.test_result, k.last_contact,
                  k.area_minutes, k.overlap_minutes, k.unit, mine.opened_at, tested.tested_at
           FROM case_contacts k JOIN mine USING (case_id)
           LEFT JOIN tested ON tested.case_id = k.case_id AND tested.person_id = k.person_id
           WHERE k.in_list AND k.person_id IS NOT NULL""",
        [tracer],
    ).df()
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in QUEUE_COLUMNS})
    frame["last_contact"] = pd.to_datetime(frame["last_contact"], utc=True)
    opened = pd.to_datetime(frame["opened_at"], utc=True)
    frame["hours_open"] = (pd.Timestamp(moment) - opened).dt.total_seconds() / 3600.0
    frame["exit_test_day"] = _exit_test_days(frame["last_contact"], tz).where(frame["grade"] == "K1", None)
    reasons = []
    for grade, result, status, hours_open, exit_day, tested_day in zip(
        frame["grade"], frame["test_result"], frame["status"], frame["hours_open"], frame["exit_test_day"],
        _local_dates(frame["tested_at"], tz), strict=True,
    ):
        needs_test = grade == "K1" and result != "positif" and status != "selesai"
        if needs_test and exit_day is not None and today >= exit_day and (tested_day is None or tested_day < exit_day):
            reasons.append("test_exit")
        elif needs_test and tested_day is None and (exit_day is None or today < exit_day):
            reasons.append("test_entry")
        elif status not in REACHED and hours_open >= NOT_REACHED_HOURS:
            reasons.append("not_reached")
        else:
            reasons.append("")
    frame["reason"] = reasons
    frame = frame[(frame["reason"] != "") | ~frame["status"].isin(REACHED)].copy()
    frame["urgent"] = frame["reason"] != ""
    reason_rank = {"test_exit": 0, "test_entry": 1, "not_reached": 2, "": 3}
    keys = pd.DataFrame({
        "urgent": ~frame["urgent"],
        "grade": frame["grade"].map(lambda g: GRADES.index(g) if g in GRADES else len(GRADES)),
        "reason": frame["reason"].map(reason_rank),
        "reached": frame["status"].isin(REACHED),
        "open": -frame["hours_open"],
        "room": -frame["area_minutes"].fillna(0.0),
        "building": -frame["overlap_minutes"].fillna(0.0),
        "id": frame["person_id"].astype(str),
    }, index=frame.index)
    # Among the urgent the longest open first; the rest in the list's priority order.
    keys.loc[~frame["urgent"], ["reason", "open"]] = 0
    order = keys.sort_values(list(keys.columns), kind="stable").index
    frame = frame.loc[order]
    for column in ("test_result", "name", "phone", "unit"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    frame["case_id"] = frame["case_id"].astype(int)
    return frame[QUEUE_COLUMNS].reset_index(drop=True)


def contact_groups(frame: pd.DataFrame, by: str, tz: str = db.DEFAULT_TIMEZONE) -> pd.DataFrame:
    """A contact list counted per ``by`` ('unit' or 'day', the local date of the last contact):
    ``group`` ('' for no unit), ``contacts``, ``reached``, ``unreachable``, ``waiting``
    (``belum``); units with most contacts first, days in order."""
    if by not in ("unit", "day"):
        raise ValueError(f"group by unit or day, not {by!r}")
    columns = ["group", "contacts", "reached", "unreachable", "waiting"]
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    keys = frame["unit"].fillna("").astype(str) if by == "unit" else contact_days(frame, tz)
    counted = pd.DataFrame({
        "group": keys, "contacts": 1, "reached": frame["status"].isin(REACHED).astype(int),
        "unreachable": (frame["status"] == UNREACHABLE).astype(int),
        "waiting": (frame["status"] == "belum").astype(int),
    }).groupby("group", as_index=False, dropna=False).sum()
    if by == "unit":
        counted = counted.sort_values(["contacts", "group"], ascending=[False, True])
    else:
        counted = counted.sort_values("group")
    return counted[columns].reset_index(drop=True)


def page_of(frame: pd.DataFrame, page: int, size: int = 50) -> tuple[pd.DataFrame, int]:
    """Rows of page ``page`` (1-based, clamped) of ``size`` each, and the number of pages (at least 1)."""
    pages = max(1, -(-len(frame) // size))
    page = min(max(1, int(page)), pages)
    return frame.iloc[(page - 1) * size: page * size], pages
