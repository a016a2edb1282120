"""Hourly occupancy of buildings (RULES "Occupancy"), who is inside now, the weekday pattern.

A visit occupies ``[checkin_at, end_at)``, ``end_at`` from ``lib.analytics.visits.effective_visits_sql``
(an open visit ends at ``min(checkin_at + MAX_STAY, now)``); a visit of zero length occupies
nothing and counts for none of the figures. Hours are local hours of each building; the
``hour`` column holds the UTC instant at which the local hour starts.

How it stays fast at millions of visits: hours whose figures can no longer change are
read from the table ``lib.analytics.figures`` keeps up to date at import (exactly what the live
computation gives, see its docstring); only the remaining hours (the last few, or all
when nothing is stored) are computed live. The live computation: one SQL scan fetches the visits that touch the
window (range filters on ``checkin_at`` and ``auto_close_at`` let DuckDB skip old row
groups by their zone maps); the sweep over +1/-1 events then runs on integer
microseconds in numpy (one sort, a running sum), with the hour boundaries as events of
their own, so no per-row time-zone work happens anywhere. Hour boundaries are built from
the window's first local hour in UTC steps of one hour: exact for every zone whose
offset is a whole number of hours or constant (all Indonesian zones).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import numpy as np
import pandas as pd

from lib.analytics.figures import hourly_arrays
from lib.analytics.sweep import HOUR_US, HourlyArrays, building_list, from_us, resolve_now, window_spine
from lib.store.db import CATEGORIES, DEFAULT_TIMEZONE
from lib.store.places import thresholds

# --- public API ---------------------------------------------------------------------------


def hourly_occupancy(
    con: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    building: str | None = None,
    by_category: bool = False,
    now: datetime | None = None,
    use_stored: bool = True,
) -> pd.DataFrame:
    """Hourly occupancy per building (RULES "Occupancy"), every local hour in ``[start, end)``.

    Columns ``building, hour, [category], peak, present, person_hours``. ``hour`` is the
    UTC instant (tz-aware) at which the building's local hour starts; the first hour is
    the local hour containing ``start``, and every hour's figures are for the whole hour. Every hour of every building asked (all when
    ``building`` is None) is a row, zeros where nobody was inside; ``by_category`` gives
    one row per category (ASN, THL, visitor) and hour. ``peak``: highest number of visits
    inside at any instant of the hour; ``present``: distinct persons whose visit overlaps
    the hour; ``person_hours``: sum of the visits' time inside the hour, in hours.
    Open visits end at ``min(checkin_at + MAX_STAY, now)`` (``now`` defaults to the clock).
    ``use_stored``: read the hours ``lib.analytics.figures`` keeps (exactly equal, see there);
    False computes every hour from the visits.
    """
    now = resolve_now(now)
    targets = building_list(con, building)
    names = [b for b, _ in targets]
    first, hours = window_spine([tz for _, tz in targets], start, end)
    result = hourly_arrays(con, targets, first, hours, now, by_category, with_person=True, use_stored=use_stored)
    return _hourly_frame(names, result, by_category)


def _hourly_frame(names: list[str], result: HourlyArrays, by_category: bool) -> pd.DataFrame:
    n_cat = len(CATEGORIES) if by_category else 1
    n_groups = len(result.hours)
    group_of_row = np.repeat(np.arange(n_groups), result.hours)
    rank = np.arange(len(group_of_row)) - result.offset[group_of_row]
    hour_us = result.first_us[group_of_row] + rank * HOUR_US
    frame = pd.DataFrame(
        {
            "building": pd.Series([names[g // n_cat] for g in range(n_groups)], dtype=object)
            .iloc[group_of_row]
            .to_numpy(),
            "hour": from_us(hour_us),
        }
    )
    if by_category:
        frame["category"] = np.asarray(CATEGORIES, dtype=object)[group_of_row % n_cat]
    frame["peak"] = result.peak
    frame["present"] = result.present if result.present is not None else result.overlapping
    frame["person_hours"] = result.person_us / HOUR_US
    sort_by = ["building", "hour", "category"] if by_category else ["building", "hour"]
    return frame.sort_values(sort_by, kind="stable").reset_index(drop=True)


def inside_now(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> pd.DataFrame:
    """Persons inside each building at ``now`` (default: the clock), per category.

    One row per building: ``building, name, ASN, THL, visitor, total, capacity, threshold``
    (threshold: ``lib.store.places.thresholds``, empty when none). Inside now = a
    visit not closed whose ``checkin_at + MAX_STAY`` is still ahead (RULES "From events to
    visits"), begun at or before ``now``.
    """
    now = resolve_now(now)
    # RULES "From events to visits": equal to effective_visits_sql's inside_now, written on
    # raw columns so the zone map on auto_close_at skips every old row group.
    frame = con.execute(
        """
        SELECT b.building_id AS building, b.name,
               count(v.building) FILTER (WHERE v.category = 'ASN') AS "ASN",
               count(v.building) FILTER (WHERE v.category = 'THL') AS "THL",
               count(v.building) FILTER (WHERE v.category NOT IN ('ASN', 'THL')) AS visitor,
               count(v.building) AS total,
               b.capacity
        FROM buildings AS b
        LEFT JOIN (
            SELECT building, category FROM visits
            WHERE checkout_at IS NULL AND auto_close_at > ? AND checkin_at <= ?
        ) AS v ON v.building = b.building_id
        GROUP BY b.building_id, b.name, b.capacity
        ORDER BY b.building_id
        """,
        [now, now],
    ).df()
    limits = thresholds(con)
    frame["threshold"] = pd.array([limits.get(b) for b in frame["building"]], dtype="Int64")
    frame["capacity"] = frame["capacity"].astype("Int64")
    for column in (*CATEGORIES, "total"):
        frame[column] = frame[column].astype(np.int64)
    return frame


def weekday_hour_heatmap(
    con: duckdb.DuckDBPyConnection,
    building: str,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    use_stored: bool = True,
) -> pd.DataFrame:
    """Average hourly ``peak`` and ``present`` by local weekday and local hour of day.

    All 7 x 24 rows: ``weekday`` (0 = Monday), ``hour`` (0-23, building's local time),
    ``avg_peak``, ``avg_present``; each the mean over the hours of ``[start, end)`` that
    fall on that weekday and hour (empty hours count as zero), NaN where the window holds
    no such hour.
    """
    hourly = hourly_occupancy(con, start, end, building=building, now=now, use_stored=use_stored)
    tz_name = dict(building_list(con, building)).get(building, DEFAULT_TIMEZONE)
    local = hourly["hour"].dt.tz_convert(tz_name)
    grouped = (
        pd.DataFrame(
            {
                "weekday": local.dt.day_of_week,
                "hour": local.dt.hour,
                "avg_peak": hourly["peak"].astype(float),
                "avg_present": hourly["present"].astype(float),
            }
        )
        .groupby(["weekday", "hour"])
        .mean()
    )
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    return grouped.reindex(grid).reset_index()

