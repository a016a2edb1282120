"""Buildings, gates and installation settings as an administrator edits them.

SPEC "Crowding": the crowd threshold (people) is set directly, as a share of capacity, or
from the PPKM level of the office rules (level 1: 100 %, 2: 75 %, 3: 50 %, 4: 25 % of
capacity). Exactly one of ``threshold_people``, ``threshold_share``, ``ppkm_level`` is
stored; a share or level without a capacity gives no threshold.

SPEC "From events to visits": MAX_STAY per building and category. Changing it re-pairs
every person with events in the building (``lib.pairing.repair_all``) in the same
transaction as the change, so visits are never half old and half new.

Installation settings live in ``app_settings``: ``public_base_url`` (the address a phone
opens from a QR poster; ``public_address_problem`` says whether a phone can reach it),
``retention_days`` (SPEC "Personal data", default 30) and ``expected_staff:<building>``
(staff expected per working day, for the check-in compliance of the data-quality page).
Every change writes an audit record.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import duckdb
import pandas as pd

from lib import db, pairing
from lib.crowding import PPKM_SHARES, threshold_from
from lib.timeutil import is_valid_timezone

THRESHOLD_MODES = ("people", "share", "ppkm", "none")
DEFAULT_RETENTION_DAYS = 30
MAX_STAY_LIMIT_MIN = 48 * 60
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
URL_PATTERN = re.compile(r"^https?://[^\s/?#]+(:\d+)?(/[^\s?#]*)?$")


class SettingsError(ValueError):
    """A refused setting; ``code`` names the text ``settings.error.<code>``."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass
class BuildingForm:
    """What the settings form submits for one building. Minutes for MAX_STAY."""

    building_id: str
    name: str
    timezone: str
    capacity: int | None
    threshold_mode: str  # 'people' | 'share' | 'ppkm' | 'none'
    threshold_people: int | None = None
    threshold_share: float | None = None  # 0 < share <= 1
    ppkm_level: int | None = None
    max_stay_asn_min: int = db.DEFAULT_MAX_STAY_MINUTES["ASN"]
    max_stay_thl_min: int = db.DEFAULT_MAX_STAY_MINUTES["THL"]
    max_stay_visitor_min: int = db.DEFAULT_MAX_STAY_MINUTES["visitor"]


def list_buildings(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every building with its settings, ``threshold`` (people, effective) and ``gates`` count."""
    frame = con.execute(
        """
        SELECT b.building_id, coalesce(b.name, b.building_id) AS name, b.timezone, b.capacity,
               b.threshold_people, b.threshold_share, b.ppkm_level,
               b.max_stay_asn_min, b.max_stay_thl_min, b.max_stay_visitor_min,
               (SELECT count(*) FROM gates g WHERE g.building_id = b.building_id) AS gates
        FROM buildings b ORDER BY b.building_id
        """
    ).df()
    frame["threshold"] = [
        threshold_from(r.capacity, r.threshold_people, r.threshold_share, r.ppkm_level)
        for r in frame.itertuples()
    ]
    frame["threshold"] = frame["threshold"].astype("Int64")
    return frame


def thresholds(con: duckdb.DuckDBPyConnection) -> dict[str, int | None]:
    """building -> crowd threshold in people (None when not set)."""
    frame = list_buildings(con)
    return {r.building_id: (None if pd.isna(r.threshold) else int(r.threshold)) for r in frame.itertuples()}


def _validate(form: BuildingForm) -> BuildingForm:
    if not ID_PATTERN.match(form.building_id or ""):
        raise SettingsError("bad_id")
    if not is_valid_timezone((form.timezone or "").strip()):
        raise SettingsError("bad_timezone", timezone=form.timezone)
    if form.capacity is not None and form.capacity < 0:
        raise SettingsError("bad_capacity")
    if form.threshold_mode not in THRESHOLD_MODES:
        raise SettingsError("bad_threshold")
    if form.threshold_mode == "people" and (form.threshold_people is None or form.threshold_people < 0):
        raise SettingsError("bad_threshold")
    if form.threshold_mode == "share" and not (form.threshold_share and 0 < form.threshold_share <= 1):
        raise SettingsError("bad_share")
    if form.threshold_mode == "ppkm" and form.ppkm_level not in PPKM_SHARES:
        raise SettingsError("bad_ppkm")
    if form.threshold_mode in ("share", "ppkm") and not form.capacity:
        raise SettingsError("needs_capacity")
    for minutes in (form.max_stay_asn_min, form.max_stay_thl_min, form.max_stay_visitor_min):
        if not 1 <= int(minutes) <= MAX_STAY_LIMIT_MIN:
            raise SettingsError("bad_max_stay", hours=MAX_STAY_LIMIT_MIN // 60)
    return form


def save_building(con: duckdb.DuckDBPyConnection, form: BuildingForm, actor: str) -> dict[str, object]:
    """Create or update a building; returns the changed fields (old, new) and whether visits
    were re-paired. Raises SettingsError on a bad value; nothing is written then."""
    _validate(form)
    values = {
        "name": (form.name or "").strip() or form.building_id,
        "timezone": form.timezone.strip(),
        "capacity": form.capacity,
        "threshold_people": form.threshold_people if form.threshold_mode == "people" else None,
        "threshold_share": form.threshold_share if form.threshold_mode == "share" else None,
        "ppkm_level": form.ppkm_level if form.threshold_mode == "ppkm" else None,
        "max_stay_asn_min": int(form.max_stay_asn_min),
        "max_stay_thl_min": int(form.max_stay_thl_min),
        "max_stay_visitor_min": int(form.max_stay_visitor_min),
    }
    columns = list(values)
    with db.transaction(con):
        old_rows = con.execute(
            f"SELECT {', '.join(columns)} FROM buildings WHERE building_id = ?", [form.building_id]
        ).fetchall()
        old = dict(zip(columns, old_rows[0], strict=True)) if old_rows else None
        if old is None:
            con.execute(
                f"INSERT INTO buildings (building_id, {', '.join(columns)}) VALUES (?{', ?' * len(columns)})",
                [form.building_id, *values.values()],
            )
            changes = {c: (None, v) for c, v in values.items()}
        else:
            changes = {c: (old[c], v) for c, v in values.items() if old[c] != v}
            if changes:
                assignments = ", ".join(f"{c} = ?" for c in columns)
                con.execute(
                    f"UPDATE buildings SET {assignments} WHERE building_id = ?",
                    [*values.values(), form.building_id],
                )
        repaired = old is not None and any(c.startswith("max_stay_") for c in changes)
        if repaired:
            # SPEC "From events to visits": visits follow the new MAX_STAY.
            pairing.repair_all(con, form.building_id)
        if changes:
            db.write_audit(
                con, actor, "building_create" if old is None else "building_update", form.building_id,
                json.dumps({c: {"old": o, "new": n} for c, (o, n) in changes.items()}, default=str),
                len(changes),
            )
    return {"created": old is None, "changes": changes, "repaired": repaired}


def list_gates(con: duckdb.DuckDBPyConnection, building: str) -> pd.DataFrame:
    """Gates of one building: gate_id, name."""
    return con.execute(
        "SELECT gate_id, coalesce(name, gate_id) AS name FROM gates WHERE building_id = ? ORDER BY gate_id",
        [building],
    ).df()


def save_gate(con: duckdb.DuckDBPyConnection, building: str, gate_id: str, name: str, actor: str) -> bool:
    """Add a gate or rename it; returns True when it was new."""
    if not ID_PATTERN.match(gate_id or ""):
        raise SettingsError("bad_gate_id")
    with db.transaction(con):
        exists = con.execute("SELECT count(*) FROM buildings WHERE building_id = ?", [building]).fetchall()[0][0]
        if not exists:
            raise SettingsError("unknown_building", building=building)
        before = con.execute(
            "SELECT name FROM gates WHERE building_id = ? AND gate_id = ?", [building, gate_id]
        ).fetchall()
        con.execute(
            "INSERT INTO gates VALUES (?, ?, ?) ON CONFLICT (building_id, gate_id) DO UPDATE SET name = excluded.name",
            [building, gate_id, (name or "").strip() or gate_id],
        )
        db.write_audit(
            con, actor, "gate_create" if not before else "gate_update", f"{building}/{gate_id}",
            json.dumps({"name": (name or "").strip() or gate_id}), 1,
        )
    return not before


def retention_days(con: duckdb.DuckDBPyConnection) -> int:
    """Days personal data is kept (SPEC "Personal data"), default 30."""
    value = db.get_setting(con, "retention_days")
    try:
        return int(value) if value is not None else DEFAULT_RETENTION_DAYS
    except ValueError:
        return DEFAULT_RETENTION_DAYS


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


def _set_setting_audited(con: duckdb.DuckDBPyConnection, key: str, value: str, actor: str) -> bool:
    with db.transaction(con):
        old = db.get_setting(con, key)
        if old == value:
            return False
        db.set_setting(con, key, value)
        db.write_audit(con, actor, "setting_change", key, json.dumps({"old": old, "new": value}), 1)
    return True


def set_public_base_url(con: duckdb.DuckDBPyConnection, url: str, actor: str) -> bool:
    """Store the address printed in QR posters, e.g. 'https://pantau.bitungkota.go.id'
    (audited). Posters printed before keep the address they were printed with."""
    return _set_setting_audited(con, PUBLIC_BASE_SETTING, normalize_public_url(url), actor)


def set_retention_days(con: duckdb.DuckDBPyConnection, days: int, actor: str) -> bool:
    if not 1 <= int(days) <= 3650:
        raise SettingsError("bad_retention")
    return _set_setting_audited(con, "retention_days", str(int(days)), actor)


def set_expected_staff(con: duckdb.DuckDBPyConnection, building: str, staff: int, actor: str) -> bool:
    if int(staff) < 0:
        raise SettingsError("bad_expected_staff")
    return _set_setting_audited(con, f"expected_staff:{building}", str(int(staff)), actor)
