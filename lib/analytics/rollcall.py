"""The roll-call (apel darurat): everyone inside a building at an instant, by room.

RULES "Roll-call": a person is **inside at t** when one of their visits has
``checkin_at <= t < end``, where a visit still open ends at ``checkin_at + MAX_STAY``
(RULES "From events to visits"); the room is the rules' "Where a person is" (RULES
"Places inside a building"): the area of a stay in that building with
``start_at <= t < end`` (an open stay ends at ``start + AREA_STAY``); otherwise, in their
roster home building, their home room (``area_assumed``); otherwise only "in the building"
(an empty ``area``).

Instants in and out are UTC. The list holds personal data: for administrators only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pandas as pd

from lib.store.db import CATEGORIES
from lib.store.places import MAX_STAY_LIMIT_MIN

ROLLCALL_COLUMNS = [
    "building", "area", "area_assumed", "person_id", "name", "category", "unit", "phone", "checkin_at",
]


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("the instant must be timezone-aware")
    return instant.astimezone(UTC)


def rollcall(con: duckdb.DuckDBPyConnection, at: datetime, building: str | None = None) -> pd.DataFrame:
    """Everyone inside at ``at`` (all buildings, or one), one row per person and building.

    Columns ``ROLLCALL_COLUMNS``: building (id), area (area id, empty when only "in the
    building"), area_assumed (True: the roster's home room, no scan says so), person_id,
    name, category, unit (roster), phone, checkin_at (UTC). Ordered by building, area
    (empty first), name, person_id.
    """
    moment = _utc(at)
    # A visit lasts at most its MAX_STAY and a stay at most its AREA_STAY: only those begun
    # within the longest of them before t can hold t. A range on the start columns lets
    # DuckDB skip every older row group (the Now page asks every few seconds).
    longest = con.execute(
        "SELECT coalesce(max(greatest(max_stay_asn_min, max_stay_thl_min, max_stay_visitor_min)), 0), "
        "(SELECT coalesce(max(area_stay_min), 0) FROM areas) FROM buildings"
    ).fetchall()[0]
    params: dict[str, object] = {
        "at": moment,
        # Never less than the longest MAX_STAY Settings allow, in case a stored visit or stay
        # was derived under a longer setting than today's.
        "visit_floor": moment - timedelta(minutes=max(int(longest[0]), MAX_STAY_LIMIT_MIN) + 1),
        "stay_floor": moment - timedelta(minutes=max(int(longest[1]), MAX_STAY_LIMIT_MIN) + 1),
    }
    where = ""
    if building:
        where = "AND v.building = $building"
        params["building"] = building
    frame = con.execute(
        f"""
        WITH inside AS (
            -- RULES "Roll-call": inside at t, an open visit ending at its automatic close.
            SELECT v.person_id, v.building, v.checkin_at
            FROM visits v
            WHERE v.checkin_at <= $at AND v.checkin_at >= $visit_floor
              AND $at < coalesce(v.checkout_at, v.auto_close_at) {where}
        ),
        in_room AS (
            -- The newest stay in the visit's building holding t (a stay ends with its visit).
            SELECT s.person_id, s.building, arg_max(s.area, s.start_at) AS area
            FROM stays s SEMI JOIN inside i ON i.person_id = s.person_id AND i.building = s.building
            WHERE s.start_at <= $at AND s.start_at >= $stay_floor AND $at < coalesce(s.end_at, s.auto_end_at)
            GROUP BY s.person_id, s.building
        )
        SELECT i.building,
               coalesce(r.area, CASE WHEN ro.building = i.building THEN ro.room END, '') AS area,
               (r.area IS NULL AND ro.building = i.building AND ro.room IS NOT NULL) AS area_assumed,
               i.person_id, coalesce(p.name, '') AS name, coalesce(p.category, 'visitor') AS category,
               coalesce(ro.unit, '') AS unit, coalesce(p.phone, '') AS phone, i.checkin_at
        FROM inside i
        LEFT JOIN in_room r ON r.person_id = i.person_id AND r.building = i.building
        LEFT JOIN roster ro ON ro.person_id = i.person_id
        LEFT JOIN persons p ON p.person_id = i.person_id
        """,
        params,
    ).df()
    frame["area_assumed"] = frame["area_assumed"].fillna(False).astype(bool)
    # Code-point order, as a spreadsheet sorted by these columns would be (empty area first).
    frame = frame.sort_values(["building", "area", "name", "person_id"], kind="stable").reset_index(drop=True)
    return frame[ROLLCALL_COLUMNS]


def rollcall_totals(frame: pd.DataFrame) -> dict[str, int]:
    """The grand total of a roll-call list: ``people`` (rows: a person inside two buildings
    counts in each, as each building's count does) and one count per category."""
    counts = frame["category"].value_counts() if len(frame) else pd.Series(dtype=int)
    return {"people": len(frame), **{c: int(counts.get(c, 0)) for c in CATEGORIES}}


def rollcall_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Headcount per building and area of a roll-call list: building, area, people."""
    if frame.empty:
        return pd.DataFrame(columns=["building", "area", "people"])
    return frame.groupby(["building", "area"], sort=True).size().reset_index(name="people")
