"""Rooms and the staff roster in the admin pages (AppTest): the Settings page's rooms,
the Roster page for the admin only, the roster on the Import page's help."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from lib.ingest import importer
from lib.store import places
from tests.conftest import write_csv
from tests.support.app import ROOT, AppEnv, app_as, errors, open_page, tree_text

ROSTER_HEADER = ["nip", "nama", "unit_kerja", "gedung", "ruang", "kategori"]
ROSTER_ROWS = [
    ["198001012000", "Andi Lumentut", "Bagian Umum", "kantor", "Ruang Umum", "ASN"],
    ["198001012001", "Maria Rondonuwu", "Bagian Umum", "kantor", "Ruang Umum", "ASN"],
    ["198001012002", "Yohanis Pangemanan", "Bagian Keuangan", "kantor", "Ruang Keuangan", "THL"],
    ["199901010009", "Salah Ketik", "Bagian Umum", "kantor", "Ruang Umum", "pegawai"],  # unknown category
    ["199901010010", "Tanpa Gedung", "Bagian Umum", "", "Ruang Umum", "ASN"],  # a room without a building
]


def frame_with(at: AppTest, column: str):  # type: ignore[no-untyped-def]
    """The one table on the page with ``column`` (AppTest finds tables by position, not key)."""
    [frame] = [d.value for d in at.dataframe if column in d.value.columns]
    return frame


def import_roster(env: AppEnv, days_ago: float = 0) -> None:
    con = env.con()
    summary = importer.import_file(con, write_csv(env.folder / "pegawai.csv", ROSTER_HEADER, ROSTER_ROWS), actor="kabag")
    assert (summary.shape, summary.persons_set, summary.quarantined) == ("roster", 3, 2)
    if days_ago:
        con.execute("UPDATE imports SET imported_at = ? WHERE shape = 'roster'",
                    [datetime.now(UTC) - timedelta(days=days_ago)])


def test_settings_lists_adds_and_edits_a_buildings_rooms(app_env: AppEnv) -> None:
    # In Indonesian: AppTest keeps the first run's labels of the building form's radio.
    at = open_page("pages/settings.py")
    assert "Belum ada ruang." in [c.value for c in at.caption]
    at.text_input(key="settings_area_new_name_kantor").input("Ruang Rapat")
    at.number_input(key="settings_area_new_stay_kantor").set_value(45)
    at.number_input(key="settings_area_new_capacity_kantor").set_value(12)
    at.button(key="settings_area_add_submit_kantor").click().run()
    assert not at.exception and not errors(at)
    assert "Ruang Ruang Rapat ditambahkan." in [s.value for s in at.success]
    table = frame_with(at, "Lama di ruang, AREA_STAY (menit)")
    assert table.values.tolist() == [["Ruang Rapat", "45", "12"]]

    # The same name in another case: refused with a reason, nothing added.
    at.text_input(key="settings_area_new_name_kantor").input(" ruang rapat ")
    at.button(key="settings_area_add_submit_kantor").click().run()
    assert errors(at) == [
        "Ruang Ruang Rapat sudah ada di gedung ini (huruf besar/kecil dan spasi di tepi tidak dibedakan)."
    ]
    assert len(places.list_areas(app_env.con(), "kantor")) == 1

    # Edit AREA_STAY and clear the capacity.
    at.number_input(key="settings_area_stay_kantor_Ruang Rapat").set_value(90)
    at.number_input(key="settings_area_capacity_kantor_Ruang Rapat").set_value(0)
    at.button(key="settings_area_save_kantor").click().run()
    assert not at.exception and not errors(at)
    assert "Ruang Ruang Rapat disimpan." in [s.value for s in at.success]
    assert frame_with(at, "Lama di ruang, AREA_STAY (menit)").iloc[0, 1] == "90"
    con = app_env.con()
    assert con.execute("SELECT area_stay_min, capacity FROM areas").fetchall() == [(90, None)]
    assert [r[0] for r in con.execute(
        "SELECT action FROM audit_log WHERE action LIKE 'area_%' AND actor = 'kabag' ORDER BY logged_at"
    ).fetchall()] == ["area_create", "area_change"]


def test_roster_page_shows_units_rooms_quarantine_and_the_age(app_env: AppEnv) -> None:
    at = open_page("pages/roster.py")
    assert "Belum ada daftar pegawai" in at.info[0].value  # nothing imported yet

    import_roster(app_env, days_ago=25)
    at = open_page("pages/roster.py", language="en")
    assert [t.value for t in at.title] == ["Staff roster"]
    detail = next(m.value for m in at.markdown if "pegawai.csv" in m.value)
    assert "by kabag" in detail and "3 persons set" in detail and "2 rows quarantined" in detail
    assert "WITA" in detail and "Age: 25 days (retention 30 days)" in detail
    [warning] = at.warning
    assert "purge in 5 days" in warning.value

    counts = frame_with(at, "Staff")
    rows = {(r[0], r[2]): r[3] for r in counts.values.tolist()}
    assert rows == {("Bagian Umum", "Ruang Umum"): 2, ("Bagian Keuangan", "Ruang Keuangan"): 1}
    people = frame_with(at, "NIP")
    assert sorted(people["NIP"]) == ["198001012000", "198001012001", "198001012002"]
    assert set(people["Category"]) == {"Civil servants (ASN)", "Contract staff (THL)"}
    at.text_input(key="roster_filter").input("keuangan").run()
    assert frame_with(at, "NIP")["Name"].tolist() == ["Yohanis Pangemanan"]

    # Words everywhere: no raw text key, no 'None' or 'nan' in a cell.
    from tests.support.app import raw_keys, visible_texts

    assert raw_keys(visible_texts(at)) == []
    quarantine = frame_with(at, "Reason")
    assert quarantine["Row"].tolist() == [5, 6]
    assert all(not reason.startswith("reason.") for reason in quarantine["Reason"])

    # A fresh roster: no warning.
    import_roster(app_env)
    at = open_page("pages/roster.py", language="en")
    assert not at.warning and not at.error


@pytest.mark.parametrize("who", [("pimpinan", ["leadership"]), ("pelacak", ["tracer"])])
def test_roster_page_is_refused_to_other_roles(app_env: AppEnv, who: tuple[str, list[str]]) -> None:
    import_roster(app_env)
    # The page file itself (its address typed in) refuses on the server.
    at = AppTest.from_file(str(ROOT / "pages" / "roster.py"), default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"], at.session_state["roles"] = who[0], who[1]
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value.startswith("Akses ditolak")
    assert not at.dataframe and not at.title
    # Through the router: the page is not registered for them, so it cannot be opened.
    at = app_as(who[0], who[1]).run()
    assert not at.exception and "Maria Rondonuwu" not in tree_text(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/roster.py")


def test_import_help_offers_the_roster_shape_and_templates(app_env: AppEnv) -> None:
    at = open_page("pages/import_logs.py", language="en")
    text = tree_text(at)
    assert "Staff roster" in text and "unitkerja" in text
    assert at.get("download_button")
    keys = {b.proto.id for b in at.get("download_button")}
    assert any("import_template_roster_csv" in k for k in keys) and any("import_template_roster_xlsx" in k for k in keys)
