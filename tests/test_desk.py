"""The check-in journal and desk: durable taps, answers from state, batches, replay.

The answers a phone gets at once must be what the full pairing (``record_events``) makes of
the same taps once they are stored: a property test on random tap sequences checks it.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lib.ingest.desk import (
    CHECKED_IN,
    CHECKED_OUT,
    DUPLICATE,
    ORPHAN,
    CheckinDesk,
    FormReused,
    KnownPerson,
    TapAnswer,
)
from lib.store import db
from lib.store.journal import Journal, journal_path

START = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # 08:00 WITA


class Clock:
    def __init__(self, at: datetime = START) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def make_desk(folder: Path, clock: Clock, buildings: tuple[str, ...] = ("b1", "b2")) -> CheckinDesk:
    path = folder / "pantau.duckdb"
    database = db.SharedDatabase(path)
    con = database.cursor()
    for building in buildings:
        con.execute("INSERT INTO buildings (building_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING", [building, building])
    con.close()
    desk = CheckinDesk(database, Journal(journal_path(path)), batch_seconds=3600, clock=clock)
    desk.start()
    return desk


def stored_outcome(con: duckdb.DuckDBPyConnection, person: str, answer: TapAnswer) -> tuple[str, datetime | None]:
    """What the stored visits and anomalies say this tap did (the full pairing's word)."""
    at, building, action = answer.at, answer.building, answer.action
    kinds = {r[0] for r in con.execute(
        "SELECT kind FROM scan_anomalies WHERE person_id = ? AND building = ? AND ts = ? AND action = ?",
        [person, building, at, action]).fetchall()}
    if kinds:
        return (ORPHAN if ORPHAN in kinds else DUPLICATE), None
    if action == "checkin":
        found = con.execute(
            "SELECT count(*) FROM visits WHERE person_id = ? AND building = ? AND checkin_at = ?", [person, building, at]
        ).fetchall()[0][0]
        return (CHECKED_IN if found else "missing"), None
    rows = con.execute(
        "SELECT checkin_at FROM visits WHERE person_id = ? AND building = ? AND checkout_at = ? AND checkout_kind = 'scan'",
        [person, building, at]).fetchall()
    return (CHECKED_OUT, rows[0][0].astimezone(UTC)) if rows else ("missing", None)


def visit_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT person_id, building, checkin_at, checkout_at, checkout_kind FROM visits ORDER BY ALL"
    ).fetchall()


# --- the journal -------------------------------------------------------------------------


def test_journal_append_is_on_disk_and_read_back_after_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal = Journal(path)
    seq1, ticket1 = journal.append({"person_id": "a", "timestamp": "2026-11-30T00:00:00+00:00"})
    seq2, ticket2 = journal.append({"person_id": "b", "timestamp": "2026-11-30T00:00:01+00:00"})
    journal.sync(ticket2)
    assert (seq1, seq2) == (1, 2)
    lines = path.read_bytes().splitlines()
    assert [json.loads(line)["event"]["person_id"] for line in lines] == ["a", "b"]
    journal.mark_done(1)
    journal.sync(journal.append({"person_id": "c"})[1])
    # No close(): as after kill -9. A torn last line (never confirmed) is skipped.
    with open(path, "ab") as handle:
        handle.write(b'{"seq": 4, "event": {"person_id": "tor')
    reopened = Journal(path)
    assert [(e.seq, e.event["person_id"]) for e in reopened.unfinished()] == [(2, "b"), (3, "c")]
    assert reopened.append({"person_id": "d"})[0] == 4


def test_journal_compacts_only_when_everything_is_stored(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    journal.append({"person_id": "a"})
    seq, _ = journal.append({"person_id": "b"})
    journal.mark_done(seq - 1)
    assert not journal.compact()
    journal.mark_done(seq)
    assert journal.compact()
    assert Journal(tmp_path / "j.jsonl").unfinished() == []
    assert Journal(tmp_path / "j.jsonl").append({"person_id": "c"})[0] == seq + 1


# --- answers from state ------------------------------------------------------------------


def test_answers_of_a_morning(tmp_path: Path) -> None:
    clock = Clock()
    desk = make_desk(tmp_path, clock)
    ani = {"person_id": "0812", "name": "Ani", "category": "visitor"}
    assert desk.tap(ani, "b1", "checkout").outcome == ORPHAN  # nothing to check out
    first = desk.tap(ani, "b1", "checkin")
    assert first.outcome == CHECKED_IN
    clock.at += timedelta(seconds=30)
    assert desk.tap(ani, "b1", "checkin").outcome == DUPLICATE  # within DEDUP
    assert desk.open_visit("0812").building == "b1"
    assert desk.inside("b1")[0] == 1  # counted before it is stored
    clock.at = first.at + timedelta(hours=2, minutes=5)
    out = desk.tap({"person_id": "0812"}, "b1", "checkout")
    assert (out.outcome, out.stay_minutes, out.checkin_at) == (CHECKED_OUT, 125, first.at)
    clock.at += timedelta(seconds=60)
    assert desk.tap({"person_id": "0812"}, "b1", "checkout").outcome == DUPLICATE
    assert desk.flush() == 5
    con = desk.database.cursor()
    assert visit_rows(con) == [("0812", "b1", first.at, out.at, "scan")]
    assert con.execute("SELECT name FROM persons WHERE person_id = '0812'").fetchall() == [("Ani",)]


def test_a_second_tap_in_the_same_second_is_stored_a_second_later(tmp_path: Path) -> None:
    clock = Clock()
    desk = make_desk(tmp_path, clock)
    one = desk.tap({"person_id": "p"}, "b2", "checkin")
    two = desk.tap({"person_id": "p"}, "b1", "checkin")  # same second, another building
    assert two.at == one.at + timedelta(seconds=1)
    desk.flush()
    con = desk.database.cursor()
    assert stored_outcome(con, "p", two) == (CHECKED_IN, None)
    open_rows = con.execute("SELECT building FROM visits WHERE checkout_at IS NULL").fetchall()
    assert open_rows == [("b1",)]


def test_a_form_sent_twice_is_stored_once(tmp_path: Path) -> None:
    clock = Clock()
    desk = make_desk(tmp_path, clock)
    first = desk.tap({"person_id": "p", "name": "P"}, "b1", "checkin", nonce="n1")
    clock.at += timedelta(minutes=10)
    again = desk.tap({"person_id": "p", "name": "P"}, "b1", "checkin", nonce="n1")
    assert again.replayed and again.at == first.at and again.outcome == CHECKED_IN
    desk.flush()
    con = desk.database.cursor()
    assert con.execute("SELECT count(*) FROM events").fetchall() == [(1,)]


TAPS = st.lists(
    st.tuples(
        st.sampled_from([0, 1, 30, 119, 120, 121, 600, 3 * 3600, 3 * 3600 + 1, 4 * 3600]),  # seconds since the previous tap
        st.sampled_from(["p1", "p2"]),
        st.sampled_from(["b1", "b2"]),
        st.sampled_from(["checkin", "checkout"]),
        st.booleans(),  # store the batch after this tap
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(taps=TAPS)
@example(taps=[(0, "p1", "b1", "checkin", False), (60, "p1", "b1", "checkout", False),
               (30, "p1", "b1", "checkout", True), (4 * 3600, "p1", "b1", "checkout", False)])
@example(taps=[(0, "p1", "b1", "checkin", True), (0, "p1", "b2", "checkin", False),
               (3 * 3600, "p1", "b2", "checkout", False), (1, "p1", "b1", "checkin", False)])
def test_answers_equal_the_full_pairing_afterwards(taps: list[tuple[int, str, str, str, bool]]) -> None:
    """Random tap sequences (visitors: MAX_STAY 3 h, DEDUP 120 s, batches anywhere): the
    answer each tap got is what the stored visits and anomalies say after the pairing."""
    with tempfile.TemporaryDirectory() as folder:
        clock = Clock()
        desk = make_desk(Path(folder), clock)
        answers = []
        for gap, person, building, action, store in taps:
            clock.at += timedelta(seconds=gap)
            answers.append((person, desk.tap({"person_id": person, "category": "visitor"}, building, action)))
            if store:
                desk.flush()
        desk.flush()
        con = desk.database.cursor()
        for person, answer in answers:
            assert stored_outcome(con, person, answer) == (answer.outcome, answer.checkin_at), (person, answer)
        assert con.execute("SELECT count(*) FROM events").fetchall() == [(len(taps),)]
        con.close()
        desk.database.close()


def test_replay_after_a_crash_stores_every_confirmed_tap_once(tmp_path: Path) -> None:
    clock = Clock()
    desk = make_desk(tmp_path, clock)
    answers = []
    for i in range(30):
        clock.at += timedelta(seconds=1)
        answers.append(desk.tap({"person_id": f"p{i % 10}"}, "b1", "checkin" if i < 10 else "checkout"))
        if i == 14:
            desk.flush()  # half stored, half only in the journal
    assert desk.pending == 15
    # "kill -9": the desk and its connection are dropped without a flush or a close.
    desk.database.close()
    replayed = make_desk(tmp_path, clock)
    con = replayed.database.cursor()
    assert con.execute("SELECT count(*) FROM events").fetchall() == [(30,)]
    assert con.execute("SELECT count(*) FROM visits WHERE checkout_kind = 'scan'").fetchall() == [(10,)]
    replayed.database.close()
    # Replaying again (a mark lost) changes nothing.
    path = journal_path(tmp_path / "pantau.duckdb")
    lines = [line for line in path.read_text().splitlines() if '"done"' not in line]
    path.write_text("\n".join(lines + [json.dumps({"seq": 1, "event": answers_event(answers[0])})]) + "\n")
    again = make_desk(tmp_path, clock)
    con = again.database.cursor()
    assert con.execute("SELECT count(*) FROM events").fetchall() == [(30,)]
    assert con.execute("SELECT count(*) FROM visits").fetchall() == [(10,)]


def answers_event(answer: TapAnswer) -> dict[str, object]:
    return {"timestamp": answer.at.isoformat(), "person_id": "p0", "building": answer.building, "action": answer.action}


def test_inside_now_counts_taps_not_yet_stored_once(tmp_path: Path) -> None:
    from lib.web.phone import crowd_now

    clock = Clock()
    desk = make_desk(tmp_path, clock)
    for i in range(5):
        desk.tap({"person_id": f"p{i}"}, "b1", "checkin")
    assert desk.inside("b1")[0] == 5
    desk.flush()
    assert desk.inside("b1")[0] == 5
    desk.tap({"person_id": "p0"}, "b1", "checkout")
    desk.tap({"person_id": "p1"}, "b2", "checkin")  # closes p1's visit in b1
    assert (desk.inside("b1")[0], desk.inside("b2")[0]) == (3, 1)
    desk.flush()
    assert crowd_now(desk.database.cursor(), "b1", clock.at).inside_now == desk.inside("b1")[0] == 3
    # Once MAX_STAY has passed, the open visits end by themselves (counted again each round).
    clock.at += timedelta(hours=4)
    desk.refresh_counts()
    assert desk.inside("b1")[0] == 0


def test_the_journal_is_compacted_with_the_taps_not_yet_stored(tmp_path: Path) -> None:
    clock = Clock()
    desk = make_desk(tmp_path, clock)
    for i in range(5):
        clock.at += timedelta(seconds=1)
        desk.tap({"person_id": f"p{i}"}, "b1", "checkin")
    desk.flush()
    clock.at += timedelta(seconds=1)
    desk.tap({"person_id": "late"}, "b1", "checkin")  # answered, not stored yet
    path = journal_path(tmp_path / "pantau.duckdb")
    before = path.stat().st_size
    assert desk.compact()
    assert path.stat().st_size < before
    desk.database.close()  # a crash: the late tap exists only in the compacted journal
    again = make_desk(tmp_path, clock)
    con = again.database.cursor()
    assert con.execute("SELECT count(*) FROM visits").fetchall() == [(6,)]


def test_a_form_sent_again_after_a_restart_is_still_stored_once(tmp_path: Path) -> None:
    clock = Clock()
    desk = make_desk(tmp_path, clock)
    first = desk.tap({"person_id": "p", "name": "P"}, "b1", "checkin", nonce="n1")
    desk.database.close()  # crash before the batch
    clock.at += timedelta(minutes=5)
    again = make_desk(tmp_path, clock)
    answer = again.tap({"person_id": "p", "name": "P"}, "b1", "checkin", nonce="n1")
    assert answer.replayed and (answer.outcome, answer.at) == (first.outcome, first.at)
    again.flush()
    assert again.database.cursor().execute("SELECT count(*) FROM events").fetchall() == [(1,)]


def test_stored_taps_leave_the_journal_within_minutes(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """RULES "Personal data": names live in the database (and are purged there), not in the journal."""
    from lib.ingest import desk as desk_module

    monkeypatch.setattr(desk_module, "COMPACT_SECONDS", 0.0)
    clock = Clock()
    path = tmp_path / "pantau.duckdb"
    database = db.SharedDatabase(path)
    con = database.cursor()
    con.execute("INSERT INTO buildings (building_id, name) VALUES ('b1', 'b1')")
    desk = CheckinDesk(database, Journal(journal_path(path)), batch_seconds=0.05, clock=clock)
    desk.start()
    desk.tap({"person_id": "0812", "name": "Rahasia Namanya"}, "b1", "checkin")
    deadline = datetime.now(UTC) + timedelta(seconds=30)
    while "Rahasia" in journal_path(path).read_text() and datetime.now(UTC) < deadline:
        import time

        time.sleep(0.05)
    assert "Rahasia" not in journal_path(path).read_text()
    assert con.execute("SELECT name FROM persons").fetchall() == [("Rahasia Namanya",)]
    desk.stop()


def test_the_journal_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    journal.sync(journal.append({"person_id": "a", "name": "Ani"})[1])
    assert (tmp_path / "j.jsonl").stat().st_mode & 0o777 == 0o600
    journal.mark_done(1)
    assert journal.compact()
    assert (tmp_path / "j.jsonl").stat().st_mode & 0o777 == 0o600


# --- room taps: through the desk too -----------------------------------------------------


def with_rooms(desk: CheckinDesk, *rooms: str) -> None:
    from lib.ingest import areas

    con = desk.database.cursor()
    for room in rooms:
        areas.create_area(con, "b1", room, actor="test")
    con.close()


def test_a_room_tap_without_an_open_visit_also_checks_in_at_the_door(tmp_path: Path) -> None:
    """RULES "Places inside a building": one tap, a door check-in and an area check-in at the
    same instant, journalled and stored by the desk; the answer is read from the stays."""
    clock = Clock()
    desk = make_desk(tmp_path, clock)
    with_rooms(desk, "Aula")
    asn = {"person_id": "1987", "name": "Budi", "category": "ASN"}
    first = desk.tap(asn, "b1", "checkin", area="Aula")
    assert (first.outcome, first.area, first.door_checkin) == (CHECKED_IN, "Aula", True)
    assert desk.pending == 0  # stored at once: the answer comes from the stored stays
    con = desk.database.cursor()
    assert sorted(con.execute("SELECT coalesce(area, ''), ts FROM events").fetchall()) == [("", first.at), ("Aula", first.at)]
    assert con.execute("SELECT checkin_at FROM visits").fetchall()[0][0] == first.at
    assert desk.open_visit("1987").building == "b1"
    # The room's check-out poster closes the stay, not the visit.
    clock.at += timedelta(minutes=50)
    out = desk.tap({"person_id": "1987"}, "b1", "checkout", area="Aula")
    assert (out.outcome, out.stay_minutes, out.door_checkin) == (CHECKED_OUT, 50, False)
    assert con.execute("SELECT area, end_kind FROM stays").fetchall() == [("Aula", "scan")]
    assert con.execute("SELECT count(*) FROM visits WHERE checkout_at IS NULL").fetchall() == [(1,)]
    # The same check-out again: a duplicate; a check-out of a room never entered: an orphan.
    clock.at += timedelta(minutes=1)
    assert desk.tap({"person_id": "1987"}, "b1", "checkout", area="Aula").outcome == DUPLICATE
    with_rooms(desk, "Ruang Rapat")
    assert desk.tap({"person_id": "1987"}, "b1", "checkout", area="Ruang Rapat").outcome == ORPHAN
    # A room check-in while inside is only an area scan.
    clock.at += timedelta(minutes=1)
    again = desk.tap({"person_id": "1987"}, "b1", "checkin", area="Ruang Rapat")
    assert (again.outcome, again.door_checkin) == (CHECKED_IN, False)
    assert con.execute("SELECT count(*) FROM events WHERE area IS NULL").fetchall() == [(1,)]


def test_a_room_tap_journalled_before_a_crash_is_stored_on_the_next_start(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    desk = make_desk(tmp_path, clock)
    with_rooms(desk, "Aula")

    def crash() -> int:
        raise RuntimeError("killed after the journal line")

    monkeypatch.setattr(desk, "flush", crash)
    try:
        desk.tap({"person_id": "p", "name": "P"}, "b1", "checkin", area="Aula", nonce="n1")
    except RuntimeError:
        pass
    desk.database.close()  # kill -9: nothing stored, the journal holds the tap
    again = make_desk(tmp_path, clock)
    con = again.database.cursor()
    assert con.execute("SELECT area FROM stays").fetchall() == [("Aula",)]
    assert con.execute("SELECT count(*) FROM visits").fetchall() == [(1,)]
    # The form sent again after the restart: the stored answer, nothing stored twice.
    replay = again.tap({"person_id": "p", "name": "P"}, "b1", "checkin", area="Aula", nonce="n1")
    assert replay.replayed and replay.outcome == CHECKED_IN
    assert con.execute("SELECT count(*) FROM events").fetchall() == [(2,)]


# --- a known person, a reused form ------------------------------------------------------


def test_a_known_person_keeps_the_stored_category_and_name(tmp_path: Path) -> None:
    """RULES "Self check-in": a phone's category and name are a declaration only for a
    person the store does not know; a known ASN's visit keeps the ASN MAX_STAY."""
    clock = Clock()
    desk = make_desk(tmp_path, clock)
    con = desk.database.cursor()
    con.execute("INSERT INTO persons (person_id, name, category) VALUES ('1987', 'Budi Santoso', 'ASN')")
    assert desk.known_person("1987").category == "ASN" and desk.known_person("0812") is None
    desk.tap({"person_id": "1987", "name": "budi", "category": "visitor", "phone": "0811"}, "b1", "checkin")
    clock.at += timedelta(hours=5)  # a visitor's visit would have ended at 3 h
    out = desk.tap({"person_id": "1987", "category": "visitor"}, "b1", "checkout")
    assert (out.outcome, out.stay_minutes) == (CHECKED_OUT, 300)
    # A new person declares (and is known from the first tap on, before it is stored).
    desk.tap({"person_id": "0812", "name": "Ani", "category": "THL"}, "b1", "checkin")
    assert desk.known_person("0812") == KnownPerson("0812", "Ani", "THL")
    desk.tap({"person_id": "0812", "name": "Mallory", "category": "ASN"}, "b2", "checkin")
    desk.flush()
    assert con.execute("SELECT person_id, name, category, phone FROM persons ORDER BY 1").fetchall() == [
        ("0812", "Ani", "THL", None), ("1987", "Budi Santoso", "ASN", None)]
    assert visit_rows(con)[-1][4] == "scan"


def test_a_form_used_for_another_person_or_poster_is_refused(tmp_path: Path) -> None:
    clock = Clock()
    desk = make_desk(tmp_path, clock)
    desk.tap({"person_id": "a", "name": "A"}, "b1", "checkin", gate="g", nonce="n1")
    for person, building, action, gate in (("b", "b1", "checkin", "g"), ("a", "b2", "checkin", "g"),
                                           ("a", "b1", "checkout", "g"), ("a", "b1", "checkin", "")):
        with pytest.raises(FormReused):
            desk.tap({"person_id": person, "name": "X"}, building, action, gate=gate, nonce="n1")
    assert desk.tap({"person_id": "a"}, "b1", "checkin", gate="g", nonce="n1").replayed
    desk.database.close()  # and after a restart
    again = make_desk(tmp_path, clock)
    with pytest.raises(FormReused):
        again.tap({"person_id": "b", "name": "B"}, "b1", "checkin", gate="g", nonce="n1")
    assert again.tap({"person_id": "a"}, "b1", "checkin", gate="g", nonce="n1").replayed
    again.flush()
    assert again.database.cursor().execute("SELECT person_id FROM events").fetchall() == [("a",)]
