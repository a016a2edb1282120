"""Self check-in from a QR poster: signed addresses, the visitor's data and one scan.

A poster's QR code holds ``<public base>/checkin?b=<building>&g=<gate>&a=<action>&s=<sig>``.
``s`` is an HMAC-SHA256 with the server secret ``qr_signing_key`` over
``building|gate|action`` (each part percent-encoded, so a ``|`` in a name cannot shift the
fields), truncated to 128 bits and written URL-safe base64 without padding (22 characters).
A room poster (RULES "Places inside a building") adds ``r=<area>`` and signs
``building|gate|action|area``: a fourth field, so every door poster printed before rooms
existed keeps its signature, and a room address with its area edited or removed no longer
matches. A hand-edited address (another building, the action switched) no longer matches its
signature and is refused. Changing the key invalidates every printed poster (and every
phone's remembered details, whose cookie is signed with it too).

The public base address is the app setting ``public_base_url``
(``lib.store.places.public_base_url``); a caller may pass another one (the address the admin
is using now, the command line's ``--base-url``). With neither, ``DEFAULT_PUBLIC_BASE_URL``
(``http://localhost:8501``), which a phone cannot open: the poster page and the command
line warn about it (``lib.store.places.public_address_problem``).

A tap from the check-in page (``lib.outputs.checkin_page``) goes through the check-in desk
(``lib.ingest.desk``: journalled, then stored by ``lib.ingest.importer.record_events``), an
ordinary scan event with the same dedup, pairing and orphan rules as an import (RULES "From
events to visits"); a room poster's tap too. This module says what a tap did
(``outcome_message``).

The visitor's details are remembered on the phone in a signed cookie (``COOKIE_NAME``, one
year, ``SameSite=Lax``), never in the address: see ``encode_person_cookie``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from lib.core.text import clean_text
from lib.core.timeutil import zone_label
from lib.ingest.desk import CHECKED_IN, CHECKED_OUT, DUPLICATE, TapAnswer
from lib.store import db, places
from lib.store.secrets_store import get_secret

ACTIONS = ("checkin", "checkout")
DEFAULT_PUBLIC_BASE_URL = "http://localhost:8501"
SIGNING_SECRET = "qr_signing_key"
SIGNATURE_BYTES = 16
COOKIE_NAME = "pantau_person"
COOKIE_MAX_AGE_S = 365 * 24 * 3600
# Category words a visitor may pick on the form, as stored (RULES "Words").
FORM_CATEGORIES = db.CATEGORIES
MAX_NAME = 120  # characters of a name from a phone
MAX_ID = 40  # characters of an id or phone number

# Refusal codes of verify_checkin_params (texts: "checkin.refused.<code>").
REFUSED_MISSING = "missing"
REFUSED_SIGNATURE = "bad_signature"
REFUSED_ACTION = "bad_action"
REFUSED_BUILDING = "unknown_building"
REFUSED_GATE = "unknown_gate"
REFUSED_AREA = "unknown_area"


@dataclass(frozen=True)
class CheckinTarget:
    """A verified poster: where and what the scan is. ``gate`` is '' for no gate."""

    building: str
    building_name: str
    gate: str
    gate_name: str
    action: str
    timezone: str
    area: str = ""  # a room poster's area id; '' for a door poster
    area_name: str = ""


@dataclass(frozen=True)
class Crowd:
    """People inside a building now and its crowd threshold (people; None if not set)."""

    inside_now: int
    threshold: int | None
    capacity: int | None

    @property
    def over_threshold(self) -> bool:
        """RULES "Crowding": strictly more people than the threshold."""
        return self.threshold is not None and self.inside_now > self.threshold


# --- signed addresses -------------------------------------------------------------


def _signing_key() -> bytes:
    return get_secret(SIGNING_SECRET).encode("utf-8")


def sign(building: str, gate: str, action: str, area: str = "") -> str:
    """The URL-safe signature (22 characters) of one poster's building, gate, action and,
    for a room poster, area (a door poster signs exactly the three fields it always did)."""
    parts = (building, gate or "", action, *((area,) if area else ()))
    message = "|".join(quote(part, safe="") for part in parts)
    digest = hmac.new(_signing_key(), message.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:SIGNATURE_BYTES]).rstrip(b"=").decode("ascii")


def poster_base_url(con: duckdb.DuckDBPyConnection, base_url: str | None = None) -> str:
    """The base address a poster's QR code starts with: ``base_url`` when given, else the
    stored public address, else ``DEFAULT_PUBLIC_BASE_URL``; no trailing slash."""
    if base_url and base_url.strip():
        return places.normalize_public_url(base_url)
    return places.public_base_url(con) or DEFAULT_PUBLIC_BASE_URL


def checkin_url(
    con: duckdb.DuckDBPyConnection,
    building: str,
    gate: str | None,
    action: str,
    base_url: str | None = None,
    area: str | None = None,
) -> str:
    """The signed address a poster's QR code holds (see module docstring); ``base_url``
    overrides the stored public address (``poster_base_url``); ``area`` makes a room
    poster's address (its area id; a room poster has no gate).

    Raises ValueError for an unknown building, gate or area, a gate and an area together,
    or an action other than checkin/checkout: a poster is only printed for what exists.
    """
    gate = gate or ""
    if action not in ACTIONS:
        raise ValueError(f"action must be checkin or checkout, not {action!r}")
    if building_row(con, building) is None:
        raise ValueError(f"unknown building: {building!r}")
    if gate and area:
        raise ValueError("a poster is for a gate or for a room, not both")
    if gate and gate_name(con, building, gate) is None:
        raise ValueError(f"unknown gate {gate!r} of building {building!r}")
    area_id = ""
    if area:
        found = area_row(con, building, area)
        if found is None:
            raise ValueError(f"unknown room {area!r} of building {building!r}")
        area_id = found[0]
    params = {"b": building}
    if gate:
        params["g"] = gate
    if area_id:
        params["r"] = area_id
    params.update({"a": action, "s": sign(building, gate, action, area_id)})
    return f"{poster_base_url(con, base_url)}/checkin?{urlencode(params, quote_via=quote)}"


def building_row(con: duckdb.DuckDBPyConnection, building: str) -> dict[str, object] | None:
    """The buildings row as a dict, or None."""
    cursor = con.execute("SELECT * FROM buildings WHERE building_id = ?", [building])
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    return dict(zip(names, rows[0], strict=True)) if rows else None


def gate_name(con: duckdb.DuckDBPyConnection, building: str, gate: str) -> str | None:
    """The gate's display name (its id when unnamed), or None when the gate is unknown."""
    rows = con.execute(
        "SELECT coalesce(nullif(trim(name), ''), gate_id) FROM gates WHERE building_id = ? AND gate_id = ?",
        [building, gate],
    ).fetchall()
    return str(rows[0][0]) if rows else None


def area_row(con: duckdb.DuckDBPyConnection, building: str, area: str) -> tuple[str, str] | None:
    """(area_id, display name) of a building's room, matched ignoring case and surrounding
    spaces (RULES "Places inside a building"), or None when the room is unknown."""
    rows = con.execute(
        "SELECT area_id, coalesce(nullif(trim(name), ''), area_id) FROM areas WHERE building = ? AND area_key = ?",
        [building, str(area).strip().lower()],
    ).fetchall()
    return (str(rows[0][0]), str(rows[0][1])) if rows else None


def gates_or_door(con: duckdb.DuckDBPyConnection, building: str) -> list[tuple[str, str]]:
    """(gate_id, display name) of a building's gates; ``[('', '')]`` (the building's one door) when it has none."""
    gates = places.list_gates(con, building)
    return list(zip(gates["gate_id"].astype(str), gates["name"].astype(str), strict=True)) or [("", "")]


def verify_checkin_params(con: duckdb.DuckDBPyConnection, params: Mapping[str, str]) -> CheckinTarget | str:
    """The poster an address's query parameters name, or a refusal code.

    ``params`` holds ``b``, ``g`` (optional), ``r`` (a room poster's area), ``a`` and
    ``s`` as text. Codes: ``missing`` (no building, action or signature), ``bad_signature``
    (forged or edited), ``bad_action``, ``unknown_building``, ``unknown_gate``,
    ``unknown_area`` (signed, but no longer configured).
    """

    def value(name: str) -> str:
        raw = params.get(name)
        if isinstance(raw, list | tuple):
            raw = raw[0] if raw else ""
        return str(raw or "").strip()

    building, gate, action, signature = value("b"), value("g"), value("a"), value("s")
    area = value("r")
    if not building or not action or not signature:
        return REFUSED_MISSING
    if not hmac.compare_digest(signature.encode("utf-8"), sign(building, gate, action, area).encode("utf-8")):
        return REFUSED_SIGNATURE
    if action not in ACTIONS:
        return REFUSED_ACTION
    row = building_row(con, building)
    if row is None:
        return REFUSED_BUILDING
    name_of_gate = ""
    if gate:
        found = gate_name(con, building, gate)
        if found is None:
            return REFUSED_GATE
        name_of_gate = found
    area_id, name_of_area = "", ""
    if area:
        room = area_row(con, building, area)
        if room is None:
            return REFUSED_AREA
        area_id, name_of_area = room
    return CheckinTarget(
        building=building,
        building_name=str(row.get("name") or building),
        gate=gate,
        gate_name=name_of_gate,
        action=action,
        timezone=str(row.get("timezone") or db.DEFAULT_TIMEZONE),
        area=area_id,
        area_name=name_of_area,
    )


# --- the visitor ----------------------------------------------------------------


_NUMBER_SEPARATORS = re.compile(r"[\s.\-()/]")


def normalize_id(value: object) -> str:
    """An id as typed on a phone, as the store keeps it: a number (NIP, NIK, a phone) loses
    the spaces, dots, dashes and brackets people write it with ("19710203 199903 1 002",
    "0812-3456-7890"); an id with letters ("THL-0229", a roster's own codes) keeps its dashes,
    dots and slashes, which are part of it, and only loses spaces."""
    text = clean_text(value, MAX_ID * 2)
    digits = _NUMBER_SEPARATORS.sub("", text)
    if re.fullmatch(r"\+?[0-9]+", digits):
        return digits
    return re.sub(r"\s", "", text)


def make_person(name: str, category: str, id_number: str = "", phone: str = "") -> dict[str, str] | str:
    """The form's values as a person dict, or a problem code ('name', 'id_or_phone').

    ``person_id`` is the ID number (NIP/NIK) when given, else the phone number (RULES
    "Words": a visitor's key may be a phone number), written as ``normalize_id`` says; the
    phone loses spaces, dots, dashes and brackets, a leading '+' stays. Category: ASN, THL or visitor.
    """
    clean_name = clean_text(name, MAX_NAME)  # control and bidi characters gone, spaces folded
    clean_id = normalize_id(id_number)
    clean_phone = re.sub(r"[\s.\-()]", "", clean_text(phone, MAX_ID * 2))
    if not clean_name:
        return "name"
    if not clean_id and not clean_phone:
        return "id_or_phone"
    word = str(category or "").strip().lower()
    stored_category = {"asn": "ASN", "thl": "THL"}.get(word, "visitor")
    return {
        "person_id": clean_id or clean_phone,
        "name": clean_name,
        "category": stored_category,
        "phone": clean_phone[:MAX_ID],
    }


COOKIE_SIGNATURE_CONTEXT = b"pantau-person-cookie|"


def _cookie_signature(payload: str) -> str:
    """HMAC-SHA256 (server secret ``qr_signing_key``, its own context) of the cookie's
    payload, 128 bits, URL-safe base64 without padding."""
    digest = hmac.new(_signing_key(), COOKIE_SIGNATURE_CONTEXT + payload.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:SIGNATURE_BYTES]).rstrip(b"=").decode("ascii")


def encode_person_cookie(person: Mapping[str, str]) -> str:
    """The person as a signed cookie value, kept only on the phone:
    ``<URL-safe base64 of JSON>.<signature>``.

    Only the four fields of the form are written; the server reads it back with each
    page load (``decode_person_cookie``). It is the visitor's own data on the visitor's
    own phone; "not you?" on the page deletes it. The signature lets the page say "you
    are inside since 08:02" only to the phone that checked in: a cookie written by hand
    with somebody else's number is not accepted.
    """
    fields = {k: str(person.get(k) or "") for k in ("person_id", "name", "category", "phone")}
    raw = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    payload = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
    return f"{payload}.{_cookie_signature(payload)}"


def decode_person_cookie(value: str | None) -> dict[str, str] | None:
    """The person stored by ``encode_person_cookie``; None for anything else, an unsigned
    or wrongly signed value included (never raises)."""
    if not isinstance(value, str) or not value or len(value) > 4000:
        return None
    payload, _, signature = value.partition(".")
    try:
        expected = _cookie_signature(payload)
    except UnicodeError:
        return None
    if not signature or not hmac.compare_digest(signature.encode("ascii", "replace"), expected.encode("ascii")):
        return None
    try:
        padded = payload + "=" * (-len(payload) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
    except (ValueError, UnicodeError, binascii.Error):
        return None
    if not isinstance(decoded, dict):
        return None
    person = make_person(
        str(decoded.get("name") or ""),
        str(decoded.get("category") or ""),
        str(decoded.get("person_id") or ""),
        str(decoded.get("phone") or ""),
    )
    return person if isinstance(person, dict) else None


def inside_since(
    con: duckdb.DuckDBPyConnection, building: str, person_id: str, now: datetime | None = None
) -> datetime | None:
    """Check-in instant (UTC) of the person's visit to ``building`` still open at ``now``
    (default the clock), or None when they are not inside.

    "Inside" as everywhere else (``lib.analytics.visits``): not checked out and not yet closed
    automatically (RULES "From events to visits").
    """
    from lib.analytics.visits import effective_visits_sql, now_sql

    rows = con.execute(
        f"SELECT max(checkin_at) FROM ({effective_visits_sql(now_sql(now))}) "
        "WHERE building = ? AND person_id = ? AND inside_now",
        [building, person_id],
    ).fetchall()
    value = rows[0][0] if rows else None
    return value.astimezone(UTC) if value is not None else None


def local_clock(instant: datetime, timezone: str) -> str:
    """'08:02 WITA': the building's wall-clock time of a UTC instant, zone named."""
    return f"{instant.astimezone(ZoneInfo(timezone)):%H:%M} {zone_label(timezone)}"


# --- crowd now -------------------------------------------------------------------


def crowd_now(con: duckdb.DuckDBPyConnection, building: str, now: datetime | None = None) -> Crowd:
    """People inside ``building`` at ``now`` (UTC; default the clock) and its limit.

    The figures of ``lib.analytics.occupancy.inside_now``, the Now page's own.
    """
    from lib.analytics.occupancy import inside_now

    rows = inside_now(con, now)
    row = rows[rows["building"] == building]
    if row.empty:
        return Crowd(inside_now=0, threshold=None, capacity=None)
    first = row.iloc[0]
    return Crowd(
        inside_now=int(first["total"]),
        threshold=None if pd.isna(first["threshold"]) else int(first["threshold"]),
        capacity=None if pd.isna(first["capacity"]) else int(first["capacity"]),
    )


# --- words for the page -------------------------------------------------------------


def stay_text(minutes: int, lang: str | None = None) -> str:
    """'2 jam 5 menit' / '45 menit'."""
    from lib.core.i18n import t

    hours, rest = divmod(max(0, int(minutes)), 60)
    if hours:
        return t("checkin.stay.hours", lang, hours=hours, minutes=rest)
    return t("checkin.stay.minutes", lang, minutes=rest)


def crowd_text(crowd: Crowd, lang: str | None = None) -> str:
    """'42 orang di dalam, batas 150' (no limit part when the building has none)."""
    from lib.core.i18n import t

    if crowd.threshold is None:
        return t("checkin.crowd_no_limit", lang, inside=crowd.inside_now)
    return t("checkin.crowd", lang, inside=crowd.inside_now, threshold=crowd.threshold)


def outcome_message(answer: TapAnswer, target: CheckinTarget, lang: str | None = None) -> tuple[str, str]:
    """(level, sentence) of a tap's answer at ``target``'s poster: level is 'success',
    'info' (a duplicate) or 'warning' (an orphan); times in the building's zone."""
    from lib.core.i18n import t

    when = local_clock(answer.at, target.timezone)
    if answer.area:
        return _area_message(answer, target, when, lang)
    if answer.outcome == CHECKED_IN:
        return "success", t("checkin.outcome.checked_in", lang, time=when)
    if answer.outcome == CHECKED_OUT:
        return "success", t(
            "checkin.outcome.checked_out", lang, time=when, stay=stay_text(answer.stay_minutes or 0, lang)
        )
    if answer.outcome == DUPLICATE:
        return "info", t(f"checkin.outcome.duplicate.{answer.action}", lang)
    return "warning", t("checkin.outcome.orphan", lang)


def _area_message(answer: TapAnswer, target: CheckinTarget, when: str, lang: str | None) -> tuple[str, str]:
    """The sentence of a room tap: it names the room (and the building when the same tap
    checked the person in at the door)."""
    from lib.core.i18n import t

    room = target.area_name or answer.area
    if answer.outcome == CHECKED_IN:
        key = "checkin.outcome.area_checked_in_door" if answer.door_checkin else "checkin.outcome.area_checked_in"
        return "success", t(key, lang, room=room, building=target.building_name, time=when)
    if answer.outcome == CHECKED_OUT:
        return "success", t(
            "checkin.outcome.area_checked_out", lang, room=room, time=when,
            stay=stay_text(answer.stay_minutes or 0, lang),
        )
    if answer.outcome == DUPLICATE:
        return "info", t(f"checkin.outcome.area_duplicate.{answer.action}", lang, room=room)
    return "warning", t("checkin.outcome.area_orphan", lang, room=room)
