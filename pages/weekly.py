"""Statistik mingguan / Weekly (leadership, admin): one ISO week against the week before.

Aggregates only (RULES "Personal data"): the page, the PDF and the XLSX carry no names.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd
import streamlit as st

from lib.analytics import purposes, weekly
from lib.core.timeutil import zone_label
from lib.outputs import charts, purpose_charts, report
from lib.ui.auth import require_roles
from lib.ui.data import cursor
from lib.ui.i18n import fmt_number, lang, relabelled, tr
from lib.ui.widgets import buildings_or_stop

require_roles("leadership", "admin")

WEEKS_TO_PICK = 26  # at most, back from the latest week with data
TREND_WEEKS = 12


@st.cache_data(ttl=120, show_spinner=False)
def load_partial(_con: duckdb.DuckDBPyConnection, db_key: str, included: tuple[str, ...]) -> tuple[str, date] | None:
    return weekly.partial_first_week(_con, included)


@st.cache_data(ttl=120, show_spinner=False)
def load_stats(_con: duckdb.DuckDBPyConnection, db_key: str, week: str, included: tuple[str, ...]) -> pd.DataFrame:
    stats = weekly.weekly_stats(_con, week)
    stats = stats[stats["building"].isin(included)].reset_index(drop=True)
    # No change against a partial first week (a few days against a full week is no growth).
    return weekly.without_change_against(stats, week, load_partial(_con, db_key, included))


@st.cache_data(ttl=120, show_spinner=False)
def load_trend(_con: duckdb.DuckDBPyConnection, db_key: str, week: str, included: tuple[str, ...]) -> pd.DataFrame:
    trend = weekly.weekly_trend(_con, week, weeks=TREND_WEEKS)
    return weekly.trend_from_first_data(trend[trend["building"].isin(included)].reset_index(drop=True))


@st.cache_data(ttl=120, show_spinner=False)
def load_city(_con: duckdb.DuckDBPyConnection, db_key: str, week: str, included: tuple[str, ...]) -> dict:
    return weekly.without_change_against(
        weekly.city_week_totals(_con, week, included), week, load_partial(_con, db_key, included)
    )


@st.cache_data(ttl=120, show_spinner=False)
def load_choices(
    _con: duckdb.DuckDBPyConnection, db_key: str, today: date, included: tuple[str, ...]
) -> tuple[list[str], int, str | None]:
    weeks, default = weekly.week_choices(_con, today, included, WEEKS_TO_PICK)
    return weeks, default, weekly.largest_building(_con, included)


@st.cache_data(ttl=120, show_spinner=False)
def load_daily(_con: duckdb.DuckDBPyConnection, db_key: str, week: str, building: str) -> pd.DataFrame:
    return report.visits_per_day_by_category(_con, week, building)


@st.cache_data(ttl=120, show_spinner=False)
def load_purposes(
    _con: duckdb.DuckDBPyConnection, db_key: str, week: str, included: tuple[str, ...], language: str
) -> dict[str, pd.DataFrame]:
    """The week's visits by purpose and by host (issue 22), of the buildings reported."""
    frames = {}
    for by in purposes.BY_CHOICES:
        # Leadership sees units, not the names of the staff visited (RULES "Personal data").
        frame = purposes.weekly_by(_con, week, by=by, lang=language, names_as_units=True)
        frames[by] = frame[frame["building"].isin(included)].reset_index(drop=True)
    return frames


@st.cache_data(ttl=120, show_spinner=False)
def build_pdf(
    _con: duckdb.DuckDBPyConnection, db_key: str, week: str, included: tuple[str, ...], language: str
) -> bytes:
    year, number = weekly.parse_iso_week(week)
    first = date.fromisocalendar(year, number, 1)
    return report.weekly_report_pdf(
        load_stats(_con, db_key, week, included), week, first, first + timedelta(days=6), names, zones, language,
        generated_at=pd.Timestamp.now(tz=default_zone).to_pydatetime(), city=load_city(_con, db_key, week, included),
        purposes=load_purposes(_con, db_key, week, included, language),
    )


@st.cache_data(ttl=120, show_spinner=False)
def build_xlsx(
    _con: duckdb.DuckDBPyConnection, db_key: str, week: str, included: tuple[str, ...], language: str
) -> bytes:
    return report.weekly_report_xlsx(
        load_stats(_con, db_key, week, included), load_trend(_con, db_key, week, included), week, names, zones,
        language, city=load_city(_con, db_key, week, included),
        purposes=load_purposes(_con, db_key, week, included, language),
    )


def next_week(label: str) -> str:
    iso = (date.fromisocalendar(*weekly.parse_iso_week(label), 1) + timedelta(weeks=1)).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


con = cursor()
db_key = report.database_key(con)
st.title(tr("weekly.title"))
st.caption(tr("weekly.caption"))

names, zones = buildings_or_stop(con, "weekly.no_buildings")
default_zone = zones[next(iter(zones))]
# The buildings leadership's figures cover: lib.analytics.weekly decides, in one place.
included = tuple(weekly.reported_buildings(con))

# ISO weeks with data, newest first, from the first week with data; the default is the
# last finished one (lib.analytics.weekly.week_choices). The default building: the largest.
today = pd.Timestamp.now(tz=default_zone).date()
weeks, default_week, largest = load_choices(con, db_key, today, included)
if not weeks:
    st.info(tr("weekly.no_data"))
    st.stop()
week_labels = {}
for w in weeks:
    monday = date.fromisocalendar(*weekly.parse_iso_week(w), 1)
    week_labels[w] = tr("weekly.period", week=w, first=f"{monday:%d/%m/%Y}", last=f"{monday + timedelta(days=6):%d/%m/%Y}")

left, right = st.columns([1, 2])
week = left.selectbox(
    tr("weekly.week"), weeks, index=default_week, key=relabelled("weekly_week"), format_func=week_labels.__getitem__
)
stats = load_stats(con, db_key, week, included)
if stats.empty:
    st.info(tr("weekly.no_data"))
    st.stop()
city = load_city(con, db_key, week, included)

# The whole city first: visits add up, each person counts once across buildings.
st.subheader(tr("weekly.city", count=fmt_number(city["buildings"])), help=tr("weekly.city_help"))
cols = st.columns(4)
cols[0].metric(
    tr("weekly.visits"), fmt_number(city["visits"]), report.format_change(city["visits_change_pct"], lang()),
    help=tr("weekly.vs_last_week"),
)
cols[1].metric(
    tr("weekly.persons"), fmt_number(city["persons"]), report.format_change(city["persons_change_pct"], lang()),
    help=tr("weekly.vs_last_week"),
)
cols[2].metric(tr("weekly.visits_per_day"), fmt_number(city["visits_per_day"], 1))
cols[3].metric(tr("weekly.median_stay"), fmt_number(city["median_stay_minutes"]))

st.subheader(tr("weekly.building_header"))
options = list(stats["building"])
building = st.selectbox(
    tr("weekly.building"), options, index=options.index(largest) if largest in options else 0,
    key="weekly_building", format_func=lambda b: names.get(b, b),
)
row = stats[stats["building"] == building].iloc[0].to_dict()
tz_name = zones.get(building, default_zone)

# The week's figures with the change against the week before (RULES "Weekly statistics").
cols = st.columns(4)
cols[0].metric(
    tr("weekly.visits"), fmt_number(row["visits"]), report.format_change(row.get("visits_change_pct"), lang()),
    help=tr("weekly.vs_last_week"),
)
cols[1].metric(
    tr("weekly.persons"), fmt_number(row["persons"]), report.format_change(row.get("persons_change_pct"), lang()),
    help=tr("weekly.vs_last_week"),
)
cols[2].metric(tr("weekly.visits_per_day"), fmt_number(row["visits_per_day"], 1))
cols[3].metric(tr("weekly.median_stay"), fmt_number(row["median_stay_minutes"]))
cols = st.columns(4)
cols[0].metric(
    tr("weekly.busiest_day"), report.busiest_day_label(row.get("busiest_day"), tz_name, lang(), short=True),
    f"{fmt_number(row.get('busiest_day_visits'))} {tr('weekly.visits').lower()}", delta_color="off",
    delta_arrow="off",
)
peak_day, _, peak_clock = report.peak_hour_label(row.get("peak_hour"), tz_name, lang(), short=True).rpartition(" ")
cols[1].metric(
    f"{tr('weekly.peak_hour')} ({zone_label(tz_name)})", peak_clock,
    f"{peak_day} · {tr('weekly.peak')}: {fmt_number(row.get('peak'))}".lstrip(" ·"), delta_color="off",
    delta_arrow="off",
)
cols[2].metric(tr("weekly.auto_close_share"), fmt_number(float(row["auto_close_share"] or 0) * 100, 1) + " %")
cols[3].metric(
    tr("weekly.crowding_episodes"), fmt_number(row["crowding_episodes"]),
    tr("weekly.crowding_value", episodes=fmt_number(row["crowding_episodes"]), minutes=fmt_number(row["crowding_minutes"])),
    delta_color="off", delta_arrow="off",
)

st.subheader(tr("weekly.daily_header"))
st.plotly_chart(
    charts.daily_category_figure(load_daily(con, db_key, week, building), lang()),
    width="stretch", key="weekly_daily_chart", alt=tr("weekly.daily_header"), config=charts.plotly_config(lang()),
)

st.subheader(tr("weekly.buildings_header"))
# Short cells, each readable whole at 1440 px; the whole city has no peak (RULES "Choices where the rules were silent", whole city).
side_by_side = report.comparison_table(city, stats, names, zones, default_zone, lang())
st.dataframe(
    side_by_side, width="stretch", height="content", key="weekly_side_by_side",
    column_config={"_index": st.column_config.TextColumn(width="medium")},
)
st.caption(tr("weekly.table.city_note"))
st.plotly_chart(
    charts.buildings_weekday_figure(stats, names, lang()),
    width="stretch", key="weekly_buildings_chart", alt=tr("weekly.buildings_header"), config=charts.plotly_config(lang()),
)

# Issue 22: the building's visitors by purpose or by the unit or person they came to see.
st.subheader(tr("purposes.header"), help=tr("purposes.caption"))
by = st.radio(
    tr("purposes.by"), list(purposes.BY_CHOICES), horizontal=True, key=relabelled("weekly_purpose_by"),
    format_func=lambda choice: tr(f"purposes.by.{choice}"),
)
by_frame = load_purposes(con, db_key, week, included, lang())[by]
by_frame = by_frame[by_frame["building"] == building].reset_index(drop=True)
if by_frame.empty:
    st.info(tr("purposes.none"))
else:
    st.dataframe(
        report.purpose_table(by_frame, by, names, lang()).drop(columns=[tr("purposes.col.building")]),
        width="stretch", hide_index=True, key="weekly_purpose_table",
    )
    st.plotly_chart(
        purpose_charts.purpose_figure(by_frame, by, lang()), width="stretch", key="weekly_purpose_chart",
        alt=tr(f"purposes.title.{by}"), config=charts.plotly_config(lang()),
    )

st.subheader(tr("weekly.trend_header"))
measure_labels = {m: tr(f"charts.{m}") for m in ("visits", "persons", "peak", "median_stay_minutes")}
measure = st.radio(
    tr("weekly.trend_measure"), list(measure_labels), horizontal=True, key=relabelled("weekly_trend_measure"),
    format_func=measure_labels.__getitem__,
)
partial = load_partial(con, db_key, included)
trend = load_trend(con, db_key, week, included)
partial_shown = partial is not None and partial[0] in set(trend["week"])
st.plotly_chart(
    charts.trend_figure(trend, measure, names, lang(), partial_week=partial[0] if partial_shown else None),
    width="stretch", key="weekly_trend_chart", alt=tr("weekly.trend_header"), config=charts.plotly_config(lang()),
)
if partial is not None and (partial_shown or week == next_week(partial[0])):
    st.caption(tr(
        "weekly.partial_note", week=partial[0], first=report.busiest_day_label(partial[1], default_zone, lang()),
        next=next_week(partial[0]),
    ))

st.subheader(tr("weekly.downloads_header"))
cols = st.columns(2)
cols[0].download_button(
    tr("weekly.download_pdf"), build_pdf(con, db_key, week, included, lang()), file_name=f"pantau-{week}.pdf",
    mime="application/pdf", key="weekly_pdf", on_click="ignore", type="primary",
)
cols[1].download_button(
    tr("weekly.download_xlsx"), build_xlsx(con, db_key, week, included, lang()), file_name=f"pantau-{week}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="weekly_xlsx",
    on_click="ignore",
)
