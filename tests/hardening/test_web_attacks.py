"""Attacks through the web against a real server (``streamlit run serve.py``) and a real
Chromium: a name written as Markdown by the public page or a file, and a download address
of personal data copied from a browser's history or a proxy's log (RULES "Personal data").
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from lib.ingest import buildings, importer
from lib.store import db, users
from tests.e2e.conftest import (
    AUTH_COOKIE,
    StreamlitServer,
    make_login,
    new_context,
    wait_for_app,
)
from tests.hardening.conftest import start_server

pytestmark = pytest.mark.browser

EVIL_LINK = "[Evakuasi SEKARANG](https://evil.example)"
EVIL_IMAGE = "![x](http://127.0.0.1:9/beacon.png)"
ACCOUNTS: dict[str, str] = {}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """A server whose building has two people inside now, named as Markdown links and images
    (written straight into the database, past every check at the entry), and two accounts."""
    folder = tmp_path_factory.mktemp("web_attacks")
    con = db.connect(folder / "pantau.duckdb")
    buildings.save_building(
        con, buildings.BuildingForm(building_id="kantor", name="Kantor Walikota", timezone="Asia/Makassar",
                                    capacity=50, threshold_mode="people", threshold_people=40), "setup")
    now = datetime.now(UTC)
    importer.record_events(con, [
        {"timestamp": now - timedelta(minutes=30 - index), "person_id": person_id, "building": "kantor",
         "action": "checkin", "name": "Nama", "category": "ASN"}
        for index, person_id in enumerate(("p-link", "p-image"))
    ], "setup", "setup")
    con.execute("UPDATE persons SET name = ? WHERE person_id = 'p-link'", [EVIL_LINK])
    con.execute("UPDATE persons SET name = ? WHERE person_id = 'p-image'", [EVIL_IMAGE])
    con.close()
    ACCOUNTS["kabag"] = users.add_user(folder / "users.yaml", "kabag", "Kabag Umum", ["admin"])
    ACCOUNTS["admin2"] = users.add_user(folder / "users.yaml", "admin2", "Admin Dua", ["admin"])
    server = start_server(folder)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def admin_page(served: StreamlitServer, browser: Any) -> Iterator[Any]:
    """kabag, logged in in Chromium, on the roll-call page."""
    context = new_context(browser, viewport={"width": 1400, "height": 1400}, accept_downloads=True)
    page = context.new_page()
    make_login(page, served)("kabag", ACCOUNTS["kabag"])
    page.goto(served.url + "/rollcall")
    wait_for_app(page)
    page.get_by_role("heading", name="Apel darurat").wait_for()
    yield page
    context.close()


def cookie_of(page: Any) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == AUTH_COOKIE)


def test_a_name_written_as_markdown_is_text_on_the_rollcall_page(admin_page: Any) -> None:
    page = admin_page
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("Evakuasi SEKARANG").first.wait_for()
    # Shown as the characters typed (an invisible word joiner keeps the address from linking).
    shown = main.inner_text().replace("\u2060", "")
    assert EVIL_LINK in shown and EVIL_IMAGE in shown
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert page.locator('img[src*="beacon"]').count() == 0


def test_a_download_address_answers_only_the_logged_in_user_who_made_it(
    served: StreamlitServer, admin_page: Any, browser: Any
) -> None:
    page = admin_page
    with page.expect_download() as info:
        page.get_by_role("button", name="Unduh daftar (CSV)").click()
    address = info.value.url
    assert "/media/" in address, address
    assert "p-link" in Path(info.value.path()).read_text(encoding="utf-8-sig")  # the browser got it

    # Copied from a history or a proxy log: no cookie, a forged one, an expired one.
    assert httpx.get(address).status_code == 403
    forged = jwt.encode({"username": "kabag", "exp_date": time.time() + 3600}, "not-our-key-but-long-enough-for-hs256", algorithm="HS256")
    assert httpx.get(address, cookies={AUTH_COOKIE: forged}).status_code == 403
    assert httpx.get(address, cookies={AUTH_COOKIE: "garbage"}).status_code == 403
    # The owner's own cookie: the file.
    answer = httpx.get(address, cookies={AUTH_COOKIE: cookie_of(page)})
    assert answer.status_code == 200 and b"p-link" in answer.content

    # Another administrator, logged in elsewhere, is not the session that made the file.
    other_context = new_context(browser, viewport={"width": 1400, "height": 1000})
    try:
        other = other_context.new_page()
        make_login(other, served)("admin2", ACCOUNTS["admin2"])
        assert httpx.get(address, cookies={AUTH_COOKIE: cookie_of(other)}).status_code == 403
    finally:
        other_context.close()

    # Everything else passes untouched: the public check-in page needs no login.
    public = httpx.get(served.url + "/checkin")
    assert public.status_code != 403
