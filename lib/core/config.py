"""Every process setting Pantau reads from the environment (``PANTAU_*``), in one place.

Each variable has a default and a line of help; ``VARIABLES`` is what the README's table
of settings is checked against (``tests/test_layout.py``). Nothing else in Pantau reads
``os.environ`` for its own settings. Values are read when asked for, not at import, so a
test or a server started with another environment sees its own.

Settings that an administrator changes while the app runs (public address of the QR
posters, retention days, buildings, MAX_STAY, thresholds) live in the database and are
set on the Pengaturan / Settings page, not here.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
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
    Variable(
        "PANTAU_PROVINCE_KEY",
        "",
        "the key the province hands every site (at least 32 characters): `publish` pseudonymises persons with it; empty: `publish` refuses",
    ),
    Variable("PANTAU_LAKE", "", "the province's published data (a folder or `s3://...`): the app shows the Province page; empty: none"),
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
    value = _get("PANTAU_DEMO")
    if value not in (None, "0", "1"):
        raise SettingError("PANTAU_DEMO", str(value), "zero_or_one")
    return value != "0"


def language() -> str | None:
    """The configured language (lower case), or None: the caller falls back to its default."""
    value = _get("PANTAU_LANG")
    if value and value.lower() not in ("id", "en"):
        raise SettingError("PANTAU_LANG", value, "language")
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


class SettingError(ValueError):
    """A ``PANTAU_*`` variable holds a value Pantau cannot use. Refused when the server or
    the command line starts (``check_settings``), naming the variable: a typo must not
    silently become the default (a rate limit of 600 instead of the 60 meant)."""

    def __init__(self, name: str, value: str, expected: str) -> None:
        super().__init__(f"{name}={value!r} cannot be used: {EXPECTED_EN[expected]}")
        self.name, self.value, self.expected = name, value, expected


# What a variable takes, in words (the command line says it in Indonesian too: lib/core/i18n.py).
EXPECTED_EN = {
    "number": "a number greater than 0",
    "whole_number": "a whole number, 0 or more",
    "seconds": "a number of seconds, 0 or more",
    "zero_or_one": "0 or 1",
    "language": "id or en",
    "memory": "a size such as 768MB or 2GB",
    "addresses": "addresses or networks such as 127.0.0.1 or 10.0.0.0/8, comma-separated",
    "province_key": "at least 32 characters",
}
_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)$", re.IGNORECASE)


def _number(name: str, expected: str, minimum: float, strictly_above: bool = False) -> float | None:
    value = _get(name)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise SettingError(name, value, expected) from None
    if not math.isfinite(number) or number < minimum or (strictly_above and number == minimum):
        raise SettingError(name, value, expected)
    if expected == "whole_number" and not number.is_integer():
        raise SettingError(name, value, expected)
    return number


def max_upload_bytes() -> int:
    megabytes = _number("PANTAU_MAX_UPLOAD_MB", "number", 0, strictly_above=True)
    return int((megabytes if megabytes is not None else float(_DEFAULTS["PANTAU_MAX_UPLOAD_MB"])) * 1024 * 1024)


def _memory(name: str) -> str | None:
    value = _get(name)
    if value is not None and not _MEMORY.match(value.strip()):
        raise SettingError(name, value, "memory")
    return value.strip() if value is not None else None


def import_memory_limit() -> str:
    return _memory("PANTAU_IMPORT_MEMORY_LIMIT") or _DEFAULTS["PANTAU_IMPORT_MEMORY_LIMIT"]


_MEMORY_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
                 "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def memory_bytes(text: str) -> int:
    """A memory size as ``PANTAU_*MEMORY*`` variables write it ("768MB", "1.5 GiB"), in bytes."""
    match = _MEMORY.match(text.strip())
    if match is None:
        raise ValueError(f"not a memory size: {text!r}")
    return int(float(text.strip()[: match.start(2)]) * _MEMORY_UNITS[match.group(2).upper()])


def import_retry_memory_limit() -> str:
    """The import's second cap, when the first ran out: four times the first."""
    return f"{memory_bytes(import_memory_limit()) * 4 // 2**20}MiB"


def memory_limit() -> str | None:
    return _memory("PANTAU_MEMORY_LIMIT")


def login_sleep_seconds() -> float | None:
    """None: the authenticator's own default (0.7 s)."""
    return _number("PANTAU_LOGIN_SLEEP", "seconds", 0)


def checkin_rate_limit() -> int:
    """Taps per minute per network address on the phone check-in page; 0: no limit."""
    limit = _number("PANTAU_CHECKIN_RATE_LIMIT", "whole_number", 0)
    return int(limit) if limit is not None else int(_DEFAULTS["PANTAU_CHECKIN_RATE_LIMIT"])


ProxyNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies() -> tuple[ProxyNetwork, ...]:
    """The networks of ``PANTAU_TRUSTED_PROXIES`` (a bare address is a /32 or /128).

    Raises SettingError for a value that is not an address or network:
    a typo here would silently make every phone share the proxy's rate-limit bucket.
    """
    value = _get("PANTAU_TRUSTED_PROXIES") or ""
    networks: list[ProxyNetwork] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingError("PANTAU_TRUSTED_PROXIES", value, "addresses") from None
    return tuple(networks)


LOOPBACK = "127.0.0.1"


def _hop_host(hop: str) -> str:
    """The address of one X-Forwarded-For hop, as uvicorn reads it ('1.2.3.4:80', '[::1]:80')."""
    hop = hop.strip()
    if hop.startswith("[") and "]" in hop:
        return hop[1 : hop.index("]")]
    return hop.rsplit(":", 1)[0] if hop.count(":") == 1 else hop


def client_address(peer: str | None, forwarded_for: str | None) -> str:
    """The address of the client behind a request: the socket's peer, unless the peer is a
    trusted proxy (``trusted_proxies``); then the right-most address of ``X-Forwarded-For``
    that is not itself a trusted proxy (each proxy appends the address it saw, so the ones
    on the left are whatever the client wrote and are never believed).

    uvicorn, the server under Streamlit, has already replaced a loopback peer by an address
    of the request's X-Forwarded-For (its ``FORWARDED_ALLOW_IPS``, read before Pantau's code
    is imported). So a ``peer`` that the request's own header names was put there by uvicorn:
    the real peer was this machine, and ``PANTAU_TRUSTED_PROXIES`` alone decides whether the
    header is believed. (A client naming its own address in the header only joins this
    machine's bucket; it cannot pick another one.) The phone page's rate limits and the
    login throttle both count by this address.
    """
    proxies = trusted_proxies()
    peer = (peer or "").strip() or "unknown"
    if forwarded_for and peer in {_hop_host(hop) for hop in forwarded_for.split(",")}:
        peer = LOOPBACK

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


PROVINCE_KEY_MIN_LENGTH = 32


def province_key() -> str | None:
    """``PANTAU_PROVINCE_KEY`` (RULES "Province"), None when unset; a short key is refused
    (a guessable key would let anyone recompute pseudonyms from NIKs)."""
    value = _get("PANTAU_PROVINCE_KEY")
    if value is not None and len(value.strip()) < PROVINCE_KEY_MIN_LENGTH:
        raise SettingError("PANTAU_PROVINCE_KEY", "…", "province_key")
    return value.strip() if value is not None else None


def lake() -> str | None:
    """``PANTAU_LAKE``: the province's published data the Province page reads, None when unset."""
    value = _get("PANTAU_LAKE")
    return value.strip() if value and value.strip() else None


def check_settings() -> None:
    """Read every ``PANTAU_*`` setting once; raises ``SettingError`` for the first bad one.
    Called where the server and the command line start, before anything is opened."""
    demo_on_first_start()
    language()
    max_upload_bytes()
    import_memory_limit()
    memory_limit()
    login_sleep_seconds()
    checkin_rate_limit()
    trusted_proxies()
    province_key()
