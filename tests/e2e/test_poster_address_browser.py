"""Day one at a new office: the Kabag Umum prints the first QR poster.

A fresh demo server has no public address. Opened on 127.0.0.1 the Poster page shows
the address a phone would open, warns that it is this computer's own address, and keeps
the downloads locked until the admin confirms; the downloaded PNG's QR (decoded with
zbarimg) holds exactly the address shown. Opened through a public name (Chromium maps
``pantau.bitungkota.go.id`` to the test server, as DNS would), the page offers that
address, one click saves it, the warning is gone, and the QR holds the new address, also
when the admin later works on 127.0.0.1 again.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    StreamlitServer,
    click_and_wait,
    fill_login_form,
    finish_login,
    new_context,
    open_menu,
    wait_for_app,
)

pytestmark = pytest.mark.browser

PUBLIC_NAME = "pantau.bitungkota.go.id"
WARNING = "Ponsel pengunjung kemungkinan tidak dapat membuka kode QR ini"


@pytest.fixture
def mapped_page(browser: Any) -> Iterator[Any]:
    """A Chromium of its own in which PUBLIC_NAME resolves to this machine (and nothing
    else changes), at the 1440 x 900 the admin used. Launched by the session's Playwright
    (a second sync Playwright in one process is refused)."""
    mapped = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {PUBLIC_NAME} 127.0.0.1"]
    )
    context = new_context(mapped, viewport={"width": 1440, "height": 900}, accept_downloads=True)
    yield context.new_page()
    context.close()
    mapped.close()


def decode_png(path: Path) -> str:
    done = subprocess.run(
        [shutil.which("zbarimg") or "zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, check=True
    )
    [address] = done.stdout.split()
    return address


def download_png(page: Any, target: Path) -> str:
    """Click 'Unduh PNG', save the file, return what its QR code holds."""
    with page.expect_download() as info:
        page.get_by_role("button", name="Unduh PNG").click()
    info.value.save_as(target)
    assert info.value.suggested_filename.endswith(".png")
    return decode_png(target)


def login_at(page: Any, base: str) -> None:
    page.goto(base)
    fill_login_form(page, "admin", "demo-admin")
    finish_login(page)


def shown_address(page: Any) -> str:
    """The address in the page's code block (what a phone would open)."""
    return str(page.locator('[data-testid="stCode"] code').first.inner_text()).strip()


def test_first_poster_points_where_a_phone_can_go(
    demo_server: StreamlitServer, mapped_page: Any, tmp_path: Path
) -> None:
    page = mapped_page
    local = demo_server.url  # http://127.0.0.1:<port>
    login_at(page, local)
    open_menu(page, "Poster QR")

    # Nothing set: the address in use now, shown whole, with a loud warning.
    warning = page.locator('[data-testid="stAlertContentError"]').filter(has_text=WARNING)
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(f"{local} adalah alamat komputer server sendiri")
    expect(page.get_by_text(f"Poster memakai alamat yang Anda buka sekarang: {local}")).to_be_visible()
    address = shown_address(page)
    assert address.startswith(f"{local}/checkin?b=")
    expect(page.get_by_role("button", name=f"Simpan {local} sebagai alamat publik")).to_have_count(0)
    downloads = [page.get_by_role("button", name=n) for n in ("Unduh PDF", "Unduh PNG")]
    for button in downloads:
        expect(button).to_be_disabled()

    # Confirmed: the downloads open, and the PNG's QR holds exactly the address shown.
    click_and_wait(page.get_by_text("Saya mengerti; tetap unduh poster", exact=False))
    for button in downloads:
        expect(button).to_be_enabled()
    assert download_png(page, tmp_path / "local.png") == address

    # The same admin through the public name: that address is offered and saved in one click.
    public = local.replace("127.0.0.1", PUBLIC_NAME)
    login_at(page, public)
    open_menu(page, "Poster QR")
    expect(page.get_by_text(f"Poster memakai alamat yang Anda buka sekarang: {public}")).to_be_visible()
    click_and_wait(page.get_by_role("button", name=f"Simpan {public} sebagai alamat publik"))
    expect(page.get_by_text(f"Alamat publik disimpan: {public}")).to_be_visible()
    expect(page.get_by_text(f"Alamat publik (dari Pengaturan): {public}")).to_be_visible()
    expect(page.get_by_text(WARNING)).to_have_count(0)
    expect(page.get_by_role("button", name=f"Simpan {public} sebagai alamat publik")).to_have_count(0)
    for button in downloads:
        expect(button).to_be_enabled()
    saved = shown_address(page)
    assert saved.startswith(f"{public}/checkin?b=")
    assert download_png(page, tmp_path / "public.png") == saved

    # Back on 127.0.0.1 (the server's own screen): the saved address stays on the posters.
    page.goto(local)
    wait_for_app(page)
    open_menu(page, "Poster QR")
    expect(page.get_by_text(WARNING)).to_have_count(0)
    assert shown_address(page) == saved
    assert download_png(page, tmp_path / "again.png") == saved


# Every metric label whose text is wider than its box (Streamlit cuts it with an ellipsis).
CUT_LABELS = """
() => [...document.querySelectorAll('[data-testid="stMetricLabel"]')]
  .filter((label) => [label, ...label.querySelectorAll('*')].some((el) => el.scrollWidth > el.clientWidth + 1))
  .map((label) => label.innerText.trim())
"""


def test_now_page_labels_whole_and_names_not_ids(demo_server: StreamlitServer, mapped_page: Any) -> None:
    """The same admin's first look at Sekarang / Now at 1440 x 900, in both languages."""
    page = mapped_page
    login_at(page, demo_server.url)
    page.get_by_role("heading", name="Sekarang").wait_for()
    for language in ("id", "en"):
        if language == "en":
            click_and_wait(page.get_by_role("button", name="English"))
            page.get_by_role("heading", name="Now").wait_for()
        labels = page.locator('[data-testid="stMetricLabel"]')
        expect(labels.first).to_be_visible()
        assert labels.count() >= 4 * 6
        assert page.evaluate(CUT_LABELS) == [], language
        # The latest scans name buildings and gates as the posters do, never their ids.
        scans = page.locator('[data-testid="stDataFrame"]').first.locator("table").first
        expect(scans).to_contain_text("Pintu Utama")
        text = scans.inner_text()
        assert "kantor-walikota" not in text and "dinas-kesehatan" not in text
        assert not any(word in text.split() for word in ("utama", "samping", "belakang"))
    # Back to Indonesian: the choice is kept with the account, and other tests log in as admin.
    click_and_wait(page.get_by_role("button", name="Bahasa Indonesia"))
    page.get_by_role("heading", name="Sekarang").wait_for()
