"""Live figures of the Now page against a plain-Python reading of the visits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.analytics import alerts, live
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


def test_buildings_come_in_the_order_of_their_names_case_ignored(con: duckdb.DuckDBPyConnection) -> None:
    """An imported upper-case id no longer comes before every lower-case one (issue 26)."""
    for building, name in (("ZETA", "alpha"), ("b", "Beta"), ("a", "gamma"), ("C", "beta")):
        buildings.save_building(con, buildings.BuildingForm(building_id=building, name=name, timezone="Asia/Makassar",
                                                            capacity=None, threshold_mode="none"), "test")
    overview = live.now_overview(con, NOW)
    # Same name but for case: the id breaks the tie ('C' < 'b' in code points).
    assert overview["building"].tolist() == ["ZETA", "C", "b", "a"]
    assert overview.index.tolist() == [0, 1, 2, 3]


def test_all_buildings_sums_each_buildings_people_inside(con: duckdb.DuckDBPyConnection) -> None:
    setup_buildings(con)
    importer.record_events(
        con, [event(30, "p1", "a", "checkin"), event(20, "p2", "b", "checkin", "THL"),
              event(10, "v1", "b", "checkin", "visitor"), event(5, "p3", "a", "checkin")], "test", "test",
    )
    assert live.all_buildings(live.now_overview(con, NOW)) == {
        "inside": 4, "inside_ASN": 2, "inside_THL": 1, "inside_visitor": 1,
    }
    assert live.all_buildings(live.now_overview(con, NOW).iloc[:0]) == {
        "inside": 0, "inside_ASN": 0, "inside_THL": 0, "inside_visitor": 0,
    }


def test_alert_people_are_the_visitors_the_alerts_count(con: duckdb.DuckDBPyConnection) -> None:
    """The overstay alert's people by name (the Now page's expander), exactly as many as it counts."""
    setup_buildings(con)
    buildings.save_building(con, buildings.BuildingForm(building_id="a", name="A", timezone="Asia/Makassar",
                                                        capacity=10, threshold_mode="people", threshold_people=3,
                                                        max_stay_visitor_min=60), "test")
    importer.record_events(
        con,
        [event(120, "v1", "a", "checkin", "visitor"),  # 06:30 WITA, closed automatically at 07:30: overstay
         event(100, "v2", "a", "checkin", "visitor"), event(90, "v2", "a", "checkout", "visitor"),  # left
         event(10 * 60, "v3", "a", "checkin", "visitor"),  # closed yesterday: not today's alert
         event(20, "v4", "a", "checkin", "visitor"),  # inside, in office hours: no alert
         event(-9 * 60 - 30, "v5", "a", "checkin", "visitor")],  # comes at 18:00 WITA, after office hours
        "test", "test",
    )
    due = alerts.alerts_due(con, NOW)
    people = alerts.alert_people(con, NOW)
    assert due.loc[due["kind"] == "overstay", ["building", "value"]].values.tolist() == [["a", 1]]
    assert people[["kind", "building", "person_id", "name", "phone"]].values.tolist() == [
        ["overstay", "a", "v1", "Nama v1", "0812"],
    ]
    assert people["until"].iloc[0] == NOW - timedelta(minutes=60)
    # After office hours the visitor inside is named under the after-hours alert.
    evening = NOW + timedelta(hours=10)  # 18:30 WITA
    due = alerts.alerts_due(con, evening)
    people = alerts.alert_people(con, evening)
    counted = due[due["kind"].isin(["after_hours", "overstay"])]
    assert counted[["kind", "value"]].values.tolist() == [["after_hours", 1], ["overstay", 2]]  # v5; v1 and v4
    assert people.loc[people["kind"] == "after_hours", "person_id"].tolist() == ["v5"]
    for kind, building, value in zip(counted["kind"], counted["building"], counted["value"], strict=True):
        assert len(people[(people["kind"] == kind) & (people["building"] == building)]) == value
