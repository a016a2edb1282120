"""The sweep every hourly figure is made of (RULES "Occupancy"): visits to +1/-1 events in integer microseconds.

Shared by the live pages (``lib.analytics.occupancy``, ``crowding``, ``weekly``) and the
stored figures (``lib.analytics.figures``), so both compute with the very same code. A
visit occupies ``[checkin_at, end_at)`` with ``end_at`` from ``lib.analytics.visits``; hour
boundaries are built from the window's first local hour in UTC steps of one hour, exact
for every zone whose offset is a whole number of hours or constant (all Indonesian zones).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd

from lib.analytics.visits import effective_end_us
from lib.store.db import DEFAULT_TIMEZONE

HOUR_US = 3_600_000_000
_CATEGORY_INDEX_SQL = "CASE v.category WHEN 'ASN' THEN 0 WHEN 'THL' THEN 1 ELSE 2 END"


def to_us(instant: datetime) -> int:
    """A tz-aware instant as integer microseconds since the epoch (UTC)."""
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    delta = instant.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(values: np.ndarray) -> pd.Series:
    """Integer microseconds to tz-aware UTC pandas timestamps."""
    return pd.Series(pd.to_datetime(np.asarray(values, dtype=np.int64), unit="us", utc=True))


def resolve_now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def building_list(con: duckdb.DuckDBPyConnection, building: str | None) -> list[tuple[str, str]]:
    """``(building_id, timezone)`` of one building (none if unknown) or of all, by id."""
    query = "SELECT building_id, coalesce(timezone, ?) FROM buildings"
    params: list[object] = [DEFAULT_TIMEZONE]
    if building is not None:
        query += " WHERE building_id = ?"
        params.append(building)
    return [(str(b), str(tz)) for b, tz in con.execute(query + " ORDER BY building_id", params).fetchall()]


def local_hour_floor(instant: datetime, tz_name: str) -> datetime:
    """The UTC instant at which the local hour containing ``instant`` starts."""
    local = instant.astimezone(ZoneInfo(tz_name))
    return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)


def fetch_visits(
    con: duckdb.DuckDBPyConnection,
    buildings: Sequence[str],
    lo: datetime,
    hi: datetime,
    now: datetime,
    with_person: bool = False,
    with_category: bool = False,
) -> dict[str, np.ndarray]:
    """Visits of ``buildings`` with positive length that occupy part of ``[lo, hi)``.

    Arrays: ``b`` (index into ``buildings``), ``c`` (index into CATEGORIES, unknown reads
    as visitor; zeros unless ``with_category``), ``s``/``e`` (check-in / analytics end, UTC microseconds) and with
    ``with_person`` ``p`` (64-bit hash of person_id).

    ``auto_close_at > lo`` is a safe filter because every end lies at or before
    ``auto_close_at`` (the pairing closes at ``min(checkin_at + MAX_STAY, t)``); it and
    ``checkin_at < hi`` are plain column ranges, so DuckDB skips row groups by zone map.
    """
    person = ", hash(v.person_id) AS p" if with_person else ""
    category = f", {_CATEGORY_INDEX_SQL} AS c" if with_category else ""
    # RULES "Occupancy": a visit occupies [checkin_at, end_at). SQL reads plain columns with
    # plain range filters (zone maps skip row groups); the end of a visit still open,
    # "end_at > lo" and "zero length occupies nothing" are applied below, cheaper.
    if len(buildings) == 1:
        source, index, params = "visits v", "0", [buildings[0]]
        building_filter = "v.building = ? AND"
    else:
        source = ("visits v JOIN (SELECT unnest(?::VARCHAR[]) AS building, unnest(?::INTEGER[]) AS i) AS ids "
                  "ON ids.building = v.building")
        index, params, building_filter = "ids.i", [list(buildings), list(range(len(buildings)))], ""
    query = f"""
        SELECT {index} AS b, epoch_us(v.checkin_at) AS s, epoch_us(v.checkout_at) AS o,
               epoch_us(v.auto_close_at) AS a{category}{person}
        FROM {source}
        WHERE {building_filter} v.checkin_at < ? AND v.auto_close_at > ?
    """
    arrays = con.execute(query, [*params, hi, lo]).fetchnumpy() if buildings else {}
    s = np.asarray(arrays.get("s", []), dtype=np.int64)
    e = effective_end_us(s, arrays.get("o", np.zeros(0, dtype=np.int64)),
                         np.asarray(arrays.get("a", []), dtype=np.int64), to_us(now))
    keep = (e > to_us(lo)) & (e > s)
    out = {
        "b": np.asarray(arrays.get("b", []), dtype=np.int64)[keep],
        "s": s[keep],
        "e": e[keep],
        "c": np.asarray(arrays.get("c", []), dtype=np.int64)[keep] if with_category else np.zeros(int(keep.sum()), dtype=np.int64),
    }
    if with_person:
        out["p"] = np.asarray(arrays.get("p", []), dtype=np.uint64)[keep]
    return out


@dataclass
class HourlyArrays:
    """Per group (building, or building x category) and local hour, flattened.

    Group ``g`` owns entries ``offset[g] : offset[g] + hours[g]``; entry ``offset[g] + k``
    is the hour starting at ``first_us[g] + k`` hours.
    """

    first_us: np.ndarray
    hours: np.ndarray
    offset: np.ndarray
    peak: np.ndarray
    overlapping: np.ndarray
    person_us: np.ndarray
    present: np.ndarray | None


def hourly_sweep(
    group: np.ndarray,
    s: np.ndarray,
    e: np.ndarray,
    first_us: np.ndarray,
    hours: np.ndarray,
    person: np.ndarray | None = None,
) -> HourlyArrays:
    """RULES "Occupancy" per group and hour by a sweep over +1/-1 events.

    Visits ``(group, s, e)`` in microseconds, ``s < e``. Events are sorted by
    (group, time, kind) with kind end < hour boundary < start at equal times, so the
    running sum read at a boundary ``h`` counts visits with ``checkin < h < end`` and the
    highest running value between two boundaries is the highest concurrency in the hour
    (``checkin <= t < end`` at instant t). ``person`` (64-bit hashes) adds ``present``.
    """
    first_us = np.asarray(first_us, dtype=np.int64)
    hours = np.asarray(hours, dtype=np.int64)
    n_groups = len(first_us)
    offset = np.concatenate([[0], np.cumsum(hours)[:-1]]).astype(np.int64) if n_groups else hours
    total = int(hours.sum())
    empty = HourlyArrays(first_us, hours, offset, *(np.zeros(total, dtype=np.int64) for _ in range(3)),
                         np.zeros(total, dtype=np.int64) if person is not None else None)
    if total == 0:
        return empty
    end_us = first_us + hours * HOUR_US
    keep = (e > first_us[group]) & (s < end_us[group])
    group, s, e = group[keep], s[keep], e[keep]
    s = np.maximum(s, first_us[group])  # a visit begun earlier counts from the first hour

    base = int(first_us.min())
    time_bits = ((int(end_us.max()) - base) * 4 + 4).bit_length()
    group_bits = max(1, (n_groups - 1).bit_length())
    if time_bits + group_bits > 62:
        raise ValueError("window too long for one occupancy sweep")
    group_key = group << time_bits
    ends = e < end_us[group]  # ends at or after the window's end change nothing inside it
    boundary_group = np.repeat(np.arange(n_groups, dtype=np.int64), hours + 1)
    boundary_rank = np.arange(len(boundary_group), dtype=np.int64) - np.repeat(
        np.concatenate([[0], np.cumsum(hours + 1)[:-1]]), hours + 1
    )
    boundary_time = first_us[boundary_group] + boundary_rank * HOUR_US
    keys = np.concatenate(
        [
            group_key + (s - base) * 4 + 2,
            group_key[ends] + (e[ends] - base) * 4,
            (boundary_group << time_bits) + (boundary_time - base) * 4 + 1,
        ]
    )
    keys.sort()
    kind = keys & 3
    delta = (kind == 2).astype(np.int64) - (kind == 0)
    running = np.cumsum(delta)
    boundary_pos = np.flatnonzero(kind == 1)
    # Each group's first event is its first boundary (delta 0): subtract what came before.
    group_first = boundary_pos[np.concatenate([[0], np.cumsum(hours + 1)[:-1]])]
    running -= running[group_first][keys >> time_bits]
    times = (keys & ((1 << time_bits) - 1)) >> 2
    span = np.diff(times, append=times[-1])
    peak = np.maximum.reduceat(running, boundary_pos)
    person_us = np.add.reduceat(running * span, boundary_pos)
    starts = np.add.reduceat((kind == 2).astype(np.int64), boundary_pos)
    inside_at_boundary = running[boundary_pos]
    is_hour = np.ones(len(boundary_pos), dtype=bool)
    is_hour[np.cumsum(hours + 1) - 1] = False  # the closing boundary of each group
    overlapping = (inside_at_boundary + starts)[is_hour]
    present = None
    if person is not None:
        present = overlapping - _repeat_visits(group, s, e, person[keep], first_us, hours, offset, total)
    return HourlyArrays(first_us, hours, offset, peak[is_hour], overlapping, person_us[is_hour], present)


def _repeat_visits(
    group: np.ndarray,
    s: np.ndarray,
    e: np.ndarray,
    person: np.ndarray,
    first_us: np.ndarray,
    hours: np.ndarray,
    offset: np.ndarray,
    total: int,
) -> np.ndarray:
    """Per hour: overlapping visits minus distinct persons (RULES "Occupancy": present).

    A visit that spans an hour entirely is alone there for its person (a person's visits
    never overlap). Every other visit touching hour h begins in h or ends in h, so one
    record per (hour, person) for each first and each last hour counts them; a person
    with k records in an hour was counted k - 1 times too often. Persons are told apart
    by the top bits of a 64-bit hash of person_id (at least 40 bits for windows below a
    century of hours): two persons colliding inside one building-hour is below 1e-9.
    """
    first_hour = offset[group] + (s - first_us[group]) // HOUR_US
    last_in_group = (e - 1 - first_us[group]) // HOUR_US
    last_hour = offset[group] + last_in_group
    also_last = (last_hour > first_hour) & (last_in_group < hours[group])
    record_hour = np.concatenate([first_hour, last_hour[also_last]]).astype(np.uint64)
    record_person = np.concatenate([person, person[also_last]])
    hour_bits = max(1, (total - 1).bit_length())
    keys = (record_hour << np.uint64(64 - hour_bits)) | (record_person >> np.uint64(hour_bits))
    keys.sort()
    repeated = keys[1:][keys[1:] == keys[:-1]] >> np.uint64(64 - hour_bits)
    return np.bincount(repeated.astype(np.int64), minlength=total)


def window_spine(
    zones: Sequence[str], start: datetime, end: datetime
) -> tuple[np.ndarray, np.ndarray]:
    """First local hour start (UTC µs) and number of hours in ``[start, end)`` per zone."""
    end_us = to_us(end)
    first, count = [], []
    for zone in zones:
        first_us = to_us(local_hour_floor(start, zone))
        first.append(first_us)
        count.append(max(0, -(-(end_us - first_us) // HOUR_US)))
    return np.asarray(first, dtype=np.int64), np.asarray(count, dtype=np.int64)
