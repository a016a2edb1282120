"""Occupancy, Weekly and Tracing in a real Chromium against `streamlit run` on the demo month.

Leadership sees the charts drawn and downloads the PDF report; the tracer finds the demo's
positive case, traces it, downloads the CSV export; the language switch gives English.
Screenshots of the three pages are taken (for the README with PANTAU_SCREENSHOTS=1).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect

from lib.ingest import demo
from tests.e2e.conftest import (
    SHOTS,
    StreamlitServer,
    click_and_wait,
    make_login,
    open_menu,
    rerun_by,
    runs_requested,
    wait_for_app,
)

pytestmark = pytest.mark.browser

CHART = '[data-testid="stPlotlyChart"] .main-svg'
# Plotly's toolbar button "Zoom in"; its tooltip is the attribute data-title.
ZOOM_IN = '[data-testid="stPlotlyChart"] .modebar-btn[data-attr="zoom"][data-val="in"]'


def screenshot(page: object, name: str, height: int = 2200) -> None:
    """A tall viewport: the app scrolls inside its own container (CONTRIBUTING "Stack notes")."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": height})  # type: ignore[attr-defined]
    page.wait_for_timeout(800)  # type: ignore[attr-defined]  # the charts redraw for the new size
    wait_for_app(page)
    page.screenshot(path=str(SHOTS / f"{name}.png"))  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 1400, "height": 1000})  # type: ignore[attr-defined]


def test_leadership_sees_occupancy_and_weekly_and_downloads_pdf(demo_server: StreamlitServer, page: object,
                                                                tmp_path: Path) -> None:
    make_login(page, demo_server)("pimpinan", "demo-pimpinan")
    open_menu(page, "Okupansi")
    page.wait_for_selector(CHART)  # type: ignore[attr-defined]
    page.get_by_text("Jam (WITA, UTC+8)").first.wait_for()  # type: ignore[attr-defined]
    page.locator(CHART).nth(2).wait_for()  # type: ignore[attr-defined]  # at least three charts drawn
    # Plotly's own toolbar speaks Indonesian too.
    assert page.locator(ZOOM_IN).first.get_attribute("data-title") == "Perbesar"  # type: ignore[attr-defined]
    screenshot(page, "occupancy", 2800)

    open_menu(page, "Statistik mingguan")
    page.wait_for_selector(CHART)  # type: ignore[attr-defined]
    screenshot(page, "weekly", 2700)
    wait_for_app(page)
    runs_before = runs_requested(page)
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Unduh laporan PDF").click()  # type: ignore[attr-defined]
    target = tmp_path / "report.pdf"
    info.value.save_as(target)
    assert info.value.suggested_filename.endswith(".pdf")
    assert target.read_bytes().startswith(b"%PDF")
    # Downloading does not rerun the page (on_click="ignore"): no run asked for, the charts stay.
    wait_for_app(page)
    assert runs_requested(page) == runs_before
    assert page.locator(CHART).count() >= 3  # type: ignore[attr-defined]

    # The tracing page is not in the leadership's menu.
    assert page.locator('[data-testid="stSidebarNav"]').get_by_text("Pelacakan", exact=True).count() == 0  # type: ignore[attr-defined]

    click_and_wait(page.get_by_role("button", name="English"))  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Weekly statistics").first.wait_for()  # type: ignore[attr-defined]
    open_menu(page, "Occupancy")
    page.get_by_text("Hour (WITA, UTC+8)").first.wait_for()  # type: ignore[attr-defined]
    page.locator(CHART).first.wait_for()  # type: ignore[attr-defined]
    assert page.locator(ZOOM_IN).first.get_attribute("data-title") == "Zoom in"  # type: ignore[attr-defined]


def test_tracer_traces_the_positive_case_and_exports_csv(demo_server: StreamlitServer, page: object,
                                                          tmp_path: Path) -> None:
    make_login(page, demo_server)("pelacak", "demo-pelacak")
    page.get_by_role("heading", name="Pelacakan kontak").first.wait_for()  # type: ignore[attr-defined]
    search = page.get_by_role("textbox", name="Cari kasus (nama, NIP/ID atau nomor HP)")  # type: ignore[attr-defined]
    search.fill(demo.POSITIVE_CASE_ID[:12])
    rerun_by(page, lambda: search.press("Enter"), what="searching")
    case = page.locator('[data-testid="stSelectbox"] input').first  # type: ignore[attr-defined]
    expect(case).to_have_value("")  # nobody is pre-selected: the tracer picks the case
    case.click()
    option = page.get_by_role("option", name=re.compile(re.escape(demo.POSITIVE_CASE_ID)))  # type: ignore[attr-defined]
    rerun_by(page, option.click, what="picking the case")
    expect(case).to_have_value(re.compile(re.escape(demo.POSITIVE_CASE_ID)))
    assert "Meiske Rumengan" in case.input_value()
    # The swab date five days ago: the window reaches back to the meetings a week ago.
    swab = pd.Timestamp.now(tz="Asia/Makassar").date() - timedelta(days=5)
    swab_day = page.get_by_role("spinbutton", name="hari, Tanggal gejala atau swab")  # type: ignore[attr-defined]
    swab_day.click()
    page.keyboard.type(f"{swab:%d%m%Y}")  # type: ignore[attr-defined]
    # The date field commits its value on blur: leave it, and wait for the run that follows.
    rerun_by(page, lambda: page.get_by_role("heading", name="Pelacakan kontak").click(), what="leaving the date field")  # type: ignore[attr-defined]
    first_day = swab - timedelta(days=2)
    day = page.get_by_role("spinbutton", name="hari, Dari tanggal")  # type: ignore[attr-defined]
    expect(day).to_have_attribute("aria-valuenow", str(first_day.day))
    click_and_wait(page.get_by_role("button", name="Lacak kontak"))  # type: ignore[attr-defined]
    page.wait_for_selector('[data-testid="stDataFrame"]')  # type: ignore[attr-defined]
    page.get_by_text("kontak untuk").first.wait_for()  # type: ignore[attr-defined]
    page.wait_for_selector(CHART)  # type: ignore[attr-defined]
    screenshot(page, "tracing", 2600)

    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Unduh CSV").click()  # type: ignore[attr-defined]
    target = tmp_path / "contacts.csv"
    info.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows and list(rows[0]) == [  # the page's headers, in the page's language
        "ID", "Nama", "Kategori", "No. HP", "Gedung", "Menit bersama", "Kontak pertama", "Kontak terakhir",
        "Perkiraan", "Unit kerja", "Jenis kontak", "Ruang", "Menit satu ruangan", "Ruang dari daftar pegawai",
    ]
    # Graded: the same-room contacts (K1) first, each with the room it shared with the case.
    grades = [r["Jenis kontak"] for r in rows]
    assert grades[0] == "K1 (satu ruangan)" and grades == sorted(grades)
    assert all(r["Ruang"] for r in rows if r["Jenis kontak"].startswith("K1"))
    assert all(max(float(r["Menit bersama"]), float(r["Menit satu ruangan"])) >= 15 for r in rows)
    assert any("Dinas Kesehatan" in r["Gedung"] for r in rows)  # the meeting-room colleagues, by name
    assert {r["Perkiraan"] for r in rows} <= {"ya", "tidak"}
    assert demo.POSITIVE_CASE_ID not in {r["ID"] for r in rows}
    wait_for_app(page)

    # A tracer has no weekly or occupancy page in the menu.
    nav = page.locator('[data-testid="stSidebarNav"]')  # type: ignore[attr-defined]
    assert nav.get_by_text("Statistik mingguan", exact=True).count() == 0
    assert nav.get_by_text("Okupansi", exact=True).count() == 0

    # Only the same-room contacts; the choice stays shown in English after the switch.
    rerun_by(page, lambda: page.get_by_text("K1 · satu ruangan", exact=True).click(), what="showing K1")  # type: ignore[attr-defined]
    click_and_wait(page.get_by_role("button", name="English"))  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Contact tracing").first.wait_for()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Trace contacts").wait_for()  # type: ignore[attr-defined]
    expect(page.get_by_role("radio", name="K1 · same room")).to_be_checked()  # type: ignore[attr-defined]
    # Back to Indonesian: the choice is kept with the account, and other tests log in as pelacak.
    click_and_wait(page.get_by_role("button", name="Bahasa Indonesia"))  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Pelacakan kontak").first.wait_for()  # type: ignore[attr-defined]
