"""Area stays: where a person was inside a building (docs/HOW_IT_WORKS.md "Rooms and the staff roster").

A scan with an area (a room, floor or hall with its own poster) is an *area scan*; it
never changes building visits (those come from door scans alone, ``lib.ingest.pairing``). Per
person and building, area scans in time order (a check-out first at equal instants)
make *stays* with the same DEDUP as door scans and each area's AREA_STAY:

- check-in at t in area a: an open stay in a begun at most DEDUP before t is a
  duplicate; another open stay o ends at ``min(o.start + AREA_STAY, t)`` (``moved``, or
  ``auto`` when AREA_STAY came first); then a stay in a opens at t;
- check-out at t in a: the open stay in a ends at t (``scan``) when
  ``t <= start + AREA_STAY``, else at ``start + AREA_STAY`` (``auto``) and the check-out
  is an orphan; with no open stay in a, a check-out within DEDUP of a scanned end of a
  stay in a is a duplicate, any other an orphan (an open stay elsewhere stays open);
- a stay still open after the last area scan ends at ``start + AREA_STAY`` (``auto``),
  and until then the person is inside (stored with ``end_at`` NULL);
- leaving ends the stay: a building visit v of the person in the same building with
  ``v.checkin_at <= start < v.end`` that ends before the stay ends it at ``v.end``
  (``left``). A visit still open counts with its automatic close as its end.

Stays are re-derived for every person an import touches (their area scans and their
visits, all buildings), so overlapping files in any order give the same stays. As the
visit pairing does (``lib.ingest.pairing``), each person restarts where nothing earlier
can change (``rederive``), not from their first scan: a day's file names nearly every
staff member, and their whole histories made a day's import take seconds. The pass is
an ordered pass over the area scans from the restarts on, compiled with numba as the
pairing's is (a loop in Python spent ~6 s of a 10 M-event import on 1.2 M area scans).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import numba
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lib.core.text import clean_text
from lib.ingest.streams import whole_persons
from lib.store.db import DEDUP_SECONDS, DEDUP_US, DEFAULT_MAX_STAY_MINUTES
from lib.store.relations import StayRestarts
from lib.store.spool import TableSink, database_path

# The area scans stream in batches of about this many rows; derived stays and anomalies
# beyond SPOOL_ROWS wait in a Parquet file of the database's private folder.
SCANS_PER_BATCH = 200_000
SPOOL_ROWS = 500_000


@dataclass
class StayOutcome:
    """What the area scans of one import became: duplicates and orphans among them."""

    duplicates: int = 0
    orphans: int = 0


# Codes of the compiled pass: how a stay ended (OPEN: not yet), how an anomaly reads.
OPEN, AUTO, MOVED, SCAN = 0, 1, 2, 3
DUPLICATE, ORPHAN = 1, 2
_END_KIND_TEXT = np.array([None, "auto", "moved", "scan"], dtype=object)


def derive_stays(scans: pa.Table) -> tuple[pa.Table, pa.Table]:
    """The state machine of the module docstring, before the "leaving" rule, over the area
    scans of whole persons: (stays, anomalies) as ``_STAY_SCHEMA`` / ``_ANOMALY_SCHEMA``.

    ``scans``: person_id, building, area_id, is_checkin, t (microseconds), area_stay_us,
    is_new; sorted by person, building, t, check-out first. A stay still open after the
    last scan has no end (NULL) and no kind.
    """
    n = scans.num_rows
    starts = np.zeros(n, dtype=np.bool_)
    starts[:1] = True
    if n > 1:
        for name in ("person_id", "building"):
            column = scans.column(name).combine_chunks()
            starts[1:] |= pc.not_equal(column[1:], column[:-1]).to_numpy(zero_copy_only=False)
    encoded = pc.dictionary_encode(scans.column("area_id").combine_chunks())
    is_checkin = scans.column("is_checkin").to_numpy(zero_copy_only=False).astype(np.bool_)
    t = scans.column("t").to_numpy(zero_copy_only=False).astype(np.int64)
    s_row, s_end, s_kind, s_deadline, a_row, a_kind = _stay_kernel(
        starts, encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32), is_checkin, t,
        scans.column("area_stay_us").to_numpy(zero_copy_only=False).astype(np.int64),
        len(encoded.dictionary), DEDUP_US,
    )
    stays = pa.table(
        {
            **_whose(scans, s_row),
            "start_us": pa.array(t[s_row], type=pa.int64()),
            "end_us": pa.array(s_end, type=pa.int64(), mask=s_kind == OPEN),
            "end_kind": pa.array(_END_KIND_TEXT[s_kind], type=pa.string()),
            "auto_end_us": pa.array(s_deadline, type=pa.int64()),
        }
    ).cast(_STAY_SCHEMA)
    anomalies = pa.table(
        {
            **_whose(scans, a_row),
            "ts_us": pa.array(t[a_row], type=pa.int64()),
            "is_checkin": pa.array(is_checkin[a_row], type=pa.bool_()),
            "kind": pa.array(np.where(a_kind == DUPLICATE, "duplicate", "orphan"), type=pa.string()),
            "is_new": scans.column("is_new").take(pa.array(a_row, type=pa.int64())),
        }
    ).cast(_ANOMALY_SCHEMA)
    return stays, anomalies


def _whose(scans: pa.Table, rows: np.ndarray) -> dict[str, pa.ChunkedArray]:
    """The person, building and area of the scans at ``rows``."""
    taken = pa.array(rows, type=pa.int64())
    return {name: scans.column(column).take(taken)
            for name, column in (("person_id", "person_id"), ("building", "building"), ("area", "area_id"))}


@numba.njit(cache=True, nogil=True)
def _stay_kernel(
    starts: np.ndarray, area: np.ndarray, is_checkin: np.ndarray, t: np.ndarray, area_stay: np.ndarray,
    n_areas: int, dedup_us: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The module docstring's rules on integer codes (see ``derive_stays``): stay i began
    with scan ``s_row[i]`` and ended at ``s_end[i]`` by ``s_kind[i]``; anomaly j is scan
    ``a_row[j]``, a DUPLICATE or an ORPHAN. ``starts[i]``: a new person or building.

    Per person and building: at most one open stay (area ``open_a``, -1 none) and, per
    area, the last end (instant, by a scan?) stamped with the group it belongs to.
    """
    n = t.shape[0]
    s_row = np.empty(n, np.int64)
    s_end = np.zeros(n, np.int64)
    s_kind = np.empty(n, np.int8)
    s_deadline = np.empty(n, np.int64)
    a_row = np.empty(n, np.int64)
    a_kind = np.empty(n, np.int8)
    last_end = np.zeros(n_areas, np.int64)
    last_by_scan = np.zeros(n_areas, np.bool_)
    last_group = np.full(n_areas, -1, np.int64)
    ns = 0
    na = 0
    group = -1
    open_a = -1
    open_row = 0
    open_start = 0
    open_deadline = 0
    for i in range(n):
        if starts[i]:
            if open_a >= 0:
                s_row[ns], s_kind[ns], s_deadline[ns] = open_row, OPEN, open_deadline
                ns += 1
            group += 1
            open_a = -1
        ti = t[i]
        a = area[i]
        if open_a >= 0 and ti > open_deadline:
            # AREA_STAY came first.
            s_row[ns], s_end[ns], s_kind[ns], s_deadline[ns] = open_row, open_deadline, AUTO, open_deadline
            ns += 1
            last_end[open_a], last_by_scan[open_a], last_group[open_a] = open_deadline, False, group
            open_a = -1
        if is_checkin[i]:
            if open_a >= 0:
                if open_a == a and ti - open_start <= dedup_us:
                    a_row[na], a_kind[na] = i, DUPLICATE
                    na += 1
                    continue
                s_row[ns], s_end[ns], s_kind[ns], s_deadline[ns] = open_row, ti, MOVED, open_deadline
                ns += 1
                last_end[open_a], last_by_scan[open_a], last_group[open_a] = ti, False, group
            open_a, open_row, open_start, open_deadline = a, i, ti, ti + area_stay[i]
        elif open_a == a:
            s_row[ns], s_end[ns], s_kind[ns], s_deadline[ns] = open_row, ti, SCAN, open_deadline
            ns += 1
            last_end[a], last_by_scan[a], last_group[a] = ti, True, group
            open_a = -1
        else:
            # No open stay here: within DEDUP of a scanned end here a duplicate, else an orphan.
            a_row[na] = i
            by_scan = last_group[a] == group and last_by_scan[a]
            a_kind[na] = DUPLICATE if by_scan and ti - last_end[a] <= dedup_us else ORPHAN
            na += 1
    if open_a >= 0:
        s_row[ns], s_kind[ns], s_deadline[ns] = open_row, OPEN, open_deadline
        ns += 1
    return s_row[:ns], s_end[:ns], s_kind[:ns], s_deadline[:ns], a_row[:na], a_kind[:na]


_STAY_SCHEMA = pa.schema(
    [("person_id", pa.string()), ("building", pa.string()), ("area", pa.string()), ("start_us", pa.int64()),
     ("end_us", pa.int64()), ("end_kind", pa.string()), ("auto_end_us", pa.int64())]
)
_ANOMALY_SCHEMA = pa.schema(
    [("person_id", pa.string()), ("building", pa.string()), ("area", pa.string()), ("ts_us", pa.int64()),
     ("is_checkin", pa.bool_()), ("kind", pa.string()), ("is_new", pa.bool_())]
)


def rederive(con: duckdb.DuckDBPyConnection, persons: StayRestarts, import_id: int | None = None) -> StayOutcome:
    """Re-derive the stays and area anomalies of the persons ``persons`` selects,
    inside the caller's transaction. Returns what the area scans of ``import_id`` became
    (all of them must be at or after their person's ``from_ts``).

    ``persons`` has a ``person_id`` column and, optionally, ``from_ts``:
    the earliest instant at which the person's area scans, or the visits that may hold
    their stays, may have changed (NULL, or no such column: their whole history; several
    rows of a person: the earliest). The person is restarted from there, moved back by
    ``_move_back`` so that no stay is open across it and no DEDUP rule looks back across
    it: the stays that begin before it and the anomalies before it are what a whole
    re-derivation gives too, and only the rest is derived again.
    """
    con.execute(f"CREATE OR REPLACE TEMP TABLE stay_input AS SELECT * FROM ({persons.checked(con).sql})")
    has_from = "from_ts" in [c[0] for c in con.execute("SELECT * FROM stay_input LIMIT 0").description]
    from_ts = "from_ts" if has_from else "CAST(NULL AS TIMESTAMPTZ)"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE stay_persons AS
        SELECT person_id, CASE WHEN bool_or(from_ts IS NULL) THEN NULL ELSE min(from_ts) END AS from_ts
        FROM (SELECT person_id, {from_ts} AS from_ts FROM stay_input) GROUP BY person_id
        """
    )
    con.execute("DROP TABLE stay_input")
    longest_area_stay, longest_max_stay = con.execute(
        "SELECT (SELECT coalesce(max(area_stay_min), ?) FROM areas), "
        "(SELECT coalesce(max(greatest(max_stay_asn_min, max_stay_thl_min, max_stay_visitor_min)), ?) FROM buildings)",
        [DEFAULT_AREA_STAY_MIN, max(DEFAULT_MAX_STAY_MINUTES.values())],
    ).fetchall()[0]
    _move_back(con, int(longest_area_stay))
    any_whole, earliest = con.execute("SELECT bool_or(from_ts IS NULL), min(from_ts) FROM stay_persons").fetchall()[0]
    bounded = earliest is not None and not any_whole
    # Nothing before the earliest restart is deleted or read again: zone maps skip it.
    since = f"'{earliest.isoformat()}'::TIMESTAMPTZ" if bounded else None
    con.execute(
        "DELETE FROM stays USING stay_persons p WHERE stays.person_id = p.person_id "
        f"AND (p.from_ts IS NULL OR stays.start_at >= p.from_ts) {f'AND stays.start_at >= {since}' if since else ''}"
    )
    con.execute(
        "DELETE FROM area_anomalies USING stay_persons p WHERE area_anomalies.person_id = p.person_id "
        f"AND (p.from_ts IS NULL OR area_anomalies.ts >= p.from_ts) {f'AND area_anomalies.ts >= {since}' if since else ''}"
    )
    is_new = f"coalesce(e.import_id = {int(import_id)}, false)" if import_id is not None else "false"
    events_bound = f"AND e.ts >= {since}" if since else ""
    scans_sql = f"""
        SELECT e.person_id, e.building, a.area_id, e.action = 'checkin' AS is_checkin, epoch_us(e.ts) AS t,
               CAST(60000000 AS BIGINT) * a.area_stay_min AS area_stay_us, {is_new} AS is_new, a.area_key
        FROM events e JOIN stay_persons p ON p.person_id = e.person_id AND (p.from_ts IS NULL OR e.ts >= p.from_ts)
        JOIN areas a ON a.building = e.building AND a.area_key = lower(e.area)
        WHERE e.area IS NOT NULL {events_bound}
    """
    # A stay left open (no later scan in its building) whose AREA_STAY ran out before
    # the restart: a scan there after the restart closes it ``auto`` at that instant,
    # and changes nothing else (a "left" end stays the same). Such a stay may be years
    # old, so it is closed here rather than by restarting before it.
    # The candidates (open stays of restarted persons, from a scan of the stays' few open
    # rows) are found first and the scans asked about them alone; the rows are then updated
    # by row id. Joined the other way round, every stay or every restarted person's area
    # scan was read: ~0.6 s of each day's import at 50 M visits (issue 27).
    con.execute(
        """
        -- At most one open stay per person and building.
        CREATE OR REPLACE TEMP TABLE open_stay_candidates AS
        SELECT s.rowid AS stay_row, s.person_id, s.building
        FROM stays s JOIN stay_persons p ON p.person_id = s.person_id
        WHERE s.end_at IS NULL AND s.end_kind IS NULL AND p.from_ts IS NOT NULL AND s.auto_end_at < p.from_ts
        """
    )
    closing = [row[0] for row in con.execute(
        f"""
        SELECT c.stay_row FROM open_stay_candidates c
        SEMI JOIN ({scans_sql}) n ON n.person_id = c.person_id AND n.building = c.building
        """
    ).fetchall()]
    con.execute("DROP TABLE open_stay_candidates")
    if closing:
        con.execute(
            "UPDATE stays SET end_at = auto_end_at, end_kind = 'auto' WHERE rowid IN (SELECT unnest($rows))",
            {"rows": closing},
        )
    # The scans stream in batches and the stays go to a sink that spools beyond
    # SPOOL_ROWS: a whole province's history re-derived in bounded memory (issue 27: 19 GB
    # at 50 M visits when every scan was a Python tuple at once).
    spool_db = database_path(con)  # asked before the stream holds the connection
    scans = con.sql(
        f"""
        SELECT person_id, building, area_id, is_checkin, t, area_stay_us, is_new FROM ({scans_sql})
        -- At equal instants a check-out first, then areas by name ignoring case.
        ORDER BY person_id, building, t, is_checkin, area_key
        """
    ).to_arrow_reader(SCANS_PER_BATCH)
    outcome = StayOutcome()
    schemas = {"stays": _STAY_SCHEMA, "anomalies": _ANOMALY_SCHEMA}
    with TableSink(spool_db, schemas, "stays-", SPOOL_ROWS) as sink:
        for table in whole_persons(scans):
            stays, anomalies = derive_stays(table)
            new = anomalies.column("is_new").to_numpy(zero_copy_only=False)
            duplicate = anomalies.column("kind").to_numpy(zero_copy_only=False) == "duplicate"
            outcome.duplicates += int(np.count_nonzero(new & duplicate))
            outcome.orphans += int(np.count_nonzero(new & ~duplicate))
            sink.add(stays=stays, anomalies=anomalies)
        # The stream is read to its end before the connection writes again.
        with sink.sources(con) as source:
            _insert_stays(con, source["stays"], source["anomalies"], earliest if bounded else None,
                          int(longest_max_stay))
    con.execute("DROP TABLE IF EXISTS stay_persons")
    return outcome


def _insert_stays(
    con: duckdb.DuckDBPyConnection, stays_source: str, anomalies_source: str, earliest: datetime | None,
    longest_max_stay_min: int,
) -> None:
    """Insert the derived stays (with the "leaving" rule applied) and area anomalies from two
    SQL sources (instants as integer microseconds); ``earliest``: the earliest restart
    (None: some person's whole history)."""
    horizon = timedelta(minutes=longest_max_stay_min, seconds=DEDUP_SECONDS)
    visits_bound = f"WHERE v.checkin_at >= '{(earliest - horizon).isoformat()}'::TIMESTAMPTZ" if earliest else ""
    # Leaving ends the stay: the person's visit in the building that holds the stay's
    # start and ends before it (a visit still open: at its automatic close).
    con.execute(
        f"""
        INSERT INTO stays
        WITH s AS (
            SELECT person_id, building, area, make_timestamp(start_us)::TIMESTAMPTZ AS start_at,
                   make_timestamp(end_us)::TIMESTAMPTZ AS end_at, end_kind,
                   make_timestamp(auto_end_us)::TIMESTAMPTZ AS auto_end_at
            FROM {stays_source}
        ), v AS (
            -- A visit that begins more than the longest MAX_STAY before the restart
            -- ends before it, so it can hold none of the stays derived here.
            SELECT v.person_id, v.building, v.checkin_at, coalesce(v.checkout_at, v.auto_close_at) AS v_end
            FROM (SELECT * FROM visits v {visits_bound}) v JOIN stay_persons p USING (person_id)
            WHERE p.from_ts IS NULL OR v.checkin_at >= p.from_ts - $horizon
        ), held AS (
            -- A person's visits never overlap (one open visit at a time, each ends at
            -- or before the next check-in), so only the visit with the latest check-in
            -- at or before the stay's start can hold it: an ASOF join, not a range join
            -- over all of the person's visits in the building.
            SELECT s.*, CASE WHEN s.start_at < v.v_end AND v.v_end < coalesce(s.end_at, s.auto_end_at)
                             THEN v.v_end END AS left_at
            FROM s ASOF LEFT JOIN v
              ON v.person_id = s.person_id AND v.building = s.building AND v.checkin_at <= s.start_at
        )
        SELECT person_id, building, area, start_at,
               coalesce(left_at, end_at), CASE WHEN left_at IS NOT NULL THEN 'left' ELSE end_kind END,
               auto_end_at
        FROM held
        """,
        {"horizon": horizon},
    )
    con.execute(
        f"""
        INSERT INTO area_anomalies
        SELECT person_id, building, area, make_timestamp(ts_us)::TIMESTAMPTZ,
               CASE WHEN is_checkin THEN 'checkin' ELSE 'checkout' END, kind
        FROM {anomalies_source}
        """
    )


def _move_back(con: duckdb.DuckDBPyConnection, longest_area_stay_min: int) -> None:
    """Move each restart of ``stay_persons`` back to the start of a stored stay the scans
    from the restart on could change or read, until there is none (RULES "Places inside a
    building"): a stay begun before the restart and ending at or after it (it is open
    then: a scan at the restart closes it or is judged against it), or ended by a scan
    within DEDUP before it (a check-out soon after is a duplicate).

    A stay ended ``left`` hides how the area scans ended it, at ``auto_end_at`` at the
    latest, so it counts as ending then; a stay still open (``end_at`` NULL) as ending at
    ``auto_end_at`` (one that ran out before the restart is closed by ``rederive``).
    Such a stay begins at most the longest AREA_STAY and DEDUP before the restart, which
    bounds the stays read (zone maps skip older ones).
    """
    reach = timedelta(minutes=longest_area_stay_min, seconds=DEDUP_SECONDS)
    while True:
        earliest = con.execute("SELECT min(from_ts) FROM stay_persons").fetchall()[0][0]
        if earliest is None:
            return
        moved = con.execute(
            f"""
            UPDATE stay_persons SET from_ts = b.start_at
            FROM (
                SELECT s.person_id, min(s.start_at) AS start_at
                FROM (
                    SELECT person_id, start_at, end_kind,
                           CASE WHEN end_kind IN ('scan', 'moved', 'auto') THEN end_at ELSE auto_end_at END AS ends
                    FROM stays WHERE start_at >= $bound
                ) s JOIN stay_persons p USING (person_id)
                WHERE p.from_ts IS NOT NULL AND s.start_at < p.from_ts
                  AND (s.ends >= p.from_ts
                       OR (s.end_kind IN ('scan', 'left') AND s.ends >= p.from_ts - INTERVAL {DEDUP_US} MICROSECOND))
                GROUP BY s.person_id
            ) b
            WHERE stay_persons.person_id = b.person_id
            """,
            {"bound": earliest - reach},
        ).fetchall()[0][0]
        if not moved:
            return


DEFAULT_AREA_STAY_MIN = 120  # RULES "Places inside a building"
AREA_STAY_RANGE_MIN = (1, 48 * 60)
AREA_NAME_MAX = 80


def _check_values(area_stay_min: int | None, capacity: int | None) -> None:
    """SettingsError ``bad_area_stay`` / ``bad_capacity`` for values out of range."""
    from lib.store.places import SettingsError

    low, high = AREA_STAY_RANGE_MIN
    if area_stay_min is not None and not low <= int(area_stay_min) <= high:
        raise SettingsError("bad_area_stay", low=low, high=high)
    if capacity is not None and int(capacity) < 0:
        raise SettingsError("bad_capacity")


def create_area(
    con: duckdb.DuckDBPyConnection,
    building: str,
    name: str,
    area_stay_min: int = DEFAULT_AREA_STAY_MIN,
    capacity: int | None = None,
    actor: str = "system",
) -> str:
    """Add a room to a building by hand, as an import of room scans would create it
    (RULES "Places inside a building"); returns its id (the name, trimmed).

    ``area_stay_min``: AREA_STAY in minutes (1 to 2880); ``capacity``: people, 0 or None
    for not set. The name is unique in the building ignoring case and surrounding spaces.
    Audited as ``area_create``. Raises ``lib.store.places.SettingsError``: ``unknown_building``,
    ``area_name_empty``, ``area_name_long``, ``area_exists``, ``bad_area_stay``, ``bad_capacity``.
    """
    import json

    from lib.store import db
    from lib.store.places import SettingsError

    area_id = clean_text(name, -1)  # the key is lower(trim(name)), as imported rooms are cleaned
    if not area_id:
        raise SettingsError("area_name_empty")
    if len(area_id) > AREA_NAME_MAX:
        raise SettingsError("area_name_long", limit=AREA_NAME_MAX)
    _check_values(area_stay_min, capacity)
    if not con.execute("SELECT 1 FROM buildings WHERE building_id = ?", [building]).fetchall():
        raise SettingsError("unknown_building", building=building)
    key = area_id.lower()
    with db.transaction(con):
        existing = con.execute(
            "SELECT area_id FROM areas WHERE building = ? AND area_key = ?", [building, key]
        ).fetchall()
        if existing:
            raise SettingsError("area_exists", area=existing[0][0])
        con.execute(
            "INSERT INTO areas (building, area_key, area_id, name, area_stay_min, capacity) VALUES (?, ?, ?, ?, ?, ?)",
            [building, key, area_id, area_id, int(area_stay_min), int(capacity) if capacity else None],
        )
        db.write_audit(
            con, actor, "area_create", f"{building}/{area_id}",
            json.dumps({"area_stay_min": int(area_stay_min), "capacity": int(capacity) if capacity else None}), 1,
        )
    return area_id


def update_area(
    con: duckdb.DuckDBPyConnection,
    building: str,
    area: str,
    area_stay_min: int | None = None,
    capacity: int | None = None,
    actor: str = "system",
) -> bool:
    """Set an area's AREA_STAY (minutes, 1 to 2880) and/or capacity (people; 0 clears it,
    None keeps it). Returns whether anything changed.

    A new AREA_STAY re-derives the stays of everyone with scans in the area, in the same
    transaction (as a new MAX_STAY re-pairs visits). Audited as ``area_change``. Raises
    ``lib.store.places.SettingsError``: ``unknown_area``, ``bad_area_stay``, ``bad_capacity``.
    """
    import json

    from lib.store import db
    from lib.store.places import SettingsError

    key = area.strip().lower()
    rows = con.execute(
        "SELECT area_stay_min, capacity FROM areas WHERE building = ? AND area_key = ?", [building, key]
    ).fetchall()
    if not rows:
        raise SettingsError("unknown_area", area=area, building=building)
    _check_values(area_stay_min, capacity)
    old_stay, old_capacity = rows[0]
    new_stay = old_stay if area_stay_min is None else int(area_stay_min)
    new_capacity = old_capacity if capacity is None else (int(capacity) or None)
    if (new_stay, new_capacity) == (old_stay, old_capacity):
        return False
    with db.transaction(con):
        con.execute(
            "UPDATE areas SET area_stay_min = ?, capacity = ? WHERE building = ? AND area_key = ?",
            [new_stay, new_capacity, building, key],
        )
        if new_stay != old_stay:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE area_persons AS "
                "SELECT DISTINCT person_id FROM events WHERE building = ? AND lower(area) = ?",
                [building, key],
            )
            rederive(con, StayRestarts("SELECT person_id FROM area_persons"))
            con.execute("DROP TABLE area_persons")
        db.write_audit(
            con, actor, "area_change", f"{building}/{area.strip()}",
            json.dumps({"area_stay_min": [old_stay, new_stay], "capacity": [old_capacity, new_capacity]}), 1,
        )
    return True
