"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest
from hypothesis import settings

from lib.store import db
from tests.support.demo_store import copy_demo_store

if TYPE_CHECKING:
    from tests.support.app import AppEnv


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh database file of its own."""
    connection = db.connect(tmp_path / "pantau.duckdb")
    yield connection
    connection.close()


@pytest.fixture(autouse=True)
def secrets_of_the_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server secret made on first use (the poster's signing key, the pseudonym key of a
    purge) goes into the test's own folder, never into the checkout's ``data/secrets.json``;
    a test or fixture that names its own file still does so."""
    monkeypatch.setenv("PANTAU_SECRETS_FILE", str(tmp_path / "secrets.json"))


@pytest.fixture(autouse=True)
def router_always_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every AppTest runs dashboard.py's router, never a page file on its own
    (``tests.support.app.RouterPagesManager`` says why). Autouse here, so it holds for every
    test module under tests/; patching AppTest costs nothing where no AppTest runs."""
    from tests.support.app import keep_router

    keep_router(monkeypatch)


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppEnv:
    """The dashboard's database of this test (``tests.support.app.make_app_env``): the test
    building 'kantor' with people inside, and the accounts kabag, pimpinan and pelacak."""
    from tests.support.app import make_app_env

    return make_app_env(tmp_path, monkeypatch)


@pytest.fixture(scope="module")
def demo_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, duckdb.DuckDBPyConnection]]:
    """The demo month in a database of its own (``demo_month``), shared by one test
    module's tests: (database file, an open connection)."""
    with demo_month(tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2])) as found:
        yield found


@contextmanager
def demo_month(folder: Path) -> Iterator[tuple[Path, duckdb.DuckDBPyConnection]]:
    """The demo month in a database of its own in ``folder``, the process's ``PANTAU_*``
    pointing at it (for AppTests of the pages) until the block ends."""
    path = folder / "pantau.duckdb"
    patch = pytest.MonkeyPatch()
    patch.setenv("PANTAU_DB", str(path))
    patch.setenv("PANTAU_DATA_DIR", str(folder))
    patch.setenv("PANTAU_SECRETS_FILE", str(folder / "secrets.json"))
    patch.setenv("PANTAU_LOGIN_SLEEP", "0")
    patch.setenv("PANTAU_DEMO", "0")
    con = db.connect(copy_demo_store(path))
    try:
        yield path, con
    finally:
        patch.undo()
        con.close()


def write_csv(path: Path, header: list[str], rows: list[list[object]], delimiter: str = ",") -> Path:
    """A small CSV export as an office would write it."""
    lines = [delimiter.join(header)] + [delimiter.join("" if v is None else str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium through Playwright, one per test process: the browser tests of
    tests/e2e/ and tests/hardening/ share it (two sync Playwrights in one process fail)."""
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is required for browser tests (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    from tests.e2e.conftest import new_context

    context = new_context(browser, viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    tab = context.new_page()
    yield tab
    context.close()


# The same examples on every run, so a red CI always points at a real, reproducible case.
# PANTAU_HYPOTHESIS=random explores new examples (do that when changing a rule).
settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.register_profile("random", derandomize=False, print_blob=True, max_examples=300)
settings.load_profile(os.environ.get("PANTAU_HYPOTHESIS", "deterministic"))
