"""Events to visits (RULES "From events to visits").

The rules are a state machine per person (one open visit at most, duplicates judged
against the open visit and the last scanned check-out), so this is one ordered pass per
person rather than a set-based query. SQL selects and orders the events and writes the
visits; the pass itself runs on integer codes, compiled with numba (a Python loop spent
~2.4 µs per event: a third of a 10 M-event import).

Incremental: after an import only the affected persons are re-paired, from their earliest
new event. The state just before that instant is rebuilt from the stored visits: the
visit still open then, and the last close per building within DEDUP. An open visit past
``checkin_at + MAX_STAY`` behaves exactly like one closed automatically at that instant
(every rule gives the same answer for it), which is what makes the restart exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import duckdb
import numba
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lib.analytics.figures import RestartBounds, refresh_after_repair
from lib.ingest import areas
from lib.ingest.streams import whole_persons
from lib.store import db
from lib.store.db import DEDUP_SECONDS, DEDUP_US
from lib.store.relations import PersonsToRepair, StayRestarts
from lib.store.spool import TableSink, database_path

# The affected events stream in chunks of about this many rows, to bound memory.
EVENTS_PER_BATCH = 200_000
# Re-paired visits and anomalies beyond this many rows wait in a Parquet file, not in memory.
SPOOL_ROWS = 500_000

_VISIT_SCHEMA = pa.schema(
    [
        ("person_id", pa.string()),
        ("building", pa.string()),
        ("checkin_at", pa.int64()),
        ("checkout_at", pa.int64()),
        ("checkout_kind", pa.string()),
        ("auto_close_at", pa.int64()),
        ("category", pa.string()),
        ("gate_in", pa.string()),
        ("gate_out", pa.string()),
        ("area", pa.string()),
        ("status", pa.string()),
        # Issue 22: what the visit was for and whom it was with, from its check-in event.
        ("purpose", pa.string()),
        ("host", pa.string()),
    ]
)
_ANOMALY_SCHEMA = pa.schema(
    [
        ("person_id", pa.string()),
        ("building", pa.string()),
        ("ts", pa.int64()),
        ("action", pa.string()),
        ("kind", pa.string()),
    ]
)


def max_stay_sql(category: str, building_alias: str) -> str:
    """MAX_STAY in microseconds for a category column and a buildings row (RULES defaults)."""
    b = building_alias
    return (
        f"(CAST(60000000 AS BIGINT) * CASE {category} WHEN 'ASN' THEN {b}.max_stay_asn_min "
        f"WHEN 'THL' THEN {b}.max_stay_thl_min ELSE {b}.max_stay_visitor_min END)"
    )


@dataclass
class ImportOutcome:
    """What the events of one import became: duplicates, orphans, visits they began."""

    duplicates: int = 0
    orphans: int = 0
    visits: int = 0
    bounds: RestartBounds | None = None  # what the refresh of the stored figures needs


def restart_bounds(con: duckdb.DuckDBPyConnection, affected_table: str) -> RestartBounds:
    """Of ``affected_table(person_id, from_ts, ...)``: whether someone is re-paired from
    the start (None: the table is empty), the earliest restart, and the longest MAX_STAY
    of any building in minutes. Re-pairing and the refresh of the stored figures bound
    their scans with these (computed once, here)."""
    any_full, earliest = con.execute(f"SELECT bool_or(from_ts IS NULL), min(from_ts) FROM {affected_table}").fetchall()[0]
    longest = con.execute(
        "SELECT coalesce(max(greatest(max_stay_asn_min, max_stay_thl_min, max_stay_visitor_min)), ?) FROM buildings",
        [max(db.DEFAULT_MAX_STAY_MINUTES.values())],
    ).fetchall()[0][0]
    return RestartBounds(any_full, earliest, int(longest))


def repair(con: duckdb.DuckDBPyConnection, persons: PersonsToRepair, import_id: int | None = None) -> ImportOutcome:
    """Re-pair the persons of ``persons`` (``person_id, from_ts, category``) from ``from_ts``.

    ``from_ts`` NULL re-pairs the person's whole history; ``category`` is the person's
    current one (it sets MAX_STAY; the caller has it at hand, so the events need no join
    with a million persons). Runs inside the caller's transaction. Returns what the
    events of ``import_id`` became (every one of them is re-paired, being at or after
    its person's ``from_ts``).
    """
    # Nothing before this instant can matter to the restart (zone maps skip it): the
    # earliest restart, less the longest MAX_STAY and DEDUP. None: someone restarts from
    # the beginning.
    affected_table = persons.table
    bounds = restart_bounds(con, affected_table)
    any_full, earliest, longest_stay = bounds.any_full, bounds.earliest, bounds.longest_stay_min
    horizon = None if any_full or earliest is None else earliest - timedelta(minutes=int(longest_stay), seconds=DEDUP_SECONDS)
    visits_bound = f"AND v.checkin_at >= '{horizon.isoformat()}'::TIMESTAMPTZ" if horizon else ""
    delete_bound = f"AND visits.checkin_at >= '{horizon.isoformat()}'::TIMESTAMPTZ" if horizon else ""
    events_bound = f"AND e.ts >= '{earliest.isoformat()}'::TIMESTAMPTZ" if horizon else ""
    anomalies_bound = f"AND scan_anomalies.ts >= '{earliest.isoformat()}'::TIMESTAMPTZ" if horizon else ""
    con.execute(
        f"""
        -- The visit open just before the restart: one that began before it and was still
        -- open or ended at or after it. (An open visit that began before the horizon is
        -- past its MAX_STAY and reads as closed automatically whatever comes later; it is
        -- left as stored.)
        CREATE OR REPLACE TEMP TABLE seed_open AS
        SELECT v.person_id, v.building, epoch_us(v.checkin_at) AS checkin_us,
               epoch_us(v.auto_close_at) AS deadline_us, v.gate_in, v.area, v.status, v.purpose, v.host
        FROM visits v JOIN {affected_table} a USING (person_id)
        WHERE a.from_ts IS NOT NULL AND v.checkin_at < a.from_ts
          AND (v.checkout_at IS NULL OR v.checkout_at >= a.from_ts) {visits_bound};

        -- The last final visit per building that ended within DEDUP before the restart:
        -- a check-out soon after a scanned one is a duplicate (RULES).
        CREATE OR REPLACE TEMP TABLE seed_close AS
        SELECT v.person_id, v.building, epoch_us(max(v.checkout_at)) AS closed_us,
               arg_max(v.checkout_kind, v.checkout_at) = 'scan' AS by_scan
        FROM visits v JOIN {affected_table} a USING (person_id)
        WHERE a.from_ts IS NOT NULL AND v.checkout_at < a.from_ts
          AND v.checkout_at >= a.from_ts - INTERVAL {DEDUP_SECONDS} SECOND {visits_bound}
        GROUP BY ALL;

        DELETE FROM visits USING {affected_table} a
        WHERE visits.person_id = a.person_id {delete_bound}
          AND (a.from_ts IS NULL OR visits.checkout_at IS NULL OR visits.checkout_at >= a.from_ts);
        DELETE FROM scan_anomalies USING {affected_table} a
        WHERE scan_anomalies.person_id = a.person_id {anomalies_bound}
          AND (a.from_ts IS NULL OR scan_anomalies.ts >= a.from_ts);
        """
    )
    spool_db = database_path(con)  # asked now: con streams the events below
    seeds_open = {
        row[0]: row[1:]
        for row in con.execute(
            "SELECT person_id, building, checkin_us, deadline_us, gate_in, area, status, purpose, host FROM seed_open"
        ).fetchall()
    }
    seeds_close: dict[str, dict[str, tuple[int, bool]]] = {}
    for person_id, building, closed_us, by_scan in con.execute(
        "SELECT person_id, building, closed_us, by_scan FROM seed_close"
    ).fetchall():
        seeds_close.setdefault(person_id, {})[building] = (closed_us, bool(by_scan))

    # One ordered stream of the affected events; each chunk ends at a person boundary,
    # so memory stays bounded by the chunk whatever the size of the import.
    events = con.sql(
        f"""
        SELECT e.person_id, e.building, e.action = 'checkin' AS is_checkin, epoch_us(e.ts) AS t,
               {max_stay_sql('a.category', 'b')} AS max_stay_us,
               a.category, e.gate, e.area, e.status, e.purpose, e.host,
               {f'coalesce(e.import_id = {int(import_id)}, false)' if import_id is not None else 'false'} AS is_new
        FROM events e
        JOIN {affected_table} a ON e.person_id = a.person_id AND (a.from_ts IS NULL OR e.ts >= a.from_ts)
             {events_bound}
        JOIN buildings b ON b.building_id = e.building
        -- Door scans alone make visits: a scan with an area is an area scan (lib.ingest.areas).
        WHERE e.area IS NULL
        -- RULES: per person in time order; at equal timestamps a check-out comes first.
        ORDER BY e.person_id, e.ts, is_checkin, e.building
        """
    ).to_arrow_reader(EVENTS_PER_BATCH)
    counts = ImportOutcome(bounds=bounds)
    # The re-paired visits and anomalies hold person ids: beyond SPOOL_ROWS they wait in
    # the database's own private spool folder, which the next start clears after a crash.
    schemas = {"visits": _VISIT_SCHEMA, "anomalies": _ANOMALY_SCHEMA}
    with TableSink(spool_db, schemas, "pairing-", SPOOL_ROWS) as sink:
        for table in whole_persons(events):
            outcome = pair_events(table, seeds_open, seeds_close)
            _count_new(counts, outcome, table.column("is_new").to_numpy(zero_copy_only=False))
            visits, anomalies = _outcome_tables(table, outcome)
            sink.add(visits=visits, anomalies=anomalies)
        # The stream is read to its end before the connection writes again.
        with sink.sources(con) as source:
            _insert(con, source["visits"], source["anomalies"])
    con.execute("DROP TABLE IF EXISTS seed_open; DROP TABLE IF EXISTS seed_close")
    return counts


def _count_new(counts: ImportOutcome, outcome: PairingOutcome, is_new: np.ndarray) -> None:
    """Add the anomalies and begun visits of the chunk's new events (``is_new`` per row)."""
    anomaly_new = is_new[outcome.anomaly_event]
    counts.duplicates += int(np.count_nonzero(anomaly_new & (outcome.anomaly_kind == DUPLICATE)))
    counts.orphans += int(np.count_nonzero(anomaly_new & (outcome.anomaly_kind == ORPHAN)))
    visit_in = outcome.visit_in
    counts.visits += int(np.count_nonzero(is_new[visit_in[visit_in >= 0]]))


# PairingOutcome.visit_kind / anomaly_kind codes, and the pass's last-close states.
OPEN, AUTO, SCAN = 0, 1, 2
DUPLICATE, ORPHAN = 1, 2
NO_CLOSE, CLOSED_BY_SCAN, CLOSED_OTHERWISE = 0, 1, 2
_VISIT_KIND_TEXT = np.array([None, "auto", "scan"], dtype=object)


@dataclass
class PairingOutcome:
    """What one pass decided, as row indices into the batch of events.

    Visit i began with event ``visit_in[i]`` (or, when negative, with the stored open
    visit ``seed_visits[-visit_in[i] - 1]``) and ended at ``visit_end[i]`` by
    ``visit_kind[i]`` (OPEN: still open, ``visit_end`` then meaningless; AUTO; SCAN);
    ``visit_out[i]`` is its check-out event or -1. Anomaly j is event
    ``anomaly_event[j]``, a DUPLICATE or an ORPHAN.
    """

    visit_in: np.ndarray
    visit_end: np.ndarray
    visit_kind: np.ndarray
    visit_out: np.ndarray
    visit_deadline: np.ndarray
    seed_visits: list[tuple[Any, ...]]
    anomaly_event: np.ndarray
    anomaly_kind: np.ndarray


def pair_events(
    events: pa.Table,
    seeds_open: dict[str, tuple[Any, ...]],
    seeds_close: dict[str, dict[str, tuple[int, bool]]],
) -> PairingOutcome:
    """One ordered pass over events sorted by person, time, check-out first.

    ``events`` has the columns person_id, building, is_checkin, t (integer microseconds
    since the epoch, UTC) and max_stay_us, and holds every event of its persons from
    the restart on. Seeds: the state of each person just before the restart (see
    ``repair``). The pass itself is compiled (``_pair_kernel``) on integer codes.
    """
    n = events.num_rows
    person_ids = events.column("person_id").combine_chunks()
    starts = np.ones(n, dtype=np.bool_)
    if n > 1:
        starts[1:] = pc.not_equal(person_ids[1:], person_ids[:-1]).to_numpy(zero_copy_only=False)
    encoded = pc.dictionary_encode(events.column("building").combine_chunks())
    building_code = {name: code for code, name in enumerate(encoded.dictionary.to_pylist())}
    buildings = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32)

    seed_row = np.full(n, -1, dtype=np.int64)
    seed_visits: list[tuple[Any, ...]] = []
    close_lo = np.zeros(n, dtype=np.int64)
    close_hi = np.zeros(n, dtype=np.int64)
    close_building: list[int] = []
    close_at: list[int] = []
    close_by_scan: list[bool] = []
    if seeds_open or seeds_close:
        start_rows = np.flatnonzero(starts)
        for row, person in zip(start_rows, person_ids.take(pa.array(start_rows)).to_pylist(), strict=True):
            seed = seeds_open.get(person)
            if seed is not None:
                seed_row[row] = len(seed_visits)
                seed_visits.append((person, *seed))
                building_code.setdefault(seed[0], len(building_code))
            close_lo[row] = len(close_at)
            for building, (closed_us, by_scan) in seeds_close.get(person, {}).items():
                close_building.append(building_code.setdefault(building, len(building_code)))
                close_at.append(closed_us)
                close_by_scan.append(by_scan)
            close_hi[row] = len(close_at)
    seed_building = np.array([building_code[s[1]] for s in seed_visits], dtype=np.int32)
    seed_checkin = np.array([s[2] for s in seed_visits], dtype=np.int64)
    seed_deadline = np.array([s[3] for s in seed_visits], dtype=np.int64)

    result = _pair_kernel(
        starts, buildings,
        events.column("is_checkin").to_numpy(zero_copy_only=False).astype(np.bool_),
        events.column("t").to_numpy(zero_copy_only=False).astype(np.int64),
        events.column("max_stay_us").to_numpy(zero_copy_only=False).astype(np.int64),
        seed_row, seed_building, seed_checkin, seed_deadline,
        close_lo, close_hi,
        np.array(close_building, dtype=np.int32), np.array(close_at, dtype=np.int64),
        np.array(close_by_scan, dtype=np.bool_),
        len(building_code), DEDUP_US,
    )
    v_in, v_end, v_kind, v_out, v_deadline, a_event, a_kind = result
    return PairingOutcome(v_in, v_end, v_kind, v_out, v_deadline, seed_visits, a_event, a_kind)


@numba.njit(cache=True, nogil=True)
def _pair_kernel(
    starts: np.ndarray, building: np.ndarray, is_checkin: np.ndarray, t: np.ndarray, max_stay: np.ndarray,
    seed_row: np.ndarray, seed_building: np.ndarray, seed_checkin: np.ndarray, seed_deadline: np.ndarray,
    close_lo: np.ndarray, close_hi: np.ndarray,
    close_building: np.ndarray, close_at: np.ndarray, close_by_scan: np.ndarray,
    n_buildings: int, dedup_us: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """RULES "From events to visits" on integer codes (see ``pair_events``).

    Per person: at most one open visit (building ``open_b``, -1 none) and, per
    building, the last close (instant, by a scan?), which judges a later check-out.
    """
    n = building.shape[0]
    capacity = n + seed_building.shape[0]
    v_in = np.empty(capacity, np.int64)
    v_end = np.zeros(capacity, np.int64)
    v_kind = np.empty(capacity, np.int8)
    v_out = np.empty(capacity, np.int64)
    v_deadline = np.empty(capacity, np.int64)
    a_event = np.empty(n, np.int64)
    a_kind = np.empty(n, np.int8)
    # Per building: [state, instant] of the person's last close; state NO_CLOSE, or
    # CLOSED_BY_SCAN / CLOSED_OTHERWISE. ``touched`` lists the buildings to reset.
    last_close = np.zeros((n_buildings, 2), np.int64)
    touched = np.empty(n_buildings, np.int64)
    n_touched = 0
    nv = 0
    na = 0
    open_b = -1
    open_in = 0
    open_checkin = 0
    open_deadline = 0
    for i in range(n):
        if starts[i]:
            if open_b >= 0:
                v_in[nv], v_kind[nv], v_out[nv], v_deadline[nv] = open_in, OPEN, -1, open_deadline
                nv += 1
            for k in range(n_touched):
                last_close[touched[k], 0] = NO_CLOSE
            n_touched = 0
            s = seed_row[i]
            if s >= 0:
                open_b, open_checkin, open_deadline, open_in = seed_building[s], seed_checkin[s], seed_deadline[s], -(s + 1)
            else:
                open_b = -1
            for k in range(close_lo[i], close_hi[i]):
                n_touched = _note_close(close_building[k], close_at[k], close_by_scan[k], last_close, touched, n_touched)
        ti = t[i]
        b = building[i]
        if open_b >= 0 and ti > open_deadline:
            # Past checkin_at + MAX_STAY: closed automatically at that instant.
            v_in[nv], v_end[nv], v_kind[nv], v_out[nv], v_deadline[nv] = open_in, open_deadline, AUTO, -1, open_deadline
            nv += 1
            n_touched = _note_close(open_b, open_deadline, False, last_close, touched, n_touched)
            open_b = -1
        if is_checkin[i]:
            if open_b >= 0:
                if open_b == b and ti - open_checkin <= dedup_us:
                    a_event[na], a_kind[na] = i, DUPLICATE
                    na += 1
                    continue
                # Another open visit: closed at min(checkin + MAX_STAY, t) = t here.
                v_in[nv], v_end[nv], v_kind[nv], v_out[nv], v_deadline[nv] = open_in, ti, AUTO, -1, open_deadline
                nv += 1
                n_touched = _note_close(open_b, ti, False, last_close, touched, n_touched)
            open_b, open_in, open_checkin, open_deadline = b, i, ti, ti + max_stay[i]
        elif open_b == b:
            v_in[nv], v_end[nv], v_kind[nv], v_out[nv], v_deadline[nv] = open_in, ti, SCAN, i, open_deadline
            nv += 1
            n_touched = _note_close(b, ti, True, last_close, touched, n_touched)
            open_b = -1
        else:
            a_event[na] = i
            # RULES: a check-out within DEDUP of a scanned check-out there is a duplicate.
            duplicate = last_close[b, 0] == CLOSED_BY_SCAN and ti - last_close[b, 1] <= dedup_us
            a_kind[na] = DUPLICATE if duplicate else ORPHAN
            na += 1
    if open_b >= 0:
        v_in[nv], v_kind[nv], v_out[nv], v_deadline[nv] = open_in, OPEN, -1, open_deadline
        nv += 1
    return v_in[:nv], v_end[:nv], v_kind[:nv], v_out[:nv], v_deadline[:nv], a_event[:na], a_kind[:na]


@numba.njit(cache=True, nogil=True)
def _note_close(
    building: int, instant: int, by_scan: bool, last_close: np.ndarray, touched: np.ndarray, n_touched: int
) -> int:
    """Record the person's last close at ``building``; returns the new count of ``touched``."""
    if last_close[building, 0] == NO_CLOSE:
        touched[n_touched] = building
        n_touched += 1
    last_close[building, 0] = CLOSED_BY_SCAN if by_scan else CLOSED_OTHERWISE
    last_close[building, 1] = instant
    return n_touched


def _outcome_tables(events: pa.Table, outcome: PairingOutcome) -> tuple[pa.Table, pa.Table]:
    """The visits and anomalies of a pass as Arrow tables, taken from the event rows."""
    visit_in, visit_out = outcome.visit_in, outcome.visit_out
    is_open = outcome.visit_kind == OPEN
    from_events = np.flatnonzero(visit_in >= 0)
    from_seeds = np.flatnonzero(visit_in < 0)
    picked = pa.array(from_events, type=pa.int64())
    in_rows = pa.array(visit_in[from_events], type=pa.int64())
    out_rows = pa.array(visit_out[from_events], type=pa.int64(), mask=visit_out[from_events] < 0)
    main = pa.table(
        {
            "person_id": events.column("person_id").take(in_rows),
            "building": events.column("building").take(in_rows),
            "checkin_at": events.column("t").take(in_rows),
            "checkout_at": pa.array(outcome.visit_end, type=pa.int64(), mask=is_open).take(picked),
            "checkout_kind": pa.array(_VISIT_KIND_TEXT[outcome.visit_kind], type=pa.string()).take(picked),
            "auto_close_at": pa.array(outcome.visit_deadline, type=pa.int64()).take(picked),
            "category": events.column("category").take(in_rows),
            "gate_in": events.column("gate").take(in_rows),
            "gate_out": events.column("gate").take(out_rows),
            "area": events.column("area").take(in_rows),
            "status": events.column("status").take(in_rows),
            "purpose": events.column("purpose").take(in_rows),
            "host": events.column("host").take(in_rows),
        }
    ).cast(_VISIT_SCHEMA)
    tables = [main]
    if len(from_seeds):
        category_of = dict(zip(events.column("person_id").to_pylist(), events.column("category").to_pylist(), strict=True))
        seeded: dict[str, list[Any]] = {name: [] for name in _VISIT_SCHEMA.names}
        for k in from_seeds:
            person, building, checkin_us, _, gate_in, area, status, purpose, host = outcome.seed_visits[-outcome.visit_in[k] - 1]
            out_row = int(outcome.visit_out[k])
            values = (
                person, building, checkin_us, None if is_open[k] else int(outcome.visit_end[k]),
                _VISIT_KIND_TEXT[outcome.visit_kind[k]], int(outcome.visit_deadline[k]),
                category_of[person], gate_in, events.column("gate")[out_row].as_py() if out_row >= 0 else None,
                area, status, purpose, host,
            )
            for name, value in zip(_VISIT_SCHEMA.names, values, strict=True):
                seeded[name].append(value)
        tables.append(pa.table(seeded, schema=_VISIT_SCHEMA))
    anomaly_rows = pa.array(outcome.anomaly_event, type=pa.int64())
    checkin = events.column("is_checkin").take(anomaly_rows)
    anomalies = pa.table(
        {
            "person_id": events.column("person_id").take(anomaly_rows),
            "building": events.column("building").take(anomaly_rows),
            "ts": events.column("t").take(anomaly_rows),
            "action": pc.if_else(checkin, "checkin", "checkout"),
            "kind": pa.array(np.where(outcome.anomaly_kind == DUPLICATE, "duplicate", "orphan"), type=pa.string()),
        }
    ).cast(_ANOMALY_SCHEMA)
    return pa.concat_tables(tables), anomalies


def _insert(con: duckdb.DuckDBPyConnection, visits_source: str, anomalies_source: str) -> None:
    """Insert re-paired visits and anomalies (instants as integer microseconds) from two SQL sources."""
    con.execute(
        f"""
        INSERT INTO visits
        SELECT person_id, building, make_timestamp(checkin_at)::TIMESTAMPTZ, make_timestamp(checkout_at)::TIMESTAMPTZ,
               checkout_kind, make_timestamp(auto_close_at)::TIMESTAMPTZ, category, gate_in, gate_out, area, status,
               purpose, host
        FROM {visits_source}
        """
    )
    con.execute(
        f"INSERT INTO scan_anomalies SELECT person_id, building, make_timestamp(ts)::TIMESTAMPTZ, action, kind "
        f"FROM {anomalies_source}"
    )


def repair_and_refresh(
    con: duckdb.DuckDBPyConnection, persons: PersonsToRepair, import_id: int | None = None,
    stays_from: StayRestarts | None = None,
) -> tuple[ImportOutcome, areas.StayOutcome]:
    """The one way visits change, in the caller's transaction: ``repair``, then the stored
    figures of every building it changed (``lib.analytics.figures``), then the area stays
    whose "left" ends follow the re-paired visits (RULES "Places inside a building") and
    those of ``stays_from``: persons whose area scans changed from ``from_ts`` on (NULL:
    whole history). Returns what the events of ``import_id`` became, door scans and area scans."""
    outcome = repair(con, persons, import_id=import_id)
    bounds = outcome.bounds
    refresh_after_repair(con, persons.table, bounds)
    # A person's visits changed only from ``from_ts`` on (the visit open then included),
    # and a visit that holds a stay begins at most MAX_STAY before the stay ends it: the
    # stays that begin before from_ts less the longest MAX_STAY (and DEDUP, for safety)
    # keep their "left" ends.
    longest = bounds.longest_stay_min if bounds is not None else max(db.DEFAULT_MAX_STAY_MINUTES.values())
    restarts = persons.restarts(int(longest), DEDUP_SECONDS)
    if stays_from is not None:
        restarts = StayRestarts(f"{restarts.sql} UNION ALL SELECT person_id, from_ts FROM ({stays_from.checked(con).sql})")
    stay_outcome = areas.rederive(con, restarts, import_id=import_id)
    return outcome, stay_outcome


def repair_all(con: duckdb.DuckDBPyConnection, building: str | None = None) -> None:
    """Re-pair every person (with visits in ``building``), e.g. after MAX_STAY changed."""
    where = "WHERE building = ?" if building else ""
    params = [building] if building else []
    persons = PersonsToRepair.create(
        con,
        "SELECT p.person_id, CAST(NULL AS TIMESTAMPTZ) AS from_ts, p.category "
        f"FROM persons p SEMI JOIN (SELECT person_id FROM events {where}) e USING (person_id)",
        params, name="affected_all",
    )
    repair_and_refresh(con, persons)
    persons.drop(con)
