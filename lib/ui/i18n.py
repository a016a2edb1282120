"""The session's language and number/time formatting for pages (Indonesian first)."""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd
import streamlit as st

from lib.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from lib.core.timeutil import format_local_short, format_local_time

LANG_KEY = "pantau_lang"


def lang() -> str:
    """'id' (default) or 'en', chosen with the sidebar switch for this session."""
    value = st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def tr(key: str, **values: object) -> str:
    """``lib.core.i18n.t`` in the session's language."""
    return t(key, lang(), **values)


def _toggle_language() -> None:
    st.session_state[LANG_KEY] = "en" if lang() == "id" else "id"


def language_switch() -> None:
    """One sidebar button: 'English' while in Indonesian, 'Bahasa Indonesia' while in English."""
    label = "🌐 English" if lang() == "id" else "🌐 Bahasa Indonesia"
    st.sidebar.button(label, key="lang_switch", on_click=_toggle_language, help=tr("ui.language_help"))


def fmt_number(value: float | int | None, decimals: int = 0) -> str:
    """'1.234,5' in Indonesian, '1,234.5' in English; '–' for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    text = f"{float(value):,.{decimals}f}"
    if lang() == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_percent(share: float | None, decimals: int = 0) -> str:
    """A share 0..1 as '82 %' (Indonesian decimals with a comma)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return f"{fmt_number(share * 100, decimals)} %"


def fmt_time(instant: datetime | pd.Timestamp | None, tz: str) -> str:
    """'08:00 WITA': the local clock time of a UTC instant with the zone named."""
    return format_local_time(instant, tz)


def fmt_datetime(instant: datetime | pd.Timestamp | None, tz: str) -> str:
    """'03/01/2022 08:00 WITA'."""
    return format_local_short(instant, tz)