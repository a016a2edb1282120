"""Okupansi / Occupancy (admin, leadership): hourly occupancy, crowding, weekday pattern, and one
room's occupancy against its capacity (scanned room stays only, RULES "Places inside a building").

Aggregates only (RULES "Personal data"): nothing on this page names a person.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import pandas as pd
import streamlit as st

from lib.analytics import crowding, occupancy, rooms
from lib.core.timeutil import parse_local_bound
from lib.outputs import charts, report
from lib.store import places
from lib.ui.auth import require_roles
from lib.ui.data import cursor
from lib.ui.i18n import fmt_datetime, fmt_number, lang, number_table, relabelled, tr
from lib.ui.widgets import buildings_or_stop

require_roles("admin", "leadership")

MAX_DAYS = 92


@st.cache_data(ttl=60, show_spinner=False)
def load_hourly(_con: duckdb.DuckDBPyConnection, db_key: str, building: str, start: datetime, end: datetime,
                by_category: bool) -> pd.DataFrame:
    return occupancy.hourly_occupancy(_con, start, end, building=building, by_category=by_category)


@st.cache_data(ttl=60, show_spinner=False)
def load_crowding(_con: duckdb.DuckDBPyConnection, db_key: str, building: str, start: datetime,
                  end: datetime) -> tuple[int | None, pd.DataFrame]:
    threshold = places.threshold(_con, building)
    episodes = crowding.crowding_episodes(_con, start, end, building=building) if threshold is not None else None
    return threshold, episodes if episodes is not None else pd.DataFrame(columns=["building", "start", "end", "minutes", "peak"])


@st.cache_data(ttl=60, show_spinner=False)
def load_heatmap(_con: duckdb.DuckDBPyConnection, db_key: str, building: str, start: datetime,
                 end: datetime) -> pd.DataFrame:
    return occupancy.weekday_hour_heatmap(_con, building, start, end)


@st.cache_data(ttl=60, show_spinner=False)
def load_room(_con: duckdb.DuckDBPyConnection, db_key: str, building: str, area: str, start: datetime,
              end: datetime) -> tuple[int | None, pd.DataFrame, pd.DataFrame]:
    """The room's capacity, hourly figures and crowding episodes (scanned stays only)."""
    return (
        rooms.room_capacity(_con, building, area),
        rooms.room_hourly_occupancy(_con, building, area, start, end),
        rooms.room_crowding_episodes(_con, building, area, start, end),
    )


def episodes_table(episodes: pd.DataFrame, key: str) -> None:
    """Crowding episodes as a table: start, end (local), minutes, peak."""
    st.dataframe(
        number_table(
            pd.DataFrame(
                {
                    tr("occupancy.col.start"): [fmt_datetime(v, tz_name) for v in episodes["start"]],
                    tr("occupancy.col.end"): [fmt_datetime(v, tz_name) for v in episodes["end"]],
                    tr("occupancy.col.minutes"): episodes["minutes"].astype(float).to_numpy(),
                    tr("occupancy.col.peak"): episodes["peak"].astype(int).to_numpy(),
                }
            ),
            {tr("occupancy.col.minutes"): 0, tr("occupancy.col.peak"): 0},
        ),
        hide_index=True, width="stretch", key=key,
    )


con = cursor()
db_key = report.database_key(con)
st.title(tr("occupancy.title"))
st.caption(tr("occupancy.caption"))

names, zones = buildings_or_stop(con, "occupancy.no_buildings")

left, middle, right = st.columns([2, 1, 1])
building = left.selectbox(
    tr("occupancy.building"), list(names), format_func=lambda b: names[b], key="occupancy_building"
)
tz_name = zones[building]
today = pd.Timestamp.now(tz=tz_name).date()
first_day: date = middle.date_input(
    tr("occupancy.from"), value=today - timedelta(days=6), format="DD/MM/YYYY", key="occupancy_from"
)
last_day: date = right.date_input(tr("occupancy.to"), value=today, format="DD/MM/YYYY", key="occupancy_to")
if last_day < first_day:
    st.warning(tr("occupancy.bad_range"))
    st.stop()
if (last_day - first_day).days + 1 > MAX_DAYS:
    st.warning(tr("occupancy.too_long", days=MAX_DAYS))
    st.stop()
# Whole local days, both included (RULES "Time", as --from/--to with dates).
start = parse_local_bound(first_day.isoformat(), tz_name, is_end=False)
end = parse_local_bound(last_day.isoformat(), tz_name, is_end=True)

hourly = load_hourly(con, db_key, building, start, end, False)
threshold, episodes = load_crowding(con, db_key, building, start, end)

st.subheader(tr("occupancy.hourly_header"))
cols = st.columns(4)
cols[0].metric(tr("occupancy.max_peak"), fmt_number(int(hourly["peak"].max()) if len(hourly) else 0))
cols[1].metric(tr("occupancy.person_hours"), fmt_number(float(hourly["person_hours"].sum()), 1))
cols[2].metric(tr("occupancy.threshold"), fmt_number(threshold) if threshold is not None else tr("occupancy.no_threshold"))
cols[3].metric(tr("occupancy.episodes_header"), fmt_number(len(episodes)))
st.plotly_chart(
    charts.occupancy_figure(hourly, tz_name, threshold, episodes, lang()),
    width="stretch", key="occupancy_chart", alt=tr("occupancy.hourly_header"), config=charts.plotly_config(lang()),
)

st.subheader(tr("occupancy.episodes_header"))
if threshold is None:
    st.info(tr("occupancy.episodes_no_threshold"))
elif episodes.empty:
    st.info(tr("occupancy.episodes_none"))
else:
    episodes_table(episodes, "occupancy_episodes")

st.subheader(tr("occupancy.category_header"))
measure_labels = {m: tr(f"charts.{m}") for m in ("present", "person_hours")}
measure = st.radio(
    tr("occupancy.measure"), list(measure_labels), horizontal=True, key=relabelled("occupancy_measure"),
    format_func=measure_labels.__getitem__,
)
by_category = load_hourly(con, db_key, building, start, end, True)
st.plotly_chart(
    charts.category_figure(by_category, tz_name, measure, lang()),
    width="stretch", key="occupancy_category_chart", alt=tr("occupancy.category_header"), config=charts.plotly_config(lang()),
)

st.subheader(tr("occupancy.heatmap_header"))
st.caption(tr("occupancy.heatmap_caption"))
st.plotly_chart(
    charts.heatmap_figure(load_heatmap(con, db_key, building, start, end), tz_name, "avg_peak", lang()),
    width="stretch", key="occupancy_heatmap", alt=tr("occupancy.heatmap_header"), config=charts.plotly_config(lang()),
)

st.subheader(tr("occupancy.room_header"))
st.caption(tr("occupancy.room_caption"))
areas = places.list_areas(con, building)
if areas.empty:
    st.info(tr("occupancy.no_rooms"))
    st.stop()
room_names = list(areas["area_id"])
first_room = rooms.busiest_room(con, building)
room = st.selectbox(
    tr("occupancy.room"), room_names, index=room_names.index(first_room) if first_room in room_names else 0,
    key="occupancy_room",
)
capacity, room_hourly, room_episodes = load_room(con, db_key, building, room, start, end)
cols = st.columns(3)
cols[0].metric(tr("occupancy.room_max_peak"), fmt_number(int(room_hourly["peak"].max()) if len(room_hourly) else 0))
cols[1].metric(tr("occupancy.person_hours"), fmt_number(float(room_hourly["person_hours"].sum()), 1))
cols[2].metric(tr("occupancy.room_capacity"), fmt_number(capacity) if capacity is not None else tr("occupancy.no_threshold"))
st.plotly_chart(
    charts.occupancy_figure(room_hourly, tz_name, capacity, room_episodes, lang(), limit_key="charts.capacity"),
    width="stretch", key="occupancy_room_chart", alt=tr("occupancy.room_header"), config=charts.plotly_config(lang()),
)
st.markdown(f"**{tr('occupancy.room_episodes')}**")
if capacity is None:
    st.info(tr("occupancy.room_no_capacity"))
elif room_episodes.empty:
    st.info(tr("occupancy.room_episodes_none"))
else:
    episodes_table(room_episodes, "occupancy_room_episodes")
