"""Issue 22: a tap carries the visit's purpose and host and the visitor's institution.

A check-in at the front desk and a tap on the phone page go through the same desk
(``CheckinDesk.tap``): the journal line holds the fields, a replay after a crash stores
them, and the visit its check-in begins keeps purpose and host; the person keeps the
latest institution given.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lib.ingest.desk import CHECKED_IN, CHECKED_OUT, CheckinDesk
from lib.store import db
from lib.store.journal import Journal, journal_path

START = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 WITA


class Clock:
    def __init__(self, at: datetime = START) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def make_desk(path: Path, clock: Clock) -> CheckinDesk:
    database = db.SharedDatabase(path)
    con = database.cursor()
    con.execute("INSERT INTO buildings (building_id, name) VALUES ('kw', 'Kantor Walikota') ON CONFLICT DO NOTHING")
    con.close()
    desk = CheckinDesk(database, Journal(journal_path(path)), batch_seconds=3600, clock=clock)
    desk.start()
    return desk


def visits_of(desk: CheckinDesk, person_id: str) -> list[tuple]:
    con = desk.database.cursor()
    try:
        return con.execute(
            "SELECT purpose, host, checkout_at IS NOT NULL FROM visits WHERE person_id = ? ORDER BY checkin_at",
            [person_id],
        ).fetchall()
    finally:
        con.close()


def institution_of(desk: CheckinDesk, person_id: str) -> str | None:
    con = desk.database.cursor()
    try:
        rows = con.execute("SELECT institution FROM persons WHERE person_id = ?", [person_id]).fetchall()
    finally:
        con.close()
    return rows[0][0] if rows else None


def test_a_desk_check_in_makes_a_visit_with_its_purpose_and_host(tmp_path: Path) -> None:
    clock = Clock()
    desk = make_desk(tmp_path / "pantau.duckdb", clock)
    visitor = {"person_id": "6281234567890", "name": "Siti Aminah", "phone": "0812-3456-7890"}
    answer = desk.tap(visitor, "kw", "checkin", purpose="Mengurus KTP", host="Bagian Umum", institution="PT Maju")
    assert answer.outcome == CHECKED_IN
    desk.flush()  # stored: the check-out's batch re-pairs from the open visit it finds stored
    clock.at += timedelta(minutes=40)
    # The check-out (the slip's QR at the door) names nothing: the visit keeps its check-in's fields.
    assert desk.tap({"person_id": "6281234567890"}, "kw", "checkout").outcome == CHECKED_OUT
    desk.flush()
    assert visits_of(desk, "6281234567890") == [("Mengurus KTP", "Bagian Umum", True)]
    assert institution_of(desk, "6281234567890") == "PT Maju"
    desk.stop()


def test_a_phone_tap_without_the_fields_makes_the_same_visit_with_none(tmp_path: Path) -> None:
    clock = Clock()
    desk = make_desk(tmp_path / "pantau.duckdb", clock)
    desk.tap({"person_id": "1987", "name": "Budi"}, "kw", "checkin")
    desk.flush()
    assert visits_of(desk, "1987") == [(None, None, False)]
    desk.stop()


def test_the_fields_are_cleaned_and_bounded(tmp_path: Path) -> None:
    clock = Clock()
    desk = make_desk(tmp_path / "pantau.duckdb", clock)
    desk.tap(
        {"person_id": "77"}, "kw", "checkin",
        purpose="Rapat\u202e  koordinasi\x00", host="x" * 5000, institution="  Dinas\tKesehatan ",
    )
    desk.flush()
    purpose, host, _ = visits_of(desk, "77")[0]
    assert purpose == "Rapat koordinasi"
    assert host == "x" * 200
    assert institution_of(desk, "77") == "Dinas Kesehatan"
    desk.stop()


def test_the_fields_are_journalled_and_replayed_after_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "pantau.duckdb"
    clock = Clock()
    desk = make_desk(path, clock)
    desk.tap({"person_id": "55", "name": "Rina"}, "kw", "checkin", purpose="Legalisir", host="Dinas Dukcapil",
             institution="Universitas Sam Ratulangi")
    lines = [json.loads(line) for line in journal_path(path).read_text().splitlines()]
    event = next(line["event"] for line in lines if "event" in line)
    assert (event["purpose"], event["host"], event["institution"]) == (
        "Legalisir", "Dinas Dukcapil", "Universitas Sam Ratulangi")
    # A crash before the batch: nothing stored yet, the journal holds the tap.
    desk.journal.close()
    desk.database.close()
    db._SHARED.clear()
    again = make_desk(path, clock)  # start() replays the journal
    assert visits_of(again, "55") == [("Legalisir", "Dinas Dukcapil", False)]
    assert institution_of(again, "55") == "Universitas Sam Ratulangi"
    again.stop()


def test_a_later_institution_replaces_the_earlier_and_an_empty_one_keeps_it(tmp_path: Path) -> None:
    clock = Clock()
    desk = make_desk(tmp_path / "pantau.duckdb", clock)
    desk.tap({"person_id": "9"}, "kw", "checkin", institution="PT Lama")
    clock.at += timedelta(hours=1)
    desk.tap({"person_id": "9"}, "kw", "checkout")
    clock.at += timedelta(days=1)
    desk.tap({"person_id": "9"}, "kw", "checkin", institution="PT Baru", purpose="Rapat")
    clock.at += timedelta(hours=1)
    desk.tap({"person_id": "9"}, "kw", "checkout")
    clock.at += timedelta(days=1)
    desk.tap({"person_id": "9"}, "kw", "checkin")
    desk.flush()
    assert institution_of(desk, "9") == "PT Baru"
    assert [v[0] for v in visits_of(desk, "9")] == [None, "Rapat", None]
    desk.stop()
