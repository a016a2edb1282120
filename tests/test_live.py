"""Live figures of the Now page against a plain-Python reading of the visits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.analytics import live
from lib.analytics.visits import effective_visits_sql
from lib.ingest import buildings, importer
from lib.store import db, places

NOW = datetime(2022, 1, 4, 0, 30, tzinfo=UTC)  # 08:30 WITA, 07:30 WIB
ZONES = {"a": "Asia/Makassar", "b": "Asia/Jakarta"}


def setup_buildings(con: duckdb.DuckDBPyConnection) -> None:
    for building, zone in ZONES.items():
        buildings.save_building(
            con,
            buildings.BuildingForm(building_id=building, name=building.upper(), timezone=zone, capacity=10,
                                   threshold_mode="people", threshold_people=3),
            "test",
        )


def event(minutes_before_now: int, person: str, building: str, action: str, category: str = "ASN") -> dict[str, object]:
    return {"timestamp": NOW - timedelta(minutes=minutes_before_now), "person_id": person, "building": building,
            "action": action, "category": category, "name": f"Nama {person}", "phone": "0812"}


@pytest.mark.parametrize(
    ("inside", "threshold", "light"),
    [(0, 10, "green"), (7, 10, "green"), (8, 10, "yellow"), (10, 10, "yellow"), (11, 10, "red"),
     (5, None, None), (1, 0, "red"), (0, 0, "yellow")],
)
def test_traffic_light(inside: int, threshold: int | None, light: str | None) -> None:
    assert live.traffic_light(inside, threshold) == light


def test_local_days_follow_each_buildings_zone(con: duckdb.DuckDBPyConnection) -> None:
    setup_buildings(con)
    # 16:30 UTC on 3 January: 00:30 WITA on the 4th (today in a), 23:30 WIB on the 3rd (yesterday in b).
    importer.record_events(
        con,
        [event(8 * 60, "p1", "a", "checkin"), event(8 * 60, "p2", "b", "checkin", "THL"),
         event(60, "v1", "a", "checkin", "visitor"), event(30, "v1", "a", "checkout", "visitor"),
         event(20, "v2", "b", "checkin", "visitor")],
        "test", "test",
    )
    overview = live.now_overview(con, NOW).set_index("building")
    assert overview.loc["a", "inside"] == 1 and overview.loc["a", "inside_ASN"] == 1
    assert overview.loc["a", "visits_today"] == 2 and overview.loc["a", "finished_today"] == 1
    assert overview.loc["b", "inside"] == 2
    assert overview.loc["b", "inside_THL"] == 1 and overview.loc["b", "inside_visitor"] == 1
    assert overview.loc["b", "visits_today"] == 1 and overview.loc["b", "finished_today"] == 0
    assert overview.loc["b", "threshold"] == 3
    assert overview.loc["a", "light"] == "green" and overview.loc["b", "light"] == "green"  # 2 < 80 % of 3
    assert overview.loc["a", "timezone"] == "Asia/Makassar"


def test_last_scans_are_newest_first_with_names(con: duckdb.DuckDBPyConnection) -> None:
    setup_buildings(con)
    importer.record_events(
        con, [event(50 - i, f"p{i}", "a", "checkin") for i in range(12)] + [event(-5, "future", "a", "checkin")],
        "test", "test",
    )
    scans = live.last_scans(con, NOW, limit=10)
    assert len(scans) == 10
    assert scans["person_id"].tolist() == [f"p{i}" for i in range(11, 1, -1)]
    assert scans["name"].iloc[0] == "Nama p11"
    assert list(scans.columns) == [
        "ts", "building", "building_name", "gate", "gate_name", "action", "person_id", "name", "category",
    ]
    assert set(scans["building_name"]) == {"A"}
    assert scans["gate_name"].isna().all()  # scans without a gate


def test_last_scans_name_buildings_and_gates(con: duckdb.DuckDBPyConnection) -> None:
    setup_buildings(con)
    places.save_gate(con, "a", "utama", "Pintu Utama", "test")
    scans = [
        {**event(3, "p1", "a", "checkin"), "gate": "utama"},
        {**event(2, "p2", "a", "checkin"), "gate": "gudang"},  # a gate nobody configured
        {**event(1, "p3", "b", "checkin")},
    ]
    importer.record_events(con, scans, "test", "test")
    shown = live.last_scans(con, NOW).set_index("person_id")
    assert shown.loc["p1", "building_name"] == "A" and shown.loc["p1", "gate_name"] == "Pintu Utama"
    assert shown.loc["p2", "gate_name"] == "gudang"
    assert shown.loc["p3", "building_name"] == "B" and pd.isna(shown.loc["p3", "gate_name"])


def test_a_visit_begun_yesterday_is_not_finished_today(con: duckdb.DuckDBPyConnection) -> None:
    """Finished today counts today's visits that are over: never more than the visits today."""
    setup_buildings(con)
    # In a (WITA) today began 8.5 h before NOW: a night visit from 22:30 yesterday to 08:00.
    importer.record_events(
        con,
        [event(10 * 60, "night", "a", "checkin"), event(30, "night", "a", "checkout"),
         event(60, "v1", "a", "checkin", "visitor"), event(45, "v1", "a", "checkout", "visitor")],
        "test", "test",
    )
    overview = live.now_overview(con, NOW).set_index("building")
    assert overview.loc["a", "visits_today"] == 1
    assert overview.loc["a", "finished_today"] == 1  # v1, not the night visit


events_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=7),  # person
        st.sampled_from(["a", "b"]),
        st.sampled_from(["checkin", "checkout"]),
        st.integers(min_value=0, max_value=30 * 60),  # minutes before now
        st.sampled_from(["ASN", "THL", "visitor"]),
    ),
    max_size=40,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events_strategy)
def test_overview_matches_a_plain_reference(tmp_path_factory: pytest.TempPathFactory,
                                            raw: list[tuple[int, str, str, int, str]]) -> None:
    con = db.connect(tmp_path_factory.mktemp("live") / "p.duckdb")
    try:
        setup_buildings(con)
        # One category per person (RULES: the latest non-empty value is the person's).
        category = {p: c for p, _, _, _, c in raw}
        if raw:
            importer.record_events(con, [event(m, f"p{p}", b, a, category[p]) for p, b, a, m, _ in raw], "t", "t")
        visits = con.execute(
            f"SELECT building, category, checkin_at, checkout_at FROM ({effective_visits_sql('CAST($now AS TIMESTAMPTZ)')})",
            {"now": NOW},
        ).fetchall()
        overview = live.now_overview(con, NOW).set_index("building")
        for building, zone in ZONES.items():
            local = NOW.astimezone(ZoneInfo(zone))
            day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
            mine = [v for v in visits if v[0] == building]
            inside = [v for v in mine if v[2] <= NOW and (v[3] is None or v[3] > NOW)]
            assert overview.loc[building, "inside"] == len(inside)
            for cat in db.CATEGORIES:
                assert overview.loc[building, f"inside_{cat}"] == sum(v[1] == cat for v in inside)
            assert overview.loc[building, "visits_today"] == sum(day_start <= v[2] <= NOW for v in mine)
            assert overview.loc[building, "finished_today"] == sum(
                day_start <= v[2] and v[3] is not None and v[3] <= NOW for v in mine
            )
            assert overview.loc[building, "finished_today"] <= overview.loc[building, "visits_today"]
            assert overview.loc[building, "light"] == live.traffic_light(len(inside), 3)
    finally:
        con.close()
