"""From the poster on the door to the dashboard, in a real Chromium against `streamlit run`.

The poster's address opens the light check-in page (plain HTML, ``lib.web.phone_page``)
served by the same process as the dashboard, whose Now page counts the tap at once.

Posters are printed to PDF, turned into PNG with pdftoppm and decoded with zbarimg; the
decoded addresses are opened as a visitor would. The server holds the DuckDB file, so
the store is read through the pages while it runs and directly only after it stopped.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from lib.outputs import checkin, posters
from lib.store import db
from lib.web import phone as phone_side
from tests.e2e import conftest as e2e
from tests.e2e.support import decode_poster, poster_store

pytestmark = pytest.mark.browser

KEY = "browser-test-signing-key"
VISITOR_NAME = "Siti Rahmawati – Café"
VISITOR_NIK = "7172014506900001"


def text_colour(locator: object) -> tuple[int, int, int]:
    """The computed colour of the element's text as (r, g, b)."""
    css = locator.evaluate("e => getComputedStyle(e).color")  # type: ignore[attr-defined]
    return tuple(int(v) for v in re.findall(r"\d+", css)[:3])  # type: ignore[return-value]


NOW_CARD = ".st-key-now_building_kantor"
LOGIN_BOX = 'input[aria-label="Nama pengguna"]'


def login_admin(page: object) -> None:
    """Log in with the demo admin account through the real (Indonesian) login form."""
    e2e.fill_login_form(page, "admin", "demo-admin")
    page.wait_for_selector(NOW_CARD)  # type: ignore[attr-defined]
    e2e.finish_login(page)


def now_page_inside(page: object, url: str) -> int:
    """The 'inside now' figure of building 'kantor' on the admin's Now page (a fresh load).

    The login cookie is written one run after the login (``finish_login`` waits for it);
    should a load still show the login form, log in once more.
    """
    page.goto(url + "/now")  # type: ignore[attr-defined]
    page.wait_for_selector(f"{NOW_CARD}, {LOGIN_BOX}")  # type: ignore[attr-defined]
    e2e.wait_for_app(page)
    if page.locator(LOGIN_BOX).count():  # type: ignore[attr-defined]
        login_admin(page)
    card = page.locator(NOW_CARD)  # type: ignore[attr-defined]
    value = card.locator('[data-testid="stMetricValue"]').first.inner_text()
    return int(re.sub(r"\D", "", value))


def tap(page: object, button: str) -> None:
    """Tap the big button of the light check-in page (a plain form: the answer is a new page)."""
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.get_by_role("button", name=button).click()  # type: ignore[attr-defined]


def test_poster_to_checkin_to_dashboard(
    tmp_path: Path, browser: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The store: one building with a gate, two visitors already inside, demo accounts.
    data_dir, con = poster_store(tmp_path, monkeypatch, KEY, capacity=5, threshold=2, inside=2)
    port = e2e.free_port()
    con.execute("INSERT INTO gates VALUES ('kantor', 'utama', 'Pintu Utama')")
    db.set_setting(con, "demo_mode", "1")
    checkin_address = decode_poster(posters.poster_pdf(con, "kantor", "utama", "checkin"), tmp_path / "in")
    checkout_address = decode_poster(posters.poster_pdf(con, "kantor", "utama", "checkout"), tmp_path / "out")
    assert checkin_address == checkin.checkin_url(con, "kantor", "utama", "checkin")
    assert checkin_address.startswith(f"http://127.0.0.1:{port}/checkin?")
    con.close()

    server = e2e.StreamlitServer(data_dir, env={"PANTAU_QR_SIGNING_KEY": KEY, "PANTAU_DEMO": "1"})
    admin = e2e.new_context(browser, viewport={"width": 1400, "height": 1000})
    phone = e2e.new_context(browser, viewport={"width": 412, "height": 915}, is_mobile=True, has_touch=True)
    try:
        assert server.url == f"http://127.0.0.1:{port}"
        dashboard = admin.new_page()
        dashboard.goto(server.url)
        login_admin(dashboard)
        assert now_page_inside(dashboard, server.url) == 2

        visitor = phone.new_page()

        # A hand-edited address (the action switched) is refused, in English on request.
        visitor.goto(checkin_address.replace("a=checkin", "a=checkout") + "&lang=en")
        visitor.get_by_text("This address was changed").wait_for()
        assert visitor.get_by_role("button", name="CHECK OUT now").count() == 0

        # First scan: the form, then the confirmation with the crowd now (over the limit: red).
        visitor.goto(checkin_address)
        visitor.get_by_text("2 orang di dalam, batas 2").wait_for()
        e2e.fill_form([(visitor.get_by_role("textbox", name="Nama lengkap"), VISITOR_NAME),
                       (visitor.get_by_role("textbox", name="NIP / NIK"), VISITOR_NIK)])
        tap(visitor, "MASUK sekarang")
        visitor.get_by_text("Tercatat MASUK pukul").wait_for()
        crowd = visitor.get_by_text("3 orang di dalam, batas 2")
        crowd.wait_for()
        red, green, _ = text_colour(crowd)
        assert red > 150 and green < 100, "over the limit: the crowd line is red"
        visitor.get_by_text("Kantor Wali Kota Bitung · Pintu Utama").wait_for()
        e2e.wait_until(  # set by the answer to the first form ("remember me")
            lambda: any(c["name"] == phone_side.COOKIE_NAME for c in phone.cookies()), "no person cookie on the phone"
        )
        assert VISITOR_NIK not in visitor.url  # personal data never in the address

        assert now_page_inside(dashboard, server.url) == 3  # the Now page went up by one

        # The next scan from the poster is one tap; a second tap within 2 minutes is not counted.
        visitor.goto(checkin_address)
        visitor.get_by_text(f"Halo, {VISITOR_NAME}").wait_for()
        visitor.get_by_text(re.compile(r"Anda sudah di dalam sejak \d\d:\d\d WITA")).wait_for()
        tap(visitor, "MASUK sekarang")
        visitor.get_by_text("sudah tercatat masuk").wait_for()
        visitor.get_by_text("3 orang di dalam, batas 2").wait_for()

        # Check out from the check-out poster.
        visitor.goto(checkout_address)
        tap(visitor, "KELUAR sekarang")
        visitor.get_by_text("Tercatat KELUAR pukul").wait_for()
        visitor.get_by_text("2 orang di dalam, batas 2").wait_for()
        assert now_page_inside(dashboard, server.url) == 2
    finally:
        admin.close()
        phone.close()
        server.stop()

    con = db.connect(data_dir / "pantau.duckdb", read_only=True)
    try:
        events = con.execute(
            "SELECT action, gate, name, category FROM events WHERE person_id = ? ORDER BY ts, action",
            [VISITOR_NIK],
        ).fetchall()
        # The first form declares the visitor; later taps of a known person carry no name or
        # category (RULES "Self check-in": the stored ones stay).
        assert events == [
            ("checkin", "utama", VISITOR_NAME, "visitor"),
            ("checkin", "utama", None, None),
            ("checkout", "utama", None, None),
        ]
        assert con.execute("SELECT name, category FROM persons WHERE person_id = ?", [VISITOR_NIK]).fetchall() == [
            (VISITOR_NAME, "visitor")]
        visits = con.execute(
            "SELECT checkin_at, checkout_at, checkout_kind, gate_in, gate_out FROM visits WHERE person_id = ?",
            [VISITOR_NIK],
        ).fetchall()
        assert len(visits) == 1
        checkin_at, checkout_at, kind, gate_in, gate_out = visits[0]
        assert kind == "scan" and (gate_in, gate_out) == ("utama", "utama") and checkout_at > checkin_at

        # Concurrent occupancy of the building: one more while the visitor was in (RULES "Occupancy").
        def inside_at(instant: datetime) -> int:
            return int(
                con.execute(
                    "SELECT count(*) FROM visits WHERE building = 'kantor' AND checkin_at <= ? "
                    "AND (checkout_at IS NULL OR checkout_at > ?)",
                    [instant, instant],
                ).fetchall()[0][0]
            )

        second = timedelta(seconds=1)
        assert (
            inside_at(checkin_at - second),
            inside_at(checkin_at + second),
            inside_at(checkout_at + second),
        ) == (2, 3, 2)
        assert con.execute(
            "SELECT kind FROM scan_anomalies WHERE person_id = ?", [VISITOR_NIK]
        ).fetchall() == [("duplicate",)]
    finally:
        con.close()
