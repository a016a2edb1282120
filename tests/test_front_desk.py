"""The front desk (issue 22): check-in and check-out through the check-in desk, masked
search, purposes and hosts, expected visitors and no-shows, host notification, slips' passes.

RULES "The front desk"."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from lib.analytics import front_desk as figures
from lib.ingest import front_desk
from lib.ingest.desk import CHECKED_IN, CHECKED_OUT, CheckinDesk, TapAnswer
from lib.store import db
from lib.store.journal import Journal, journal_path
from tests.support.app import app_as

START = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 09:00 WITA


class Clock:
    def __init__(self, at: datetime = START) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(tmp_path: Path, clock: Clock) -> CheckinDesk:
    path = tmp_path / "pantau.duckdb"
    database = db.SharedDatabase(path)
    con = database.cursor()
    con.execute("INSERT INTO buildings (building_id, name) VALUES ('balai', 'Balai Kota'), ('dinas', 'Dinas')")
    # The roster: two units, three named people (one with a phone).
    con.execute(
        "INSERT INTO persons (person_id, name, category, phone) VALUES "
        "('198001012005011001', 'Budi Santoso', 'ASN', '0812-1111-2222'), "
        "('198202022006022002', 'Siti Rahayu', 'ASN', NULL), "
        "('THL-0007', 'Agus Salim', 'THL', NULL), "
        "('3271010101010001', 'Dewi Lestari', 'visitor', '+62 813 5555 7890')"
    )
    con.execute(
        "INSERT INTO roster VALUES "
        "('198001012005011001', 'Bagian Umum', 'balai', NULL, 1, now()), "
        "('198202022006022002', 'Bagian Keuangan', 'balai', NULL, 1, now()), "
        "('THL-0007', 'Bagian Umum', 'balai', NULL, 1, now())"
    )
    con.close()
    made = CheckinDesk(database, Journal(journal_path(path)), batch_seconds=3600, clock=clock)
    made.start()
    yield made
    made.stop()


@pytest.fixture
def con(desk: CheckinDesk) -> duckdb.DuckDBPyConnection:
    cursor = desk.database.cursor()
    yield cursor
    cursor.close()


def stored(desk: CheckinDesk, con: duckdb.DuckDBPyConnection) -> list[tuple]:
    desk.flush()
    return con.execute(
        "SELECT person_id, building, checkout_kind, purpose, host FROM visits ORDER BY checkin_at, person_id"
    ).fetchall()


def test_ids_and_phones_are_masked() -> None:
    assert front_desk.mask_id("3271010101010001") == "3271********0001"
    assert front_desk.mask_id("6281234567890") == "62812****7890"
    assert front_desk.mask_id("") == ""
    assert "1001" in front_desk.mask_id("198001012005011001") and "0101200" not in front_desk.mask_id("198001012005011001")


def test_a_known_person_is_found_by_nik_phone_or_name_and_shown_masked(con: duckdb.DuckDBPyConnection) -> None:
    by_nik = front_desk.find_people(con, "3271 0101 0101 0001")
    assert by_nik["name"].tolist() == ["Dewi Lestari"]
    assert by_nik["shown_id"].tolist() == ["3271********0001"]
    assert by_nik["shown_phone"].tolist() == ["62813****7890"]
    # The phone the way a receptionist types it finds the phone the way it was stored.
    assert front_desk.find_people(con, "0813-5555-7890")["name"].tolist() == ["Dewi Lestari"]
    assert front_desk.find_people(con, "budi")["name"].tolist() == ["Budi Santoso"]
    # A part of a number finds nobody: nobody's number can be fished out digit by digit.
    assert front_desk.find_people(con, "3271").empty
    shown = front_desk.find_people(con, "dewi").to_string()
    assert "3271010101010001" in front_desk.find_people(con, "dewi")["person_id"].tolist()
    assert "0101010" not in shown.replace("3271010101010001", "")  # only the hidden id column holds it


def test_a_visitor_without_a_phone_is_checked_in_and_out_through_the_desk(
    desk: CheckinDesk, con: duckdb.DuckDBPyConnection
) -> None:
    person = front_desk.new_visitor("Ibu Wati", nik_text="3271 0202 0202 0002", institution="Kelurahan Bugis")
    assert person["person_id"] == "3271020202020002" and person["phone"] == ""
    purpose = front_desk.resolve_purpose(con, "Layanan administrasi")
    host = front_desk.resolve_host(con, "bagian umum")
    answer = front_desk.check_in(desk, con, "balai", person, purpose, host, actor="resepsionis")
    assert isinstance(answer, TapAnswer) and answer.outcome == CHECKED_IN
    desk.flush()  # as a page's cursor does (lib.ui.data.cursor)
    inside = figures.visitors_inside(con, "balai", START + timedelta(minutes=1))
    assert inside[["name", "institution", "purpose", "host"]].values.tolist() == [
        ["Ibu Wati", "Kelurahan Bugis", "Layanan administrasi", "Bagian Umum"]
    ]
    # Already inside: said so, nothing stored again.
    again = front_desk.check_in(desk, con, "balai", person, purpose, host, actor="resepsionis")
    assert isinstance(again, front_desk.AlreadyInside) and again.checkin_at == answer.at
    desk.clock.at += timedelta(minutes=30)  # type: ignore[attr-defined]
    out = front_desk.check_out(desk, con, "3271020202020002", "balai", actor="resepsionis")
    assert out.outcome == CHECKED_OUT and out.stay_minutes == 30
    assert stored(desk, con) == [("3271020202020002", "balai", "scan", "Layanan administrasi", "Bagian Umum")]
    assert figures.visitors_inside(con, "balai", desk.clock()).empty
    actions = [r[0] for r in con.execute("SELECT action FROM audit_log WHERE actor = 'resepsionis' ORDER BY rowid").fetchall()]
    assert actions == ["desk_checkin", "desk_checkout"]


def test_a_new_visitor_needs_a_name_and_a_nik_or_phone(con: duckdb.DuckDBPyConnection) -> None:
    for kwargs, code in (
        ({"name": "", "phone_text": "0812 3456 7890"}, "name"),
        ({"name": "Ani"}, "id_or_phone"),
        ({"name": "Ani", "nik_text": "12345"}, "bad_nik"),
        ({"name": "Ani", "phone_text": "nomor"}, "bad_phone"),
    ):
        with pytest.raises(front_desk.DeskError) as refused:
            front_desk.new_visitor(**kwargs)
        assert refused.value.code == code
    # Without a NIK the phone in its one international form is the visitor's id.
    assert front_desk.new_visitor("Ani", phone_text="+62 812-3456-7890")["person_id"] == "6281234567890"


def test_purposes_come_from_settings_and_lainnya_takes_text(con: duckdb.DuckDBPyConnection) -> None:
    assert front_desk.purposes(con) == list(front_desk.DEFAULT_PURPOSES)
    assert front_desk.set_purposes(con, "Rapat\n\nPengaduan\nrapat\nlainnya", actor="admin")
    assert front_desk.purposes(con) == ["Rapat", "Pengaduan"]
    assert front_desk.resolve_purpose(con, "pengaduan") == "Pengaduan"
    assert front_desk.resolve_purpose(con, "lainnya", "Survei lapangan") == "Survei lapangan"
    assert front_desk.resolve_purpose(con, "") == ""
    with pytest.raises(front_desk.DeskError, match="unknown_purpose"):
        front_desk.resolve_purpose(con, "Arisan")
    front_desk.set_purpose_required(con, True, actor="admin")
    with pytest.raises(front_desk.DeskError, match="purpose_required"):
        front_desk.resolve_purpose(con, "")
    changes = con.execute("SELECT subject FROM audit_log WHERE action = 'setting_change'").fetchall()
    assert [r[0] for r in changes] == [front_desk.PURPOSES_KEY, front_desk.PURPOSE_REQUIRED_KEY]


def test_an_unknown_host_is_refused_with_the_rosters_nearest_names(con: duckdb.DuckDBPyConnection) -> None:
    assert front_desk.resolve_host(con, "  siti   rahayu ") == "Siti Rahayu"
    with pytest.raises(front_desk.DeskError) as refused:
        front_desk.resolve_host(con, "Bagian Umun")
    assert refused.value.code == "unknown_host"
    assert str(refused.value.values["nearest"]).startswith("Bagian Umum")
    choices = front_desk.host_choices(con)
    assert choices[choices["kind"] == "unit"]["host"].tolist() == ["Bagian Keuangan", "Bagian Umum"]
    assert front_desk.host_phone(con, "Budi Santoso") == "6281211112222"
    assert front_desk.host_phone(con, "Bagian Umum") is None


def test_expected_visitors_arrive_with_one_click_and_no_shows_are_counted(
    desk: CheckinDesk, con: duckdb.DuckDBPyConnection, clock: Clock
) -> None:
    today = date(2026, 12, 7)
    with pytest.raises(front_desk.DeskError, match="past_date"):
        front_desk.add_expected(con, "balai", today - timedelta(days=1), "Pak Joko", "0812 9999 0000", "Rapat / pertemuan",
                                "Budi Santoso", actor="admin", now=clock())
    with pytest.raises(front_desk.DeskError) as refused:
        front_desk.add_expected(con, "balai", today, "Pak Joko", "0812 9999 0000", "", "Budi Santosa",
                                actor="admin", now=clock())
    assert refused.value.code == "unknown_host" and "Budi Santoso" in str(refused.value.values["nearest"])
    joko = front_desk.add_expected(con, "balai", today, "Pak Joko", "0812 9999 0000", "Rapat / pertemuan",
                                   "Budi Santoso", actor="admin", now=clock())
    front_desk.add_expected(con, "balai", today, "Bu Rina", "0813 1111 0000", "", "", actor="admin", now=clock())
    tomorrow = front_desk.add_expected(con, "balai", today + timedelta(days=1), "Pak Dodi", "0813 2222 0000", "", "",
                                       actor="admin", now=clock())
    listed = figures.expected_on(con, "balai", today)
    assert listed["name"].tolist() == ["Bu Rina", "Pak Joko"] and listed["arrived_at"].isna().all()
    answer = front_desk.arrive_expected(desk, con, joko, actor="resepsionis", now=clock())
    assert isinstance(answer, TapAnswer) and answer.outcome == CHECKED_IN
    assert stored(desk, con) == [("6281299990000", "balai", None, "Rapat / pertemuan", "Budi Santoso")]
    with pytest.raises(front_desk.DeskError, match="not_today"):
        front_desk.arrive_expected(desk, con, tomorrow, actor="resepsionis", now=clock())
    # During the day Bu Rina is still awaited; once the day is over she is a no-show.
    during = figures.no_shows(con, "balai", today, today, now=clock())
    assert during[["expected", "arrived", "no_show"]].values.tolist() == [[2, 1, 0]]
    after = figures.no_shows(con, "balai", today, today + timedelta(days=1), now=datetime(2026, 12, 7, 16, 0, tzinfo=UTC))
    assert after[["expected", "arrived", "no_show"]].values.tolist() == [[2, 1, 1], [1, 0, 0]]


def test_a_slip_pass_checks_its_visitor_out(desk: CheckinDesk, con: duckdb.DuckDBPyConnection, clock: Clock) -> None:
    person = front_desk.new_visitor("Pak Udin", nik_text="3271030303030003")
    front_desk.check_in(desk, con, "balai", person, "", "", actor="resepsionis")
    pass_id = front_desk.issue_pass(con, person["person_id"], "balai", now=clock())
    desk.flush()  # the desk stores its taps within a second
    assert front_desk.pass_holder(con, pass_id).name == "Pak Udin"  # type: ignore[union-attr]
    assert front_desk.pass_holder(con, "forged") is None
    clock.at += timedelta(minutes=45)
    answer = front_desk.check_out_by_pass(desk, con, pass_id)
    assert answer is not None and answer.outcome == CHECKED_OUT and answer.stay_minutes == 45
    assert stored(desk, con)[0][2] == "scan"
    params = json.loads(con.execute("SELECT params FROM audit_log WHERE action = 'desk_checkout'").fetchall()[0][0])
    assert params["outcome"] == CHECKED_OUT


def test_the_now_page_counts_visitors_inside_by_purpose(desk: CheckinDesk, con: duckdb.DuckDBPyConnection) -> None:
    for number, purpose in ((1, "Rapat / pertemuan"), (2, "Rapat / pertemuan"), (3, "")):
        person = front_desk.new_visitor(f"Tamu {number}", phone_text=f"0812 0000 000{number}")
        front_desk.check_in(desk, con, "balai", person, purpose, "", actor="resepsionis")
    desk.flush()
    counts = figures.inside_by_purpose(con, START + timedelta(minutes=5))
    assert counts.values.tolist() == [["balai", "Rapat / pertemuan", 2], ["balai", "", 1]]


# --- retention ----------------------------------------------------------------------------


def test_expected_visitors_and_passes_leave_with_the_retention_period(
    desk: CheckinDesk, con: duckdb.DuckDBPyConnection, clock: Clock
) -> None:
    from lib.store import retention

    front_desk.add_expected(con, "balai", date(2026, 12, 7), "Pak Joko", "0812 9999 0000", "", "", actor="admin",
                            now=clock())
    front_desk.issue_pass(con, "3271030303030003", "balai", now=clock())
    kept = retention.purge(con, now=clock() + timedelta(days=29), days=30)
    assert (kept["expected_visitors"], kept["desk_passes"]) == (0, 0)
    gone = retention.purge(con, now=clock() + timedelta(days=32), days=30)
    assert (gone["expected_visitors"], gone["desk_passes"]) == (1, 1)
    assert con.execute("SELECT count(*) FROM expected_visitors").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM desk_passes").fetchall() == [(0,)]


# --- the host told --------------------------------------------------------------------------


def test_the_host_gets_a_whatsapp_link_and_the_webhook_an_event_without_nik_or_phone(
    desk: CheckinDesk, con: duckdb.DuckDBPyConnection
) -> None:
    from urllib.parse import parse_qs, urlsplit

    from lib.outputs import host_notify

    link = host_notify.host_whatsapp(con, "Budi Santoso", "Ibu Wati", "Kelurahan Bugis", "balai", START,
                                     "Layanan administrasi")
    parts = urlsplit(link)
    assert (parts.netloc, parts.path) == ("wa.me", "/6281211112222")
    message = parse_qs(parts.query)["text"][0]
    assert message.startswith("Tamu Anda, Ibu Wati (Kelurahan Bugis), sudah tiba di lobi Balai Kota pukul 09:00 WITA")
    assert host_notify.host_whatsapp(con, "Bagian Umum", "Ibu Wati", "", "balai", START, "") == ""  # a unit: no phone
    posted: list[tuple[str, bytes]] = []

    def post(url: str, body: bytes, timeout: float) -> int:
        posted.append((url, body))
        return 204

    assert host_notify.notify_arrival(desk.database, "balai", "Ibu Wati", "", "Rapat", "Budi Santoso", START, post) is None
    front_desk.set_host_webhook_url(con, "https://hooks.example.go.id/tamu", actor="admin")
    thread = host_notify.notify_arrival(desk.database, "balai", "Ibu Wati", "Kelurahan Bugis", "Rapat", "Budi Santoso",
                                        START, post)
    assert thread is not None
    thread.join(10)
    [(url, body)] = posted
    event = json.loads(body)
    assert url == "https://hooks.example.go.id/tamu"
    assert event["kind"] == "visitor_arrival" and event["visitor_name"] == "Ibu Wati" and event["host"] == "Budi Santoso"
    assert event["at"] == "2026-12-07T09:00:00+08:00"
    assert not {"person_id", "nik", "phone"} & set(event)
    assert "3271" not in body.decode() and "62" not in event["message"]
    logged = con.execute("SELECT kind, delivered FROM webhook_deliveries").fetchall()
    assert logged == [("visitor_arrival", True)]
    with pytest.raises(Exception, match="bad_webhook"):
        front_desk.set_host_webhook_url(con, "ftp://nope", actor="admin")


# --- the page (AppTest) ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def poster_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed poster key (the pages sign slips and links; ``app_env`` is tests/conftest.py's)."""
    monkeypatch.setenv("PANTAU_QR_SIGNING_KEY", "app-test-signing-key")


def test_the_desk_role_sees_the_front_desk_only(app_env) -> None:  # type: ignore[no-untyped-def]
    at = app_as("resepsionis", ["desk"]).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Meja tamu"]
    for page in ("pages/now.py", "pages/weekly.py", "pages/tracing.py", "pages/settings.py", "pages/users.py"):
        with pytest.raises(ValueError):
            at.switch_page(page)
    admin = app_as("kabag", ["admin"]).run()
    admin.switch_page("pages/front_desk.py").run()
    assert not admin.exception and [t.value for t in admin.title] == ["Meja tamu"]


def test_a_visitor_without_a_phone_checked_in_and_out_on_the_page(app_env) -> None:  # type: ignore[no-untyped-def]
    # In Indonesian: AppTest formats a widget's options in the test's own process, whose
    # language is the default one.
    at = app_as("resepsionis", ["desk"]).run()
    assert not at.exception
    at.text_input(key="desk_name_0").input("Ibu Wati")
    at.text_input(key="desk_nik_0").input("3271 0202 0202 0002")
    at.text_input(key="desk_institution_0").input("Kelurahan Bugis")
    at.selectbox(key=relabelled_key("desk_purpose_0")).select("Layanan administrasi")
    next(b for b in at.button if b.label == "Masuk").click().run()
    assert not at.exception, at.exception
    assert any("Ibu Wati tercatat masuk pukul" in s.value for s in at.success), [s.value for s in at.success]
    assert {b.proto.label for b in at.get("download_button")} >= {"Slip tamu 80 mm (PDF)", "Slip tamu A6 (PDF)"}
    inside = [m.value for m in at.markdown if "Ibu Wati" in m.value]
    assert inside and "Layanan administrasi" in inside[0] and "Kelurahan Bugis" in inside[0]
    assert "3271020202020002" not in "".join(m.value for m in at.markdown)
    # The same visitor again (found by NIK): already inside, offered "Keluar".
    at.text_input(key="desk_search").input("3271020202020002").run()
    assert any("3271********0002" in str(r.options) for r in at.radio)
    next(b for b in at.button if b.label == "Masuk").click().run()
    assert any("sudah di dalam sejak" in w.value for w in at.warning)
    at.button(key="desk_already_out").click().run()
    assert any("Ibu Wati tercatat keluar pukul" in s.value for s in at.success)
    inside = [m.value for m in at.markdown if "sejak" in m.value]
    assert inside and not any("Ibu Wati" in row for row in inside)  # the seed's other visitor is still there
    con = app_env.con()
    assert con.execute("SELECT action, actor FROM audit_log WHERE action LIKE 'desk_%' ORDER BY rowid").fetchall() == [
        ("desk_checkin", "resepsionis"), ("desk_checkout", "resepsionis")]


def relabelled_key(key: str) -> str:
    from lib.ui.i18n import relabelled

    return relabelled(key)


def test_expected_visitors_on_the_page_past_dates_refused_one_click_arrival(app_env) -> None:  # type: ignore[no-untyped-def]
    at = app_as("resepsionis", ["desk"]).run()
    at.text_input(key="desk_expected_name").input("Pak Joko")
    at.text_input(key="desk_expected_phone").input("0812 9999 0000")
    at.date_input(key="desk_expected_day").set_value(date.today() - timedelta(days=2))
    next(b for b in at.button if b.label == "Daftarkan").click().run()
    assert any("Tanggal sudah lewat" in e.value for e in at.error)
    at.date_input(key="desk_expected_day").set_value(front_desk.building_today(app_env.con(), "kantor"))
    next(b for b in at.button if b.label == "Daftarkan").click().run()
    assert not at.exception
    assert any("Pak Joko terdaftar untuk" in s.value for s in at.success)
    link = at.get("code")[0].value  # type: ignore[attr-defined]
    assert "/checkin?" in link and "v=" in link and "0812" not in link
    [arrive] = [b for b in at.button if b.label == "Datang"]
    arrive.click().run()
    assert any("Pak Joko tercatat masuk pukul" in s.value for s in at.success)
    assert not [b for b in at.button if b.label == "Datang"]
    assert any("sudah datang" in c.value for c in at.caption)


def test_settings_keep_the_purposes_and_the_now_page_counts_visitors_by_purpose(app_env) -> None:  # type: ignore[no-untyped-def]
    at = app_as("kabag", ["admin"]).run()
    at.switch_page("pages/settings.py").run()
    at.text_area(key="settings_desk_purposes").input("Rapat\nPengaduan")
    at.checkbox(key="settings_desk_purpose_required").check()
    at.button(key="settings_desk_save").click().run()
    assert not at.exception
    assert any("Pengaturan meja tamu disimpan." in s.value for s in at.success)
    con = app_env.con()
    assert front_desk.purposes(con) == ["Rapat", "Pengaduan"] and front_desk.purpose_required(con)
    now = app_as("kabag", ["admin"]).run()
    assert not now.exception
    assert [s.value for s in now.subheader if "keperluan" in s.value] == ["Tamu di dalam menurut keperluan"]
    [table] = [d.value for d in now.dataframe if "Keperluan" in d.value.columns]
    assert table.iloc[:, 1].tolist() == ["(tidak disebut)"] and table.iloc[:, 2].tolist() == [1]


def test_the_demo_month_has_a_front_desk(tmp_path: Path) -> None:
    from lib.ingest import demo
    from lib.store import users

    connection = db.connect(tmp_path / "demo.duckdb")
    today = date(2026, 12, 7)  # a Monday
    demo.load_demo(connection, today=today)
    visitors = connection.execute(
        "SELECT count(*), count(nullif(purpose, '')), count(nullif(host, '')) FROM visits WHERE category = 'visitor'"
    ).fetchall()[0]
    assert visitors[0] > 1000 and visitors[1] > 0.9 * visitors[0] and visitors[2] > 0.5 * visitors[0]
    purposes = {r[0] for r in connection.execute("SELECT DISTINCT purpose FROM visits WHERE purpose IS NOT NULL").fetchall()}
    assert purposes <= set(front_desk.DEFAULT_PURPOSES) and len(purposes) == len(front_desk.DEFAULT_PURPOSES)
    hosts = {r[0] for r in connection.execute("SELECT DISTINCT host FROM visits WHERE host <> ''").fetchall()}
    roster = set(front_desk.host_choices(connection)["host"])
    assert hosts and hosts <= roster  # every host is a unit or a person of the roster
    week = figures.no_shows(connection, None, today - timedelta(days=14), today + timedelta(days=1),
                            now=datetime(2026, 12, 7, 1, 0, tzinfo=UTC))
    assert week["no_show"].sum() >= 5 and week["arrived"].sum() >= 10
    assert len(figures.expected_on(connection, "kantor-walikota", today)) == 3  # awaited today
    assert users.DEMO_ACCOUNTS["resepsionis"][1] == ["desk"]
    connection.close()


# --- the phone page: a visitor's own addresses, and the visit's fields ------------------------


@pytest.fixture
def phone_page(desk: CheckinDesk, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from lib.web.phone_page import CheckinPage

    monkeypatch.setenv("PANTAU_CHECKIN_RATE_LIMIT", "0")
    return CheckinPage(lambda: (desk.database, desk))


def query_of(url: str) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(url).query))


def posted(page, query: dict[str, str], **fields: str):  # type: ignore[no-untyped-def]
    from urllib.parse import urlencode

    from lib.web.phone_page import form_token

    return page.post(query, urlencode({"f": form_token(), **fields}).encode(), None, "10.0.0.1")


def test_an_expected_visitors_own_link_checks_them_in_on_their_day_only(  # type: ignore[no-untyped-def]
    desk: CheckinDesk, con: duckdb.DuckDBPyConnection, clock: Clock, phone_page
) -> None:
    from lib.outputs import checkin, host_notify

    today = front_desk.building_today(con, "balai")  # the page's days are the real clock's
    expected_id = front_desk.add_expected(con, "balai", today, "Pak Joko", "0812 9999 0000", "Rapat / pertemuan",
                                          "Budi Santoso", actor="admin")
    url, whatsapp = host_notify.expected_whatsapp(con, expected_id)
    assert whatsapp.startswith("https://wa.me/6281299990000?text=") and "Pak%20Joko" in whatsapp
    query = query_of(url)
    shown = phone_page.get(query, None)
    assert shown.status == 200 and "Pak Joko" in shown.body and "Rapat / pertemuan · Budi Santoso" in shown.body
    assert desk.pending == 0  # opening the link (or a chat app's preview of it) checks nobody in
    clock.at = datetime.now(UTC)
    answer = posted(phone_page, query)
    assert answer.status == 200 and 'data-outcome="checked_in"' in answer.body
    desk.flush()
    assert con.execute("SELECT person_id, purpose, host FROM visits").fetchall() == [
        ("6281299990000", "Rapat / pertemuan", "Budi Santoso")]
    assert figures.expected_on(con, "balai", today)["arrived_at"].notna().all()
    # An edited link is refused; a registration for another day is refused on the page too.
    assert phone_page.get({**query, "v": expected_id[:-2] + "xx"}, None).status == 403
    later = front_desk.add_expected(con, "balai", today + timedelta(days=3), "Bu Ani", "0813 1111 0000", "", "",
                                    actor="admin")
    refused = posted(phone_page, query_of(checkin.expected_url(con, "balai", later)))
    assert refused.status == 409 and "bukan hari ini" in refused.body


def test_the_phone_form_asks_a_visitor_for_purpose_institution_and_unit_never_staff(  # type: ignore[no-untyped-def]
    desk: CheckinDesk, con: duckdb.DuckDBPyConnection, clock: Clock, phone_page
) -> None:
    from lib.outputs import checkin

    clock.at = datetime.now(UTC)
    query = query_of(checkin.checkin_url(con, "balai", None, "checkin"))
    first = phone_page.get(query, None)
    assert 'name="purpose"' in first.body and 'name="institution"' in first.body
    assert ">Bagian Umum</option>" in first.body and "Budi Santoso" not in first.body  # units only, no staff names
    out = phone_page.get(query_of(checkin.checkin_url(con, "balai", None, "checkout")), None)
    assert 'name="purpose"' not in out.body
    front_desk.set_purpose_required(con, True, actor="admin")
    missing = posted(phone_page, query, name="Ani Wulan", phone="0812 3333 4444", first="1")
    assert missing.status == 422 and "Keperluan wajib diisi." in missing.body
    done = posted(phone_page, query, name="Ani Wulan", phone="0812 3333 4444", first="1", purpose="lainnya",
                  other_purpose="Survei jalan", institution="Dinas PU", host="Bagian Umum")
    assert done.status == 200 and 'data-outcome="checked_in"' in done.body
    # Staff on the roster are never asked: a purpose required or not, nothing of it is taken.
    staff = posted(phone_page, query, name="Budi Santoso", person_id="198001012005011001", purpose="Rapat")
    assert staff.status == 200 and 'data-outcome="checked_in"' in staff.body
    desk.flush()
    rows = con.execute("SELECT person_id, purpose, host FROM visits ORDER BY person_id").fetchall()
    assert rows == [("081233334444", "Survei jalan", "Bagian Umum"), ("198001012005011001", None, None)]
    assert con.execute("SELECT institution FROM persons WHERE name = 'Ani Wulan'").fetchall() == [("Dinas PU",)]


def test_a_slip_address_at_the_door_shows_whose_it_is_then_checks_them_out(  # type: ignore[no-untyped-def]
    desk: CheckinDesk, con: duckdb.DuckDBPyConnection, clock: Clock, phone_page
) -> None:
    from lib.outputs import checkin

    person = front_desk.new_visitor("Pak Udin", nik_text="3271030303030003")
    front_desk.check_in(desk, con, "balai", person, "", "", actor="resepsionis")
    query = query_of(checkin.pass_url(con, "balai", front_desk.issue_pass(con, person["person_id"], "balai")))
    shown = phone_page.get(query, None)
    assert shown.status == 200 and "Pak Udin" in shown.body and "KELUAR sekarang" in shown.body
    assert "3271030303030003" not in shown.body
    clock.at += timedelta(minutes=20)
    answer = posted(phone_page, query)
    assert 'data-outcome="checked_out"' in answer.body and "20 menit" in answer.body
    again = posted(phone_page, query)  # scanned twice: the rules call it a duplicate, nothing more
    assert 'data-outcome="duplicate"' in again.body
    assert phone_page.get({**query, "v": "unknown-pass"}, None).status == 403


def test_an_administrator_can_give_the_front_desk_role(tmp_path: Path) -> None:
    from lib.store import users

    users.add_user(tmp_path / "users.yaml", "satpam", "Satpam Pos 1", ["desk"])
    assert users.load_users(tmp_path / "users.yaml")["satpam"]["roles"] == ["desk"]
    assert users.set_roles(tmp_path / "users.yaml", "satpam", ["desk", "admin"]) == ["admin", "desk"]


def test_the_desk_opens_on_the_building_with_visitors_waiting() -> None:
    """A tablet whose address names no building opens the desk with visitors inside or
    expected today, not the first building of the list."""
    from lib.analytics import front_desk as desk_figures

    con = db.connect(":memory:")
    try:
        for building in ("a-kantor", "b-kantor"):
            con.execute("INSERT INTO buildings (building_id, name) VALUES (?, ?)", [building, building])
        assert desk_figures.busiest_desk(con) == "a-kantor"  # a quiet day: the first
        now = datetime.now(UTC)
        con.execute(
            "INSERT INTO expected_visitors (expected_id, building, expected_on, name, created_at) VALUES "
            "('e1', 'b-kantor', CAST(timezone('Asia/Makassar', CAST(? AS TIMESTAMPTZ)) AS DATE), 'Tamu', ?)",
            [now, now],
        )
        assert desk_figures.busiest_desk(con, now) == "b-kantor"
    finally:
        con.close()
