"""Stored hourly figures (lib.analytics.figures): what pages read equals the exact live answer.

The live path (``use_stored=False``) is itself checked against a plain-Python reading of
RULES in test_occupancy / test_weekly; here the stored path is checked against that
reference and against the live path after visits arrive in several steps, through direct
inserts with explicit refreshes and through real imports (category changes, late files
that change earlier hours, a MAX_STAY change), with open visits and a fixed "now".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.analytics import figures
from lib.analytics.occupancy import hourly_occupancy
from lib.analytics.weekly import weekly_stats, weekly_trend
from lib.ingest import pairing
from lib.ingest.importer import record_events
from lib.store import db
from tests.support.visits import BASE, ZONES, V, load, reference_hourly, reference_hours, visit_sets

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
WINDOW = (BASE - timedelta(hours=8), BASE + timedelta(hours=100))


@pytest.fixture
def db_con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = db.connect(tmp_path / "aggregates.duckdb")
    yield connection
    connection.close()


def clear_stored(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM hourly_figures; DELETE FROM hourly_figures_state; "
                "DELETE FROM weekly_figures; DELETE FROM weekly_figures_state")


def insert_visits(con: duckdb.DuckDBPyConnection, visits: list[V]) -> None:
    """Add visits straight into the table (as test_occupancy.load, without deleting)."""
    rows = pd.DataFrame(
        [[v.person, v.building, v.checkin, v.checkout, v.kind, v.auto_close, v.category] for v in visits],
        columns=["person_id", "building", "checkin_at", "checkout_at", "checkout_kind", "auto_close_at", "category"],
    )
    for column in ("checkin_at", "checkout_at", "auto_close_at"):
        rows[column] = pd.to_datetime(rows[column], utc=True)
    con.register("more_visits", rows)
    con.execute("INSERT INTO visits SELECT person_id, building, checkin_at, checkout_at, checkout_kind, "
                "auto_close_at, category, NULL, NULL, NULL, NULL, NULL, NULL FROM more_visits")
    con.unregister("more_visits")


def assert_same_everywhere(con: duckdb.DuckDBPyConnection, now: datetime) -> None:
    """Stored-backed hourly, weekly and trend figures equal the live ones at ``now``."""
    for by_category in (False, True):
        stored = hourly_occupancy(con, *WINDOW, by_category=by_category, now=now)
        live = hourly_occupancy(con, *WINDOW, by_category=by_category, now=now, use_stored=False)
        pd.testing.assert_frame_equal(stored, live)
    for week in ("2022-W01", "2022-W02"):
        pd.testing.assert_frame_equal(weekly_stats(con, week, now=now),
                                      weekly_stats(con, week, now=now, use_stored=False))
    pd.testing.assert_frame_equal(weekly_trend(con, "2022-W02", weeks=3, now=now),
                                  weekly_trend(con, "2022-W02", weeks=3, now=now, use_stored=False))


@PROPERTY
@given(
    visits=visit_sets(span_hours=90),
    data=st.data(),
    by_category=st.booleans(),
)
def test_stored_hours_after_stepwise_inserts_match_reference(
    db_con: duckdb.DuckDBPyConnection, visits: list[V], data: st.DataObject, by_category: bool
) -> None:
    """Visits arrive in 1-3 steps, each followed by a refresh at its own "now" (in any
    order, open visits included); read at another "now", every hour equals RULES."""
    load(db_con, [])
    clear_stored(db_con)
    steps = data.draw(st.integers(1, 3))
    step_of = [data.draw(st.integers(0, steps - 1)) for _ in visits]
    for step in range(steps):
        batch = [v for v, s in zip(visits, step_of, strict=True) if s == step]
        if batch:
            insert_visits(db_con, batch)
        # The earliest instant a new visit can end: its check-in (conservative).
        dirty = min((v.checkin for v in batch), default=None)
        refresh_now = BASE + timedelta(minutes=data.draw(st.integers(-6 * 60, 100 * 60)))
        if dirty is None and step > 0:
            figures.refresh(db_con, None, BASE + timedelta(days=30), now=refresh_now)
        else:
            figures.refresh(db_con, None, dirty, now=refresh_now)
    now = BASE + timedelta(minutes=data.draw(st.integers(-6 * 60, 100 * 60)))
    frame = hourly_occupancy(db_con, *WINDOW, by_category=by_category, now=now)
    expected = []
    for building, zone in sorted(ZONES.items()):
        for hour in reference_hours(*WINDOW, zone):
            for category in (["ASN", "THL", "visitor"] if by_category else [None]):
                peak, present, person_hours = reference_hourly(visits, building, hour, now, category)
                expected.append((building, hour, category, peak, present, round(person_hours, 9)))
    got = [
        (r.building, r.hour.to_pydatetime(), getattr(r, "category", None), r.peak, r.present, round(r.person_hours, 9))
        for r in frame.itertuples()
    ]
    assert got == expected
    assert_same_everywhere(db_con, now)


def test_stored_figures_are_really_read_and_open_visits_are_not_stored(db_con: duckdb.DuckDBPyConnection) -> None:
    """A stored hour is what the page shows; hours a visit still open reaches are not stored."""
    closed = V("P1", "A", BASE + timedelta(hours=8), BASE + timedelta(hours=10), "scan", "ASN")
    still_open = V("P2", "A", BASE + timedelta(hours=20, minutes=30), None, None, "visitor")
    load(db_con, [closed, still_open])
    refresh_now = BASE + timedelta(hours=21)
    figures.refresh(db_con, None, None, now=refresh_now)
    until = db_con.execute("SELECT until FROM hourly_figures_state WHERE building = 'A'").fetchall()[0][0]
    assert until == BASE + timedelta(hours=20)  # the open visit's hour is not stable yet
    hours = db_con.execute("SELECT DISTINCT hour FROM hourly_figures WHERE building = 'A' ORDER BY 1").fetchall()
    assert [h for (h,) in hours] == [BASE + timedelta(hours=8), BASE + timedelta(hours=9)]
    # Tamper with a stored figure: the page shows it, so the stored path is the one read.
    db_con.execute("UPDATE hourly_figures SET peak = 99 WHERE hour = ? AND category = 'all'", [BASE + timedelta(hours=9)])
    frame = hourly_occupancy(db_con, BASE, BASE + timedelta(days=1), building="A", now=refresh_now)
    assert frame.set_index("hour").loc[BASE + timedelta(hours=9), "peak"] == 99
    # Later, with the open visit past its MAX_STAY (3 h), the live tail counts it to its auto close.
    later = BASE + timedelta(hours=30)
    frame = hourly_occupancy(db_con, BASE, BASE + timedelta(days=1), building="A", now=later)
    by_hour = frame.set_index("hour")
    assert by_hour.loc[BASE + timedelta(hours=23), "person_hours"] == pytest.approx(0.5)
    assert by_hour.loc[BASE + timedelta(hours=20), "person_hours"] == pytest.approx(0.5)


def test_refresh_at_a_later_now_and_read_at_an_earlier_one(db_con: duckdb.DuckDBPyConnection) -> None:
    """Stored at a late "now" (the open visit closed automatically), read as of a moment
    while it was still inside: the hours it reaches come live, ending at that moment."""
    visit = V("P1", "A", BASE + timedelta(hours=10), None, None, "visitor")
    load(db_con, [visit])
    figures.refresh(db_con, None, None, now=BASE + timedelta(days=2))
    as_of = BASE + timedelta(hours=11, minutes=15)
    frame = hourly_occupancy(db_con, BASE, BASE + timedelta(days=1), building="A", now=as_of).set_index("hour")
    assert frame.loc[BASE + timedelta(hours=11), "person_hours"] == pytest.approx(0.25)
    assert frame.loc[BASE + timedelta(hours=12), "peak"] == 0
    pd.testing.assert_frame_equal(
        hourly_occupancy(db_con, BASE, BASE + timedelta(days=1), now=as_of),
        hourly_occupancy(db_con, BASE, BASE + timedelta(days=1), now=as_of, use_stored=False),
    )


@st.composite
def event_batches(draw: st.DrawFn) -> list[list[dict[str, object]]]:
    """Scan events of a few persons split into 1-3 imports; a person's category may change
    from one import to the next (the whole history then changes category)."""
    events: list[dict[str, object]] = []
    for number in range(draw(st.integers(1, 6))):
        person = f"P{number}"
        t = BASE + timedelta(minutes=draw(st.integers(-300, 60 * 60)))
        for _ in range(draw(st.integers(1, 6))):
            t += timedelta(minutes=draw(st.sampled_from([1, 2, 30, 90, 200, 600, 800])))
            events.append({
                "timestamp": t, "person_id": person,
                "building": draw(st.sampled_from(sorted(ZONES))),
                "action": draw(st.sampled_from(["checkin", "checkin", "checkout"])),
                "category": draw(st.sampled_from(["ASN", "THL", "visitor"])),
            })
    batches = draw(st.integers(1, 3))
    split: list[list[dict[str, object]]] = [[] for _ in range(batches)]
    for event in events:
        split[draw(st.integers(0, batches - 1))].append(event)
    return [b for b in split if b]


@PROPERTY
@given(batches=event_batches(), now_minutes=st.integers(-5 * 60, 100 * 60), change_stay=st.booleans())
def test_imports_keep_stored_figures_exact(
    db_con: duckdb.DuckDBPyConnection, batches: list[list[dict[str, object]]], now_minutes: int, change_stay: bool
) -> None:
    """Imports in several steps (each refreshing the stored hours at the clock's "now"),
    later files changing earlier hours and categories, then perhaps a MAX_STAY change:
    read at a fixed "now", stored-backed figures equal the live ones."""
    db_con.execute("DELETE FROM events; DELETE FROM visits; DELETE FROM scan_anomalies; DELETE FROM persons; "
                   "DELETE FROM buildings")
    clear_stored(db_con)
    for building, zone in ZONES.items():
        db_con.execute("INSERT INTO buildings (building_id, name, timezone) VALUES (?, ?, ?)", [building, building, zone])
    for batch in batches:
        record_events(db_con, batch, source="test", actor="test")
    if change_stay:
        with db.transaction(db_con):
            db_con.execute("UPDATE buildings SET max_stay_visitor_min = 45, max_stay_asn_min = 100 WHERE building_id = 'A'")
            pairing.repair_all(db_con, "A")
    stored_rows = db_con.execute("SELECT count(*) FROM hourly_figures_state").fetchall()[0][0]
    assert stored_rows >= 1
    assert_same_everywhere(db_con, BASE + timedelta(minutes=now_minutes))
    assert_same_everywhere(db_con, datetime.now(UTC))
