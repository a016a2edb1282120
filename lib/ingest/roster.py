"""The staff roster (daftar pegawai): the third import shape (docs/HOW_IT_WORKS.md "Rooms and the staff roster").

A roster row names a person (``person_id``, ``nip`` or ``nik``) and sets their unit,
home building and home room; an empty cell clears the value, a column the file does not
have leaves it as it was. The latest roster import naming a person wins (within one
file, the row furthest down). Name, category and phone count as seen at the instant of
the import: they win over older scans, newer scans win over them. Quarantined with a
reason: an empty id, a room without a building, a category that is none of ASN, THL,
visitor (``pengunjung``, ``tamu``), and what any imported row is quarantined for (a NUL
byte, a cell too large, an unclosed quote: ``lib.ingest.importer``, which also cleans every
cell of control characters before the rows reach here). A room or building not known yet
is created, as an import of scans creates them. Runs inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb
import pandas as pd

from lib.ingest import pairing
from lib.ingest.rows import ImportSummary, cell_text_sql, person_id_sql, raw_row_sql, update_persons
from lib.store import db, places
from lib.store.relations import AreasNamed, PersonsToRepair

CATEGORY_WORDS = {"asn": "ASN", "thl": "THL", "visitor": "visitor", "pengunjung": "visitor", "tamu": "visitor"}


def _roster_sql(header: Sequence[str], mapping: dict[str, int], source: str) -> str:
    """Parsed roster rows of the chunk with a quarantine reason (NULL for a good row)."""

    col = {name: cell_text_sql(mapping.get(name)) for name in ("person_id", "unit", "building", "area", "name", "category", "phone")}
    words = " ".join(f"WHEN '{word}' THEN '{value}'" for word, value in CATEGORY_WORDS.items())
    return f"""
        WITH base AS (
            SELECT chunk.*, {person_id_sql(col['person_id'])} AS person_id,
                   {col['unit']} AS unit, {col['building']} AS building, {col['area']} AS room,
                   {col['name']} AS name, {col['phone']} AS phone, lower({col['category']}) AS category_text
            FROM {source} chunk
        ), judged AS (
            SELECT *, CASE category_text {words} END AS category,
                   CASE WHEN problem IS NOT NULL THEN problem  -- the reader's: a NUL byte, a cell too large, ...
                        WHEN row_no < 0 THEN 'wrong_field_count'
                        WHEN person_id IS NULL THEN 'missing_value:person_id'
                        WHEN room IS NOT NULL AND building IS NULL THEN 'room_without_building'
                        WHEN category_text IS NOT NULL AND CASE category_text {words} END IS NULL
                             THEN 'unknown_category'
                   END AS reason
            FROM base
        )
        SELECT row_no, person_id, unit, building, room, name, category, phone, reason,
               CASE WHEN reason IS NOT NULL THEN {raw_row_sql(header)} END AS raw
        FROM judged
    """


def import_roster(
    con: duckdb.DuckDBPyConnection,
    summary: ImportSummary,
    actor: str,
    header: Sequence[str],
    mapping: dict[str, int],
    source_sql: str | None,
) -> None:
    """Import a roster file's rows (``source_sql``: the spooled chunks, None when empty).

    Fills ``summary``: rows_read, persons_set, quarantined.
    """

    moment = datetime.now(UTC)
    import_id = int(con.execute("SELECT nextval('import_ids')").fetchall()[0][0])
    summary.import_id = import_id
    con.execute(
        "CREATE OR REPLACE TEMP TABLE roster_rows (row_no BIGINT, person_id TEXT, unit TEXT, building TEXT, "
        "room TEXT, name TEXT, category TEXT, phone TEXT, reason TEXT, raw TEXT)"
    )
    if source_sql is not None:
        con.execute(f"INSERT INTO roster_rows {_roster_sql(header, mapping, source_sql)}")
    # One row per person: the row furthest down the file.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE roster_latest AS
        SELECT * FROM roster_rows WHERE reason IS NULL
        QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY row_no DESC) = 1
        """
    )
    named = [r[0] for r in con.execute("SELECT DISTINCT building FROM roster_latest WHERE building IS NOT NULL").fetchall()]
    # A roster may name a building by its display name ("Kantor Walikota Bitung"), case and
    # spaces aside: that is the existing building, not a new one (as for a log, RULES "Import").
    known = {r[0] for r in con.execute("SELECT building_id FROM buildings").fetchall()}
    lookup = places.building_lookup(con)
    renamed = {b: lookup.get(places.building_key(b), b) for b in named if b not in known}
    changes = [[new, old] for old, new in renamed.items() if new != old]
    if changes:
        con.executemany("UPDATE roster_latest SET building = ? WHERE building = ?", changes)
    db.ensure_buildings(con, sorted({renamed.get(b, b) for b in named}))
    db.ensure_areas(con, AreasNamed("SELECT building, room AS area FROM roster_latest"))

    def keep_or_set(column: str, canonical: str) -> str:
        # A column the file does not have leaves the stored value alone.
        return f"excluded.{column}" if canonical in mapping else f"roster.{column}"

    con.execute(
        f"""
        INSERT INTO roster (person_id, unit, building, room, import_id, imported_at)
        SELECT r.person_id, r.unit, r.building, a.area_id, $import_id, $moment
        FROM roster_latest r LEFT JOIN areas a ON a.building = r.building AND a.area_key = lower(r.room)
        ON CONFLICT (person_id) DO UPDATE SET
            unit = {keep_or_set('unit', 'unit')},
            building = {keep_or_set('building', 'building')},
            room = {keep_or_set('room', 'area')},
            import_id = excluded.import_id, imported_at = excluded.imported_at
        """,
        {"import_id": import_id, "moment": moment},
    )
    con.execute(
        "CREATE OR REPLACE TEMP VIEW roster_seen AS "
        f"SELECT person_id, CAST('{moment.isoformat()}' AS TIMESTAMPTZ) AS ts, name, category, phone FROM roster_latest"
    )
    if update_persons(con, "roster_seen"):
        # A new category changes MAX_STAY: re-pair those persons whole, and their stays.
        affected = PersonsToRepair.create(
            con, "SELECT person_id, CAST(NULL AS TIMESTAMPTZ) AS from_ts, category FROM person_categories WHERE changed"
        )
        pairing.repair_and_refresh(con, affected)
        affected.drop(con)

    counts = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE reason IS NOT NULL), (SELECT count(*) FROM roster_latest) FROM roster_rows"
    ).fetchall()[0]
    summary.rows_read, summary.quarantined, summary.persons_set = (int(c) for c in counts)
    con.execute(
        """
        INSERT INTO quarantine (import_id, file_name, row_no, reason, raw)
        SELECT ?, ?, abs(s.row_no), s.reason, s.raw FROM roster_rows s
        WHERE s.reason IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM quarantine q
            WHERE q.file_name = ? AND q.row_no = abs(s.row_no) AND q.raw IS NOT DISTINCT FROM s.raw
        )
        ORDER BY abs(s.row_no)
        """,
        [import_id, summary.file_name, summary.file_name],
    )
    con.execute(
        """
        INSERT INTO imports (import_id, file_name, imported_at, imported_by, shape, status, rows_read,
                             quarantined, persons_set)
        VALUES (?, ?, ?, ?, 'roster', 'ok', ?, ?, ?)
        """,
        [import_id, summary.file_name, moment, actor, summary.rows_read, summary.quarantined, summary.persons_set],
    )
    db.write_audit(
        con, actor, "import", summary.file_name,
        json.dumps({"shape": "roster", "quarantined": summary.quarantined}),
        summary.persons_set,
    )
    for name in ("roster_seen",):
        con.execute(f"DROP VIEW IF EXISTS {name}")
    for name in ("roster_rows", "roster_latest", "person_updates", "person_categories"):
        con.execute(f"DROP TABLE IF EXISTS {name}")


def roster_of(con: duckdb.DuckDBPyConnection, person_id: str) -> tuple[str | None, str | None, str | None] | None:
    """(unit, home building, home room) of a person, or None when the roster does not name them."""
    rows = con.execute("SELECT unit, building, room FROM roster WHERE person_id = ?", [str(person_id)]).fetchall()
    return rows[0] if rows else None


def roster_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The roster as stored: person_id, name, category, unit, building, room, imported_at (UTC)."""
    return con.execute(
        """
        SELECT r.person_id, p.name, p.category, r.unit, r.building, r.room, r.imported_at
        FROM roster r LEFT JOIN persons p USING (person_id)
        ORDER BY r.building NULLS LAST, r.unit NULLS LAST, p.name NULLS LAST, r.person_id
        """
    ).df()


def last_roster_import(con: duckdb.DuckDBPyConnection) -> dict[str, object] | None:
    """The latest roster import: file_name, imported_at (UTC), imported_by, rows_read,
    persons_set, quarantined; None when no roster was ever imported."""
    frame = con.execute(
        """
        SELECT file_name, imported_at, imported_by, rows_read, persons_set, quarantined
        FROM imports WHERE shape = 'roster' AND status = 'ok' ORDER BY import_id DESC LIMIT 1
        """
    ).df()
    return None if frame.empty else frame.iloc[0].to_dict()
