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
- words only a screen reader says, or an empty select box shows, written into attributes
  (``aria-label``, ``placeholder``, ``title``): "Help for <label>" of every help tooltip,
  the date input's "day, <label>", "Choose date" and its calendar's "Today, Monday,
  December 7, 2026", "Choose an option" of every select box (also of one whose page passes
  no ``placeholder=``), "Link to heading", the table toolbar's words. No parameter, and
  CSS cannot change an attribute: ``words_script`` (a small script, run by
  ``st.html(..., unsafe_allow_javascript=True)`` in a hidden container) rewrites them
  whenever Streamlit draws, from ``STREAMLIT_WORDS`` and the texts ``ui.st.*``; dates are
  said by the browser's ``Intl`` in the session's language. It also hides Material icon
  names ("language", "person icon") from screen readers. The calendar's visible month and
  weekday names follow the browser's own language (react-aria), not the session's.

``widget_texts`` (the style sheet and the script) is called once per run right after ``st.navigation`` (``lib/ui/auth.py``),
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

from lib.ui.i18n import lang, tr

WORDS_KEY = "pantau_words"  # the hidden container of the words script
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
        # Its wrapper too, or the main column's gap (16 px) is left above every page title.
        f".st-key-{WORDS_KEY},.stLayoutWrapper:has(> .st-key-{WORDS_KEY}){{display:none}}",
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


# Streamlit's (and react-aria's) English attribute words -> our text key. Attributes only
# (aria-label, placeholder, title): what a screen reader says and what an empty select box
# shows; visible text React draws is left alone.
STREAMLIT_WORDS = {
    "Choose an option": "ui.choose",
    "Choose options": "ui.choose",
    "No options to select": "ui.no_options",
    "No options to select.": "ui.no_options",
    "Help": "ui.st.help",
    "Choose date": "ui.st.choose_date",
    "Previous month": "ui.st.previous_month",
    "Next month": "ui.st.next_month",
    "Previous": "ui.st.previous_month",
    "Next": "ui.st.next_month",
    "Open": "ui.st.open",
    "Clear all": "ui.st.clear",
    "Clear value": "ui.st.clear",
    "Collapse sidebar": "ui.st.collapse_sidebar",
    "Expand sidebar": "ui.st.expand_sidebar",
    "Sidebar": "ui.st.sidebar",
    "App pages": "ui.st.app_pages",
    "Link to heading": "ui.st.heading_link",
    "Download as CSV": "ui.st.download_csv",
    "Search": "ui.st.search",
    "Fullscreen": "ui.st.fullscreen",
    "Close fullscreen": "ui.st.close_fullscreen",
    "Show/hide columns": "ui.st.columns",
    "Download plot as a PNG": "ui.st.download_png",
    "month": "ui.st.month",
    "year": "ui.st.year",
}

# A MutationObserver rewrites those attributes whenever Streamlit draws or redraws an
# element. The English original is kept in ``data-pantau-<attr>``, so a language switch
# translates from it again (React does not reset an attribute whose value it did not
# change). Material icons get ``aria-hidden``: their ligature name ("language") was read
# out as part of a button's name ("language English").
_WORDS_SCRIPT = r"""
<script>
(() => {
  window.__pantauWords = %(words)s;
  const MONTHS = ["January","February","March","April","May","June","July","August","September",
                  "October","November","December"];
  const ATTRS = ["aria-label", "placeholder", "title"];
  const day = (w, month, date, year) => new Date(Number(year), MONTHS.indexOf(month), Number(date));
  const translate = (text) => {
    const w = window.__pantauWords;
    if (Object.prototype.hasOwnProperty.call(w.exact, text)) return w.exact[text];
    let m = text.match(/^Help for (.+)$/s);
    if (m) return w.helpFor[0] + m[1] + w.helpFor[1];
    m = text.match(/^(day|month|year), (.+)$/s);
    if (m) return w.segment[m[1]] + ", " + m[2];
    m = text.match(/^(Today, )?[A-Z][a-z]+day, ([A-Z][a-z]+) (\d{1,2}), (\d{4})( selected)?$/);
    if (m && MONTHS.includes(m[2])) {
      const said = new Intl.DateTimeFormat(w.locale, {weekday: "long", day: "numeric", month: "long",
                                                      year: "numeric"}).format(day(null, m[2], m[3], m[4]));
      return (m[1] ? w.today + ", " : "") + said + (m[5] ? " " + w.selected : "");
    }
    m = text.match(/^Choose date, ([A-Z][a-z]+) (\d{4})$/);
    if (m && MONTHS.includes(m[1])) {
      const month = new Intl.DateTimeFormat(w.locale, {month: "long", year: "numeric"})
        .format(new Date(Number(m[2]), MONTHS.indexOf(m[1]), 1));
      return w.chooseDate + ", " + month;
    }
    return null;
  };
  const fixElement = (el) => {
    for (const attr of ATTRS) {
      if (!el.hasAttribute(attr)) continue;
      const store = "data-pantau-" + attr;
      const now = el.getAttribute(attr);
      let original = el.getAttribute(store);
      if (original === null || (now !== original && now !== el.getAttribute(store + "-said"))) {
        original = now;  // first seen, or Streamlit wrote a new English value
        el.setAttribute(store, original);
      }
      const said = translate(original);
      const want = said === null ? original : said;
      if (now !== want) el.setAttribute(attr, want);
      el.setAttribute(store + "-said", want);
    }
    const icon = el.matches('[data-testid="stIconMaterial"]') ||
      (el.tagName === "SPAN" && / icon$/.test(el.getAttribute("data-pantau-aria-label") || ""));
    if (icon) el.setAttribute("aria-hidden", "true");  // "person icon", "language": decoration
  };
  const fixTree = (root) => {
    if (!root || root.nodeType !== 1) return;
    fixElement(root);
    root.querySelectorAll('[aria-label],[placeholder],[title],[data-testid="stIconMaterial"]').forEach(fixElement);
  };
  window.__pantauFixWords = () => fixTree(document.body);
  if (!window.__pantauWordsObserver) {
    window.__pantauWordsObserver = new MutationObserver((changes) => {
      for (const change of changes) {
        if (change.type === "attributes") fixElement(change.target);
        else change.addedNodes.forEach(fixTree);
      }
    });
    window.__pantauWordsObserver.observe(document.body, {subtree: true, childList: true, attributes: true,
                                                          attributeFilter: ATTRS});
  }
  window.__pantauFixWords();
})();
</script>
"""


def words_script() -> str:
    """The ``<script>`` translating Streamlit's attribute words into the session's language."""
    language = lang()
    help_for = tr("ui.st.help_for", label="\x00").split("\x00", 1)
    words = {
        "exact": {english: tr(key) for english, key in STREAMLIT_WORDS.items()},
        "helpFor": help_for,
        "segment": {part: tr(f"ui.st.{part}") for part in ("day", "month", "year")},
        "today": tr("ui.st.today"),
        "selected": tr("ui.st.selected"),
        "chooseDate": tr("ui.st.choose_date"),
        "locale": "id-ID" if language == "id" else "en-GB",
    }
    return _WORDS_SCRIPT % {"words": json.dumps(words).replace("<", "\\u003c")}


def widget_texts(page_css: str = "") -> None:
    """Put the style sheet on the page (an invisible element: a ``<style>`` only).

    A page with CSS of its own passes it here (``page_css``) rather than calling
    ``st.html("<style>…")`` itself: Streamlit puts a style-only ``st.html`` into its event
    container, and there a page's own one took the place of this sheet (seen with 1.67 on
    the check-in page), so the page's rules and these go out together.
    """
    st.html(f"<style>{widget_css()}\n{page_css}</style>")
    # In a container hidden by the sheet above: the script runs, its element takes no room.
    with st.container(key=WORDS_KEY):
        st.html(words_script(), unsafe_allow_javascript=True)
