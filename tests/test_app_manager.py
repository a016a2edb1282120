"""The building manager's pages in AppTest: alerts on Now, Roll-call (ticks), Attendance by
unit (leadership, no names) and the Settings sections (webhook, WFO limits, backups)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from streamlit.testing.v1 import AppTest

from lib.analytics import alerts
from lib.ingest import importer
from lib.outputs.charts import weekday_label
from lib.store import db, office
from lib.ui.widgets import fmt_day, local_today
from tests.conftest import write_csv
from tests.support.app import (
    NAMES,
    ROOT,
    AppEnv,
    app_as,
    assert_no_seeded_personal_data,
    errors,
    open_page,
    tree_text,
)


@pytest.fixture
def app_env_with_roster(app_env: AppEnv) -> AppEnv:
    """``app_env`` plus the roster: three of the four seeded people in two units, home building 'kantor'."""
    roster = write_csv(app_env.folder / "roster.csv", ["nip", "unit_kerja", "gedung", "ruang"],
                       [["198001012000", "Bagian Umum", "kantor", "Ruang Umum"],
                        ["198001012001", "Bagian Umum", "kantor", ""],
                        ["198001012002", "Keuangan", "kantor", ""]])
    importer.import_file(app_env.con(), roster)
    return app_env


def test_now_shows_the_alert_due(app_env_with_roster: AppEnv) -> None:
    at = open_page("pages/now.py", ["admin"])
    # kantor: 4 inside, threshold 5: at 80 % of it.
    shown = [w.value for w in at.warning]
    assert "Kantor Walikota: 4 orang di dalam, mendekati ambang 5 (80 %)" in shown
    # The visitor inside is an alert only outside office hours (the clock of this run decides).
    after_hours = "Kantor Walikota: 1 pengunjung masih di dalam di luar jam kantor"
    assert (after_hours in shown) == (not alerts.in_office_hours(app_env_with_roster.con(), datetime.now(UTC), "Asia/Makassar"))
    assert len(shown) == 1 + (after_hours in shown)
    assert not at.error


def test_rollcall_lists_people_by_room_and_keeps_ticks(app_env_with_roster: AppEnv) -> None:
    at = open_page("pages/rollcall.py", ["admin"])
    assert [t.value for t in at.title] == ["Apel darurat"]
    text = " ".join(m.value for m in at.markdown)
    for name in (NAMES[0], NAMES[1], NAMES[2]):
        assert name in text
    assert NAMES[3] not in text  # the visitor who left
    assert "Ruang Umum (ruang kerja menurut daftar pegawai)" in text
    assert {b.label for b in at.get("download_button")} == {"Unduh PDF (A4, untuk dicetak)", "Unduh daftar (CSV)"}
    at.button(key="rollcall_start").click().run()
    assert not at.exception
    assert len(at.checkbox) == 4
    at.checkbox[0].check().run()
    assert not at.exception
    assert "1 dari 4 orang sudah dicentang; 3 belum." in " ".join(m.value for m in at.markdown)
    con = app_env_with_roster.con()
    assert con.execute("SELECT count(*) FROM rollcall_ticks WHERE ticked").fetchall()[0][0] == 1
    assert con.execute("SELECT count(*) FROM audit_log WHERE action = 'rollcall_tick' AND actor = 'kabag'").fetchall()[0][0] == 1


def page_alone(page: str, who: tuple[str, list[str]] | None) -> AppTest:
    """The page file on its own, as when its address is typed in."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=60)
    if who is not None:
        at.session_state["authentication_status"] = True
        at.session_state["username"], at.session_state["roles"] = who[0], who[1]
    return at.run()


@pytest.mark.parametrize("who", [("pimpinan", ["leadership"]), ("pelacak", ["tracer"]), None])
def test_rollcall_is_for_admins_only(app_env_with_roster: AppEnv, who: tuple[str, list[str]] | None) -> None:
    at = page_alone("pages/rollcall.py", who)
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value.startswith("Akses ditolak" if who else "Silakan masuk")
    assert not at.checkbox and not at.title
    assert_no_seeded_personal_data(at)


def week_day(day: date) -> str:
    """How the unit × day view names a day's column: 'Sen 07/12'."""
    return f"{weekday_label(day.weekday(), 'id')} {day:%d/%m}"


def test_attendance_for_leadership_without_names(app_env_with_roster: AppEnv) -> None:
    office.set_wfo_limit(app_env_with_roster.con(), "unit", "Keuangan", 0.5, "setup")
    at = open_page("pages/attendance.py", ["leadership"], username="pimpinan")
    assert [t.value for t in at.title] == ["Kehadiran per unit"]
    at.date_input(key="attendance_week").set_value(local_today()).run()  # the current week (it opens on the last)
    table = next(d.value for d in at.dataframe if "Unit" in d.value.columns)
    assert set(table["Unit"]) == {"Bagian Umum", "Keuangan"} and len(table) == 14  # two units, seven days
    today = local_today()
    rows = table[table["Hari"] == fmt_day(today)].set_index("Unit")
    assert rows.loc["Bagian Umum", "Jumlah pegawai"] == 2 and rows.loc["Bagian Umum", "Di kantor"] == "2"
    # Today is not over: its share is marked as so far; above the limit already is final.
    assert rows.loc["Keuangan", "Persentase"] == "100 % (sejauh ini)" and rows.loc["Keuangan", "Melebihi batas"] == "ya"
    # Bagian Umum has no WFO limit: not judged (blank), never "tidak".
    assert set(table.loc[table["Unit"] == "Bagian Umum", "Melebihi batas"]) == {""}
    assert any("tidak punya batas WFO" in c.value for c in at.caption)
    assert any(c.value.startswith(f"Hari ini ({fmt_day(today)}) belum selesai") for c in at.caption)
    # The days after today are blank, not "0 %" and not judged.
    later = [d for d in table["Hari"].unique() if d.split("/")[::-1] > fmt_day(today).split("/")[::-1]]
    for column in ("Di kantor", "Persentase", "Melebihi batas"):
        assert set(table.loc[table["Hari"].isin(later), column]) <= {""}
    view = at.dataframe[0].value  # the unit × day view comes first
    assert view.index.name == "Unit"  # the same header as the table below, not 'unit'
    assert f"{week_day(today)} (sejauh ini)" in list(view.columns)
    for day in later:
        assert set(view[week_day(date(*map(int, day.split("/")[::-1])))]) == {""}
    assert at.warning  # unit-days above the limit are counted
    assert_no_seeded_personal_data(at)


def test_attendance_in_english_marks_today_and_leaves_later_days_blank(app_env_with_roster: AppEnv) -> None:
    # The current week, chosen before the page opens: AppTest cannot rerun a page whose select
    # box labels its options in English (it formats the choice outside the session, in Indonesian).
    at = app_as("pimpinan", ["leadership"], "en")
    at.session_state["attendance_week"] = local_today()
    at.run().switch_page("pages/attendance.py").run()
    assert not at.exception
    view, table = at.dataframe[0].value, at.dataframe[1].value
    assert list(table.columns)[0] == "Unit" and view.index.name == "Unit"
    today = table[table["Day"] == fmt_day(local_today())].set_index("Unit")
    assert today.loc["Bagian Umum", "Share"] == "100 % (so far)"
    assert set(table["Above the limit"]) == {""}  # no limit anywhere: nothing judged
    assert not at.warning
    assert any("no WFO limit" in c.value for c in at.caption)
    assert "attendance." not in str([c.value for c in at.caption])


def test_attendance_refused_to_tracers(app_env_with_roster: AppEnv) -> None:
    at = page_alone("pages/attendance.py", ("pelacak", ["tracer"]))
    assert len(at.error) == 1 and not at.dataframe and not at.title


def test_settings_sections_refuse_a_bad_webhook_and_save_limits_and_backups(app_env_with_roster: AppEnv) -> None:
    at = open_page("pages/settings.py", ["admin"])
    at.text_input(key="manager_webhook_url").input("ftp://nope")
    next(b for b in at.button if b.label == "Simpan peringatan").click().run()
    assert "Alamat webhook harus alamat http:// atau https:// tanpa spasi." in errors(at)
    con = app_env_with_roster.con()
    assert office.webhook_url(con) is None
    at.text_input(key="manager_webhook_url").input("https://hooks.example.org/pantau")
    next(b for b in at.button if b.label == "Simpan peringatan").click().run()
    assert office.webhook_url(con) == "https://hooks.example.org/pantau"
    assert con.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'setting_change' AND subject = 'alert_webhook_url'"
    ).fetchall()[0][0] == 1
    # A PPKM level 3 limit for the building 'kantor'.
    at.selectbox(key="manager_wfo_preset").set_value("ppkm3")
    next(b for b in at.button if b.label == "Simpan batas WFO").click().run()
    assert office.wfo_limits(con)["building"] == {"kantor": 0.5}
    at.button(key="manager_backup_now").click().run()
    assert not at.exception
    shown = next(d.value for d in at.dataframe if "Berkas" in d.value.columns)
    assert len(shown) == 1 and shown.iloc[0]["Berkas"].startswith("pantau-")
    assert db.get_setting(con, "backup_keep") is None  # untouched until saved
    # The help says how many backups are kept, the number itself.
    assert any("hanya 7 cadangan terbaru" in c.value for c in at.caption)
    at.number_input(key="manager_backup_keep").set_value(3)
    at.button(key="manager_backup_save").click().run()
    assert office.backup_keep(con) == 3
    assert any("hanya 3 cadangan terbaru" in c.value for c in at.caption)


@pytest.mark.parametrize(("page", "roles", "title"), [
    ("pages/rollcall.py", ["admin"], "Roll-call"),
    ("pages/attendance.py", ["leadership"], "Attendance by unit"),
    ("pages/now.py", ["admin"], "Now"),
])
def test_pages_in_english_show_no_raw_keys(app_env_with_roster: AppEnv, page: str, roles: list[str], title: str) -> None:
    at = open_page(page, roles, language="en")
    assert [t.value for t in at.title] == [title]
    text = tree_text(at)
    for prefix in ("rollcall.", "attendance.", "alerts.", "manager.settings."):
        assert f'"{prefix}' not in text and f" {prefix}" not in text
