"""A phone's tap: who taps (the form, the signed cookie), what the tap did, the crowd it sees.

The visitor's details are remembered on the phone in a signed cookie (``COOKIE_NAME``, one
year, ``SameSite=Lax``), never in the address: see ``encode_person_cookie``. It is signed
with the posters' key (``lib.outputs.checkin.SIGNING_SECRET``) under its own context, so
changing that key forgets every phone too.

A tap itself goes through the check-in desk (``lib.ingest.desk``: journalled, then stored
by ``lib.ingest.importer.record_events``), an ordinary scan event with the same dedup,
pairing and orphan rules as an import (RULES "From events to visits"); a room poster's tap
too. This module says what a tap did (``outcome_message``).
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
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from lib.core.i18n import t
from lib.core.phone import international_phone
from lib.core.text import MAX_ID_CHARACTERS, clean_text, normalize_id
from lib.core.timeutil import zone_label
from lib.ingest.desk import CHECKED_IN, CHECKED_OUT, DUPLICATE, TapAnswer
from lib.outputs.checkin import SIGNATURE_BYTES, CheckinTarget, signing_key
from lib.store import db

COOKIE_NAME = "pantau_person"
COOKIE_MAX_AGE_S = 365 * 24 * 3600
# Category words a visitor may pick on the form, as stored (RULES "Words").
FORM_CATEGORIES = db.CATEGORIES
MAX_NAME = 120  # characters of a name from a phone
MAX_ID = MAX_ID_CHARACTERS  # characters of an id or phone number


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


def make_person(name: str, category: str, id_number: str = "", phone: str = "") -> dict[str, str] | str:
    """The form's values as a person dict, or a problem code ('name', 'id_or_phone').

    ``person_id`` is the ID number (NIP/NIK) when given, written as ``normalize_id`` says,
    else the phone number (RULES "Words": a visitor's key may be a phone number) in its one
    international form (``lib.core.phone``); the phone itself loses spaces, dots, dashes and
    brackets, a leading '+' stays. Category: ASN, THL or visitor.
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
        # A visitor known by phone alone is the person of the phone's one international form,
        # as the front desk and a guest-book import key them (RULES "The front desk").
        "person_id": clean_id or international_phone(clean_phone) or clean_phone,
        "name": clean_name,
        "category": stored_category,
        "phone": clean_phone[:MAX_ID],
    }


COOKIE_SIGNATURE_CONTEXT = b"pantau-person-cookie|"


def _cookie_signature(payload: str) -> str:
    """HMAC-SHA256 (server secret ``qr_signing_key``, its own context) of the cookie's
    payload, 128 bits, URL-safe base64 without padding."""
    digest = hmac.new(signing_key(), COOKIE_SIGNATURE_CONTEXT + payload.encode("ascii"), hashlib.sha256).digest()
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
    hours, rest = divmod(max(0, int(minutes)), 60)
    if hours:
        return t("checkin.stay.hours", lang, hours=hours, minutes=rest)
    return t("checkin.stay.minutes", lang, minutes=rest)


def crowd_text(crowd: Crowd, lang: str | None = None) -> str:
    """'42 orang di dalam, batas 150' (no limit part when the building has none)."""
    if crowd.threshold is None:
        return t("checkin.crowd_no_limit", lang, inside=crowd.inside_now)
    return t("checkin.crowd", lang, inside=crowd.inside_now, threshold=crowd.threshold)


def outcome_message(answer: TapAnswer, target: CheckinTarget, lang: str | None = None) -> tuple[str, str]:
    """(level, sentence) of a tap's answer at ``target``'s poster: level is 'success',
    'info' (a duplicate) or 'warning' (an orphan); times in the building's zone."""
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
