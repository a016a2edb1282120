"""What a building manager sees first, in AppTest (issue "Day one, round two", items 6-8).

- Occupancy: the hourly chart and the by-category chart of one window share one x axis,
  from the first day's 00:00 to the end of the last day, and name no day outside it.
- Attendance by unit opens on the last complete week (Monday to Sunday before today), and
  its unit × day table shows every unit without a scrolling frame.
- Now: building cards in the order of their names (case ignored), a building without a
  crowd threshold says so once with a way to Settings, the alerts name the people they
  are about and lead to the roll-call or the building's settings, and a total across
  buildings by category.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.analytics import attendance, live
from lib.analytics.rollcall import rollcall
from lib.ingest import buildings, importer
from lib.outputs.charts import month_label, weekday_label
from lib.store import db
from lib.ui.plain import escape_markdown
from lib.ui.widgets import fmt_day, local_today
from tests.conftest import write_csv
from tests.support.app import AppEnv, app_as

ADMIN = ("admin", ["admin"])
LEADERSHIP = ("pimpinan", ["leadership"])


def open_page(page: str, user: tuple[str, list[str]] = ADMIN, language: str = "id") -> AppTest:
    """The dashboard as ``user`` switched to ``page``, with no exception on the way."""
    username, roles = user
    at = app_as(username, roles, language)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def spec(at: AppTest, key: str) -> dict[str, Any]:
    for chart in at.get("plotly_chart"):
        if key in chart.proto.id:
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key}")


def day_words(day: date) -> str:
    """How the date axis names a day: 'Sen 7 Des'."""
    return f"{weekday_label(day.weekday(), 'id')} {day.day} {month_label(day.month, 'id')}"


# --- Okupansi: one axis for both charts ----------------------------------------------------


@pytest.mark.parametrize("days", [7, 1, 30])
def test_occupancy_hourly_and_category_charts_share_one_axis_ending_on_the_last_day(demo_db, days: int) -> None:  # type: ignore[no-untyped-def]
    at = open_page("pages/occupancy.py", LEADERSHIP)
    today = local_today()
    first, last = today - timedelta(days=days - 1), today
    at.selectbox(key="occupancy_building").set_value("kantor-walikota")
    at.date_input(key="occupancy_from").set_value(first)
    at.date_input(key="occupancy_to").set_value(last).run()
    assert not at.exception
    axes = {key: spec(at, key)["layout"]["xaxis"] for key in ("occupancy_chart", "occupancy_category_chart")}
    hourly, by_category = axes["occupancy_chart"], axes["occupancy_category_chart"]
    # One range for both: from the first day's midnight to the end of the last day (WITA).
    expected = [f"{first.isoformat()}T00:00:00", f"{(last + timedelta(days=1)).isoformat()}T00:00:00"]
    assert hourly.get("range") == expected
    assert by_category.get("range") == expected
    assert hourly["tickvals"] == by_category["tickvals"] and hourly["ticktext"] == by_category["ticktext"]
    # Every tick lies inside the window: no tick at its end naming the day after it.
    assert all(expected[0] <= value < expected[1] for value in hourly["tickvals"])
    labels = " ".join(hourly["ticktext"])
    after = last + timedelta(days=1)
    assert f"{after.day} {month_label(after.month, 'id')}" not in labels
    if days <= 7:  # ticks at least daily: the last day is named
        assert day_words(last) in labels
    # Every bar of both charts lies inside the range (the data cover the whole window, no more).
    for key in ("occupancy_chart", "occupancy_category_chart"):
        xs = [x for trace in spec(at, key)["data"] if trace["type"] == "bar" for x in trace["x"]]
        assert min(xs) == expected[0]
        assert max(xs) == f"{last.isoformat()}T23:00:00"


# --- Kehadiran per unit: the last complete week, the whole table ----------------------------


def test_last_complete_week_is_the_monday_to_sunday_before_today() -> None:
    monday = date(2026, 12, 7)
    assert attendance.last_complete_week(monday) == date(2026, 11, 30)  # the week that ended yesterday
    for offset in range(7):  # every day of a week opens on the week before it
        assert attendance.last_complete_week(monday + timedelta(days=offset)) == date(2026, 11, 30)
    assert attendance.last_complete_week(date(2026, 12, 14)) == date(2026, 12, 7)


@pytest.mark.parametrize("user", [LEADERSHIP, ADMIN], ids=["leadership", "admin"])
def test_attendance_opens_on_the_last_complete_week_shown_whole(demo_db, user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, con = demo_db
    # AppTest keeps a dataframe's data, not its frame's height: note what each one was drawn with.
    heights: dict[str, object] = {}
    original = st.dataframe

    def noting(data: Any = None, *args: Any, **kwargs: Any) -> Any:
        heights[str(kwargs.get("key"))] = kwargs.get("height", "auto")
        return original(data, *args, **kwargs)

    monkeypatch.setattr(st, "dataframe", noting)
    at = open_page("pages/attendance.py", user)
    today = local_today()
    monday = attendance.last_complete_week(today)
    assert at.date_input(key="attendance_week").value == monday
    view = at.dataframe[0]
    # Seven past days, each with figures: no day still to come, no blank column.
    days = [monday + timedelta(days=n) for n in range(7)]
    assert list(view.value.columns) == [f"{weekday_label(d.weekday(), 'id')} {d:%d/%m}" for d in days]
    assert all(d < today for d in days)
    assert "" not in set(view.value.to_numpy().ravel())
    units = con.execute("SELECT count(DISTINCT unit) FROM roster WHERE nullif(trim(unit), '') IS NOT NULL").fetchall()[0][0]
    assert len(view.value) == units > 10  # more units than the ten rows of a default frame
    # The frame is as tall as its rows (the default shows ten and scrolls to the others).
    assert heights["attendance_week_view"] == "content"
    assert f"{fmt_day(monday)}–{fmt_day(monday + timedelta(days=6))}" in at.subheader[0].value
    # The detail table holds the same week.
    table = at.dataframe[1].value
    assert set(table["Hari"]) == {fmt_day(d) for d in days}


# --- Sekarang: name order, an unset threshold, alerts that name and lead, a total -----------


@pytest.fixture
def office(app_env: AppEnv) -> AppEnv:
    """The AppTest office (building 'kantor', four people inside) plus an upper-case id
    'BAPPEDA' with a threshold and one person inside, a lower-case 'arsip' without a
    threshold whose visitor overstayed today, and a building first named by an import."""
    env = app_env
    con = env.con()
    buildings.save_building(con, buildings.BuildingForm(
        building_id="BAPPEDA", name="Bappeda", timezone=db.DEFAULT_TIMEZONE, capacity=20,
        threshold_mode="people", threshold_people=10), "setup")
    # The visitor's longest stay is short, so a visit begun today already ran into it.
    since_midnight = int((env.now - live.local_day_start(env.now, db.DEFAULT_TIMEZONE)).total_seconds() // 60)
    stay = max(1, min(30, since_midnight // 2))
    buildings.save_building(con, buildings.BuildingForm(
        building_id="arsip", name="arsip daerah", timezone=db.DEFAULT_TIMEZONE, capacity=None,
        threshold_mode="none", max_stay_visitor_min=stay), "setup")
    importer.record_events(con, [
        {"timestamp": env.now - timedelta(minutes=10), "person_id": "199001012000", "building": "BAPPEDA",
         "action": "checkin", "name": "Rina Bappeda", "phone": "081211112222", "category": "ASN"},
        {"timestamp": env.now - timedelta(minutes=2 * stay), "person_id": "0813TAMU", "building": "arsip",
         "action": "checkin", "name": "Tamu [Lama](https://evil.example) Sekali", "phone": "081333334444", "category": "visitor"},
    ], "setup", "setup")
    importer.import_file(con, write_csv(env.folder / "typo.csv", ["timestamp", "person_id", "building", "action", "category"],
                                        [[(env.now - timedelta(hours=1)).astimezone(ZoneInfo(db.DEFAULT_TIMEZONE))
                                          .strftime("%Y-%m-%d %H:%M:%S"), "TYPO-1", "gudang-baru", "masuk", "ASN"]]))
    return env


def admin_now() -> AppTest:
    return app_as("kabag", ["admin"]).run().switch_page("pages/now.py").run()


def test_now_cards_follow_the_buildings_names_case_ignored(office: AppEnv) -> None:
    at = admin_now()
    assert not at.exception
    cards = [s.value for s in at.subheader
             if s.value not in ("Peringatan", "Pindaian terakhir", "Tamu di dalam menurut keperluan")]
    # By name, case ignored; before, by id in code-point order ('BAPPEDA' before 'arsip').
    assert cards == ["arsip daerah", "Bappeda", "gudang-baru · baru, belum dikonfirmasi", "Kantor Walikota"]


def test_now_says_once_that_a_threshold_is_not_set_and_leads_to_settings(office: AppEnv) -> None:
    at = admin_now()
    texts = [m.value for m in at.markdown]
    unset = [t for t in texts if "belum diatur" in t]
    # Two buildings without a threshold (arsip and the imported one): each says it once, in words.
    assert unset == [":gray[○] Ambang kerumunan belum diatur"] * 2
    button = at.button(key="now_set_threshold_arsip")
    assert button.label == "Atur ambang di Pengaturan →"
    button.click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Pengaturan"]
    assert at.selectbox(key="settings_building").value == "arsip"


def test_now_shows_the_total_inside_across_buildings_by_category(office: AppEnv) -> None:
    at = admin_now()
    con = office.con()
    inside = rollcall(con, datetime.now(UTC))
    asn, thl = int((inside["category"] == "ASN").sum()), int((inside["category"] == "THL").sum())
    visitors = int((inside["category"] == "visitor").sum())
    total = f"**Semua gedung: {len(inside)} orang di dalam sekarang** · ASN {asn} · THL {thl} · Pengunjung {visitors}"
    assert total in [m.value for m in at.markdown]
    assert len(inside) == 6 and inside["building"].nunique() == 3  # kantor 4, BAPPEDA 1, the import 1


def test_now_alerts_name_the_people_and_lead_to_the_rollcall_or_settings(office: AppEnv) -> None:
    at = admin_now()
    # The overstay names its visitor (the admin's page), in an expander under the alert.
    shown = [w.value for w in at.warning]
    assert any(w.startswith("arsip daerah: 1 pengunjung melewati batas lama kunjungan") for w in shown)
    tables = {e.table[0].value["Nama"].iloc[0]: (e.label, e.table[0].value) for e in at.expander}
    # The stored name as text (a table's cells are Markdown): escaped, never a live link.
    label, table = tables[escape_markdown("Tamu [Lama](https://evil.example) Sekali")]
    assert label == "Siapa: 1 pengunjung" and list(table["Telepon"]) == ["081333334444"]
    assert "\\[Lama\\]" in table["Nama"].iloc[0]
    # Visitors inside after office hours are named too (whether there is one depends on the clock).
    after_hours = "Kantor Walikota: 1 pengunjung masih di dalam di luar jam kantor" in shown
    assert ("Pengunjung Baru" in tables) == after_hours
    # The new building from the import is an alert that leads to its review in Settings.
    assert any(w.startswith("gudang-baru (gudang-baru): gedung baru dari impor") for w in shown)
    # The crowd alert of 'kantor' (4 inside, threshold 5) leads to that building's roll-call.
    at.button(key="now_alert_rollcall_building_near:kantor:").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Apel darurat"]
    assert at.selectbox(key="rollcall_building").value == "kantor"
    assert "Kantor Walikota · 4" in [s.value for s in at.subheader]

    at = admin_now()
    at.button(key="now_alert_new_gudang-baru").click().run()
    assert not at.exception
    assert at.selectbox(key="settings_new_select").value == "gudang-baru"


def test_rollcall_of_all_buildings_has_a_grand_total(office: AppEnv) -> None:
    at = app_as("kabag", ["admin"]).run().switch_page("pages/rollcall.py").run()
    assert not at.exception
    inside = rollcall(office.con(), datetime.now(UTC))
    asn = int((inside["category"] == "ASN").sum())
    visitors = int((inside["category"] == "visitor").sum())
    total = f"**Semua gedung: {len(inside)} orang di dalam** · ASN {asn} · THL 0 · Pengunjung {visitors}"
    assert total in [m.value for m in at.markdown]
    # Buildings by name, case ignored, as on the Now page.
    headers = [s.value.rsplit(" · ", 1)[0] for s in at.subheader]
    assert headers.index("Bappeda") < headers.index("Kantor Walikota")
