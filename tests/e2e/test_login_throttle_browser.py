"""Login throttling in a real browser (RULES "Personal data"): five wrong passwords from one
address make that address wait, told with the local time; the owner, from another address,
logs in at once. Behind a trusted proxy (here: the test plays it, ``PANTAU_TRUSTED_PROXIES``
127.0.0.1) the address is the proxy's ``X-Forwarded-For``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lib.store import users
from tests.e2e.conftest import StreamlitServer, fill_login_form, finish_login, new_context, wait_for_app

pytestmark = pytest.mark.browser

PASSWORD: dict[str, str] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    folder: Path = tmp_path_factory.mktemp("throttle")
    PASSWORD["kabag"] = users.add_user(folder / "users.yaml", "kabag", "Kabag Umum", ["admin"])
    started = StreamlitServer(folder, env={"PANTAU_DEMO": "0", "PANTAU_TRUSTED_PROXIES": "127.0.0.1"})
    yield started
    started.stop()


def from_address(browser: Any, address: str) -> Any:
    """A browser whose requests (the app's websocket included) the 'proxy' says come from ``address``."""
    context = new_context(browser, viewport={"width": 1300, "height": 900},
                          extra_http_headers={"X-Forwarded-For": address})
    return context.new_page()


def test_an_attackers_address_waits_while_the_owner_logs_in(server: StreamlitServer, browser: Any) -> None:
    attacker = from_address(browser, "203.0.113.9")
    try:
        attacker.goto(server.url)
        wait_for_app(attacker)
        for attempt in range(users.MAX_FAILED_LOGINS - 1):
            fill_login_form(attacker, "kabag", f"salah-{attempt}")
            attacker.get_by_text("Nama pengguna atau kata sandi salah.").wait_for()
        fill_login_form(attacker, "kabag", "salah-terakhir")
        expected = datetime.now(UTC) + timedelta(seconds=30, hours=8)  # WITA
        alert = attacker.get_by_text(re.compile(r"Coba lagi dalam \d+ detik, pukul \d\d:\d\d WITA"))
        alert.wait_for()
        text = alert.inner_text()
        assert "1970" not in text and "dikunci" not in text
        hour, minute = map(int, re.search(r"pukul (\d\d):(\d\d) WITA", text).groups())  # type: ignore[union-attr]
        assert abs((hour * 60 + minute) - (expected.hour * 60 + expected.minute)) <= 1
        # The right password from the attacker's address is not even tried while it waits.
        fill_login_form(attacker, "kabag", PASSWORD["kabag"])
        alert.wait_for()
        assert attacker.locator('[data-testid="stSidebarNav"]').count() == 0
    finally:
        attacker.context.close()

    owner = from_address(browser, "10.0.0.5")
    try:
        owner.goto(server.url)
        fill_login_form(owner, "kabag", PASSWORD["kabag"])
        finish_login(owner)
        owner.get_by_role("heading", name="Sekarang").wait_for()
    finally:
        owner.context.close()
