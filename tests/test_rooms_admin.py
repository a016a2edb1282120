"""Rooms for the administrator: areas added and changed by hand, room posters' signed
addresses, a tap at a room poster, the roster template (RULES "Places inside a building")."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import duckdb
import pandas as pd
import pytest

from lib.analytics.stays import list_stays
from lib.ingest import areas, importer, roster
from lib.outputs import checkin, import_template
from lib.store import places

T0 = datetime(2022, 1, 3, 0, 0, tzinfo=UTC)  # 08:00 WITA
LATER = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_QR_SIGNING_KEY", "test-key-for-rooms")


@pytest.fixture
def store(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute("INSERT INTO buildings (building_id, name) VALUES ('kantor', 'Kantor Wali Kota'), ('dinkes', 'Dinkes')")
    con.execute("INSERT INTO gates VALUES ('kantor', 'utama', 'Pintu Utama')")
    places.set_public_base_url(con, "https://pantau.bitungkota.go.id", "kabag")
    return con


def audit_rows(con: duckdb.DuckDBPyConnection, action: str) -> list[tuple[str, str, dict[str, object]]]:
    rows = con.execute(
        "SELECT actor, subject, params FROM audit_log WHERE action = ? ORDER BY logged_at", [action]
    ).fetchall()
    return [(actor, target, json.loads(params)) for actor, target, params in rows]


def params_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


# --- areas by hand --------------------------------------------------------------------------


def test_an_area_added_by_hand_is_like_an_imported_one_and_audited(store: duckdb.DuckDBPyConnection) -> None:
    assert areas.create_area(store, "kantor", "  Ruang Rapat Lt. 2 ", 45, 20, "kabag") == "Ruang Rapat Lt. 2"
    assert places.list_areas(store, "kantor")[["area_id", "area_stay_min", "capacity"]].values.tolist() == [
        ["Ruang Rapat Lt. 2", 45, 20]
    ]
    assert audit_rows(store, "area_create") == [
        ("kabag", "kantor/Ruang Rapat Lt. 2", {"area_stay_min": 45, "capacity": 20})
    ]
    # A scan naming it in another case joins that room: no second room is created.
    importer.record_events(
        store,
        [{"timestamp": T0, "person_id": "1", "building": "kantor", "action": "checkin", "area": "ruang rapat lt. 2"}],
        source="t", actor="t", log_import=False,
    )
    assert len(places.list_areas(store, "kantor")) == 1
    stay = list_stays(store, now=LATER).iloc[0]
    assert (stay["area"], stay["end"] - stay["start"]) == ("Ruang Rapat Lt. 2", pd.Timedelta(minutes=45))
    # Defaults: AREA_STAY 120 minutes, no capacity.
    areas.create_area(store, "kantor", "Aula", actor="kabag")
    assert places.list_areas(store, "kantor").set_index("area_id").loc["Aula", "area_stay_min"] == 120


@pytest.mark.parametrize(
    ("building", "name", "stay", "capacity", "code"),
    [
        ("kantor", "   ", 120, None, "area_name_empty"),
        ("kantor", "x" * 81, 120, None, "area_name_long"),
        ("kantor", " AULA ", 120, None, "area_exists"),
        ("kantor", "Gudang", 0, None, "bad_area_stay"),
        ("kantor", "Gudang", 2881, None, "bad_area_stay"),
        ("kantor", "Gudang", 120, -1, "bad_capacity"),
        ("gudang", "Aula", 120, None, "unknown_building"),
    ],
)
def test_a_bad_new_area_is_refused_with_a_reason(
    store: duckdb.DuckDBPyConnection, building: str, name: str, stay: int, capacity: int | None, code: str
) -> None:
    areas.create_area(store, "kantor", "Aula", actor="kabag")
    with pytest.raises(places.SettingsError) as refused:
        areas.create_area(store, building, name, stay, capacity, "kabag")
    assert refused.value.code == code
    assert places.list_areas(store)["area_id"].tolist() == ["Aula"]
    assert len(audit_rows(store, "area_create")) == 1


def test_changing_an_area_is_validated_audited_and_rederives_stays(store: duckdb.DuckDBPyConnection) -> None:
    areas.create_area(store, "kantor", "Aula", 120, 50, "kabag")
    importer.record_events(
        store, [{"timestamp": T0, "person_id": "1", "building": "kantor", "action": "checkin", "area": "Aula"}],
        source="t", actor="t", log_import=False,
    )
    for bad, code in (({"area_stay_min": 0}, "bad_area_stay"), ({"capacity": -3}, "bad_capacity")):
        with pytest.raises(places.SettingsError) as refused:
            areas.update_area(store, "kantor", "aula", actor="kabag", **bad)  # type: ignore[arg-type]
        assert refused.value.code == code
    with pytest.raises(places.SettingsError) as refused:
        areas.update_area(store, "dinkes", "Aula", area_stay_min=30)
    assert refused.value.code == "unknown_area"
    assert areas.update_area(store, "kantor", "aula", 30, 0, "kabag") is True
    row = places.list_areas(store, "kantor").iloc[0]
    assert row["area_stay_min"] == 30 and pd.isna(row["capacity"])  # 0 clears the capacity
    stay = list_stays(store, now=LATER).iloc[0]
    assert stay["end"] - stay["start"] == pd.Timedelta(minutes=30)
    assert audit_rows(store, "area_change") == [
        ("kabag", "kantor/aula", {"area_stay_min": [120, 30], "capacity": [50, None]})
    ]
    assert areas.update_area(store, "kantor", "Aula", 30, 0, "kabag") is False  # nothing changed, nothing audited
    assert len(audit_rows(store, "area_change")) == 1


# --- room posters' addresses -----------------------------------------------------------------


def test_a_room_address_names_its_area_and_verifies(store: duckdb.DuckDBPyConnection) -> None:
    areas.create_area(store, "kantor", "Ruang Rapat", actor="kabag")
    url = checkin.checkin_url(store, "kantor", None, "checkin", area="ruang rapat")
    params = params_of(url)
    assert params["r"] == "Ruang Rapat" and "g" not in params
    verified = checkin.verify_checkin_params(store, params)
    assert isinstance(verified, checkin.CheckinTarget)
    assert (verified.building, verified.area, verified.area_name, verified.action) == (
        "kantor", "Ruang Rapat", "Ruang Rapat", "checkin"
    )
    # Another room, no room (a door address) or another action: the signature no longer matches.
    areas.create_area(store, "kantor", "Aula", actor="kabag")
    without = {k: v for k, v in params.items() if k != "r"}
    for tampered in ({**params, "r": "Aula"}, without, {**params, "a": "checkout"}, {**params, "g": "utama"}):
        assert checkin.verify_checkin_params(store, tampered) == checkin.REFUSED_SIGNATURE
    # Signed for a room that no longer exists.
    forged = {"b": "kantor", "r": "Gudang", "a": "checkin", "s": checkin.sign("kantor", "", "checkin", "Gudang")}
    assert checkin.verify_checkin_params(store, forged) == checkin.REFUSED_AREA
    with pytest.raises(ValueError):
        checkin.checkin_url(store, "kantor", None, "checkin", area="Gudang")
    with pytest.raises(ValueError):
        checkin.checkin_url(store, "kantor", "utama", "checkin", area="Aula")


def test_an_already_printed_door_address_still_verifies(store: duckdb.DuckDBPyConnection) -> None:
    # The signature a door poster was printed with before rooms existed: HMAC-SHA256 over
    # "building|gate|action", 16 bytes, URL-safe base64 without padding.
    import base64
    import hashlib
    import hmac

    digest = hmac.new(b"test-key-for-rooms", b"kantor|utama|checkin", hashlib.sha256).digest()
    printed = base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")
    old_url = f"https://pantau.bitungkota.go.id/checkin?b=kantor&g=utama&a=checkin&s={printed}"
    assert checkin.checkin_url(store, "kantor", "utama", "checkin") == old_url
    verified = checkin.verify_checkin_params(store, params_of(old_url))
    assert isinstance(verified, checkin.CheckinTarget)
    assert (verified.gate, verified.area) == ("utama", "")
    # The door address with a room added is refused.
    assert checkin.verify_checkin_params(store, {**params_of(old_url), "r": "Aula"}) == checkin.REFUSED_SIGNATURE


# A tap at a room poster goes through the check-in desk: tests/test_desk.py ("room taps"),
# its sentences in tests/test_checkin.py, the page in tests/test_checkin_page.py.


# --- the roster template ------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_roster_template_imports_as_a_roster(con: duckdb.DuckDBPyConnection, tmp_path: Path, file_format: str) -> None:
    path = tmp_path / import_template.template_filename("roster", file_format)
    path.write_bytes(import_template.template_bytes("roster", file_format))
    frame = import_template.template_frame("roster")
    summary = importer.import_file(con, path, actor="kabag")
    assert (summary.status, summary.shape, summary.quarantined) == ("ok", "roster", 0)
    assert summary.persons_set == len(frame) >= 2
    table = roster.roster_table(con)
    # NIPs stay text with every digit; the rooms named are created.
    assert set(table["person_id"]) == set(frame["person_id"])
    assert all(len(p) == 18 for p in table["person_id"])
    assert set(table["room"].dropna()) == set(frame["area"].replace("", None).dropna())
    assert not places.list_areas(con).empty


# --- room posters: the command line and the page ----------------------------------------------


def test_cli_room_poster_scans_to_a_verified_room_address(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lib.cli import main
    from lib.store import db
    from tests.support.pdf import decode, pdf_pages_to_png, pdf_text

    db_path = tmp_path / "cli.duckdb"
    con = db.connect(db_path)
    con.execute("INSERT INTO buildings (building_id, name) VALUES ('kantor', 'Kantor Wali Kota Bitung')")
    con.execute("INSERT INTO gates VALUES ('kantor', 'utama', 'Utama')")
    areas.create_area(con, "kantor", "Ruang Rapat Lt. 2", 60, 25, "kabag")
    areas.create_area(con, "kantor", "Aula", actor="kabag")
    places.set_public_base_url(con, "https://pantau.bitungkota.go.id", "kabag")
    con.close()

    def cli(*args: str) -> tuple[int, str]:
        code = main(["--db", str(db_path), "--lang", "en", "poster", "--building", "kantor", *args])
        return code, capsys.readouterr().err

    code, err = cli("--area", "ruang rapat lt. 2", "--action", "checkin", "--out", str(tmp_path / "room.png"))
    assert code == 0, err
    [address] = decode(tmp_path / "room.png")
    params = params_of(address)
    assert params["r"] == "Ruang Rapat Lt. 2" and params["a"] == "checkin"
    con = db.connect(db_path)
    try:
        verified = checkin.verify_checkin_params(con, params)
        assert isinstance(verified, checkin.CheckinTarget) and verified.area == "Ruang Rapat Lt. 2"
        assert checkin.verify_checkin_params(con, {**params, "r": "Aula"}) == checkin.REFUSED_SIGNATURE
    finally:
        con.close()

    # A PDF names the building and the room; every room's check-in poster in one PDF.
    code, err = cli("--area", "Aula", "--action", "checkout", "--out", str(tmp_path / "aula.pdf"))
    assert code == 0, err
    text = pdf_text((tmp_path / "aula.pdf").read_bytes(), tmp_path)
    for words in ("KELUAR", "Kantor Wali Kota Bitung", "Aula", "Ruang / Room"):
        assert words in text, words
    code, err = cli("--all-areas", "--action", "checkin", "--out", str(tmp_path / "rooms.pdf"))
    assert code == 0, err
    pages = pdf_pages_to_png((tmp_path / "rooms.pdf").read_bytes(), tmp_path, dpi=100)
    rooms = [params_of(decode(page)[0])["r"] for page in pages]
    assert rooms == ["Aula", "Ruang Rapat Lt. 2"]
    code, err = cli("--all-areas", "--out", str(tmp_path / "both.pdf"))
    assert code == 0, err
    assert "/Count 4" in (tmp_path / "both.pdf").read_bytes().decode("latin-1")

    for bad, says in (
        (["--area", "Gudang", "--action", "checkin", "--out", str(tmp_path / "x.png")], "unknown room"),
        (["--area", "Aula", "--gate", "utama", "--action", "checkin", "--out", str(tmp_path / "x.png")], "--gate and --area"),
        (["--area", "Aula", "--all", "--out", str(tmp_path / "x.pdf")], "choose one"),
        (["--all-areas", "--out", str(tmp_path / "x.png")], ".pdf"),
    ):
        code, err = cli(*bad)
        assert code == 2 and err.startswith("error: ") and says in err, (bad, err)
        assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "x.png").exists()


def test_poster_page_offers_a_room_and_every_room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    from lib.store import db
    from tests.support import ROOT

    db_path = tmp_path / "page.duckdb"
    monkeypatch.setenv("PANTAU_DB", str(db_path))
    con = db.connect(db_path)
    con.execute("INSERT INTO buildings (building_id, name) VALUES ('kantor', 'Kantor Wali Kota'), ('dinkes', 'Dinkes')")
    areas.create_area(con, "kantor", "Ruang Rapat", actor="kabag")
    areas.create_area(con, "kantor", "Aula", actor="kabag")
    places.set_public_base_url(con, "https://pantau.bitungkota.go.id", "kabag")
    con.close()

    at = AppTest.from_file(str(ROOT / "pages" / "posters.py"), default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "tester"
    at.session_state["roles"] = ["admin"]
    at.session_state["pantau_lang"] = "en"
    at.run()
    assert not at.exception
    at.selectbox(key="posters_building").set_value("kantor").run()
    assert "posters_area" not in [s.key for s in at.selectbox]  # a door poster until a room is chosen
    at.radio(key="posters_place").set_value("room").run()
    assert not at.exception
    at.selectbox(key="posters_area").set_value("Ruang Rapat").run()
    address = at.code[0].value
    assert "r=Ruang%20Rapat" in address and "g=" not in address
    con = db.connect(db_path)
    try:
        assert isinstance(checkin.verify_checkin_params(con, params_of(address)), checkin.CheckinTarget)
    finally:
        con.close()
    labels = [b.proto.label for b in at.get("download_button")]
    assert any(label == "Download 2 room posters (PDF, 2 pp.)" for label in labels), labels
    at.checkbox(key="posters_rooms_checkout").check().run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert any(label == "Download 2 room posters (PDF, 4 pp.)" for label in labels), labels
    assert "Ruang Rapat" in at.get("image")[0].proto.imgs[0].caption

    # A building without rooms: door posters only, no room choice.
    at.selectbox(key="posters_building").set_value("dinkes").run()
    assert not at.exception
    assert "posters_place" not in [r.key for r in at.radio]
    assert len(at.get("download_button")) == 3


def test_the_roster_age_warns_a_week_before_the_purge(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    from lib.analytics import roster as roster_view

    assert roster_view.roster_age(con) is None
    path = tmp_path / "pegawai.csv"
    path.write_bytes(import_template.template_bytes("roster", "csv"))
    importer.import_file(con, path, actor="kabag")
    imported = roster_view.roster_age(con)
    assert imported is not None and (imported.file_name, imported.imported_by, imported.persons_set) == (
        "pegawai.csv", "kabag", 3
    )
    start = imported.imported_at
    places.set_retention_days(con, 30, "kabag")
    fresh = roster_view.roster_age(con, now=start + timedelta(days=22, hours=23))
    assert fresh is not None and (fresh.age_days, fresh.warn, fresh.purge_in_days) == (22, False, 8)
    old = roster_view.roster_age(con, now=start + timedelta(days=23, hours=1))
    assert old is not None and (old.age_days, old.warn, old.purge_in_days) == (23, True, 7)
    # The filter of the Roster view: every word must match somewhere.
    people = roster_view.roster_people(con)
    assert len(roster_view.filter_people(people, "bagian umum")) == 2
    assert roster_view.filter_people(people, "dinas kesehatan")["name"].tolist() == ["Yohanis Pangemanan"]
    assert roster_view.filter_people(people, building="dinkes")["person_id"].tolist() == ["199203302019031002"]
