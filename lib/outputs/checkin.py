"""The signed addresses a poster's (or a visitor slip's) QR code holds.

A poster's QR code holds ``<public base>/checkin?b=<building>&g=<gate>&a=<action>&s=<sig>``.
``s`` is an HMAC-SHA256 with the server secret ``qr_signing_key`` over
``building|gate|action`` (each part percent-encoded, so a ``|`` in a name cannot shift the
fields), truncated to 128 bits and written URL-safe base64 without padding (22 characters).
A room poster (RULES "Places inside a building") adds ``r=<area>`` and signs
``building|gate|action|area``: a fourth field, so every door poster printed before rooms
existed keeps its signature, and a room address with its area edited or removed no longer
matches. A hand-edited address (another building, the action switched) no longer matches its
signature and is refused. Changing the key invalidates every printed poster (and every
phone's remembered details, whose cookie is signed with it too: ``lib.web.phone``).

The public base address is the app setting ``public_base_url``
(``lib.store.places.public_base_url``); a caller may pass another one (the address the admin
is using now, the command line's ``--base-url``). With neither, ``DEFAULT_PUBLIC_BASE_URL``
(``http://localhost:8501``), which a phone cannot open: the poster page and the command
line warn about it (``lib.store.places.public_address_problem``).

The page such an address opens, and what a tap there does, is the web side's
(``lib.web.phone_page``); this module only makes and verifies the addresses, so posters and
slips (files) and the page (HTTP) share one signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import duckdb

from lib.core.text import url_quote
from lib.store import db, places
from lib.store.secrets_store import get_secret

ACTIONS = ("checkin", "checkout")
DEFAULT_PUBLIC_BASE_URL = "http://localhost:8501"
SIGNING_SECRET = "qr_signing_key"
SIGNATURE_BYTES = 16

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
    # A visitor's own address (issue 22, the front desk): a slip's pass (action checkout) or
    # an expected visitor's id (checkin), a random id the front desk keeps; '' for a poster.
    visitor: str = ""


# --- signed addresses -------------------------------------------------------------


def signing_key() -> bytes:
    """The posters' key (also signs the phone's cookie and the page's form tokens, each
    under its own context)."""
    return get_secret(SIGNING_SECRET).encode("utf-8")


def sign(building: str, gate: str, action: str, area: str = "", visitor: str = "") -> str:
    """The URL-safe signature (22 characters) of one poster's building, gate, action and,
    for a room poster, area (a door poster signs exactly the three fields it always did).
    A visitor's own address (``visitor_url``) signs a fifth field, ``v:<id>``, after the
    (empty) area: five fields, so it can never pass for a poster's address or the reverse."""
    fields = (area, f"v:{visitor}") if visitor else (area,) if area else ()
    parts = (building, gate or "", action, *fields)
    message = "|".join(url_quote(part) for part in parts)
    digest = hmac.new(signing_key(), message.encode("utf-8"), hashlib.sha256).digest()
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


def visitor_url(
    con: duckdb.DuckDBPyConnection, building: str, action: str, visitor: str, base_url: str | None = None
) -> str:
    """A visitor's own signed address, ``<base>/checkin?b=..&a=..&v=<id>&s=..``: with action
    ``checkout`` a visitor slip's QR (``v`` a pass of ``lib.ingest.front_desk.issue_pass``),
    with ``checkin`` an expected visitor's personal link (``v`` their id). The page it opens
    (``lib.web.phone_page``) checks that one visitor out or in. Raises ValueError for an
    unknown building, a bad action or an empty id."""
    if action not in ACTIONS:
        raise ValueError(f"action must be checkin or checkout, not {action!r}")
    if not visitor:
        raise ValueError("a visitor's address needs their id")
    if building_row(con, building) is None:
        raise ValueError(f"unknown building: {building!r}")
    params = {"b": building, "a": action, "v": visitor, "s": sign(building, "", action, visitor=visitor)}
    return f"{poster_base_url(con, base_url)}/checkin?{urlencode(params, quote_via=quote)}"


def pass_url(con: duckdb.DuckDBPyConnection, building: str, pass_id: str, base_url: str | None = None) -> str:
    """The address a visitor slip's QR holds: it checks the pass's visitor out at the door."""
    return visitor_url(con, building, "checkout", pass_id, base_url)


def expected_url(con: duckdb.DuckDBPyConnection, building: str, expected_id: str, base_url: str | None = None) -> str:
    """An expected visitor's personal check-in address (sent to them on WhatsApp)."""
    return visitor_url(con, building, "checkin", expected_id, base_url)


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

    ``params`` holds ``b``, ``g`` (optional), ``r`` (a room poster's area), ``v`` (a
    visitor's own address: ``visitor_url``), ``a`` and ``s`` as text. Codes: ``missing`` (no building, action or signature), ``bad_signature``
    (forged or edited), ``bad_action``, ``unknown_building``, ``unknown_gate``,
    ``unknown_area`` (signed, but no longer configured).
    """

    def value(name: str) -> str:
        raw = params.get(name)
        if isinstance(raw, list | tuple):
            raw = raw[0] if raw else ""
        return str(raw or "").strip()

    building, gate, action, signature = value("b"), value("g"), value("a"), value("s")
    area, visitor = value("r"), value("v")
    if not building or not action or not signature:
        return REFUSED_MISSING
    expected = sign(building, gate, action, area, visitor)
    if not hmac.compare_digest(signature.encode("utf-8"), expected.encode("utf-8")):
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
        visitor=visitor,
    )


# --- the visitor ----------------------------------------------------------------
