"""The demo month's rooms: a trace of its positive case lists a short K1 list and a longer K2 one.

What a tracer trying the demo would notice: the case's office mates (room from the staff
roster) and the health-office meeting colleagues (scanned meeting room) come first, every
one of them with a room; the rest of the city hall follows as K2; a few rooms have a
capacity, and the vaccination event overfills the hall.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from lib.analytics import rooms, tracing
from lib.ingest import demo
from lib.store import db
from tests.support.demo_store import copy_demo_store


@pytest.fixture(scope="module")
def demo_con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    con = db.connect(copy_demo_store(Path(tmp_path_factory.mktemp("demo_rooms")) / "pantau.duckdb"))
    yield con
    con.close()


def test_the_positive_case_has_a_short_k1_list_of_shared_rooms(demo_con: duckdb.DuckDBPyConnection) -> None:
    swab = pd.Timestamp.now(tz=db.DEFAULT_TIMEZONE).date() - timedelta(days=5)
    start, end = tracing.onset_window(swab)
    contacts = tracing.trace_contacts(demo_con, demo.POSITIVE_CASE_ID, start, end, audit=False)
    k1 = contacts[contacts["grade"] == "K1"]
    k2 = contacts[contacts["grade"] == "K2"]
    assert 5 <= len(k1) <= 30
    assert len(k2) > 3 * len(k1)
    assert (k1["areas"].str.len() > 0).all() and (k1["area_minutes"] >= tracing.DEFAULT_MIN_OVERLAP_MINUTES).all()
    rooms_shared = set(";".join(k1["areas"]).split(";"))
    assert {"Bagian Umum", "Ruang Rapat"} <= rooms_shared  # the office (roster) and the meeting room (scanned)
    assert k1["area_assumed"].any() and not k1["area_assumed"].all()
    assert set(k1["unit"].dropna()) >= {"Bagian Umum"}


def test_the_roster_came_through_the_import_and_some_rooms_have_a_capacity(
    demo_con: duckdb.DuckDBPyConnection,
) -> None:
    imported = demo_con.execute(
        "SELECT shape, status, rows_read FROM imports WHERE file_name LIKE '%daftar-pegawai%'"
    ).fetchall()
    staff = sum(asn + thl for asn, thl in demo.STAFF.values())
    assert len(imported) == 1 and imported[0][0] == "roster" and imported[0][2] == staff
    assert demo_con.execute("SELECT count(*) FROM roster WHERE unit IS NOT NULL").fetchall()[0][0] == staff
    with_capacity = demo_con.execute("SELECT count(*) FROM areas WHERE capacity IS NOT NULL").fetchall()[0][0]
    assert 3 <= with_capacity
    today = pd.Timestamp.now(tz=db.DEFAULT_TIMEZONE).date()
    start, end = tracing.onset_window(today - timedelta(days=16))  # the whole month, about
    hall = rooms.room_crowding_episodes(demo_con, "kantor-walikota", demo.HALL, start, end)
    assert len(hall) == 1 and hall["peak"].iloc[0] > 150
    meeting = rooms.room_hourly_occupancy(demo_con, "kantor-walikota", demo.MEETING_ROOM, start, end)
    assert meeting["peak"].max() > 0
