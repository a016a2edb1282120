"""Small widgets the admin pages share: building choice, local date range, traffic light."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import streamlit as st

from lib.store import db
from lib.ui.i18n import relabelled, tr
from lib.ui.widget_texts import choose_placeholder

# Coloured dots (no emoji font needed) with the light in words next to them.
LIGHT_DOTS = {"green": ":green[●]", "yellow": ":orange[●]", "red": ":red[●]", None: ":gray[○]"}


def marked_name(name: str, confirmed: bool) -> str:
    """The display name, with 'baru, belum dikonfirmasi' for a building first seen in an import."""
    return name if confirmed else f"{name} · {tr('ui.unconfirmed')}"


def building_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """building id -> display name (unconfirmed buildings marked), in id order."""
    rows = con.execute(
        "SELECT building_id, coalesce(name, building_id), coalesce(confirmed, true) FROM buildings ORDER BY 1"
    ).fetchall()
    return {b: marked_name(n, c) for b, n, c in rows}


def buildings_or_stop(con: duckdb.DuckDBPyConnection, empty_key: str) -> tuple[dict[str, str], dict[str, str]]:
    """(building id -> name, building id -> time zone); with no building, says so and stops.

    Names of unconfirmed buildings carry the 'baru, belum dikonfirmasi' mark."""
    from lib.store.places import list_buildings

    rows = list_buildings(con)
    if rows.empty:
        st.info(tr(empty_key))
        st.stop()
    ids = list(rows["building_id"])
    names = [marked_name(n, bool(c)) for n, c in zip(rows["name"], rows["confirmed"], strict=True)]
    return dict(zip(ids, names, strict=True)), dict(zip(ids, rows["timezone"], strict=True))


ALL = ""  # the "all" option of a select box whose labels change with the language (not None)


def building_choice(con: duckdb.DuckDBPyConnection, key: str, allow_all: bool = True) -> str | None:
    """A building select box; None means all buildings (or no building exists)."""
    names = building_names(con)
    options = ([ALL] if allow_all else []) + list(names)
    if not options:
        return None
    picked = st.selectbox(
        tr("ui.building"), options, key=relabelled(key),
        format_func=lambda b: tr("ui.all_buildings") if b == ALL else f"{names[b]} ({b})",
        placeholder=choose_placeholder(),
    )
    return picked or None


def local_today(tz: str = db.DEFAULT_TIMEZONE) -> date:
    return datetime.now(ZoneInfo(tz)).date()


def date_range(key: str, default_days: int = 14, tz: str = db.DEFAULT_TIMEZONE) -> tuple[date, date] | None:
    """Two day pickers (DD/MM/YYYY), both days included; None (with a message) if reversed."""
    today = local_today(tz)
    left, right = st.columns(2)
    first = left.date_input(tr("ui.from"), value=today - timedelta(days=default_days - 1), key=f"{key}_from",
                            format="DD/MM/YYYY")
    last = right.date_input(tr("ui.to"), value=today, key=f"{key}_to", format="DD/MM/YYYY")
    if not isinstance(first, date) or not isinstance(last, date) or last < first:
        st.warning(tr("ui.bad_range"))
        return None
    return first, last


def light_label(light: str | None) -> str:
    """':green[●] Aman …' etc.: the traffic light as a coloured dot and in words (markdown)."""
    # A building without threshold has no light; pandas may hand that over as NaN, and
    # only the four known lights have words (never a raw text key on screen).
    if not isinstance(light, str) or light not in ("green", "yellow", "red"):
        light = None
    key = f"now.light.{light or 'none'}"
    return f"{LIGHT_DOTS.get(light, LIGHT_DOTS[None])} {tr(key)}"


def fmt_day(day: date | pd.Timestamp) -> str:
    """'03/01/2022'."""
    return pd.Timestamp(day).strftime("%d/%m/%Y")
