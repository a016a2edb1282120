"""The session's language and number/time formatting for pages (Indonesian first)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from lib.core import numformat
from lib.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from lib.core.timeutil import format_local_short, format_local_time
from lib.store import users

LANG_KEY = "pantau_lang"
_LANG_USER_KEY = "pantau_lang_user"  # the user whose stored language this session applied


def lang() -> str:
    """'id' (default) or 'en', chosen with the sidebar switch for this session."""
    value = st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def tr(key: str, **values: object) -> str:
    """``lib.core.i18n.t`` in the session's language."""
    return t(key, lang(), **values)


def _logged_in_user() -> str:
    if not st.session_state.get("authentication_status"):
        return ""
    return str(st.session_state.get("username") or "").lower()


def apply_user_language() -> None:
    """The logged-in user's own language (kept with the account by ``lib.store.users``), read once
    per session and user: a reload or a new login opens in the language chosen last.

    Nobody logged in (the login page, the public check-in page): the session's language,
    Indonesian by default. A user who never switched keeps the session's language.
    """
    username = _logged_in_user()
    if not username or st.session_state.get(_LANG_USER_KEY) == username:
        return
    stored = users.user_language(None, username)
    if stored is not None:
        st.session_state[LANG_KEY] = stored
    st.session_state[_LANG_USER_KEY] = username


# Keys of widgets whose option labels are words of the session's language (``relabelled``).
_RELABELLED: set[str] = set()


def relabelled(key: str) -> str:
    """``key``, noted as a widget whose option labels are in the session's language.

    Streamlit keeps a widget's choice by its label: after a language switch a radio shows
    nothing chosen and a select box the old word. The switch therefore hands every such
    widget its value again, which redraws it with the new labels. Such a widget's options
    must not include None (to Streamlit, a None value means "nothing chosen")."""
    _RELABELLED.add(key)
    return key


def _toggle_language() -> None:
    chosen = "en" if lang() == "id" else "id"
    st.session_state[LANG_KEY] = chosen
    for key in _RELABELLED & set(st.session_state.keys()):
        st.session_state[key] = st.session_state[key]
    username = _logged_in_user()
    if username:  # the choice follows the user to the next reload and login
        users.set_user_language(None, username, chosen)
        st.session_state[_LANG_USER_KEY] = username


def language_switch() -> None:
    """One sidebar button: 'English' while in Indonesian, 'Bahasa Indonesia' while in English.

    Pages without a sidebar (the public check-in page) do not call it: they have their own.
    """
    apply_user_language()
    label = "English" if lang() == "id" else "Bahasa Indonesia"
    # Streamlit's own icon font, not an emoji: a Debian machine with only fonts-dejavu-core
    # drew the globe emoji as an empty box.
    st.sidebar.button(label, key="lang_switch", on_click=_toggle_language, help=tr("ui.language_help"),
                      icon=":material/language:")


def fmt_number(value: float | int | None, decimals: int = 0) -> str:
    """'1.234,5' in Indonesian, '1,234.5' in English; '–' for a missing value (``lib.core.numformat``)."""
    return numformat.format_number(value, decimals, lang())


def fmt_percent(share: float | None, decimals: int = 0) -> str:
    """A share 0..1 as '82 %' (Indonesian decimals with a comma)."""
    return numformat.format_percent(share, decimals, lang())


def number_table(frame: pd.DataFrame, decimals: Mapping[str, int]) -> Any:
    """``frame`` for ``st.dataframe`` with the columns in ``decimals`` (name -> places) written
    like ``fmt_number``; the cells stay numbers, so they sort as numbers."""
    return numformat.style_numbers(frame, decimals, lang())


def number_format(decimals: int | None = None) -> str:
    """The ``format=`` of a ``st.number_input`` holding a float (``lib.core.numformat.input_format``)."""
    return numformat.input_format(decimals)


def fmt_time(instant: datetime | pd.Timestamp | None, tz: str) -> str:
    """'08:00 WITA': the local clock time of a UTC instant with the zone named."""
    return format_local_time(instant, tz)


def fmt_datetime(instant: datetime | pd.Timestamp | None, tz: str) -> str:
    """'03/01/2022 08:00 WITA'."""
    return format_local_short(instant, tz)