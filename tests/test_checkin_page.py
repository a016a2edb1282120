"""The light check-in page's logic (``lib.outputs.checkin_page``) without a server: what a
phone is shown, and what bad input gets (a clear page, nothing stored)."""

from __future__ import annotations

import gzip
import html
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from lib.ingest.desk import CheckinDesk
from lib.outputs import checkin
from lib.outputs.checkin_page import CheckinPage, RateLimiter, check_form_token, form_token
from lib.store import db
from lib.store.journal import Journal, journal_path


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[CheckinPage, CheckinDesk, dict[str, str], dict[str, str]]]:
    monkeypatch.setenv("PANTAU_SECRETS_FILE", str(tmp_path / "secrets.json"))
    monkeypatch.setenv("PANTAU_CHECKIN_RATE_LIMIT", "0")
    path = tmp_path / "pantau.duckdb"
    database = db.SharedDatabase(path)
    con = database.cursor()
    con.execute("INSERT INTO buildings (building_id, name, capacity, threshold_people) VALUES ('kantor', 'Kantor Wali Kota', 50, 40)")
    con.execute("INSERT INTO gates VALUES ('kantor', 'utama', 'Pintu Utama')")
    urls = {a: dict(parse_qsl(urlsplit(checkin.checkin_url(con, "kantor", "utama", a)).query)) for a in ("checkin", "checkout")}
    con.close()
    desk = CheckinDesk(database, Journal(journal_path(path)), batch_seconds=3600)
    desk.start()
    yield CheckinPage(lambda: (database, desk)), desk, urls["checkin"], urls["checkout"]
    database.close()


def outcome(body: str) -> str:
    found = re.search(r'data-outcome="([a-z_]+)"', body)
    return found.group(1) if found else ""


def form(**fields: str) -> bytes:
    return urlencode(fields).encode()


def stored_events(desk: CheckinDesk) -> int:
    desk.flush()
    return int(desk.database.cursor().execute("SELECT count(*) FROM events").fetchall()[0][0])


def test_first_scan_form_is_light_and_opens_the_numeric_keyboard(setup) -> None:  # type: ignore[no-untyped-def]
    page, _, qin, _ = setup
    reply = page.get(qin, None)
    assert reply.status == 200
    assert len(gzip.compress(reply.body.encode())) < 50_000  # the whole page: no other request
    assert re.search(r'<input[^>]*name="person_id"[^>]*inputmode="numeric"', reply.body)
    assert re.search(r'<input[^>]*name="phone"[^>]*inputmode="numeric"', reply.body)
    assert "<script src" not in reply.body and "stylesheet" not in reply.body
    assert 'lang="id"' in reply.body and "MASUK sekarang" in reply.body
    english = page.get({**qin, "lang": "en"}, None)
    assert "CHECK IN now" in english.body and 'lang="en"' in english.body


def test_checkin_then_checkout_with_the_stay_and_the_cookie(setup) -> None:  # type: ignore[no-untyped-def]
    page, desk, qin, qout = setup
    reply = page.post(qin, form(person_id="7172014506900001", name="Siti", category="visitor", remember="1"), None, "a")
    assert (reply.status, outcome(reply.body)) == (200, "checked_in")
    assert "1 orang di dalam, batas 40" in reply.body  # counted before it is stored
    assert reply.cookie and checkin.decode_person_cookie(reply.cookie)["name"] == "Siti"
    # The next scan knows the phone: one button, and that it is inside already.
    known = page.get(qin, reply.cookie)
    assert "Halo, Siti" in known.body and "Anda sudah di dalam sejak" in known.body
    assert 'name="name"' not in known.body.replace('type="hidden" name="name"', "")
    out = page.post(qout, form(person_id="7172014506900001"), reply.cookie, "a")
    assert outcome(out.body) == "checked_out" and "Lama kunjungan" in out.body
    assert "0 orang di dalam" in out.body
    again = page.post(qout, form(person_id="7172014506900001"), reply.cookie, "a")
    assert outcome(again.body) == "duplicate"
    assert stored_events(desk) == 3


def test_nothing_to_check_out_is_said_plainly(setup) -> None:  # type: ignore[no-untyped-def]
    page, _, _, qout = setup
    reply = page.post(qout, form(person_id="0812999", name="Budi"), None, "a")
    assert outcome(reply.body) == "orphan" and "Tidak ada catatan masuk" in reply.body


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"s": "AAAAAAAAAAAAAAAAAAAAAA"}, 403, "telah diubah"),
        ({"a": "checkout"}, 403, "telah diubah"),  # the action switched by hand
        ({"s": ""}, 400, "tidak lengkap"),
        ({"b": ""}, 400, "tidak lengkap"),
    ],
)
def test_a_forged_or_incomplete_address_stores_nothing(setup, change, status, words) -> None:  # type: ignore[no-untyped-def]
    page, desk, qin, _ = setup
    reply = page.post({**qin, **change}, form(person_id="0812", name="X"), None, "a")
    assert reply.status == status and words in reply.body and outcome(reply.body) == "refused"
    assert page.get({**qin, **change}, None).status == status
    assert stored_events(desk) == 0


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"name": "Budi"}, "Isi NIP/NIK atau nomor HP"),  # no id at all
        ({"person_id": "0812", "name": "x" * 10_000}, "Nama terlalu panjang"),
        ({"person_id": "<script>", "name": "Budi"}, "hanya boleh berisi angka"),
        ({"person_id": "08123456"}, "Isi nama Anda"),  # unknown person without a name
    ],
)
def test_bad_fields_get_the_form_back_with_the_reason(setup, fields, words) -> None:  # type: ignore[no-untyped-def]
    page, desk, qin, _ = setup
    reply = page.post(qin, form(**fields), None, "a")
    assert reply.status == 422 and words in reply.body and 'name="name"' in reply.body
    assert "<script>" not in reply.body.split("<main>", 1)[1].split("</main>")[0]
    assert stored_events(desk) == 0


def test_a_huge_body_is_refused(setup) -> None:  # type: ignore[no-untyped-def]
    page, desk, qin, _ = setup
    reply = page.post(qin, b"person_id=1&name=" + b"x" * 20_000, None, "a")
    assert reply.status == 413 and stored_events(desk) == 0


def test_a_form_sent_twice_is_stored_once_and_an_edited_or_old_one_not_at_all(setup) -> None:  # type: ignore[no-untyped-def]
    page, desk, qin, _ = setup
    token = re.search(r'name="f" value="([^"]+)"', page.get(qin, None).body).group(1)
    first = page.post(qin, form(person_id="0812", name="Ani", f=token), None, "a")
    second = page.post(qin, form(person_id="0812", name="Ani", f=token), None, "a")
    assert outcome(first.body) == outcome(second.body) == "checked_in"
    assert "sudah terkirim sebelumnya" in second.body
    issued, nonce, signature = token.split(".")
    edited = page.post(qin, form(person_id="0813", name="Ana", f=f"{issued}.{nonce}x.{signature}"), None, "a")
    assert edited.status == 400 and "telah diubah" in edited.body
    old = form_token(now=1_000_000.0)
    assert check_form_token(old) == "expired"
    expired = page.post(qin, form(person_id="0814", name="Ina", f=old), None, "a")
    assert expired.status == 400 and "kedaluwarsa" in expired.body
    assert stored_events(desk) == 1


def test_rate_limits_per_address_and_per_phone(setup, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    _, desk, qin, _ = setup
    monkeypatch.setenv("PANTAU_CHECKIN_RATE_LIMIT", "5")
    page = CheckinPage(lambda: (desk.database, desk))
    answers = [page.post(qin, form(person_id=f"08{i}", name="N"), None, "10.0.0.1").status for i in range(6)]
    assert answers == [200] * 5 + [429]
    assert page.post(qin, form(person_id="0899", name="N"), None, "10.0.0.2").status == 200  # another address
    phone = [page.post(qin, form(person_id="0777", name="N"), None, f"10.1.0.{i}").status for i in range(13)]
    assert phone == [200] * 12 + [429]
    assert "Terlalu banyak pindaian" in page.post(qin, form(person_id="0777", name="N"), None, "10.2.0.1").body
    assert stored_events(desk) == 5 + 1 + 12
    limiter = RateLimiter(2)
    assert [limiter.allow("k", now=60.0), limiter.allow("k", now=61.0), limiter.allow("k", now=62.0)] == [True, True, False]
    assert limiter.allow("k", now=121.0)  # a new minute
    assert RateLimiter(0).allow("k")


def test_a_room_poster_records_an_area_scan_and_checks_in_at_the_door_once(setup) -> None:  # type: ignore[no-untyped-def]
    """RULES "Places inside a building": a tap at a room poster is an area scan; with no
    open visit in the building it also checks the person in at the door (one tap)."""
    from lib.ingest import areas

    page, desk, qin, _ = setup
    con = desk.database.cursor()
    areas.create_area(con, "kantor", "Ruang Rapat", actor="test")
    room_in = dict(parse_qsl(urlsplit(checkin.checkin_url(con, "kantor", None, "checkin", area="Ruang Rapat")).query))
    room_out = dict(parse_qsl(urlsplit(checkin.checkin_url(con, "kantor", None, "checkout", area="Ruang Rapat")).query))
    reply = page.post(room_in, form(person_id="7172014506900002", name="Budi", category="ASN"), None, "a")
    assert reply.status == 200 and outcome(reply.body) == "checked_in"
    assert "Ruang Rapat" in reply.body
    desk.flush()
    rows = con.execute("SELECT action, area FROM events ORDER BY area NULLS FIRST").fetchall()
    assert rows == [("checkin", None), ("checkin", "Ruang Rapat")]  # the door and the room, one tap
    assert con.execute("SELECT count(*) FROM visits WHERE checkout_at IS NULL").fetchall() == [(1,)]
    # A door tap after the room tap goes through the desk and sees the visit the room tap opened.
    door = page.post(qin, form(person_id="7172014506900002"), None, "a")
    assert outcome(door.body) == "duplicate"
    out = page.post(room_out, form(person_id="7172014506900002"), None, "a")
    assert outcome(out.body) == "checked_out"
    assert con.execute("SELECT area, end_kind FROM stays").fetchall() == [("Ruang Rapat", "scan")]
    con.close()


def test_the_chosen_language_is_kept_on_the_phone_for_the_next_poster(setup) -> None:  # type: ignore[no-untyped-def]
    """A visitor who switched to English and checked in gets the check-out poster in English;
    an explicit ``lang`` still wins; a phone with no choice gets Indonesian."""
    page, _, qin, qout = setup
    switched = page.get({**qin, "lang": "en"}, None)
    assert switched.lang_cookie == "en"
    done = page.post({**qin, "lang": "en"}, form(person_id="0812", name="Ani", remember="1"), None, "a")
    assert "Checked in at" in done.body and done.lang_cookie == "en"
    # The check-out poster's address carries no language: the phone's choice opens it.
    later = page.get(qout, done.cookie, done.lang_cookie)
    assert 'lang="en"' in later.body and "CHECK OUT now" in later.body and "Hello, Ani" in later.body
    assert later.lang_cookie is None  # nothing new chosen, nothing rewritten
    out = page.post(qout, form(person_id="0812"), done.cookie, "a", done.lang_cookie)
    assert "Checked out at" in out.body
    back = page.get({**qout, "lang": "id"}, done.cookie, "en")
    assert 'lang="id"' in back.body and "KELUAR sekarang" in back.body and back.lang_cookie == "id"
    for kept in (None, "", "xx", "<b>"):
        plain = page.get(qout, None, kept)
        assert 'lang="id"' in plain.body and "KELUAR sekarang" in plain.body


@pytest.mark.parametrize(
    ("lang", "fields", "words", "marked"),
    [
        ("id", {}, "Isi nama Anda, dan NIP/NIK atau nomor HP.", ["name", "person_id"]),
        ("en", {}, "Please enter your name, and an ID number or a phone number.", ["name", "person_id"]),
        ("id", {"person_id": "0899"}, "Isi nama Anda.", ["name"]),  # a person the store does not know
        ("en", {"name": "Budi"}, "Please enter an ID number or a phone number.", ["person_id"]),
    ],
)
def test_a_missing_field_is_answered_in_the_pages_language_and_stores_nothing(  # type: ignore[no-untyped-def]
    setup, lang, fields, words, marked
) -> None:
    """No ``required`` attribute (the browser would answer in the phone's language): the
    server answers a first form with a missing name or id, in the page's language."""
    page, desk, qin, _ = setup
    page.post(qin, form(person_id="0812", name="Ani"), None, "a")  # 0812 is known from now on
    shown = page.get({**qin, "lang": lang}, None).body
    assert " required" not in shown and 'aria-required="true"' in shown
    token = re.search(r'name="f" value="([^"]+)"', shown).group(1)
    sent = {"name": "", "category": "visitor", "person_id": "", "phone": "", "remember": "1", "first": "1", "f": token}
    reply = page.post({**qin, "lang": lang}, form(**{**sent, **fields}), None, "a")
    assert reply.status == 422 and f'lang="{lang}"' in reply.body
    assert re.search(rf'role="alert">{re.escape(html.escape(words))}<', reply.body)
    assert re.findall(r'id="(\w+)"[^>]*aria-invalid="true"', reply.body) == marked
    assert reply.body.count("autofocus") == 1
    assert stored_events(desk) == 1  # only the first check-in


def test_staff_on_a_new_phone_check_in_with_their_id_alone(setup) -> None:  # type: ignore[no-untyped-def]
    """The first-time form without a name, for a person the store knows: checked in."""
    page, desk, qin, qout = setup
    page.post(qin, form(person_id="0812", name="Ani"), None, "a")
    page.post(qout, form(person_id="0812"), None, "a")
    assert stored_events(desk) == 2  # stored (the desk's batch), so the store knows 0812
    shown = page.get(qin, None).body
    token = re.search(r'name="f" value="([^"]+)"', shown).group(1)
    sent = {"name": "", "category": "", "person_id": "0812", "phone": "", "first": "1", "f": token}
    reply = page.post(qin, form(**sent), None, "b")
    assert outcome(reply.body) == "checked_in", re.findall(r"role=.alert.>[^<]*", reply.body)
    assert stored_events(desk) == 3


def test_the_result_page_has_no_coloured_poster_block(setup) -> None:  # type: ignore[no-untyped-def]
    """The poster banner (a big green MASUK / orange KELUAR block) looked like a button on the
    result page and did nothing: the result names the door in its own plain line instead."""
    page, _, qin, qout = setup
    assert 'class="banner"' in page.get(qin, None).body  # the poster's page still shows which door
    for query in (qin, qout):
        body = page.post(query, form(person_id="0812", name="Ani"), None, "a").body.split("<main>", 1)[1]
        assert 'class="banner"' not in body and 'style="background' not in body
        assert "<p>Kantor Wali Kota · Pintu Utama</p>" in body


def test_each_category_option_keeps_its_label_on_one_line(setup) -> None:  # type: ignore[no-untyped-def]
    page, _, qin, _ = setup
    body = page.get({**qin, "lang": "en"}, None).body
    assert "fieldset label{display:inline-block;white-space:nowrap" in body
    assert re.search(r'<label><input type="radio" name="category" value="THL"> Contract staff \(THL\)</label>', body)
