"""The administrator's day in a real Chromium against `streamlit run` on the demo month.

Log in, see the live counts, import a small CSV (its summary and its quarantined row),
open every admin page (a screenshot each, for the README), switch to English, add a user
whose password is shown once, log out, and lock that user with five wrong passwords.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, StreamlitServer, make_login, wait_for_app

pytestmark = pytest.mark.browser

SHOTS = ROOT / "docs" / "screenshots"


def shot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    page.screenshot(path=str(SHOTS / f"{name}.png"))  # type: ignore[attr-defined]


def open_menu(page: object, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()  # type: ignore[attr-defined]
    wait_for_app(page)
    page.get_by_role("heading", name=title).first.wait_for()  # type: ignore[attr-defined]


def grid_text(page: object, index: int) -> str:
    """The cells of the index-th st.dataframe (drawn on a canvas; its accessible table
    holds the text)."""
    frame = page.locator('[data-testid="stDataFrame"]').nth(index)  # type: ignore[attr-defined]
    frame.locator("table").first.wait_for(state="attached")
    return str(frame.locator("table").first.inner_text())


def try_login(page: object, username: str, password: str) -> None:
    page.get_by_role("textbox", name="Nama pengguna").fill(username)  # type: ignore[attr-defined]
    page.get_by_role("textbox", name="Kata sandi").fill(password)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Masuk", exact=True).click()  # type: ignore[attr-defined]
    wait_for_app(page)


def choose_option(page: object, container: str, option: str) -> None:
    """Pick one option of a multiselect; its list sometimes opens only on a second click."""
    for _ in range(4):
        page.locator(f"{container} input").first.click()  # type: ignore[attr-defined]
        choice = page.get_by_role("option", name=option)  # type: ignore[attr-defined]
        try:
            choice.wait_for(timeout=5_000)
        except Exception:  # the list did not open: close whatever is open and click again
            page.keyboard.press("Escape")  # type: ignore[attr-defined]
            continue
        choice.click()
        page.keyboard.press("Escape")  # type: ignore[attr-defined]
        return
    raise AssertionError(f"the option {option!r} never appeared")


def test_admin_journey(demo_server: StreamlitServer, page: object, tmp_path: Path) -> None:
    make_login(page, demo_server)("admin", "demo-admin")
    page.get_by_role("heading", name="Sekarang").wait_for()  # type: ignore[attr-defined]
    card = page.locator(".st-key-now_building_kantor-walikota")  # type: ignore[attr-defined]
    card.wait_for()
    assert "Di dalam sekarang" in card.inner_text()
    assert "Kunjungan hari ini" in card.inner_text()
    assert page.locator('[data-testid="stMetricValue"]').count() >= 4 * 6  # type: ignore[attr-defined]
    assert "WITA" in grid_text(page, 0)
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
    page.get_by_role("button", name="Impor", exact=True).click()  # type: ignore[attr-defined]
    wait_for_app(page)
    page.get_by_role("heading", name="Ringkasan per file").wait_for()  # type: ignore[attr-defined]
    summary = grid_text(page, 0)
    assert "absen_lantai2.csv" in summary and "diimpor" in summary
    quarantine = grid_text(page, 1)
    assert "waktu tidak dapat dibaca" in quarantine and "kemarin sore" in quarantine
    shot(page, "import")

    for title, name in (("Kualitas data", "quality"), ("Pengaturan", "settings"), ("Poster QR", "posters"), ("Audit", "audit")):
        open_menu(page, title if name != "audit" else "Audit")
        assert page.locator('[data-testid="stException"]').count() == 0  # type: ignore[attr-defined]
        shot(page, name)
    assert "import" in grid_text(page, 0)

    open_menu(page, "Pengguna")
    page.get_by_text("Tambah pengguna").click()  # type: ignore[attr-defined]
    page.get_by_role("textbox", name="Nama pengguna").fill("uji-kunci")  # type: ignore[attr-defined]
    page.get_by_role("textbox", name="Nama lengkap").fill("Akun Uji")  # type: ignore[attr-defined]
    choose_option(page, ".st-key-users_new_roles", "Pelacak")
    page.get_by_role("button", name="Tambah", exact=True).click()  # type: ignore[attr-defined]
    wait_for_app(page)
    password = page.locator('[data-testid="stCode"] code').first.inner_text().strip()  # type: ignore[attr-defined]
    assert len(password) >= 16
    shot(page, "users")

    page.get_by_role("button", name="🌐 English").click()  # type: ignore[attr-defined]
    wait_for_app(page)
    page.get_by_role("heading", name="Users").wait_for()  # type: ignore[attr-defined]
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()  # type: ignore[attr-defined]
    assert "Now" in nav and "Data quality" in nav and "Settings" in nav
    page.get_by_role("button", name="🌐 Bahasa Indonesia").click()  # type: ignore[attr-defined]
    wait_for_app(page)

    page.get_by_role("button", name="Keluar").click()  # type: ignore[attr-defined]
    wait_for_app(page)
    page.get_by_role("heading", name="Masuk ke Pantau").wait_for()  # type: ignore[attr-defined]
    page.reload()  # type: ignore[attr-defined]
    wait_for_app(page)
    page.get_by_role("heading", name="Masuk ke Pantau").wait_for()  # type: ignore[attr-defined]
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # type: ignore[attr-defined]

    for attempt in range(5):
        try_login(page, "uji-kunci", f"salah-{attempt}")
    page.get_by_text("Akun dikunci sampai").wait_for()  # type: ignore[attr-defined]
    try_login(page, "uji-kunci", password)
    page.get_by_text("Akun dikunci sampai").wait_for()  # type: ignore[attr-defined]
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # type: ignore[attr-defined]
