"""A room's hourly occupancy and crowding against a plain-Python reading of RULES.

Stays of one room (and of a neighbour room and building, which must not count) are
written as ``lib.ingest.areas`` would; the figures must equal a literal reading of the
rules: a stay occupies ``[start, end)``, an open one ends at ``min(auto end, now)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.analytics.rooms import busiest_room, room_capacity, room_crowding_episodes, room_hourly_occupancy
from lib.store import db

BASE = datetime(2022, 1, 3, 0, tzinfo=UTC)  # 08:00 WITA
AREA_STAY = timedelta(minutes=120)
NOW = BASE + timedelta(hours=30)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Stay:
    person: str
    building: str
    area: str
    start: datetime
    end: datetime | None  # None: still open (ends at min(start + AREA_STAY, now))

    def until(self, now: datetime) -> datetime:
        if self.end is not None:
            return self.end
        return max(self.start, min(self.start + AREA_STAY, now))


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = db.connect(tmp_path_factory.mktemp("rooms") / "rooms.duckdb")
    connection.execute("INSERT INTO buildings (building_id, name, timezone) VALUES "
                       "('kw', 'KW', 'Asia/Makassar'), ('dk', 'DK', 'Asia/Makassar')")
    yield connection
    connection.close()


def store(con: duckdb.DuckDBPyConnection, stays: list[Stay], capacity: int | None) -> None:
    con.execute("DELETE FROM stays; DELETE FROM areas")
    con.execute("INSERT INTO areas (building, area_key, area_id, name, capacity) VALUES "
                "('kw', 'ruang rapat', 'Ruang Rapat', 'Ruang Rapat', ?), ('kw', 'aula', 'Aula', 'Aula', 5)",
                [capacity])
    rows = [(s.person, s.building, s.area, s.start, s.end, "scan" if s.end is not None else None,
             s.start + AREA_STAY) for s in stays]
    if rows:
        con.executemany("INSERT INTO stays VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


@st.composite
def stay_sets(draw: st.DrawFn) -> list[Stay]:
    """Per person a time-ordered run of disjoint stays, some in another room or building."""
    stays: list[Stay] = []
    for number in range(draw(st.integers(1, 8))):
        t = BASE + timedelta(minutes=draw(st.integers(-180, 26 * 60)))
        count = draw(st.integers(1, 4))
        for i in range(count):
            t += timedelta(minutes=draw(st.sampled_from([0, 0, 1, 30, 59, 60, 200])))
            length = timedelta(seconds=draw(st.sampled_from([0, 60, 900, 3600, 3601, 7200]) | st.integers(0, 7200)))
            building, area = draw(st.sampled_from(
                [("kw", "Ruang Rapat"), ("kw", "Ruang Rapat"), ("kw", "Aula"), ("dk", "Ruang Rapat")]
            ))
            is_open = i == count - 1 and draw(st.integers(0, 3)) == 0
            stays.append(Stay(f"P{number}", building, area, t, None if is_open else t + length))
            t += length
    return stays


def in_room(stays: list[Stay]) -> list[tuple[str, datetime, datetime]]:
    """The room's stays as (person, start, end), zero-length ones dropped (they occupy nothing)."""
    return [(s.person, s.start, s.until(NOW)) for s in stays
            if s.building == "kw" and s.area == "Ruang Rapat" and s.until(NOW) > s.start]


def reference_hours(stays: list[Stay], start: datetime, hours: int) -> list[tuple[int, int, float]]:
    room = in_room(stays)
    out = []
    for k in range(hours):
        h0, h1 = start + k * HOUR, start + (k + 1) * HOUR
        instants = [h0] + [s for _, s, _ in room if h0 <= s < h1]
        peak = max(sum(1 for _, s, e in room if s <= t < e) for t in instants)
        present = len({p for p, s, e in room if s < h1 and e > h0})
        seconds = sum(max(timedelta(0), min(e, h1) - max(s, h0)).total_seconds() for _, s, e in room)
        out.append((peak, present, seconds / 3600))
    return out


def reference_episodes(stays: list[Stay], capacity: int, start: datetime, end: datetime) -> list[tuple]:
    room = in_room(stays)
    instants = sorted({s for _, s, _ in room} | {e for _, _, e in room})
    episodes: list[list] = []
    for a, b in zip(instants, instants[1:], strict=False):
        count = sum(1 for _, s, e in room if s <= a < e)
        if count > capacity:
            if episodes and episodes[-1][1] == a:
                episodes[-1][1] = b
                episodes[-1][2] = max(episodes[-1][2], count)
            else:
                episodes.append([a, b, count])
    return [(a, b, peak) for a, b, peak in episodes if a < end and b > start]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stays=stay_sets(), capacity=st.integers(0, 3), first_hour=st.integers(-2, 20), hours=st.integers(1, 12))
def test_room_figures_equal_the_rules(con: duckdb.DuckDBPyConnection, stays: list[Stay], capacity: int,
                                      first_hour: int, hours: int) -> None:
    store(con, stays, capacity)
    start = BASE + first_hour * HOUR
    end = start + hours * HOUR
    hourly = room_hourly_occupancy(con, "kw", "ruang rapat ", start, end, now=NOW)
    assert list(hourly["hour"]) == [start + k * HOUR for k in range(hours)]
    got = [(int(p), int(n), round(float(h), 9)) for p, n, h in
           zip(hourly["peak"], hourly["present"], hourly["person_hours"], strict=True)]
    assert got == [(p, n, round(h, 9)) for p, n, h in reference_hours(stays, start, hours)]

    episodes = room_crowding_episodes(con, "kw", "Ruang Rapat", start, end, now=NOW)
    assert room_capacity(con, "kw", "RUANG RAPAT") == capacity
    got_episodes = [(a.to_pydatetime(), b.to_pydatetime(), int(p))
                    for a, b, p in zip(episodes["start"], episodes["end"], episodes["peak"], strict=True)]
    assert got_episodes == reference_episodes(stays, capacity, start, end)
    assert [round(m, 6) for m in episodes["minutes"]] == [round((b - a).total_seconds() / 60, 6)
                                                         for a, b, _ in got_episodes]


def test_a_room_without_capacity_has_no_crowding_and_assumed_time_is_not_counted(
    con: duckdb.DuckDBPyConnection,
) -> None:
    stays = [Stay("P1", "kw", "Ruang Rapat", BASE, BASE + 2 * HOUR), Stay("P2", "kw", "Ruang Rapat", BASE, None)]
    store(con, stays, None)
    # A roster naming a third person's home room in it changes nothing: assumed time is no head count.
    con.execute("DELETE FROM roster")
    con.execute("INSERT INTO roster VALUES ('P3', 'Bagian Umum', 'kw', 'Ruang Rapat', 1, ?)", [BASE])
    con.execute("INSERT INTO visits (person_id, building, checkin_at, checkout_at, checkout_kind, auto_close_at, "
                "category) VALUES ('P3', 'kw', ?, ?, 'scan', ?, 'ASN')", [BASE, BASE + 3 * HOUR, BASE + 12 * HOUR])
    assert room_capacity(con, "kw", "Ruang Rapat") is None
    # The page opens on a room with a capacity (the Aula), else on the busiest room.
    assert busiest_room(con, "kw") == "Aula"
    con.execute("UPDATE areas SET capacity = NULL")
    assert busiest_room(con, "kw") == "Ruang Rapat" and busiest_room(con, "dk") is None
    assert room_crowding_episodes(con, "kw", "Ruang Rapat", BASE, BASE + 3 * HOUR, now=NOW).empty
    hourly = room_hourly_occupancy(con, "kw", "Ruang Rapat", BASE, BASE + 3 * HOUR, now=NOW)
    assert hourly["peak"].tolist() == [2, 2, 0] and hourly["present"].tolist() == [2, 2, 0]
    # With a capacity of 1 the two people are a crowd for the two hours they share.
    episodes = room_crowding_episodes(con, "kw", "Ruang Rapat", BASE, BASE + 3 * HOUR, capacity=1, now=NOW)
    assert [(e - s, p) for s, e, p in zip(episodes["start"], episodes["end"], episodes["peak"], strict=True)] == [
        (2 * HOUR, 2)
    ]
    con.execute("DELETE FROM roster; DELETE FROM visits")
