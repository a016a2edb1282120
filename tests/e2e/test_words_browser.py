"""Words, glyphs, posters and refused pages in a real Chromium (issue 26, items 4, 5, 9).

On Debian with only fonts-dejavu-core, what a first user saw:

- Streamlit's own fonts answered 403 (the download guard took ``/static/media/`` for
  ``/media/``): on the login page, and in every page of a session that logged in with the
  form, the text font was missing and each ``:material/…:`` icon was drawn as its name.
- an emoji on the language button (an empty box), English screen-reader words
  ("Help for …", "Today, Monday, December 7…", "Choose an option") in the Indonesian UI;
- a poster download label cut by its button, and the preview built after every download;
- a page the role may not see silently showing the start page.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    SHOTS,
    StreamlitServer,
    click_and_wait,
    make_login,
    open_menu,
    wait_for_app,
)

pytestmark = pytest.mark.browser

# What Streamlit writes in English into attributes (read out by screen readers, shown in an
# empty select box), with the exact English words of Streamlit 1.67 / react-aria.
ENGLISH = ("Choose an option", "Choose options", "No options to select", "Help for ", "Today, ",
           "Choose date", "Previous month", "Next month", "Collapse sidebar", "Link to heading")
ATTRIBUTES_JS = """() => [...document.querySelectorAll('[aria-label],[placeholder],[title]')]
  .flatMap(e => ['aria-label', 'placeholder', 'title'].map(a => e.getAttribute(a)).filter(Boolean))"""
FONTS_JS = """async () => { await document.fonts.ready;
  return Object.fromEntries([...document.fonts].filter(f => /Material Symbols|Source Sans/.test(f.family))
    .map(f => [f.family + (f.style === 'normal' ? '' : ' ' + f.style), f.status])); }"""


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    wait_for_app(page)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def english_attributes(page: Any) -> list[str]:
    wait_for_app(page)
    return [text for text in page.evaluate(ATTRIBUTES_JS) if any(text.startswith(e) for e in ENGLISH)]


def icon_drawn_as_glyph(page: Any, container: Any) -> None:
    """The Material icon in ``container`` is one glyph (about as wide as it is high), not
    its name written out ("language" is about four times wider)."""
    icon = container.locator('[data-testid="stIconMaterial"]').first
    expect(icon).to_be_visible()
    box = icon.bounding_box()
    assert box is not None and box["width"] <= 1.6 * box["height"], box


def test_login_page_has_its_fonts_and_no_emoji(demo_server: StreamlitServer, page: Any) -> None:
    page.goto(demo_server.url)
    wait_for_app(page)
    page.get_by_role("textbox", name="Nama pengguna").wait_for()
    fonts = page.evaluate(FONTS_JS)
    assert fonts.get("Material Symbols Rounded") == "loaded", fonts
    assert "loaded" in {status for family, status in fonts.items() if family.startswith("Source Sans")}, fonts
    button = page.get_by_role("button", name="English", exact=True)  # the icon is not read out
    expect(button).to_be_visible()
    assert "🌐" not in button.inner_text()
    icon_drawn_as_glyph(page, page.locator(".st-key-lang_switch"))
    assert english_attributes(page) == []
    shot(page, "words_login")


def test_indonesian_screen_reader_words_and_placeholders(demo_server: StreamlitServer, page: Any) -> None:
    make_login(page, demo_server)("admin", "demo-admin")
    page.get_by_role("heading", name="Sekarang").wait_for()
    # A session that logged in with the form keeps the fonts it loaded on the login page.
    icon_drawn_as_glyph(page, page.locator(".st-key-lang_switch"))
    assert english_attributes(page) == []
    helps = [t for t in page.evaluate(ATTRIBUTES_JS) if t.startswith("Bantuan untuk ")]
    assert helps, "the help tooltips of the Now page are labelled in Indonesian"

    open_menu(page, "Okupansi")
    assert english_attributes(page) == []
    placeholders = page.evaluate("() => [...document.querySelectorAll('input[placeholder]')].map(e => e.placeholder)")
    assert placeholders and set(placeholders) == {"Pilih…"}, placeholders
    # The calendar of "Sampai tanggal" (today): its days are read out in Indonesian.
    page.locator('[data-testid="stDateInput"]').nth(1).get_by_role("button", name="Pilih tanggal").click()
    calendar = page.get_by_role("dialog")
    expect(calendar).to_be_visible()
    labels = calendar.evaluate("d => [...d.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'))")
    assert any(label.startswith("Hari ini, ") for label in labels), labels
    assert any(label.endswith(" dipilih") for label in labels), labels
    assert not [label for label in labels if any(label.startswith(e) for e in ENGLISH)], labels
    shot(page, "words_calendar")
    page.keyboard.press("Escape")


def test_posters_labels_whole_and_preview_shown(demo_server: StreamlitServer, page: Any) -> None:
    make_login(page, demo_server)("admin", "demo-admin")
    open_menu(page, "Poster QR")
    expect(page.locator('[data-testid="stImage"] img').first).to_be_visible()
    for width in (1400, 1280, 1024):
        page.set_viewport_size({"width": width, "height": 1000})
        wait_for_app(page)
        labels = page.locator('[data-testid="stDownloadButton"] button [data-testid="stMarkdownContainer"] p')
        expect(labels.first).to_be_visible()
        # A label is cut when any part of its button is wider than the room it has.
        cut = page.evaluate(
            """() => [...document.querySelectorAll('[data-testid="stDownloadButton"] button')]
               .filter(b => [b, ...b.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1))
               .map(b => b.textContent)"""
        )
        assert cut == [], f"labels cut at {width} px: {cut}"
        assert labels.count() >= 3
    every = page.get_by_text("Unduh semua poster pintu (PDF,")
    expect(every).to_be_visible()
    every.scroll_into_view_if_needed()
    shot(page, "words_posters")


def test_a_page_the_role_may_not_see_refuses_itself(demo_server: StreamlitServer, page: Any) -> None:
    make_login(page, demo_server)("pimpinan", "demo-pimpinan")
    page.get_by_role("heading", name="Okupansi").first.wait_for()
    page.goto(demo_server.url + "/tracing")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Halaman ini bukan untuk peran Anda")).to_be_visible()
    expect(page.get_by_text("Halaman Pelacakan hanya untuk peran lain")).to_be_visible()
    # Nothing of the tracing page: no search box, no table.
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(0)
    expect(page.get_by_role("combobox")).to_have_count(0)
    shot(page, "words_refused")
    click_and_wait(page.get_by_role("link", name="Ke halaman awal Anda: Okupansi"))
    expect(page.get_by_role("heading", name="Okupansi").first).to_be_visible()
