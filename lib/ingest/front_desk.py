"""The front desk (buku tamu): a receptionist checks visitors in and out, with or without a phone.

RULES "The front desk". Every check-in and check-out here is a tap of
the check-in desk (``lib.ingest.desk.CheckinDesk.tap``: journalled, judged by the rules of
RULES "From events to visits", stored by the import path), so a desk check-in and a phone's
tap are the same visits; each desk action is also audited under the receptionist's name
(its subject is the person's id, which retention turns into a pseudonym: RULES "Personal
data").

A visitor's identity is their NIK when given, else their phone in its one international
form (``lib.core.phone``), as in a guest-book import: the same person whichever way they
came in. NIK and phone are shown masked (``mask_id``): the desk finds a person by them but
never shows them whole.

Expected visitors (pre-registration) are kept in ``expected_visitors``; their random id is
the key of their personal check-in address. A visitor slip's QR holds a pass
(``desk_passes``), a random id that checks that visitor out at the door. Both addresses are
signed where every signed address is made (the phone page's module); this module keeps the
rows and does the taps.

The office's settings here: the purposes list, whether a purpose is required, and the
webhook a host's arrival is posted to (``app_settings``, audited as every setting).
"""

from __future__ import annotations

import difflib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from lib.core.errors import PantauError
from lib.core.phone import international_phone, international_phone_sql, nik
from lib.core.text import clean_text
from lib.ingest.desk import CHECKED_IN, CheckinDesk, TapAnswer, from_us
from lib.store import db, office

PURPOSES_KEY = "desk_purposes"
PURPOSE_REQUIRED_KEY = "desk_purpose_required"
HOST_WEBHOOK_KEY = "desk_host_webhook_url"
# The office edits this list on Settings; these are the common reasons of an Indonesian
# office's guest book (keperluan), in the office's own language.
DEFAULT_PURPOSES = (
    "Layanan administrasi",
    "Rapat / pertemuan",
    "Bertemu pegawai",
    "Antar dokumen / barang",
    "Kunjungan dinas",
)
OTHER_PURPOSE = "lainnya"  # the choice that takes a typed purpose
MAX_TEXT = 120
MAX_PURPOSES = 40
NEAREST_HOSTS = 3
SEARCH_LIMIT = 8
PASS_BYTES = 16  # 128 random bits: a pass or an expected visitor's id cannot be guessed


class DeskError(PantauError, ValueError):
    """A refused desk action; ``code`` names the text ``front_desk.error.<code>``."""

    TEXT_PREFIX = "front_desk.error."


@dataclass(frozen=True)
class AlreadyInside:
    """The person is inside this building already (since ``checkin_at``, UTC): nothing stored."""

    person_id: str
    building: str
    checkin_at: datetime


# --- masking ------------------------------------------------------------------------


def mask_id(value: object) -> str:
    """An id or phone with its middle hidden: a NIK ``3271********0001`` (first and last
    four), a phone ``62812****7890`` (first five, last four); a short code keeps its last
    two characters only. RULES "Personal data": the desk finds people by them, never shows them."""
    text = str(value or "").strip()
    if not text:
        return ""
    if nik(text) is not None:
        return text[:4] + "*" * (len(text) - 8) + text[-4:]
    phone = international_phone(text) if text.lstrip("+").isdigit() else None
    if phone is not None and len(phone) > 9:
        return phone[:5] + "*" * (len(phone) - 9) + phone[-4:]
    if len(text) > 8:
        return text[:4] + "*" * (len(text) - 8) + text[-4:]
    return "*" * max(0, len(text) - 2) + text[-2:]


# --- settings -----------------------------------------------------------------------


def purposes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The office's purposes list, in its order (``DEFAULT_PURPOSES`` until Settings changes it)."""
    stored = db.get_setting(con, PURPOSES_KEY)
    if stored is None:
        return list(DEFAULT_PURPOSES)
    return [line for line in stored.split("\n") if line]


def set_purposes(con: duckdb.DuckDBPyConnection, lines: list[str] | str, actor: str) -> bool:
    """Store the purposes list (one per line; blanks and repeats dropped, ``lainnya`` is
    always offered and never stored); audited. Refuses an empty list."""
    items = lines.splitlines() if isinstance(lines, str) else list(lines)
    kept: list[str] = []
    for item in items:
        text = clean_text(item, MAX_TEXT)
        if text and text.lower() != OTHER_PURPOSE and text.lower() not in {k.lower() for k in kept}:
            kept.append(text)
    if not kept:
        raise DeskError("no_purposes")
    if len(kept) > MAX_PURPOSES:
        raise DeskError("too_many_purposes", limit=MAX_PURPOSES)
    return db.set_setting_audited(con, PURPOSES_KEY, "\n".join(kept), actor)


def purpose_required(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a visitor must give a purpose (desk and phone page); off unless an admin sets it."""
    return db.get_setting(con, PURPOSE_REQUIRED_KEY) == "1"


def set_purpose_required(con: duckdb.DuckDBPyConnection, required: bool, actor: str) -> bool:
    return db.set_setting_audited(con, PURPOSE_REQUIRED_KEY, "1" if required else "0", actor)


def host_webhook_url(con: duckdb.DuckDBPyConnection) -> str | None:
    """Where a host's visitor arrival is posted; None when none is set."""
    return (db.get_setting(con, HOST_WEBHOOK_KEY) or "").strip() or None


def check_host_webhook_url(url: str) -> str | None:
    """The address as stored (None for empty); ``SettingsError('bad_webhook')`` as for the alerts' webhook."""
    return office.normalize_webhook_url(url) if (url or "").strip() else None


def set_host_webhook_url(con: duckdb.DuckDBPyConnection, url: str, actor: str) -> bool:
    """Store the address (an empty text removes it); audited."""
    return db.set_setting_audited(con, HOST_WEBHOOK_KEY, check_host_webhook_url(url), actor)


def resolve_purpose(con: duckdb.DuckDBPyConnection, choice: str | None, other_text: str = "") -> str:
    """The purpose stored for a visit: a choice of the list, or the typed text for
    ``lainnya``; '' when none (refused with ``purpose_required`` when Settings asks for one)."""
    picked = clean_text(choice, MAX_TEXT)
    if picked.lower() == OTHER_PURPOSE:
        picked = clean_text(other_text, MAX_TEXT)
        if not picked:
            raise DeskError("other_purpose_empty")
    elif picked:
        known = {p.lower(): p for p in purposes(con)}
        if picked.lower() not in known:
            raise DeskError("unknown_purpose", purpose=picked)
        picked = known[picked.lower()]
    if not picked and purpose_required(con):
        raise DeskError("purpose_required")
    return picked


# --- hosts: the roster's units and people ----------------------------------------------


def host_choices(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Whom a visitor may come to see: the roster's units (``kind`` 'unit') and its named
    people ('person', with their unit and phone when stored), units first, by name."""
    return con.execute(
        """
        SELECT host, kind, person_id, unit, phone FROM (
            SELECT DISTINCT trim(unit) AS host, 'unit' AS kind, NULL::TEXT AS person_id,
                   trim(unit) AS unit, NULL::TEXT AS phone, 0 AS o
            FROM roster WHERE nullif(trim(unit), '') IS NOT NULL
            UNION ALL
            SELECT trim(p.name), 'person', r.person_id, trim(r.unit), p.phone, 1
            FROM roster r JOIN persons p USING (person_id)
            WHERE nullif(trim(p.name), '') IS NOT NULL
        ) ORDER BY o, lower(host), person_id
        """
    ).df()


def host_units(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The roster's units by name (what a phone may pick: a unit, never a person's name)."""
    rows = con.execute(
        "SELECT DISTINCT trim(unit) AS u FROM roster WHERE nullif(trim(unit), '') IS NOT NULL ORDER BY lower(u), u"
    ).fetchall()
    return [str(r[0]) for r in rows]


def resolve_host(con: duckdb.DuckDBPyConnection, text: str | None) -> str:
    """The host as the roster names it ('' for none), matched ignoring case and spaces;
    an unknown host is refused with the roster's nearest names (``nearest``)."""
    wanted = clean_text(text, MAX_TEXT)
    if not wanted:
        return ""
    hosts = host_choices(con)["host"].astype(str).tolist()
    by_key = {" ".join(h.lower().split()): h for h in hosts}
    found = by_key.get(" ".join(wanted.lower().split()))
    if found is not None:
        return found
    nearest = difflib.get_close_matches(wanted.lower(), list(by_key), n=NEAREST_HOSTS, cutoff=0.5)
    raise DeskError("unknown_host", host=wanted, nearest=", ".join(by_key[k] for k in nearest) or "–")


def host_phone(con: duckdb.DuckDBPyConnection, host: str) -> str | None:
    """The international phone of a host who is a person on the roster; None for a unit or
    a person without a phone."""
    if not host:
        return None
    hosts = host_choices(con)
    rows = hosts[(hosts["kind"] == "person") & (hosts["host"] == host)]
    for phone in rows["phone"]:
        found = international_phone(phone) if isinstance(phone, str) else None
        if found:
            return found
    return None


# --- finding a known person -------------------------------------------------------------


def find_people(con: duckdb.DuckDBPyConnection, query: str, limit: int = SEARCH_LIMIT) -> pd.DataFrame:
    """Known people matching a NIK, a phone (any way it is written) or a part of a name.

    Columns: ``person_id`` (for the desk's own use, never to show), ``name``,
    ``institution``, ``category``, ``shown_id`` and ``shown_phone`` (masked, ``mask_id``).
    A number matches exactly (a NIK, a phone in international form, or an id), never by a
    part: typing a few digits finds nobody's number."""
    text = clean_text(query, MAX_TEXT)
    columns = ["person_id", "name", "institution", "category", "shown_id", "shown_phone"]
    if len(text) < 2:
        return pd.DataFrame(columns=columns)
    as_nik, as_phone = nik(text), international_phone(text)
    compact = "".join(text.split())
    digits_only = compact.lstrip("+").replace("-", "").replace(".", "").isdigit()
    if digits_only:
        condition = "(p.person_id IN (?, ?, ?) OR " + international_phone_sql("p.phone") + " = ?)"
        params: list[object] = [as_nik or "", as_phone or "", compact, as_phone or ""]
    else:
        condition = "(p.name ILIKE ? ESCAPE '\\' OR p.person_id = ?)"
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params = [pattern, compact]
    frame = con.execute(
        f"""
        SELECT p.person_id, coalesce(p.name, '') AS name, coalesce(p.institution, '') AS institution,
               p.category, coalesce(p.phone, '') AS phone
        FROM persons p WHERE {condition} AND NOT starts_with(p.person_id, 'anon-')
        ORDER BY lower(p.name), p.person_id LIMIT {int(limit)}
        """,
        params,
    ).df()
    frame["shown_id"] = [mask_id(v) for v in frame["person_id"]]
    frame["shown_phone"] = [mask_id(international_phone(v) or v) if v else "" for v in frame["phone"]]
    return frame[columns]


def new_visitor(name: str, nik_text: str = "", phone_text: str = "", institution: str = "") -> dict[str, str]:
    """A visitor the store does not know, as a tap's person: the id is the NIK when given,
    else the phone in international form (RULES "The front desk").
    Refused: no name, a NIK that is not 16 digits, a phone that is no number, neither."""
    clean_name = clean_text(name, MAX_TEXT)
    if not clean_name:
        raise DeskError("name")
    typed_nik, typed_phone = clean_text(nik_text, 60), clean_text(phone_text, 60)
    found_nik = nik(typed_nik) if typed_nik else None
    if typed_nik and found_nik is None:
        raise DeskError("bad_nik")
    found_phone = international_phone(typed_phone) if typed_phone else None
    if typed_phone and found_phone is None:
        raise DeskError("bad_phone")
    person_id = found_nik or found_phone
    if not person_id:
        raise DeskError("id_or_phone")
    return {
        "person_id": person_id,
        "name": clean_name,
        "category": "visitor",
        "phone": found_phone or "",
        "institution": clean_text(institution, MAX_TEXT),
    }


# --- check-in and check-out ------------------------------------------------------------


def inside_since(desk: CheckinDesk, person_id: str, building: str) -> datetime | None:
    """When the person checked in to ``building`` if they are inside it now (taps not yet
    stored included), else None."""
    visit = desk.open_visit(person_id)
    if visit is None or visit.building != building:
        return None
    return from_us(visit.checkin_us)


def check_in(
    desk: CheckinDesk,
    con: duckdb.DuckDBPyConnection,
    building: str,
    person: dict[str, str],
    purpose: str,
    host: str,
    actor: str,
) -> TapAnswer | AlreadyInside:
    """Check a visitor in at the desk: one tap with the visit's purpose and host (already
    resolved: ``resolve_purpose``, ``resolve_host``). Someone inside ``building`` already
    is not checked in again: ``AlreadyInside`` (the desk offers "Keluar")."""
    person_id = str(person.get("person_id") or "")
    if not person_id:
        raise DeskError("id_or_phone")
    if not _building_exists(con, building):
        raise DeskError("unknown_building", building=building)
    since = inside_since(desk, person_id, building)
    if since is not None:
        return AlreadyInside(person_id, building, since)
    answer = desk.tap(
        dict(person), building, "checkin",
        purpose=purpose, host=host, institution=str(person.get("institution") or ""),
    )
    _audit(con, actor, "desk_checkin", person_id, {"building": building, "purpose": purpose, "host": host})
    return answer


def check_out(desk: CheckinDesk, con: duckdb.DuckDBPyConnection, person_id: str, building: str, actor: str) -> TapAnswer:
    """The desk's "Keluar" for one person inside ``building``: a check-out tap."""
    answer = desk.tap({"person_id": person_id}, building, "checkout")
    _audit(con, actor, "desk_checkout", person_id, {"building": building, "outcome": answer.outcome})
    return answer


def _building_exists(con: duckdb.DuckDBPyConnection, building: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM buildings WHERE building_id = ?", [building]).fetchall()[0][0])


def _audit(con: duckdb.DuckDBPyConnection, actor: str, action: str, person_id: str, params: dict[str, object]) -> None:
    with db.transaction(con):
        db.write_audit(con, actor, action, person_id, json.dumps(params, ensure_ascii=False), 1)


# --- visitor slips' passes --------------------------------------------------------------


def issue_pass(con: duckdb.DuckDBPyConnection, person_id: str, building: str, now: datetime | None = None) -> str:
    """A new pass for a slip: a random id whose address checks this person out of ``building``."""
    pass_id = secrets.token_urlsafe(PASS_BYTES)
    with db.transaction(con):
        con.execute(
            "INSERT INTO desk_passes VALUES (?, ?, ?, ?, NULL)",
            [pass_id, person_id, building, (now or datetime.now(UTC)).astimezone(UTC)],
        )
    return pass_id


@dataclass(frozen=True)
class PassHolder:
    """Whom a pass (or an expected visitor's id) names: person, building, stored name."""

    person_id: str
    building: str
    name: str
    used: bool


def pass_holder(con: duckdb.DuckDBPyConnection, pass_id: str) -> PassHolder | None:
    """The pass's person and building, or None for an unknown (or purged) pass."""
    rows = con.execute(
        """
        SELECT d.person_id, d.building, coalesce(p.name, ''), d.used_at IS NOT NULL
        FROM desk_passes d LEFT JOIN persons p USING (person_id) WHERE d.pass_id = ?
        """,
        [str(pass_id or "")],
    ).fetchall()
    if not rows:
        return None
    person_id, building, name, used = rows[0]
    return PassHolder(str(person_id), str(building), str(name), bool(used))


def check_out_by_pass(desk: CheckinDesk, con: duckdb.DuckDBPyConnection, pass_id: str) -> TapAnswer | None:
    """A slip's QR at the door: the pass's person checks out of its building (a check-out
    tap; a second scan is a duplicate or an orphan by the rules, as any tap). None: no such pass."""
    holder = pass_holder(con, pass_id)
    if holder is None:
        return None
    answer = desk.tap({"person_id": holder.person_id}, holder.building, "checkout")
    with db.transaction(con):
        con.execute("UPDATE desk_passes SET used_at = coalesce(used_at, ?) WHERE pass_id = ?", [answer.at, pass_id])
    _audit(con, "slip", "desk_checkout", holder.person_id, {"building": holder.building, "outcome": answer.outcome})
    return answer


# --- expected visitors -----------------------------------------------------------------


def building_today(con: duckdb.DuckDBPyConnection, building: str, now: datetime | None = None) -> date:
    """Today in the building's zone."""
    zone = db.building_timezones(con).get(building, db.DEFAULT_TIMEZONE)
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(zone)).date()


def add_expected(
    con: duckdb.DuckDBPyConnection,
    building: str,
    expected_on: date,
    name: str,
    phone: str,
    purpose: str,
    host: str,
    actor: str,
    now: datetime | None = None,
) -> str:
    """Register a visitor expected on a local day; returns their id (the key of their
    personal check-in address). Refused: a day before today in the building's zone, an
    unknown building, no name, a phone that is no number, an unknown host (with the
    roster's nearest names) or purpose. ``purpose`` is a choice or typed text as stored."""
    if not _building_exists(con, building):
        raise DeskError("unknown_building", building=building)
    if expected_on < building_today(con, building, now):
        raise DeskError("past_date")
    clean_name = clean_text(name, MAX_TEXT)
    if not clean_name:
        raise DeskError("name")
    found_phone = international_phone(clean_text(phone, 60))
    if found_phone is None:
        raise DeskError("bad_phone")
    resolved_host = resolve_host(con, host)
    clean_purpose = clean_text(purpose, MAX_TEXT)
    if not clean_purpose and purpose_required(con):
        raise DeskError("purpose_required")
    expected_id = secrets.token_urlsafe(PASS_BYTES)
    with db.transaction(con):
        con.execute(
            """
            INSERT INTO expected_visitors (expected_id, building, expected_on, name, phone, purpose, host,
                                           created_by, created_at, arrived_at, person_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)
            """,
            [expected_id, building, expected_on, clean_name, found_phone, clean_purpose, resolved_host, actor,
             (now or datetime.now(UTC)).astimezone(UTC)],
        )
        db.write_audit(con, actor, "desk_expected_add", found_phone,
                       json.dumps({"building": building, "expected_on": expected_on.isoformat()}), 1)
    return expected_id


@dataclass(frozen=True)
class Expected:
    """One expected visitor as registered."""

    expected_id: str
    building: str
    expected_on: date
    name: str
    phone: str
    purpose: str
    host: str
    arrived_at: datetime | None


def expected_visitor(con: duckdb.DuckDBPyConnection, expected_id: str) -> Expected | None:
    rows = con.execute(
        "SELECT expected_id, building, expected_on, name, phone, purpose, host, arrived_at "
        "FROM expected_visitors WHERE expected_id = ?",
        [str(expected_id or "")],
    ).fetchall()
    if not rows:
        return None
    r = rows[0]
    return Expected(str(r[0]), str(r[1]), r[2], str(r[3] or ""), str(r[4] or ""), str(r[5] or ""), str(r[6] or ""),
                    None if r[7] is None else r[7].astimezone(UTC))


def expected_person(found: Expected) -> dict[str, str]:
    """The tap's person of an expected visitor: their phone (international form) is their id."""
    return {"person_id": found.phone, "name": found.name, "category": "visitor", "phone": found.phone}


def arrive_expected(
    desk: CheckinDesk, con: duckdb.DuckDBPyConnection, expected_id: str, actor: str, now: datetime | None = None
) -> TapAnswer | AlreadyInside:
    """An expected visitor arrives (one click at the desk, or their own link): checked in
    with the registered purpose and host, and marked arrived. Refused: unknown id, or a day
    other than the one they were expected on (their link is for that day)."""
    found = expected_visitor(con, expected_id)
    if found is None:
        raise DeskError("unknown_expected")
    if found.expected_on != building_today(con, found.building, now):
        raise DeskError("not_today", day=found.expected_on.strftime("%d/%m/%Y"))
    result = check_in(desk, con, found.building, expected_person(found), found.purpose, found.host, actor)
    at = result.at if isinstance(result, TapAnswer) else result.checkin_at
    if isinstance(result, AlreadyInside) or result.outcome == CHECKED_IN:
        with db.transaction(con):
            con.execute(
                "UPDATE expected_visitors SET arrived_at = coalesce(arrived_at, ?), person_id = ? WHERE expected_id = ?",
                [at, found.phone, expected_id],
            )
    return result
