"""Everyday use in a real Chromium against `streamlit run`: no English leaking into the
Indonesian interface, the language kept over a reload, the check-in page on a phone.

Streamlit writes some words itself ("Choose options", "Press Enter to submit form", the
uploader's "Upload"); ``lib/ui/widget_texts.py`` replaces them by CSS that depends on
Streamlit's markup, so this test is what notices a Streamlit update breaking it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from lib.outputs import posters
from lib.web import phone as phone_side
from tests.e2e import conftest as e2e
from tests.e2e.support import decode_poster, poster_store

pytestmark = pytest.mark.browser

ENGLISH_WORDS = ("Choose options", "Choose an option", "No options to select", "Press Enter to",
                 "Browse files", "Drag and drop", "Select all")
PHONE = {"width": 390, "height": 844}
KEY = "everyday-browser-signing-key"
DRAG_TEXT_CLASS = "euud7oh2"  # lib.ui.widget_texts.DRAG_TEXT_CLASS (no Streamlit import here)


def visible_text(page: object) -> str:
    """The text a user sees (``innerText`` leaves out hidden elements)."""
    return page.locator("body").inner_text()  # type: ignore[attr-defined,no-any-return]


def assert_no_streamlit_english(page: object) -> None:
    text = visible_text(page)
    for words in ENGLISH_WORDS:
        assert words not in text, f"{words!r} is visible"
    # A placeholder is seen only in an empty box (a select box with a value keeps its default one).
    shown = page.evaluate(  # type: ignore[attr-defined]
        "() => [...document.querySelectorAll('input[placeholder]')].filter(i => !i.value).map(i => i.placeholder)"
    )
    for placeholder in ("Choose options", "Choose an option", "No options to select"):
        assert placeholder not in shown, f"the placeholder {placeholder!r} is visible"


def after_content(locator: object) -> str:
    """The CSS ``::after`` text drawn over an element (what the user reads there)."""
    return locator.evaluate("e => getComputedStyle(e, '::after').content")  # type: ignore[attr-defined,no-any-return]


def x_ticks(page: object) -> list[str]:
    """The tick labels of the first chart's x axis, lines joined by a space."""
    return page.locator('[data-testid="stPlotlyChart"]').first.locator(".xtick text").evaluate_all(  # type: ignore[attr-defined,no-any-return]
        "els => els.map(e => { const lines = [...e.querySelectorAll('tspan.line')].map(t => t.textContent);"
        " return lines.length ? lines.join(' ') : e.textContent; })"
    )


def in_viewport(locator: object, height: int) -> bool:
    box = locator.bounding_box()  # type: ignore[attr-defined]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_indonesian_without_streamlit_english_and_english_kept_over_a_reload(
    demo_server: e2e.StreamlitServer, page: object
) -> None:
    page.goto(demo_server.url)  # type: ignore[attr-defined]
    e2e.wait_for_app(page)
    username = page.get_by_role("textbox", name="Nama pengguna")  # type: ignore[attr-defined]
    username.fill("admin")
    # Typing in a form box: Streamlit's "Press Enter to submit form" is not shown.
    expect(page.locator('[data-testid="InputInstructions"]').first).to_be_attached()  # type: ignore[attr-defined]
    expect(page.get_by_text("Press Enter to submit form")).to_be_hidden()  # type: ignore[attr-defined]
    e2e.fill_login_form(page, "admin", "demo-admin")
    e2e.finish_login(page)

    # (a) Import: the uploader speaks Indonesian.
    e2e.open_menu(page, "Impor")
    button_text = page.locator('[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p')  # type: ignore[attr-defined]
    expect(button_text).to_be_attached()
    assert after_content(button_text) == '"Unggah"'
    assert button_text.evaluate("e => getComputedStyle(e).visibility") == "hidden"  # "Upload" is not seen
    assert_no_streamlit_english(page)
    assert "Upload" not in visible_text(page)
    # A file dragged over the uploader: its "Drag and drop files here" is replaced too.
    page.locator('[data-testid="stFileUploaderDropzone"]').evaluate(  # type: ignore[attr-defined]
        "zone => { const files = new DataTransfer(); files.items.add(new File(['x'], 'log.csv'));"
        " zone.dispatchEvent(new DragEvent('dragenter', {dataTransfer: files, bubbles: true})); }"
    )
    drag_text = page.locator(f'[data-testid="stFileUploaderDropzone"] span.{DRAG_TEXT_CLASS}')  # type: ignore[attr-defined]
    drag_text.wait_for(state="attached")
    assert (drag_text.text_content() or "").startswith("Drag and drop")  # Streamlit's words, hidden...
    assert after_content(drag_text) == '"Lepaskan file di sini"'  # ...and ours drawn over them
    assert "Drag and drop" not in visible_text(page)
    page.locator('[data-testid="stFileUploaderDropzone"]').evaluate(  # type: ignore[attr-defined]
        "zone => zone.dispatchEvent(new DragEvent('dragleave', {bubbles: true}))"
    )

    # Occupancy: no English words, numbers written the Indonesian way, Indonesian day names on the axis.
    e2e.open_menu(page, "Okupansi")
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()  # type: ignore[attr-defined]
    assert_no_streamlit_english(page)
    person_hours = page.locator('[data-testid="stMetricValue"]').nth(1).inner_text()  # type: ignore[attr-defined]
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*,\d", person_hours), person_hours
    ticks = x_ticks(page)
    words = " ".join(ticks)
    assert re.search(r"\b(Sen|Sel|Rab|Kam|Jum|Sab|Min) \d{1,2} (Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des)\b", words), ticks
    assert not re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun|May|Aug|Oct|Dec)\b", words), ticks

    # Audit: the multiselect's placeholder and its "Select all" row in Indonesian.
    e2e.open_menu(page, "Audit")
    actors = page.locator(".st-key-audit_actors")  # type: ignore[attr-defined]
    expect(actors.locator("input")).to_have_attribute("placeholder", "Pilih…")
    select_all = page.locator('[data-key="__select_all__"] [data-item-hl]')  # type: ignore[attr-defined]
    for _ in range(3):  # the list may not open at the first try (conftest.choose_option)
        e2e.wait_for_app(page)
        actors.locator("input").click()
        page.keyboard.press("ArrowDown")  # type: ignore[attr-defined]
        try:
            select_all.wait_for(state="attached", timeout=10_000)  # its own text is hidden
        except PlaywrightTimeoutError:
            continue
        break
    else:
        raise AssertionError("the list never opened: " + actors.inner_html())
    assert after_content(select_all) == '"Pilih semua"'
    assert select_all.evaluate("e => getComputedStyle(e).visibility") == "hidden"
    page.keyboard.press("Escape")  # type: ignore[attr-defined]
    assert_no_streamlit_english(page)
    e2e.open_menu(page, "Okupansi")
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()  # type: ignore[attr-defined]

    # (b) English, then a reload: still English (kept with the user, not the browser tab).
    e2e.click_and_wait(page.get_by_role("button", name="English"))  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Occupancy", exact=True).wait_for()  # type: ignore[attr-defined]
    page.reload()  # type: ignore[attr-defined]
    e2e.wait_for_app(page)
    page.get_by_role("heading", name="Occupancy", exact=True).wait_for()  # type: ignore[attr-defined]
    expect(page.get_by_role("button", name="Bahasa Indonesia")).to_be_visible()  # type: ignore[attr-defined]
    person_hours = page.locator('[data-testid="stMetricValue"]').nth(1).inner_text()  # type: ignore[attr-defined]
    assert re.fullmatch(r"\d{1,3}(,\d{3})*\.\d", person_hours), person_hours
    ticks = x_ticks(page)
    assert re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} ", " ".join(ticks)), ticks

    # Back to Indonesian for whoever logs in as admin next.
    e2e.click_and_wait(page.get_by_role("button", name="Bahasa Indonesia"))  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Okupansi", exact=True).wait_for()  # type: ignore[attr-defined]


def assert_outcome_is_the_only_big_thing(page: object) -> None:
    """The result page: the outcome's heading is the largest text, and no coloured block
    below it looks like a button (the poster banner used to: it did nothing when tapped)."""
    expect(page.locator(".banner")).to_have_count(0)  # type: ignore[attr-defined]
    sizes = page.evaluate(  # type: ignore[attr-defined]
        "() => [...document.querySelectorAll('main *')].map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    heading = page.locator("main h1")  # type: ignore[attr-defined]
    assert float(heading.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) == max(sizes)
    # Nothing under the outcome is a filled, coloured block but the outcome's own box.
    filled = page.evaluate(  # type: ignore[attr-defined]
        "() => [...document.querySelectorAll('main *')].filter(e => !e.closest('section.result'))"
        ".filter(e => { const c = getComputedStyle(e).backgroundColor;"
        " return c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent'; }).map(e => e.outerHTML.slice(0, 80))"
    )
    assert filled == [], filled


def test_checkin_page_on_a_phone(tmp_path: Path, browser: object, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir, con = poster_store(tmp_path, monkeypatch, KEY, capacity=50, threshold=40, inside=1)
    address = decode_poster(posters.poster_pdf(con, "kantor", None, "checkin"), tmp_path / "poster")
    con.close()

    server = e2e.StreamlitServer(data_dir, env={"PANTAU_QR_SIGNING_KEY": KEY, "PANTAU_DEMO": "0"})
    phone = e2e.new_context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        visitor = phone.new_page()
        visitor.goto(address)  # the light check-in page (plain HTML, no Streamlit app)
        visitor.get_by_text("1 orang di dalam, batas 40").wait_for()

        # (c) The number pad for NIK and phone; no sidebar and no control to open one.
        expect(visitor.locator("input#person_id")).to_have_attribute("inputmode", "numeric")
        expect(visitor.locator("input#phone")).to_have_attribute("inputmode", "numeric")
        for selector in ('[data-testid="stSidebar"]', '[data-testid="stSidebarCollapsedControl"]',
                         '[data-testid="stExpandSidebarButton"]', '[data-testid="stSidebarCollapseButton"]'):
            expect(visitor.locator(selector)).to_have_count(0)
        assert_no_streamlit_english(visitor)

        # An empty form is answered in Indonesian by the page, not by the browser in the
        # phone's language ("Please fill out this field."), and nothing is stored.
        with visitor.expect_navigation():
            visitor.get_by_role("button", name="MASUK sekarang").click()
        visitor.get_by_role("alert").filter(has_text="Isi nama Anda, dan NIP/NIK atau nomor HP.").wait_for()
        expect(visitor.locator("input#name")).to_be_focused()
        expect(visitor.locator("input#name")).to_have_attribute("aria-invalid", "true")

        e2e.fill_form([(visitor.locator("input#name"), "Grace Lumentut"),
                       (visitor.locator("input#person_id"), "7172014506900002")])
        visitor.get_by_role("button", name="MASUK sekarang").click()
        outcome = visitor.get_by_text("Tercatat MASUK pukul")
        outcome.wait_for()
        assert in_viewport(outcome, PHONE["height"]), "the outcome is on the phone's first screen"
        assert_outcome_is_the_only_big_thing(visitor)
        expect(visitor.get_by_role("button", name="MASUK sekarang")).to_have_count(0)
        visitor.get_by_text("2 orang di dalam, batas 40").wait_for()
        e2e.wait_until(lambda: any(c["name"] == phone_side.COOKIE_NAME for c in phone.cookies()),
                       "no person cookie on the phone")

        # Scanning the poster again: the phone is remembered, and told it is inside already.
        visitor.goto(address)
        since = visitor.get_by_text(re.compile(r"Anda sudah di dalam sejak \d\d:\d\d WITA"))
        since.wait_for()
        assert in_viewport(since, PHONE["height"])
        visitor.get_by_role("button", name="MASUK sekarang").click()
        duplicate = visitor.get_by_text("sudah tercatat masuk")
        duplicate.wait_for()
        assert in_viewport(duplicate, PHONE["height"])
    finally:
        phone.close()
        server.stop()


def test_checkin_page_in_english_is_kept_for_the_next_poster(
    tmp_path: Path, browser: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A visitor who switched to English checks in; the check-out poster then opens in
    English (the phone keeps the choice); the category options never split a label."""
    data_dir, con = poster_store(tmp_path, monkeypatch, KEY, capacity=50, threshold=40, inside=0)
    checkin_address = decode_poster(posters.poster_pdf(con, "kantor", None, "checkin"), tmp_path / "in")
    checkout_address = decode_poster(posters.poster_pdf(con, "kantor", None, "checkout"), tmp_path / "out")
    con.close()
    assert "lang=" not in checkout_address

    server = e2e.StreamlitServer(data_dir, env={"PANTAU_QR_SIGNING_KEY": KEY, "PANTAU_DEMO": "0"})
    phone = e2e.new_context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        visitor = phone.new_page()
        visitor.goto(checkin_address)
        visitor.get_by_role("button", name="MASUK sekarang").wait_for()
        visitor.get_by_role("link", name="English").click()
        visitor.get_by_role("button", name="CHECK IN now").wait_for()

        # Every option's label on one line: "(THL)" stays with "Contract staff".
        lines = visitor.locator("fieldset label").evaluate_all(
            "labels => labels.map(l => { const text = [...l.childNodes].find(n => n.nodeType === 3);"
            " const r = document.createRange(); r.selectNodeContents(text);"
            " const tops = new Set([...r.getClientRects()].filter(b => b.width > 0).map(b => Math.round(b.top)));"
            " return [l.innerText.trim(), tops.size]; })"
        )
        assert [name for name, _ in lines] == ["Civil servant (ASN)", "Contract staff (THL)", "Visitor"]
        assert all(count == 1 for _, count in lines), lines
        for label in visitor.locator("fieldset label").all():
            box = label.bounding_box()
            assert box is not None and box["x"] + box["width"] <= PHONE["width"], "an option runs off the screen"

        e2e.fill_form([(visitor.get_by_role("textbox", name="Full name"), "Grace Lumentut"),
                       (visitor.get_by_role("textbox", name="ID number (NIP / NIK) (optional)"), "7172014506900003")])
        visitor.get_by_role("button", name="CHECK IN now").click()
        visitor.get_by_role("heading", name=re.compile("Checked in at")).wait_for()
        assert_outcome_is_the_only_big_thing(visitor)

        # The check-out poster's address has no language: the phone's choice opens it.
        visitor.goto(checkout_address)
        visitor.get_by_text("Hello, Grace Lumentut").wait_for()
        expect(visitor.locator("html")).to_have_attribute("lang", "en")
        visitor.get_by_role("button", name="CHECK OUT now").click()
        visitor.get_by_role("heading", name=re.compile("Checked out at")).wait_for()
        assert_outcome_is_the_only_big_thing(visitor)

        # Back to Indonesian by the link: the next poster opens in Indonesian again.
        visitor.get_by_role("link", name="Bahasa Indonesia").click()
        visitor.get_by_role("button", name="KELUAR sekarang").wait_for()
        visitor.goto(checkin_address)
        visitor.get_by_role("button", name="MASUK sekarang").wait_for()
    finally:
        phone.close()
        server.stop()


def test_rollcall_pdf_is_made_when_clicked(demo_server: e2e.StreamlitServer, page: object, tmp_path: Path) -> None:
    """The roll-call PDF is made on the click (not on every run of the page) and downloads."""
    e2e.make_login(page, demo_server)("admin", "demo-admin")
    e2e.open_menu(page, "Apel darurat")
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Unduh PDF (A4, untuk dicetak)").click()  # type: ignore[attr-defined]
    target = tmp_path / "apel.pdf"
    info.value.save_as(target)
    assert info.value.suggested_filename == "apel-darurat.pdf"
    assert target.read_bytes().startswith(b"%PDF") and target.stat().st_size > 2000
