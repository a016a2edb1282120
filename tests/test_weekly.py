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
from tests.support.visits import BASE, HOUR, ZONES, V, load, reference_episodes, reference_hourly, visit_sets

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


# --- city-wide totals, the weeks to pick, the trend from the first week with data --------


def reference_city(visits: list[V], buildings: list[str], year: int, week: int, now: datetime) -> dict:
    """RULES, literally: each visit in its building's local week; persons counted once."""
    monday = date.fromisocalendar(year, week, 1)

    def in_week(v: V, y: int, w: int) -> bool:
        start, end = week_bounds(y, w, ZONES[v.building])
        return v.building in buildings and start <= v.checkin < end

    mine = [v for v in visits if in_week(v, year, week)]
    prev_iso = (monday - timedelta(weeks=1)).isocalendar()
    prev = [v for v in visits if in_week(v, prev_iso.year, prev_iso.week)]
    per_day = [0] * 7
    for v in mine:
        per_day[(v.checkin.astimezone(ZoneInfo(ZONES[v.building])).date() - monday).days] += 1
    stays = [(v.checkout - v.checkin).total_seconds() / 60 for v in mine if v.kind == "scan"]
    return {
        "visits": len(mine),
        "persons": len({v.person for v in mine}),
        **{f"persons_{c}": len({v.person for v in mine if v.category == c}) for c in ("ASN", "THL", "visitor")},
        **{f"visits_{d}": per_day[i] for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
        "busiest_day": monday + timedelta(days=per_day.index(max(per_day))) if mine else None,
        "median_stay_minutes": statistics.median(stays) if stays else None,
        "auto_close_share": sum(v.effective_kind(now) == "auto" for v in mine) / len(mine) if mine else None,
        "visits_prev": len(prev),
        "persons_prev": len({v.person for v in prev}),
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(visits=visit_sets(span_hours=60), now_hours=st.integers(100, 200), which=st.sampled_from([["A", "B"], ["B"]]))
def test_city_totals_match_reference_and_add_up_the_buildings(
    db_con: duckdb.DuckDBPyConnection, visits: list[V], now_hours: int, which: list[str]
) -> None:
    from lib.analytics.weekly import city_week_totals

    visits = [replace(v, checkin=v.checkin + SHIFT, checkout=v.checkout and v.checkout + SHIFT) for v in visits]
    load(db_con, visits)
    now = BASE + SHIFT + timedelta(hours=now_hours)
    for year, week in ((2022, 1), (2022, 2)):
        label = f"{year}-W{week:02d}"
        got = city_week_totals(db_con, label, which, now=now)
        expected = reference_city(visits, which, year, week, now)
        for key, value in expected.items():
            assert same(got[key], value) if value is not None else got[key] is None, (label, key, got[key], value)
        stats = weekly_stats(db_con, label, now=now)
        stats = stats[stats["building"].isin(which)]
        assert got["visits"] == int(stats["visits"].sum())  # visits add up across buildings
        assert got["persons"] <= int(stats["persons"].sum())  # persons do not: each counts once
        assert got["buildings"] == len(which)


def test_a_person_in_two_buildings_counts_once_city_wide(db_con: duckdb.DuckDBPyConnection) -> None:
    from lib.analytics.weekly import city_week_totals

    t0 = datetime(2022, 1, 10, 1, tzinfo=UTC)  # Monday of 2022-W02 in both zones
    hour = timedelta(hours=1)
    load(db_con, [V("P1", "A", t0, t0 + hour, "scan", "ASN"), V("P1", "B", t0 + 2 * hour, t0 + 3 * hour, "scan", "ASN"),
                  V("P2", "A", t0, t0 + hour, "auto", "visitor"), V("P3", "B", t0, t0 + hour, "scan", "THL")])
    now = t0 + timedelta(days=30)
    stats = weekly_stats(db_con, "2022-W02", now=now)
    city = city_week_totals(db_con, "2022-W02", now=now)
    assert stats["persons"].tolist() == [2, 2] and city["persons"] == 3  # P1 once
    assert city["visits"] == 4 == int(stats["visits"].sum())
    assert (city["persons_ASN"], city["persons_THL"], city["persons_visitor"]) == (1, 1, 1)
    assert city["auto_close_share"] == 0.25 and city["median_stay_minutes"] == 60.0
    assert city["visits_mon"] == 4 and city["busiest_day"] == date(2022, 1, 10)
    assert city["visits_prev"] == 0 and city["visits_change_pct"] is None
    only_a = city_week_totals(db_con, "2022-W02", ["A"], now=now)  # the building filter is one list
    assert (only_a["visits"], only_a["persons"], only_a["buildings"]) == (2, 2, 1)
    assert city_week_totals(db_con, "2022-W02", [], now=now)["visits"] == 0


def test_a_partial_first_week_is_found_and_gives_no_growth(db_con: duckdb.DuckDBPyConnection) -> None:
    """Data that began on a Thursday: the first week holds four days, and the next week's
    'growth' against it is not computed (the counts of the week before stay)."""
    from lib.analytics.weekly import city_week_totals, partial_first_week, without_change_against

    assert partial_first_week(db_con) is None  # no data
    hour = timedelta(hours=1)
    thursday = datetime(2022, 1, 20, 1, tzinfo=UTC)  # Thursday of 2022-W03, 09:00 WITA
    visits = [V(f"P{i}", "A", thursday + timedelta(weeks=w, days=i % 3), thursday + timedelta(weeks=w, days=i % 3) + hour,
                "scan", "ASN") for w in range(3) for i in range(2 + 4 * min(w, 1))]
    load(db_con, visits)
    now = thursday + timedelta(days=30)
    assert partial_first_week(db_con) == ("2022-W03", date(2022, 1, 20))
    stats = weekly_stats(db_con, "2022-W04", now=now)
    assert stats.set_index("building").loc["A", "visits_change_pct"] == 200.0  # the false jump
    partial = partial_first_week(db_con)
    fixed = without_change_against(stats, "2022-W04", partial)
    row = fixed.set_index("building").loc["A"]
    assert pd.isna(row["visits_change_pct"]) and pd.isna(row["persons_change_pct"]) and row["visits_prev"] == 2
    city = without_change_against(city_week_totals(db_con, "2022-W04", now=now), "2022-W04", partial)
    assert city["visits_change_pct"] is None and city["visits_prev"] == 2
    # The week after a full week keeps its change; so does the partial week itself.
    later = without_change_against(weekly_stats(db_con, "2022-W05", now=now), "2022-W05", partial)
    assert later.set_index("building").loc["A", "visits_change_pct"] == 0.0
    assert without_change_against(stats, "2022-W03", partial) is stats


def test_data_that_begins_on_a_monday_has_no_partial_week(db_con: duckdb.DuckDBPyConnection) -> None:
    from lib.analytics.weekly import partial_first_week

    # Monday 00:30 WITA is still Sunday in UTC: the local day decides.
    monday = datetime(2022, 1, 16, 16, 30, tzinfo=UTC)
    load(db_con, [V("P1", "A", monday, monday + timedelta(hours=1), "scan", "ASN")])
    assert partial_first_week(db_con) is None


def test_trend_and_week_choices_start_at_the_first_week_with_data(db_con: duckdb.DuckDBPyConnection) -> None:
    from lib.analytics.weekly import data_weeks, trend_from_first_data, week_choices

    assert data_weeks(db_con) is None and week_choices(db_con, date(2022, 2, 2)) == ([], 0)
    hour = timedelta(hours=1)
    w3 = datetime(2022, 1, 17, 1, tzinfo=UTC)  # Monday of 2022-W03
    w5 = w3 + timedelta(weeks=2)
    load(db_con, [V("P1", "A", w3, w3 + hour, "scan", "ASN"), V("P2", "B", w5, w5 + hour, "scan", "ASN")])
    now = w5 + timedelta(days=30)
    trend = weekly_trend(db_con, "2022-W05", weeks=12, now=now)
    assert len(trend) == 24 and trend["week"].min() == "2021-W46"  # twelve weeks, mostly zeros
    trimmed = trend_from_first_data(trend)
    # From W03, the first week with a visit; W04 (no visits in between) stays, for both buildings.
    assert sorted(set(trimmed["week"])) == ["2022-W03", "2022-W04", "2022-W05"]
    assert len(trimmed) == 6 and int(trimmed["visits"].sum()) == 2
    assert trend_from_first_data(trend[trend["week"] < "2022-W03"]).empty

    assert data_weeks(db_con) == ("2022-W03", "2022-W05")
    assert data_weeks(db_con, ["B"]) == ("2022-W05", "2022-W05")
    # Data up to this week: the last finished week is the default; older data: its newest week.
    assert week_choices(db_con, date(2022, 2, 2)) == (["2022-W05", "2022-W04", "2022-W03"], 1)
    assert week_choices(db_con, date(2022, 3, 1)) == (["2022-W05", "2022-W04", "2022-W03"], 0)
    assert week_choices(db_con, date(2022, 2, 2), ["B"]) == (["2022-W05"], 0)
    assert week_choices(db_con, date(2022, 2, 2), most=2)[0] == ["2022-W05", "2022-W04"]


def test_largest_building_is_the_busiest_of_the_latest_week_with_data(db_con: duckdb.DuckDBPyConnection) -> None:
    from lib.analytics.weekly import largest_building

    hour = timedelta(hours=1)
    w1 = datetime(2022, 1, 3, 1, tzinfo=UTC)
    w2 = w1 + timedelta(weeks=1)
    visits = [V(f"A{i}", "A", w1, w1 + hour, "scan", "ASN") for i in range(5)]  # A busier in W01
    visits += [V(f"B{i}", "B", w2, w2 + hour, "scan", "ASN") for i in range(2)]  # only B in W02, the latest
    visits += [V("A9", "A", w2, w2 + hour, "scan", "ASN")]
    load(db_con, visits)
    now = w2 + timedelta(days=30)
    assert largest_building(db_con, now=now) == "B"
    assert largest_building(db_con, ["A"], now=now) == "A"
    load(db_con, [])
    assert largest_building(db_con, now=now) is None
