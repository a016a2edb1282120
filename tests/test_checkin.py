"""Self check-in: signed addresses, one tap through the check-in desk and the import rules,
what the answer says, the crowd now. (The page itself: tests/test_checkin_page.py.)"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.ingest.desk import CHECKED_IN, CHECKED_OUT, DUPLICATE, ORPHAN, CheckinDesk, TapAnswer
from lib.outputs import checkin
from lib.store import db, places
from lib.store.journal import Journal, journal_path
from lib.web import phone

T0 = datetime(2022, 1, 3, 0, 0, tzinfo=UTC)  # 08:00 WITA
VISITOR = {
    "person_id": "081234567890",
    "name": "Siti Rahmawati",
    "category": "visitor",
    "phone": "081234567890",
}
ASN = {"person_id": "198703152010012001", "name": "Budi Santoso", "category": "ASN", "phone": ""}


@pytest.fixture(autouse=True)
def signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test key of its own; no secrets file is written into the repository."""
    monkeypatch.setenv("PANTAU_QR_SIGNING_KEY", "test-key-for-posters")


def add_building(
    con: duckdb.DuckDBPyConnection,
    building: str = "kantor",
    name: str = "Kantor Wali Kota",
    capacity: int | None = 200,
    threshold: int | None = 150,
    gates: tuple[tuple[str, str], ...] = (("utama", "Pintu Utama"),),
    share: float | None = None,
    ppkm: int | None = None,
) -> None:
    con.execute(
        "INSERT INTO buildings (building_id, name, capacity, threshold_people, threshold_share, ppkm_level) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [building, name, capacity, threshold, share, ppkm],
    )
    for gate, gate_name in gates:
        con.execute("INSERT INTO gates VALUES (?, ?, ?)", [building, gate, gate_name])


def params_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def target(
    con: duckdb.DuckDBPyConnection, action: str, building: str = "kantor", gate: str = "utama"
) -> checkin.CheckinTarget:
    verified = checkin.verify_checkin_params(con, params_of(checkin.checkin_url(con, building, gate, action)))
    assert isinstance(verified, checkin.CheckinTarget), verified
    return verified


# --- addresses -------------------------------------------------------------------


def test_checkin_url_uses_the_public_base_setting_and_verifies(con: duckdb.DuckDBPyConnection) -> None:
    add_building(con)
    url = checkin.checkin_url(con, "kantor", "utama", "checkin")
    assert url.startswith("http://localhost:8501/checkin?")
    assert (
        params_of(url)["b"] == "kantor"
        and params_of(url)["g"] == "utama"
        and params_of(url)["a"] == "checkin"
    )
    assert len(params_of(url)["s"]) == 22

    places.set_public_base_url(con, "https://pantau.bitungkota.go.id/", "kabag")
    url = checkin.checkin_url(con, "kantor", "utama", "checkout")
    assert url.startswith("https://pantau.bitungkota.go.id/checkin?b=kantor&g=utama&a=checkout&s=")
    verified = checkin.verify_checkin_params(con, params_of(url))
    assert verified == checkin.CheckinTarget(
        "kantor", "Kantor Wali Kota", "utama", "Pintu Utama", "checkout", "Asia/Makassar"
    )
    with pytest.raises(ValueError):
        places.set_public_base_url(con, "javascript:alert(1)", "kabag")


def test_tampered_addresses_are_refused(con: duckdb.DuckDBPyConnection) -> None:
    add_building(con)
    add_building(con, "dinkes", "Dinas Kesehatan", gates=())
    good = params_of(checkin.checkin_url(con, "kantor", "utama", "checkin"))
    assert isinstance(checkin.verify_checkin_params(con, good), checkin.CheckinTarget)

    def verify(**changes: str) -> object:
        params = {**good, **changes}
        return checkin.verify_checkin_params(con, {k: v for k, v in params.items() if v is not None})

    assert verify(a="checkout") == checkin.REFUSED_SIGNATURE  # the action switched by hand
    assert verify(b="dinkes") == checkin.REFUSED_SIGNATURE  # another (existing) building
    assert verify(b="gudang") == checkin.REFUSED_SIGNATURE  # an unknown building
    assert verify(g="belakang") == checkin.REFUSED_SIGNATURE
    assert verify(g="") == checkin.REFUSED_SIGNATURE
    assert verify(s=good["s"][:-1] + ("A" if good["s"][-1] != "A" else "B")) == checkin.REFUSED_SIGNATURE
    assert verify(s="") == checkin.REFUSED_MISSING
    assert checkin.verify_checkin_params(con, {"b": "kantor", "a": "checkin"}) == checkin.REFUSED_MISSING
    assert checkin.verify_checkin_params(con, {}) == checkin.REFUSED_MISSING

    # Correctly signed, but not (or no longer) configured: the specific refusal.
    forged = {"b": "gudang", "a": "checkin", "s": checkin.sign("gudang", "", "checkin")}
    assert checkin.verify_checkin_params(con, forged) == checkin.REFUSED_BUILDING
    forged = {
        "b": "kantor",
        "g": "belakang",
        "a": "checkin",
        "s": checkin.sign("kantor", "belakang", "checkin"),
    }
    assert checkin.verify_checkin_params(con, forged) == checkin.REFUSED_GATE
    forged = {"b": "kantor", "g": "utama", "a": "enter", "s": checkin.sign("kantor", "utama", "enter")}
    assert checkin.verify_checkin_params(con, forged) == checkin.REFUSED_ACTION


def test_building_without_gates_and_a_new_key(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_building(con, "dinkes", "Dinas Kesehatan – Café", gates=())
    url = checkin.checkin_url(con, "dinkes", None, "checkin")
    assert "g" not in params_of(url)
    verified = checkin.verify_checkin_params(con, params_of(url))
    assert (
        isinstance(verified, checkin.CheckinTarget)
        and verified.gate == ""
        and verified.building_name == "Dinas Kesehatan – Café"
    )
    with pytest.raises(ValueError):
        checkin.checkin_url(con, "gudang", None, "checkin")
    with pytest.raises(ValueError):
        checkin.checkin_url(con, "dinkes", "x", "checkin")
    with pytest.raises(ValueError):
        checkin.checkin_url(con, "dinkes", None, "masuk")
    # Ids with spaces, accents and '&' survive the address (percent-encoded) and verify.
    add_building(con, "kantor camat – Girian & co", "Kantor Camat", gates=(("pintu 1/2", "Pintu ½"),))
    odd = checkin.checkin_url(con, "kantor camat – Girian & co", "pintu 1/2", "checkout")
    assert " " not in odd and "–" not in odd
    verified = checkin.verify_checkin_params(con, params_of(odd))
    assert isinstance(verified, checkin.CheckinTarget) and verified.gate_name == "Pintu ½"
    # A '|' inside a name cannot move a field into another one.
    assert checkin.sign("a|b", "", "checkin") != checkin.sign("a", "b", "checkin")
    # Another server key: printed posters of the old key are refused.
    monkeypatch.setenv("PANTAU_QR_SIGNING_KEY", "another-key")
    assert checkin.verify_checkin_params(con, params_of(url)) == checkin.REFUSED_SIGNATURE


# --- one tap, through the check-in desk ---------------------------------------------


class Clock:
    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def open_desk(con: duckdb.DuckDBPyConnection, folder: Path, clock: Clock) -> CheckinDesk:
    """The desk every phone's tap goes through, on a database of its own (``con`` is set
    up first: its buildings are copied in, so MAX_STAY and thresholds are the same)."""
    database = db.SharedDatabase(folder / "desk.duckdb")
    cursor = database.cursor()
    for table in ("buildings", "gates"):
        found = con.execute(f"SELECT * FROM {table}")
        columns = [d[0] for d in found.description]
        for row in found.fetchall():
            cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(row))})", list(row))
    cursor.close()
    desk = CheckinDesk(database, Journal(journal_path(folder / "desk.duckdb")), batch_seconds=3600, clock=clock)
    desk.start()
    return desk


def tap(desk: CheckinDesk, target: checkin.CheckinTarget, person: dict[str, str]) -> TapAnswer:
    return desk.tap(person, target.building, target.action, target.gate, area=target.area)


def test_checkin_duplicate_checkout_and_orphan(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    add_building(con)
    clock = Clock(T0 + timedelta(seconds=5.7))
    desk = open_desk(con, tmp_path, clock)
    first = tap(desk, target(con, "checkin"), VISITOR)
    assert first.outcome == CHECKED_IN
    assert first.at == T0 + timedelta(seconds=5)  # stored to the whole second
    assert phone.outcome_message(first, target(con, "checkin"), "id") == ("success", "Tercatat MASUK pukul 08:00 WITA.")
    assert desk.inside("kantor") == (1, 150, 200)
    desk.flush()
    store = desk.database.cursor()
    events = store.execute("SELECT person_id, building, action, gate, name, category FROM events").fetchall()
    assert events == [("081234567890", "kantor", "checkin", "utama", "Siti Rahmawati", "visitor")]
    assert store.execute("SELECT name, phone FROM persons").fetchall() == [("Siti Rahmawati", "081234567890")]

    # A second tap within two minutes: not a second visit.
    clock.at = T0 + timedelta(seconds=90)
    again = tap(desk, target(con, "checkin"), VISITOR)
    assert again.outcome == DUPLICATE and desk.inside("kantor")[0] == 1
    assert phone.outcome_message(again, target(con, "checkin"), "id")[0] == "info"

    clock.at = T0 + timedelta(hours=2, minutes=5, seconds=5)
    out = tap(desk, target(con, "checkout"), VISITOR)
    assert out.outcome == CHECKED_OUT
    assert out.stay_minutes == 125 and out.checkin_at == T0 + timedelta(seconds=5)
    assert desk.inside("kantor")[0] == 0
    assert phone.outcome_message(out, target(con, "checkout"), "id") == (
        "success",
        "Tercatat KELUAR pukul 10:05 WITA. Lama kunjungan: 2 jam 5 menit.",
    )
    desk.flush()
    visits = store.execute("SELECT checkout_at, checkout_kind, gate_in, gate_out FROM visits").fetchall()
    assert visits == [(T0 + timedelta(hours=2, minutes=5, seconds=5), "scan", "utama", "utama")]

    # Tapping check-out again right away: a duplicate; much later: an orphan.
    clock.at = T0 + timedelta(hours=2, minutes=6)
    assert tap(desk, target(con, "checkout"), VISITOR).outcome == DUPLICATE
    clock.at = T0 + timedelta(hours=5)
    late = tap(desk, target(con, "checkout"), VISITOR)
    assert late.outcome == ORPHAN
    assert phone.outcome_message(late, target(con, "checkout"), "en")[0] == "warning"
    desk.flush()
    kinds = store.execute("SELECT action, kind FROM scan_anomalies ORDER BY ts").fetchall()
    assert kinds == [("checkin", "duplicate"), ("checkout", "duplicate"), ("checkout", "orphan")]


def test_checkout_without_checkin_is_an_orphan_not_an_error(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    add_building(con)
    clock = Clock()
    desk = open_desk(con, tmp_path, clock)
    assert tap(desk, target(con, "checkout"), ASN).outcome == ORPHAN
    desk.flush()
    store = desk.database.cursor()
    assert store.execute("SELECT count(*) FROM visits").fetchall()[0][0] == 0
    assert store.execute("SELECT kind FROM scan_anomalies").fetchall() == [("orphan",)]
    # A check-out after MAX_STAY (visitor: 3 h) closes the visit automatically and is an orphan.
    tap(desk, target(con, "checkin"), VISITOR)
    clock.at = T0 + timedelta(hours=3, minutes=1)
    assert tap(desk, target(con, "checkout"), VISITOR).outcome == ORPHAN
    desk.flush()
    assert store.execute(
        "SELECT checkout_kind FROM visits WHERE person_id = ?", [VISITOR["person_id"]]
    ).fetchall() == [("auto",)]


def test_crowd_now_counts_people_inside_and_the_limit(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    add_building(con, capacity=4, threshold=2)
    add_building(con, "dinkes", "Dinas Kesehatan", capacity=100, threshold=None, share=0.5, gates=())
    add_building(con, "pasar", "Pasar", capacity=40, threshold=None, ppkm=3, gates=())
    add_building(con, "gudang", "Gudang", capacity=None, threshold=None, gates=())
    assert places.threshold(con, "dinkes") == 50
    assert places.threshold(con, "pasar") == 20
    assert places.threshold(con, "gudang") is None

    clock = Clock()
    desk = open_desk(con, tmp_path, clock)
    crowds = []
    for i in range(3):
        clock.at = T0 + timedelta(minutes=i)
        tap(desk, target(con, "checkin"), {**VISITOR, "person_id": f"08{i:09d}"})
        inside, threshold, capacity = desk.inside("kantor")
        crowds.append(phone.Crowd(inside, threshold, capacity))
    assert [c.inside_now for c in crowds] == [1, 2, 3]
    assert [c.over_threshold for c in crowds] == [False, False, True]  # strictly above 2
    assert phone.crowd_text(crowds[2], "id") == "3 orang di dalam, batas 2"
    # Someone inside another building does not count here; at 3 h the visitors are gone.
    tap(desk, target(con, "checkin", "dinkes", ""), ASN)
    desk.flush()
    store = desk.database.cursor()
    assert phone.crowd_now(store, "kantor", T0 + timedelta(minutes=10)).inside_now == 3
    assert phone.crowd_now(store, "dinkes", T0 + timedelta(minutes=10)) == phone.Crowd(1, 50, 100)
    assert phone.crowd_now(store, "kantor", T0 + timedelta(hours=3, minutes=3)).inside_now == 0


def test_the_sentence_of_a_room_tap_names_the_room(con: duckdb.DuckDBPyConnection) -> None:
    """RULES "Places inside a building": the answer names the room (and the building when
    the same tap checked the person in at the door)."""
    from lib.ingest import areas

    add_building(con)
    areas.create_area(con, "kantor", "Aula", actor="test")
    room = checkin.verify_checkin_params(con, params_of(checkin.checkin_url(con, "kantor", None, "checkin", area="Aula")))
    assert isinstance(room, checkin.CheckinTarget)
    door = TapAnswer(CHECKED_IN, T0, "kantor", "checkin", area="Aula", door_checkin=True)
    level, sentence = phone.outcome_message(door, room, "id")
    assert level == "success" and "Aula" in sentence and "Kantor Wali Kota" in sentence and "08:00 WITA" in sentence
    only_room = phone.outcome_message(replace(door, door_checkin=False), room, "en")[1]
    assert "room Aula" in only_room and "Kantor Wali Kota" not in only_room
    out = TapAnswer(CHECKED_OUT, T0 + timedelta(minutes=50), "kantor", "checkout", checkin_at=T0, area="Aula")
    assert "Aula" in phone.outcome_message(out, room, "en")[1] and "50 min" in phone.outcome_message(out, room, "en")[1]
    assert "Aula" in phone.outcome_message(replace(out, outcome=DUPLICATE), room, "id")[1]
    level, sentence = phone.outcome_message(replace(out, outcome=ORPHAN, checkin_at=None), room, "id")
    assert level == "warning" and "Aula" in sentence


# --- the visitor's details ---------------------------------------------------------


def test_person_from_the_form_and_the_cookie() -> None:
    assert phone.make_person("  ", "ASN", "1987") == "name"
    assert phone.make_person("Budi", "ASN", " ", "") == "id_or_phone"
    person = phone.make_person(" Budi  Santoso ", "asn", "1987 0315 2010", "")
    assert person == {"person_id": "198703152010", "name": "Budi Santoso", "category": "ASN", "phone": ""}
    by_phone = phone.make_person("Siti", "Pengunjung", "", "+62 812-3456-7890")
    # Keyed by the phone's one international form: the same visitor at the front desk, in a
    # guest book (0812-3456-7890) and on a phone (+62 812 ...) is one person.
    assert phone.make_person("Siti", "", "", "0812-3456-7890")["person_id"] == "6281234567890"  # type: ignore[index]
    assert by_phone == {
        "person_id": "6281234567890",
        "name": "Siti",
        "category": "visitor",
        "phone": "+6281234567890",
    }
    accented = phone.make_person("José Ñandú – tamu", "THL", "007", "")
    assert isinstance(accented, dict) and accented["person_id"] == "007"  # leading zeros stay

    cookie = phone.encode_person_cookie(accented)
    assert cookie.isascii() and ";" not in cookie and "=" not in cookie and "," not in cookie
    assert phone.decode_person_cookie(cookie) == accented
    for garbage in (None, "", "not base64 !", "e30", "W10", "x" * 5000, cookie[:-3], 42):
        assert phone.decode_person_cookie(garbage) is None


# --- against a ten-line reference ----------------------------------------------------

DEDUP = timedelta(seconds=120)
MAX_STAY = timedelta(hours=3)


def reference(taps: list[tuple[int, str, datetime]]) -> tuple[list[str], dict[int, datetime | None]]:
    """RULES "From events to visits" for visitors in one building, taps in time order."""
    open_at: dict[int, datetime | None] = {}
    last_scan_out: dict[int, datetime] = {}
    outcomes = []
    for person, action, at in taps:
        opened = open_at.get(person)
        if opened is not None and opened + MAX_STAY < at:
            opened = open_at[person] = None  # closed automatically long ago
        if action == "checkin":
            if opened is not None and at - opened <= DEDUP:
                outcomes.append("duplicate")
                continue
            open_at[person] = at
            outcomes.append("checked_in")
        elif opened is not None and at <= opened + MAX_STAY:
            open_at[person] = None
            last_scan_out[person] = at
            outcomes.append("checked_out")
        elif person in last_scan_out and at - last_scan_out[person] <= DEDUP:
            outcomes.append("duplicate")
        else:
            outcomes.append("orphan")
    return outcomes, open_at


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.sampled_from(["checkin", "checkout"]), st.integers(1, 200)),
        min_size=1,
        max_size=9,
    )
)
def test_outcomes_and_crowd_match_a_reference(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[int, str, int]]
) -> None:
    folder = tmp_path_factory.mktemp("ref")
    con = db.connect(folder / "pantau.duckdb")
    try:
        add_building(con, capacity=10, threshold=1)
        at = T0
        taps = []
        for person, action, minutes_later in steps:
            at = at + timedelta(
                minutes=minutes_later if minutes_later > 5 else 0, seconds=minutes_later * 7 % 60 + 1
            )
            taps.append((person, action, at))
        expected, open_at = reference(taps)
        clock = Clock()
        desk = open_desk(con, folder, clock)
        got = []
        for person, action, when in taps:
            clock.at = when
            answer = tap(desk, target(con, action), {**VISITOR, "person_id": f"p{person}"})
            got.append(answer.outcome)
            inside = sum(
                1 for opened in reference(taps[: len(got)])[1].values() if opened and opened + MAX_STAY > when
            )
            assert desk.inside("kantor")[0] == inside
        assert got == expected
        desk.flush()
        assert phone.crowd_now(desk.database.cursor(), "kantor", at).inside_now == sum(
            1 for opened in open_at.values() if opened and opened + MAX_STAY > at
        )
        desk.database.close()
    finally:
        con.close()


def test_a_tap_is_not_listed_as_an_import(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    add_building(con)
    desk = open_desk(con, tmp_path, Clock())
    tap(desk, target(con, "checkin"), VISITOR)
    desk.flush()
    store = desk.database.cursor()
    assert store.execute("SELECT count(*) FROM events").fetchall()[0][0] == 1
    assert store.execute("SELECT count(*) FROM imports").fetchall()[0][0] == 0
    assert store.execute("SELECT count(*) FROM audit_log WHERE action = 'import'").fetchall()[0][0] == 0
