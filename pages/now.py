"""Sekarang / Now (admin): people inside each building now, visits today, latest scans."""

from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from lib.analytics import live
from lib.analytics.front_desk import inside_by_purpose
from lib.store.db import CATEGORIES, DEFAULT_TIMEZONE
from lib.ui.auth import require_roles
from lib.ui.data import cursor, database_path
from lib.ui.i18n import fmt_number, fmt_time, tr
from lib.ui.manager import SETTINGS_BUILDING_KEY, SETTINGS_PAGE, link_button, render_alerts
from lib.ui.plain import escape_markdown
from lib.ui.widgets import light_label, marked_name

require_roles("admin")

st.title(tr("now.title"))
st.caption(tr("now.caption"))


# Figures are shared by every admin's session for a few seconds, and recomputed at once
# when a scan, an import or a settings change alters the data (lib.analytics.live.data_version).
LIVE_CACHE_SECONDS = 10


@st.cache_data(ttl=LIVE_CACHE_SECONDS, show_spinner=False)
def load_live(_con: duckdb.DuckDBPyConnection, db_key: str,
              version: tuple[int, int, int]) -> tuple[datetime, pd.DataFrame, pd.DataFrame]:
    """(the instant the figures are for, the per-building overview, the last scans)."""
    now = datetime.now(UTC)
    return now, live.now_overview(_con, now), live.last_scans(_con, now)


def card(column: DeltaGenerator, row: Any, labels: list[str], figures: list[str], helps: dict[str, str]) -> None:
    """One building's card: its light against the threshold and six figures."""
    with column.container(border=True, key=f"now_building_{row.building}"):
        threshold = None if pd.isna(row.threshold) else int(row.threshold)
        st.subheader(escape_markdown(marked_name(row.name, row.confirmed)))  # stored text, as text
        if threshold is not None:
            detail = tr("now.of_threshold", inside=fmt_number(row.inside), threshold=fmt_number(threshold))
            st.markdown(f"**{light_label(row.light)}** · {detail}")
        else:
            # Said once, in words, with the way to set it (no light without a threshold).
            st.markdown(light_label(None))
            link_button(tr("now.set_threshold"), f"now_set_threshold_{row.building}", SETTINGS_PAGE,
                        SETTINGS_BUILDING_KEY, str(row.building), help_text=tr("now.set_threshold_help"))
        # Six figures as two rows of three, so every label shows whole in a card half
        # the page wide (at 1440 px, six in a row cut "Di dalam sekarang" to "Di dala…").
        # One st.columns(3) holding two figures each: reading order stays row by row,
        # and there are no more layout blocks than with one row.
        cells = st.columns(3)
        for index, (label, figure) in enumerate(zip(labels, figures, strict=True)):
            cells[index % 3].metric(label, fmt_number(getattr(row, figure)), help=helps.get(figure))


@st.fragment(run_every="30s")
def live_part() -> None:
    """The live figures, rerun every 30 s without reloading the page."""
    con = cursor()
    now, overview, scans = load_live(con, str(database_path()), live.data_version(con))
    if overview.empty:
        st.info(tr("ui.no_buildings"))
        return
    zones = dict(zip(overview["building"], overview["timezone"], strict=True))
    st.caption(tr("now.updated", time=fmt_time(now, overview["timezone"].iloc[0])))
    # Labels once per run, not once per building (40 buildings make 40 cards).
    # Short category words (ASN, THL, Pengunjung): a card's cell is a third of half the page.
    labels = [tr("now.inside"), *[tr(f"now.category.{c}") for c in CATEGORIES],
              tr("now.visits_today"), tr("now.finished_today")]
    figures = ["inside", *[f"inside_{c}" for c in CATEGORIES], "visits_today", "finished_today"]
    helps = {"finished_today": tr("now.finished_today_help")}

    # Everyone inside, across buildings (the roll-call's total), above the buildings' cards:
    # one line, so the cards' figures stay the only metrics of the page.
    with st.container(border=True, key="now_all_buildings"):
        totals = live.all_buildings(overview)
        st.markdown(tr("now.all_buildings", people=fmt_number(totals["inside"]),
                       **{c: fmt_number(totals[f"inside_{c}"]) for c in CATEGORIES}))
        st.caption(tr("now.all_buildings_caption"))

    # Cards in the order of the buildings' names (lib.analytics.live.now_overview), two to a
    # row: one st.columns(2) per pair keeps that order when a phone stacks the columns.
    rows = list(overview.itertuples())
    for pair in range(0, len(rows), 2):
        columns = st.columns(2)
        for column, row in zip(columns, rows[pair:pair + 2], strict=False):
            card(column, row, labels, figures, helps)

    st.subheader(tr("now.last_scans"))
    if scans.empty:
        st.caption(tr("now.no_scans"))
        visitors_by_purpose(con, now, overview)
        return
    names = {
        b: marked_name(n, c) for b, n, c in zip(overview["building"], overview["name"], overview["confirmed"], strict=True)
    }
    table = pd.DataFrame(
        {
            tr("now.col.time"): [fmt_time(ts, zones.get(b, DEFAULT_TIMEZONE)) for ts, b in zip(scans["ts"], scans["building"], strict=True)],
            tr("now.col.building"): [names.get(b, n) for b, n in zip(scans["building"], scans["building_name"], strict=True)],
            tr("now.col.gate"): scans["gate_name"].fillna(""),
            tr("now.col.action"): [tr(f"ui.action.{a}") for a in scans["action"]],
            tr("now.col.name"): scans["name"].fillna(""),
            tr("now.col.category"): [tr(f"ui.category.{c}") if isinstance(c, str) else "" for c in scans["category"]],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", key="now_last_scans")
    visitors_by_purpose(con, now, overview)


def visitors_by_purpose(con: duckdb.DuckDBPyConnection, now: datetime, overview: pd.DataFrame) -> None:
    """The front desk's visitors inside now per building and purpose (issue 22)."""
    by_purpose = inside_by_purpose(con, now)
    st.subheader(tr("front_desk.by_purpose_title"))
    if by_purpose.empty:
        st.caption(tr("front_desk.by_purpose_none"))
        return
    names = overview.set_index("building")["name"]
    st.dataframe(pd.DataFrame({
        tr("front_desk.by_purpose.building"): [str(names.get(b, b)) for b in by_purpose["building"]],
        tr("front_desk.by_purpose.purpose"): [p or tr("front_desk.by_purpose.unstated") for p in by_purpose["purpose"]],
        tr("front_desk.by_purpose.inside"): by_purpose["inside"].astype(int),
    }), hide_index=True, width="stretch", key="now_by_purpose")


# The building manager's alerts (RULES "Alerts"): a block of its own, above the live figures.
render_alerts()
live_part()
