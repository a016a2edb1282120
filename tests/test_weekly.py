"""Weekly statistics and trend against a plain-Python reading of RULES "Weekly statistics"."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import cli
from lib.analytics.weekly import parse_iso_week, week_bounds, weekly_stats, weekly_trend
from lib.store import db
from tests.test_crowding import reference_episodes
from tests.test_occupancy import BASE, HOUR, ZONES, V, load, reference_hourly, visit_sets

SHIFT = timedelta(days=5, hours=12)  # the generated days straddle the end of ISO week 2022-W01


def reference_week(visits: list[V], building: str, year: int, week: int, now: datetime, threshold: int | None):
    zone = ZONES[building]
    start, end = week_bounds(year, week, zone)
    mine = [v for v in visits if v.building == building and start <= v.checkin < end]
    monday = date.fromisocalendar(year, week, 1)
    per_day = [0] * 7
    for v in mine:
        per_day[(v.checkin.astimezone(ZoneInfo(zone)).date() - monday).days] += 1
    hours = [start + HOUR * i for i in range(int((end - start) / HOUR))]
    peaks = [reference_hourly(visits, building, h, now)[0] for h in hours]
    peak = max(peaks)
    stays = [(v.checkout - v.checkin).total_seconds() / 60 for v in mine if v.kind == "scan"]
    row = {
        "visits": len(mine),
        "persons": len({v.person for v in mine}),
        **{f"persons_{c}": len({v.person for v in mine if v.category == c}) for c in ("ASN", "THL", "visitor")},
        "per_day": per_day,
        "busiest_day": monday + timedelta(days=per_day.index(max(per_day))) if mine else None,
        "busiest_day_visits": max(per_day),
        "peak": peak,
        "peak_hour": hours[peaks.index(peak)] if peak > 0 else None,
        "median_stay_minutes": statistics.median(stays) if stays else math.nan,
        "auto_close_share": sum(v.effective_kind(now) == "auto" for v in mine) / len(mine) if mine else math.nan,
    }
    episodes = reference_episodes(visits, building, threshold, now, start, end) if threshold is not None else []
    row["crowding_episodes"] = len(episodes)
    row["crowding_minutes"] = sum((min(e[2], end) - max(e[1], start)).total_seconds() / 60 for e in episodes)
    return row


@pytest.fixture
def db_con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = db.connect(tmp_path / "weekly.duckdb")
    yield connection
    connection.close()


def same(a: object, b: object) -> bool:
    if isinstance(b, float) and math.isnan(b):
        return a is None or pd.isna(a)
    if isinstance(b, float):
        return a == pytest.approx(b, abs=1e-9)
    return a == b


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(visits=visit_sets(span_hours=60), threshold=st.integers(0, 2), now_hours=st.integers(100, 200))
def test_weekly_stats_match_reference(
    db_con: duckdb.DuckDBPyConnection, visits: list[V], threshold: int, now_hours: int
) -> None:
    visits = [replace(v, checkin=v.checkin + SHIFT, checkout=v.checkout and v.checkout + SHIFT) for v in visits]
    now = BASE + timedelta(hours=now_hours)
    load(db_con, visits, {"A": {"threshold_people": threshold}})
    frame = weekly_stats(db_con, "2022-W02", now=now)
    assert frame["building"].tolist() == ["A", "B"] and set(frame["week"]) == {"2022-W02"}
    for row in frame.to_dict("records"):
        limit = threshold if row["building"] == "A" else None
        expected = reference_week(visits, row["building"], 2022, 2, now, limit)
        previous = reference_week(visits, row["building"], 2022, 1, now, None)
        for key, value in expected.items():
            if key == "per_day":
                days = [row[f"visits_{d}"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]
                assert days == value
            elif key == "peak_hour":
                assert (None if pd.isna(row[key]) else row[key].to_pydatetime()) == value
            else:
                assert same(row[key], value), (key, row[key], value)
        assert row["visits_per_day"] == pytest.approx(expected["visits"] / 7)
        assert row["visits_prev"] == previous["visits"] and row["persons_prev"] == previous["persons"]
        for name in ("visits", "persons"):
            change = (expected[name] - previous[name]) / previous[name] * 100 if previous[name] else math.nan
            assert same(row[f"{name}_change_pct"], change)

    trend = weekly_trend(db_con, "2022-W02", weeks=3, now=now)
    assert list(trend.columns) == ["week", "building", "visits", "persons", "peak", "median_stay_minutes"]
    assert trend["week"].tolist() == ["2021-W52", "2022-W01", "2022-W02"] * 2
    for row in trend.to_dict("records"):
        year, number = parse_iso_week(row["week"])
        expected = reference_week(visits, row["building"], year, number, now, None)
        for key in ("visits", "persons", "peak", "median_stay_minutes"):
            assert same(row[key], expected[key]), (row, key, expected[key])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2022-W02", (2022, 2)), ("2022W2", (2022, 2)), (" 2020-w53 ", (2020, 53))],
)
def test_parse_iso_week(text: str, expected: tuple[int, int]) -> None:
    assert parse_iso_week(text) == expected


@pytest.mark.parametrize("text", ["2022-W00", "2021-W53", "2022-02", "W02", "", "2022-W054"])
def test_parse_iso_week_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_iso_week(text)


def test_week_bounds_are_local_mondays() -> None:
    assert week_bounds(2022, 2, "Asia/Makassar") == (
        datetime(2022, 1, 9, 16, tzinfo=UTC), datetime(2022, 1, 16, 16, tzinfo=UTC)
    )
    assert week_bounds(2022, 1, "Asia/Jakarta")[0] == datetime(2022, 1, 2, 17, tzinfo=UTC)


def test_sunday_night_visit_belongs_to_its_local_week(db_con: duckdb.DuckDBPyConnection) -> None:
    # Sunday 2022-01-09 23:30 WITA is 15:30 UTC: still local week 1.
    sunday_night = datetime(2022, 1, 9, 15, 30, tzinfo=UTC)
    load(db_con, [V("P1", "A", sunday_night, sunday_night + timedelta(hours=1), "scan", "ASN")])
    w1 = weekly_stats(db_con, "2022-W01", building="A", now=sunday_night + timedelta(days=9))
    w2 = weekly_stats(db_con, "2022-W02", building="A", now=sunday_night + timedelta(days=9))
    assert w1["visits"].tolist() == [1] and w1["visits_sun"].tolist() == [1]
    assert w1["busiest_day"].tolist() == [date(2022, 1, 9)]
    # The stay runs into Monday: week 2 has no visit but its first hour had someone inside.
    assert w2["visits"].tolist() == [0] and w2["peak"].tolist() == [1]
    assert w2["peak_hour"].tolist() == [pd.Timestamp("2022-01-09 16:00", tz="UTC")]
    assert w2["visits_prev"].tolist() == [1] and w2["visits_change_pct"].tolist() == [-100.0]
    assert pd.isna(w2["busiest_day"].iloc[0]) and pd.isna(w2["auto_close_share"].iloc[0])


def test_cli_weekly(db_con: duckdb.DuckDBPyConnection, tmp_path: Path, capsys) -> None:
    t0 = datetime(2022, 1, 10, 0, 30, tzinfo=UTC)  # Monday 08:30 WITA
    load(db_con, [V("P1", "A", t0, t0 + timedelta(minutes=45), "scan", "ASN"),
                  V("P2", "A", t0, t0 + timedelta(hours=3), "auto", "visitor")])
    db_con.close()
    path = str(tmp_path / "weekly.duckdb")
    assert cli.main(["--db", path, "weekly", "--week", "2022-W02"]) == 0
    out = capsys.readouterr().out.splitlines()
    header = out[0].split(",")
    assert header[:3] == ["week", "building", "visits"] and "peak_hour" in header and "crowding_minutes" in header
    assert len(out) == 3  # one row per building, no total row
    row = dict(zip(header, out[1].split(","), strict=True))
    assert row["building"] == "A" and row["visits"] == "2" and row["persons"] == "2"
    assert row["peak_hour"] == "2022-01-10T08:00:00+08:00" and row["peak"] == "2"
    assert row["busiest_day"] == "2022-01-10" and row["median_stay_minutes"] == "45.0"
    assert row["auto_close_share"] == "0.5" and row["visits_change_pct"] == ""
    assert cli.main(["--db", path, "weekly", "--week", "2022-W99"]) != 0
    assert cli.main(["--db", path, "weekly", "--week", "2022-W02", "--building", "nope"]) != 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith("error: ") for line in err)
