"""Consistent copies of the store, taken and brought back while the app runs."""

from __future__ import annotations

from pathlib import Path

import duckdb

from lib.store import db


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is for the user."""


def _catalog(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute("SELECT current_database()").fetchall()[0][0])


def _quoted_path(path: Path) -> str:
    return str(path).replace("'", "''")


def backup(con: duckdb.DuckDBPyConnection, target: str | Path, actor: str = "cli") -> int:
    """Write a consistent copy of the whole database to ``target`` (a new DuckDB file).

    Taken under the write lock, so no import or scan lands half in it. Returns the number
    of visits copied.
    """
    path = Path(target).resolve()
    if path.exists():
        raise BackupError(f"{path.name} exists already; choose a new file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    with db.WRITE_LOCK:
        con.execute(f"ATTACH '{_quoted_path(path)}' AS pantau_backup")
        try:
            con.execute(f'COPY FROM DATABASE "{_catalog(con)}" TO pantau_backup')
            visits = int(con.execute("SELECT count(*) FROM pantau_backup.visits").fetchall()[0][0])
        finally:
            con.execute("DETACH pantau_backup")
    with db.transaction(con):
        db.write_audit(con, actor, "backup", path.name, None, visits)
    return visits


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_schema = 'main' "
        "AND table_type = 'BASE TABLE' ORDER BY table_name",
        [catalog],
    ).fetchall()
    return [r[0] for r in rows]


def restore(con: duckdb.DuckDBPyConnection, source: str | Path, actor: str = "cli") -> int:
    """Replace every table's content with the backup's, in one transaction.

    The backup must come from this or an older schema version (older ones are migrated
    by copying column by column). Returns the number of visits restored.
    """
    path = Path(source).resolve()
    if not path.is_file():
        raise BackupError(f"backup file not found: {path}")
    try:
        con.execute(f"ATTACH '{_quoted_path(path)}' AS pantau_restore (READ_ONLY)")
    except duckdb.Error as error:
        raise BackupError(f"not a Pantau backup: {str(error).splitlines()[0]}") from None
    try:
        source_tables = set(_tables(con, "pantau_restore"))
        if not {"visits", "events", "schema_meta"} <= source_tables:
            raise BackupError("not a Pantau backup: its tables are missing")
        version = int(con.execute("SELECT max(version) FROM pantau_restore.schema_meta").fetchall()[0][0])
        if version > db.schema_version(con):
            raise BackupError("the backup comes from a newer Pantau; update first")
        with db.transaction(con):
            for table in _tables(con, _catalog(con)):
                if table == "schema_meta":
                    continue
                con.execute(f'DELETE FROM "{table}"')
                if table in source_tables:
                    con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM pantau_restore."{table}"')
            if version < db.ROOMS_VERSION:
                # An older backup's scans with an area made visits; now they make area stays
                # (lib.ingest.upgrade.finish re-pairs them right after the restore).
                db.set_setting(con, db.PENDING_AREA_SCANS, "1")
            # Check-in taps give their events an import id without an import record.
            next_import = int(con.execute(
                "SELECT coalesce(greatest((SELECT max(import_id) FROM imports), (SELECT max(import_id) FROM events)), 0) + 1"
            ).fetchall()[0][0])
            current = int(con.execute("SELECT nextval('import_ids')").fetchall()[0][0])
            # Sequences cannot be set back; move ours past the restored ids when needed.
            for _ in range(max(0, next_import - current - 1)):
                con.execute("SELECT nextval('import_ids')").fetchall()
            visits = int(con.execute("SELECT count(*) FROM visits").fetchall()[0][0])
            db.write_audit(con, actor, "restore", path.name, None, visits)
    finally:
        con.execute("DETACH pantau_restore")
    return visits
