"""Server secrets (cookie key, QR signing key, pseudonym key): never in the repository.

A secret comes from the environment (``PANTAU_<NAME>``) or from ``data/secrets.json``
(git-ignored), where it is generated with ``secrets.token_urlsafe`` on first use and
kept readable by the owner only (RULES "Personal data").

Several processes may start at once on one secrets file (the server and a command-line
``poster`` or ``purge``), and a key handed out must never be replaced afterwards: a lost
QR signing key voids every printed poster, a lost pseudonym key splits a person's old
weeks. So a missing secret is created under an exclusive lock on ``secrets.json.lock``,
after reading the file again under that lock, and the file is replaced atomically (a
unique temporary file, synced, then renamed), so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

from lib.core import config

SECRETS_FILE_NAME = "secrets.json"
LOCK_SUFFIX = ".lock"


def secrets_path() -> Path:
    return config.secrets_file()


def _read(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    stored = json.loads(text or "{}")
    if not isinstance(stored, dict):
        raise ValueError(f"{path.name} is not a JSON object")
    return {str(k): str(v) for k, v in stored.items()}


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock shared by every process using ``path`` (a lock file beside it)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(str(path) + LOCK_SUFFIX, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _write_atomically(path: Path, stored: dict[str, str]) -> None:
    """Replace ``path`` by a complete, synced file readable by the owner only."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:  # mkstemp: mode 0600
            json.dump(stored, handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename survives a power cut
    finally:
        os.close(folder)


def get_secret(name: str) -> str:
    """The secret ``name`` ('cookie_key', 'qr_signing_key', ...), created once if absent."""
    from_env = config.secret_override(name)
    if from_env:
        return from_env
    path = secrets_path()
    if path.exists():
        stored = _read(path)  # the file is only ever replaced whole: no lock needed to read
        if name in stored:
            return stored[name]
    with _locked(path):
        stored = _read(path)  # another process may have created it while we waited
        if name not in stored:
            stored[name] = secrets.token_urlsafe(32)
            _write_atomically(path, stored)
        return stored[name]
