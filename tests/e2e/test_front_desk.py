"""The front desk in Chromium on a tablet (1024 x 768), as the receptionist of the demo uses it.

A visitor without a phone is checked in with their NIK, the 80 mm slip is downloaded, its
QR (pdftoppm, zbarimg) opened "at the door" checks that visitor out; an expected visitor
is checked in with one click at the desk, and another one registered for today checks in
through their own personal link.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    StreamlitServer,
    click_and_wait,
    fill_form,
    fill_login_form,
    finish_login,
    new_context,
    open_expander,
    pick_option,
    start_demo_server,
    wait_for_app,
)

pytestmark = pytest.mark.browser

TABLET = {"width": 1024, "height": 768}
NIK = "7172 0101 0101 0042"


@pytest.fixture(scope="module")
def desk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """A demo server of its own: these tests check visitors in and out."""
    server = start_demo_server(tmp_path_factory.mktemp("front_desk_server"))
    yield server
    server.stop()


@pytest.fixture
def tablet(browser: Any) -> Iterator[Any]:
    context = new_context(browser, viewport=TABLET, accept_downloads=True)
    yield context.new_page()
    context.close()


def log_in_at_the_desk(page: Any, server: StreamlitServer) -> None:
    page.goto(server.url)
    fill_login_form(page, "resepsionis", "demo-resepsionis")
    finish_login(page)
    page.get_by_role("heading", name="Meja tamu").first.wait_for()


def qr_of_pdf(pdf: Path) -> str:
    folder = Path(tempfile.mkdtemp(dir=pdf.parent))
    subprocess.run([shutil.which("pdftoppm") or "pdftoppm", "-r", "200", "-png", str(pdf), str(folder / "p")],
                   check=True)
    [png] = sorted(folder.glob("p-*.png"))
    done = subprocess.run([shutil.which("zbarimg") or "zbarimg", "--raw", "-q", str(png)],
                          capture_output=True, text=True, check=True)
    [address] = done.stdout.split()
    return address


def pick(page: Any, label: str, option: str) -> None:
    """Choose ``option`` in the select box labelled ``label`` (inside a form: no run)."""
    box = page.get_by_role("combobox", name=label, exact=True).first
    pick_option(page, box, option)
    expect(box).to_have_value(option)


def test_a_visitor_without_a_phone_gets_a_slip_whose_qr_checks_them_out_at_the_door(
    desk_server: StreamlitServer, tablet: Any, tmp_path: Path
) -> None:
    page = tablet
    log_in_at_the_desk(page, desk_server)
    # The receptionist's menu has the desk page only.
    nav = page.locator('[data-testid="stSidebarNav"]')
    if nav.count():
        expect(nav.get_by_role("link")).to_have_count(1)
    fill_form([(page.get_by_role("textbox", name="Nama", exact=True), "Oma Wulan Tombokan"),
               (page.get_by_role("textbox", name="NIK (16 digit)"), NIK),
               (page.get_by_role("textbox", name="Instansi", exact=True), "Kelurahan Girian")])
    pick(page, "Keperluan", "Layanan administrasi")
    click_and_wait(page.get_by_role("button", name="Masuk", exact=True))
    expect(page.get_by_text("Oma Wulan Tombokan tercatat masuk pukul")).to_be_visible()
    inside_row = page.get_by_text("Oma Wulan Tombokan (Kelurahan Girian)")
    expect(inside_row).to_be_visible()
    expect(page.get_by_text("7172010101010042")).to_have_count(0)  # the NIK is never shown whole

    with page.expect_download() as download:
        page.get_by_role("button", name="Slip tamu 80 mm (PDF)").click()
    slip = tmp_path / "slip.pdf"
    download.value.save_as(slip)
    address = qr_of_pdf(slip)
    assert address.startswith(desk_server.url + "/checkin?") and "v=" in address
    assert "7172010101010042" not in address

    # At the door: the guard's phone opens the slip's QR; one tap checks the visitor out.
    door = page.context.new_page()
    door.goto(address)
    expect(door.get_by_text("Oma Wulan Tombokan")).to_be_visible()
    door.get_by_role("button", name="KELUAR").click()
    expect(door.get_by_text("tercatat keluar", exact=False)).to_be_visible()
    door.close()

    page.reload()
    wait_for_app(page)
    page.get_by_role("heading", name="Tamu di dalam sekarang").wait_for()
    expect(page.get_by_text("Oma Wulan Tombokan (Kelurahan Girian)")).to_have_count(0)


def test_expected_visitors_arrive_with_one_click_or_their_own_link(desk_server: StreamlitServer, tablet: Any) -> None:
    page = tablet
    log_in_at_the_desk(page, desk_server)
    pick(page, "Gedung", "Kantor Walikota Bitung")  # where the demo expects visitors today
    wait_for_app(page)
    heading = page.get_by_role("heading", name="Tamu yang diharapkan hari ini")
    expect(heading).to_be_visible()
    arrive = page.get_by_role("button", name="Datang")
    waiting = arrive.count()
    assert waiting >= 1  # the demo expects a few visitors today
    click_and_wait(arrive.first)
    expect(page.get_by_text("tercatat masuk pukul")).to_be_visible()
    expect(page.get_by_role("button", name="Datang")).to_have_count(waiting - 1)

    # Registered now for today: the personal link checks them in on their own phone.
    open_expander(page, "Daftarkan tamu yang akan datang")
    fill_form([(page.get_by_role("textbox", name="Nama", exact=True).last, "Pak Reza Wenas"),
               (page.get_by_role("textbox", name="Nomor HP", exact=True).last, "0813-4000-5000")])
    click_and_wait(page.get_by_role("button", name="Daftarkan"))
    expect(page.get_by_text("Pak Reza Wenas terdaftar untuk")).to_be_visible()
    link = page.locator('[data-testid="stCode"] code').first.inner_text().strip()
    assert link.startswith(desk_server.url + "/checkin?") and "v=" in link
    phone = page.context.new_page()
    phone.goto(link)
    expect(phone.get_by_text("Pak Reza Wenas")).to_be_visible()
    phone.get_by_role("button", name="MASUK").click()
    expect(phone.get_by_text("tercatat masuk", exact=False)).to_be_visible()
    phone.close()
    page.reload()  # the desk stays at its building (kept in the address)
    wait_for_app(page)
    expect(page.get_by_role("combobox", name="Gedung", exact=True)).to_have_value("Kantor Walikota Bitung")
    expect(page.get_by_text("sudah datang").first).to_be_visible()
    expect(page.get_by_text("Pak Reza Wenas").first).to_be_visible()
