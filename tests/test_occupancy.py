"""Hourly occupancy, inside-now and the weekday pattern against a plain-Python reading of RULES."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import cli
from lib.analytics.occupancy import hourly_occupancy, inside_now, weekday_hour_heatmap
from lib.store import db
from tests.support.visits import BASE, ZONES, V, load, reference_hourly, reference_hours, visit_sets


@pytest.fixture
def db_con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = db.connect(tmp_path / "occupancy.duckdb")
    yield connection
    connection.close()


PROPERTY = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(
    visits=visit_sets(),
    start_minutes=st.integers(-8 * 60, 60 * 60),
    length_minutes=st.integers(1, 36 * 60),
    now_minutes=st.integers(0, 90 * 60),
    by_category=st.booleans(),
)
def test_hourly_occupancy_matches_reference(
    db_con: duckdb.DuckDBPyConnection, visits: list[V], start_minutes: int, length_minutes: int,
    now_minutes: int, by_category: bool,
) -> None:
    load(db_con, visits)
    start = BASE + timedelta(minutes=start_minutes)
    end = start + timedelta(minutes=length_minutes)
    now = BASE + timedelta(minutes=now_minutes)
    frame = hourly_occupancy(db_con, start, end, by_category=by_category, now=now)

    expected = []
    for building, zone in sorted(ZONES.items()):
        for hour in reference_hours(start, end, zone):
            for category in (["ASN", "THL", "visitor"] if by_category else [None]):
                peak, present, person_hours = reference_hourly(visits, building, hour, now, category)
                expected.append((building, hour, category, peak, present, person_hours))
    got = [
        (r.building, r.hour.to_pydatetime(), getattr(r, "category", None), r.peak, r.present, r.person_hours)
        for r in frame.itertuples()
    ]
    assert [g[:5] for g in got] == [e[:5] for e in expected]
    for g, e in zip(got, expected, strict=True):
        assert g[5] == pytest.approx(e[5], abs=1e-9)


def test_empty_hours_are_zero_rows_and_columns(db_con: duckdb.DuckDBPyConnection) -> None:
    load(db_con, [V("P1", "A", BASE + timedelta(hours=8, minutes=30), BASE + timedelta(hours=9, minutes=15), "scan", "ASN")])
    frame = hourly_occupancy(db_con, BASE, BASE + timedelta(days=1), building="A", now=BASE + timedelta(days=2))
    assert list(frame.columns) == ["building", "hour", "peak", "present", "person_hours"]
    assert len(frame) == 24 and str(frame["hour"].dt.tz) == "UTC"
    assert frame["peak"].tolist() == [0] * 8 + [1, 1] + [0] * 14
    assert frame["person_hours"].iloc[8] == pytest.approx(0.5)
    assert frame["person_hours"].iloc[9] == pytest.approx(0.25)
    split = hourly_occupancy(db_con, BASE, BASE + timedelta(days=1), building="A", by_category=True,
                             now=BASE + timedelta(days=2))
    assert list(split.columns) == ["building", "hour", "category", "peak", "present", "person_hours"]
    assert len(split) == 72 and split.groupby("category")["peak"].sum().to_dict() == {"ASN": 2, "THL": 0, "visitor": 0}


def test_zero_length_visit_occupies_nothing(db_con: duckdb.DuckDBPyConnection) -> None:
    at = BASE + timedelta(hours=10, minutes=5)
    load(db_con, [V("P1", "A", at, at, "auto", "visitor")])
    frame = hourly_occupancy(db_con, BASE, BASE + timedelta(days=1), building="A", now=BASE + timedelta(days=2))
    assert frame[["peak", "present", "person_hours"]].to_numpy().sum() == 0


def test_inside_now_counts_open_visits_per_category(db_con: duckdb.DuckDBPyConnection) -> None:
    now = BASE + timedelta(hours=10)
    visits = [
        V("P1", "A", BASE + timedelta(hours=8), None, None, "ASN"),  # inside
        V("P2", "A", BASE + timedelta(hours=6), None, None, "visitor"),  # past 3 h: auto-closed
        V("P3", "A", BASE + timedelta(hours=9), None, None, "visitor"),  # inside
        V("P4", "A", BASE + timedelta(hours=8), BASE + timedelta(hours=9), "scan", "THL"),  # left
        V("P5", "B", BASE + timedelta(hours=9, minutes=59), None, None, "THL"),  # inside
    ]
    load(db_con, visits, {"A": {"capacity": 10, "ppkm_level": 2}})
    frame = inside_now(db_con, now=now)
    assert list(frame.columns) == ["building", "name", "ASN", "THL", "visitor", "total", "capacity", "threshold"]
    a, b = frame.iloc[0], frame.iloc[1]
    assert (a["ASN"], a["THL"], a["visitor"], a["total"], a["capacity"], a["threshold"]) == (1, 0, 1, 2, 10, 7)
    assert (b["total"], b["THL"]) == (1, 1) and b["threshold"] is pd.NA


def test_weekday_hour_heatmap_averages_local_hours(db_con: duckdb.DuckDBPyConnection) -> None:
    # Monday 08:00-10:00 WITA on two Mondays, 3 and 1 persons.
    visits = [V(f"P{i}", "A", BASE + timedelta(hours=8), BASE + timedelta(hours=10), "scan", "ASN") for i in range(3)]
    visits.append(V("Q", "A", BASE + timedelta(days=7, hours=8), BASE + timedelta(days=7, hours=9), "scan", "THL"))
    load(db_con, visits)
    heat = weekday_hour_heatmap(db_con, "A", BASE, BASE + timedelta(days=14), now=BASE + timedelta(days=20))
    assert list(heat.columns) == ["weekday", "hour", "avg_peak", "avg_present"] and len(heat) == 168
    cell = heat.set_index(["weekday", "hour"])
    assert cell.loc[(0, 8), "avg_peak"] == 2.0 and cell.loc[(0, 9), "avg_present"] == 1.5
    assert cell.loc[(1, 8), "avg_peak"] == 0.0


def test_cli_occupancy_prints_local_hours(db_con: duckdb.DuckDBPyConnection, tmp_path: Path, capsys) -> None:
    load(db_con, [V("P1", "A", BASE + timedelta(hours=8, minutes=30), BASE + timedelta(hours=9, minutes=15), "scan", "ASN")])
    db_con.close()
    path = str(tmp_path / "occupancy.duckdb")
    code = cli.main(["--db", path, "occupancy", "--building", "A", "--from", "2022-01-03", "--to", "2022-01-03"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "building,hour,peak,present,person_hours"
    assert len(out) == 25
    assert out[9] == "A,2022-01-03T08:00:00+08:00,1,1,0.5"
    code = cli.main(["--db", path, "occupancy", "--building", "A", "--from", "2022-01-03 08:00",
                     "--to", "2022-01-03 10:00", "--by-category"])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "building,hour,category,peak,present,person_hours"
    assert out[1:4] == [
        "A,2022-01-03T08:00:00+08:00,ASN,1,1,0.5",
        "A,2022-01-03T08:00:00+08:00,THL,0,0,0.0",
        "A,2022-01-03T08:00:00+08:00,visitor,0,0,0.0",
    ]
    assert cli.main(["--db", path, "occupancy", "--building", "nope", "--from", "2022-01-03", "--to", "2022-01-03"]) != 0
    assert cli.main(["--db", path, "occupancy", "--building", "A", "--from", "2022-01-03"]) != 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith("error: ") for line in err)
