"""A typo in a log makes a new, unconfirmed building: what the pages show of it (AppTest).

- Every page, for every role and both languages, on the demo month plus one typo building:
  no raw text key of ``lib/core/texts`` and no "nan"/"None" reaches the screen (markdown,
  metrics, captions, tables, select-box options, button labels).
- The typo building is marked "baru, belum dikonfirmasi" in the dropdowns, on Sekarang and
  in Kualitas data, and left out of the weekly page (leadership totals).
- Settings: merge it into the right building, rename, confirm and delete it (delete only
  after the explicit tick); each action is audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from lib.ingest import importer
from lib.store import db
from tests.conftest import write_csv
from tests.support.app import AppEnv, app_as, audit_rows, errors, raw_keys, visible_texts
from tests.support.demo_store import copy_demo_store

ROOT = Path(__file__).resolve().parents[1]
TYPO = "gedung-tidak-ada"
MARK_ID = "baru, belum dikonfirmasi"
MARK_EN = "new, unconfirmed"
HEADER = ["timestamp", "person_id", "building", "action", "category"]

ROLE_PAGES = {
    "admin": ["pages/now.py", "pages/occupancy.py", "pages/weekly.py", "pages/import_logs.py", "pages/quality.py",
              "pages/settings.py", "pages/users.py", "pages/posters.py", "pages/audit.py", "pages/roster.py"],
    "leadership": ["pages/occupancy.py", "pages/weekly.py"],
    "tracer": ["pages/tracing.py"],
}
def typo_rows(now: datetime) -> list[list[object]]:
    """Scans typed with a building that does not exist: one person still inside, one gone."""
    local = now.astimezone(db_zone())
    stamp = lambda delta: (local - delta).strftime("%Y-%m-%d %H:%M:%S")  # noqa: E731
    return [
        [stamp(timedelta(hours=2)), "TYPO-1", TYPO, "masuk", "ASN"],
        [stamp(timedelta(hours=3)), "TYPO-2", TYPO, "masuk", "pengunjung"],
        [stamp(timedelta(hours=1)), "TYPO-2", TYPO, "keluar", "pengunjung"],
        [stamp(timedelta(days=8)), "TYPO-3", TYPO, "masuk", "ASN"],
    ]


def db_zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(db.DEFAULT_TIMEZONE)


@pytest.fixture(scope="module")
def demo_db_with_typo_building(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo month plus one typo building, in a database of its own."""
    folder = tmp_path_factory.mktemp("new_buildings_pages")
    path = folder / "pantau.duckdb"
    patch = pytest.MonkeyPatch()
    for name, value in (("PANTAU_DB", str(path)), ("PANTAU_DATA_DIR", str(folder)),
                        ("PANTAU_SECRETS_FILE", str(folder / "secrets.json")), ("PANTAU_LOGIN_SLEEP", "0"),
                        ("PANTAU_DEMO", "0")):
        patch.setenv(name, value)
    con = db.shared(copy_demo_store(path)).cursor()
    summary = importer.import_file(con, write_csv(folder / "typo.csv", HEADER, typo_rows(datetime.now(UTC))))
    assert summary.new_buildings == [TYPO]
    yield path
    patch.undo()


def page_for(role: str, page: str, language: str) -> AppTest:
    at = app_as(f"user_{role}", [role], language).run()
    assert not at.exception, at.exception
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


CASES = [(role, page, language) for role, pages in ROLE_PAGES.items() for page in pages for language in ("id", "en")]


@pytest.mark.parametrize(("role", "page", "language"), CASES, ids=[f"{r}-{Path(p).stem}-{lang}" for r, p, lang in CASES])
def test_no_raw_text_key_or_missing_value_on_any_page(demo_db_with_typo_building: Path, role: str, page: str,
                                                      language: str) -> None:
    at = page_for(role, page, language)
    texts = visible_texts(at)
    assert texts, "the page rendered nothing readable"
    assert raw_keys(texts) == []


def test_the_checker_sees_a_raw_key_and_nan() -> None:
    """The scan above can fail: it catches the Sekarang bug and a known key."""
    assert raw_keys(["○ now.light.nan · belum diatur"]) != []
    assert raw_keys(["settings.title"]) != []
    assert raw_keys(["Kantor Walikota Bitung", "pantau.example.go.id", "1.234,5", "–"]) == []
    assert raw_keys(["nan"]) != [] and raw_keys(["None"]) != []


def test_the_typo_building_is_marked_where_buildings_are_listed(demo_db_with_typo_building: Path) -> None:
    now = page_for("admin", "pages/now.py", "id")
    assert f"Gedung Tidak Ada · {MARK_ID}".lower() not in " ".join(s.value for s in now.subheader).lower()
    assert f"{TYPO} · {MARK_ID}" in [s.value for s in now.subheader]
    # Its card has words for "no threshold", never a text key.
    assert any(":gray[○] Ambang kerumunan belum diatur" in m.value for m in now.markdown)

    quality = page_for("admin", "pages/quality.py", "en")
    options = quality.selectbox(key="quality_building").options
    assert f"{TYPO} · {MARK_EN} ({TYPO})" in options
    assert "Kantor Walikota Bitung (kantor-walikota)" in options

    occupancy = page_for("leadership", "pages/occupancy.py", "id")
    assert f"{TYPO} · {MARK_ID}" in occupancy.selectbox(key="occupancy_building").options

    settings = page_for("admin", "pages/settings.py", "id")
    assert f"{TYPO} · {MARK_ID} ({TYPO})" in settings.selectbox(key="settings_new_select").options

    # The leadership's weekly page (its totals and reports) leaves it out.
    weekly = page_for("leadership", "pages/weekly.py", "id")
    assert TYPO not in weekly.selectbox(key="weekly_building").options
    assert all(TYPO not in text for text in visible_texts(weekly))


@pytest.fixture
def app_env_with_typo_building(app_env: AppEnv) -> AppEnv:
    """``app_env`` plus the typo building's scans, imported by kabag."""
    rows = typo_rows(app_env.now)
    importer.import_file(app_env.con(), write_csv(app_env.folder / "typo.csv", HEADER, rows), actor="kabag")
    return app_env


def settings_page() -> AppTest:
    at = app_as("kabag", ["admin"]).run()
    at.switch_page("pages/settings.py").run()
    assert not at.exception, at.exception
    return at


def building_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT building_id FROM buildings").fetchall()}


def test_settings_merges_the_typo_building_into_the_right_one(app_env_with_typo_building: AppEnv) -> None:
    at = settings_page()
    assert [s.value for s in at.subheader][0] == "Gedung baru dari impor"
    assert any(m.value.startswith("4 pindaian dari 3 orang") for m in at.markdown)
    at.radio(key="settings_new_action").set_value("merge").run()
    assert at.selectbox(key="settings_new_target").options == ["Kantor Walikota (kantor)"]
    at.button(key="settings_new_submit_merge").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success][0].startswith(f"{TYPO} digabung ke Kantor Walikota (kantor): 4 pindaian dipindah")
    con = app_env_with_typo_building.con()
    assert building_ids(con) == {"kantor"}
    assert con.execute("SELECT count(*) FROM visits WHERE person_id LIKE 'TYPO-%' AND building = 'kantor'").fetchall()[0][0] == 3
    assert audit_rows(app_env_with_typo_building, "building_merge") == [("kabag", TYPO)]
    # Nothing new left: the section is gone, the dropdown has no mark.
    assert "Gedung baru dari impor" not in [s.value for s in at.subheader]
    assert all(MARK_ID not in o for o in at.selectbox(key="settings_building").options)


def test_settings_deletes_only_after_the_tick(app_env_with_typo_building: AppEnv) -> None:
    at = settings_page()
    at.radio(key="settings_new_action").set_value("delete").run()
    at.button(key="settings_new_submit_delete").click().run()
    assert errors(at) == ["Centang konfirmasi dulu: penghapusan tidak dapat dibatalkan."]
    assert TYPO in building_ids(app_env_with_typo_building.con())
    at.checkbox(key="settings_new_ack").check()
    at.button(key="settings_new_submit_delete").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [f"Gedung {TYPO} dihapus beserta 4 pindaian."]
    con = app_env_with_typo_building.con()
    assert building_ids(con) == {"kantor"}
    assert con.execute("SELECT count(*) FROM events WHERE building = ?", [TYPO]).fetchall()[0][0] == 0
    assert audit_rows(app_env_with_typo_building, "building_delete") == [("kabag", TYPO)]


def test_settings_renames_and_confirms(app_env_with_typo_building: AppEnv) -> None:
    at = settings_page()
    at.radio(key="settings_new_action").set_value("rename").run()
    at.text_input(key="settings_new_name").input("Gedung Arsip")
    at.button(key="settings_new_submit_rename").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [f"Gedung {TYPO} sekarang bernama Gedung Arsip dan dikonfirmasi."]
    assert f"Gedung Arsip ({TYPO})" in at.selectbox(key="settings_building").options
    assert audit_rows(app_env_with_typo_building, "building_rename") == [("kabag", TYPO)]
    assert db.unconfirmed_buildings(app_env_with_typo_building.con()) == set()


def test_settings_confirms(app_env_with_typo_building: AppEnv) -> None:
    at = settings_page()
    at.button(key="settings_new_submit_confirm").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [f"Gedung {TYPO} dikonfirmasi."]
    assert db.unconfirmed_buildings(app_env_with_typo_building.con()) == set()
    assert audit_rows(app_env_with_typo_building, "building_confirm") == [("kabag", TYPO)]



def test_import_page_lists_the_new_buildings_of_the_files(app_env_with_typo_building: AppEnv, tmp_path: Path) -> None:
    """The summary of an upload names the building it created (a typo, perhaps)."""
    import io

    from lib.ui.data import import_upload

    class Upload(io.BytesIO):
        def __init__(self, name: str, data: bytes) -> None:
            super().__init__(data)
            self.name, self.size = name, len(data)

    csv = b"waktu;nip;gedung;aksi\n2022-01-03 08:00;111;kantr;masuk\n2022-01-03 08:05;112;kantor;masuk\n"
    result = import_upload(app_env_with_typo_building.con(), Upload("absen.csv", csv), "kabag", 10_000, "10 KB")
    assert result.new_buildings == ["kantr"]
    at = app_as("kabag", ["admin"]).run()
    at.switch_page("pages/import_logs.py")
    at.session_state["import_results"] = [result.as_dict()]
    at.run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [
        "Gedung baru (belum dikonfirmasi) dari impor ini: kantr. Periksa ejaannya di Pengaturan: konfirmasi, "
        "ganti nama, gabungkan ke gedung yang benar, atau hapus. Sampai dikonfirmasi, gedung ini tidak dihitung "
        "di total pimpinan."
    ]
