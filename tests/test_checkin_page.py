"""The light check-in page's logic (``lib.web.phone_page``) without a server: what a
phone is shown, and what bad input gets (a clear page, nothing stored).

The page a poster's QR opens is this one (the Streamlit check-in page is gone): its first
form, the one tap of a remembered phone, room posters, and the rules of RULES "Self
check-in" (a known person keeps name and category, an id alone tells nothing, a form is
one tap) are tested here; the same attacks over HTTP in tests/hardening/test_phone_attacks.py."""

from __future__ import annotations

import gzip
import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from lib.ingest.desk import CheckinDesk
from lib.outputs import checkin
from lib.store import db
from lib.store.journal import Journal, journal_path
from lib.web import phone
from lib.web.phone_page import CheckinPage, RateLimiter, check_form_token, form_token


class Clock:
    """The desk's clock, moved by the test (starts now: the form tokens use the real clock)."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[CheckinPage, CheckinDesk, dict[str, str], dict[str, str]]]:
    monkeypatch.setenv("PANTAU_CHECKIN_RATE_LIMIT", "0")
    path = tmp_path / "pantau.duckdb"
    database = db.SharedDatabase(path)
    con = database.cursor()
    con.execute("INSERT INTO buildings (building_id, name, capacity, threshold_people) VALUES ('kantor', 'Kantor Wali Kota', 50, 40)")
    con.execute("INSERT INTO gates VALUES ('kantor', 'utama', 'Pintu Utama')")
    urls = {a: dict(parse_qsl(urlsplit(checkin.checkin_url(con, "kantor", "utama", a)).query)) for a in ("checkin", "checkout")}
    con.close()
    desk = CheckinDesk(database, Journal(journal_path(path)), batch_seconds=3600, clock=Clock())
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
    assert reply.cookie and phone.decode_person_cookie(reply.cookie)["name"] == "Siti"
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
    door = page.post(qin, form(person_id="7172014506900002", name="Budi"), None, "a")
    assert outcome(door.body) == "duplicate"
    out = page.post(room_out, form(person_id="7172014506900002", name="budi"), reply.cookie, "a")
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


def test_staff_on_a_new_phone_check_in_with_their_id_and_name(setup) -> None:  # type: ignore[no-untyped-def]
    """The first-time form on a new phone, for a person the store knows: the id alone is
    asked for the name (as for anybody); id and name check in."""
    page, desk, qin, qout = setup
    page.post(qin, form(person_id="0812", name="Ani Lestari"), None, "a")
    page.post(qout, form(person_id="0812", name="Ani Lestari"), None, "a")
    assert stored_events(desk) == 2  # stored (the desk's batch), so the store knows 0812
    shown = page.get(qin, None).body
    token = re.search(r'name="f" value="([^"]+)"', shown).group(1)
    sent = {"name": "", "category": "visitor", "person_id": "0812", "phone": "", "first": "1", "f": token}
    alone = page.post(qin, form(**sent), None, "b")
    assert alone.status == 422 and "Isi nama Anda." in alone.body and outcome(alone.body) == ""
    reply = page.post(qin, form(**{**sent, "name": "ani lestari"}), None, "b")
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


# --- what the Streamlit check-in page's tests checked, on the light page ---------------------


def test_a_phone_not_inside_is_not_told_since_when_and_the_answer_has_no_button(setup) -> None:  # type: ignore[no-untyped-def]
    page, _, qin, _ = setup
    stranger = phone.encode_person_cookie({"person_id": "555", "name": "Tamu", "category": "visitor", "phone": ""})
    shown = page.get(qin, stranger).body
    assert "Halo, Tamu" in shown and "sejak" not in shown and "MASUK sekarang" in shown
    answer = page.post(qin, form(person_id="555"), stranger, "a").body
    assert outcome(answer) == "checked_in" and "<button" not in answer and "<form" not in answer


def test_a_first_visit_with_a_phone_number_only(setup) -> None:  # type: ignore[no-untyped-def]
    page, desk, qin, _ = setup
    reply = page.post(qin, form(name="Tamu Baru", phone="0812 7777 1111", category="visitor"), None, "a")
    assert outcome(reply.body) == "checked_in" and "Tercatat MASUK pukul" in reply.body
    assert desk.open_visit("081277771111") is not None


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_raw_text_key_on_the_light_page(setup, lang: str) -> None:  # type: ignore[no-untyped-def]
    from lib.core.i18n import all_texts

    page, _, qin, qout = setup
    bodies = [
        page.get({**qin, "lang": lang}, None).body,
        page.post({**qin, "lang": lang}, form(person_id="0812", name="Ani", remember="1"), None, "a").body,
        page.post({**qout, "lang": lang}, form(person_id="0812", name="Ani"), None, "a").body,
        page.post({**qin, "lang": lang, "s": "x"}, form(person_id="0812", name="Ani"), None, "a").body,
    ]
    for body in bodies:
        assert not [key for key in all_texts() if key in body]


# --- finding: room posters keep their room ------------------------------------------------


def form_action(body: str) -> dict[str, str]:
    """The query of the address a page's form posts to (as the phone's browser reads it)."""
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', body).group(1))
    return dict(parse_qsl(urlsplit(action).query))


def test_a_room_poster_keeps_its_room_in_every_address_whatever_the_cache(  # type: ignore[no-untyped-def]
    setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form's address, the one-tap form's and the language link keep ``r``: a room tap
    posted after the poster cache expired is still a room tap (K1 evidence), not refused."""
    from lib.ingest import areas
    from lib.web import phone_page as checkin_page

    page, desk, _, _ = setup
    con = desk.database.cursor()
    areas.create_area(con, "kantor", "Aula", actor="test")
    room = dict(parse_qsl(urlsplit(checkin.checkin_url(con, "kantor", None, "checkin", area="Aula")).query))
    shown = page.get(room, None).body
    monkeypatch.setattr(checkin_page, "TARGET_CACHE_SECONDS", 0.0)  # the 30 s have passed
    reply = page.post(form_action(shown), form(person_id="0812", name="Ani", remember="1"), None, "a")
    assert (reply.status, outcome(reply.body)) == (200, "checked_in") and "Aula" in reply.body
    assert con.execute("SELECT area FROM stays").fetchall() == [("Aula",)]
    language = html.unescape(re.search(r'<a href="([^"]+)" hreflang', shown).group(1))
    assert dict(parse_qsl(urlsplit(language).query))["r"] == "Aula"
    desk.clock.at += timedelta(minutes=20)
    # The next scan of the room poster: the one-tap form keeps the room too.
    known = page.get(room | {"a": "checkout", "s": checkin.sign("kantor", "", "checkout", "Aula")}, reply.cookie).body
    assert form_action(known)["r"] == "Aula"
    out = page.post(form_action(known), form(person_id="0812"), reply.cookie, "a")
    assert outcome(out.body) == "checked_out" and "20 menit" in out.body
    assert con.execute("SELECT area, end_kind FROM stays").fetchall() == [("Aula", "scan")]
    con.close()


# --- finding: a known person keeps category and name ----------------------------------------


def test_a_roster_civil_servant_on_the_first_form_stays_a_civil_servant(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """RULES "Self check-in": the default category of the first form ("Pengunjung") does not
    make a rostered ASN a visitor: stored category and name stay, the visit is paired with
    the ASN MAX_STAY (12 h), so a check-out 4 hours later closes it."""
    from lib.ingest import importer
    from tests.conftest import write_csv

    page, desk, qin, qout = setup
    nip = "198703152010012001"
    con = desk.database.cursor()
    importer.import_file(con, write_csv(tmp_path / "roster.csv", ["nip", "nama", "kategori", "unit_kerja", "gedung"],
                                        [[nip, "Siti Rahmawati, S.Kom", "ASN", "Umum", "kantor"]], delimiter=";"))
    sent = {"name": "siti rahmawati", "category": "visitor", "person_id": nip, "phone": "0811", "first": "1", "remember": "1"}
    reply = page.post(qin, form(**sent), None, "a")
    assert outcome(reply.body) == "checked_in"
    desk.clock.at += timedelta(hours=4)  # past a visitor's 3 h, within an ASN's 12 h
    out = page.post(qout, form(person_id=nip), reply.cookie, "a")
    assert outcome(out.body) == "checked_out" and "4 jam 0 menit" in out.body
    desk.flush()
    assert con.execute("SELECT name, category, phone FROM persons WHERE person_id = ?", [nip]).fetchall() == [
        ("Siti Rahmawati, S.Kom", "ASN", None)
    ]
    assert con.execute("SELECT checkout_kind FROM visits WHERE person_id = ?", [nip]).fetchall() == [("scan",)]
    assert con.execute("SELECT count(*) FROM events WHERE category IS NOT NULL OR name IS NOT NULL").fetchall() == [(0,)]
    con.close()


def test_a_roster_code_with_a_dash_is_the_same_person_on_the_phone(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Contract staff codes such as "THL-0229" keep their dash: stripping it (as for a NIP
    typed with spaces) made a new visitor "THL0229" and the THL's visit was never stored
    under her own id; a number typed with separators is still one number."""
    from lib.ingest import importer
    from tests.conftest import write_csv

    page, desk, qin, qout = setup
    con = desk.database.cursor()
    importer.import_file(con, write_csv(tmp_path / "roster.csv", ["nip", "nama", "kategori", "unit_kerja", "gedung"],
                                        [["THL-0229", "Grace Kaunang", "THL", "Umum", "kantor"],
                                         ["198703152010012001", "Siti Rahmawati", "ASN", "Umum", "kantor"]], delimiter=";"))
    reply = page.post(qin, form(name="grace kaunang", person_id="THL-0229", first="1", remember="1"), None, "a")
    assert outcome(reply.body) == "checked_in"
    out = page.post(qout, form(person_id="THL-0229"), reply.cookie, "a")  # the remembered phone's one tap
    assert outcome(out.body) == "checked_out"
    spaced = page.post(qin, form(name="Siti Rahmawati", person_id="19870315 201001 2 001", first="1"), None, "b")
    assert outcome(spaced.body) == "checked_in"
    desk.flush()
    assert sorted(r[0] for r in con.execute("SELECT DISTINCT person_id FROM events").fetchall()) == [
        "198703152010012001", "THL-0229"]
    con.close()


# --- finding: a reused form never confirms a tap it did not store ----------------------------


def test_a_form_sent_again_for_another_person_is_refused_and_not_confirmed(setup) -> None:  # type: ignore[no-untyped-def]
    page, desk, qin, _ = setup
    token = re.search(r'name="f" value="([^"]+)"', page.get(qin, None).body).group(1)
    first = page.post(qin, form(person_id="7172014506900001", name="Ani", f=token), None, "a")
    assert outcome(first.body) == "checked_in"
    # Back on the phone, the same form for a second person.
    other = page.post(qin, form(person_id="7172014506900002", name="Budi", f=token), None, "a")
    assert other.status == 409 and outcome(other.body) == "refused"
    assert "sudah dipakai" in other.body and "Tercatat" not in other.body
    assert re.search(r'<a href="/checkin\?[^"]*">Buka poster lagi</a>', other.body)
    english = page.post({**qin, "lang": "en"}, form(person_id="7172014506900002", name="Budi", f=token), None, "a")
    assert english.status == 409 and "already used" in english.body and "Open the poster again" in english.body
    # The same person and form again: the first answer (as before).
    again = page.post(qin, form(person_id="7172014506900001", name="Ani", f=token), None, "a")
    assert outcome(again.body) == "checked_in" and "sudah terkirim sebelumnya" in again.body
    assert stored_events(desk) == 1
    assert desk.open_visit("7172014506900002") is None


# --- finding: an id alone reveals nothing and changes nothing --------------------------------


def masked(body: str) -> str:
    """The page without what differs between any two answers (the form token, the typed id)."""
    body = re.sub(r'name="f" value="[^"]+"', 'name="f" value=""', body)
    return re.sub(r'name="person_id"([^>]*)value="[^"]*"', r'name="person_id"\1value=""', body)


def test_an_id_alone_gets_the_same_answer_known_or_not(setup) -> None:  # type: ignore[no-untyped-def]
    page, desk, qin, qout = setup
    page.post(qin, form(person_id="198001012000", name="Siti Rahmawati, S.Kom", category="ASN"), None, "phone-of-siti")
    assert stored_events(desk) == 1
    desk.clock.at += timedelta(hours=2)
    known = page.post(qout, form(person_id="198001012000"), None, "a")
    unknown = page.post(qout, form(person_id="198001019999"), None, "a")
    assert known.status == unknown.status == 422
    assert masked(known.body) == masked(unknown.body)
    assert "Isi nama Anda." in known.body and "KELUAR pukul" not in known.body and "Siti" not in known.body
    # A name that is not hers: nothing stored, and her name is not shown.
    wrong = page.post(qout, form(person_id="198001012000", name="Budi Santoso"), None, "a")
    assert wrong.status == 422 and "Nama tidak cocok" in wrong.body and "Rahmawati" not in wrong.body
    assert stored_events(desk) == 1 and desk.open_visit("198001012000") is not None
    # Her name as a receptionist would accept it: checked out, her stored name unchanged.
    right = page.post(qout, form(person_id="198001012000", name="siti rahma"), None, "a")
    assert outcome(right.body) == "checked_out" and "2 jam 0 menit" in right.body
    assert stored_events(desk) == 2
    names = desk.database.cursor().execute("SELECT name FROM persons WHERE person_id = '198001012000'").fetchall()
    assert names == [("Siti Rahmawati, S.Kom",)]
    # An unknown id with a name: a new person, as before.
    new = page.post(qin, form(person_id="198001019999", name="Tamu Baru"), None, "a")
    assert outcome(new.body) == "checked_in"


# --- finding: control characters and size ---------------------------------------------------


def test_control_and_bidi_characters_never_reach_the_store(setup) -> None:  # type: ignore[no-untyped-def]
    page, desk, qin, _ = setup
    name = "\x1b[2J\x07Siti\u202e  Rahma\x00wati\x7f\x9b"
    reply = page.post(qin, form(person_id="0812345", name=name, phone="081355"), None, "a")
    assert outcome(reply.body) == "checked_in"
    desk.flush()
    con = desk.database.cursor()
    # The escape sequence's printable rest ("[2J") is harmless text once its ESC is gone.
    assert con.execute("SELECT person_id, name, phone FROM persons").fetchall() == [("0812345", "[2JSiti Rahmawati", "081355")]
    # Ids and phone numbers are cleaned the same way.
    dirty_id = page.post(qin, form(person_id="0812\x00 346", name="Ani", phone="0813\x1b56"), None, "a")
    assert outcome(dirty_id.body) == "checked_in"
    desk.flush()
    assert con.execute("SELECT phone FROM persons WHERE person_id = '0812346'").fetchall() == [("081356",)]
    stored = "".join(str(v) for row in con.execute("SELECT * FROM events").fetchall() for v in row)
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", stored)
    # The cap: a name of 121 characters is refused, one of 120 kept whole.
    long = page.post(qin, form(person_id="0900", name="x" * 121), None, "a")
    assert long.status == 422 and "Nama terlalu panjang" in long.body
    assert outcome(page.post(qin, form(person_id="0901", name="y" * 120), None, "a").body) == "checked_in"


# --- finding: the network address behind a proxy ----------------------------------------------


@pytest.mark.parametrize(
    ("client", "forwarded_for", "trusted", "address"),
    [
        ("198.51.100.4", None, "", "198.51.100.4"),  # a phone straight to the server
        ("198.51.100.4", "203.0.113.7", "", "198.51.100.4"),  # its own header: ignored
        # From this machine uvicorn has put the header's address in the client already:
        ("203.0.113.7", "203.0.113.7", "", "127.0.0.1"),  # no proxy trusted: this machine's bucket
        ("203.0.113.7", "203.0.113.7", "127.0.0.1", "203.0.113.7"),  # nginx on this machine, trusted
        ("203.0.113.7", "10.9.9.9, 203.0.113.7", "127.0.0.1", "203.0.113.7"),  # the right-most hop
    ],
)
def test_the_address_a_rate_limit_counts(  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch, client: str, forwarded_for: str | None, trusted: str, address: str
) -> None:
    from lib.core import config

    monkeypatch.setenv("PANTAU_TRUSTED_PROXIES", trusted)
    assert config.client_address(client, forwarded_for) == address
