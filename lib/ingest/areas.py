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
an ordered loop in Python over the area scans from the restarts on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import duckdb
import pyarrow as pa

from lib.core.text import clean_text
from lib.store.db import DEDUP_SECONDS, DEDUP_US, DEFAULT_MAX_STAY_MINUTES
from lib.store.relations import StayRestarts
from lib.store.spool import TableSink, database_path

# The area scans stream in batches of about this many rows; derived stays and anomalies
# beyond SPOOL_ROWS wait in a Parquet file of the database's private folder.
SCANS_PER_BATCH = 200_000
SPOOL_ROWS = 500_000


class AreaAnomaly(NamedTuple):
    """An area scan that made no stay (its fields in ``_ANOMALY_SCHEMA``'s order)."""

    person_id: str
    building: str
    area: str
    ts_us: int
    is_checkin: bool
    kind: str  # 'duplicate' or 'orphan'
    is_new: bool  # from the import being counted


@dataclass
class StayOutcome:
    """What the area scans of one import became: duplicates and orphans among them."""

    duplicates: int = 0
    orphans: int = 0


def derive_stays(
    rows: Iterable[tuple[str, str, str, bool, int, int, bool]], chunk_rows: int = 200_000
) -> Iterator[tuple[list[tuple[str, str, str, int, int | None, str | None, int]], list[AreaAnomaly]]]:
    """The state machine of the module docstring, before the "leaving" rule.

    ``rows``: (person_id, building, area, is_checkin, t_us, area_stay_us, is_new), sorted
    by person, building, t, check-out first (an iterator: it is read once, in order).
    Yields stays (person, building, area, start_us, end_us or None while open, kind or
    None, auto_end_us; plain tuples: there is one per stay, and they go straight into
    Arrow columns) and ``AreaAnomaly`` rows, in chunks of about ``chunk_rows`` (a stay or
    anomaly once made never changes, so each chunk is final).
    """
    stays: list[tuple[str, str, str, int, int | None, str | None, int]] = []
    anomalies: list[AreaAnomaly] = []
    key: tuple[str, str] | None = None
    open_stay: tuple[str, int, int] | None = None  # area, start, deadline
    last_end: dict[str, tuple[int, bool]] = {}  # area -> (end, by scan)

    def close(end: int, kind: str) -> None:
        nonlocal open_stay
        assert key is not None and open_stay is not None
        area, start, deadline = open_stay
        stays.append((key[0], key[1], area, start, end, kind, deadline))
        last_end[area] = (end, kind == "scan")
        open_stay = None

    for person, building, area, is_checkin, t, area_stay, is_new in rows:
        if key != (person, building):
            if key is not None and open_stay is not None:
                stays.append((key[0], key[1], open_stay[0], open_stay[1], None, None, open_stay[2]))
            key, open_stay, last_end = (person, building), None, {}
        if open_stay is not None and t > open_stay[2]:
            close(open_stay[2], "auto")  # AREA_STAY came first
        if is_checkin:
            if open_stay is not None:
                if open_stay[0] == area and t - open_stay[1] <= DEDUP_US:
                    anomalies.append(AreaAnomaly(person, building, area, t, True, "duplicate", is_new))
                    continue
                close(t, "moved")
            open_stay = (area, t, t + area_stay)
        elif open_stay is not None and open_stay[0] == area:
            close(t, "scan")
        else:
            end, by_scan = last_end.get(area, (0, False))
            kind = "duplicate" if by_scan and t - end <= DEDUP_US else "orphan"
            anomalies.append(AreaAnomaly(person, building, area, t, False, kind, is_new))
        if len(stays) + len(anomalies) >= chunk_rows:
            yield stays, anomalies
            stays, anomalies = [], []
    if key is not None and open_stay is not None:
        stays.append((key[0], key[1], open_stay[0], open_stay[1], None, None, open_stay[2]))
    yield stays, anomalies


_STAY_SCHEMA = pa.schema(
    [("person_id", pa.string()), ("building", pa.string()), ("area", pa.string()), ("start_us", pa.int64()),
     ("end_us", pa.int64()), ("end_kind", pa.string()), ("auto_end_us", pa.int64())]
)
_ANOMALY_SCHEMA = pa.schema(
    [("person_id", pa.string()), ("building", pa.string()), ("area", pa.string()), ("ts_us", pa.int64()),
     ("is_checkin", pa.bool_()), ("kind", pa.string()), ("is_new", pa.bool_())]
)


def _columns_table(rows: list[tuple], schema: pa.Schema) -> pa.Table:
    """Rows (tuples in ``schema``'s order) as an Arrow table, built column by column."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(schema)
    return pa.table([pa.array(list(c), type=f.type) for c, f in zip(columns, schema, strict=True)], schema=schema)


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
        for stays, anomalies in derive_stays(_scan_rows(scans), SCANS_PER_BATCH):
            outcome.duplicates += sum(1 for a in anomalies if a.is_new and a.kind == "duplicate")
            outcome.orphans += sum(1 for a in anomalies if a.is_new and a.kind == "orphan")
            sink.add(stays=_columns_table(stays, _STAY_SCHEMA), anomalies=_columns_table(anomalies, _ANOMALY_SCHEMA))
        # The stream is read to its end before the connection writes again.
        with sink.sources(con) as source:
            _insert_stays(con, source["stays"], source["anomalies"], earliest if bounded else None,
                          int(longest_max_stay))
    con.execute("DROP TABLE IF EXISTS stay_persons")
    return outcome


def _scan_rows(reader: pa.RecordBatchReader) -> Iterator[tuple[str, str, str, bool, int, int, bool]]:
    """The reader's rows as tuples, a batch at a time: column by column into Python values
    (row tuples or dicts from Arrow cost several times more: benchmarks "import_day")."""
    for batch in reader:
        yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)


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
