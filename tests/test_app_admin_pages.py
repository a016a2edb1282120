"""The admin pages in AppTest: Now, Import, Data quality, Settings, Users, Audit.

For the admin: each page runs, and its figures are those of lib/ on the same database;
its forms change the store and write an audit record. For every other role and for an
anonymous visitor: the page file itself refuses (as when its address is typed in) and
nothing personal reaches the browser.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from lib.analytics import live, quality
from lib.store import db, users
from lib.ui.data import import_upload
from lib.ui.widgets import local_today
from tests.support.app import (
    NAMES,
    PHONES,
    ROOT,
    AppEnv,
    app_as,
    assert_no_seeded_personal_data,
    errors,
    open_page,
    tree_text,
)

ADMIN_PAGES = ["pages/now.py", "pages/import_logs.py", "pages/quality.py", "pages/settings.py",
               "pages/users.py", "pages/audit.py", "pages/roster.py"]



def metrics(at: AppTest) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for metric in at.metric:
        out.setdefault(metric.label, []).append(metric.value)
    return out


def test_now_shows_the_live_figures_of_lib(app_env: AppEnv) -> None:
    at = open_page("pages/now.py")
    assert [t.value for t in at.title] == ["Sekarang"]
    expected = live.now_overview(app_env.con(), datetime.now(UTC)).set_index("building").loc["kantor"]
    shown = metrics(at)
    assert shown["Di dalam sekarang"] == [str(expected["inside"])]
    assert expected["inside"] == 4 and expected["inside_ASN"] == 3 and expected["inside_visitor"] == 1
    assert shown["ASN"] == [str(expected["inside_ASN"])]
    assert shown["Pengunjung"] == [str(expected["inside_visitor"])]
    assert shown["Kunjungan hari ini"] == [str(expected["visits_today"])]
    assert shown["Selesai hari ini"] == [str(expected["finished_today"])]
    # 4 inside with a threshold of 5 is at least 80 %: yellow.
    assert any(":orange[●]" in m.value and "4 dari ambang 5" in m.value for m in at.markdown)
    scans = at.dataframe[0].value
    assert scans.iloc[0]["Nama"] == "Pengunjung Baru"
    assert scans.iloc[0]["Waktu"].endswith(" WITA")
    assert scans.iloc[0]["Aksi"] == "masuk"
    # Buildings and gates by the names the settings give them, never by their ids.
    assert set(scans["Gedung"]) == {"Kantor Walikota"}
    assert scans.iloc[0]["Pintu"] == ""  # a scan without a gate
    assert set(scans["Pintu"].iloc[1:]) == {"utama"}  # no gate name configured yet: the id
    con = app_env.con()
    con.execute("INSERT INTO gates VALUES ('kantor', 'utama', 'Pintu Utama – Lobi')")
    # A gate named later shows at once: the live figures' cache key follows gate names too.
    at = open_page("pages/now.py", language="en")
    scans = at.dataframe[0].value
    assert set(scans["Gate"].iloc[1:]) == {"Pintu Utama – Lobi"} and set(scans["Building"]) == {"Kantor Walikota"}
    # Six figures per building in three columns (two rows of three on screen).
    assert sorted(m.label for m in at.metric) == sorted(
        ["Inside now", "ASN", "THL", "Visitors", "Visits today", "Finished today"]
    )
    assert len(at.columns) >= 3


def test_now_in_english_formats_numbers_the_english_way(app_env: AppEnv) -> None:
    con = app_env.con()
    con.execute("UPDATE buildings SET threshold_people = 1500")
    at = open_page("pages/now.py", language="en")
    assert [t.value for t in at.title] == ["Now"]
    assert any("4 of a threshold of 1,500" in m.value for m in at.markdown)
    at = open_page("pages/now.py", language="id")
    assert any("4 dari ambang 1.500" in m.value for m in at.markdown)


def test_import_page_shows_summary_and_quarantined_rows(app_env: AppEnv) -> None:
    class Upload(io.BytesIO):
        def __init__(self, name: str, data: bytes) -> None:
            super().__init__(data)
            self.name, self.size = name, len(data)

    csv = b"waktu;nip;gedung;aksi\n2022-01-03 08:00;111;kantor;masuk\nbesok;222;kantor;masuk\n"
    con = app_env.con()
    good = import_upload(con, Upload("absen.csv", csv), "kabag", 10_000, "10 KB")
    big = import_upload(con, Upload("besar.csv", csv * 100), "kabag", 100, "100 B")
    odd = import_upload(con, Upload("rekap_bulanan.csv", b"tanggal;nama;jabatan\n03/01/2022;Andi;Staf\n"),
                        "kabag", 10_000, "10 KB")
    assert good.status == "ok" and good.events_new == 1 and good.quarantined == 1
    assert big.status == "refused" and big.message_code == "too_large"
    assert odd.status == "refused" and odd.message_code == "missing_columns"
    assert con.execute("SELECT count(*) FROM events WHERE person_id = '111'").fetchall()[0][0] == 1
    assert con.execute(
        "SELECT actor, subject FROM audit_log WHERE action = 'import_refused' ORDER BY logged_at"
    ).fetchall() == [("kabag", "besar.csv"), ("kabag", "rekap_bulanan.csv")]

    at = app_as("kabag", ["admin"]).run()
    at.switch_page("pages/import_logs.py")
    at.session_state["import_results"] = [good.as_dict(), big.as_dict(), odd.as_dict()]
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Impor log kunjungan"]
    assert len(at.get("file_uploader")) == 1
    # The help: the three shapes' columns (from lib.ingest.importer's tables) and six templates.
    events, visits, staff = at.table[0].value, at.table[1].value, at.table[2].value
    assert staff.set_index("Kolom").loc["unit", "Wajib"] == "tidak" and "unitkerja" in staff.set_index("Kolom").loc[
        "unit", "Nama lain yang diterima"]
    assert events["Kolom"].tolist()[:4] == ["timestamp", "person_id", "building", "action"]
    assert events.set_index("Kolom").loc["timestamp", "Wajib"] == "ya"
    assert "waktu" in events.set_index("Kolom").loc["timestamp", "Nama lain yang diterima"]
    assert visits.set_index("Kolom").loc["checkout_at", "Wajib"] == "tidak"
    templates = [b for b in at.get("download_button") if b.proto.id and "import_template" in b.proto.id]
    assert len(templates) == 6
    summary = at.dataframe[0].value
    assert summary["File"].tolist() == ["absen.csv", "besar.csv", "rekap_bulanan.csv"]
    assert summary["Dikarantina"].tolist() == [1, 0, 0]  # numbers (written '1.234' by lib.core.numformat)
    assert summary["Status"].tolist() == ["✓ diimpor", "✗ ditolak", "✗ ditolak"]
    # Each refusal is a full-width message of its own, naming the missing columns.
    refusals = [e.value for e in at.error]
    assert len(refusals) == 2
    assert refusals[0].startswith("**besar.csv** — File ditolak: lebih besar dari batas 100 B")
    assert refusals[1].startswith("**rekap\\_bulanan.csv** — File ditolak: bukan log kunjungan")  # '_' shown as is
    for column in ("timestamp", "person", "building", "action"):
        assert column in refusals[1], column
    assert "Tidak ada isi file ini yang disimpan" in refusals[1]
    rows = at.dataframe[1].value
    assert rows["Alasan"].tolist() == ["waktu tidak dapat dibaca"]
    assert "besok" in rows["Isi baris"].iloc[0]


def test_quality_page_totals_equal_lib(app_env: AppEnv) -> None:
    con = app_env.con()
    # A double scan and an orphan check-out, today.
    from lib.ingest import importer

    now = datetime.now(UTC)
    importer.record_events(con, [
        {"timestamp": now - timedelta(minutes=119, seconds=30), "person_id": "198001012000", "building": "kantor",
         "action": "checkin"},
        {"timestamp": now - timedelta(minutes=5), "person_id": "nobody", "building": "kantor", "action": "checkout"},
    ], "t", "t")
    at = open_page("pages/quality.py")
    assert [t.value for t in at.title] == ["Kualitas data"]
    today = local_today()
    frame = quality.daily_anomalies(con, today - timedelta(days=13), today, datetime.now(UTC))
    shown = metrics(at)
    assert shown["Pindaian ganda"] == [str(int(frame["duplicates"].sum()))] == ["1"]
    assert shown["Keluar tanpa masuk"] == [str(int(frame["orphans"].sum()))] == ["1"]
    assert shown["Ditutup otomatis"] == [str(int(frame["auto_closes"].sum()))]
    per_day = at.dataframe[0].value
    assert len(per_day) == 14 and per_day["Gedung"].iloc[0] == "Kantor Walikota"
    assert any("belum diatur" in i.value for i in at.info)  # no expected staff yet


def test_settings_form_changes_the_building_and_is_audited(app_env: AppEnv) -> None:
    at = open_page("pages/settings.py")
    at.number_input(key="settings_capacity_kantor").set_value(200)
    at.radio(key="settings_mode_kantor").set_value("share")
    at.number_input(key="settings_share_kantor").set_value(25.0)
    at.number_input(key="settings_expected_kantor").set_value(40)
    next(b for b in at.button if b.label == "Simpan").click()
    at.run()
    assert not at.exception and not errors(at)
    con = app_env.con()
    row = con.execute("SELECT capacity, threshold_people, threshold_share FROM buildings").fetchall()[0]
    assert row == (200, None, 0.25)
    assert live.now_overview(con, datetime.now(UTC))["threshold"].tolist() == [50]
    assert db.get_setting(con, "expected_staff:kantor") == "40"
    assert con.execute("SELECT count(*) FROM audit_log WHERE action = 'building_update' AND actor = 'kabag'"
                       ).fetchall()[0][0] == 1
    at.text_input(key="settings_tz_kantor").input("Asia/Atlantis")
    next(b for b in at.button if b.label == "Simpan").click()
    at.run()
    assert errors(at) == ["Zona waktu tidak dikenal: Asia/Atlantis"]
    assert con.execute("SELECT timezone FROM buildings").fetchall()[0][0] == "Asia/Makassar"


def test_users_page_adds_resets_and_unlocks_with_passwords_shown_once(app_env: AppEnv) -> None:
    at = open_page("pages/users.py")
    at.text_input(key="users_new_username").input("Dinkes.Pelacak")
    at.text_input(key="users_new_name").input("Pelacak Dinkes")
    at.multiselect(key="users_new_roles").select("tracer")
    next(b for b in at.button if b.label == "Tambah").click()
    at.run()
    assert not at.exception and not errors(at)
    password = at.code[0].value
    record = users.load_users(app_env.users_path)["dinkes.pelacak"]
    assert record["roles"] == ["tracer"] and users.check_password(password, record["password"])
    at.run()  # any next run: the password is gone from the page
    assert password not in tree_text(at)
    assert "Pelacak Dinkes" in at.dataframe[0].value["Nama lengkap"].tolist()

    for _ in range(users.MAX_FAILED_LOGINS):
        users.record_failed_login(app_env.users_path, "dinkes.pelacak")
    at.selectbox(key="users_selected").set_value("dinkes.pelacak").run()
    table = at.dataframe[0].value.set_index("Nama pengguna")
    assert table.loc["dinkes.pelacak", "Status"].startswith("alamat menunggu sampai")
    at.button(key="users_unlock_dinkes.pelacak").click().run()
    assert users.locked_until(users.load_users(app_env.users_path)["dinkes.pelacak"]) is None
    at.button(key="users_reset_dinkes.pelacak").click().run()
    new_password = at.code[0].value
    assert new_password != password
    assert users.check_password(new_password, users.load_users(app_env.users_path)["dinkes.pelacak"]["password"])
    actions = [r[0] for r in app_env.con().execute(
        "SELECT action FROM audit_log WHERE subject = 'dinkes.pelacak' AND actor = 'kabag' ORDER BY logged_at"
    ).fetchall()]
    assert actions == ["user_create", "user_unlock", "user_password_reset"]


def test_audit_page_lists_and_filters_the_log(app_env: AppEnv) -> None:
    con = app_env.con()
    db.write_audit(con, "pelacak", "trace", "198001012000",
                   '{"from": "2022-01-02T16:00:00+00:00", "min_overlap_minutes": 15.0, "note": null}', 3)
    db.write_audit(con, "kabag", "import_refused", "absen.csv", '{"reason": "missing_columns: action"}', 0)
    db.write_audit(con, "system", "user_create", "pelacak", '{"roles": ["tracer"]}', None)
    at = open_page("pages/audit.py")
    table = at.dataframe[0].value
    # Actions in words, parameters as text, nothing reads None/null/nan.
    assert {"Pelacakan kontak", "Impor ditolak", "Pengguna dibuat"} <= set(table["Tindakan"])
    cells = " | ".join(str(v) for v in table.to_numpy().ravel())
    for word in ("None", "null", "nan", "<NA>", "{", "trace_", "import_refused"):
        assert word not in cells, word
    created = table[table["Tindakan"] == "Pengguna dibuat"].iloc[0]
    assert created["Parameter"] == "peran: tracer" and created["Baris"] == ""
    at.multiselect(key="audit_actions").select("trace").run()
    table = at.dataframe[0].value
    assert table["Tindakan"].tolist() == ["Pelacakan kontak"]
    assert table["Pelaku"].tolist() == ["pelacak"]
    assert table["Untuk / subjek"].tolist() == ["198001012000"]
    assert table["Parameter"].tolist() == ["dari: 03/01/2022, tumpang tindih minimum (menit): 15"]
    assert table["Baris"].tolist() == ["3"]
    assert table["Waktu"].iloc[0].endswith("WITA")

    english = open_page("pages/audit.py", language="en").dataframe[0].value
    assert {"Contact tracing", "Import refused", "User created"} <= set(english["What"])
    assert "reason: not a visit log, missing columns: action" in set(english["Parameters"])


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize("who", [("pimpinan", ["leadership"]), ("pelacak", ["tracer"]), None])
def test_other_roles_opening_an_admin_page_are_refused_without_personal_data(
    app_env: AppEnv, page: str, who: tuple[str, list[str]] | None
) -> None:
    """The page file on its own (as when its address is typed in) refuses, shows nothing."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=60)
    if who is not None:
        at.session_state["authentication_status"] = True
        at.session_state["username"], at.session_state["roles"] = who[0], who[1]
    at.run()
    assert not at.exception
    expected = "Akses ditolak" if who else "Silakan masuk"
    assert len(at.error) == 1 and at.error[0].value.startswith(expected)
    assert not at.dataframe and not at.metric and not at.title
    assert_no_seeded_personal_data(at)


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_every_admin_page_runs_for_an_admin_in_both_languages(app_env: AppEnv, page: str) -> None:
    for language in ("id", "en"):
        at = open_page(page, language=language)
        assert len(at.title) == 1 and not at.error
    if page == "pages/now.py":
        assert NAMES[0] in tree_text(at)  # positive control of the personal-data check
    assert PHONES[0] not in tree_text(at)  # no admin page needs a phone number


def test_settings_number_boxes_show_numbers_as_written_not_with_two_decimals(app_env: AppEnv) -> None:
    """'12' hours and '50' %, not '12.00' / '50.00': every box holding a decimal number
    on the Settings page uses the one number format (lib.core.numformat.input_format)."""
    at = open_page("pages/settings.py")
    assert not at.exception
    floats = [box for box in at.number_input if isinstance(box.value, float)]
    assert floats, "the Settings page has decimal number boxes (share, MAX_STAY hours)"
    assert {box.proto.format for box in floats} == {"%g"}
