"""Occupancy, Weekly and Tracing pages in AppTest, for each role, on the demo month.

What a user would notice: the charts show the numbers of lib/ on the same database,
leadership never receives a name or phone (not on screen, not in a download), a tracer
cannot open the weekly page, and one search writes one audit record however often the
page reruns.
"""

from __future__ import annotations

import io
import json
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from lib.analytics import crowding, occupancy, rooms, tracing
from lib.core.timeutil import parse_local_bound
from lib.ingest import demo
from lib.store import db, places
from tests.support.app import ROOT, assert_no_personal_data_in, personal_data, rendered_bytes
from tests.support.app import app_as as logged_in

TZ = db.DEFAULT_TIMEZONE
LEADERSHIP = ("pimpinan", ["leadership"])
ADMIN = ("admin", ["admin"])
TRACER = ("pelacak", ["tracer"])


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, str, str | None]]:
    """Every file the app hands to the browser in this test: (bytes, mime type, file name)."""
    captured: list[tuple[bytes, str, str | None]] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self: MemoryMediaFileStorage, path_or_data: Any, mimetype: str, kind: Any,
             filename: str | None = None) -> str:
        if isinstance(path_or_data, bytes | str) and not mimetype.startswith("image/"):
            data = path_or_data.encode() if isinstance(path_or_data, str) else path_or_data
            captured.append((data, mimetype, filename))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return captured


def app_as(user: tuple[str, list[str]], language: str = "id") -> AppTest:
    """The dashboard with a logged-in session of ``user`` (username, roles)."""
    username, roles = user
    return logged_in(username, roles, language)


def open_page(at: AppTest, page: str) -> AppTest:
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def page_as(page: str, user: tuple[str, list[str]]) -> AppTest:
    """A page file run on its own (an address typed in), with ``user``'s session."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=60)
    username, roles = user
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["roles"] = roles
    at.run()
    return at


def spec(at: AppTest, key: str) -> dict[str, Any]:
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(key) or key in chart.proto.id:
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key}: {[c.proto.id for c in at.get('plotly_chart')]}")


def local_x(hours: pd.Series) -> list[str]:
    return [f"{t:%Y-%m-%dT%H:%M:%S}" for t in hours.dt.tz_convert(TZ)]


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "download.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None)


# --- Okupansi / Occupancy ---------------------------------------------------------------


@pytest.mark.parametrize("user", [LEADERSHIP, ADMIN], ids=["leadership", "admin"])
def test_occupancy_charts_equal_lib(demo_db, user) -> None:  # type: ignore[no-untyped-def]
    _, con = demo_db
    at = open_page(app_as(user), "pages/occupancy.py")
    assert at.title[0].value == "Okupansi"
    # A past week of the walikota office, so no visit is still open and nothing moves.
    today = pd.Timestamp.now(tz=TZ).date()
    first, last = today - timedelta(days=12), today - timedelta(days=3)
    at.selectbox(key="occupancy_building").set_value("kantor-walikota")
    at.date_input(key="occupancy_from").set_value(first)
    at.date_input(key="occupancy_to").set_value(last).run()
    assert not at.exception
    start = parse_local_bound(first.isoformat(), TZ, is_end=False)
    end = parse_local_bound(last.isoformat(), TZ, is_end=True)

    hourly = occupancy.hourly_occupancy(con, start, end, building="kantor-walikota")
    data = spec(at, "occupancy_chart")
    peak, present = data["data"][0], data["data"][1]
    assert peak["x"] == local_x(hourly["hour"])
    assert peak["y"] == hourly["peak"].tolist()
    assert present["y"] == hourly["present"].tolist()
    assert max(peak["y"]) > 200  # the crowded event day is in this range
    threshold = places.threshold(con, "kantor-walikota")
    assert threshold == 150  # PPKM level 3: half of 300
    assert data["data"][2]["y"] == [threshold, threshold]
    episodes = crowding.crowding_episodes(con, start, end, building="kantor-walikota")
    assert len(episodes) >= 1
    shapes = data["layout"]["shapes"]
    assert [(s["x0"], s["x1"]) for s in shapes] == list(
        zip(local_x(episodes["start"]), local_x(episodes["end"]), strict=True)
    )
    assert data["layout"]["xaxis"]["title"]["text"] == "Jam (WITA, UTC+8)"

    by_category = occupancy.hourly_occupancy(con, start, end, building="kantor-walikota", by_category=True)
    cat = spec(at, "occupancy_category_chart")
    assert [t["name"] for t in cat["data"]] == ["ASN", "THL", "Pengunjung"]
    for trace, category in zip(cat["data"], ["ASN", "THL", "visitor"], strict=True):
        assert trace["y"] == by_category[by_category["category"] == category]["present"].tolist()

    heat = occupancy.weekday_hour_heatmap(con, "kantor-walikota", start, end)
    z = spec(at, "occupancy_heatmap")["data"][0]["z"]
    for row in heat.itertuples():
        expected = None if pd.isna(row.avg_peak) else pytest.approx(row.avg_peak)
        assert z[row.weekday][row.hour] == expected

    # The episode list on screen: one row per episode, local times with the zone named.
    table = at.dataframe[0].value
    assert len(table) == len(episodes)
    assert table.iloc[0, 0].endswith("WITA")
    assert_no_personal_data_in(rendered_bytes(at), personal_data(con))


def test_occupancy_in_english_and_reversed_range(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = open_page(app_as(LEADERSHIP, "en"), "pages/occupancy.py")
    assert at.title[0].value == "Occupancy"
    assert "Hour (WITA, UTC+8)" in at.get("plotly_chart")[0].proto.spec
    today = pd.Timestamp.now(tz=TZ).date()
    at.date_input(key="occupancy_from").set_value(today)
    at.date_input(key="occupancy_to").set_value(today - timedelta(days=2)).run()
    assert not at.exception
    assert any("end date" in w.value for w in at.warning)
    assert not at.get("plotly_chart")


# --- Statistik mingguan / Weekly ---------------------------------------------------------


def last_full_week() -> str:
    monday = pd.Timestamp.now(tz=TZ).date() - timedelta(days=pd.Timestamp.now(tz=TZ).weekday() + 7)
    iso = monday.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


@pytest.mark.parametrize("user", [LEADERSHIP, ADMIN, ("both", ["tracer", "leadership"])],
                         ids=["leadership", "admin", "tracer+leadership"])
def test_weekly_figures_equal_lib_and_downloads_carry_no_names(  # type: ignore[no-untyped-def]
    demo_db, user, downloads, tmp_path
) -> None:
    from lib.analytics import weekly

    _, con = demo_db
    at = open_page(app_as(user), "pages/weekly.py")
    assert at.title[0].value == "Statistik mingguan"
    week = last_full_week()
    assert at.selectbox(key="weekly_week").value == week  # default: the last full week
    at.selectbox(key="weekly_building").set_value("kantor-walikota").run()
    assert not at.exception
    stats = weekly.weekly_stats(con, week)
    row = stats[stats["building"] == "kantor-walikota"].iloc[0]
    metrics = {m.label: m for m in at.metric}
    assert metrics["Kunjungan"].value == f"{int(row['visits']):,}".replace(",", ".")
    assert metrics["Orang"].value == f"{int(row['persons']):,}".replace(",", ".")
    if pd.notna(row["visits_change_pct"]):
        sign = "+" if row["visits_change_pct"] > 0 else ""
        assert metrics["Kunjungan"].delta == sign + f"{row['visits_change_pct']:.1f}".replace(".", ",") + " %"

    side = spec(at, "weekly_buildings_chart")
    by_name = {t["name"]: t["y"] for t in side["data"]}
    assert len(by_name) == len(stats)
    for record in stats.itertuples():
        name = con.execute("SELECT name FROM buildings WHERE building_id = ?", [record.building]).fetchall()[0][0]
        assert by_name[name] == [int(getattr(record, c)) for c in
                                 ("visits_mon", "visits_tue", "visits_wed", "visits_thu", "visits_fri",
                                  "visits_sat", "visits_sun")]
    trend = weekly.weekly_trend(con, week, weeks=12)
    trend_spec = spec(at, "weekly_trend_chart")
    assert trend_spec["data"][0]["x"][-1] == week
    total_trend = sum(v for t in trend_spec["data"] for v in t["y"] if v is not None)
    assert total_trend == int(trend["visits"].sum())

    values = personal_data(con)
    assert_no_personal_data_in(rendered_bytes(at), values)
    pdfs = [d for d, mime, _ in downloads if mime == "application/pdf"]
    sheets = [d for d, mime, _ in downloads if "spreadsheet" in mime]
    assert pdfs and sheets
    text = pdf_text(pdfs[-1], tmp_path)
    assert week in text and "Kantor Walikota Bitung" in text and "Dinas Kesehatan" in text
    city = weekly.city_week_totals(con, week)
    assert f"Seluruh kota: {int(city['persons']):,} orang".replace(",", ".") in " ".join(text.split())
    assert_no_personal_data_in(text.encode(), values)
    assert_no_personal_data_in(xlsx_text(sheets[-1]).encode(), values)
    assert_no_personal_data_in(b"".join(pdfs + sheets), values)


def test_weekly_defaults_to_the_largest_building_beside_the_whole_city(demo_db) -> None:  # type: ignore[no-untyped-def]
    """No building chosen: the one with the most visits in the latest week with data; the
    city-wide figures (each person once) come first; weeks start where the data starts."""
    from lib.analytics import weekly

    _, con = demo_db
    at = open_page(app_as(LEADERSHIP), "pages/weekly.py")
    assert not at.exception
    # The latest local ISO week with a check-in, and its busiest building, straight from SQL.
    latest, first = con.execute(
        "SELECT max(checkin_at AT TIME ZONE 'Asia/Makassar'), min(checkin_at AT TIME ZONE 'Asia/Makassar') FROM visits"
    ).fetchall()[0]
    latest_week = f"{latest.isocalendar().year}-W{latest.isocalendar().week:02d}"
    first_week = f"{first.isocalendar().year}-W{first.isocalendar().week:02d}"
    busiest = con.execute(
        """SELECT building FROM visits
           WHERE strftime(checkin_at AT TIME ZONE 'Asia/Makassar', '%G-W%V') = ?
           GROUP BY building ORDER BY count(*) DESC, building LIMIT 1""",
        [latest_week],
    ).fetchall()[0][0]
    assert at.selectbox(key="weekly_building").value == busiest
    week_box = at.selectbox(key="weekly_week")
    assert week_box.options[-1].startswith(first_week) and week_box.options[0].startswith(latest_week)

    week = week_box.value
    stats = weekly.weekly_stats(con, week)
    persons_anywhere = con.execute(
        """SELECT count(DISTINCT person_id) FROM visits
           WHERE strftime(checkin_at AT TIME ZONE 'Asia/Makassar', '%G-W%V') = ?""",
        [week],
    ).fetchall()[0][0]
    city = list(at.metric)[:2]  # the whole city's visits and persons come first
    assert city[0].value == f"{int(stats['visits'].sum()):,}".replace(",", ".")
    assert city[1].value == f"{persons_anywhere:,}".replace(",", ".")
    assert persons_anywhere < int(stats["persons"].sum())  # somebody visited two buildings
    assert any(h.value.startswith("Seluruh kota") for h in at.subheader)
    # The demo month is shorter than the 12-week trend: the trend starts at its first week.
    trend_weeks = spec(at, "weekly_trend_chart")["data"][0]["x"]
    assert trend_weeks[0] == first_week and trend_weeks[-1] == week


def test_weekly_marks_a_partial_first_week_and_gives_no_growth_against_it(demo_db) -> None:  # type: ignore[no-untyped-def]
    """The demo month begins mid-week (unless 30 days ago was a Monday): its first week is
    partial. The trend labels it so, and the next week shows no change against it."""
    from lib.analytics import weekly

    _, con = demo_db
    first = con.execute("SELECT min(checkin_at AT TIME ZONE 'Asia/Makassar') FROM visits").fetchall()[0][0]
    first_week = f"{first.isocalendar().year}-W{first.isocalendar().week:02d}"
    at = open_page(app_as(LEADERSHIP), "pages/weekly.py")
    ticks = spec(at, "weekly_trend_chart")["layout"]["xaxis"]["ticktext"]
    if first.weekday() == 0:  # the demo began on a Monday: a whole week, nothing to mark
        assert ticks[0] == first_week and not any("minggu sebagian" in c.value for c in at.caption)
        return
    assert ticks[0] == f"{first_week} (sebagian)" and all("sebagian" not in t for t in ticks[1:])
    assert any(c.value.startswith(f"{first_week} adalah minggu sebagian") for c in at.caption)
    monday = pd.Timestamp(first.date() - timedelta(days=first.weekday()) + timedelta(weeks=1)).date()
    second = f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}"
    box = at.selectbox(key="weekly_week")
    box.set_value(next(o for o in box.options if o.startswith(second))).run()
    assert not at.exception
    stats = weekly.weekly_stats(con, second)
    assert stats["visits_change_pct"].notna().any()  # lib alone would show the false jump
    city_visits, city_persons = list(at.metric)[:2]
    assert city_visits.delta == "–" and city_persons.delta == "–"
    side = next(d.value for d in at.dataframe if "Seluruh kota" in d.value.columns)
    assert all(cell.endswith("(–)") for cell in side.loc["Kunjungan"])


def tr_id(key: str) -> str:
    from lib.core.i18n import t

    return t(key, "id")


def test_tracer_cannot_open_weekly_or_occupancy(demo_db) -> None:  # type: ignore[no-untyped-def]
    for page in ("pages/weekly.py", "pages/occupancy.py"):
        at = page_as(page, TRACER)
        assert not at.exception
        assert len(at.error) == 1 and at.error[0].value == tr_id("auth.refused")
        assert not at.get("plotly_chart") and not at.get("download_button") and not at.metric
    # Through the router: the pages are not registered for a tracer, so they cannot run.
    at = app_as(TRACER)
    at.run()
    for page in ("pages/weekly.py", "pages/occupancy.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    assert at.title[0].value == "Pelacakan kontak"  # a tracer's start page


# --- Pelacakan / Tracing -------------------------------------------------------------------


def audit_count(con: duckdb.DuckDBPyConnection, action: str, actor: str) -> int:
    return int(con.execute("SELECT count(*) FROM audit_log WHERE action = ? AND actor = ?",
                           [action, actor]).fetchall()[0][0])


def test_tracing_finds_case_traces_audits_once_and_exports(demo_db, downloads) -> None:  # type: ignore[no-untyped-def]
    _, con = demo_db
    at = open_page(app_as(TRACER), "pages/tracing.py")
    assert at.title[0].value == "Pelacakan kontak"
    before = audit_count(con, "trace", "pelacak")
    searches = audit_count(con, "find_person", "pelacak")
    at.text_input(key="tracing_query").input("MEISKE rumeng").run()  # partial, any case
    assert any(demo.POSITIVE_CASE_ID in o and "Meiske Rumengan" in o and "ASN" in o and "WITA" in o
               for o in at.selectbox(key="tracing_person").options)
    # Nobody is pre-selected, and the trace button waits for the tracer's pick.
    assert at.selectbox(key="tracing_person").value is None
    assert at.button(key="tracing_run").disabled
    assert audit_count(con, "find_person", "pelacak") == searches + 1  # the search itself is audited
    at.run()
    assert audit_count(con, "find_person", "pelacak") == searches + 1  # once, not on every rerun
    at.selectbox(key="tracing_person").set_value(demo.POSITIVE_CASE_ID).run()
    assert not at.button(key="tracing_run").disabled
    today = pd.Timestamp.now(tz=TZ).date()
    # Onset sets the rules' default window: two days before to fourteen days after.
    at.date_input(key="tracing_onset").set_value(today - timedelta(days=8)).run()
    assert at.date_input(key="tracing_from").value == today - timedelta(days=10)
    assert at.date_input(key="tracing_to").value == today + timedelta(days=6)
    # Edited to a past range, so every visit in it is closed and the result is fixed.
    first, last = today - timedelta(days=10), today - timedelta(days=2)
    at.date_input(key="tracing_to").set_value(last).run()
    assert audit_count(con, "trace", "pelacak") == before  # nothing searched yet
    at.button(key="tracing_run").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert audit_count(con, "trace", "pelacak") == before + 1

    start = parse_local_bound(first.isoformat(), TZ, is_end=False)
    end = parse_local_bound(last.isoformat(), TZ, is_end=True)
    expected = tracing.trace_contacts(con, demo.POSITIVE_CASE_ID, start, end, audit=False)
    assert len(expected) > 0
    # Graded (the demo now has rooms and a roster): K1 in the first table, K2 in the second.
    shown = pd.concat([at.dataframe[0].value, at.dataframe[1].value], ignore_index=True)
    assert shown["ID"].tolist() == expected["person_id"].tolist()
    assert shown["No. HP"].tolist() == expected["phone"].tolist()
    assert shown["Menit bersama"].tolist() == [f"{v:,.1f}".replace(",", "\0").replace(".", ",").replace("\0", ".")
                                               for v in expected["overlap_minutes"]]
    # The health-office meeting colleagues are among the contacts.
    assert "dinas-kesehatan" in ";".join(expected["buildings"])

    shown_count = min(len(expected), 30)
    assert any(c.value == f"menampilkan {shown_count} dari {len(expected)} kontak" for c in at.caption)
    timeline = spec(at, "tracing_timeline")
    visits = tracing.index_visits(con, demo.POSITIVE_CASE_ID, start, end)
    case_segments = sum(
        1 for t in timeline["data"] for y in t["y"][::3] if y and y.startswith("KASUS")
    )
    assert case_segments == len(visits)

    # Reruns and a changed widget without pressing the button: no new search, no new record.
    at.run()
    at.number_input(key="tracing_min_overlap").set_value(30.0).run()
    assert audit_count(con, "trace", "pelacak") == before + 1
    assert any("Lacak kontak" in i.value for i in at.info)  # the result is marked as stale

    # The CSV export: formula-safe contact rows, and the download is audited.
    csv_files = [d for d, mime, _ in downloads if mime == "text/csv"]
    assert csv_files
    frame = pd.read_csv(io.BytesIO(csv_files[-1]), encoding="utf-8-sig", dtype=str)
    assert frame["ID"].tolist() == expected["person_id"].tolist()  # Indonesian headers, as on screen
    assert set(frame["Perkiraan"]) <= {"ya", "tidak"}
    assert "Dinas Kesehatan" in ";".join(frame["Gedung"])  # building names, not ids
    assert audit_count(con, "find_person", "pelacak") == searches + 1
    exports = audit_count(con, "export_trace", "pelacak")
    at.download_button(key="tracing_csv").click().run()
    assert audit_count(con, "export_trace", "pelacak") == exports + 1
    assert audit_count(con, "trace", "pelacak") == before + 1

    # In English, the same contacts download with English headers and yes/no.
    at.session_state["pantau_lang"] = "en"
    at.run()
    english = pd.read_csv(io.BytesIO([d for d, mime, _ in downloads if mime == "text/csv"][-1]),
                          encoding="utf-8-sig", dtype=str)
    assert list(english.columns)[:3] == ["ID", "Name", "Category"]
    assert english["ID"].tolist() == expected["person_id"].tolist() and set(english["Estimated"]) <= {"yes", "no"}
    assert audit_count(con, "trace", "pelacak") == before + 1


def test_leadership_and_admin_are_refused_tracing_and_see_no_names(demo_db) -> None:  # type: ignore[no-untyped-def]
    _, con = demo_db
    values = personal_data(con)
    for user in (LEADERSHIP, ADMIN):
        at = page_as("pages/tracing.py", user)  # the address typed in
        assert not at.exception
        assert at.error and not at.text_input and not at.get("download_button")
        assert_no_personal_data_in(rendered_bytes(at), values)
        # Through the router the page is not registered: the user stays on an allowed page.
        at = app_as(user)
        at.run()
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page("pages/tracing.py")
        assert not at.exception
        assert not any(t.value == "Pelacakan kontak" for t in at.title)
        if user is LEADERSHIP:  # administrators may see names on their own pages (RULES)
            assert_no_personal_data_in(rendered_bytes(at), values)


def test_tracing_in_english(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = open_page(app_as(TRACER, "en"), "pages/tracing.py")
    assert at.title[0].value == "Contact tracing"
    at.text_input(key="tracing_query").input("zzzz-nobody").run()
    assert any(w.value == "Nobody matches." for w in at.warning)
    assert at.button(key="tracing_run").disabled
    at.text_input(key="tracing_query").input("a").run()  # nearly everyone
    assert any(w.value == "more than 20 matches: type more" for w in at.warning)
    assert len(at.selectbox(key="tracing_person").options) == 20
    assert at.selectbox(key="tracing_person").value is None and at.button(key="tracing_run").disabled


def test_tracing_second_degree_counts_and_names_links_briefly(demo_db) -> None:  # type: ignore[no-untyped-def]
    _, con = demo_db
    at = open_page(app_as(TRACER), "pages/tracing.py")
    at.text_input(key="tracing_query").input(demo.POSITIVE_CASE_ID).run()
    at.selectbox(key="tracing_person").set_value(demo.POSITIVE_CASE_ID)
    today = pd.Timestamp.now(tz=TZ).date()
    at.date_input(key="tracing_onset").set_value(today - timedelta(days=8)).run()  # sets the window
    at.date_input(key="tracing_to").set_value(today - timedelta(days=2))
    at.checkbox(key="tracing_second").check().run()
    at.button(key="tracing_run").click().run()
    assert not at.exception, [e.message for e in at.exception]
    start = parse_local_bound((today - timedelta(days=10)).isoformat(), TZ, is_end=False)
    end = parse_local_bound((today - timedelta(days=2)).isoformat(), TZ, is_end=True)
    first = tracing.trace_contacts(con, demo.POSITIVE_CASE_ID, start, end, audit=False)
    second = tracing.second_degree_contacts(con, demo.POSITIVE_CASE_ID, start, end, actor="test")
    assert len(second) > 0
    def number(n: int) -> str:
        return f"{n:,}".replace(",", ".")

    summary = f"{number(len(second))} kontak tingkat kedua, melalui {number(len(first))} kontak erat."
    assert any(m.value == summary for m in at.markdown), [m.value for m in at.markdown]
    table = at.dataframe[2].value  # after the K1 and K2 tables
    assert table["ID"].tolist() == second["person_id"].tolist()
    names = dict(zip(first["person_id"], first["name"], strict=True))
    for via, shown in zip(second["via"], table["Melalui"], strict=True):
        links = via.split(";")
        assert shown.count("(") == min(len(links), tracing.VIA_SHOWN)  # name (id), a few at most
        if len(links) > tracing.VIA_SHOWN:
            assert shown.endswith(f"+{len(links) - tracing.VIA_SHOWN} lainnya")
        assert any(f"{names[p]} ({p})" in shown for p in links)


def number_id(n: float) -> str:
    """A whole number as the Indonesian interface writes it (1.234)."""
    return f"{int(n):,}".replace(",", ".")


def test_tracing_is_graded_k1_first_with_rooms_counts_filter_and_assumed_mark(demo_db) -> None:  # type: ignore[no-untyped-def]
    _, con = demo_db
    at = open_page(app_as(TRACER), "pages/tracing.py")
    at.text_input(key="tracing_query").input(demo.POSITIVE_CASE_ID).run()
    at.selectbox(key="tracing_person").set_value(demo.POSITIVE_CASE_ID)
    today = pd.Timestamp.now(tz=TZ).date()
    at.date_input(key="tracing_onset").set_value(today - timedelta(days=8)).run()
    at.date_input(key="tracing_to").set_value(today - timedelta(days=2))
    at.button(key="tracing_run").click().run()
    assert not at.exception, [e.message for e in at.exception]
    traces = audit_count(con, "trace", "pelacak")
    start = parse_local_bound((today - timedelta(days=10)).isoformat(), TZ, is_end=False)
    end = parse_local_bound((today - timedelta(days=2)).isoformat(), TZ, is_end=True)
    expected = tracing.trace_contacts(con, demo.POSITIVE_CASE_ID, start, end, audit=False)
    k1, k2 = expected[expected["grade"] == "K1"], expected[expected["grade"] == "K2"]
    assert len(k1) and len(k2) > len(k1)

    # The counts line, then K1 (the first table, open), then K2 folded below.
    counts = f"**{number_id(len(k1))}** kontak erat satu ruangan (K1), **{number_id(len(k2))}** satu gedung (K2)"
    assert any(m.value == counts for m in at.markdown), [m.value for m in at.markdown]
    first = at.dataframe[0].value
    assert first["ID"].tolist() == k1["person_id"].tolist()
    assert first["Unit kerja"].tolist() == k1["unit"].fillna("").tolist()
    assert all(first["Ruang"])  # every K1 contact shared a named room
    assert at.expander[0].label == f"K2 · satu gedung: {number_id(len(k2))}"
    assert not at.expander[0].proto.expanded  # folded: K1 is what the tracer reads first
    assert at.dataframe[1].value["ID"].tolist() == k2["person_id"].tolist()
    # A room from the roster is marked, a scanned one is not, and the mark is explained.
    for room, assumed, shown in zip(k1["areas"], k1["area_assumed"], first["Ruang"], strict=True):
        assert shown == (f"{room.replace(';', '; ')} (daftar pegawai)" if assumed else room.replace(";", "; "))
    assert k1["area_assumed"].any() and not k1["area_assumed"].all()
    assert any("(daftar pegawai)" in c.value and "bukan dipindai" in c.value for c in at.caption)

    # The grade filter changes the view only: no new search, no stale mark.
    at.radio(key="tracing_grade").set_value("K2").run()
    assert [d.value["ID"].tolist() for d in at.dataframe] == [k2["person_id"].tolist()]
    assert not at.expander
    assert any(c.value == f"menampilkan {min(30, len(k2))} dari {number_id(len(k2))} kontak" for c in at.caption)
    at.radio(key="tracing_grade").set_value("K1").run()
    assert [d.value["ID"].tolist() for d in at.dataframe] == [k1["person_id"].tolist()]
    assert any(c.value == f"menampilkan {len(k1)} dari {len(k1)} kontak" for c in at.caption)
    timeline = spec(at, "tracing_timeline")
    room_traces = [t for t in timeline["data"] if " · " in (t.get("name") or "")]
    assert room_traces  # the same-room stretches are drawn, named by their room
    assert any(str(x).startswith("Ruang: ") for t in room_traces for x in t["text"] if x)
    assert audit_count(con, "trace", "pelacak") == traces
    assert not any("Lacak kontak" in i.value for i in at.info)

    at.session_state["pantau_lang"] = "en"
    at.radio(key="tracing_grade").set_value("all").run()
    counts_en = f"**{len(k1):,}** close contacts in the same room (K1), **{len(k2):,}** in the same building (K2)"
    assert any(m.value == counts_en for m in at.markdown), [m.value for m in at.markdown]
    assert at.expander[0].label == f"K2 · same building: {len(k2):,}"
    assert "Unit" in at.dataframe[0].value.columns and "Rooms" in at.dataframe[0].value.columns


def test_occupancy_shows_a_rooms_hours_against_its_capacity(demo_db) -> None:  # type: ignore[no-untyped-def]
    _, con = demo_db
    at = open_page(app_as(ADMIN), "pages/occupancy.py")
    at.selectbox(key="occupancy_building").set_value("kantor-walikota").run()
    today = pd.Timestamp.now(tz=TZ).date()
    first, last = today - timedelta(days=14), today - timedelta(days=1)  # holds the vaccination event
    at.date_input(key="occupancy_from").set_value(first)
    at.date_input(key="occupancy_to").set_value(last).run()
    at.selectbox(key="occupancy_room").set_value("Aula Lt. 1").run()
    assert not at.exception, [e.message for e in at.exception]
    start = parse_local_bound(first.isoformat(), TZ, is_end=False)
    end = parse_local_bound(last.isoformat(), TZ, is_end=True)
    hourly = rooms.room_hourly_occupancy(con, "kantor-walikota", "Aula Lt. 1", start, end)
    episodes = rooms.room_crowding_episodes(con, "kantor-walikota", "Aula Lt. 1", start, end)
    assert hourly["peak"].max() > 150 and len(episodes) == 1  # the event overfilled the hall
    data = spec(at, "occupancy_room_chart")
    bars = next(t for t in data["data"] if t["type"] == "bar")
    assert bars["x"] == local_x(hourly["hour"]) and bars["y"] == hourly["peak"].tolist()
    assert any(t.get("name") == "Kapasitas (150)" for t in data["data"])
    assert any(m.label == "Kapasitas ruangan" and m.value == "150" for m in at.metric)
    table = at.dataframe[-1].value
    assert table["Puncak"].tolist() == episodes["peak"].tolist()
    # A room without a capacity says so instead of inventing crowding.
    at.selectbox(key="occupancy_room").set_value("Bagian Keuangan").run()
    assert any("belum diatur" in i.value for i in at.info)
    assert spec(at, "occupancy_room_chart")["data"][0]["y"] == [0] * len(hourly)  # assumed time is no head count


def test_weekly_in_english_with_english_xlsx_headers(demo_db, downloads) -> None:  # type: ignore[no-untyped-def]
    at = open_page(app_as(LEADERSHIP, "en"), "pages/weekly.py")
    assert not at.exception
    assert at.title[0].value == "Weekly statistics"
    assert any(h.value == "Whole city (4 buildings)" for h in at.subheader)
    sheets = [d for d, mime, _ in downloads if "spreadsheet" in mime]
    book = openpyxl.load_workbook(io.BytesIO(sheets[-1]))
    # Issue 22: the week's visits by purpose and by host (unit visited) have a sheet each.
    assert book.sheetnames == ["Week", "Trend", "By purpose", "By host"]
    assert [c.value for c in book["By purpose"][1]] == [
        "Building", "Purpose", "Visits", "Visitors (persons)", "Visits the week before", "Change (%)"]
    header = [c.value for c in book["Week"][1]]
    assert header[:5] == ["Week", "Building ID", "Building", "Visits", "Persons"]
    assert book["Week"].cell(row=2, column=3).value == "Whole city"
    assert "weekly." not in str(rendered_bytes(at))  # no raw text key on screen
    # Buildings side by side: each figure whole in its own short cell (1440 px), and the
    # whole city's missing peak explained rather than "– (–)".
    side = next(d.value for d in at.dataframe if "Whole city" in d.value.columns)
    assert side.loc["Peak hour (WITA)", "Whole city"] == "not added up"
    assert side.loc["Peak (people inside)", "Whole city"] == "not added up"
    assert side.loc["Crowding episodes", "Whole city"].replace(",", "").isdigit()
    assert all(len(cell) <= 18 for cell in side.to_numpy().ravel())
    assert any("whole city has no peak hour" in c.value for c in at.caption)
