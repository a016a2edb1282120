"""Dashboard accounts: a small YAML file of users with bcrypt hashes, roles and login throttling.

The file is ``$PANTAU_DATA_DIR/users.yaml`` (default ``data/users.yaml``, git-ignored) and
holds only bcrypt hashes, never a password. Passwords are generated here
(``secrets.token_urlsafe``), shown once to the administrator and then forgotten.

Rules (issue 6, "Secrets and accounts"):
- Roles: ``admin`` (Kabag Umum, building admins), ``leadership`` (pimpinan), ``tracer``
  (pelacak), ``desk`` (front desk: a receptionist or guard, the desk page only); a user may
  have several, and a user with none sees no page.
- Failed logins are throttled per network address, never by locking the account (RULES
  "Personal data"): after ``MAX_FAILED_LOGINS`` wrong passwords for one account from one
  address, that address waits before its next try, ``THROTTLE_FIRST_WAIT_SECONDS`` and
  twice as long after each further failure, at most ``THROTTLE_MAX_WAIT_SECONDS``. Anyone
  who knows a username could otherwise lock its owner out again and again; now the owner,
  from another address, logs in as usual. A successful login from an address clears its
  count; an address quiet for ``THROTTLE_FORGET_SECONDS`` starts afresh; an administrator
  can clear every wait at once. The counts are ours, stored in this file (the library's own
  counter lives in memory of one run only).
- Logout and password reset end every session of the user: ``sessions_valid_after`` is
  set to now, and a re-authentication cookie issued before it is refused.
- Outside demo mode there is no default password: when the file has no user, one ``admin``
  account is created with a generated password that the caller prints once.

Writes take an exclusive lock on ``users.yaml.lock`` and replace the file atomically, so
two sessions counting failures at once never lose a write. No Streamlit here.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import bcrypt
import pandas as pd
import yaml

from lib.core import config
from lib.core.errors import PantauError
from lib.core.i18n import LANGUAGES
from lib.core.text import clean_text

ROLES = ("admin", "leadership", "tracer", "desk")
MAX_FAILED_LOGINS = 5  # wrong passwords from one address for one account before it waits
THROTTLE_FIRST_WAIT_SECONDS = 30
THROTTLE_MAX_WAIT_SECONDS = 15 * 60
THROTTLE_FORGET_SECONDS = 24 * 3600
THROTTLE_ADDRESSES_KEPT = 100  # per account: many addresses never grow the file without end
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
# Demo accounts (README): only created while the database is in demo mode.
DEMO_ACCOUNTS: dict[str, tuple[str, list[str], str]] = {
    "admin": ("demo-admin", ["admin"], "Admin (demo)"),
    "pimpinan": ("demo-pimpinan", ["leadership"], "Pimpinan (demo)"),
    "pelacak": ("demo-pelacak", ["tracer"], "Pelacak (demo)"),
    "resepsionis": ("demo-resepsionis", ["desk"], "Resepsionis (demo)"),
}


class UserError(PantauError, ValueError):
    """A refused account change; ``code`` names the text ``users.error.<code>``."""

    TEXT_PREFIX = "users.error."


def users_path() -> Path:
    """``$PANTAU_DATA_DIR/users.yaml``, default ``data/users.yaml``."""
    return config.data_dir() / "users.yaml"


def generate_password() -> str:
    """16 URL-safe random characters (about 96 bits)."""
    return secrets.token_urlsafe(12)


def hash_password(password: str) -> str:
    """bcrypt hash as streamlit-authenticator's ``Hasher.hash`` makes it (same format)."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("utf-8")


def check_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), hashed.encode("utf-8"))
    except ValueError:
        return False


def normalize_username(username: str) -> str:
    """Lower case and trimmed, as the login form reads it; refuses anything odd."""
    name = (username or "").strip().lower()
    if not USERNAME_PATTERN.match(name):
        raise UserError("bad_username")
    return name


def _clean_roles(roles: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise UserError("bad_role", role=", ".join(unknown))
    return [r for r in ROLES if r in set(roles)]


_cache: dict[str, tuple[float, int, dict[str, dict[str, Any]]]] = {}


def load_users(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """username -> record (name, password hash, roles, throttle per address, ...).

    Re-read only when the file changed (mtime and size), so a page may call it each run.
    """
    file = path or users_path()
    try:
        stat = file.stat()
    except FileNotFoundError:
        return {}
    key = str(file.resolve())
    cached = _cache.get(key)
    if cached and cached[0] == stat.st_mtime and cached[1] == stat.st_size:
        return {u: dict(r) for u, r in cached[2].items()}
    data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    users = {str(u).lower(): dict(r or {}) for u, r in ((data.get("credentials") or {}).get("usernames") or {}).items()}
    _cache[key] = (stat.st_mtime, stat.st_size, users)
    return {u: dict(r) for u, r in users.items()}


def _save(file: Path, users: dict[str, dict[str, Any]]) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_name(file.name + ".tmp")
    text = yaml.safe_dump({"credentials": {"usernames": users}}, sort_keys=True, allow_unicode=True)
    temporary.write_text(text, encoding="utf-8")
    os.chmod(temporary, 0o600)
    temporary.replace(file)


@contextmanager
def _editing(path: Path | None = None) -> Iterator[dict[str, dict[str, Any]]]:
    """Read-modify-write under an exclusive file lock; the dict yielded is saved on exit."""
    file = path or users_path()
    file.parent.mkdir(parents=True, exist_ok=True)
    with open(file.with_name(file.name + ".lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _cache.pop(str(file.resolve()), None)
            users = load_users(file)
            yield users
            _save(file, users)
            _cache.pop(str(file.resolve()), None)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _require(users: dict[str, dict[str, Any]], username: str) -> dict[str, Any]:
    record = users.get(username.strip().lower())
    if record is None:
        raise UserError("unknown_user", username=username)
    return record


def _new_record(name: str, password: str, roles: list[str], demo: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "password": hash_password(password),
        "roles": roles,
        "throttle": {},
        "sessions_valid_after": 0.0,
        "demo": demo,
    }


def add_user(path: Path | None, username: str, name: str, roles: list[str]) -> str:
    """Create an account; returns its generated password (show it once, store it nowhere)."""
    user = normalize_username(username)
    clean = _clean_roles(roles)
    if not clean:
        raise UserError("no_roles")
    password = generate_password()
    with _editing(path) as users:
        if user in users:
            raise UserError("exists", username=user)
        users[user] = _new_record(clean_text(name, -1) or user, password, clean)
    return password


def set_roles(path: Path | None, username: str, roles: list[str]) -> list[str]:
    """Replace the roles of a user; the last active administrator keeps ``admin``
    (a deactivated administrator manages nothing)."""
    clean = _clean_roles(roles)
    with _editing(path) as users:
        record = _require(users, username)
        if "admin" in record.get("roles", []) and "admin" not in clean and _active_admins(users) == [username]:
            raise UserError("last_admin")
        record["roles"] = clean
    return clean


def reset_password(path: Path | None, username: str, now: float | None = None) -> str:
    """A new generated password (returned once); clears every wait and ends the user's sessions."""
    password = generate_password()
    with _editing(path) as users:
        record = _require(users, username)
        record["password"] = hash_password(password)
        _clear_throttle(record)
        record["sessions_valid_after"] = now if now is not None else time.time()
        record["demo"] = False
    return password


def _clear_throttle(record: dict[str, Any]) -> None:
    record["throttle"] = {}
    for old in ("failed_logins", "locked_until"):  # the account lock of older versions
        record.pop(old, None)


def unlock(path: Path | None, username: str) -> None:
    """An administrator clears the failure counts and waits of every address at once."""
    with _editing(path) as users:
        _clear_throttle(_require(users, username))


def throttle_wait_seconds(failures: int) -> float:
    """Seconds an address waits after its ``failures``-th wrong password in a row for one
    account: none before ``MAX_FAILED_LOGINS``, then 30 s, 60 s, 120 s ... at most 15 minutes."""
    if failures < MAX_FAILED_LOGINS:
        return 0.0
    doublings = min(failures - MAX_FAILED_LOGINS, 16)
    return float(min(THROTTLE_FIRST_WAIT_SECONDS * 2**doublings, THROTTLE_MAX_WAIT_SECONDS))


def _entries(record: dict[str, Any] | None, now: float) -> dict[str, dict[str, float]]:
    """The record's per-address counts still remembered at ``now``."""
    entries = (record or {}).get("throttle") or {}
    return {
        str(address): dict(entry)
        for address, entry in entries.items()
        if isinstance(entry, dict) and now - float(entry.get("last") or 0.0) < THROTTLE_FORGET_SECONDS
    }


def throttled_until(record: dict[str, Any] | None, address: str, now: float | None = None) -> float | None:
    """Epoch seconds until which ``address`` must wait before trying this account's
    password again, or None when it may try now. Other addresses are not affected."""
    instant = now if now is not None else time.time()
    until = float(_entries(record, instant).get(address, {}).get("until") or 0.0)
    return until if until > instant else None


def locked_until(record: dict[str, Any] | None, now: float | None = None) -> float | None:
    """The latest instant any address waits until for this account (None: nobody waits).

    The account itself is never locked; this tells the Users page that some address is
    being slowed down, so an administrator may clear it."""
    instant = now if now is not None else time.time()
    waits = [float(e.get("until") or 0.0) for e in _entries(record, instant).values()]
    latest = max(waits, default=0.0)
    return latest if latest > instant else None


def failed_logins(record: dict[str, Any] | None, now: float | None = None) -> int:
    """Wrong passwords in a row still remembered, summed over the addresses."""
    instant = now if now is not None else time.time()
    return sum(int(e.get("failures") or 0) for e in _entries(record, instant).values())


def record_failed_login(path: Path | None, username: str, now: float | None = None,
                        address: str = "unknown") -> tuple[int, float | None]:
    """Count one wrong password from ``address``; returns (its failures in a row, the
    instant it may try again or None).

    Unknown usernames are not stored (no account to protect) and return (0, None).
    """
    instant = now if now is not None else time.time()
    with _editing(path) as users:
        record = users.get(username.strip().lower())
        if record is None:
            return 0, None
        entries = _entries(record, instant)
        failures = int(entries.get(address, {}).get("failures") or 0) + 1
        wait = throttle_wait_seconds(failures)
        entries[address] = {"failures": failures, "last": instant, "until": instant + wait if wait else 0.0}
        kept = sorted(entries.items(), key=lambda item: float(item[1]["last"]), reverse=True)[:THROTTLE_ADDRESSES_KEPT]
        record["throttle"] = dict(kept)
        for old in ("failed_logins", "locked_until"):
            record.pop(old, None)
        return failures, (instant + wait if wait else None)


def record_successful_login(path: Path | None, username: str, address: str = "unknown",
                            now: float | None = None) -> None:
    """The right password from ``address``: its count starts again (other addresses keep theirs)."""
    with _editing(path) as users:
        record = users.get(username.strip().lower())
        if record is not None:
            entries = _entries(record, now if now is not None else time.time())
            entries.pop(address, None)
            record["throttle"] = entries
            for old in ("failed_logins", "locked_until"):
                record.pop(old, None)


def end_sessions(path: Path | None, username: str, now: float | None = None) -> None:
    """Logout: every re-authentication cookie of this user issued before now is refused."""
    with _editing(path) as users:
        record = users.get(username.strip().lower())
        if record is not None:
            record["sessions_valid_after"] = now if now is not None else time.time()


def session_allowed(record: dict[str, Any] | None, issued_at: float) -> bool:
    """A cookie issued at ``issued_at`` (epoch s) may log in: user exists, has a role,
    and neither logged out nor had the password reset since."""
    if not record or not record.get("roles"):
        return False
    return issued_at > float(record.get("sessions_valid_after") or 0.0)


def credentials(users: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The dict streamlit-authenticator expects (hashes only, ``auto_hash=False``)."""
    return {
        "usernames": {
            u: {"name": r.get("name") or u, "password": r.get("password"), "roles": list(r.get("roles") or []),
                "email": None}
            for u, r in users.items()
            if r.get("password")
        }
    }


def ensure_initial_accounts(path: Path | None, demo: bool) -> tuple[str, str] | None:
    """Demo mode: the demo accounts exist (an existing account is left as it is).

    Otherwise, when there is no user at all: create ``admin`` with a generated password
    and return (username, password) for the caller to show once; else None.
    """
    with _editing(path) as users:
        if demo:
            for username, (password, roles, name) in DEMO_ACCOUNTS.items():
                if username not in users:
                    users[username] = _new_record(name, password, roles, demo=True)
            return None
        if users:
            return None
        password = generate_password()
        users["admin"] = _new_record("Administrator", password, ["admin"])
        return "admin", password


def list_users(path: Path | None = None, now: float | None = None) -> pd.DataFrame:
    """One row per account, no hashes: username, name, roles (list), failed_logins (summed
    over the addresses), throttled_until (the latest wait of any address, UTC timestamp or
    NaT), demo."""
    instant = now if now is not None else time.time()
    rows = [
        {
            "username": u,
            "name": r.get("name") or u,
            "roles": list(r.get("roles") or []),
            "failed_logins": failed_logins(r, instant),
            "throttled_until": pd.Timestamp(locked_until(r, instant), unit="s", tz="UTC")
            if locked_until(r, instant) is not None
            else pd.NaT,
            "demo": bool(r.get("demo")),
        }
        for u, r in sorted(load_users(path).items())
    ]
    columns = ["username", "name", "roles", "failed_logins", "throttled_until", "demo"]
    return pd.DataFrame(rows, columns=columns)


# --- deactivating and deleting accounts ----------------------------------------------------
# A deactivated account keeps its record (name, roles) but cannot log in, and a session
# already open ends at its next run; an administrator can reactivate it. Records without
# the ``active`` field (older files) are active.


def is_active(record: dict[str, Any] | None) -> bool:
    """True unless the account was deactivated (a missing record is not active)."""
    return bool(record) and record.get("active", True) is not False  # type: ignore[union-attr]


def _refuse_last_active_admin(users: dict[str, dict[str, Any]], username: str) -> None:
    """The last active administrator may be neither deactivated nor deleted: nobody could
    manage the accounts afterwards."""
    if _active_admins(users) == [username]:
        raise UserError("last_active_admin", username=username)


def _active_admins(users: dict[str, dict[str, Any]]) -> list[str]:
    return [u for u, r in users.items() if "admin" in (r.get("roles") or []) and is_active(r)]


def set_active(path: Path | None, username: str, active: bool, now: float | None = None) -> bool:
    """Deactivate (``active`` False) or reactivate an account; returns whether it changed.

    Deactivating ends every session of the user (as a logout does), so reactivating later
    does not bring an old cookie back to life."""
    with _editing(path) as users:
        user = username.strip().lower()
        record = _require(users, user)
        if is_active(record) == active:
            return False
        if not active:
            _refuse_last_active_admin(users, user)
            record["sessions_valid_after"] = now if now is not None else time.time()
        record["active"] = bool(active)
    return True


def delete_user(path: Path | None, username: str) -> None:
    """Remove an account for good (its audit records stay)."""
    with _editing(path) as users:
        user = username.strip().lower()
        _require(users, user)
        _refuse_last_active_admin(users, user)
        del users[user]


def user_language(path: Path | None, username: str) -> str | None:
    """The display language the user chose last ('id' or 'en'), None if never chosen.

    Kept with the account so the choice survives a reload and a new login.
    """
    record = load_users(path).get((username or "").strip().lower())
    value = (record or {}).get("language")
    return str(value) if value in LANGUAGES else None


def set_user_language(path: Path | None, username: str, language: str) -> None:
    """Remember ``language`` ('id' or 'en') for the user; an unknown user is ignored."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language: {language!r}")
    with _editing(path) as users:
        record = users.get((username or "").strip().lower())
        if record is not None:
            record["language"] = language
