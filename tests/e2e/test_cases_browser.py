"""A tracer's case in a real Chromium on the demo month (RULES "Tracing cases").

The tracer opens a case for the demo's positive case, marks three contacts (reached,
unreachable, in quarantine and positive), downloads the XLSX for the Puskesmas and finds
the marks in it, then opens a case for the positive contact, linked to the first.
"""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import expect

from lib.ingest import demo
from tests.e2e.conftest import (
    StreamlitServer,
    click_and_wait,
    make_login,
    open_expander,
    pick_option,
    wait_for_app,
)

pytestmark = pytest.mark.browser

MARKS = [("dihubungi", None), ("tidak terjangkau", None), ("karantina", "positif")]


def selectbox(page: Any, label: str) -> Any:
    return page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text(label, exact=True)).locator("input")


def choose(page: Any, label: str, option: str) -> None:
    """Pick an option of a selectbox inside a form (no run)."""
    pick_option(page, selectbox(page, label), option)
    expect(page.get_by_role("listbox")).to_have_count(0)


def test_tracer_opens_a_case_marks_contacts_downloads_and_opens_a_linked_case(
    demo_server: StreamlitServer, page: Any
) -> None:
    make_login(page, demo_server)("pelacak", "demo-pelacak")
    click_and_wait(page.locator('[data-testid="stSidebarNav"]').get_by_text("Kasus", exact=True))
    page.get_by_role("heading", name="Kasus pelacakan").first.wait_for()

    open_expander(page, "Buka kasus baru")
    page.get_by_role("textbox", name="ID orang (NIP/NIK/No. HP)").fill(demo.POSITIVE_CASE_ID)
    click_and_wait(page.get_by_role("button", name="Buka kasus", exact=True))
    page.get_by_text(re.compile(r"Kasus #\d+ dibuka")).first.wait_for()
    first_case = re.search(r"#(\d+)", page.get_by_text(re.compile(r"Kasus #\d+ dibuka")).first.inner_text()).group(1)

    names = []
    for index, (status, test) in enumerate(MARKS):
        wait_for_app(page)
        if index:  # the first contact is picked already; picking it again would not run
            label = pick_option(page, selectbox(page, "Kontak"), page.get_by_role("option").nth(index), runs=True)
            expect(selectbox(page, "Kontak")).to_have_value(label)
        names.append(selectbox(page, "Kontak").input_value().split(" · ", 1)[1])
        choose(page, "Status", status)
        if test:
            choose(page, "Hasil tes", test)
        click_and_wait(page.get_by_role("button", name="Simpan", exact=True))
        page.get_by_text("Tersimpan: ").first.wait_for()
    # The list starts with K1 (the demo case shares her office with about fifteen people).
    expect(page.get_by_text(re.compile(r"\d+ dari \d+ K1 dihubungi, 1 tidak terjangkau"))).to_be_visible()

    with page.expect_download() as download:
        click_and_wait(page.get_by_role("button", name="Unduh XLSX untuk Puskesmas"))
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    assert book.sheetnames == ["Ringkasan", "K1", "K2"]
    marked = {
        f"{r[1]} ({r[0]})": (r[8], r[9])
        for sheet in ("K1", "K2") for r in book[sheet].iter_rows(min_row=2, values_only=True)
    }
    assert [marked[n] for n in names] == [("dihubungi", None), ("tidak_terjangkau", None), ("karantina", "positif")]

    # The positive contact (still picked) offers a case of its own, linked to the first.
    click_and_wait(page.get_by_role("button", name="Buka kasus untuk orang ini"))
    open_expander(page, "Buka kasus baru")
    expect(page.get_by_text(f"Berasal dari kasus #{first_case}").first).to_be_visible()
    click_and_wait(page.get_by_role("button", name="Buka kasus", exact=True))
    page.get_by_text(re.compile(r"Kasus #\d+ dibuka")).first.wait_for()
    expect(selectbox(page, "Pilih kasus")).to_have_value(re.compile("↳"))
    expect(page.get_by_text(f"Berasal dari kasus #{first_case}").first).to_be_visible()
