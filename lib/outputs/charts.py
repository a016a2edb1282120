"""Plotly figures for the pages, built from the DataFrames of ``lib/`` (no Streamlit here).

Each function takes a result of the analytics functions and returns a
``plotly.graph_objects.Figure``; it computes no figure of its own, so what a chart shows
is exactly what ``lib/`` returned. Instants arrive as UTC and are drawn as local wall-clock
time of the building, with the zone named on the axis (RULES "Time").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from lib.core.i18n import current_language, t
from lib.core.numformat import month_name, weekday_name
from lib.core.timeutil import fixed_offset_seconds, zone_label
from lib.store.db import CATEGORIES

HOUR_MS = 3_600_000
CATEGORY_COLOURS = {"ASN": "#1f77b4", "THL": "#ff7f0e", "visitor": "#2ca02c"}
PEAK_COLOUR = "#4c78a8"
PRESENT_COLOUR = "#f58518"
THRESHOLD_COLOUR = "#d62728"
# Same-room overlaps, drawn thin and dark on top of the building colours: one per room.
ROOM_COLOURS = ["#222222", "#7b3294", "#1b7837", "#b2182b", "#8c510a", "#01665e"]
WEEKDAY_COLUMNS = ("visits_mon", "visits_tue", "visits_wed", "visits_thu", "visits_fri", "visits_sat", "visits_sun")


def zone_with_offset(tz_name: str) -> str:
    """'WITA, UTC+8' for Asia/Makassar: the zone as users know it and its offset."""
    label = zone_label(tz_name)
    offset = fixed_offset_seconds(tz_name)
    if offset is None or label.startswith("UTC"):
        return label
    hours, rest = divmod(abs(offset), 3600)
    sign = "+" if offset >= 0 else "-"
    return f"{label}, UTC{sign}{hours}" + (f":{rest // 60:02d}" if rest else "")


def hour_axis_title(tz_name: str, lang: str | None = None) -> str:
    """'Jam (WITA, UTC+8)'."""
    return t("charts.hour_axis", lang, zone=zone_with_offset(tz_name))


def local_naive(instants: pd.Series | Sequence[object], tz_name: str) -> list[pd.Timestamp]:
    """UTC instants as naive local wall-clock timestamps (plotly.js ignores offsets)."""
    series = pd.to_datetime(pd.Series(list(instants), dtype="object"), utc=True)
    return list(series.dt.tz_convert(tz_name).dt.tz_localize(None))


def category_label(category: str, lang: str | None = None) -> str:
    return t(f"charts.category.{category}", lang) if category in CATEGORIES else category


def weekday_label(weekday: int, lang: str | None = None, short: bool = True) -> str:
    """0 = Monday (ISO), from the locale data (``lib.core.numformat.weekday_name``)."""
    return weekday_name(weekday, lang, short=short)


def month_label(month: int, lang: str | None = None, short: bool = True) -> str:
    """1 = January: 'Agu' / 'Agustus' in Indonesian, 'Aug' / 'August' in English."""
    return month_name(month, lang, short=short)


# Tick spacings of a date axis, in hours: the first that gives at most MAX_TICKS ticks.
TICK_STEPS_H = (1, 2, 3, 6, 12, 24, 48, 168, 336, 672)
MAX_TICKS = 8


def date_ticks(
    first: pd.Timestamp | object, last: pd.Timestamp | object, lang: str | None = None, max_ticks: int = MAX_TICKS
) -> tuple[list[pd.Timestamp], list[str]]:
    """Tick positions and labels of a date axis from ``first`` to ``last`` (naive local
    wall-clock times), written with our own weekday and month names.

    Plotly writes month names on date axes in English whatever the page's language, so
    the figures set ``tickvals``/``ticktext`` from here. Ticks fall on whole hours (steps
    of 1, 2, 3, 6 or 12 hours from midnight), on midnights (every day or second day) or
    on Mondays (every one, two or four weeks), at most ``max_ticks`` of them. Labels:
    '08:00' under an hour step, with the day ('Sen 23 Nov') below the first tick of each
    day; 'Sen 23 Nov' for a day step; '23 Nov' for a week step. The year follows the
    first tick's day and each change of year.
    """
    start, end = pd.Timestamp(first), pd.Timestamp(last)  # type: ignore[arg-type]
    if pd.isna(start) or pd.isna(end) or end < start:
        return [], []
    span_h = max((end - start) / pd.Timedelta(hours=1), 1.0)
    step = next((h for h in TICK_STEPS_H if span_h / h < max_ticks), TICK_STEPS_H[-1])
    midnight = start.normalize()
    if step < 24:
        tick = midnight + pd.Timedelta(hours=step * -(-((start - midnight) // pd.Timedelta(hours=1)) // step))
        if tick < start:
            tick += pd.Timedelta(hours=step)
    elif step < 168:
        tick = midnight if midnight >= start else midnight + pd.Timedelta(days=1)
    else:
        tick = midnight + pd.Timedelta(days=(7 - midnight.weekday()) % 7)
        if tick < start:
            tick += pd.Timedelta(days=7)
    values: list[pd.Timestamp] = []
    while tick <= end:
        values.append(tick)
        tick += pd.Timedelta(hours=step)
    texts: list[str] = []
    previous: pd.Timestamp | None = None
    for tick in values:
        day = f"{tick.day} {month_label(tick.month, lang)}"
        if step < 168:
            day = f"{weekday_label(tick.weekday(), lang)} {day}"
        if previous is None or previous.year != tick.year:
            day += f" {tick.year}"
        if step < 24:
            label = f"{tick:%H:%M}"
            if previous is None or previous.date() != tick.date():
                label += f"<br>{day}"
        else:
            label = day
        texts.append(label)
        previous = tick
    return values, texts


def _date_axis(fig: go.Figure, xs: Sequence[pd.Timestamp], lang: str | None, pad: pd.Timedelta) -> None:
    """Our own tick labels (``date_ticks``) and a numeric hover date on a date x axis."""
    known = [x for x in xs if x is not None and not pd.isna(x)]
    fig.update_xaxes(type="date", hoverformat="%d/%m/%Y %H:%M")
    if known:
        values, texts = date_ticks(min(known), max(known) + pad, lang)
        fig.update_xaxes(tickmode="array", tickvals=values, ticktext=texts)


def _hour_axis(fig: go.Figure, hours: Sequence[pd.Timestamp], lang: str | None) -> None:
    """The x axis of an hourly chart: exactly the window's hours, from the first hour's
    start to the last hour's end, whatever the traces draw.

    Left to Plotly, the range follows the traces (a line's markers pad it, bars of zero do
    not), so two charts of the same days ended on different days, and a tick at the end
    named the day after the window. Ticks fall inside ``[first hour, last hour's end)``,
    so each day named is a day of the window and the window's last day is always named."""
    known = [x for x in hours if x is not None and not pd.isna(x)]
    fig.update_xaxes(type="date", hoverformat="%d/%m/%Y %H:%M")
    if not known:
        return
    first, end = min(known), max(known) + pd.Timedelta(hours=1)
    values, texts = date_ticks(first, end - pd.Timedelta(microseconds=1), lang)
    fig.update_xaxes(range=[first, end], autorange=False, tickmode="array", tickvals=values, ticktext=texts)


# Plotly's own words (the toolbar's tooltips, its notices), keyed by Plotly's English text:
# the Indonesian half of a Plotly locale (plotly.js ships "id" with dates only).
PLOTLY_WORDS_ID = {
    "Autoscale": "Skala otomatis",
    "Box Select": "Pilih kotak",
    "Compare data on hover": "Bandingkan data saat kursor di atasnya",
    "Double-click on legend to isolate one trace": "Klik dua kali pada legenda untuk menampilkan satu seri saja",
    "Double-click to zoom back out": "Klik dua kali untuk kembali ke tampilan semula",
    "Download plot as a png": "Unduh grafik sebagai PNG",
    "Download plot": "Unduh grafik",
    "Lasso Select": "Pilih laso",
    "Pan": "Geser",
    "Produced with Plotly": "Dibuat dengan Plotly",
    "Reset": "Atur ulang",
    "Reset axes": "Atur ulang sumbu",
    "Reset view": "Atur ulang tampilan",
    "Reset views": "Atur ulang tampilan",
    "Show closest data on hover": "Tampilkan data terdekat saat kursor di atasnya",
    "Snapshot succeeded": "Gambar berhasil dibuat",
    "Sorry, there was a problem downloading your snapshot!": "Maaf, gambar gagal diunduh.",
    "Taking snapshot - this may take a few seconds": "Membuat gambar, mungkin perlu beberapa detik",
    "Toggle Spike Lines": "Tampilkan/sembunyikan garis bantu",
    "Toggle show closest data on hover": "Tampilkan/sembunyikan data terdekat saat kursor di atasnya",
    "Zoom": "Perbesar area",
    "Zoom in": "Perbesar",
    "Zoom out": "Perkecil",
    "trace": "seri",
}


def plotly_config(lang: str | None = None) -> dict[str, Any]:
    """The ``config`` every chart is drawn with: no Plotly logo and, in Indonesian, a Plotly
    locale, so the toolbar's tooltips, the dates Plotly writes itself (a zoomed axis) and its
    numbers (``1.234``, ``924,5``, as everywhere else) are Indonesian too."""
    config: dict[str, Any] = {"displaylogo": False}
    if (lang or current_language()) != "id":
        return config
    days = [weekday_label(d, "id", short=False) for d in (6, 0, 1, 2, 3, 4, 5)]  # Plotly's weeks start on Sunday
    short_days = [weekday_label(d, "id") for d in (6, 0, 1, 2, 3, 4, 5)]
    config["locale"] = "id"
    config["locales"] = {
        "id": {
            "dictionary": PLOTLY_WORDS_ID,
            "format": {
                "days": days,
                "shortDays": short_days,
                "months": [month_label(m, "id", short=False) for m in range(1, 13)],
                "shortMonths": [month_label(m, "id") for m in range(1, 13)],
                "date": "%d/%m/%Y",
                "decimal": ",",
                "thousands": ".",
            },
        }
    }
    return config


def _base_layout(fig: go.Figure, x_title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        margin={"l": 50, "r": 20, "t": 30, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hovermode="x unified",
    )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title, rangemode="tozero")
    return fig


def occupancy_figure(
    hourly: pd.DataFrame,
    tz_name: str,
    threshold: int | None = None,
    episodes: pd.DataFrame | None = None,
    lang: str | None = None,
    limit_key: str = "charts.threshold",
) -> go.Figure:
    """Hourly ``peak`` (bars) and ``present`` (line) of one building or room, crowding shaded.

    ``hourly`` is ``lib.analytics.occupancy.hourly_occupancy`` for one building, or
    ``lib.analytics.rooms.room_hourly_occupancy`` (``hour`` = UTC start of a local hour);
    ``threshold`` is drawn as a horizontal line named by the text ``limit_key`` (a room's
    capacity: ``charts.capacity``); each row of ``episodes`` (start, end in UTC) becomes a
    shaded band.
    """
    frame = hourly.sort_values("hour")
    x = local_naive(frame["hour"], tz_name)
    fig = go.Figure()
    fig.add_bar(
        x=x, y=list(frame["peak"]), name=t("charts.peak", lang), marker_color=PEAK_COLOUR,
        xperiod=HOUR_MS, xperiodalignment="middle",
    )
    fig.add_scatter(
        x=x, y=list(frame["present"]), name=t("charts.present", lang), mode="lines+markers",
        line={"color": PRESENT_COLOUR}, xperiod=HOUR_MS, xperiodalignment="middle",
    )
    if threshold is not None and x:
        last = x[-1] + pd.Timedelta(hours=1)
        fig.add_scatter(
            x=[x[0], last], y=[threshold, threshold], name=t(limit_key, lang, value=threshold),
            mode="lines", line={"color": THRESHOLD_COLOUR, "dash": "dash"}, hoverinfo="skip",
        )
    if episodes is not None and len(episodes):
        starts = local_naive(episodes["start"], tz_name)
        ends = local_naive(episodes["end"], tz_name)
        for start, end in zip(starts, ends, strict=True):
            fig.add_vrect(x0=start, x1=end, fillcolor=THRESHOLD_COLOUR, opacity=0.18, line_width=0, layer="below")
        # A legend entry for the shaded bands.
        fig.add_scatter(
            x=[None], y=[None], mode="markers", name=t("charts.crowding", lang),
            marker={"color": THRESHOLD_COLOUR, "opacity": 0.3, "symbol": "square", "size": 12},
        )
    fig.update_layout(bargap=0.1)
    _hour_axis(fig, x, lang)
    return _base_layout(fig, hour_axis_title(tz_name, lang), t("charts.people", lang))


def category_figure(
    hourly_by_category: pd.DataFrame,
    tz_name: str,
    measure: str = "present",
    lang: str | None = None,
) -> go.Figure:
    """One stacked bar per local hour, one colour per category (``hourly_occupancy(by_category=True)``)."""
    fig = go.Figure()
    frame = hourly_by_category.sort_values("hour")
    present_categories = [c for c in CATEGORIES if c in set(frame["category"])]
    others = sorted(set(frame["category"]) - set(CATEGORIES))
    for category in present_categories + others:
        rows = frame[frame["category"] == category]
        fig.add_bar(
            x=local_naive(rows["hour"], tz_name), y=list(rows[measure]), name=category_label(category, lang),
            marker_color=CATEGORY_COLOURS.get(category), xperiod=HOUR_MS, xperiodalignment="middle",
        )
    fig.update_layout(barmode="stack", bargap=0.1)
    # The same axis as occupancy_figure's for the same window (one range for both charts).
    _hour_axis(fig, local_naive(frame["hour"], tz_name), lang)
    return _base_layout(fig, hour_axis_title(tz_name, lang), t(f"charts.{measure}", lang))


def heatmap_figure(heat: pd.DataFrame, tz_name: str, value: str = "avg_peak", lang: str | None = None) -> go.Figure:
    """Weekday (rows, Monday on top) by local hour (columns) of ``weekday_hour_heatmap``; gaps where NaN."""
    grid = (
        heat.pivot_table(index="weekday", columns="hour", values=value, aggfunc="first")
        .reindex(index=range(7), columns=range(24))
    )
    # NaN (the window holds no such weekday hour) stays a gap, not a zero.
    z = [[None if pd.isna(v) else float(v) for v in row] for row in grid.to_numpy().tolist()]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[f"{hour:02d}" for hour in range(24)],
            y=[weekday_label(day, lang) for day in range(7)],
            colorscale="YlOrRd",
            colorbar={"title": {"text": t(f"charts.{value}", lang)}},
            hovertemplate="%{y} %{x}:00 — %{z:.1f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", title_text=t("charts.weekday", lang))
    fig.update_xaxes(title_text=hour_axis_title(tz_name, lang), type="category")
    fig.update_layout(margin={"l": 60, "r": 20, "t": 30, "b": 50})
    return fig


def daily_category_figure(daily: pd.DataFrame, lang: str | None = None) -> go.Figure:
    """Visits per local day of the week, stacked by category.

    ``daily``: columns ``day`` (local date), ``category``, ``visits``.
    """
    fig = go.Figure()
    frame = daily.sort_values("day")
    days = sorted(pd.to_datetime(frame["day"]).dt.date.unique())
    labels = [f"{weekday_label(day.weekday(), lang)} {day:%d/%m}" for day in days]
    position = dict(zip(days, labels, strict=True))
    categories = [c for c in CATEGORIES if c in set(frame["category"])]
    categories += sorted(set(frame["category"]) - set(CATEGORIES))
    for category in categories:
        rows = frame[frame["category"] == category]
        fig.add_bar(
            x=[position[d] for d in pd.to_datetime(rows["day"]).dt.date], y=list(rows["visits"]),
            name=category_label(category, lang), marker_color=CATEGORY_COLOURS.get(category),
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(categoryorder="array", categoryarray=labels, type="category")
    return _base_layout(fig, t("charts.day", lang), t("charts.visits", lang))


def buildings_weekday_figure(
    stats: pd.DataFrame, names: dict[str, str] | None = None, lang: str | None = None
) -> go.Figure:
    """Buildings side by side: visits per weekday (``visits_mon..visits_sun`` of ``weekly_stats``)."""
    fig = go.Figure()
    labels = [weekday_label(day, lang) for day in range(7)]
    for _, row in stats.iterrows():
        building = str(row["building"])
        fig.add_bar(
            x=labels, y=[int(row[col]) for col in WEEKDAY_COLUMNS], name=(names or {}).get(building, building)
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="category")
    return _base_layout(fig, t("charts.day", lang), t("charts.visits", lang))


def trend_figure(
    trend: pd.DataFrame,
    measure: str = "visits",
    names: dict[str, str] | None = None,
    lang: str | None = None,
    partial_week: str | None = None,
) -> go.Figure:
    """One line per building over ISO weeks (``weekly_trend``), oldest week left.

    ``partial_week`` (``lib.analytics.weekly.partial_first_week``): a week holding only
    part of its days (the data began mid-week) has open markers, a grey band and
    "(partial)" under its label, so its low value is not read as growth.
    """
    fig = go.Figure()
    weeks = sorted(trend["week"].astype(str).unique())
    partial = partial_week if partial_week in weeks else None
    for building in sorted(trend["building"].astype(str).unique()):
        rows = trend[trend["building"].astype(str) == building].assign(week=lambda f: f["week"].astype(str))
        rows = rows.set_index("week").reindex(weeks)
        values = [None if pd.isna(v) else float(v) for v in rows[measure]]
        fig.add_scatter(
            x=weeks, y=values, name=(names or {}).get(building, building), mode="lines+markers",
            marker={"symbol": ["circle-open" if w == partial else "circle" for w in weeks], "size": 8},
        )
    if partial is not None:
        # A grey band behind the partial week (category positions are 0, 1, ...).
        at = weeks.index(partial)
        fig.add_vrect(x0=at - 0.5, x1=at + 0.5, fillcolor="grey", opacity=0.12, line_width=0, layer="below")
    ticks = [f"{w} ({t('charts.partial_week', lang)})" if w == partial else w for w in weeks]
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=weeks, tickvals=weeks, ticktext=ticks)
    return _base_layout(fig, t("charts.week", lang), t(f"charts.{measure}", lang))


def timeline_figure(
    case_visits: pd.DataFrame,
    overlaps: pd.DataFrame,
    labels: Mapping[str, str],
    tz_name: str,
    case_label: str,
    lang: str | None = None,
    building_names: Mapping[str, str] | None = None,
) -> go.Figure:
    """The case's visits and each contact's overlaps with them, one row per person.

    ``case_visits``: ``lib.analytics.tracing.index_visits`` (``building, start, end``, UTC);
    ``overlaps``: ``lib.analytics.tracing.contact_overlaps`` (``contact_id, building, start, end``
    and optionally ``area``, ``assumed``); ``labels``: contact_id -> row label, in the order
    the rows are listed (top first). One trace per building (a colour each); each interval
    is a thick horizontal segment. A same-room overlap (a row with an ``area``) is drawn
    as a thinner dark segment on top, one trace per room named "room · building", and its
    hover names the room (and says when the room was assumed from the staff roster).
    ``building_names`` (id -> name) names the buildings in the legend and hovers.
    """
    names = building_names or {}
    if "area" in overlaps.columns:
        has_area = overlaps["area"].notna() & (overlaps["area"].astype(str) != "")
        rooms, overlaps = overlaps[has_area], overlaps[~has_area]
    else:
        rooms = overlaps.iloc[0:0].assign(area=pd.Series(dtype=object))
    parts = [case_visits.assign(label=case_label)[["label", "building", "start", "end"]]]
    if len(overlaps):
        named = overlaps.assign(label=overlaps["contact_id"].astype(str).map(lambda c: labels.get(c, c)))
        parts.append(named[["label", "building", "start", "end"]])
    named_rooms = rooms.assign(label=rooms["contact_id"].astype(str).map(lambda c: labels.get(c, c)))
    rows = pd.concat(parts, ignore_index=True)
    listed = set(rows["label"]) | set(named_rooms["label"])
    order = [case_label] + [label for label in labels.values() if label in listed]
    fig = go.Figure()
    for building in sorted(rows["building"].astype(str).unique()):
        part = rows[rows["building"].astype(str) == building]
        starts = local_naive(part["start"], tz_name)
        ends = local_naive(part["end"], tz_name)
        xs: list[object] = []
        ys: list[object] = []
        for label, start, end in zip(part["label"], starts, ends, strict=True):
            xs += [start, end, None]
            ys += [label, label, None]
        name = names.get(building, building)
        fig.add_scatter(
            x=xs, y=ys, name=name, mode="lines", line={"width": 14}, connectgaps=False,
            hovertemplate="%{y}<br>%{x|%d/%m/%Y %H:%M}<extra>" + name + "</extra>",
        )
    if len(rooms):
        named_rooms = named_rooms.assign(
            assumed=named_rooms["assumed"].astype(bool) if "assumed" in named_rooms else False
        )
        for number, ((building, area), part) in enumerate(named_rooms.groupby(
            [named_rooms["building"].astype(str), named_rooms["area"].astype(str)], sort=True
        )):
            starts = local_naive(part["start"], tz_name)
            ends = local_naive(part["end"], tz_name)
            xs, ys, texts = [], [], []
            for label, start, end, assumed in zip(part["label"], starts, ends, part["assumed"], strict=True):
                room = t("charts.room_assumed", lang, room=area) if assumed else t("charts.room", lang, room=area)
                xs += [start, end, None]
                ys += [label, label, None]
                texts += [room, room, None]
            name = names.get(building, building)
            fig.add_scatter(
                x=xs, y=ys, text=texts, name=f"{area} · {name}", mode="lines",
                line={"width": 6, "color": ROOM_COLOURS[number % len(ROOM_COLOURS)]}, connectgaps=False,
                hovertemplate="%{y}<br>%{text}<br>%{x|%d/%m/%Y %H:%M}<extra>" + name + "</extra>",
            )
        rows = pd.concat([rows, named_rooms[["label", "building", "start", "end"]]], ignore_index=True)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(reversed(order)), title_text="")
    fig.update_xaxes(title_text=t("charts.time_axis", lang, zone=zone_with_offset(tz_name)))
    _date_axis(fig, local_naive(rows["start"], tz_name) + local_naive(rows["end"], tz_name), lang, pd.Timedelta(0))
    fig.update_layout(
        height=max(260, 60 + 34 * len(order)),
        margin={"l": 10, "r": 20, "t": 30, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    return fig
