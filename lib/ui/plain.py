"""Stored text shown as text: names, units, buildings, rooms, notes, file names on a page.

Almost everything Streamlit writes is Markdown: ``st.markdown``, ``st.caption``, ``st.info``,
``st.error``, subheaders, expander, checkbox, radio and metric labels, tooltips. A name
typed on the public check-in page or imported (``[Evakuasi SEKARANG](https://evil.example)``,
``![x](http://…/beacon.png)``, ``**…**``, ``<b>``) would be drawn as a live link, an image
that calls out, or formatting on an administrator's screen. Every stored text a page writes
into Markdown goes through :func:`escape_markdown` (or is shown in a table, which is never
Markdown); the page's own formatting stays in the template (RULES "Personal data").
"""

from __future__ import annotations

import re

from lib.core.errors import PantauError
from lib.outputs.export import visible_text
from lib.ui.i18n import tr

# What can start Markdown inside a line, each escaped with a backslash (CommonMark then shows
# the character itself): brackets (links, images, Streamlit's :color[...]), emphasis and
# strike-through, code, HTML and autolinks (<...>), math ($), tables (|) and the backslash
# itself. Block markers only count at the start of the text (line breaks become spaces).
# Everything else (``.``, ``-``, ``:`` in a name, a phone, a file name) is left as it is,
# so the text stays readable where it is read raw.
_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>$|~])")
# GitHub-flavoured Markdown (Streamlit's) also links bare addresses (``https://…``,
# ``www.…``, ``name@host.tld``), found in the text after escapes are read, so no backslash
# stops them: an invisible word joiner (U+2060) inside the pattern does, and shows nothing.
WORD_JOINER = "\u2060"
_BARE_LINKS = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=\bwww)(?=\.)|(?<=@)")
_BLOCK_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def escape_markdown(value: object) -> str:
    """``value`` as Markdown that shows exactly its text, on one line (a line break becomes
    a space, a control character the placeholder of ``lib.outputs.export.visible_text``)."""
    text = _LINE_BREAKS.sub(" ", visible_text("" if value is None else str(value)))
    text = _INLINE_SPECIALS.sub(r"\\\1", text)
    text = _BARE_LINKS.sub(WORD_JOINER, text)
    # A heading, quote or bullet: escape its mark; an ordered list ("1. "): escape the dot.
    return _BLOCK_START.sub(
        lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit() else "\\" + m.group(2)), text
    )


def tr_escaped(key: str, **values: object) -> str:
    """``tr(key, ...)`` with every value escaped (a number formatted by the caller is left as it is)."""
    return tr(key, **{name: escape_markdown(value) for name, value in values.items()})


def refusal_text(error: PantauError) -> str:
    """A lib refusal (``lib.core.errors.PantauError``) in the user's language, its values
    (names, addresses: stored or typed text) shown as text."""
    return tr_escaped(error.key, **error.values)
