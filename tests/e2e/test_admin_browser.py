"""The administrator's day in a real Chromium against `streamlit run` on the demo month.

Log in, see the live counts, import a small CSV (its summary and its quarantined row),
open every admin page (a screenshot each; for the README with PANTAU_SCREENSHOTS=1), switch to English, add a user
whose password is shown once, log out, and lock that user with five wrong passwords.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    SHOTS,
    StreamlitServer,
    choose_option,
    click_and_wait,
    fill_login_form,
    make_login,
    open_expander,
    open_menu,
    wait_for_app,
)

pytestmark = pytest.mark.browser



def shot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    wait_for_app(page)
    page.screenshot(path=str(SHOTS / f"{name}.png"))  # type: ignore[attr-defined]


def grid(page: object, index: int) -> object:
    """The accessible table of the index-th st.dataframe (the grid itself is drawn on a
    canvas; this table holds its text)."""
    return page.locator('[data-testid="stDataFrame"]').nth(index).locator("table").first  # type: ignore[attr-defined]


def test_admin_journey(demo_server: StreamlitServer, page: object, tmp_path: Path) -> None:
    make_login(page, demo_server)("admin", "demo-admin")
    page.get_by_role("heading", name="Sekarang").wait_for()  # type: ignore[attr-defined]
    card = page.locator(".st-key-now_building_kantor-walikota")  # type: ignore[attr-defined]
    expect(card).to_contain_text("Di dalam sekarang")
    expect(card).to_contain_text("Kunjungan hari ini")
    assert page.locator('[data-testid="stMetricValue"]').count() >= 4 * 6  # type: ignore[attr-defined]
    expect(grid(page, 0)).to_contain_text("WITA")
    shot(page, "now")

    open_menu(page, "Impor")
    log = tmp_path / "absen_lantai2.csv"
    log.write_text(
        "waktu;nip;gedung;aksi;nama\n"
        "2022-03-01 08:00;900001;kantor-walikota;masuk;Uji Satu\n"
        "kemarin sore;900002;kantor-walikota;masuk;Uji Dua\n"
        "2022-03-01 16:00;900001;kantor-walikota;keluar;Uji Satu\n",
        encoding="utf-8",
    )
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(log))  # type: ignore[attr-defined]
    page.get_by_text("absen_lantai2.csv").first.wait_for()  # type: ignore[attr-defined]
    click_and_wait(page.get_by_role("button", name="Impor", exact=True))  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Ringkasan per file").wait_for()  # type: ignore[attr-defined]
    summary = grid(page, 0)
    expect(summary).to_contain_text("absen_lantai2.csv")
    expect(summary).to_contain_text("diimpor")
    quarantine = grid(page, 1)
    expect(quarantine).to_contain_text("waktu tidak dapat dibaca")
    expect(quarantine).to_contain_text("kemarin sore")
    shot(page, "import")

    for title, name in (("Kualitas data", "quality"), ("Pengaturan", "settings"), ("Poster QR", "posters"), ("Audit", "audit")):
        open_menu(page, title)
        assert page.locator('[data-testid="stException"]').count() == 0  # type: ignore[attr-defined]
        shot(page, name)
    expect(grid(page, 0)).to_contain_text("Impor")  # the action in words

    open_menu(page, "Pengguna")
    new_username = page.get_by_role("textbox", name="Nama pengguna")  # type: ignore[attr-defined]
    open_expander(page, "Tambah pengguna")
    new_username.fill("uji-kunci")
    page.get_by_role("textbox", name="Nama lengkap").fill("Akun Uji")  # type: ignore[attr-defined]
    choose_option(page, ".st-key-users_new_roles", "Pelacak")
    expect(new_username).to_have_value("uji-kunci")
    click_and_wait(page.get_by_role("button", name="Tambah", exact=True))  # type: ignore[attr-defined]
    page.get_by_text("Pengguna uji-kunci ditambahkan").wait_for()  # type: ignore[attr-defined]
    code = page.locator('[data-testid="stCode"] code').first  # type: ignore[attr-defined]
    expect(code).to_be_visible()
    password = code.inner_text().strip()
    assert len(password) >= 16
    shot(page, "users")

    click_and_wait(page.get_by_role("button", name="English"))  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Users").wait_for()  # type: ignore[attr-defined]
    nav = page.locator('[data-testid="stSidebarNav"]')  # type: ignore[attr-defined]
    for title in ("Now", "Data quality", "Settings"):
        expect(nav).to_contain_text(title)
    click_and_wait(page.get_by_role("button", name="Bahasa Indonesia"))  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Pengguna", exact=True).wait_for()  # type: ignore[attr-defined]

    click_and_wait(page.get_by_role("button", name="Keluar"))  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Masuk ke Pantau").wait_for()  # type: ignore[attr-defined]
    page.reload()  # type: ignore[attr-defined]
    wait_for_app(page)
    page.get_by_role("heading", name="Masuk ke Pantau").wait_for()  # type: ignore[attr-defined]
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # type: ignore[attr-defined]

    # Each wrong password is answered (a finished run) before the next is typed.
    for attempt in range(4):
        fill_login_form(page, "uji-kunci", f"salah-{attempt}")
        page.get_by_text("Nama pengguna atau kata sandi salah.").wait_for()  # type: ignore[attr-defined]
    fill_login_form(page, "uji-kunci", "salah-4")
    page.get_by_text("Coba lagi dalam").wait_for()  # type: ignore[attr-defined]
    # The right password from the same address waits too (the owner logs in from another
    # address meanwhile: tests/e2e/test_login_throttle_browser.py).
    fill_login_form(page, "uji-kunci", password)
    page.get_by_text("Coba lagi dalam").wait_for()  # type: ignore[attr-defined]
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # type: ignore[attr-defined]
