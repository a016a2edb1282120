"""Provinsi / Province (leadership, admin; only when ``PANTAU_LAKE`` is set): every
office that publishes to the province's lake, side by side (RULES "Province").

Aggregates only: weekly figures per site and building with the change against the week
before, hourly occupancy, the sites that stopped publishing, and what was skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pandas as pd
import streamlit as st

from lib.analytics import province
from lib.core import config
from lib.ui.auth import require_roles
from lib.ui.i18n import fmt_number, tr
from lib.ui.plain import refusal_text

require_roles("leadership", "admin")

LOCATION = config.lake() or ""


@st.cache_data(ttl=60, show_spinner=False)
def load_weeks(location: str) -> list[str]:
    return province.published_weeks(province.open_lake(location))


@st.cache_data(ttl=60, show_spinner=False)
def load_week(location: str, week: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[province.LakeWarning]]:
    lake = province.open_lake(location)
    con = duckdb.connect()
    try:
        weekly, warnings = province.rollup_weekly(con, lake, week)
        monday = province.monday_of(week)
        hourly, _ = province.rollup_hourly(con, lake, monday, monday + timedelta(days=6))
        buildings = province.published_buildings(con, lake)
    finally:
        con.close()
    return province.with_week_over_week(weekly), province.hourly_local(hourly, buildings), buildings, warnings


@st.cache_data(ttl=60, show_spinner=False)
def load_sites(location: str) -> pd.DataFrame:
    return province.site_status(province.open_lake(location), datetime.now(UTC))


st.title(tr("province.title"))
st.caption(tr("province.caption", lake=LOCATION))
try:
    province.open_lake(LOCATION)
except province.LakeError as error:
    st.error(refusal_text(error))
    st.stop()

sites = load_sites(LOCATION)
stale = sites[sites["stale"]]["site"].tolist()
if stale:
    st.warning(tr("province.stale", sites=", ".join(stale)))

weeks = load_weeks(LOCATION)
if not weeks:
    st.info(tr("province.no_weeks"))
    st.stop()
# The newest week is usually unfinished: the one before is the default, as on the weekly page.
week = str(st.selectbox(tr("province.week"), weeks, index=1 if len(weeks) > 1 else 0, key="province_week"))
weekly, hourly, buildings, warnings = load_week(LOCATION, week)

st.subheader(tr("province.weekly_header"))
visits, previous = int(weekly["visits"].sum()), int(weekly["visits_prev"].sum())
change_pct = (visits - previous) * 100 / previous if previous else None
change = "–" if change_pct is None else ("+" if change_pct > 0 else "") + fmt_number(change_pct, 1) + " %"
st.markdown(tr(
    "province.totals", sites=weekly["site"].nunique(), buildings=len(weekly), visits=fmt_number(visits), change=change,
))
columns = ["site", "building", "visits", "visits_change", "visits_change_pct", "persons", "persons_change", "peak",
           "busiest_day", "crowding_episodes"]
table = weekly[columns].copy()
table["busiest_day"] = table["busiest_day"].map(lambda d: "" if pd.isna(d) else f"{pd.Timestamp(d):%d/%m/%Y}")
table["visits_change_pct"] = table["visits_change_pct"].round(1)
st.dataframe(
    table.rename(columns={c: tr(f"province.col.{c}") for c in columns}),
    hide_index=True, width="stretch", key="province_weekly_table",
)

st.subheader(tr("province.hourly_header"))
if hourly.empty:
    st.info(tr("province.hourly_empty"))
else:
    site = str(st.selectbox(tr("province.hourly_site"), sorted(hourly["site"].unique()), key="province_hourly_site"))
    chart = hourly[hourly["site"] == site].pivot_table(index="local_hour", columns="building", values="peak", aggfunc="max")
    st.line_chart(chart, x_label=tr("province.hour_axis"), y_label=tr("province.peak_axis"))
    st.caption(tr("province.chart_alt", site=site))

st.subheader(tr("province.sites_header"))
site_table = sites.copy()
site_table["published_at"] = site_table["published_at"].map(lambda t: f"{t.tz_convert('Asia/Makassar'):%d/%m/%Y %H:%M} WITA")
site_table["stale"] = site_table["stale"].map(lambda s: tr("audit.yes") if s else tr("audit.no"))
st.dataframe(
    site_table.rename(columns={c: tr(f"province.col.{c}") for c in site_table.columns}),
    hide_index=True, width="stretch", key="province_sites_table",
)
if not stale:
    st.caption(tr("province.all_fresh"))

if warnings:
    st.subheader(tr("province.skipped_header"))
    for warning in warnings:
        st.warning(
            tr(f"province.warning.{warning.code}", site=warning.site, dataset=warning.dataset, partition=warning.partition)
        )
