"""The dashboard in AppTest: a database of its own with a test building and three accounts,
logged-in sessions, and what a run sends to the browser (text, readable strings, bytes).

The fixtures built on these (``app_env``, ``demo_db`` and the autouse ``router_always_runs``)
are in ``tests/conftest.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from lib.core.i18n import all_texts
from lib.ingest import buildings, importer
from lib.store import db, users
from tests.support import ROOT

DASHBOARD = str(ROOT / "dashboard.py")
# Personal data of the test building: must never reach leadership or anonymous users.
NAMES = ["Siti Rahmawati", "Budi Sondakh", "Grace Lumentut", "Tamu Kunjungan"]
PHONES = ["081234567801", "081234567802", "081234567803", "081234567804"]
# The passwords ``make_app_env`` gave the accounts 'kabag', 'pimpinan' and 'pelacak'.
PASSWORDS: dict[str, str] = {}
# Their accounts file as ``users.add_user`` first wrote it, copied into every later test's folder.
_accounts_file_text: str | None = None


@dataclass
class AppEnv:
    folder: Path
    db_path: Path
    users_path: Path
    now: datetime

    def con(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the app's own connection (one database instance per process)."""
        return db.shared(self.db_path).cursor()


def seed(con: duckdb.DuckDBPyConnection, now: datetime) -> None:
    """Building 'kantor' (threshold 5), three staff inside, one visitor inside, one gone."""
    buildings.save_building(
        con,
        buildings.BuildingForm(building_id="kantor", name="Kantor Walikota", timezone="Asia/Makassar",
                               capacity=10, threshold_mode="people", threshold_people=5),
        "setup",
    )
    rows = []
    for index, (name, phone) in enumerate(zip(NAMES, PHONES, strict=True)):
        category = "visitor" if index == 3 else "ASN"
        rows.append({"timestamp": now - timedelta(minutes=120 - index), "person_id": f"19800101200{index}",
                     "building": "kantor", "action": "checkin", "name": name, "phone": phone,
                     "category": category, "gate": "utama"})
    rows.append({"timestamp": now - timedelta(minutes=30), "person_id": "19800101200" + "3", "building": "kantor",
                 "action": "checkout", "gate": "utama"})
    rows.append({"timestamp": now - timedelta(minutes=20), "person_id": "08129999", "building": "kantor",
                 "action": "checkin", "name": "Pengunjung Baru", "phone": "081299990000", "category": "tamu"})
    importer.record_events(con, rows, "setup", "setup")


def make_app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppEnv:
    """A database of its own with the test building, and three accounts with known passwords."""
    monkeypatch.setenv("PANTAU_DB", str(tmp_path / "pantau.duckdb"))
    monkeypatch.setenv("PANTAU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PANTAU_SECRETS_FILE", str(tmp_path / "secrets.json"))
    monkeypatch.setenv("PANTAU_LOGIN_SLEEP", "0")
    monkeypatch.setenv("PANTAU_DEMO", "0")
    now = datetime.now(UTC)
    env = AppEnv(tmp_path, tmp_path / "pantau.duckdb", tmp_path / "users.yaml", now)
    seed(env.con(), now)
    global _accounts_file_text
    if _accounts_file_text is None:
        for username, roles in (("kabag", ["admin"]), ("pimpinan", ["leadership"]), ("pelacak", ["tracer"])):
            PASSWORDS[username] = users.add_user(env.users_path, username, username.title(), roles)
        _accounts_file_text = env.users_path.read_text(encoding="utf-8")
    else:
        # The same three accounts as the first test's: bcrypt makes each hash cost ~0.4 s
        # on purpose, which was most of every AppTest's setup.
        env.users_path.write_text(_accounts_file_text, encoding="utf-8")
        env.users_path.chmod(0o600)
    return env


class RouterPagesManager(PagesManager):
    """AppTest recreates the pages manager each run and, seeing a pages/ folder, would run
    a page file directly (old multipage mode) instead of dashboard.py: keep the router."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = False


def keep_router(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest runs dashboard.py's router (``tests/conftest.py`` does this for every test)."""
    monkeypatch.setattr(app_test_module, "PagesManager", RouterPagesManager)


# --- sessions -------------------------------------------------------------------------------


def new_app() -> AppTest:
    return AppTest.from_file(DASHBOARD, default_timeout=60)


def app_as(username: str, roles: list[str], language: str = "id") -> AppTest:
    """The dashboard with a logged-in session seeded (CONTRIBUTING "Stack notes" recipe)."""
    at = new_app()
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["name"] = username
    at.session_state["roles"] = roles
    at.session_state["pantau_lang"] = language
    return at


def open_page(page: str, roles: list[str] | None = None, username: str = "kabag", language: str = "id") -> AppTest:
    """The dashboard as ``username`` (``roles``, admin by default) switched to ``page``,
    with no exception on the way."""
    at = app_as(username, roles or ["admin"], language).run()
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def submit_login(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    next(b for b in at.button if b.label in ("Masuk", "Log in")).click()
    return at.run()


# --- what a run shows -----------------------------------------------------------------------


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def audit_rows(env: AppEnv, action: str) -> list[tuple[str, str | None]]:
    return env.con().execute(
        "SELECT actor, subject FROM audit_log WHERE action = ? ORDER BY logged_at", [action]
    ).fetchall()


def tree_text(at: AppTest) -> str:
    """Everything the app sent to the browser in this run, as text (tables included)."""
    parts: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def rendered_bytes(at: AppTest) -> bytes:
    """Everything the browser would receive for this run: every element's protobuf."""
    chunks: list[bytes] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "SerializeToString"):
            chunks.append(proto.SerializeToString())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return b"\n".join(chunks)


def visible_texts(at: AppTest) -> list[str]:
    """What a user can read in this run: texts, labels, options, metrics and table cells."""
    out: list[str] = []

    def add(value: object) -> None:
        if isinstance(value, str):
            out.append(value)

    def walk(node: Any) -> None:
        kind = getattr(node, "type", "")
        if kind in ("markdown", "caption", "title", "header", "subheader", "text", "code", "latex", "exception",
                    "alert", "error", "warning", "info", "success", "toast"):
            add(getattr(node, "value", None))
        for attribute in ("label", "delta", "help", "placeholder"):
            try:
                add(getattr(node, attribute, None))
            except Exception:  # noqa: BLE001 - some elements lack the attribute's proto field
                pass
        if kind == "metric":
            add(node.value)
        try:
            options = getattr(node, "options", None)
        except Exception:  # noqa: BLE001
            options = None
        if isinstance(options, list):
            for option in options:
                add(option)
        if kind in ("arrow_data_frame", "arrow_table", "dataframe", "table"):
            frame = node.value
            if isinstance(frame, pd.DataFrame):
                out.extend(str(c) for c in frame.columns)
                for column in frame.columns:
                    for cell in frame[column]:
                        # A missing cell is drawn as "None" by the data grid.
                        out.append("None" if cell is None or (not isinstance(cell, str) and pd.isna(cell)) else str(cell))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


# --- raw text keys and missing values on screen -----------------------------------------------

TEXT_KEYS = set(all_texts())
TEXT_KEY_PREFIXES = {key.split(".")[0] for key in TEXT_KEYS}
# Something shaped like a text key: word.word[.word...], lower case.
KEY_SHAPE = re.compile(r"(?<![\w./@-])([a-z_]+(?:\.[a-z0-9_]+)+)(?![\w/@-])")
MISSING_VALUE = re.compile(r"(?<![\w.])(nan|NaN|None|NaT|<NA>)(?![\w.])")


def raw_keys(texts: list[str]) -> list[str]:
    """Text keys (known ones, or any word.word with a key's first word) and missing values."""
    found: list[str] = []
    for text in texts:
        for match in KEY_SHAPE.findall(text):
            if match in TEXT_KEYS or match.split(".")[0] in TEXT_KEY_PREFIXES:
                found.append(f"key {match!r} in {text[:80]!r}")
        for match in MISSING_VALUE.findall(text):
            found.append(f"missing value {match!r} in {text[:80]!r}")
    return found


# --- personal data ------------------------------------------------------------------------------


def assert_no_seeded_personal_data(at: AppTest) -> None:
    """No name or phone of ``make_app_env``'s test building anywhere in the run's text."""
    text = tree_text(at)
    for secret in [*NAMES, *PHONES, "Pengunjung Baru", "081299990000"]:
        assert secret not in text


def personal_data(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every name and phone number of the database (long enough not to match by chance)."""
    rows = con.execute("SELECT name, phone FROM persons").fetchall()
    values = {v for row in rows for v in row if v and len(v) >= 6}
    assert len(values) > 100
    return sorted(values)


def assert_no_personal_data_in(blob: bytes, values: list[str]) -> None:
    """None of ``values`` (``personal_data`` of a demo database, say) in ``blob``, the bytes
    a run sent (``rendered_bytes``) or a download."""
    leaked = [v for v in values if v.encode() in blob]
    assert not leaked, leaked[:5]
