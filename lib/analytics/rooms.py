"""Occupancy and crowding of one room (RULES "Places inside a building", "Occupancy", "Crowding").

A room's occupancy is read from its **scanned** area stays only (``stays`` through
``lib.analytics.stays.effective_stays_sql``): the time a roster assumes a person in their
home room is a tracing assumption, never a head count. A stay occupies ``[start, end)``
like a visit, an open stay ends at ``min(start + AREA_STAY, now)``, and a stay of zero
length occupies nothing. The figures are those of a building (``lib.analytics.occupancy``)
computed by the same sweep (``lib.analytics.sweep.hourly_sweep``): ``peak``, ``present``
and ``person_hours`` per local hour of the building. A room's crowding is measured against
its capacity (``areas.capacity``): an episode is a longest interval with strictly more
people in the room than its capacity (occupancy equal to the capacity is not crowding).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

from lib.analytics.crowding import episodes_touching
from lib.analytics.stays import effective_stays_sql
from lib.analytics.sweep import (
    HOUR_US,
    building_list,
    from_us,
    hourly_sweep,
    resolve_now,
    window_spine,
)
from lib.analytics.visits import now_sql

EPISODE_COLUMNS = ["building", "area", "start", "end", "minutes", "peak"]
# How far beyond the window a room's crowding episode that touches it is followed (first
# step, then doubled), and the most: a room holds people for hours, not weeks.
SEARCH_MARGIN = timedelta(hours=12)
SEARCH_LIMIT = timedelta(days=7)


def room_capacity(con: duckdb.DuckDBPyConnection, building: str, area: str) -> int | None:
    """The room's capacity in people (``areas.capacity``), None when not set or no such room."""
    rows = con.execute(
        "SELECT capacity FROM areas WHERE building = ? AND area_key = lower(trim(?))", [building, area]
    ).fetchall()
    return int(rows[0][0]) if rows and rows[0][0] is not None else None


def busiest_room(con: duckdb.DuckDBPyConnection, building: str) -> str | None:
    """The room a page opens first: one with a capacity (crowding can show there), else the
    one with the most scanned stays, then by name; None when the building has no rooms."""
    rows = con.execute(
        """
        SELECT a.area_id FROM areas a
        LEFT JOIN (SELECT lower(trim(area)) AS area_key, count(*) AS n FROM stays WHERE building = $b GROUP BY 1) s
          ON s.area_key = a.area_key
        WHERE a.building = $b
        ORDER BY a.capacity IS NULL, coalesce(s.n, 0) DESC, a.area_key
        LIMIT 1
        """,
        {"b": building},
    ).fetchall()
    return str(rows[0][0]) if rows else None


def _fetch_stays(
    con: duckdb.DuckDBPyConnection, building: str, area: str, lo: datetime, hi: datetime, now: datetime
) -> dict[str, np.ndarray]:
    """The room's scanned stays of positive length that occupy part of ``[lo, hi)``.

    Arrays ``s``/``e`` (start / analytics end, UTC microseconds) and ``p`` (64-bit hash
    of person_id). Every stay ends at or before its ``auto_end_at``, so ``auto_end_at > lo``
    is a safe range filter. The area matches ignoring case and surrounding spaces (RULES).
    """
    query = f"""
        SELECT epoch_us(start_at) AS s, epoch_us(until_at) AS e, hash(person_id) AS p
        FROM ({effective_stays_sql(now_sql(now))}) st
        WHERE building = $building AND lower(trim(area)) = lower(trim($area))
          AND start_at < $hi AND auto_end_at > $lo AND until_at > start_at AND until_at > $lo
    """
    arrays = con.execute(query, {"building": building, "area": area, "lo": lo, "hi": hi}).fetchnumpy()
    return {
        "s": np.asarray(arrays["s"], dtype=np.int64),
        "e": np.asarray(arrays["e"], dtype=np.int64),
        "p": np.asarray(arrays["p"], dtype=np.uint64),
    }


def room_hourly_occupancy(
    con: duckdb.DuckDBPyConnection,
    building: str,
    area: str,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Hourly occupancy of one room from its scanned stays, every local hour in ``[start, end)``.

    Columns ``hour, peak, present, person_hours`` as :func:`lib.analytics.occupancy.hourly_occupancy`
    gives for a building: ``hour`` the UTC instant (tz-aware) at which the building's local
    hour starts (the first is the hour containing ``start``); ``peak`` the highest number of
    stays in the room at any instant of the hour; ``present`` the distinct persons with a
    stay overlapping the hour; ``person_hours`` the stays' time inside the hour, in hours.
    Empty hours are rows of zeros. Assumed home-room time does not count. ``now`` (UTC,
    default the clock) ends stays still open.
    """
    now = resolve_now(now)
    targets = building_list(con, building)
    if not targets:
        return pd.DataFrame({"hour": pd.Series(dtype="datetime64[us, UTC]"), "peak": pd.Series(dtype=np.int64),
                             "present": pd.Series(dtype=np.int64), "person_hours": pd.Series(dtype=float)})
    first, hours = window_spine([targets[0][1]], start, end)
    lo = from_us(first)[0].to_pydatetime()
    hi = lo + timedelta(hours=int(hours[0]))
    stays = _fetch_stays(con, building, area, lo, hi, now)
    group = np.zeros(len(stays["s"]), dtype=np.int64)
    result = hourly_sweep(group, stays["s"], stays["e"], first, hours, person=stays["p"])
    return pd.DataFrame(
        {
            "hour": from_us(first[0] + np.arange(int(hours[0]), dtype=np.int64) * HOUR_US),
            "peak": result.peak.astype(np.int64),
            "present": (result.present if result.present is not None else result.overlapping).astype(np.int64),
            "person_hours": result.person_us / HOUR_US,
        }
    )


def room_crowding_episodes(
    con: duckdb.DuckDBPyConnection,
    building: str,
    area: str,
    start: datetime,
    end: datetime,
    capacity: int | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Crowding episodes of one room that overlap ``[start, end)``, whole (RULES "Crowding").

    Columns ``building, area, start, end, minutes, peak``: UTC instants, the length in
    minutes and the highest number of people in the room during the episode. An episode
    is a longest interval in which the room holds strictly more people (scanned stays)
    than ``capacity`` (default the room's own, ``areas.capacity``); no capacity, no rows.
    Like a building's, an episode is followed beyond the window (up to ``SEARCH_LIMIT``)
    and one still going on at ``now`` ends at ``now``.
    """
    limit = capacity if capacity is not None else room_capacity(con, building, area)
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in EPISODE_COLUMNS}).astype(
        {"start": "datetime64[us, UTC]", "end": "datetime64[us, UTC]", "minutes": float, "peak": np.int64}
    )
    if limit is None or end <= start:
        return empty
    if limit < 0:
        raise ValueError("capacity must be zero or more")
    now = resolve_now(now)
    limits = np.asarray([int(limit)], dtype=np.int64)

    def occupants(lo: datetime, hi: datetime) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        stays = _fetch_stays(con, building, area, lo, hi, now)
        return np.zeros(len(stays["s"]), dtype=np.int64), stays["s"], stays["e"]

    _, ep_start, ep_end, peak, touching = episodes_touching(
        occupants, limits, start, end, margin=SEARCH_MARGIN, search_limit=SEARCH_LIMIT
    )
    if not touching.any():
        return empty
    count = int(touching.sum())
    return pd.DataFrame(
        {
            "building": [building] * count,
            "area": [area] * count,
            "start": from_us(ep_start[touching]),
            "end": from_us(ep_end[touching]),
            "minutes": (ep_end[touching] - ep_start[touching]) / 60e6,
            "peak": peak[touching].astype(np.int64),
        }
    )
