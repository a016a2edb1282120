"""Sekarang / Now (admin): people inside each building now, visits today, latest scans."""

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from lib import live
from lib.db import CATEGORIES, DEFAULT_TIMEZONE
from lib.ui.auth import require_roles
from lib.ui.data import cursor
from lib.ui.i18n import fmt_number, fmt_time, tr
from lib.ui.widgets import light_label

require_roles("admin")

st.title(tr("now.title"))
st.caption(tr("now.caption"))


@st.fragment(run_every="30s")
def live_part() -> None:
    """The live figures, rerun every 30 s without reloading the page."""
    con = cursor()
    now = datetime.now(UTC)
    overview = live.now_overview(con, now)
    if overview.empty:
        st.info(tr("ui.no_buildings"))
        return
    zones = dict(zip(overview["building"], overview["timezone"], strict=True))
    st.caption(tr("now.updated", time=fmt_time(now, overview["timezone"].iloc[0])))
    columns = st.columns(2)
    for index, row in enumerate(overview.itertuples()):
        with columns[index % 2].container(border=True, key=f"now_building_{row.building}"):
            st.subheader(row.name)
            threshold = None if pd.isna(row.threshold) else int(row.threshold)
            detail = (
                tr("now.of_threshold", inside=fmt_number(row.inside), threshold=fmt_number(threshold))
                if threshold is not None else tr("now.no_threshold")
            )
            st.markdown(f"**{light_label(row.light)}** · {detail}")
            cells = st.columns(4)
            cells[0].metric(tr("now.inside"), fmt_number(row.inside))
            for cell, category in zip(cells[1:], CATEGORIES, strict=True):
                cell.metric(tr(f"ui.category.{category}"), fmt_number(getattr(row, f"inside_{category}")))
            cells = st.columns(2)
            cells[0].metric(tr("now.visits_today"), fmt_number(row.visits_today))
            cells[1].metric(tr("now.finished_today"), fmt_number(row.finished_today))

    st.subheader(tr("now.last_scans"))
    scans = live.last_scans(con, now)
    if scans.empty:
        st.caption(tr("now.no_scans"))
        return
    names = dict(zip(overview["building"], overview["name"], strict=True))
    table = pd.DataFrame(
        {
            tr("now.col.time"): [fmt_time(ts, zones.get(b, DEFAULT_TIMEZONE)) for ts, b in zip(scans["ts"], scans["building"], strict=True)],
            tr("now.col.building"): [names.get(b, b) for b in scans["building"]],
            tr("now.col.gate"): scans["gate"].fillna(""),
            tr("now.col.action"): [tr(f"ui.action.{a}") for a in scans["action"]],
            tr("now.col.name"): scans["name"].fillna(""),
            tr("now.col.category"): [tr(f"ui.category.{c}") if isinstance(c, str) else "" for c in scans["category"]],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", key="now_last_scans")


live_part()
