"""Buildings, gates and installation settings as an administrator edits them.

RULES "Crowding": the crowd threshold (people) is set directly, as a share of capacity, or
from the PPKM level of the office rules (level 1: 100 %, 2: 75 %, 3: 50 %, 4: 25 % of
capacity). Exactly one of ``threshold_people``, ``threshold_share``, ``ppkm_level`` is
stored; a share or level without a capacity gives no threshold.

Creating and changing buildings (MAX_STAY re-pairs their visits; a new building from an
import is confirmed, renamed, merged or deleted) is ``lib.ingest.buildings``.

Installation settings live in ``app_settings``: ``public_base_url`` (the address a phone
opens from a QR poster; ``public_address_problem`` says whether a phone can reach it),
``retention_days`` (RULES "Personal data", default 30) and ``expected_staff:<building>``
(staff expected per working day, for the check-in compliance of the data-quality page).
Every change writes an audit record.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from urllib.parse import urlsplit

import duckdb
import pandas as pd

from lib.core.errors import PantauError
from lib.core.text import clean_text
from lib.store import db

PPKM_SHARES = {1: 1.0, 2: 0.75, 3: 0.5, 4: 0.25}
THRESHOLD_MODES = ("people", "share", "ppkm", "none")
DEFAULT_RETENTION_DAYS = 30
MAX_STAY_LIMIT_MIN = 48 * 60
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
URL_PATTERN = re.compile(r"^https?://[^\s/?#]+(:\d+)?(/[^\s?#]*)?$")


class SettingsError(PantauError, ValueError):
    """A refused setting; ``code`` names the text ``settings.error.<code>``."""

    TEXT_PREFIX = "settings.error."


def threshold_from(
    capacity: int | None, threshold_people: int | None, threshold_share: float | None, ppkm_level: int | None
) -> int | None:
    """The crowd threshold in people from a building's settings (RULES "Crowding").

    ``threshold_people`` if set; else ``threshold_share`` x capacity; else the PPKM level's
    share x capacity; else None. A share of capacity is rounded down (75 % of 45 places
    is 33 people: the 34th makes the building crowded), after rounding away float noise
    (0.29 x 100 is 29, not 28).
    """
    if threshold_people is not None and not pd.isna(threshold_people):
        return int(threshold_people)
    if capacity is None or pd.isna(capacity):
        return None
    share = threshold_share if threshold_share is not None and not pd.isna(threshold_share) else None
    if share is None and ppkm_level is not None and not pd.isna(ppkm_level):
        share = PPKM_SHARES.get(int(ppkm_level))
    if share is None:
        return None
    return math.floor(round(float(share) * int(capacity), 6))


def thresholds(con: duckdb.DuckDBPyConnection) -> dict[str, int | None]:
    """The crowd threshold in people of every building (None: it has none), by building id (see ``threshold_from``)."""
    rows = con.execute(
        "SELECT building_id, capacity, threshold_people, threshold_share, ppkm_level FROM buildings"
    ).fetchall()
    return {str(b): threshold_from(cap, people, share, level) for b, cap, people, share, level in rows}


def threshold(con: duckdb.DuckDBPyConnection, building: str) -> int | None:
    """The building's crowd threshold in people, None when it has none (see ``threshold_from``)."""
    return thresholds(con).get(building)


def list_buildings(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every building with its settings, ``threshold`` (people, effective), ``gates`` count and
    ``confirmed`` (False: first seen in an import, not yet confirmed by an administrator)."""
    frame = con.execute(
        """
        SELECT b.building_id, coalesce(b.name, b.building_id) AS name, b.timezone, b.capacity,
               b.threshold_people, b.threshold_share, b.ppkm_level,
               b.max_stay_asn_min, b.max_stay_thl_min, b.max_stay_visitor_min,
               (SELECT count(*) FROM gates g WHERE g.building_id = b.building_id) AS gates,
               coalesce(b.confirmed, true) AS confirmed
        FROM buildings b ORDER BY b.building_id
        """
    ).df()
    frame["threshold"] = [
        threshold_from(r.capacity, r.threshold_people, r.threshold_share, r.ppkm_level)
        for r in frame.itertuples()
    ]
    frame["threshold"] = frame["threshold"].astype("Int64")
    return frame


def list_gates(con: duckdb.DuckDBPyConnection, building: str) -> pd.DataFrame:
    """Gates of one building: gate_id, name."""
    return con.execute(
        "SELECT gate_id, coalesce(nullif(trim(name), ''), gate_id) AS name FROM gates WHERE building_id = ? ORDER BY gate_id",
        [building],
    ).df()


def save_gate(con: duckdb.DuckDBPyConnection, building: str, gate_id: str, name: str, actor: str) -> bool:
    """Add a gate or rename it; returns True when it was new."""
    if not ID_PATTERN.match(gate_id or ""):
        raise SettingsError("bad_gate_id")
    shown = clean_text(name, -1) or gate_id  # typed on the Settings page: no control characters
    with db.transaction(con):
        exists = con.execute("SELECT count(*) FROM buildings WHERE building_id = ?", [building]).fetchall()[0][0]
        if not exists:
            raise SettingsError("unknown_building", building=building)
        before = con.execute(
            "SELECT name FROM gates WHERE building_id = ? AND gate_id = ?", [building, gate_id]
        ).fetchall()
        con.execute(
            "INSERT INTO gates VALUES (?, ?, ?) ON CONFLICT (building_id, gate_id) DO UPDATE SET name = excluded.name",
            [building, gate_id, shown],
        )
        db.write_audit(
            con, actor, "gate_create" if not before else "gate_update", f"{building}/{gate_id}",
            json.dumps({"name": shown}), 1,
        )
    return not before


def retention_days(con: duckdb.DuckDBPyConnection) -> int:
    """Days personal data is kept (RULES "Personal data"), default 30, at least 1."""
    value = db.get_setting(con, "retention_days")
    try:
        days = int(value) if value is not None else DEFAULT_RETENTION_DAYS
    except ValueError:
        days = DEFAULT_RETENTION_DAYS
    return max(days, 1)  # a day at least: 0 would purge what was scanned today


PUBLIC_BASE_SETTING = "public_base_url"
# Names that only resolve inside one machine or one local network (RFC 6762 .local,
# RFC 6761 .localhost, RFC 8375 .home.arpa, and the usual home-router suffixes).
LOCAL_SUFFIXES = (".local", ".localhost", ".localdomain", ".internal", ".lan", ".home.arpa")


def public_base_url(con: duckdb.DuckDBPyConnection) -> str | None:
    """The stored public address (``https://pantau.bitungkota.go.id``, no trailing slash),
    or None when it was never set. The code that builds addresses picks its own fallback."""
    value = (db.get_setting(con, PUBLIC_BASE_SETTING) or "").strip().rstrip("/")
    return value or None


def normalize_public_url(url: str | None) -> str:
    """``url`` trimmed, without a trailing slash; SettingsError('bad_url') unless it is an
    http(s) address without spaces, query or fragment."""
    value = (url or "").strip().rstrip("/")
    if not URL_PATTERN.match(value):
        raise SettingsError("bad_url")
    return value


def public_address_problem(url: str | None) -> str | None:
    """Why a phone outside this machine or office network could not open ``url``, or None.

    'unset' (no address), 'invalid' (not an http(s) address), 'loopback' (localhost,
    127.0.0.0/8, ::1, 0.0.0.0: this machine only), 'private' (10/8, 172.16/12, 192.168/16,
    169.254/16, fc00::/7, fe80::/10: the local network only) or 'local_name' (a host name
    without a dot, or one ending in .local, .lan, ...: resolves only on the local network).
    """
    if not (url or "").strip():
        return "unset"
    try:
        value = normalize_public_url(url)
        host = (urlsplit(value).hostname or "").rstrip(".").lower()
    except (SettingsError, ValueError):
        return "invalid"
    if not host:
        return "invalid"
    if host == "localhost" or host.endswith(".localhost"):
        return "loopback"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if "." not in host or host.endswith(LOCAL_SUFFIXES):
            return "local_name"
        return None
    if address.is_loopback or address.is_unspecified:
        return "loopback"
    if address.is_private or address.is_link_local:
        return "private"
    return None


def base_url_from_page_url(page_url: str | None, page_path: str = "") -> str | None:
    """The app's own address as the browser sees it, from the address of the page being
    shown (``http://10.0.0.5:8502/posters`` -> ``http://10.0.0.5:8502``; a path prefix of
    a reverse proxy stays). None when ``page_url`` is not an http(s) address."""
    if not page_url:
        return None
    parts = urlsplit(page_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    path = parts.path.rstrip("/")
    if page_path and (path == f"/{page_path}" or path.endswith(f"/{page_path}")):
        path = path[: -len(page_path) - 1]
    try:
        return normalize_public_url(f"{parts.scheme}://{parts.netloc}{path}")
    except SettingsError:
        return None


def expected_staff(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """building -> staff expected per working day (``expected_staff:<building>`` settings)."""
    rows = con.execute(
        "SELECT substr(key, length('expected_staff:') + 1), value FROM app_settings WHERE key LIKE 'expected_staff:%'"
    ).fetchall()
    out: dict[str, int] = {}
    for building, value in rows:
        try:
            out[building] = int(value)
        except (TypeError, ValueError):
            continue
    return out


def set_public_base_url(con: duckdb.DuckDBPyConnection, url: str, actor: str) -> bool:
    """Store the address printed in QR posters, e.g. 'https://pantau.bitungkota.go.id'
    (audited). Posters printed before keep the address they were printed with."""
    return db.set_setting_audited(con, PUBLIC_BASE_SETTING, normalize_public_url(url), actor)


def set_retention_days(con: duckdb.DuckDBPyConnection, days: int, actor: str) -> bool:
    if not 1 <= int(days) <= 3650:
        raise SettingsError("bad_retention")
    return db.set_setting_audited(con, "retention_days", str(int(days)), actor)


def set_expected_staff(con: duckdb.DuckDBPyConnection, building: str, staff: int, actor: str) -> bool:
    if int(staff) < 0:
        raise SettingsError("bad_expected_staff")
    return db.set_setting_audited(con, f"expected_staff:{building}", str(int(staff)), actor)


# --- buildings first seen in an import (RULES "Import", last rule) ---------------------------


def new_buildings(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The unconfirmed buildings, by id: building_id, name, timezone, events (scan events
    stored under it), persons (distinct), first_scan and last_scan (UTC instants)."""
    return con.execute(
        """
        SELECT b.building_id, coalesce(b.name, b.building_id) AS name, b.timezone,
               count(e.person_id) AS events, count(DISTINCT e.person_id) AS persons,
               min(e.ts) AS first_scan, max(e.ts) AS last_scan
        FROM buildings b LEFT JOIN events e ON e.building = b.building_id
        WHERE NOT coalesce(b.confirmed, true)
        GROUP BY ALL ORDER BY b.building_id
        """
    ).df()


def list_areas(con: duckdb.DuckDBPyConnection, building: str | None = None) -> pd.DataFrame:
    """Areas: building, area_id, name, area_stay_min (minutes), capacity (people or empty)."""
    where, params = ("WHERE building = ?", [building]) if building else ("", [])
    return con.execute(
        f"SELECT building, area_id, name, area_stay_min, capacity FROM areas {where} ORDER BY building, area_key",
        params,
    ).df()


# --- a building as a user names it (issue 26: the command line speaks the user's words) -----


def building_key(text: str | None) -> str:
    """``text`` as buildings are matched: case ignored, surrounding spaces trimmed and runs of
    spaces read as one ("  Kantor  walikota " is "kantor walikota"). The same rule as
    ``BUILDING_KEY_SQL`` of the importer."""
    return " ".join(str(text or "").split()).lower()


def building_display_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """building id -> display name (its name, else its id), in id order: the one query every
    list, message and export that names buildings uses."""
    rows = con.execute("SELECT building_id, coalesce(name, building_id) FROM buildings ORDER BY 1").fetchall()
    return {str(building_id): str(name) for building_id, name in rows}


def building_lookup(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """``building_key`` of every building's id and display name -> building id.

    An id wins over another building's name of the same spelling; a display name two
    buildings share names neither (the user must say which, by id)."""
    rows = building_display_names(con).items()
    by_name: dict[str, set[str]] = {}
    for building_id, name in rows:
        by_name.setdefault(building_key(name), set()).add(str(building_id))
    lookup = {key: next(iter(ids)) for key, ids in by_name.items() if len(ids) == 1 and key}
    # Ids last, so an id wins over another building's name. Two ids differing only in case
    # share a key here: an exact id is matched before this lookup (resolve_building, the import).
    lookup.update({building_key(building_id): str(building_id) for building_id, _ in rows})
    return lookup


def resolve_building(con: duckdb.DuckDBPyConnection, text: str | None) -> str | None:
    """The id of the building ``text`` names (its id or display name, ignoring case and
    spaces; an exact id first), or None when it names none."""
    if text is None:
        return None
    exact = con.execute("SELECT building_id FROM buildings WHERE building_id = ?", [text.strip()]).fetchall()
    if exact:
        return str(exact[0][0])
    return building_lookup(con).get(building_key(text))


def known_buildings_text(con: duckdb.DuckDBPyConnection) -> str:
    """Every building as ``id (name)``, by id, on one line: what an error about an unknown
    building lists so the user can pick one."""
    rows = building_display_names(con).items()
    return ", ".join(str(b) if str(n) == str(b) else f"{b} ({n})" for b, n in rows)
