"""Streamlit's own English words inside our interface, replaced in one place.

Streamlit 1.67 writes some words itself, in English, whatever the app's language:

- multiselect / selectbox placeholders ("Choose options", "Choose an option", "No options
  to select"): the widgets take ``placeholder=``; pages pass ``choose_placeholder()``.
- "Press Enter to submit form" / "Press Enter to apply" under text boxes: no parameter
  (``st.form(enter_to_submit=False)`` would also switch Enter off). Hidden here by CSS;
  Enter still submits. The character counter of a box with ``max_chars`` stays.
- the file uploader's button ("Upload") and the text shown while a file is dragged over
  it ("Drag and drop files here"): no parameter (streamlit/streamlit#13500 asks for one).
  The English words are hidden and ours drawn in their place by CSS.
- the multiselect's "Select all" / "Select N matches" rows of its list: the same.

``widget_texts`` is called once per run right after ``st.navigation`` (``lib/ui/auth.py``),
so every page, the login page and the public check-in page get it. (A style-only
``st.html`` goes to Streamlit's event container; one sent before ``st.navigation`` was
lost when the address named another page than the default, e.g. the check-in page.) The CSS selects by
Streamlit's ``data-testid`` attributes and react-aria's ``data-key`` of the list rows
and, for the text shown while a file is dragged over the uploader, the class name of
Streamlit's styled component (``DRAG_TEXT_CLASS``), all checked against Streamlit 1.67 in
``tests/e2e/test_everyday_browser.py``; should an update rename them, the English words
come back (nothing else breaks) and that test fails.
"""

from __future__ import annotations

import json

import streamlit as st

from lib.ui.i18n import tr

DRAG_TEXT_CLASS = "euud7oh2"  # "Drag and drop files here" in Streamlit 1.67's file uploader

# Draw ``text`` over an element whose own (English) words are made invisible: the element
# keeps its size, so the layout does not move.
_OVERLAY = (
    "{selector}{{visibility:hidden;position:relative;white-space:nowrap}}"
    "{selector}::after{{content:{text};visibility:visible;position:absolute;left:0;top:0;white-space:nowrap}}"
)


def _css_string(text: str) -> str:
    """A CSS string literal (JSON's escaping is valid CSS for these texts)."""
    return json.dumps(text).replace("<", "\\3C ")


def choose_placeholder(empty: bool = False) -> str:
    """The ``placeholder=`` of a multiselect or selectbox: 'Pilih…', or 'Tidak ada pilihan'."""
    return tr("ui.no_options") if empty else tr("ui.choose")


def widget_css() -> str:
    """The style sheet replacing Streamlit's English words (see the module docstring)."""
    rules = [
        # The instruction is the first span (every text box of this app submits with Enter);
        # a character counter after it loses its separating dot.
        '[data-testid="InputInstructions"] > span:first-child{display:none}',
        '[data-testid="InputInstructions"] > span:nth-child(2)::before{content:none}',
        _OVERLAY.format(
            selector='[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p',
            text=_css_string(tr("ui.upload")),
        ),
        # While a file is dragged over the uploader. This span has no test id, only the
        # class Streamlit 1.67's build gives its styled component (the list of uploaded
        # files, also without a test id, must stay visible).
        _OVERLAY.format(
            selector=f'[data-testid="stFileUploaderDropzone"] span.{DRAG_TEXT_CLASS}',
            text=_css_string(tr("ui.drop_files")),
        ),
        _OVERLAY.format(selector='[data-key="__select_all__"] [data-item-hl]', text=_css_string(tr("ui.select_all"))),
        _OVERLAY.format(
            selector='[data-key="__select_matches__"] [data-item-hl]', text=_css_string(tr("ui.select_matches"))
        ),
    ]
    return "\n".join(rules)


def widget_texts(page_css: str = "") -> None:
    """Put the style sheet on the page (an invisible element: a ``<style>`` only).

    A page with CSS of its own passes it here (``page_css``) rather than calling
    ``st.html("<style>…")`` itself: Streamlit puts a style-only ``st.html`` into its event
    container, and there a page's own one took the place of this sheet (seen with 1.67 on
    the check-in page), so the page's rules and these go out together.
    """
    st.html(f"<style>{widget_css()}\n{page_css}</style>")
