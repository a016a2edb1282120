"""Consistent copies of the store, taken and brought back while the app runs."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from lib.core.errors import PantauError
from lib.store import db, office, person_search
from lib.store.places import retention_days

PARTIAL_SUFFIX = ".partial"


class BackupError(PantauError):
    """A backup or restore that cannot be done (texts ``backup.error.<code>``)."""

    TEXT_PREFIX = "backup.error."


def _catalog(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute("SELECT current_database()").fetchall()[0][0])


def _quoted_path(path: Path) -> str:
    return str(path).replace("'", "''")


def backup(con: duckdb.DuckDBPyConnection, target: str | Path, actor: str = "cli") -> int:
    """Write a consistent copy of the whole database to ``target`` (a new DuckDB file).

    Taken under the write lock, so no import or scan lands half in it (and it never runs
    during an import). The copy is written beside the target under a temporary name and
    renamed when complete, so a crash never leaves a half-written backup under the real
    name. Returns the number of visits copied.
    """
    path = Path(target).resolve()
    if path.exists():
        raise BackupError("exists", name=path.name)
    path.parent.mkdir(parents=True, exist_ok=True, mode=db.PRIVATE_FOLDER_MODE)
    partial = path.with_name(path.name + PARTIAL_SUFFIX)
    for leftover in (partial, Path(str(partial) + ".wal")):
        leftover.unlink(missing_ok=True)
    with db.WRITE_LOCK:
        con.execute(f"ATTACH '{_quoted_path(partial)}' AS pantau_backup")
        try:
            # RULES "Personal data": owner-only before a single row is copied into it, even
            # in a process that did not narrow its umask.
            os.chmod(partial, db.PRIVATE_FILE_MODE)
            con.execute(f'COPY FROM DATABASE "{_catalog(con)}" TO pantau_backup')
            visits = int(con.execute("SELECT count(*) FROM pantau_backup.visits").fetchall()[0][0])
        except BaseException:
            con.execute("DETACH pantau_backup")
            partial.unlink(missing_ok=True)
            raise
        con.execute("DETACH pantau_backup")
        os.chmod(partial, db.PRIVATE_FILE_MODE)
        os.replace(partial, path)
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
        raise BackupError("not_found", path=str(path))
    try:
        con.execute(f"ATTACH '{_quoted_path(path)}' AS pantau_restore (READ_ONLY)")
    except duckdb.Error as error:
        raise BackupError("not_a_backup", detail=str(error).splitlines()[0]) from None
    try:
        source_tables = set(_tables(con, "pantau_restore"))
        if not {"visits", "events", "schema_meta"} <= source_tables:
            raise BackupError("tables_missing")
        version = int(con.execute("SELECT max(version) FROM pantau_restore.schema_meta").fetchall()[0][0])
        if version > db.schema_version(con):
            raise BackupError("newer")
        with db.transaction(con):
            for table in _tables(con, _catalog(con)):
                if table == "schema_meta":
                    continue
                con.execute(f'DELETE FROM "{table}"')
                if table in source_tables:
                    con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM pantau_restore."{table}"')
            # A backup from before the person search's index (issue 27) holds none: made anew.
            person_search.rebuild(con)
            # One from before migration 14 holds no persons' keys (db.person_key).
            con.execute(f"UPDATE persons SET person_key = {db.person_key()} WHERE person_key IS NULL")
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


def remove_partials(db_path: str | Path) -> int:
    """Delete the half-written nightly backups (``*.partial`` and their WAL) a crash left in
    ``backup_folder``: they hold a copy of every name and phone, and no restore may take
    them. Called where the database is opened as its owner; returns how many files."""
    folder = backup_folder(db_path)
    if not folder.is_dir():
        return 0
    removed = 0
    for leftover in [*folder.glob("*" + PARTIAL_SUFFIX), *folder.glob("*" + PARTIAL_SUFFIX + ".wal")]:
        leftover.unlink(missing_ok=True)
        removed += 1
    return removed


# --- nightly backups with rotation (RULES "Choices where the rules were silent") ---------------

NIGHTLY_HOUR = 1  # local time: before the 02:00 purge, in the office's quietest hour
LAST_BACKUP_KEY = "last_backup_day"
NIGHTLY_NAME = re.compile(r"^pantau-\d{8}-\d{6}\.duckdb$")


def backup_folder(db_path: str | Path) -> Path:
    """Where the nightly backups of a database file go: ``backups/`` beside it."""
    return Path(db_path).resolve().parent / db.BACKUP_FOLDER_NAME


def _made_at(name: str) -> datetime | None:
    """The local time a nightly backup's name gives (``pantau-YYYYMMDD-HHMMSS.duckdb``), in UTC."""
    try:
        local = datetime.strptime(name[len("pantau-"):-len(".duckdb")], "%Y%m%d-%H%M%S")
    except ValueError:
        return None
    return local.replace(tzinfo=ZoneInfo(db.DEFAULT_TIMEZONE)).astimezone(UTC)


def drop_expired(folder: str | Path, days: int, now: datetime | None = None) -> list[str]:
    """Delete the nightly backups made more than ``days`` ago; returns the names deleted.

    RULES "Personal data": a backup holds the names and phones of its day, so it may not
    outlive the retention period, or the purge would only have hidden them. A backup's age
    is the time in its name (copying a file changes its mtime, never its name).
    """
    moment = now or datetime.now(UTC)
    cutoff = moment - timedelta(days=days)
    deleted: list[str] = []
    for name in list_backups(folder, now=moment)["name"]:
        made = _made_at(str(name))
        if made is not None and made < cutoff:
            (Path(folder) / str(name)).unlink(missing_ok=True)
            deleted.append(str(name))
    return deleted


def list_backups(folder: str | Path, now: datetime | None = None) -> pd.DataFrame:
    """The nightly backups in ``folder``, newest first: name, path, size_bytes, made_at
    (UTC, the file's time), age_hours. Half-written files are not listed."""
    moment = now or datetime.now(UTC)
    rows = []
    base = Path(folder)
    if base.is_dir():
        for path in base.iterdir():
            if NIGHTLY_NAME.match(path.name) and path.is_file():
                stat = path.stat()
                made = datetime.fromtimestamp(stat.st_mtime, UTC)
                rows.append({"name": path.name, "path": str(path), "size_bytes": stat.st_size, "made_at": made,
                             "age_hours": round((moment - made).total_seconds() / 3600, 1)})
    frame = pd.DataFrame(rows, columns=["name", "path", "size_bytes", "made_at", "age_hours"])
    return frame.sort_values("name", ascending=False).reset_index(drop=True)


def rotate(folder: str | Path, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` nightly backups (and stale half-written ones);
    returns the names deleted."""
    base = Path(folder)
    deleted: list[str] = []
    if not base.is_dir():
        return deleted
    for leftover in base.glob(f"*{PARTIAL_SUFFIX}*"):
        leftover.unlink(missing_ok=True)
    for name in list_backups(base)["name"].iloc[max(keep, 1):]:
        (base / name).unlink(missing_ok=True)
        deleted.append(str(name))
    return deleted


def backup_now(con: duckdb.DuckDBPyConnection, folder: str | Path, now: datetime | None = None,
               actor: str = "schedule") -> Path:
    """One backup named by its local time (``pantau-YYYYMMDD-HHMMSS.duckdb``), then the rotation."""
    moment = now or datetime.now(UTC)
    local = moment.astimezone(ZoneInfo(db.DEFAULT_TIMEZONE))
    path = Path(folder) / f"pantau-{local:%Y%m%d-%H%M%S}.duckdb"
    backup(con, path, actor=actor)
    rotate(folder, office.backup_keep(con))
    return path


def nightly_backup(database: db.SharedDatabase, now: datetime | None = None) -> Path | None:
    """The running app's daily schedule: one backup a day from 01:00 local, then rotation;
    backups older than the retention period are deleted on every call.

    Like the purge, the first start only records the day. The backup takes the write lock,
    so it waits for an import to finish and never runs during one. Returns the new file.
    """
    moment = now or datetime.now(UTC)
    local = moment.astimezone(ZoneInfo(db.DEFAULT_TIMEZONE))
    today = local.date().isoformat()
    cursor = database.cursor()
    try:
        # Every run (every few minutes), before anything that may fail: a backup older than
        # the retention period goes even on a day the new one cannot be written.
        drop_expired(backup_folder(database.path), retention_days(cursor), now=moment)
        last = db.get_setting(cursor, LAST_BACKUP_KEY)
        if last is None:
            with db.transaction(cursor):
                db.set_setting(cursor, LAST_BACKUP_KEY, today)
            return None
        if local.hour < NIGHTLY_HOUR or last >= today:
            return None
        path = backup_now(cursor, backup_folder(database.path), now=moment)
        with db.transaction(cursor):
            db.set_setting(cursor, LAST_BACKUP_KEY, today)
        return path
    finally:
        cursor.close()
