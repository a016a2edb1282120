"""Crowd thresholds and crowding episodes against a plain-Python reading of RULES "Crowding"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import cli
from lib.analytics import crowding
from lib.analytics.crowding import crowding_episodes
from lib.store import db
from lib.store.places import threshold, threshold_from
from tests.support.visits import BASE, V, load, reference_episodes, visit_sets


@pytest.fixture
def db_con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = db.connect(tmp_path / "crowding.duckdb")
    yield connection
    connection.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    visits=visit_sets(span_hours=48),
    thresholds=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    start_minutes=st.integers(-8 * 60, 50 * 60),
    length_minutes=st.integers(1, 30 * 60),
    now_minutes=st.integers(0, 70 * 60),
    margin_minutes=st.sampled_from([5, 90, 24 * 60]),
)
def test_episodes_match_reference(
    db_con: duckdb.DuckDBPyConnection, visits: list[V], thresholds: tuple[int, int], start_minutes: int,
    length_minutes: int, now_minutes: int, margin_minutes: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A small search margin makes the search widen step by step to find whole episodes.
    monkeypatch.setattr(crowding, "SEARCH_MARGIN", timedelta(minutes=margin_minutes))
    load(db_con, visits, {"A": {"threshold_people": thresholds[0]}, "B": {"threshold_people": thresholds[1]}})
    start = BASE + timedelta(minutes=start_minutes)
    end = start + timedelta(minutes=length_minutes)
    now = BASE + timedelta(minutes=now_minutes)
    frame = crowding_episodes(db_con, start, end, now=now)
    assert list(frame.columns) == ["building", "start", "end", "minutes", "peak"]
    expected = reference_episodes(visits, "A", thresholds[0], now, start, end)
    expected += reference_episodes(visits, "B", thresholds[1], now, start, end)
    got = [(r.building, r.start.to_pydatetime(), r.end.to_pydatetime(), r.peak) for r in frame.itertuples()]
    assert got == expected
    for r in frame.itertuples():
        assert r.minutes == pytest.approx((r.end - r.start).total_seconds() / 60)
    # One building with an override threshold.
    one = crowding_episodes(db_con, start, end, building="B", threshold=1, now=now)
    assert [(r.start.to_pydatetime(), r.end.to_pydatetime(), r.peak) for r in one.itertuples()] == [
        e[1:] for e in reference_episodes(visits, "B", 1, now, start, end)
    ]


def test_equal_to_threshold_is_not_crowding(db_con: duckdb.DuckDBPyConnection) -> None:
    t0 = BASE + timedelta(hours=8)
    visits = [
        V("P1", "A", t0, t0 + timedelta(hours=2), "scan", "ASN"),
        V("P2", "A", t0 + timedelta(minutes=30), t0 + timedelta(hours=1), "scan", "ASN"),
        # P3 enters exactly as P2 leaves: two inside at 09:00, never three.
        V("P3", "A", t0 + timedelta(hours=1), t0 + timedelta(hours=1, minutes=30), "scan", "THL"),
        V("P4", "A", t0 + timedelta(minutes=45), t0 + timedelta(minutes=50), "scan", "visitor"),
    ]
    load(db_con, visits, {"A": {"threshold_people": 2}})
    day = (BASE, BASE + timedelta(days=1))
    frame = crowding_episodes(db_con, *day, building="A", now=BASE + timedelta(days=2))
    assert [(r.start - t0, r.end - t0, r.minutes, r.peak) for r in frame.itertuples()] == [
        (timedelta(minutes=45), timedelta(minutes=50), 5.0, 3)
    ]
    assert crowding_episodes(db_con, *day, building="A", threshold=3, now=BASE + timedelta(days=2)).empty
    whole = crowding_episodes(db_con, *day, building="A", threshold=1, now=BASE + timedelta(days=2))
    assert [(r.start - t0, r.end - t0, r.peak) for r in whole.itertuples()] == [
        (timedelta(minutes=30), timedelta(hours=1, minutes=30), 3)
    ]
    # Not clipped: a window inside the episode still gives the whole episode.
    inner = crowding_episodes(db_con, t0 + timedelta(minutes=40), t0 + timedelta(minutes=41), building="A",
                              threshold=1, now=BASE + timedelta(days=2))
    assert inner["start"].tolist() == whole["start"].tolist() and inner["end"].tolist() == whole["end"].tolist()


def test_buildings_without_threshold_give_no_rows(db_con: duckdb.DuckDBPyConnection) -> None:
    t0 = BASE + timedelta(hours=8)
    load(db_con, [V(f"P{i}", "B", t0, t0 + timedelta(hours=1), "scan", "ASN") for i in range(5)])
    assert crowding_episodes(db_con, BASE, BASE + timedelta(days=1), now=BASE + timedelta(days=2)).empty
    assert len(crowding_episodes(db_con, BASE, BASE + timedelta(days=1), threshold=4, now=BASE + timedelta(days=2))) == 1


@pytest.mark.parametrize(
    ("capacity", "people", "share", "level", "expected"),
    [
        (100, 30, 0.5, 2, 30),  # people set directly wins
        (100, None, 0.29, 1, 29),  # share of capacity (no float noise: 0.29 * 100 = 28.999...)
        (45, None, None, 2, 33),  # PPKM level 2: 75 % of 45 = 33.75, rounded down
        (45, None, None, 1, 45),
        (45, None, None, 3, 22),
        (45, None, None, 4, 11),
        (None, None, 0.5, 2, None),  # a share without capacity: no threshold
        (45, None, None, None, None),
        (45, None, None, 7, None),
    ],
)
def test_threshold_rules(capacity, people, share, level, expected) -> None:
    assert threshold_from(capacity, people, share, level) == expected


def test_threshold_reads_building(db_con: duckdb.DuckDBPyConnection) -> None:
    load(db_con, [], {"A": {"capacity": 80, "ppkm_level": 3}})
    assert threshold(db_con, "A") == 40
    assert threshold(db_con, "B") is None
    assert threshold(db_con, "missing") is None


def test_cli_crowding(db_con: duckdb.DuckDBPyConnection, tmp_path: Path, capsys) -> None:
    t0 = BASE + timedelta(hours=8)
    load(db_con, [V(f"P{i}", "A", t0 + timedelta(minutes=i), t0 + timedelta(hours=1), "scan", "ASN") for i in range(3)])
    db_con.close()
    path = str(tmp_path / "crowding.duckdb")
    code = cli.main(["--db", path, "crowding", "--from", "2022-01-03", "--to", "2022-01-03", "--threshold", "2"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out == ["building,start,end,minutes,peak", "A,2022-01-03T08:02:00+08:00,2022-01-03T09:00:00+08:00,58.0,3"]
    code = cli.main(["--db", path, "crowding", "--building", "A", "--from", "2022-01-03", "--to", "2022-01-03"])
    assert code == 0 and capsys.readouterr().out.splitlines() == ["building,start,end,minutes,peak"]
    assert cli.main(["--db", path, "crowding", "--from", "2022-01-03", "--to", "2022-01-03", "--threshold", "x"]) != 0
    assert cli.main(["--db", path, "crowding", "--from", "2022-01-03", "--to", "2022-01-03", "--threshold", "-1"]) != 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith("error: ") for line in err)
