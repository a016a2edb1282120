"""Sekarang / Now (admin): people inside each building now, visits today, latest scans."""

from datetime import UTC, datetime

import duckdb
import pandas as pd
import streamlit as st

from lib.analytics import live
from lib.store.db import CATEGORIES, DEFAULT_TIMEZONE
from lib.ui.auth import require_roles
from lib.ui.data import cursor, database_path
from lib.ui.i18n import fmt_number, fmt_time, tr
from lib.ui.manager import render_alerts
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
    no_threshold = tr("now.no_threshold")
    columns = st.columns(2)
    for index, row in enumerate(overview.itertuples()):
        with columns[index % 2].container(border=True, key=f"now_building_{row.building}"):
            threshold = None if pd.isna(row.threshold) else int(row.threshold)
            detail = (
                tr("now.of_threshold", inside=fmt_number(row.inside), threshold=fmt_number(threshold))
                if threshold is not None else no_threshold
            )
            st.subheader(escape_markdown(marked_name(row.name, row.confirmed)))  # stored text, as text
            st.markdown(f"**{light_label(row.light)}** · {detail}")
            # Six figures as two rows of three, so every label shows whole in a card half
            # the page wide (at 1440 px, six in a row cut "Di dalam sekarang" to "Di dala…").
            # One st.columns(3) holding two figures each: reading order stays row by row,
            # and there are no more layout blocks than with one row.
            cells = st.columns(3)
            for index, (label, figure) in enumerate(zip(labels, figures, strict=True)):
                cells[index % 3].metric(label, fmt_number(getattr(row, figure)), help=helps.get(figure))

    st.subheader(tr("now.last_scans"))
    if scans.empty:
        st.caption(tr("now.no_scans"))
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


# The building manager's alerts (RULES "Alerts"): a block of its own, above the live figures.
render_alerts()
live_part()
