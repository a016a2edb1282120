"""Every process setting Pantau reads from the environment (``PANTAU_*``), in one place.

Each variable has a default and a line of help; ``VARIABLES`` is what the README's table
of settings is checked against (``tests/test_config.py``). Nothing else in Pantau reads
``os.environ`` for its own settings. Values are read when asked for, not at import, so a
test or a server started with another environment sees its own.

Settings that an administrator changes while the app runs (public address of the QR
posters, retention days, buildings, MAX_STAY, thresholds) live in the database and are
set on the Pengaturan / Settings page, not here.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    help: str


VARIABLES: tuple[Variable, ...] = (
    Variable("PANTAU_DB", "data/pantau.duckdb", "the database file of the dashboard and the command line"),
    Variable("PANTAU_DEMO", "1", "`0`: start on an empty database instead of the demo month"),
    Variable("PANTAU_LANG", "id", "language of the command line's messages and the interface's default (`id` or `en`)"),
    Variable("PANTAU_USER", "cli:<login name>", "who the command line acts for in the audit log"),
    Variable("PANTAU_DATA_DIR", "data", "folder of the users file (`users.yaml`)"),
    Variable("PANTAU_SECRETS_FILE", "data/secrets.json", "file of the generated server secrets (git-ignored, mode 0600)"),
    Variable("PANTAU_COOKIE_KEY", "generated", "login cookie key; overrides the generated one in the secrets file"),
    Variable("PANTAU_QR_SIGNING_KEY", "generated", "key that signs the poster addresses; overrides the generated one"),
    Variable("PANTAU_PSEUDONYM_KEY", "generated", "key of the pseudonyms that replace old person ids; overrides the generated one"),
    Variable("PANTAU_MAX_UPLOAD_MB", "200", "largest file the Import page accepts, in megabytes"),
    Variable("PANTAU_IMPORT_MEMORY_LIMIT", "768MB", "DuckDB's memory during the import of a large file (the rest spills to disk)"),
    Variable("PANTAU_MEMORY_LIMIT", "DuckDB's default (80 % of RAM)", "DuckDB's memory for everything else"),
    Variable(
        "PANTAU_CHECKIN_RATE_LIMIT",
        "600",
        "taps per minute the phone check-in page takes from one network address (and 12 per phone); `0` turns both limits off (load tests)",
    ),
    Variable("PANTAU_LOGIN_SLEEP", "0.7", "seconds the login form waits per logged-out run (the tests set 0)"),
    Variable(
        "PANTAU_TRUSTED_PROXIES",
        "",
        "addresses or networks (CIDR), comma-separated, of the reverse proxies whose `X-Forwarded-For` is believed for rate limits and the audit; empty: none",
    ),
)
_DEFAULTS = {variable.name: variable.default for variable in VARIABLES}


def _get(name: str) -> str | None:
    """The variable's value, or None when it is unset or empty."""
    if name not in _DEFAULTS:
        raise KeyError(f"{name} is not a Pantau setting: add it to VARIABLES")
    value = os.environ.get(name)
    return value if value else None


def database_path() -> Path:
    return Path(_get("PANTAU_DB") or _DEFAULTS["PANTAU_DB"])


def demo_on_first_start() -> bool:
    return _get("PANTAU_DEMO") != "0"


def language() -> str | None:
    """The configured language (lower case), or None: the caller falls back to its default."""
    value = _get("PANTAU_LANG")
    return value.lower() if value else None


def cli_user() -> str | None:
    return _get("PANTAU_USER")


def data_dir() -> Path:
    return Path(_get("PANTAU_DATA_DIR") or _DEFAULTS["PANTAU_DATA_DIR"])


def secrets_file() -> Path:
    return Path(_get("PANTAU_SECRETS_FILE") or _DEFAULTS["PANTAU_SECRETS_FILE"])


def secret_override(name: str) -> str | None:
    """``PANTAU_<NAME>`` for a server secret ('cookie_key', 'qr_signing_key', 'pseudonym_key')."""
    return _get(f"PANTAU_{name.upper()}")


def max_upload_bytes() -> int:
    try:
        megabytes = float(_get("PANTAU_MAX_UPLOAD_MB") or _DEFAULTS["PANTAU_MAX_UPLOAD_MB"])
    except ValueError:
        megabytes = float(_DEFAULTS["PANTAU_MAX_UPLOAD_MB"])
    return int(megabytes * 1024 * 1024)


def import_memory_limit() -> str:
    return _get("PANTAU_IMPORT_MEMORY_LIMIT") or _DEFAULTS["PANTAU_IMPORT_MEMORY_LIMIT"]


def memory_limit() -> str | None:
    return _get("PANTAU_MEMORY_LIMIT")


def login_sleep_seconds() -> float | None:
    """None: the authenticator's own default (0.7 s)."""
    value = _get("PANTAU_LOGIN_SLEEP")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def checkin_rate_limit() -> int:
    """Taps per minute per network address on the phone check-in page; 0: no limit."""
    try:
        return max(0, int(_get("PANTAU_CHECKIN_RATE_LIMIT") or _DEFAULTS["PANTAU_CHECKIN_RATE_LIMIT"]))
    except ValueError:
        return int(_DEFAULTS["PANTAU_CHECKIN_RATE_LIMIT"])


ProxyNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies() -> tuple[ProxyNetwork, ...]:
    """The networks of ``PANTAU_TRUSTED_PROXIES`` (a bare address is a /32 or /128).

    Raises ValueError naming the variable for a value that is not an address or network:
    a typo here would silently make every phone share the proxy's rate-limit bucket.
    """
    value = _get("PANTAU_TRUSTED_PROXIES") or ""
    networks: list[ProxyNetwork] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as error:
            raise ValueError(f"PANTAU_TRUSTED_PROXIES: {part!r} is not an address or network ({error})") from error
    return tuple(networks)


def client_address(peer: str | None, forwarded_for: str | None) -> str:
    """The address of the client behind a request: the socket's peer, unless the peer is a
    trusted proxy (``trusted_proxies``); then the right-most address of ``X-Forwarded-For``
    that is not itself a trusted proxy (each proxy appends the address it saw, so the ones
    on the left are whatever the client wrote and are never believed)."""
    proxies = trusted_proxies()
    peer = (peer or "").strip() or "unknown"

    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in proxies)

    if not proxies or not trusted(peer) or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a malformed hop: believe nothing of the header
        if not trusted(hop):
            return hop
    return hops[0] if hops else peer
