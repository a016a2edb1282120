"""Stored hourly and weekly figures (RULES "Occupancy", "Weekly statistics"), kept up to date at import.

Why: hourly occupancy, the weekly peak and the 12-week trend sweep +1/-1 events over
every visit of their window; at millions of visits fetching those rows dominates. The
figures of an hour change only when a visit overlapping it changes, so they are computed
once, by the same exact code as the live path (``lib.analytics.sweep.hourly_sweep``), and read
back afterwards. RULES "Personal data" wants such aggregates kept too: they are computed
before old person ids are pseudonymized and are not recomputed afterwards unless a visit
of those hours changes again.

Tables (migration 3 in ``lib.store.db``):

- ``hourly_figures(building, hour, category, peak, present, person_us)``: ``hour`` is the
  UTC instant at which the building's local hour starts; ``category`` is ``'all'`` or one
  of ``CATEGORIES``; ``person_us`` is the time inside the hour in integer microseconds
  (``person_hours = person_us / 3.6e9``, exact, and sums of it stay exact). Only hours
  with someone inside are rows: a missing row below ``until`` means zeros.
- ``hourly_figures_state(building, until, timezone)``: figures are stored for every local
  hour ``< until`` of the building; ``timezone`` is the zone they were computed in (a
  building whose zone changed is recomputed, and read live until then).
- ``weekly_figures(building, week_start, visits, persons, persons_ASN/THL/visitor,
  auto_closed, day0..day6, median_stay_minutes)`` (migration 4): the result of
  ``lib.analytics.weekly``'s own weekly SQL for each whole local ISO week (``week_start``: UTC
  instant of Monday 00:00 local), stored as computed (the median is not recombined from
  anything); a missing row is a week without visits. ``weekly_figures_state(building,
  until)``: every week ending by ``until`` is stored. A week is read from the table only
  when it also ends by the hourly bound below (same "now" rule: a visit's
  ``checkout_kind`` depends on "now" exactly when its end does).

Which hours are stable. Only a visit not closed (``checkout_at IS NULL``) depends on
"now": it ends at ``min(auto_close_at, now)``. Let ``U(q)`` be the earliest check-in of a
visit not closed with ``auto_close_at > q``. For any two moments q and r, every visit
has the same analytics end under both unless it is in the set of ``U(q)`` or ``U(r)``,
so the figures of every hour before ``floor_hour(min(U(q), U(r)))`` are the same under
both. Hence:

- ``refresh`` stores hours (and whole weeks) below ``min(floor_hour(now), floor_hour(U(now)))`` (the new
  ``until``), computed at that ``now``;
- a reader at moment q uses stored hours below ``min(until, floor_hour(U(q)))`` and
  computes the rest live. In the running app q is the clock (``U(q) >= until``) and the
  second bound costs one small query (the zone map on ``auto_close_at`` skips old row
  groups); with a moment in the past (tests, a report "as of") it keeps results exact.

When to refresh. Every change of ``visits`` goes through ``lib.ingest.pairing.repair``; the
importer (``_finish_import``) and ``pairing.repair_all`` call ``refresh_after_repair``
right after it, in the same transaction. A re-paired person's changed visits all end at
or after its ``from_ts`` (NULL: the whole history) and began at most MAX_STAY before,
in the buildings where that person has events or visits from then on (a check-in in one
building may close a visit in another); those buildings are recomputed from that instant
less the building's longest MAX_STAY, up to their new ``until``. Writing ``visits``
directly (tests, the benchmark's store writer) needs a ``refresh`` afterwards, or the
stored figures of those hours are stale. Retention's pseudonyms do not call it: the
stored figures of old hours are the ones RULES wants kept.

Hours are built from a building's first local hour in UTC steps of one hour (as in
``lib.analytics.occupancy``): exact for fixed-offset zones (all Indonesian zones, India's +5:30).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from lib.analytics.sweep import (
    HOUR_US,
    HourlyArrays,
    building_list,
    fetch_visits,
    hourly_sweep,
    local_hour_floor,
    resolve_now,
    to_us,
)
from lib.analytics.week_counts import week_counts
from lib.core.timeutil import local_midnight
from lib.store.db import CATEGORIES, DEFAULT_TIMEZONE

# 'all' first, then the categories: group k of a building in a refresh sweep.
STORED_CATEGORIES = ("all", *CATEGORIES)
# Hours computed per sweep while refreshing (bounds memory at 10M visits: ~1M events).
CHUNK_HOURS = 24 * 56
_NEVER = np.iinfo(np.int64).max



_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _instant(us: int) -> datetime:
    """UTC µs since the epoch as a tz-aware datetime (exact, no float)."""
    return _EPOCH + timedelta(microseconds=int(us))


def _hour_floor_us(us: int, zone: str) -> int:
    """UTC µs of the start of the local hour containing ``us`` (capped for 'never')."""
    if us >= _NEVER:
        return _NEVER
    return to_us(local_hour_floor(_instant(us), zone))


def open_since(con: duckdb.DuckDBPyConnection, q: datetime) -> dict[str, int]:
    """``U(q)`` per building: earliest check-in (UTC µs) of a visit not closed whose
    ``auto_close_at`` is after ``q``; buildings without one are missing."""
    rows = con.execute(
        "SELECT building, epoch_us(min(checkin_at)) FROM visits "
        "WHERE checkout_at IS NULL AND auto_close_at > ? GROUP BY building",
        [q],
    ).fetchall()
    return {str(b): int(t) for b, t in rows}


def _states(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """Stored ``(until µs, zone)`` per building; none in a file opened read-only before
    migration 3 (everything is then computed live)."""
    try:
        rows = con.execute("SELECT building, epoch_us(until), timezone FROM hourly_figures_state").fetchall()
    except duckdb.CatalogException:
        return {}
    return {str(b): (int(u), str(tz)) for b, u, tz in rows}


def usable_until(
    con: duckdb.DuckDBPyConnection, targets: Sequence[tuple[str, str]], q: datetime,
    opens: dict[str, int] | None = None,
) -> np.ndarray:
    """Per building (``(id, zone)`` pairs): stored hours below this UTC µs are exact at
    moment ``q`` (``-inf`` as int64 min when nothing stored is usable). ``opens``:
    :func:`open_since` at ``q`` when the caller read it already (one scan for several uses)."""
    states = _states(con)
    out = np.full(len(targets), np.iinfo(np.int64).min, dtype=np.int64)
    if not states:
        return out
    if opens is None:
        opens = open_since(con, q)
    for i, (name, zone) in enumerate(targets):
        state = states.get(name)
        if state is None or state[1] != zone:
            continue
        out[i] = min(state[0], _hour_floor_us(opens.get(name, _NEVER), zone))
    return out


def read_stored(
    con: duckdb.DuckDBPyConnection,
    names: Sequence[str],
    lo_us: np.ndarray,
    hi_us: np.ndarray,
    categories: Sequence[str],
) -> dict[str, np.ndarray]:
    """Stored rows of building i with ``lo_us[i] <= hour < hi_us[i]`` and a category in
    ``categories``: arrays ``b`` (building index), ``h`` (hour, UTC µs), ``k`` (index in
    ``categories``), ``peak``, ``present``, ``person_us``."""
    keep = hi_us > lo_us
    empty = {key: np.zeros(0, dtype=np.int64) for key in ("b", "h", "k", "peak", "present", "person_us")}
    if not keep.any():
        return empty
    index = np.flatnonzero(keep)
    query = """
        SELECT ids.i AS b, epoch_us(f.hour) AS h, ks.k, f.peak, f.present, f.person_us
        FROM hourly_figures AS f
        JOIN (SELECT unnest(?::VARCHAR[]) AS building, unnest(?::BIGINT[]) AS i,
                     unnest(?::BIGINT[]) AS lo, unnest(?::BIGINT[]) AS hi) AS ids
          ON ids.building = f.building
        JOIN (SELECT unnest(?::VARCHAR[]) AS category, unnest(?::INTEGER[]) AS k) AS ks
          ON ks.category = f.category
        WHERE f.hour >= ? AND f.hour < ? AND epoch_us(f.hour) >= ids.lo AND epoch_us(f.hour) < ids.hi
    """
    params = [
        [names[i] for i in index],
        [int(i) for i in index],
        [int(lo_us[i]) for i in index],
        [int(hi_us[i]) for i in index],
        list(categories),
        list(range(len(categories))),
        _instant(int(lo_us[index].min())),
        _instant(int(hi_us[index].max())),
    ]
    arrays = con.execute(query, params).fetchnumpy()
    return {key: np.asarray(arrays[key], dtype=np.int64) for key in empty}


def hourly_arrays(
    con: duckdb.DuckDBPyConnection,
    targets: Sequence[tuple[str, str]],
    first: np.ndarray,
    hours: np.ndarray,
    now: datetime,
    by_category: bool,
    with_person: bool = True,
    use_stored: bool = True,
    opens: dict[str, int] | None = None,
) -> HourlyArrays:
    """RULES "Occupancy" per building (x category) for ``hours[i]`` local hours from
    ``first[i]`` (UTC µs of a local hour start): stored hours where exact, live the rest.

    Groups are building-major (``i * 3 + category`` with ``by_category``, else ``i``), as
    ``lib.analytics.sweep.hourly_sweep`` returns them. ``with_person`` False leaves ``present``
    of live hours as the count of overlapping visits (callers that read only ``peak``).
    ``opens``: :func:`open_since` at ``now``, when the caller has it.
    """
    names = [b for b, _ in targets]
    n_cat = len(CATEGORIES) if by_category else 1
    first = np.asarray(first, dtype=np.int64)
    hours = np.asarray(hours, dtype=np.int64)
    n_b = len(names)
    if use_stored and n_b:
        usable = usable_until(con, targets, now, opens)
        stored_hours = np.clip((usable - first) // HOUR_US, 0, hours)
        stored_hours = np.where(usable <= first, 0, stored_hours)
    else:
        stored_hours = np.zeros(n_b, dtype=np.int64)
    live_first = first + stored_hours * HOUR_US
    live_hours = hours - stored_hours

    group_first = np.repeat(first, n_cat)
    group_hours = np.repeat(hours, n_cat)
    offset = np.concatenate([[0], np.cumsum(group_hours)[:-1]]).astype(np.int64) if n_b else group_hours
    total = int(group_hours.sum())
    peak = np.zeros(total, dtype=np.int64)
    present = np.zeros(total, dtype=np.int64)
    person_us = np.zeros(total, dtype=np.int64)

    if live_hours.sum() > 0:
        live_group_first = np.repeat(live_first, n_cat)
        live_group_hours = np.repeat(live_hours, n_cat)
        lo_us = int(live_first[live_hours > 0].min())
        hi_us = int((live_first + live_hours * HOUR_US)[live_hours > 0].max())
        visits = fetch_visits(con, names, _instant(lo_us), _instant(hi_us), now,
                              with_person=with_person, with_category=by_category)
        group = visits["b"] * n_cat + (visits["c"] if by_category else 0)
        live = hourly_sweep(group, visits["s"], visits["e"], live_group_first, live_group_hours,
                            visits["p"] if with_person else None)
        skip = np.repeat(stored_hours, n_cat)
        n_live = int(live_group_hours.sum())
        g_of_live = np.repeat(np.arange(len(live_group_hours)), live_group_hours)
        target = offset[g_of_live] + skip[g_of_live] + (np.arange(n_live) - live.offset[g_of_live])
        peak[target] = live.peak
        present[target] = live.present if live.present is not None else live.overlapping
        person_us[target] = live.person_us

    if stored_hours.sum() > 0:
        categories = list(CATEGORIES) if by_category else ["all"]
        rows = read_stored(con, names, first, first + stored_hours * HOUR_US, categories)
        g = rows["b"] * n_cat + rows["k"]
        target = offset[g] + (rows["h"] - first[rows["b"]]) // HOUR_US
        peak[target] = rows["peak"]
        present[target] = rows["present"]
        person_us[target] = rows["person_us"]
    return HourlyArrays(group_first, group_hours, offset, peak, present.copy(), person_us, present)


# --- keeping the table up to date ---------------------------------------------------------


def refresh(
    con: duckdb.DuckDBPyConnection,
    building: str | None,
    dirty_from: datetime | None,
    now: datetime | None = None,
) -> None:
    """Recompute the stored hours of ``building`` (None: every building) from ``dirty_from``.

    ``dirty_from``: the earliest instant at which a visit may have ended differently
    (the re-pairing's ``from_ts``); None recomputes the whole history. Hours from
    ``floor_hour(dirty_from - longest MAX_STAY)`` (or from the old ``until``, if earlier)
    up to the new stable ``until`` are recomputed; nothing at or after the new ``until``
    stays stored. Runs in the caller's transaction, if any.
    """
    names = [b for b, _ in building_list(con, building)]
    refresh_many(con, dict.fromkeys(names, dirty_from), now)


def refresh_many(
    con: duckdb.DuckDBPyConnection, dirty: dict[str, datetime | None], now: datetime | None = None
) -> None:
    """``refresh`` for several buildings at once, each from its own ``dirty_from``."""
    if not dirty:
        return
    now = resolve_now(now)
    now_us = to_us(now)
    rows = con.execute(
        """
        SELECT building_id, coalesce(timezone, ?),
               CAST(60000000 AS BIGINT) * greatest(max_stay_asn_min, max_stay_thl_min, max_stay_visitor_min)
        FROM buildings WHERE building_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY building_id
        """,
        [DEFAULT_TIMEZONE, sorted(dirty)],
    ).fetchall()
    if not rows:
        return
    states = _states(con)
    opens = open_since(con, now)
    # Whole history: asked for, never stored, or stored in another time zone.
    whole = [
        str(b) for b, zone, _ in rows
        if dirty[str(b)] is None or str(b) not in states or states[str(b)][1] != str(zone)
    ]
    firsts: dict[str, int] = {}
    if whole:
        firsts = {
            str(b): int(t)
            for b, t in con.execute(
                "SELECT building, epoch_us(min(checkin_at)) FROM visits "
                "WHERE building IN (SELECT unnest(?::VARCHAR[])) GROUP BY building",
                [whole],
            ).fetchall()
        }
    targets: list[tuple[str, str]] = []
    refreshed: list[tuple[str, str, int, int]] = []
    deletes: list[tuple[str, int]] = []
    eff_list: list[int] = []
    until_list: list[int] = []
    # Hours after a building's last visit ends are zeros whatever comes: no need to sweep
    # them now (a later refresh starts at the old until anyway). The bound lets the zone
    # map on auto_close_at skip old row groups (every end is at or before auto_close_at).
    bound = None
    if not whole:
        bound = min(to_us(dirty[str(b)]) - int(longest) for b, _, longest in rows)  # type: ignore[arg-type]
        bound = min([bound, *(states[str(b)][0] for b, _, _ in rows)])
    last_end = {
        str(b): int(t)
        for b, t in con.execute(
            "SELECT building, epoch_us(max(coalesce(checkout_at, greatest(checkin_at, least(auto_close_at, ?))))) "
            "FROM visits WHERE building IN (SELECT unnest(?::VARCHAR[])) AND auto_close_at >= ? GROUP BY building",
            [now, sorted(dirty), _instant(bound) if bound is not None else _EPOCH - timedelta(days=365 * 200)],
        ).fetchall()
    }
    for name, zone, longest in rows:
        name, zone = str(name), str(zone)
        new_until = min(_hour_floor_us(now_us, zone), _hour_floor_us(opens.get(name, _NEVER), zone))
        if name in last_end:  # the end of the hour holding the last instant anyone is inside
            new_until = min(new_until, _hour_floor_us(last_end[name] - 1, zone) + HOUR_US)
        elif bound is not None:  # nobody inside from the bound on
            new_until = min(new_until, _hour_floor_us(bound, zone))
        if name in whole:
            eff = min(_hour_floor_us(firsts.get(name, _NEVER), zone), new_until)
            delete_from = _LONG_AGO
        else:
            since = to_us(dirty[name]) - int(longest)  # type: ignore[arg-type]
            eff = min(_hour_floor_us(since, zone), states[name][0], new_until)
            delete_from = eff
        deletes.append((name, delete_from))
        refreshed.append((name, zone, eff, new_until))
        if eff < new_until:
            targets.append((name, zone))
            eff_list.append(eff)
            until_list.append(new_until)
    _delete_from(con, "hourly_figures", "hour", deletes)
    con.execute(
        "INSERT INTO hourly_figures_state SELECT unnest(?::VARCHAR[]), make_timestamp(unnest(?::BIGINT[]))::TIMESTAMPTZ, "
        "unnest(?::VARCHAR[]) ON CONFLICT (building) DO UPDATE SET until = excluded.until, timezone = excluded.timezone",
        [[r[0] for r in refreshed], [r[3] for r in refreshed], [r[1] for r in refreshed]],
    )
    if targets:
        _compute_and_store(con, targets, np.asarray(eff_list), np.asarray(until_list), now)
    _store_weeks(con, refreshed, now)


_LONG_AGO = to_us(datetime(1900, 1, 1, tzinfo=UTC))


def _delete_from(con: duckdb.DuckDBPyConnection, table: str, column: str, deletes: list[tuple[str, int]]) -> None:
    """One DELETE of every row of ``table`` at or after each building's UTC µs bound."""
    if deletes:
        con.execute(
            f"""
            DELETE FROM {table} USING (
                SELECT unnest(?::VARCHAR[]) AS building, unnest(?::BIGINT[]) AS from_us
            ) AS d
            WHERE {table}.building = d.building AND epoch_us({table}.{column}) >= d.from_us
              AND {table}.{column} >= ?
            """,
            [[b for b, _ in deletes], [int(u) for _, u in deletes], _instant(min(u for _, u in deletes))],
        )


def _compute_and_store(
    con: duckdb.DuckDBPyConnection,
    targets: list[tuple[str, str]],
    eff: np.ndarray,
    until: np.ndarray,
    now: datetime,
) -> None:
    """Live figures of ``[eff[i], until[i])`` per building, all categories, in time chunks."""
    names = [b for b, _ in targets]
    n_k = len(STORED_CATEGORIES)
    chunk_us = CHUNK_HOURS * HOUR_US
    for c0 in range(int(eff.min()), int(until.max()), chunk_us):
        c1 = c0 + chunk_us
        # Chunk bounds on each building's own hour grid, so chunks join without a gap.
        lo = np.maximum(eff, eff + -(-(c0 - eff) // HOUR_US) * HOUR_US)
        hi = np.minimum(until, eff + -(-(c1 - eff) // HOUR_US) * HOUR_US)
        active = np.flatnonzero(hi > lo)
        if len(active) == 0:
            continue
        sub = [names[i] for i in active]
        first, hours = lo[active], (hi[active] - lo[active]) // HOUR_US
        visits = fetch_visits(con, sub, _instant(int(first.min())), _instant(int(hi[active].max())), now,
                              with_person=True, with_category=True)
        group = np.concatenate([visits["b"] * n_k, visits["b"] * n_k + 1 + visits["c"]])
        twice = {key: np.concatenate([visits[key], visits[key]]) for key in ("s", "e", "p")}
        result = hourly_sweep(group, twice["s"], twice["e"], np.repeat(first, n_k), np.repeat(hours, n_k), twice["p"])
        assert result.present is not None
        keep = np.flatnonzero(result.peak > 0)
        if len(keep) == 0:
            continue
        g_of_row = np.repeat(np.arange(len(result.hours)), result.hours)[keep]
        hour_us = result.first_us[g_of_row] + (keep - result.offset[g_of_row]) * HOUR_US
        table = pa.table(
            {
                "building": pa.array(np.asarray(sub, dtype=object)[g_of_row // n_k], pa.string()),
                "hour_us": pa.array(hour_us, pa.int64()),
                "category": pa.array(np.asarray(STORED_CATEGORIES, dtype=object)[g_of_row % n_k], pa.string()),
                "peak": pa.array(result.peak[keep], pa.int32()),
                "present": pa.array(result.present[keep], pa.int32()),
                "person_us": pa.array(result.person_us[keep], pa.int64()),
            }
        )
        con.register("hourly_figures_arrow", table)
        try:
            con.execute(
                "INSERT INTO hourly_figures SELECT building, make_timestamp(hour_us)::TIMESTAMPTZ, category, "
                "peak, present, person_us FROM hourly_figures_arrow ORDER BY hour_us"
            )
        finally:
            con.unregister("hourly_figures_arrow")


WEEK_COLUMNS = (
    "visits", "persons", "persons_ASN", "persons_THL", "persons_visitor", "auto_closed",
    *(f"day{d}" for d in range(7)), "median_stay_minutes",
)
WEEKS_PER_QUERY = 26


def _local_monday(us: int, zone: str) -> date:
    local = _instant(us).astimezone(ZoneInfo(zone)).date()
    return local - timedelta(days=local.weekday())


def _week_start_us(monday: date, zone: str) -> int:
    return to_us(local_midnight(monday, zone))


def _store_weeks(con: duckdb.DuckDBPyConnection, refreshed: list[tuple[str, str, int, int]], now: datetime) -> None:
    """Weekly figures (``lib.analytics.weekly``'s SQL, detail) of every whole local week from the week
    holding ``eff`` that ends by ``until``, per refreshed ``(building, zone, eff, until)``."""
    try:
        stated = {
            str(b): int(u) for b, u in con.execute("SELECT building, epoch_us(until) FROM weekly_figures_state").fetchall()
        }
    except duckdb.CatalogException:
        return  # a file not yet migrated: weekly figures are computed live
    missing = [name for name, _, _, _ in refreshed if name not in stated]
    firsts = {}
    if missing:  # never stored: from the building's first visit
        firsts = {
            str(b): int(t)
            for b, t in con.execute(
                "SELECT building, epoch_us(min(checkin_at)) FROM visits "
                "WHERE building IN (SELECT unnest(?::VARCHAR[])) GROUP BY building",
                [missing],
            ).fetchall()
        }
    jobs = []
    deletes: list[tuple[str, int]] = []
    week_state: list[tuple[str, int]] = []
    for name, zone, eff, until in refreshed:
        if name in missing:
            eff = min(firsts.get(name, _NEVER), until)
        else:  # weeks between the old weekly until and eff were not whole before
            eff = min(eff, stated[name])
        first = _local_monday(min(eff, until), zone)
        deletes.append((name, _week_start_us(first, zone)))
        last = _local_monday(until, zone)  # the week holding until is not whole yet
        if _week_start_us(last + timedelta(days=7), zone) <= until:
            last += timedelta(days=7)
        week_state.append((name, _week_start_us(max(first, last), zone)))
        if first < last:
            jobs.append((name, zone, first, last))
    _delete_from(con, "weekly_figures", "week_start", deletes)
    if week_state:
        con.execute(
            "INSERT INTO weekly_figures_state SELECT unnest(?::VARCHAR[]), make_timestamp(unnest(?::BIGINT[]))::TIMESTAMPTZ "
            "ON CONFLICT (building) DO UPDATE SET until = excluded.until",
            [[b for b, _ in week_state], [int(u) for _, u in week_state]],
        )
    if not jobs:
        return
    start = min(first for _, _, first, _ in jobs)
    stop = max(last for _, _, _, last in jobs)
    while start < stop:
        n_weeks = min(WEEKS_PER_QUERY, (stop - start).days // 7)
        part = [(n, z, f, la) for n, z, f, la in jobs if f < start + timedelta(weeks=n_weeks) and la > start]
        frame = week_counts(con, [(n, z) for n, z, _, _ in part], start, n_weeks, now, detail=True)
        if len(frame):
            lo = frame["building"].map({n: (f - start).days // 7 for n, _, f, _ in part})
            hi = frame["building"].map({n: (la - start).days // 7 for n, _, _, la in part})
            zones = {n: z for n, z, _, _ in part}
            frame = frame[(frame["week_index"] >= lo) & (frame["week_index"] < hi)].copy()
            frame["week_start"] = [
                _instant(_week_start_us(start + timedelta(weeks=int(w)), zones[b]))
                for b, w in zip(frame["building"], frame["week_index"], strict=True)
            ]
            if len(frame):
                frame = frame[["building", "week_start", *WEEK_COLUMNS]]
                con.register("weekly_figures_frame", frame)
                try:
                    con.execute("INSERT INTO weekly_figures SELECT * FROM weekly_figures_frame")
                finally:
                    con.unregister("weekly_figures_frame")
        start += timedelta(weeks=n_weeks)


def stored_weeks(
    con: duckdb.DuckDBPyConnection,
    targets: Sequence[tuple[str, str]],
    first_monday: date,
    n_weeks: int,
    now: datetime,
    opens: dict[str, int] | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Per building, how many leading weeks of ``n_weeks`` from ``first_monday`` are exact
    in ``weekly_figures`` at moment ``now`` (whole weeks below ``usable_until``), and those
    rows (``building, week_index`` and ``WEEK_COLUMNS``; a missing row: no visits).
    ``opens``: :func:`open_since` at ``now``, when the caller has it."""
    usable = usable_until(con, targets, now, opens)
    try:
        weekly_until = dict(con.execute("SELECT building, epoch_us(until) FROM weekly_figures_state").fetchall())
    except duckdb.CatalogException:
        weekly_until = {}
    usable = np.minimum(usable, [weekly_until.get(b, np.iinfo(np.int64).min) for b, _ in targets])
    counts = np.zeros(len(targets), dtype=np.int64)
    for i, (_, zone) in enumerate(targets):
        while counts[i] < n_weeks and _week_start_us(
            first_monday + timedelta(weeks=int(counts[i]) + 1), zone
        ) <= usable[i]:
            counts[i] += 1
    keep = [i for i in range(len(targets)) if counts[i] > 0]
    if not keep:
        return counts, pd.DataFrame(columns=["building", "week_index", *WEEK_COLUMNS])
    starts = [_week_start_us(first_monday, targets[i][1]) for i in keep]
    frame = con.execute(
        f"""
        SELECT f.building, CAST((epoch_us(f.week_start) - ids.lo) // {7 * 24 * HOUR_US} AS BIGINT) AS week_index,
               {", ".join(f'f."{c}"' for c in WEEK_COLUMNS)}
        FROM weekly_figures AS f
        JOIN (SELECT unnest(?::VARCHAR[]) AS building, unnest(?::BIGINT[]) AS lo, unnest(?::BIGINT[]) AS n) AS ids
          ON ids.building = f.building
        WHERE f.week_start >= ? AND f.week_start < ?
          AND epoch_us(f.week_start) >= ids.lo AND epoch_us(f.week_start) < ids.lo + ids.n * {7 * 24 * HOUR_US}
        """,
        [
            [targets[i][0] for i in keep], starts, [int(counts[i]) for i in keep],
            _instant(min(starts)), _instant(max(starts) + n_weeks * 7 * 24 * HOUR_US),
        ],
    ).df()
    return counts, frame


@dataclass(frozen=True)
class RestartBounds:
    """Of a table of re-paired persons ``(person_id, from_ts, ...)``, as ``lib.ingest.pairing.restart_bounds`` finds them.

    ``any_full``: someone was re-paired from the start (None: nobody was re-paired);
    ``earliest``: the earliest ``from_ts``; ``longest_stay_min``: the longest MAX_STAY of
    any building, in minutes.
    """

    any_full: bool | None
    earliest: datetime | None
    longest_stay_min: int


def refresh_after_repair(
    con: duckdb.DuckDBPyConnection, affected_table: str, bounds: RestartBounds | None, now: datetime | None = None
) -> None:
    """After ``lib.ingest.pairing.repair(con, affected_table)``: refresh every building it changed.

    A person re-paired from ``from_ts`` changed only visits ending at or after it (begun
    at most MAX_STAY before), in buildings where the person has a visit ending then or
    later, or an event from MAX_STAY before (a check-in in one building closes an open
    visit in another). ``from_ts`` NULL: from the person's first event or visit there.
    """
    if bounds is None or bounds.any_full is None:
        return  # nobody re-paired
    # Constant bounds let the zone maps skip old row groups (none when someone is whole).
    event_bound = visit_bound = ""
    params: list[object] = []
    any_full, earliest, longest = bounds.any_full, bounds.earliest, bounds.longest_stay_min
    if not any_full:
        event_bound = "AND e.ts >= ?"
        visit_bound = "AND v.auto_close_at >= ?"
        params = [earliest - timedelta(minutes=int(longest)), earliest]
    rows = con.execute(
        f"""
        SELECT building, min(t) FROM (
            SELECT e.building, coalesce(a.from_ts, e.ts) AS t
            FROM events AS e JOIN {affected_table} AS a USING (person_id)
            WHERE (a.from_ts IS NULL OR e.ts >= a.from_ts - INTERVAL {int(longest)} MINUTE) {event_bound}
            UNION ALL
            SELECT v.building, coalesce(a.from_ts, v.checkin_at) AS t
            FROM visits AS v JOIN {affected_table} AS a USING (person_id)
            WHERE (a.from_ts IS NULL OR coalesce(v.checkout_at, v.auto_close_at) >= a.from_ts) {visit_bound}
        ) GROUP BY building
        """,
        params,
    ).fetchall()
    refresh_many(con, {str(b): t for b, t in rows}, now)
