"""The cells of an imported row and the persons they name, shared by the scan import
(``lib.ingest.importer``) and the roster import (``lib.ingest.roster``).

SQL fragments over a spooled chunk whose columns are ``c0, c1, ...`` (text), and the
upsert that keeps each person's latest name, category and phone (RULES "Words").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import duckdb

from lib.store import db, person_search


@dataclass
class ImportSummary:
    """What one file did to the store; counts are rows of this file."""

    file_name: str
    status: str = "ok"  # 'ok' or 'refused'
    shape: str | None = None
    message: str | None = None
    message_code: str | None = None
    missing_columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    events_new: int = 0
    duplicates: int = 0
    new_visits: int = 0
    orphans: int = 0
    quarantined: int = 0
    persons_set: int = 0  # a roster: persons whose unit / home building / home room it set
    import_id: int | None = None
    # Buildings this file named for the first time: created new, unconfirmed (RULES "Import").
    new_buildings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def cell_text_sql(column_index: int | None) -> str:
    """A trimmed text column of the chunk, NULL when empty."""
    if column_index is None:
        return "CAST(NULL AS VARCHAR)"
    return f"nullif(trim(c{column_index}), '')"


def person_id_sql(text: str) -> str:
    """person_id as text; a number a spreadsheet wrote as '123.0' or '7.17e15' gets its digits."""
    return (
        f"CASE WHEN strpos({text}, '.') = 0 AND strpos(lower({text}), 'e') = 0 THEN {text} "
        rf"WHEN regexp_matches({text}, '^\d+\.0+$') THEN regexp_extract({text}, '^(\d+)') "
        rf"WHEN regexp_matches({text}, '^\d+(\.\d+)?[eE]\+?\d+$') "
        f"THEN CAST(CAST(CAST({text} AS DOUBLE) AS HUGEINT) AS VARCHAR) "
        f"ELSE {text} END"
    )


def raw_row_sql(header: Sequence[str]) -> str:
    """The raw row as JSON with the file's own column names, for the quarantine."""
    pairs = ", ".join(
        "'" + (name or f"column{i + 1}").replace("'", "''") + f"', c{i}" for i, name in enumerate(header)
    )
    return f"CAST(json_object({pairs}) AS VARCHAR)" if header else "'{}'"


def update_persons(con: duckdb.DuckDBPyConnection, source: str = "new_events") -> bool:
    """Latest non-empty name/category/phone per person (RULES "Words"), from ``source``
    (person_id, ts, name, category, phone, and optionally institution): this import's
    events, or a roster's rows stamped with the instant of its import. The institution
    (instansi, issue 22) is kept the same way, the latest non-empty one.

    Returns whether some person's category changed: those persons' visits are re-paired
    from the start, since MAX_STAY depends on the category (``person_categories``).
    """
    columns = {d[0] for d in con.execute(f"SELECT * FROM {source} LIMIT 0").description}
    institution = "institution" if "institution" in columns else "CAST(NULL AS VARCHAR)"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE person_updates AS
        SELECT person_id,
               arg_max({institution}, ts) FILTER (WHERE {institution} IS NOT NULL) AS institution,
               max(ts) FILTER (WHERE {institution} IS NOT NULL) AS institution_at,
               arg_max(name, ts) FILTER (WHERE name IS NOT NULL) AS name,
               max(ts) FILTER (WHERE name IS NOT NULL) AS name_at,
               arg_max(category, ts) FILTER (WHERE category IS NOT NULL) AS category,
               max(ts) FILTER (WHERE category IS NOT NULL) AS category_at,
               arg_max(phone, ts) FILTER (WHERE phone IS NOT NULL) AS phone,
               max(ts) FILTER (WHERE phone IS NOT NULL) AS phone_at
        FROM {source} GROUP BY person_id
        """
    )
    # Each person's values after this import, next to the stored ones, in one pass over
    # ``persons`` (a later non-empty value wins; RULES "Words"). Stored persons are then
    # updated by row id and new ones inserted: an upsert (INSERT ... ON CONFLICT) looked
    # every person up in the key index one by one, ~0.35 s for a day's 52 000 persons at
    # 50 M visits (issue 27).
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE person_merge AS
        SELECT u.person_id, p.rowid AS stored_row, p.category AS stored_category,
               (p.rowid IS NULL OR p.name IS DISTINCT FROM m.name OR p.phone IS DISTINCT FROM m.phone) AS keys_changed,
               (p.rowid IS NOT NULL AND (p.name, p.name_at, p.category, p.category_at, p.phone, p.phone_at,
                                         p.institution, p.institution_at)
                   IS DISTINCT FROM (m.name, m.name_at, m.category, m.category_at, m.phone, m.phone_at,
                                     m.institution, m.institution_at)) AS stored_changed,
               m.*
        FROM person_updates u LEFT JOIN persons p USING (person_id),
        LATERAL (
            SELECT CASE WHEN u.name_at > coalesce(p.name_at, '-infinity'::TIMESTAMPTZ) THEN u.name ELSE p.name END AS name,
                   greatest(u.name_at, p.name_at) AS name_at,
                   CASE WHEN u.category IS NOT NULL AND u.category_at > coalesce(p.category_at, '-infinity'::TIMESTAMPTZ)
                        THEN u.category ELSE coalesce(p.category, 'visitor') END AS category,
                   greatest(u.category_at, p.category_at) AS category_at,
                   CASE WHEN u.phone_at > coalesce(p.phone_at, '-infinity'::TIMESTAMPTZ) THEN u.phone ELSE p.phone END AS phone,
                   greatest(u.phone_at, p.phone_at) AS phone_at,
                   CASE WHEN u.institution_at > coalesce(p.institution_at, '-infinity'::TIMESTAMPTZ)
                        THEN u.institution ELSE p.institution END AS institution,
                   greatest(u.institution_at, p.institution_at) AS institution_at
        ) m
        """
    )
    # Re-pairing takes each person's category from here (MAX_STAY).
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE person_categories AS
        SELECT person_id, category, coalesce(category <> stored_category, false) AS changed FROM person_merge
        """
    )
    changed = con.execute("SELECT bool_or(changed) FROM person_categories").fetchall()[0][0]
    con.execute(
        """
        UPDATE persons SET name = m.name, name_at = m.name_at, category = m.category, category_at = m.category_at,
                           phone = m.phone, phone_at = m.phone_at, institution = m.institution,
                           institution_at = m.institution_at
        FROM (SELECT * FROM person_merge WHERE stored_changed) m
        WHERE persons.rowid = m.stored_row
        """
    )
    con.execute(
        f"""
        INSERT INTO persons (person_id, name, name_at, category, category_at, phone, phone_at, institution, institution_at,
                             person_key)
        SELECT person_id, name, name_at, category, category_at, phone, phone_at, institution, institution_at,
               {db.person_key()}
        FROM person_merge WHERE stored_row IS NULL
        """
    )
    # RULES "Personal data": the person search's keys follow every write of persons (issue 27);
    # only the keys of new persons and of changed names or phones can differ.
    person_search.refresh_values(con, "(SELECT person_id, name, phone FROM person_merge WHERE keys_changed)")
    con.execute("DROP TABLE person_merge")
    return bool(changed)
