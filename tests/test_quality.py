"""Data-quality figures per building and local day, compliance and quarantine rows."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.analytics import quality
from lib.analytics.visits import effective_visits_sql
from lib.ingest import buildings, importer
from lib.store import db, places
from tests.conftest import write_csv

NOW = datetime(2022, 1, 6, 4, 0, tzinfo=UTC)
ZONES = {"a": "Asia/Makassar", "b": "Asia/Jakarta"}
FIRST, LAST = date(2022, 1, 4), date(2022, 1, 5)


def setup_buildings(con: duckdb.DuckDBPyConnection) -> None:
    for building, zone in ZONES.items():
        buildings.save_building(
            con, buildings.BuildingForm(building_id=building, name=building, timezone=zone, capacity=None,
                                        threshold_mode="none"), "test",
        )


events_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5),
        st.sampled_from(["a", "b"]),
        st.sampled_from(["checkin", "checkout"]),
        st.integers(min_value=0, max_value=4 * 24 * 60),  # minutes after 2022-01-02 12:00 UTC
        st.sampled_from(["ASN", "THL", "visitor"]),
    ),
    max_size=40,
)
START = datetime(2022, 1, 2, 12, 0, tzinfo=UTC)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events_strategy)
def test_daily_anomalies_match_a_plain_reference(tmp_path_factory: pytest.TempPathFactory,
                                                 raw: list[tuple[int, str, str, int, str]]) -> None:
    con = db.connect(tmp_path_factory.mktemp("quality") / "p.duckdb")
    try:
        setup_buildings(con)
        category = {p: c for p, _, _, _, c in raw}
        rows = [
            {"timestamp": START + timedelta(minutes=m), "person_id": f"p{p}", "building": b, "action": a,
             "category": category[p]}
            for p, b, a, m, _ in raw
        ]
        if rows:
            importer.record_events(con, rows, "t", "t")
        frame = quality.daily_anomalies(con, FIRST, LAST, NOW)
        assert len(frame) == 2 * 2  # every building and day, zeros included

        def local_day(instant: datetime, building: str) -> date:
            return instant.astimezone(ZoneInfo(ZONES[building])).date()

        expected: Counter[tuple[str, date, str]] = Counter()
        for building, ts, kind in con.execute("SELECT building, ts, kind FROM scan_anomalies").fetchall():
            expected[(building, local_day(ts, building), kind)] += 1
        autos = con.execute(
            f"SELECT building, checkin_at FROM ({effective_visits_sql('CAST($now AS TIMESTAMPTZ)')}) "
            "WHERE checkout_kind = 'auto'",
            {"now": NOW},
        ).fetchall()
        for building, checkin in autos:
            expected[(building, local_day(checkin, building), "auto")] += 1
        for row in frame.itertuples():
            assert row.duplicates == expected[(row.building, row.day, "duplicate")]
            assert row.orphans == expected[(row.building, row.day, "orphan")]
            assert row.auto_closes == expected[(row.building, row.day, "auto")]
    finally:
        con.close()


def test_compliance_counts_distinct_staff_against_the_expected_number(con: duckdb.DuckDBPyConnection) -> None:
    setup_buildings(con)
    day = datetime(2022, 1, 4, 0, 0, tzinfo=UTC)  # 08:00 WITA Tuesday
    events = []
    for person, category in [("n1", "ASN"), ("n2", "ASN"), ("t1", "THL"), ("v1", "visitor")]:
        events.append({"timestamp": day, "person_id": person, "building": "a", "action": "checkin", "category": category})
        events.append({"timestamp": day + timedelta(hours=1), "person_id": person, "building": "a",
                       "action": "checkout"})
    # n1 comes back after lunch: still one person that day.
    events.append({"timestamp": day + timedelta(hours=5), "person_id": "n1", "building": "a", "action": "checkin"})
    importer.record_events(con, events, "t", "t")
    places.set_expected_staff(con, "a", 4, "kabag")
    frame = quality.compliance(con, FIRST, LAST).set_index(["building", "day"])
    tuesday = frame.loc[("a", date(2022, 1, 4))]
    assert tuesday["staff_checked_in"] == 3
    assert tuesday["expected"] == 4
    assert tuesday["share"] == pytest.approx(0.75)
    assert tuesday["weekday"] == 2
    assert frame.loc[("a", date(2022, 1, 5)), "staff_checked_in"] == 0
    assert frame.loc[("b", date(2022, 1, 4)), "share"] != frame.loc[("b", date(2022, 1, 4)), "share"]  # NaN


def test_quarantined_rows_are_listed_with_the_reason_in_words(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "log.csv", ["timestamp", "person_id", "building", "action"],
        [["2022-01-03 08:00", "1", "a", "masuk"], ["kemarin", "2", "a", "masuk"], ["2022-01-03 09:00", "3", "a", "lompat"]],
    )
    importer.import_file(con, path, actor="kabag")
    rows = quality.quarantine_rows(con, ["log.csv"], lang="en")
    assert rows["row_no"].tolist() == [3, 4]  # spreadsheet rows: the header is row 1
    assert rows["reason_text"].tolist() == ["unreadable timestamp", "unknown action (must be check-in/check-out)"]
    assert "kemarin" in rows["raw"].iloc[0]
    assert quality.quarantine_rows(con, ["other.csv"]).empty
    assert quality.quarantine_rows(con, lang="id")["reason_text"].iloc[0] == "waktu tidak dapat dibaca"
    per_import = quality.quarantine_by_import(con)
    assert per_import["quarantined"].tolist() == [2]
