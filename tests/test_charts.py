"""Figures of lib/outputs/charts.py show exactly the numbers lib/ returned, at local times."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.analytics import tracing
from lib.ingest import importer
from lib.outputs import charts

TZ = "Asia/Makassar"


def spec(fig: object) -> dict:
    """The figure as the browser receives it (what st.plotly_chart sends)."""
    return json.loads(fig.to_json())  # type: ignore[attr-defined]


def hourly_frame(peaks: list[int], presents: list[int], start: str = "2022-01-03 00:00") -> pd.DataFrame:
    hours = pd.date_range(start, periods=len(peaks), freq="h", tz="UTC")
    return pd.DataFrame(
        {"building": "b1", "hour": hours, "peak": peaks, "present": presents, "person_hours": [0.5] * len(peaks)}
    )


def test_occupancy_figure_local_hours_threshold_and_shaded_episodes() -> None:
    hourly = hourly_frame([1, 5, 3], [2, 6, 4])
    episodes = pd.DataFrame(
        {
            "building": ["b1"],
            "start": [pd.Timestamp("2022-01-03 01:10", tz="UTC")],
            "end": [pd.Timestamp("2022-01-03 01:40", tz="UTC")],
            "minutes": [30.0],
            "peak": [5],
        }
    )
    data = spec(charts.occupancy_figure(hourly, TZ, threshold=4, episodes=episodes, lang="id"))
    peak, present, threshold = data["data"][:3]
    # 00:00 UTC is 08:00 WITA: the axis shows the building's wall clock.
    assert peak["x"] == ["2022-01-03T08:00:00", "2022-01-03T09:00:00", "2022-01-03T10:00:00"]
    assert peak["y"] == [1, 5, 3] and peak["name"] == "Puncak"
    assert present["y"] == [2, 6, 4] and present["name"] == "Hadir"
    assert threshold["y"] == [4, 4] and threshold["name"] == "Ambang (4)"
    assert threshold["x"] == ["2022-01-03T08:00:00", "2022-01-03T11:00:00"]
    shapes = data["layout"]["shapes"]
    assert [(s["x0"], s["x1"], s["yref"]) for s in shapes] == [
        ("2022-01-03T09:10:00", "2022-01-03T09:40:00", "y domain")
    ]
    assert data["layout"]["xaxis"]["title"]["text"] == "Jam (WITA, UTC+8)"


def test_occupancy_figure_without_threshold_or_episodes_has_no_line_or_band() -> None:
    data = spec(charts.occupancy_figure(hourly_frame([0, 0], [0, 0]), TZ, threshold=None, episodes=None, lang="en"))
    assert [trace["name"] for trace in data["data"]] == ["Peak", "Present"]
    assert not data["layout"].get("shapes")
    assert data["layout"]["xaxis"]["title"]["text"] == "Hour (WITA, UTC+8)"


def test_other_zone_is_named_on_axis() -> None:
    data = spec(charts.occupancy_figure(hourly_frame([1], [1]), "Asia/Jakarta", lang="id"))
    assert data["data"][0]["x"] == ["2022-01-03T07:00:00"]
    assert data["layout"]["xaxis"]["title"]["text"] == "Jam (WIB, UTC+7)"


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["ASN", "THL", "visitor"]), st.integers(0, 23), st.integers(0, 50)),
        min_size=1, max_size=30, unique_by=lambda r: (r[0], r[1]),
    )
)
def test_category_figure_stacks_exactly_the_lib_rows(rows: list[tuple[str, int, int]]) -> None:
    base = pd.Timestamp("2022-01-02 16:00", tz="UTC")  # 00:00 WITA on 3 January
    frame = pd.DataFrame(
        {
            "building": "b1",
            "hour": [base + pd.Timedelta(hours=h) for _, h, _ in rows],
            "category": [c for c, _, _ in rows],
            "peak": [v for _, _, v in rows],
            "present": [v for _, _, v in rows],
            "person_hours": [v / 2 for _, _, v in rows],
        }
    )
    data = spec(charts.category_figure(frame, TZ, measure="present", lang="en"))
    assert data["layout"]["barmode"] == "stack"
    got: dict[tuple[str, str], float] = {}
    names = {"Civil servants (ASN)": "ASN", "Contract staff (THL)": "THL", "Visitors": "visitor"}
    for trace in data["data"]:
        for x, y in zip(trace["x"], trace["y"], strict=True):
            got[(names[trace["name"]], x)] = y
    expected = {(c, f"2022-01-03T{h:02d}:00:00"): v for c, h, v in rows}
    assert got == expected


def test_heatmap_places_each_weekday_hour_and_leaves_missing_hours_blank() -> None:
    heat = pd.DataFrame({"weekday": [0, 4, 6], "hour": [8, 13, 23], "avg_peak": [12.5, 3.0, 1.0], "avg_present": [1, 1, 1]})
    data = spec(charts.heatmap_figure(heat, TZ, lang="id"))
    z = data["data"][0]["z"]
    assert len(z) == 7 and all(len(row) == 24 for row in z)
    assert z[0][8] == 12.5 and z[4][13] == 3.0 and z[6][23] == 1.0
    assert z[1][8] is None  # no such hour in the window: a gap, not a zero
    assert sum(v for row in z for v in row if v is not None) == pytest.approx(16.5)
    assert data["data"][0]["y"][0] == "Sen" and data["data"][0]["y"][6] == "Min"


def test_weekly_figures_show_stats_and_trend() -> None:
    stats = pd.DataFrame(
        [
            {"building": "a", **{c: i for i, c in enumerate(charts.WEEKDAY_COLUMNS)}},
            {"building": "b", **{c: 10 * i for i, c in enumerate(charts.WEEKDAY_COLUMNS)}},
        ]
    )
    data = spec(charts.buildings_weekday_figure(stats, {"a": "Gedung A"}, lang="en"))
    assert [t["name"] for t in data["data"]] == ["Gedung A", "b"]
    assert data["data"][1]["y"] == [0, 10, 20, 30, 40, 50, 60]
    assert data["data"][0]["x"] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    trend = pd.DataFrame(
        {"week": ["2022-W01", "2022-W02", "2022-W02"], "building": ["a", "a", "b"], "visits": [5, 7, 3],
         "persons": [1, 2, 3], "peak": [1, 1, 1], "median_stay_minutes": [None, 30.0, 10.0]}
    )
    data = spec(charts.trend_figure(trend, "visits", lang="id"))
    by_name = {t["name"]: t for t in data["data"]}
    assert by_name["a"]["x"] == ["2022-W01", "2022-W02"] and by_name["a"]["y"] == [5, 7]
    assert by_name["b"]["y"] == [None, 3]  # no row that week: a gap, not a zero


@pytest.mark.parametrize(("lang", "word"), [("id", "sebagian"), ("en", "partial")])
def test_trend_marks_a_partial_first_week(lang: str, word: str) -> None:
    """Data that began mid-week: the first week is labelled partial, drawn with open
    markers on a grey band, and its values stay (nothing hidden)."""
    trend = pd.DataFrame(
        {"week": ["2022-W01", "2022-W02", "2022-W03"], "building": ["a"] * 3, "visits": [2, 9, 10],
         "persons": [1, 2, 3], "peak": [1, 1, 1], "median_stay_minutes": [1.0, 2.0, 3.0]}
    )
    data = spec(charts.trend_figure(trend, "visits", lang=lang, partial_week="2022-W01"))
    assert data["layout"]["xaxis"]["ticktext"] == [f"2022-W01 ({word})", "2022-W02", "2022-W03"]
    assert data["data"][0]["y"] == [2, 9, 10]
    assert data["data"][0]["marker"]["symbol"] == ["circle-open", "circle", "circle"]
    band = data["layout"]["shapes"][0]
    assert (band["x0"], band["x1"]) == (-0.5, 0.5)
    plain = spec(charts.trend_figure(trend, "visits", lang=lang))
    assert plain["layout"]["xaxis"]["ticktext"] == ["2022-W01", "2022-W02", "2022-W03"]
    assert "shapes" not in plain["layout"] or not plain["layout"]["shapes"]


def test_daily_category_figure() -> None:
    daily = pd.DataFrame(
        {"day": pd.to_datetime(["2022-01-10", "2022-01-10", "2022-01-11"]).date, "category": ["ASN", "visitor", "ASN"],
         "visits": [10, 4, 7]}
    )
    data = spec(charts.daily_category_figure(daily, lang="id"))
    by_name = {t["name"]: t for t in data["data"]}
    assert by_name["ASN"]["x"] == ["Sen 10/01", "Sel 11/01"] and by_name["ASN"]["y"] == [10, 7]
    assert by_name["Pengunjung"]["y"] == [4]


def _event(ts: datetime, person: str, building: str, action: str, name: str) -> dict[str, object]:
    return {"timestamp": ts, "person_id": person, "building": building, "action": action, "name": name,
            "category": "ASN", "phone": "0812"}


def test_timeline_shows_case_visits_and_contact_overlaps_from_tracing(con) -> None:  # type: ignore[no-untyped-def]
    t0 = datetime(2022, 1, 3, 0, 0, tzinfo=UTC)  # 08:00 WITA
    events = [
        _event(t0, "case", "b1", "checkin", "Kasus"),
        _event(t0 + timedelta(hours=2), "case", "b1", "checkout", "Kasus"),
        _event(t0 + timedelta(minutes=30), "c1", "b1", "checkin", "Kontak Satu"),
        _event(t0 + timedelta(minutes=90), "c1", "b1", "checkout", "Kontak Satu"),
        _event(t0 + timedelta(minutes=110), "c2", "b1", "checkin", "Kontak Dua"),  # 10 min: not a contact
        _event(t0 + timedelta(hours=3), "c2", "b1", "checkout", "Kontak Dua"),
    ]
    importer.record_events(con, events, "test", "test")
    start, end = t0 - timedelta(days=1), t0 + timedelta(days=1)
    now = t0 + timedelta(days=2)
    visits = tracing.index_visits(con, "case", start, end, now=now)
    overlaps = tracing.contact_overlaps(con, "case", start, end, now=now)
    contacts = tracing.trace_contacts(con, "case", start, end, actor="t", now=now)
    labels = {str(p): f"{n} ({p})" for p, n in zip(contacts["person_id"], contacts["name"], strict=True)}
    data = spec(charts.timeline_figure(visits, overlaps, labels, TZ, "KASUS", lang="id"))
    assert len(data["data"]) == 1 and data["data"][0]["name"] == "b1"
    trace = data["data"][0]
    assert trace["y"] == ["KASUS", "KASUS", None, "Kontak Satu (c1)", "Kontak Satu (c1)", None]
    assert trace["x"] == ["2022-01-03T08:00:00", "2022-01-03T10:00:00", None,
                          "2022-01-03T08:30:00", "2022-01-03T09:30:00", None]
    assert "Kontak Dua" not in json.dumps(data)
    # With the buildings' names, the legend and the hover say the name, not the id.
    named = spec(charts.timeline_figure(visits, overlaps, labels, TZ, "KASUS", "id", {"b1": "Kantor Satu"}))
    assert named["data"][0]["name"] == "Kantor Satu"
    assert "<extra>Kantor Satu</extra>" in named["data"][0]["hovertemplate"]


# --- date axes in the page's language ------------------------------------------------


def test_date_ticks_use_our_month_and_day_names() -> None:
    values, texts = charts.date_ticks(pd.Timestamp("2026-08-17 00:00"), pd.Timestamp("2026-08-24 00:00"), "id")
    assert [v.strftime("%Y-%m-%d %H:%M") for v in values] == [f"2026-08-{d} 00:00" for d in range(17, 25)]
    assert texts == ["Sen 17 Agu 2026", "Sel 18 Agu", "Rab 19 Agu", "Kam 20 Agu", "Jum 21 Agu", "Sab 22 Agu",
                     "Min 23 Agu", "Sen 24 Agu"]
    _, english = charts.date_ticks(pd.Timestamp("2026-08-17 00:00"), pd.Timestamp("2026-08-24 00:00"), "en")
    assert english[:2] == ["Mon 17 Aug 2026", "Tue 18 Aug"]


def test_date_ticks_of_hours_name_the_day_once_and_weeks_start_on_monday() -> None:
    values, texts = charts.date_ticks(pd.Timestamp("2026-05-31 07:00"), pd.Timestamp("2026-06-01 10:00"), "id")
    assert texts == ["12:00<br>Min 31 Mei 2026", "18:00", "00:00<br>Sen 1 Jun", "06:00"]
    assert [v.hour for v in values] == [12, 18, 0, 6]
    values, texts = charts.date_ticks(pd.Timestamp("2026-09-01"), pd.Timestamp("2026-11-30"), "id")
    assert all(v.weekday() == 0 for v in values) and len(values) <= charts.MAX_TICKS
    assert texts[0] == "7 Sep 2026" and "5 Okt" in texts
    assert charts.date_ticks(pd.NaT, pd.Timestamp("2026-01-01")) == ([], [])


@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
    st.integers(min_value=1, max_value=24 * 120),
    st.sampled_from(["id", "en"]),
)
@settings(max_examples=60)
def test_date_ticks_stay_inside_the_range_in_order(start: datetime, hours: int, lang: str) -> None:
    first = pd.Timestamp(start).floor("h")
    last = first + pd.Timedelta(hours=hours)
    values, texts = charts.date_ticks(first, last, lang)
    assert len(values) == len(texts) and 1 <= len(values) <= charts.MAX_TICKS
    assert all(first <= v <= last for v in values) and values == sorted(values)
    english_months = {"May", "Aug", "Oct", "Dec"}
    if lang == "id":
        assert not any(word in english_months for text in texts for word in re.split(r"[ <>br]+", text))


def test_occupancy_axes_carry_indonesian_ticks_and_a_numeric_hover() -> None:
    hourly = hourly_frame([1] * 48, [1] * 48, start="2022-08-15 16:00")  # 16:00 UTC = 00:00 WITA
    data = spec(charts.occupancy_figure(hourly, TZ, lang="id"))
    axis = data["layout"]["xaxis"]
    assert axis["tickmode"] == "array" and axis["hoverformat"] == "%d/%m/%Y %H:%M"
    assert axis["ticktext"][0] == "00:00<br>Sel 16 Agu 2022"
    assert "00:00<br>Rab 17 Agu" in axis["ticktext"]
    assert axis["tickvals"][0] == "2022-08-16T00:00:00"
    category = spec(charts.category_figure(hourly.assign(category="ASN"), TZ, "present", "en"))
    assert category["layout"]["xaxis"]["ticktext"][0] == "00:00<br>Tue 16 Aug 2022"


def test_plotly_config_gives_plotly_our_language() -> None:
    """Indonesian: Plotly's toolbar words, its dates (weeks from Sunday, as Plotly counts)
    and its numbers as the rest of the app writes them; English: Plotly's own."""
    indonesian = charts.plotly_config("id")
    assert indonesian["displaylogo"] is False and indonesian["locale"] == "id"
    locale = indonesian["locales"]["id"]
    assert locale["dictionary"]["Zoom in"] == "Perbesar"
    assert locale["format"]["days"][:2] == ["Minggu", "Senin"]
    assert locale["format"]["shortMonths"][7] == "Agu"
    assert (locale["format"]["decimal"], locale["format"]["thousands"]) == (",", ".")
    assert charts.plotly_config("en") == {"displaylogo": False}
