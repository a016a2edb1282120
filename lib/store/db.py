"""The one owner of the DuckDB file: connection, schema and migrations.

Every other module receives a connection from here and never opens the file itself.
Instants are stored as UTC ``TIMESTAMPTZ`` (RULES "Time"); each connection runs with the
session time zone set to UTC so that no conversion happens implicitly.
"""

from __future__ import annotations

import json
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from lib.core import config
from lib.store.app_settings import registered
from lib.store.relations import AreasNamed

DEFAULT_TIMEZONE = "Asia/Makassar"
# RULES "From events to visits": MAX_STAY defaults per category, in minutes.
DEFAULT_MAX_STAY_MINUTES = {"ASN": 12 * 60, "THL": 12 * 60, "visitor": 3 * 60}
CATEGORIES = ("ASN", "THL", "visitor")
# The app setting that marks a database filled by the demo (demo accounts exist only then).
DEMO_MODE_SETTING = "demo_mode"
# RULES "From events to visits": a second scan within DEDUP of the first is a duplicate (door
# scans and area scans alike).
DEDUP_SECONDS = 120
DEDUP_US = DEDUP_SECONDS * 1_000_000


def person_key(column: str = "person_id") -> str:
    """SQL for ``persons.person_key`` of a person id (migration 14): the lower 64 bits of
    its MD5, fixed by the digest, not by a DuckDB version. A trace names its thousands of
    contacts by one scan of these integers, which DuckDB filters by the contacts' keys,
    where the primary key costs one index lookup per contact (issue 27). Every writer of
    ``persons`` sets it; a reader still compares ``person_id`` (two ids may share a key).
    """
    return f"md5_number_lower({column})"


# Each entry migrates the schema from version i to i + 1. Never edit a released entry:
# append a new one, so an existing database file is upgraded instead of broken.
MIGRATIONS: list[str] = [
    # 0 -> 1: the visit-log engine (MAX_STAY column defaults from DEFAULT_MAX_STAY_MINUTES).
    """
    CREATE TABLE buildings (
        building_id        TEXT PRIMARY KEY,
        name               TEXT,
        timezone           TEXT NOT NULL DEFAULT 'Asia/Makassar',
        capacity           INTEGER,
        threshold_people   INTEGER,
        threshold_share    DOUBLE,
        ppkm_level         INTEGER,
        max_stay_asn_min   INTEGER NOT NULL DEFAULT {asn},
        max_stay_thl_min   INTEGER NOT NULL DEFAULT {thl},
        max_stay_visitor_min INTEGER NOT NULL DEFAULT {visitor},
        created_at         TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    );
    CREATE TABLE gates (
        building_id TEXT NOT NULL,
        gate_id     TEXT NOT NULL,
        name        TEXT,
        PRIMARY KEY (building_id, gate_id)
    );
    -- Latest non-empty name / category / phone per person (RULES "Words"); the *_at
    -- columns hold the event time each value came from, so import order never matters.
    CREATE TABLE persons (
        person_id   TEXT PRIMARY KEY,
        name        TEXT,
        name_at     TIMESTAMPTZ,
        category    TEXT NOT NULL DEFAULT 'visitor',
        category_at TIMESTAMPTZ,
        phone       TEXT,
        phone_at    TIMESTAMPTZ
    );
    -- Identity of an event: (person_id, building, action, ts) (RULES "Import").
    CREATE TABLE events (
        person_id TEXT NOT NULL,
        building  TEXT NOT NULL,
        action    TEXT NOT NULL,
        ts        TIMESTAMPTZ NOT NULL,
        name      TEXT,
        category  TEXT,
        phone     TEXT,
        gate      TEXT,
        area      TEXT,
        status    TEXT,
        import_id BIGINT
    );
    -- checkout_at IS NULL: still open; it ends at auto_close_at once that is past.
    CREATE TABLE visits (
        person_id     TEXT NOT NULL,
        building      TEXT NOT NULL,
        checkin_at    TIMESTAMPTZ NOT NULL,
        checkout_at   TIMESTAMPTZ,
        checkout_kind TEXT,
        auto_close_at TIMESTAMPTZ NOT NULL,
        category      TEXT NOT NULL,
        gate_in       TEXT,
        gate_out      TEXT,
        area          TEXT,
        status        TEXT
    );
    -- Scans that made no visit: 'duplicate' (within DEDUP) or 'orphan' check-outs.
    CREATE TABLE scan_anomalies (
        person_id TEXT NOT NULL,
        building  TEXT NOT NULL,
        ts        TIMESTAMPTZ NOT NULL,
        action    TEXT NOT NULL,
        kind      TEXT NOT NULL
    );
    CREATE SEQUENCE import_ids START 1;
    CREATE TABLE imports (
        import_id    BIGINT PRIMARY KEY,
        file_name    TEXT NOT NULL,
        imported_at  TIMESTAMPTZ NOT NULL,
        imported_by  TEXT,
        shape        TEXT,
        status       TEXT NOT NULL,
        message      TEXT,
        rows_read    BIGINT NOT NULL DEFAULT 0,
        events_new   BIGINT NOT NULL DEFAULT 0,
        duplicates   BIGINT NOT NULL DEFAULT 0,
        new_visits   BIGINT NOT NULL DEFAULT 0,
        orphans      BIGINT NOT NULL DEFAULT 0,
        quarantined  BIGINT NOT NULL DEFAULT 0
    );
    CREATE TABLE quarantine (
        import_id BIGINT NOT NULL,
        file_name TEXT NOT NULL,
        row_no    BIGINT,
        reason    TEXT NOT NULL,
        raw       TEXT
    );
    CREATE TABLE audit_log (
        logged_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        actor    TEXT NOT NULL,
        action   TEXT NOT NULL,
        subject  TEXT,
        params   TEXT,
        rows     BIGINT
    );
    """.format(asn=DEFAULT_MAX_STAY_MINUTES["ASN"], thl=DEFAULT_MAX_STAY_MINUTES["THL"], visitor=DEFAULT_MAX_STAY_MINUTES["visitor"]),
    # 1 -> 2: settings of the whole installation (public base address, retention, ...).
    """
    CREATE TABLE app_settings (
        key   TEXT PRIMARY KEY,
        value TEXT
    );
    """,
    # 2 -> 3: stored hourly figures, kept up to date at import (lib.analytics.figures).
    """
    CREATE TABLE hourly_figures (
        building  TEXT NOT NULL,
        hour      TIMESTAMPTZ NOT NULL,
        category  TEXT NOT NULL,
        peak      INTEGER NOT NULL,
        present   INTEGER NOT NULL,
        person_us BIGINT NOT NULL
    );
    CREATE TABLE hourly_figures_state (
        building TEXT PRIMARY KEY,
        until    TIMESTAMPTZ NOT NULL,
        timezone TEXT NOT NULL
    );
    """,
    # 3 -> 4: stored weekly figures (lib.analytics.figures), weeks below until are stored.
    """
    CREATE TABLE weekly_figures_state (
        building TEXT PRIMARY KEY,
        until    TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE weekly_figures (
        building   TEXT NOT NULL,
        week_start TIMESTAMPTZ NOT NULL,
        visits BIGINT NOT NULL, persons BIGINT NOT NULL,
        "persons_ASN" BIGINT NOT NULL, "persons_THL" BIGINT NOT NULL, persons_visitor BIGINT NOT NULL,
        auto_closed BIGINT NOT NULL,
        day0 BIGINT NOT NULL, day1 BIGINT NOT NULL, day2 BIGINT NOT NULL, day3 BIGINT NOT NULL,
        day4 BIGINT NOT NULL, day5 BIGINT NOT NULL, day6 BIGINT NOT NULL,
        median_stay_minutes DOUBLE
    );
    """,
    # 4 -> 5: persons' strings stored uncompressed. Tracing and every import look up a
    # few thousand persons among a million; DuckDB's compressed strings (FSST) decode a
    # whole block to fetch one row: fetching 634 persons by key took ~45 ms at 1.1 M
    # persons, ~2 ms uncompressed (measured at 10 M visits). About 40 MB more per million.
    """
    CREATE TABLE persons_v5 (
        person_id   TEXT PRIMARY KEY USING COMPRESSION uncompressed,
        name        TEXT USING COMPRESSION uncompressed,
        name_at     TIMESTAMPTZ,
        category    TEXT NOT NULL DEFAULT 'visitor',
        category_at TIMESTAMPTZ,
        phone       TEXT USING COMPRESSION uncompressed,
        phone_at    TIMESTAMPTZ
    );
    INSERT INTO persons_v5 SELECT person_id, name, name_at, category, category_at, phone, phone_at FROM persons;
    DROP TABLE persons;
    ALTER TABLE persons_v5 RENAME TO persons;
    """,
    # 5 -> 6: a building first seen in an imported log is new (unconfirmed) until an
    # administrator confirms, renames, merges or deletes it (RULES "Import"). Buildings
    # already in the file were there before that rule: they count as confirmed.
    """
    ALTER TABLE buildings ADD COLUMN confirmed BOOLEAN DEFAULT true;
    UPDATE buildings SET confirmed = true;
    """,
    # 6 -> 7: places inside a building (areas, area stays) and the staff roster. Scans with an
    # area made visits before; now they make area stays: lib.ingest.upgrade re-pairs them.
    """
    -- An area's name is unique within its building, ignoring case and surrounding spaces:
    -- area_key = lower(trim(name)); area_id is the name as first imported.
    CREATE TABLE areas (
        building      TEXT NOT NULL,
        area_key      TEXT NOT NULL,
        area_id       TEXT NOT NULL,
        name          TEXT,
        area_stay_min INTEGER NOT NULL DEFAULT 120,
        capacity      INTEGER,
        created_at    TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        PRIMARY KEY (building, area_key)
    );
    -- Area stays, derived from area scans (lib.ingest.areas). end_at IS NULL: still open; it
    -- ends at auto_end_at (start + AREA_STAY) once that is past.
    CREATE TABLE stays (
        person_id   TEXT NOT NULL,
        building    TEXT NOT NULL,
        area        TEXT NOT NULL,
        start_at    TIMESTAMPTZ NOT NULL,
        end_at      TIMESTAMPTZ,
        end_kind    TEXT,
        auto_end_at TIMESTAMPTZ NOT NULL
    );
    -- Area scans that made no stay: 'duplicate' or 'orphan'.
    CREATE TABLE area_anomalies (
        person_id TEXT NOT NULL,
        building  TEXT NOT NULL,
        area      TEXT NOT NULL,
        ts        TIMESTAMPTZ NOT NULL,
        action    TEXT NOT NULL,
        kind      TEXT NOT NULL
    );
    -- The staff roster: one row per person, set by the latest roster import naming them.
    CREATE TABLE roster (
        person_id   TEXT PRIMARY KEY,
        unit        TEXT,
        building    TEXT,
        room        TEXT,
        import_id   BIGINT NOT NULL,
        imported_at TIMESTAMPTZ NOT NULL
    );
    ALTER TABLE imports ADD COLUMN persons_set BIGINT DEFAULT 0;
    INSERT INTO app_settings VALUES ('pending:area_scans', '1') ON CONFLICT (key) DO UPDATE SET value = '1';
    """,
    # 7 -> 8: tracing cases (RULES "Tracing cases"): a positive case, its contact list kept as a snapshot,
    # the follow-up of every contact and each change to it. Never touches visits.
    """
    CREATE TABLE cases (
        case_id        BIGINT PRIMARY KEY,  -- 1, 2, ...: max + 1 under the write lock (restores keep them)
        person_id      TEXT,          -- the index person; NULL once purged
        person_name    TEXT,          -- NULL once purged
        onset_date     DATE,
        swab_date      DATE,
        isolation_date DATE,
        window_from    TIMESTAMPTZ NOT NULL,
        window_to      TIMESTAMPTZ NOT NULL,  -- exclusive
        min_overlap    DOUBLE NOT NULL,
        tail           DOUBLE NOT NULL,
        tracer         TEXT,
        notes          TEXT,
        status         TEXT NOT NULL DEFAULT 'open',
        parent_case_id BIGINT,
        parent_contact TEXT,          -- the parent's contact this case was opened for; NULL once purged
        opened_by      TEXT NOT NULL,
        opened_at      TIMESTAMPTZ NOT NULL,
        snapshot_at    TIMESTAMPTZ NOT NULL,
        closed_at      TIMESTAMPTZ,
        purged_at      TIMESTAMPTZ
    );
    -- One row per contact of a case: the graded columns of the snapshot, then the follow-up.
    CREATE TABLE case_contacts (
        case_id          BIGINT NOT NULL,
        person_id        TEXT,        -- NULL once purged
        name             TEXT,
        category         TEXT,
        phone            TEXT,
        buildings        TEXT,
        overlap_minutes  DOUBLE,
        first_contact    TIMESTAMPTZ,
        last_contact     TIMESTAMPTZ,
        estimated        BOOLEAN,
        unit             TEXT,
        grade            TEXT,
        areas            TEXT,
        area_minutes     DOUBLE,
        area_assumed     BOOLEAN,
        in_list          BOOLEAN NOT NULL DEFAULT true,  -- false: a refresh no longer found them
        status           TEXT NOT NULL DEFAULT 'belum',
        test_result      TEXT,
        note             TEXT,
        status_at        TIMESTAMPTZ,
        status_by        TEXT,
        first_reached_at TIMESTAMPTZ
    );
    -- Every follow-up change, in order: two tracers at once both stay here (and in the audit log).
    CREATE TABLE case_updates (
        case_id     BIGINT NOT NULL,
        person_id   TEXT,
        changed_at  TIMESTAMPTZ NOT NULL,
        changed_by  TEXT NOT NULL,
        status      TEXT,
        test_result TEXT,
        note        TEXT
    );
    """,
    # 8 -> 9: the building manager's day: roll-call ticks, alerts sent, webhook deliveries.
    """
    -- A roll-call (apel): started by an administrator for an instant and a building (NULL: all).
    CREATE SEQUENCE rollcall_ids START 1;
    CREATE TABLE rollcalls (
        rollcall_id BIGINT PRIMARY KEY,
        building    TEXT,
        rollcall_at TIMESTAMPTZ NOT NULL,
        started_at  TIMESTAMPTZ NOT NULL,
        started_by  TEXT NOT NULL
    );
    -- A marshal's tick: the person was seen safe at the assembly point (ticked = false: undone).
    CREATE TABLE rollcall_ticks (
        rollcall_id BIGINT NOT NULL,
        building    TEXT NOT NULL,
        person_id   TEXT NOT NULL,
        ticked      BOOLEAN NOT NULL,
        ticked_at   TIMESTAMPTZ NOT NULL,
        ticked_by   TEXT NOT NULL,
        PRIMARY KEY (rollcall_id, building, person_id)
    );
    -- The last time each alert (kind, building, place) was sent to the webhook.
    CREATE TABLE alert_sent (
        alert_key TEXT PRIMARY KEY,
        sent_at   TIMESTAMPTZ NOT NULL
    );
    -- Every attempt to post an alert: when, which, the answer (HTTP status) or the error.
    CREATE TABLE webhook_deliveries (
        tried_at  TIMESTAMPTZ NOT NULL,
        alert_key TEXT NOT NULL,
        kind      TEXT NOT NULL,
        attempt   INTEGER NOT NULL,
        status    INTEGER,
        error     TEXT,
        delivered BOOLEAN NOT NULL
    );
    """,
    # 9 -> 10: the front desk and the guest book (issue 22): a check-in event carries the
    # visit's purpose (keperluan), its host (tujuan / bertemu dengan) and the visitor's
    # institution (instansi); a visit keeps the purpose and host of its check-in event; a
    # person keeps the latest non-empty institution as name and phone are kept (RULES "Words").
    """
    ALTER TABLE events ADD COLUMN purpose TEXT;
    ALTER TABLE events ADD COLUMN host TEXT;
    ALTER TABLE events ADD COLUMN institution TEXT;
    ALTER TABLE visits ADD COLUMN purpose TEXT;
    ALTER TABLE visits ADD COLUMN host TEXT;
    ALTER TABLE persons ADD COLUMN institution TEXT;
    ALTER TABLE persons ADD COLUMN institution_at TIMESTAMPTZ;
    """,
    # 10 -> 11: the front desk (issue 22): visitors expected on a day (pre-registration; a
    # random id that is also their personal check-in address's key), and the passes printed
    # on visitor slips (a random id whose QR checks that visitor out at the door). Both hold
    # personal data (lib/store/retention.py removes them after the retention period).
    """
    CREATE TABLE expected_visitors (
        expected_id TEXT PRIMARY KEY,
        building    TEXT NOT NULL,
        expected_on DATE NOT NULL,          -- the building's local day
        name        TEXT,
        phone       TEXT,                   -- international form (62...), also the visit's person_id
        purpose     TEXT,
        host        TEXT,
        created_by  TEXT,
        created_at  TIMESTAMPTZ NOT NULL,
        arrived_at  TIMESTAMPTZ,            -- NULL: not (yet) arrived; a past day then is a no-show
        person_id   TEXT
    );
    CREATE TABLE desk_passes (
        pass_id   TEXT PRIMARY KEY,
        person_id TEXT NOT NULL,
        building  TEXT NOT NULL,
        issued_at TIMESTAMPTZ NOT NULL,
        used_at   TIMESTAMPTZ
    );
    """,
    # 11 -> 12: the person search's index (issue 27, lib/store/person_search.py): each
    # person's search keys (name lowered without accents, id and phone; the phone's digits,
    # and with 62 read as 0), kept on every write of persons, so a search reads two prepared
    # columns instead of computing them for every person. Same expressions as
    # person_search._KEYS; uncompressed, as a scan of them is ~2x faster so.
    """
    CREATE TABLE person_search (
        person_id TEXT PRIMARY KEY,
        text_key  TEXT USING COMPRESSION uncompressed,
        digit_key TEXT USING COMPRESSION uncompressed
    );
    INSERT INTO person_search
    SELECT person_id,
           strip_accents(lower(coalesce(name, ''))) || chr(0) || strip_accents(lower(person_id)) || chr(0)
               || lower(coalesce(phone, '')),
           CASE WHEN starts_with(digits, '62') THEN digits || chr(0) || '0' || digits[3:] ELSE digits END
    FROM (SELECT *, regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g') AS digits FROM persons);
    """,
    # 12 -> 13: the person ids of visits and stays stored uncompressed (issue 27), as persons'
    # are since 5. A trace looks for one person's visits among a window's; an import fetches
    # the few open stays of the persons it re-derives, scattered over all of them. Compressed
    # (DICT_FSST), each such read decodes whole blocks: at 50 M visits the open stays' ids
    # took ~0.26 s of every day's import (~0.07 s uncompressed) and the trace's own visits
    # ~19 ms of CPU (~7 ms). About 20 bytes more a visit or stay.
    """
    CREATE TABLE visits_v13 (
        person_id     TEXT NOT NULL USING COMPRESSION uncompressed,
        building      TEXT NOT NULL,
        checkin_at    TIMESTAMPTZ NOT NULL,
        checkout_at   TIMESTAMPTZ,
        checkout_kind TEXT,
        auto_close_at TIMESTAMPTZ NOT NULL,
        category      TEXT NOT NULL,
        gate_in       TEXT,
        gate_out      TEXT,
        area          TEXT,
        status        TEXT,
        purpose       TEXT,
        host          TEXT
    );
    INSERT INTO visits_v13
    SELECT person_id, building, checkin_at, checkout_at, checkout_kind, auto_close_at, category, gate_in, gate_out,
           area, status, purpose, host
    FROM visits;
    DROP TABLE visits;
    ALTER TABLE visits_v13 RENAME TO visits;
    CREATE TABLE stays_v13 (
        person_id   TEXT NOT NULL USING COMPRESSION uncompressed,
        building    TEXT NOT NULL,
        area        TEXT NOT NULL,
        start_at    TIMESTAMPTZ NOT NULL,
        end_at      TIMESTAMPTZ,
        end_kind    TEXT,
        auto_end_at TIMESTAMPTZ NOT NULL
    );
    INSERT INTO stays_v13 SELECT person_id, building, area, start_at, end_at, end_kind, auto_end_at FROM stays;
    DROP TABLE stays;
    ALTER TABLE stays_v13 RENAME TO stays;
    """,
    # 13 -> 14: persons.person_key (see person_key), for naming a trace's contacts. 2-3 s at
    # 50 M visits (5.7 M persons), 8 bytes a person.
    f"""
    ALTER TABLE persons ADD COLUMN person_key UBIGINT;
    UPDATE persons SET person_key = {person_key()};
    """,
]


def default_db_path() -> Path:
    """``$PANTAU_DB`` if set, else ``data/pantau.duckdb`` (RULES "Command line")."""
    return config.database_path()


CHECKPOINT_THRESHOLD = "256MB"

# RULES "Personal data": every file Pantau writes (the database, its write-ahead log, the
# check-in journal, backups, the hand-off file, secrets) is readable by its owner only.
PRIVATE_UMASK = 0o077
PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700
BACKUP_FOLDER_NAME = "backups"


def private_files_from_now_on() -> None:
    """Make every file this process creates from now on owner-only (0600, folders 0700).

    Called where a Pantau process starts (the command line, the server's first open):
    DuckDB creates its file and write-ahead log with the process's umask, 0644 by default.
    """
    os.umask(PRIVATE_UMASK)


def make_private(db_path: str | Path) -> None:
    """Owner-only modes for a database's folder and files, also those of an older install.

    The database's own files (``<name>``, ``.wal``, the journal, the hand-off file and any
    other ``<name>.*``), the nightly backups beside it and the secrets file become 0600,
    their folders 0700. A folder that is not this user's own (``/tmp``, sticky, another
    owner's, the home folder itself) keeps its mode: only the files in it are narrowed.
    """
    path = Path(db_path).resolve()
    folder = path.parent
    _narrow_folder(folder)
    candidates = list(folder.glob(_glob_escape(path.name) + "*"))
    backups = folder / BACKUP_FOLDER_NAME
    if backups.is_dir():
        _narrow_folder(backups)
        candidates += list(backups.iterdir())
    secrets = config.secrets_file().resolve()
    candidates += [secrets, Path(str(secrets) + ".lock")]
    for candidate in candidates:
        try:
            if candidate.is_file() and not candidate.is_symlink() and candidate.stat().st_mode & 0o077:
                os.chmod(candidate, PRIVATE_FILE_MODE)
        except OSError:  # not ours, or gone meanwhile: nothing to narrow
            pass


def _glob_escape(name: str) -> str:
    """``name`` with glob's special characters taken literally."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _narrow_folder(folder: Path) -> None:
    try:
        info = folder.stat()
        if (
            info.st_uid != os.getuid()
            or info.st_mode & 0o1000  # sticky: a shared folder such as /tmp
            or folder == Path.home().resolve()
            or not info.st_mode & 0o077
        ):
            return
        os.chmod(folder, PRIVATE_FOLDER_MODE)
    except (OSError, RuntimeError):  # RuntimeError: no home folder known
        pass


def connect(path: str | Path | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and create or migrate) the database file and return a connection in UTC."""
    db_path = Path(path) if path is not None else default_db_path()
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER_MODE)
    con = duckdb.connect(str(db_path), read_only=read_only)
    if not read_only and not str(db_path).startswith(":memory:"):
        make_private(db_path)  # an older install's 0644 files are narrowed at the next start
    # GLOBAL, so every cursor of this database instance works in UTC too.
    con.execute("SET GLOBAL TimeZone = 'UTC'")
    # Standard output belongs to the command line's CSV: no progress bars from DuckDB.
    con.execute("SET enable_progress_bar = false")
    if not read_only:
        # DuckDB checkpoints (rewrites the changed parts of the file) at the commit that
        # takes the write-ahead log past this size; at its 16 MB default nearly every
        # import or purge paid ~0.4 s for it at 10 M visits. The log is replayed on open
        # and checkpointed when the connection closes and by the retention rewrite.
        con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
    memory_limit = config.memory_limit()
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if not read_only:
        migrate(con)
    return con


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_meta'"
    ).fetchall()
    if rows[0][0] == 0:
        return 0
    return int(con.execute("SELECT max(version) FROM schema_meta").fetchall()[0][0] or 0)


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the schema up to the newest version, one transaction per step; a new file
    gets every step in one transaction (one commit instead of one per step, 10-25 % of
    the time to create a file; and a crash leaves no half-made schema)."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_meta (version INTEGER, applied_at TIMESTAMPTZ)")
    current = schema_version(con)
    steps = list(enumerate(MIGRATIONS[current:], start=current + 1))
    for batch in ([steps] if current == 0 else [[step] for step in steps]):
        with transaction(con):
            for version, script in batch:
                con.execute(script)
                con.execute("INSERT INTO schema_meta VALUES (?, current_timestamp)", [version])


ROOMS_VERSION = 7  # from this version on, a scan with an area is an area scan
# A data step a schema change needs but this module cannot do (it re-pairs visits, which is
# lib.ingest's work): the migration or a restore sets the key, lib.ingest.upgrade.finish runs
# it and removes the key.
PENDING_AREA_SCANS = "pending:area_scans"


# Writers in one process take turns: DuckDB's optimistic concurrency would otherwise abort
# one of two imports that re-pair the same person. Readers never wait for it.
WRITE_LOCK = threading.RLock()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: a crash or an exception inside leaves the file as before."""
    with WRITE_LOCK:
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


class SharedDatabase:
    """The one connection of a long-running process (the dashboard) to its database file.

    DuckDB lets one process hold the file read-write; inside it, every thread needs a
    cursor of its own (CONTRIBUTING "Stack notes"). ``cursor()`` hands them out; ``rewrite_file()``
    copies the live data into a fresh file and swaps it in, so that deleted personal data
    does not linger in freed blocks of the old file (RULES "Personal data").
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._connection = connect(self.path)
        self._cursors: weakref.WeakSet[duckdb.DuckDBPyConnection] = weakref.WeakSet()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            cursor = self._connection.cursor()
            self._cursors.add(cursor)
            return cursor

    def rewrite_file(self) -> None:
        """Copy the database into a new file and replace the old one (all writes paused)."""
        with WRITE_LOCK, self._lock:
            fresh = self.path.with_name(self.path.name + ".rewrite")
            for leftover in (fresh, Path(str(fresh) + ".wal")):
                leftover.unlink(missing_ok=True)
            catalog = self._connection.execute("SELECT current_database()").fetchall()[0][0]
            self._connection.execute("CHECKPOINT")
            self._connection.execute(f"ATTACH '{fresh}' AS pantau_rewrite")
            try:
                os.chmod(fresh, PRIVATE_FILE_MODE)  # owner-only before any row is copied in
                self._connection.execute(f'COPY FROM DATABASE "{catalog}" TO pantau_rewrite')
            finally:
                self._connection.execute("DETACH pantau_rewrite")
            for cursor in list(self._cursors):
                try:
                    cursor.close()
                except duckdb.Error:
                    pass
            self._connection.close()
            os.replace(fresh, self.path)
            Path(str(self.path) + ".wal").unlink(missing_ok=True)
            self._connection = connect(self.path)

    def close(self) -> None:
        with self._lock:
            self._connection.close()


_SHARED: dict[Path, SharedDatabase] = {}
_SHARED_LOCK = threading.Lock()


def shared(path: str | Path | None = None) -> SharedDatabase:
    """The process-wide SharedDatabase of a file (created on first use)."""
    key = Path(path if path is not None else default_db_path()).resolve()
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = SharedDatabase(key)
        return _SHARED[key]


def ensure_buildings(con: duckdb.DuckDBPyConnection, building_ids: list[str]) -> list[str]:
    """Create buildings named in a log but not yet configured, with defaults (RULES "Import").

    They are created unconfirmed (``confirmed = false``): a typo in a log must not become a
    building of the leadership's totals until an administrator confirms it (or renames,
    merges or deletes it, ``lib.store.places``). Returns the ids that were created.
    """
    if not building_ids:
        return []
    existing = {r[0] for r in con.execute("SELECT building_id FROM buildings").fetchall()}
    created = sorted(set(building_ids) - existing)
    for building_id in created:
        con.execute(
            "INSERT INTO buildings (building_id, name, timezone, confirmed) VALUES (?, ?, ?, false)",
            [building_id, building_id, DEFAULT_TIMEZONE],
        )
    return created


def unconfirmed_buildings(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Ids of the buildings first seen in an import and not yet confirmed by an administrator."""
    return {r[0] for r in con.execute("SELECT building_id FROM buildings WHERE NOT coalesce(confirmed, true)").fetchall()}


def ensure_areas(con: duckdb.DuckDBPyConnection, named: AreasNamed) -> int:
    """Create the areas ``named`` (columns building, area) but not yet known.

    Names match ignoring case and surrounding spaces; a new area takes the smallest
    spelling seen, with the rules' defaults (AREA_STAY 120 minutes, no capacity). Returns
    how many were created.
    """
    rows = con.execute(
        f"""
        INSERT INTO areas (building, area_key, area_id, name)
        SELECT building, lower(trim(area)) AS area_key, min(trim(area)), min(trim(area))
        FROM ({named.checked(con).sql}) s
        WHERE building IS NOT NULL AND nullif(trim(area), '') IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM areas a WHERE a.building = s.building AND a.area_key = lower(trim(s.area)))
        GROUP BY ALL
        """
    ).fetchall()
    return int(rows[0][0]) if rows else 0


def building_timezones(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT building_id, timezone FROM buildings").fetchall())


def write_audit(
    con: duckdb.DuckDBPyConnection,
    actor: str,
    action: str,
    subject: str | None = None,
    params: str | None = None,
    rows: int | None = None,
) -> None:
    """One audit record: who did what, for whom, with which parameters, how many rows."""
    con.execute(
        "INSERT INTO audit_log (logged_at, actor, action, subject, params, rows) "
        "VALUES (current_timestamp, ?, ?, ?, ?, ?)",
        [actor, action, subject, params, rows],
    )


def get_setting(con: duckdb.DuckDBPyConnection, key: str, default: str | None = None) -> str | None:
    """A stored setting's value (``default`` when unset); ``key`` is one of
    ``lib.store.app_settings.STORED_SETTINGS`` (else ``KeyError``)."""
    registered(key)
    rows = con.execute("SELECT value FROM app_settings WHERE key = ?", [key]).fetchall()
    return rows[0][0] if rows else default


def set_setting_audited(con: duckdb.DuckDBPyConnection, key: str, value: str | None, actor: str) -> bool:
    """Store one setting (None: remove it) as ``actor`` and audit the change as every setting
    change is audited ('setting_change', old and new value), in one transaction; False, and
    nothing written, when the value is already the stored one."""
    with transaction(con):
        old = get_setting(con, key)
        if old == value:
            return False
        if value is None:
            registered(key)
            con.execute("DELETE FROM app_settings WHERE key = ?", [key])
        else:
            set_setting(con, key, value)
        write_audit(con, actor, "setting_change", key, json.dumps({"old": old, "new": value}), 1)
    return True


def set_setting(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    registered(key)
    con.execute(
        "INSERT INTO app_settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )
