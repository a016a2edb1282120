"""Events to visits (SPEC "From events to visits").

The rules are a state machine per person (one open visit at most, duplicates judged
against the open visit and the last scanned check-out), so this is one ordered pass per
person rather than a set-based query. SQL selects and orders the events and writes the
visits; the pass itself keeps to plain integers.

Incremental: after an import only the affected persons are re-paired, from their earliest
new event. The state just before that instant is rebuilt from the stored visits: the
visit still open then, and the last close per building within DEDUP. An open visit past
``checkin_at + MAX_STAY`` behaves exactly like one closed automatically at that instant
(every rule gives the same answer for it), which is what makes the restart exact.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import duckdb
import pyarrow as pa

DEDUP_SECONDS = 120
DEDUP_US = DEDUP_SECONDS * 1_000_000
# Persons are re-paired in groups of about this many events, to bound memory.
EVENTS_PER_BATCH = 500_000

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
    """MAX_STAY in microseconds for a category column and a buildings row (SPEC defaults)."""
    b = building_alias
    return (
        f"(CAST(60000000 AS BIGINT) * CASE {category} WHEN 'ASN' THEN {b}.max_stay_asn_min "
        f"WHEN 'THL' THEN {b}.max_stay_thl_min ELSE {b}.max_stay_visitor_min END)"
    )


def repair(con: duckdb.DuckDBPyConnection, affected_table: str) -> None:
    """Re-pair the persons of ``affected_table(person_id, from_ts)`` from ``from_ts``.

    ``from_ts`` NULL re-pairs the person's whole history. Runs inside the caller's
    transaction.
    """
    # Nothing before this instant can matter to the restart (zone maps skip it): the
    # earliest restart, less the longest MAX_STAY and DEDUP. None: someone restarts from
    # the beginning.
    any_full, earliest = con.execute(f"SELECT bool_or(from_ts IS NULL), min(from_ts) FROM {affected_table}").fetchall()[0]
    longest_stay = con.execute(
        "SELECT coalesce(max(greatest(max_stay_asn_min, max_stay_thl_min, max_stay_visitor_min)), 720) FROM buildings"
    ).fetchall()[0][0]
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
               epoch_us(v.auto_close_at) AS deadline_us, v.gate_in, v.area, v.status
        FROM visits v JOIN {affected_table} a USING (person_id)
        WHERE a.from_ts IS NOT NULL AND v.checkin_at < a.from_ts
          AND (v.checkout_at IS NULL OR v.checkout_at >= a.from_ts) {visits_bound};

        -- The last final visit per building that ended within DEDUP before the restart:
        -- a check-out soon after a scanned one is a duplicate (SPEC).
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

        CREATE OR REPLACE TEMP TABLE repair_batches AS
        SELECT person_id, from_ts,
               CAST(floor(sum(n) OVER (ORDER BY person_id) / {EVENTS_PER_BATCH}) AS BIGINT) AS batch
        FROM (
            SELECT a.person_id, a.from_ts, count(e.ts) AS n
            FROM {affected_table} a LEFT JOIN events e
              ON e.person_id = a.person_id AND (a.from_ts IS NULL OR e.ts >= a.from_ts) {events_bound}
            GROUP BY ALL
        );
        """
    )
    seeds_open = {
        row[0]: row[1:]
        for row in con.execute(
            "SELECT person_id, building, checkin_us, deadline_us, gate_in, area, status FROM seed_open"
        ).fetchall()
    }
    seeds_close: dict[str, dict[str, tuple[int, bool]]] = {}
    for person_id, building, closed_us, by_scan in con.execute(
        "SELECT person_id, building, closed_us, by_scan FROM seed_close"
    ).fetchall():
        seeds_close.setdefault(person_id, {})[building] = (closed_us, bool(by_scan))

    batches = [r[0] for r in con.execute("SELECT DISTINCT batch FROM repair_batches ORDER BY 1").fetchall()]
    for batch in batches:
        table = con.sql(
            f"""
            SELECT e.person_id, e.building, e.action = 'checkin' AS is_checkin, epoch_us(e.ts) AS t,
                   {max_stay_sql('p.category', 'b')} AS max_stay_us,
                   p.category, e.gate, e.area, e.status
            FROM events e
            JOIN repair_batches a ON e.person_id = a.person_id AND (a.from_ts IS NULL OR e.ts >= a.from_ts)
                 {events_bound}
            JOIN persons p ON p.person_id = e.person_id
            JOIN buildings b ON b.building_id = e.building
            WHERE a.batch = ?
            -- SPEC: per person in time order; at equal timestamps a check-out comes first.
            ORDER BY e.person_id, e.ts, is_checkin, e.building
            """,
            params=[batch],
        ).to_arrow_table()
        visits, anomalies = pair_events(
            {name: table.column(name).to_pylist() for name in table.column_names},
            seeds_open,
            seeds_close,
        )
        _write(con, visits, anomalies)
    con.execute("DROP TABLE IF EXISTS seed_open; DROP TABLE IF EXISTS seed_close; DROP TABLE IF EXISTS repair_batches")


def pair_events(
    events: dict[str, list[Any]],
    seeds_open: dict[str, tuple[Any, ...]],
    seeds_close: dict[str, dict[str, tuple[int, bool]]],
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """One ordered pass over events sorted by person, time, check-out first.

    Times are integer microseconds since the epoch (UTC). Returns visit and anomaly
    columns (``checkout_at`` None for a visit still open).
    """
    persons = events["person_id"]
    buildings = events["building"]
    is_checkin = events["is_checkin"]
    times = events["t"]
    max_stays = events["max_stay_us"]
    categories = events["category"]
    gates, areas, statuses = events["gate"], events["area"], events["status"]

    visits: dict[str, list[Any]] = {name: [] for name in _VISIT_SCHEMA.names}
    v_person, v_building, v_in, v_out = (
        visits["person_id"], visits["building"], visits["checkin_at"], visits["checkout_at"]
    )
    v_kind, v_deadline, v_category = visits["checkout_kind"], visits["auto_close_at"], visits["category"]
    v_gate_in, v_gate_out, v_area, v_status = (
        visits["gate_in"], visits["gate_out"], visits["area"], visits["status"]
    )
    anomalies: dict[str, list[Any]] = {name: [] for name in _ANOMALY_SCHEMA.names}
    a_person, a_building, a_ts, a_action, a_kind = (
        anomalies["person_id"], anomalies["building"], anomalies["ts"], anomalies["action"], anomalies["kind"]
    )

    def close(end: int | None, kind: str | None, gate_out: str | None) -> None:
        v_person.append(person)
        v_building.append(open_building)
        v_in.append(open_checkin)
        v_out.append(end)
        v_kind.append(kind)
        v_deadline.append(open_deadline)
        v_category.append(category)
        v_gate_in.append(open_attributes[0])
        v_gate_out.append(gate_out)
        v_area.append(open_attributes[1])
        v_status.append(open_attributes[2])

    person: str | None = None
    category: str | None = None
    open_building: str | None = None
    open_checkin = open_deadline = 0
    open_attributes: tuple[Any, Any, Any] = (None, None, None)
    last_close: dict[str, tuple[int, bool]] = {}

    for i in range(len(persons)):
        if persons[i] != person:
            if open_building is not None:
                close(None, None, None)
            person = persons[i]
            category = categories[i]
            seed = seeds_open.get(person)
            if seed is not None:
                open_building, open_checkin, open_deadline = seed[0], seed[1], seed[2]
                open_attributes = (seed[3], seed[4], seed[5])
            else:
                open_building = None
            last_close = dict(seeds_close.get(person, {}))
        t = times[i]
        building = buildings[i]
        if open_building is not None and t > open_deadline:
            # Past checkin_at + MAX_STAY: closed automatically at that instant.
            close(open_deadline, "auto", None)
            last_close[open_building] = (open_deadline, False)
            open_building = None
        if is_checkin[i]:
            if open_building is not None:
                if open_building == building and t - open_checkin <= DEDUP_US:
                    a_person.append(person)
                    a_building.append(building)
                    a_ts.append(t)
                    a_action.append("checkin")
                    a_kind.append("duplicate")
                    continue
                # Another open visit: closed at min(checkin + MAX_STAY, t) = t here.
                close(t, "auto", None)
                last_close[open_building] = (t, False)
            open_building, open_checkin, open_deadline = building, t, t + max_stays[i]
            open_attributes = (gates[i], areas[i], statuses[i])
        elif open_building == building:
            close(t, "scan", gates[i])
            last_close[building] = (t, True)
            open_building = None
        else:
            previous = last_close.get(building)
            kind = "duplicate" if previous is not None and previous[1] and t - previous[0] <= DEDUP_US else "orphan"
            a_person.append(person)
            a_building.append(building)
            a_ts.append(t)
            a_action.append("checkout")
            a_kind.append(kind)
    if open_building is not None:
        close(None, None, None)
    return visits, anomalies


def _write(con: duckdb.DuckDBPyConnection, visits: dict[str, list[Any]], anomalies: dict[str, list[Any]]) -> None:
    if visits["person_id"]:
        visit_table = pa.table(visits, schema=_VISIT_SCHEMA)
        con.register("new_visits_arrow", visit_table)
        con.execute(
            """
            INSERT INTO visits
            SELECT person_id, building, make_timestamp(checkin_at)::TIMESTAMPTZ, make_timestamp(checkout_at)::TIMESTAMPTZ,
                   checkout_kind, make_timestamp(auto_close_at)::TIMESTAMPTZ, category, gate_in, gate_out, area, status
            FROM new_visits_arrow
            """
        )
        con.unregister("new_visits_arrow")
    if anomalies["person_id"]:
        anomaly_table = pa.table(anomalies, schema=_ANOMALY_SCHEMA)
        con.register("new_anomalies_arrow", anomaly_table)
        con.execute(
            "INSERT INTO scan_anomalies SELECT person_id, building, make_timestamp(ts)::TIMESTAMPTZ, action, kind "
            "FROM new_anomalies_arrow"
        )
        con.unregister("new_anomalies_arrow")


def repair_all(con: duckdb.DuckDBPyConnection, building: str | None = None) -> None:
    """Re-pair every person (with visits in ``building``), e.g. after MAX_STAY changed."""
    where = "WHERE building = ?" if building else ""
    params = [building] if building else []
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE affected_all AS "
        f"SELECT DISTINCT person_id, CAST(NULL AS TIMESTAMPTZ) AS from_ts FROM events {where}",
        params,
    )
    repair(con, "affected_all")
    from lib.aggregates import refresh_after_repair  # lib.aggregates imports the analytics

    refresh_after_repair(con, "affected_all")
    con.execute("DROP TABLE affected_all")
