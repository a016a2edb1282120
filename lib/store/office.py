"""The building manager's settings: office hours, work-from-office limits, alert webhook, backups.

Kept in ``app_settings`` like the other installation settings (``lib.store.places``);
every change is audited (``setting_change``). The choices behind the defaults are in
RULES "Choices where the rules were silent".

- ``office_hours``: ``HH:MM-HH:MM`` local time, Monday to Friday (default 07:30-16:00).
- ``wfo_limit:building:<id>`` / ``wfo_limit:unit:<unit>``: the share of a unit's staff
  allowed on site (0..1), typed directly or from a PPKM level (1: 100 %, 2: 75 %, 3: 50 %,
  4: 25 %, the office rules' table, as for crowd thresholds).
- ``alert_webhook_url``: an http(s) address that receives alerts as JSON (empty: none).
- ``backup_keep``: how many nightly backups are kept (default 7).
"""

from __future__ import annotations

import re
from datetime import time
from urllib.parse import urlsplit

import duckdb

from lib.store import db
from lib.store.places import PPKM_SHARES, SettingsError

OFFICE_HOURS_KEY = "office_hours"
DEFAULT_OFFICE_HOURS = (time(7, 30), time(16, 0))
OFFICE_DAYS = (0, 1, 2, 3, 4)  # Monday to Friday (Python's weekday numbers)
WEBHOOK_KEY = "alert_webhook_url"
BACKUP_KEEP_KEY = "backup_keep"
DEFAULT_BACKUP_KEEP = 7
WFO_PREFIX = "wfo_limit:"
WFO_SCOPES = ("building", "unit")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


# --- office hours -------------------------------------------------------------------


def parse_office_hours(text: str) -> tuple[time, time]:
    """'07:30-16:00' -> (07:30, 16:00); SettingsError('bad_office_hours') unless start < end."""
    match = _HOURS.match(text or "")
    if not match:
        raise SettingsError("bad_office_hours")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h1, m1) >= (h2, m2):
        raise SettingsError("bad_office_hours")
    return time(h1, m1), time(h2, m2)


def office_hours(con: duckdb.DuckDBPyConnection) -> tuple[time, time]:
    """(start, end) of office hours, local time of each building, Monday to Friday."""
    value = db.get_setting(con, OFFICE_HOURS_KEY)
    if value:
        try:
            return parse_office_hours(value)
        except SettingsError:
            pass
    return DEFAULT_OFFICE_HOURS


def set_office_hours(con: duckdb.DuckDBPyConnection, text: str, actor: str) -> bool:
    start, end = parse_office_hours(text)
    return db.set_setting_audited(con, OFFICE_HOURS_KEY, f"{start:%H:%M}-{end:%H:%M}", actor)


# --- work-from-office limits ---------------------------------------------------------


def wfo_limits(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, float]]:
    """{'building': {id: share}, 'unit': {unit: share}}: the share of staff allowed on site."""
    out: dict[str, dict[str, float]] = {scope: {} for scope in WFO_SCOPES}
    rows = con.execute("SELECT key, value FROM app_settings WHERE starts_with(key, ?)", [WFO_PREFIX]).fetchall()
    for key, value in rows:
        scope, _, name = str(key)[len(WFO_PREFIX):].partition(":")
        try:
            share = float(value)
        except (TypeError, ValueError):
            continue
        if scope in out and name:
            out[scope][name] = share
    return out


def wfo_share(share: float | None = None, ppkm_level: int | None = None) -> float:
    """The limit as a share: given directly (0..1), or from a PPKM level's preset."""
    if ppkm_level is not None:
        if int(ppkm_level) not in PPKM_SHARES:
            raise SettingsError("bad_wfo_limit")
        return PPKM_SHARES[int(ppkm_level)]
    if share is None or not 0 <= float(share) <= 1:
        raise SettingsError("bad_wfo_limit")
    return round(float(share), 4)


def set_wfo_limit(
    con: duckdb.DuckDBPyConnection, scope: str, name: str, share: float | None, actor: str
) -> bool:
    """Set (a share 0..1) or clear (None) the limit of a building or a unit (audited)."""
    if scope not in WFO_SCOPES or not (name or "").strip():
        raise SettingsError("bad_wfo_limit")
    value = None if share is None else repr(wfo_share(share))
    return db.set_setting_audited(con, f"{WFO_PREFIX}{scope}:{name.strip()}", value, actor)


# --- alert webhook ---------------------------------------------------------------------


def webhook_url(con: duckdb.DuckDBPyConnection) -> str | None:
    """The address alerts are posted to, None when none is set."""
    return (db.get_setting(con, WEBHOOK_KEY) or "").strip() or None


def normalize_webhook_url(url: str) -> str:
    """``url`` trimmed; SettingsError('bad_webhook') unless http(s) with a host and no spaces."""
    value = (url or "").strip()
    parts = urlsplit(value)
    try:
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        port_ok = False
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in value or not port_ok:
        raise SettingsError("bad_webhook")
    return value


def set_webhook_url(con: duckdb.DuckDBPyConnection, url: str, actor: str) -> bool:
    """Store the webhook address (an empty text removes it); audited."""
    value = normalize_webhook_url(url) if (url or "").strip() else None
    return db.set_setting_audited(con, WEBHOOK_KEY, value, actor)


# --- backups ---------------------------------------------------------------------------


def backup_keep(con: duckdb.DuckDBPyConnection) -> int:
    """How many nightly backups are kept (default 7, at least 1)."""
    try:
        return max(1, int(db.get_setting(con, BACKUP_KEEP_KEY) or DEFAULT_BACKUP_KEEP))
    except ValueError:
        return DEFAULT_BACKUP_KEEP


def set_backup_keep(con: duckdb.DuckDBPyConnection, keep: int, actor: str) -> bool:
    if not 1 <= int(keep) <= 365:
        raise SettingsError("bad_backup_keep")
    return db.set_setting_audited(con, BACKUP_KEEP_KEY, str(int(keep)), actor)
