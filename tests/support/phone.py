"""Helpers of the phone check-in page's tests over HTTP (tests/hardening/)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

OUTCOME = re.compile(r'data-outcome="([a-z_]+)"')


def outcome(response: httpx.Response) -> str:
    """The page's ``data-outcome`` (checked_in, refused, ...), '' when it has none."""
    found = OUTCOME.search(response.text)
    return found.group(1) if found else ""


def signing_with(data_dir: Path) -> pytest.MonkeyPatch:
    """This process signs with the server's key: the same secrets file (its env sets it)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("PANTAU_SECRETS_FILE", str(data_dir / "secrets.json"))
    patch.delenv("PANTAU_QR_SIGNING_KEY", raising=False)
    return patch


def token_of(client: httpx.Client, address: str) -> str:
    """The form token (``f``) of the page at ``address``."""
    return re.search(r'name="f" value="([^"]+)"', client.get(address).text).group(1)  # type: ignore[union-attr]
