"""Attacks of a public phone on the light check-in page, over HTTP against a real server
(``streamlit run serve.py``, as ``./pantau.sh run``), so that each one stays fixed:

1. a room poster's form loses its room once the poster cache (30 s) has expired or the
   server restarted between the page and the tap;
3. a rostered civil servant's first form (default category "Pengunjung") makes her a visitor;
4. a form sent again for a second person is confirmed but not stored;
5. an id alone checks a person in or out and tells whether the id exists and how long they stayed;
6. control and bidi characters in a name reach the store;
7. a spoofed X-Forwarded-For escapes the rate limit, a real proxy's is ignored.

(2, one write path for every tap, is a property of the code: tests/test_desk.py.) The
store is built before the server starts: one building with a gate and a room, and a
roster of two civil servants, one of them inside since an hour ago. What the server kept is
read from the file once it has stopped (the last test).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from lib.ingest import areas, importer
from lib.outputs import checkin
from lib.store import db
from tests.conftest import write_csv
from tests.e2e.conftest import StreamlitServer
from tests.hardening.conftest import start_server
from tests.support.phone import outcome, signing_with, token_of

SITI = "198703152010012001"  # rostered ASN, outside
BUDI = "198001012000031001"  # rostered ASN, inside since an hour ago
ROOM_VISITOR = "7172014506900003"
REUSED_FIRST, REUSED_SECOND = "7172014506900001", "7172014506900002"
DIRTY, DIRTY_PHONE = "7172014506900004", "7172014506900005"
CROSS_SITE = "7172014506900006"
def build_store(data_dir: Path) -> dict[str, str]:
    """The server's store, and the addresses (path and query) of its posters, signed with the
    key of the server's secrets file."""
    data_dir.mkdir(parents=True, exist_ok=True)
    con = db.connect(data_dir / "pantau.duckdb")
    con.execute("INSERT INTO buildings (building_id, name) VALUES ('kantor', 'Kantor Wali Kota')")
    con.execute("INSERT INTO gates VALUES ('kantor', 'utama', 'Pintu Utama')")
    areas.create_area(con, "kantor", "Aula", actor="test")
    importer.import_file(con, write_csv(
        data_dir / "roster.csv", ["nip", "nama", "kategori", "unit_kerja", "gedung"],
        [[SITI, "Siti Rahmawati, S.Kom", "ASN", "Umum", "kantor"], [BUDI, "Budi Santoso", "ASN", "Umum", "kantor"]],
        delimiter=";",
    ))
    importer.record_events(con, [{"timestamp": datetime.now(UTC) - timedelta(hours=1), "person_id": BUDI,
                                  "building": "kantor", "action": "checkin", "gate": "utama"}],
                           source="seed", actor="test")
    posters = {
        "door_in": checkin.checkin_url(con, "kantor", "utama", "checkin"),
        "door_out": checkin.checkin_url(con, "kantor", "utama", "checkout"),
        "room_in": checkin.checkin_url(con, "kantor", None, "checkin", area="Aula"),
        "room_out": checkin.checkin_url(con, "kantor", None, "checkout", area="Aula"),
    }
    con.close()
    return {name: address[address.index("/checkin"):] for name, address in posters.items()}


@dataclass
class Phones:
    server: StreamlitServer
    data_dir: Path
    posters: dict[str, str]
    room_form: str  # the address the room poster's form posts to, as the phone got it


@pytest.fixture(scope="module")
def phones(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Phones]:
    data_dir = tmp_path_factory.mktemp("phone_attacks")
    patch = signing_with(data_dir)
    try:
        posters = build_store(data_dir)
        server = start_server(data_dir)
    finally:
        patch.undo()
    phones = None
    try:
        # A room poster opened now; its form is sent in the last test, after a restart (the
        # poster cache gone, as 30 s after the page was shown).
        shown = httpx.get(server.url + posters["room_in"], timeout=30)
        action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', shown.text).group(1))
        phones = Phones(server, data_dir, posters, action)
        yield phones
    finally:
        (phones.server if phones else server).stop()



def test_3_a_rostered_civil_servant_on_the_first_form_keeps_category_and_name(phones: Phones) -> None:
    with httpx.Client(base_url=phones.server.url, timeout=30) as client:
        door = phones.posters["door_in"]
        first = {"name": "siti rahmawati", "category": "visitor", "person_id": SITI, "phone": "",
                 "remember": "1", "first": "1", "f": token_of(client, door)}
        reply = client.post(door, data=first)
        assert (reply.status_code, outcome(reply)) == (200, "checked_in")
        # (The store, read at the end: still ASN, name unchanged, MAX_STAY 12 h.)


def test_4_a_form_sent_again_for_another_person_is_refused(phones: Phones) -> None:
    with httpx.Client(base_url=phones.server.url, timeout=30) as client:
        door = phones.posters["door_in"]
        token = token_of(client, door)
        first = client.post(door, data={"person_id": REUSED_FIRST, "name": "Ani Lestari", "f": token})
        assert outcome(first) == "checked_in"
        # Back on the phone, the same form for a second person: refused, not confirmed.
        second = client.post(door, data={"person_id": REUSED_SECOND, "name": "Budi Tamu", "f": token})
        assert second.status_code == 409 and outcome(second) == "refused"
        assert "sudah dipakai" in second.text and "Tercatat" not in second.text
        assert 'href="/checkin?' in second.text
        again = client.post(door, data={"person_id": REUSED_FIRST, "name": "Ani Lestari", "f": token})
        assert outcome(again) == "checked_in" and "sudah terkirim sebelumnya" in again.text


def masked(text: str) -> str:
    text = re.sub(r'name="f" value="[^"]+"', 'name="f" value=""', text)
    return re.sub(r'name="person_id"([^>]*)value="[^"]*"', r'name="person_id"\1value=""', text)


def test_5_an_id_alone_reveals_nothing_and_changes_nothing(phones: Phones) -> None:
    with httpx.Client(base_url=phones.server.url, timeout=30) as client:
        door_out = phones.posters["door_out"]
        known = client.post(door_out, data={"person_id": BUDI})
        unknown = client.post(door_out, data={"person_id": "198001012000039999"})
        assert known.status_code == unknown.status_code == 422
        assert masked(known.text) == masked(unknown.text)
        assert "KELUAR pukul" not in known.text and "Lama kunjungan" not in known.text
        wrong = client.post(door_out, data={"person_id": BUDI, "name": "Siti Aminah"})
        assert wrong.status_code == 422 and "Nama tidak cocok" in wrong.text
        assert "Budi" not in wrong.text and "Santoso" not in wrong.text
        # (The store, read at the end: his visit still open.)


def test_6_control_characters_are_removed_where_they_enter(phones: Phones) -> None:
    with httpx.Client(base_url=phones.server.url, timeout=30) as client:
        name = "\x1b]0;pwned\x07Tamu\u202e \u2066Bersih\u2069\x00\x7f\x9b"
        reply = client.post(phones.posters["door_in"], data={"person_id": DIRTY, "name": name, "phone": "081211"})
        assert outcome(reply) == "checked_in"
        assert "\x1b" not in reply.text and "\u202e" not in reply.text
        # Ids and phone numbers are cleaned alike (an ESC inside is dropped, not refused).
        dirty = client.post(phones.posters["door_in"], data={"person_id": DIRTY_PHONE, "name": "Tamu", "phone": "0812\x1b9"})
        assert outcome(dirty) == "checked_in"
        long = client.post(phones.posters["door_in"], data={"person_id": "0899", "name": "x" * 121})
        assert long.status_code == 422


def test_8_a_form_posted_from_another_site_is_refused(phones: Phones) -> None:
    """A hostile page could make its visitors' phones tap in at a poster they never scanned
    (the form needs no cookie): the browser names the other site, and nothing is stored."""
    with httpx.Client(base_url=phones.server.url, timeout=30) as client:
        door = phones.posters["door_in"]
        form = {"person_id": CROSS_SITE, "name": "Tamu Lain"}
        for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
            refused = client.post(door, data=form, headers=headers)
            assert refused.status_code == 403 and outcome(refused) == "refused"
            assert "situs lain" in refused.text
        own = client.post(door, data=form, headers={"Origin": phones.server.url, "Sec-Fetch-Site": "same-origin"})
        assert outcome(own) == "checked_in"
        # (The store, read at the end: one tap of CROSS_SITE, the page's own.)


def test_7_rate_limits_believe_x_forwarded_for_only_from_a_trusted_proxy(tmp_path: Path) -> None:
    data_dir = tmp_path / "proxy"
    patch = signing_with(data_dir)
    try:
        posters = build_store(data_dir)
    finally:
        patch.undo()
    door = posters["door_in"]

    def tap(client: httpx.Client, number: int, forwarded_for: str) -> int:
        form = {"person_id": f"0812555{number:04d}", "name": "Tamu Proxy"}
        return client.post(door, data=form, headers={"X-Forwarded-For": forwarded_for}).status_code

    server = start_server(data_dir, PANTAU_TRUSTED_PROXIES="127.0.0.1", PANTAU_CHECKIN_RATE_LIMIT="5")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert [tap(client, i, "203.0.113.7") for i in range(6)] == [200] * 5 + [429]
            assert tap(client, 6, "203.0.113.8") == 200  # another phone behind the same proxy
    finally:
        server.stop()
    server = start_server(data_dir, PANTAU_CHECKIN_RATE_LIMIT="5")  # no proxy trusted
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert [tap(client, 10 + i, f"203.0.113.{20 + i}") for i in range(6)] == [200] * 5 + [429]
    finally:
        server.stop()


def test_1_a_room_form_sent_after_the_poster_cache_expired_is_a_room_tap(phones: Phones) -> None:
    """The room poster's page was shown before the other attacks; the server restarts (its
    poster cache empty, as once TARGET_CACHE_SECONDS have passed), then the form is sent."""
    phones.server.stop()
    phones.server = start_server(phones.data_dir)
    with httpx.Client(base_url=phones.server.url, timeout=30) as client:
        reply = client.post(phones.room_form, data={"person_id": ROOM_VISITOR, "name": "Tamu Rapat", "remember": "1"})
        assert (reply.status_code, outcome(reply)) == (200, "checked_in") and "Aula" in reply.text
    assert dict(parse_qsl(urlsplit(phones.room_form).query))["r"] == "Aula"


def test_what_the_server_kept(phones: Phones) -> None:
    """The store once the server has stopped: what each attack left (or did not)."""
    phones.server.stop()
    con = db.connect(phones.server.db_path, read_only=True)
    try:
        # 3: Siti is still ASN, her name unchanged; her visit ends by the ASN MAX_STAY (12 h).
        assert con.execute("SELECT name, category FROM persons WHERE person_id = ?", [SITI]).fetchall() == [
            ("Siti Rahmawati, S.Kom", "ASN")]
        checkin_at, auto_close_at = con.execute(
            "SELECT checkin_at, auto_close_at FROM visits WHERE person_id = ?", [SITI]).fetchall()[0]
        assert auto_close_at - checkin_at == timedelta(hours=12)
        # 4: the second person of the reused form was never stored.
        assert con.execute("SELECT person_id, count(*) FROM events WHERE person_id IN (?, ?) GROUP BY ALL",
                           [REUSED_FIRST, REUSED_SECOND]).fetchall() == [(REUSED_FIRST, 1)]
        # 5: Budi is still inside: no tap of his was stored.
        assert con.execute("SELECT count(*) FROM events WHERE person_id = ?", [BUDI]).fetchall() == [(1,)]
        assert con.execute("SELECT checkout_at FROM visits WHERE person_id = ?", [BUDI]).fetchall() == [(None,)]
        # 6: no control or bidi character in what was stored.
        assert con.execute("SELECT name, phone FROM persons WHERE person_id = ?", [DIRTY]).fetchall() == [
            ("]0;pwnedTamu Bersih", "081211")]
        assert con.execute("SELECT phone FROM persons WHERE person_id = ?", [DIRTY_PHONE]).fetchall() == [("08129",)]
        # 8: only the page's own form of the cross-site person was stored.
        assert con.execute("SELECT count(*) FROM events WHERE person_id = ?", [CROSS_SITE]).fetchall() == [(1,)]
        # 1: the room tap is a stay in the room (and a door check-in).
        assert con.execute("SELECT area FROM stays WHERE person_id = ?", [ROOM_VISITOR]).fetchall() == [("Aula",)]
    finally:
        con.close()
