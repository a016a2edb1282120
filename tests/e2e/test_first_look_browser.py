"""What a building manager sees first, in a real Chromium (issue "Day one, round two", 6-8).

AppTest sees what a page sends; this checks what Chromium makes of it: the Now page's
"set the threshold" link (a button inside the live fragment) really opens Settings on
that building, an alert's list of people shows every row, and the attendance table is
drawn as tall as its units (no inner scroll bar).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from lib.ingest import buildings
from lib.store import db
from tests.e2e.conftest import StreamlitServer, click_and_wait, make_login, open_menu, wait_for_app
from tests.support.demo_store import copy_demo_store

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """The demo month plus a building nobody has given a crowd threshold yet."""
    folder = tmp_path_factory.mktemp("first_look")
    path = folder / "pantau.duckdb"
    con = db.connect(copy_demo_store(path))
    buildings.save_building(con, buildings.BuildingForm(building_id="arsip", name="Arsip Daerah",
                                                        timezone=db.DEFAULT_TIMEZONE, capacity=None,
                                                        threshold_mode="none"), "setup")
    con.close()
    server = StreamlitServer(folder, env={"PANTAU_DEMO": "1"})
    yield server
    server.stop()


def test_now_leads_to_the_buildings_settings_and_attendance_shows_every_unit(office: StreamlitServer,
                                                                            page: object) -> None:
    page.set_viewport_size({"width": 1400, "height": 1600})  # type: ignore[attr-defined]
    make_login(page, office)("admin", "demo-admin")
    page.get_by_role("heading", name="Sekarang").wait_for()  # type: ignore[attr-defined]
    card = page.locator(".st-key-now_building_arsip")  # type: ignore[attr-defined]
    expect(card).to_contain_text("Ambang kerumunan belum diatur")
    wait_for_app(page)
    assert card.inner_text().count("belum diatur") == 1, card.inner_text()  # said once
    # The cards follow the names: Arsip Daerah first.
    first_card = page.locator('[class*="st-key-now_building_"]').first  # type: ignore[attr-defined]
    expect(first_card).to_contain_text("Arsip Daerah")
    expect(page.locator(".st-key-now_all_buildings")).to_contain_text("Semua gedung")  # type: ignore[attr-defined]

    click_and_wait(card.get_by_role("button", name="Atur ambang di Pengaturan →"))
    page.get_by_role("heading", name="Pengaturan").first.wait_for()  # type: ignore[attr-defined]
    wait_for_app(page)
    chosen = page.locator('[data-testid="stSelectbox"]').filter(has_text="Gedung yang diubah")  # type: ignore[attr-defined]
    expect(chosen.locator("input")).to_have_value("Arsip Daerah (arsip)")

    open_menu(page, "Kehadiran per unit")
    frame = page.locator('[data-testid="stDataFrame"]').first  # type: ignore[attr-defined]
    frame.wait_for()
    # The server holds the database file: the grid says how many rows it has (header included).
    rows = int(frame.locator("table").first.get_attribute("aria-rowcount") or 0)
    assert rows > 11, rows  # a header and more than ten units
    box = frame.bounding_box()
    assert box is not None
    # Every row drawn: about 35 px a row, no frame cut at ten rows (about 385 px).
    assert box["height"] >= 35 * rows - 5, (box["height"], rows)
