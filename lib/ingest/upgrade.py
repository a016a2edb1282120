"""Data steps a schema change needs beyond the schema itself, run once after the migration.

``lib.store.db`` migrates the schema but cannot re-pair visits (that is this layer's work);
a migration or a restore that needs it leaves a key in ``app_settings`` and ``finish``
runs the step on the next open, in one transaction, before anything reads the visits.
The command line and the dashboard call ``finish`` right after opening the database.
"""

from __future__ import annotations

import duckdb

from lib.ingest import pairing
from lib.store import db
from lib.store.relations import AreasNamed, PersonsToRepair


def finish(con: duckdb.DuckDBPyConnection) -> None:
    """Run every pending data step (none: one small query)."""
    if db.get_setting(con, db.PENDING_AREA_SCANS) is None:
        return
    with db.transaction(con):
        scans_with_an_area_become_area_scans(con)
        con.execute("DELETE FROM app_settings WHERE key = ?", [db.PENDING_AREA_SCANS])


def scans_with_an_area_become_area_scans(con: duckdb.DuckDBPyConnection) -> None:
    """Migration 7 on a file that holds scans with an area: before, they made visits like
    door scans; now they make area stays. Re-pair everyone who has such a scan (their
    visits come from door scans alone) and derive their stays, in ``finish``'s transaction."""
    if not con.execute("SELECT count(*) FROM events WHERE area IS NOT NULL").fetchall()[0][0]:
        return
    db.ensure_areas(con, AreasNamed("SELECT DISTINCT building, area FROM events WHERE area IS NOT NULL"))
    affected = PersonsToRepair.create(
        con,
        """
        SELECT p.person_id, CAST(NULL AS TIMESTAMPTZ) AS from_ts, p.category
        FROM persons p SEMI JOIN (SELECT person_id FROM events WHERE area IS NOT NULL) e USING (person_id)
        """,
        name="affected_all",
    )
    pairing.repair_and_refresh(con, affected)
    affected.drop(con)
