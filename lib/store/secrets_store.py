"""Server secrets (cookie key, QR signing key): never in the repository.

A secret comes from the environment (``PANTAU_<NAME>``) or from ``data/secrets.json``
(git-ignored), where it is generated with ``secrets.token_urlsafe`` on first use and
kept readable by the owner only.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from lib.core import config

SECRETS_FILE_NAME = "secrets.json"


def secrets_path() -> Path:
    return config.secrets_file()


def get_secret(name: str) -> str:
    """The secret ``name`` ('cookie_key', 'qr_signing_key', ...), created once if absent."""
    from_env = config.secret_override(name)
    if from_env:
        return from_env
    path = secrets_path()
    stored: dict[str, str] = {}
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8") or "{}")
    if name not in stored:
        stored[name] = secrets.token_urlsafe(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(stored, indent=1), encoding="utf-8")
        os.chmod(temporary, 0o600)
        temporary.replace(path)
    return stored[name]
