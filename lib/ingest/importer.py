"""Import of scanner exports into the store (RULES "Import").

A file is read in chunks (``lib.ingest.readers``); each chunk is parsed and validated in SQL.
Good rows become events, bad rows go to the quarantine with their row number, reason and
raw content. One file is one transaction: it lands whole or not at all, and a file that
fits neither shape is refused before anything is written.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from lib.core import config
from lib.core.timeutil import fixed_offset_seconds
from lib.ingest import pairing, readers
from lib.ingest.rows import ImportSummary, cell_text_sql, person_id_sql, raw_row_sql, update_persons
from lib.store import db
from lib.store.spool import ParquetSpool

# RULES "Import": column names match case-insensitively, ignoring spaces, '-' and '_'.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "timestamp": ("timestamp", "waktu", "datetime", "time", "waktuscan", "tanggalwaktu", "scantime"),
    "person_id": ("personid", "idorang", "nip", "nik", "idpegawai", "idpengunjung", "noidentitas", "id"),
    "building": ("building", "gedung", "buildingid", "kantor"),
    "action": ("action", "aksi", "statusscan", "scanaction"),
    "name": ("name", "nama", "namalengkap"),
    "category": ("category", "kategori"),
    "phone": ("phone", "telepon", "nohp", "notelp", "notelepon", "hp", "telp", "nomorhp"),
    "gate": ("gate", "pintu"),
    "area": ("area", "ruang", "ruangan", "lokasi", "lantai", "room"),
    "status": ("status", "statuskesehatan", "healthstatus"),
    "checkin_at": ("checkinat", "jammasuk", "waktumasuk", "checkin"),
    "checkout_at": ("checkoutat", "jamkeluar", "waktukeluar", "checkout"),
    # The staff roster (README "Rooms"): the person's unit; their home room is ``area``.
    "unit": ("unit", "unitkerja", "bagian", "bidang"),
}
EVENT_COLUMNS = ("timestamp", "person_id", "building", "action")
VISIT_COLUMNS = ("person_id", "building", "checkin_at")
# A roster has an id and a unit or room, and none of the scan or visit columns.
SCAN_ONLY_COLUMNS = ("timestamp", "action", "checkin_at", "checkout_at", "gate", "status")
OPTIONAL_COLUMNS = ("name", "category", "phone", "gate", "area", "status")

CHECKIN_WORDS = ("checkin", "check-in", "check in", "in", "masuk")
CHECKOUT_WORDS = ("checkout", "check-out", "check out", "out", "keluar")
CATEGORY_WORDS = {"asn": "ASN", "thl": "THL"}  # anything else non-empty reads as visitor


class ImportRefused(Exception):
    def __init__(self, code: str, detail: str = "", missing: Sequence[str] = ()) -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail
        self.missing = list(missing)


def normalize_column_name(name: str) -> str:
    return re.sub(r"[\s\-_]+", "", name.strip().lstrip("\ufeff")).lower()


def map_columns(header: Sequence[str]) -> dict[str, int]:
    """Canonical column -> index in the header; the canonical name itself wins over aliases."""
    normalized = [normalize_column_name(h) for h in header]
    mapping: dict[str, int] = {}
    taken: set[int] = set()
    for canonical, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in normalized and normalized.index(alias) not in taken:
                mapping[canonical] = normalized.index(alias)
                taken.add(mapping[canonical])
                break
    return mapping


def detect_shape(mapping: dict[str, int]) -> tuple[str | None, list[str]]:
    """('events' | 'visits' | 'roster' | None, the missing columns of the shape the file looks like).

    A file with a check-in/check-out time column is taken to be a visits list; a file
    with a unit or room column and none of the scan or visit columns is a staff roster;
    any other file is judged as a scan-event log.
    """
    missing_events = [c for c in EVENT_COLUMNS if c not in mapping]
    missing_visits = [c for c in VISIT_COLUMNS if c not in mapping]
    if not missing_events:
        return "events", []
    if not missing_visits:
        return "visits", []
    looks_like_roster = ("unit" in mapping or "area" in mapping) and not any(c in mapping for c in SCAN_ONLY_COLUMNS)
    if looks_like_roster:
        return ("roster", []) if "person_id" in mapping else (None, ["person_id"])
    looks_like_visits = "checkin_at" in mapping or "checkout_at" in mapping
    return None, missing_visits if looks_like_visits else missing_events


def _sql_list(words: Sequence[str]) -> str:
    return ", ".join("'" + w.replace("'", "''") + "'" for w in words)


COMMON_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f",
    "%d/%m/%Y %H:%M:%S.%f",
)


def _local_to_utc_sql(naive: str) -> str:
    """A local wall-clock TIMESTAMP of the row's building as a UTC instant."""
    return (
        f"CASE WHEN zone_offset_s IS NOT NULL THEN CAST(({naive}) - to_seconds(zone_offset_s) AS TIMESTAMPTZ) "
        f"ELSE timezone(zone_name, {naive}) END"
    )


def _naive_sql(text: str) -> str:
    """The usual timestamp forms (no offset) as a naive TIMESTAMP, in one strptime; else NULL."""
    return f"try_strptime({text}, [" + ", ".join(f"'{f}'" for f in COMMON_FORMATS) + "])"


def _instant_sql(text: str, naive: str) -> str:
    """SQL turning timestamp text into a UTC instant (RULES "Time").

    ``naive`` is the column holding :func:`_naive_sql` of ``text`` (computed once per row).
    Text ending in an offset or Z is that instant; anything else is the local time of
    the row's building: ISO 8601 or day-first dd/mm/yyyy. The usual forms parse with one
    strptime (fast path); regular expressions only look at what is left. Fixed-offset
    zones subtract the offset instead of calling the slow per-row ICU conversion.
    """
    has_offset = rf"regexp_matches({text}, '\d{{1,2}}:\d{{2}}(:\d{{2}}(\.\d+)?)?\s*([zZ]|[+-]\d{{2}}(:?\d{{2}})?)$')"
    return (
        f"CASE WHEN {text} IS NULL THEN NULL "
        f"WHEN {naive} IS NOT NULL THEN {_local_to_utc_sql(naive)} "
        f"WHEN {has_offset} THEN try_cast({text} AS TIMESTAMPTZ) END"
    )


def _row_sql(header: Sequence[str], mapping: dict[str, int], shape: str, source: str) -> str:
    """SELECT over the chunk giving parsed values and a quarantine reason per row."""
    col = {name: cell_text_sql(mapping.get(name)) for name in COLUMN_ALIASES}
    action_text = f"lower({col['action']})"
    spaced = f"regexp_replace({action_text}, '\\s+', ' ', 'g')"
    action = (
        f"CASE WHEN {action_text} IN ({_sql_list(CHECKIN_WORDS)}) THEN 'checkin' "
        f"WHEN {action_text} IN ({_sql_list(CHECKOUT_WORDS)}) THEN 'checkout' "
        f"WHEN {spaced} IN ({_sql_list(CHECKIN_WORDS)}) THEN 'checkin' "
        f"WHEN {spaced} IN ({_sql_list(CHECKOUT_WORDS)}) THEN 'checkout' END"
    )
    category_text = f"lower({col['category']})"
    # RULES "Words": ASN and THL by name; any other non-empty value reads as visitor.
    category = (
        f"CASE WHEN {col['category']} IS NULL THEN NULL "
        f"WHEN {category_text} = 'asn' THEN 'ASN' WHEN {category_text} = 'thl' THEN 'THL' "
        "ELSE 'visitor' END"
    )
    if shape == "events":
        required = ["timestamp", "person_id", "building", "action"]
        ts_text, ts_out_text, action_value = col["timestamp"], "CAST(NULL AS VARCHAR)", action
        parse_checks = "WHEN ts IS NULL THEN 'bad_timestamp' WHEN action IS NULL THEN 'bad_action'"
    else:
        required = ["person_id", "building", "checkin_at"]
        ts_text, ts_out_text, action_value = col["checkin_at"], col["checkout_at"], "'checkin'"
        parse_checks = (
            "WHEN ts IS NULL THEN 'bad_timestamp' "
            "WHEN ts_out_text IS NOT NULL AND ts_out IS NULL THEN 'bad_checkout_timestamp' "
            "WHEN ts_out IS NOT NULL AND ts_out <= ts THEN 'checkout_not_after_checkin'"
        )
    missing_checks = " ".join(
        f"WHEN {col[name]} IS NULL THEN 'missing_value:{name}'" for name in required
    )
    default_offset = fixed_offset_seconds(db.DEFAULT_TIMEZONE)
    return f"""
        WITH base AS (
            SELECT chunk.*,
                   {person_id_sql(col['person_id'])} AS person_id,
                   {col['building']} AS building,
                   {action_value} AS action,
                   {col['name']} AS name, {category} AS category, {col['phone']} AS phone,
                   {col['gate']} AS gate, {col['area']} AS area, lower({col['status']}) AS status,
                   {ts_text} AS ts_text, {ts_out_text} AS ts_out_text,
                   CASE WHEN row_no < 0 THEN 'wrong_field_count' {missing_checks} END AS missing
            FROM {source} chunk
        ), zoned AS (
            -- A building not configured yet gets the default zone (RULES "Time").
            SELECT base.*, coalesce(z.timezone, '{db.DEFAULT_TIMEZONE}') AS zone_name,
                   CASE WHEN z.building_id IS NULL THEN {default_offset}
                        ELSE z.fixed_offset_s END AS zone_offset_s
            FROM base LEFT JOIN import_zones z ON z.building_id = base.building
        ), naive AS (
            SELECT *, {_naive_sql('ts_text')} AS ts_naive, {_naive_sql('ts_out_text')} AS ts_out_naive
            FROM zoned
        ), parsed AS (
            SELECT *, {_instant_sql('ts_text', 'ts_naive')} AS ts, {_instant_sql('ts_out_text', 'ts_out_naive')} AS ts_out
            FROM naive
        ), judged AS (
            SELECT *, CASE WHEN missing IS NOT NULL THEN missing {parse_checks} END AS reason
            FROM parsed
        )
        -- The raw row is only built for the rows that go to the quarantine.
        SELECT *, CASE WHEN reason IS NOT NULL THEN {raw_row_sql(header)} END AS raw
        FROM judged
    """


def _prepare_zones(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("SELECT building_id, timezone FROM buildings").fetchall()
    con.execute(
        "CREATE OR REPLACE TEMP TABLE import_zones "
        "(building_id TEXT, timezone TEXT, fixed_offset_s BIGINT)"
    )
    if rows:
        zones = pa.table(
            {
                "building_id": [b for b, _ in rows],
                "timezone": [tz for _, tz in rows],
                "fixed_offset_s": pa.array([fixed_offset_seconds(tz) for _, tz in rows], type=pa.int64()),
            }
        )
        con.register("import_zones_arrow", zones)
        con.execute("INSERT INTO import_zones SELECT * FROM import_zones_arrow")
        con.unregister("import_zones_arrow")


def _create_stage(con: duckdb.DuckDBPyConnection) -> None:
    """Empty staging tables; ``stage_events`` is a view of the good rows (events shape)."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE parsed_rows (
            row_no BIGINT, person_id TEXT, building TEXT, action TEXT, ts TIMESTAMPTZ, ts_out TIMESTAMPTZ,
            name TEXT, category TEXT, phone TEXT, gate TEXT, area TEXT, status TEXT, reason TEXT, raw TEXT);
        CREATE OR REPLACE TEMP TABLE stage_quarantine (row_no BIGINT, reason TEXT, raw TEXT);
        CREATE OR REPLACE TEMP TABLE stage_counts (good_rows BIGINT);
        """
    )
    _stage_events_view(con, "events")


_STAGED_ATTRIBUTES = "name, category, phone, gate, area, status"


def _stage_events_view(con: duckdb.DuckDBPyConnection, shape: str) -> None:
    """``stage_events``: the parsed good rows as events; a view, so 10 M rows are not copied."""
    events = f"SELECT row_no, person_id, building, action, ts, {_STAGED_ATTRIBUTES} FROM parsed_rows WHERE reason IS NULL"
    if shape == "visits":
        # RULES "Import", visits shape: a given checkout_at becomes a check-out event.
        events += (
            f" UNION ALL SELECT row_no, person_id, building, 'checkout', ts_out, {_STAGED_ATTRIBUTES} "
            "FROM parsed_rows WHERE reason IS NULL AND ts_out IS NOT NULL"
        )
    con.execute(f"CREATE OR REPLACE TEMP VIEW stage_events AS {events}")


def _parse_staged(con: duckdb.DuckDBPyConnection, row_sql: str, shape: str) -> None:
    """Parse and judge every staged row: good rows are ``stage_events``, the rest go to the quarantine."""
    con.execute(
        f"""INSERT INTO parsed_rows
            SELECT row_no, person_id, building, action, ts, ts_out, name, category, phone, gate, area, status,
                   reason, raw
            FROM ({row_sql})"""
    )
    con.execute(
        "INSERT INTO stage_quarantine SELECT abs(row_no), reason, raw FROM parsed_rows WHERE reason IS NOT NULL"
    )
    con.execute("INSERT INTO stage_counts SELECT count(*) FROM parsed_rows WHERE reason IS NULL")
    _stage_events_view(con, shape)


def _read_source(
    path: Path, progress: readers.ProgressCallback | None, encoding: str | None = None
) -> tuple[readers.TableSource, str, dict[str, int]]:
    """The first table in the file that fits a shape; refuses the file otherwise.

    ``encoding`` applies to CSV only; None sniffs it from the start of the file.
    """
    kind = readers.detect_format(path)
    if kind == "xlsx":
        first_missing: list[str] | None = None
        for source in readers.read_xlsx_sheets(path, progress):
            mapping = map_columns(source.header)
            shape, missing = detect_shape(mapping)
            if shape is not None:
                return source, shape, mapping
            if first_missing is None:
                first_missing = missing
        raise ImportRefused("missing_columns", missing=first_missing or list(EVENT_COLUMNS))
    if kind == "parquet":
        source = readers.read_parquet(path, progress)
    else:
        source = readers.read_csv(path, encoding or readers.sniff_encoding(path), progress)
    mapping = map_columns(source.header)
    shape, missing = detect_shape(mapping)
    if shape is None:
        raise ImportRefused("missing_columns", missing=missing)
    return source, shape, mapping


# DuckDB may use config.import_memory_limit() during the import of a file of at least
# BOUNDED_FROM_BYTES and spills the rest to disk, so a large export streams through in
# bounded memory (issue: 1 GB CSV well under 2 GB). A smaller file skips the cap: setting
# and restoring it costs ~15 ms, 3 % of importing one day's file into 10 M visits.
BOUNDED_FROM_BYTES = 32 * 2**20


@contextmanager
def _bounded_memory(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    previous = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('preserve_insertion_order')"
    ).fetchall()[0]
    con.execute(f"SET memory_limit = '{config.import_memory_limit()}'")
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = '{previous[0]}'")
        con.execute(f"SET preserve_insertion_order = {str(previous[1]).lower()}")


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    actor: str = "cli",
    display_name: str | None = None,
    progress: readers.ProgressCallback | None = None,
) -> ImportSummary:
    """Import one file in one transaction; returns its summary (also stored in ``imports``)."""
    file_path = Path(path)
    summary = ImportSummary(file_name=display_name or file_path.name)
    try:
        if file_path.stat().st_size >= BOUNDED_FROM_BYTES:
            with _bounded_memory(con):
                _import_with_fallbacks(con, file_path, summary, actor, progress)
        else:
            _import_with_fallbacks(con, file_path, summary, actor, progress)
    except duckdb.OutOfMemoryException:
        # Nothing was written (one transaction); some step could not spill within the
        # import's cap: run again with all the memory DuckDB is allowed.
        summary = ImportSummary(file_name=display_name or file_path.name)
        _import_with_fallbacks(con, file_path, summary, actor, progress)
    return summary


def _import_with_fallbacks(
    con: duckdb.DuckDBPyConnection,
    file_path: Path,
    summary: ImportSummary,
    actor: str,
    progress: readers.ProgressCallback | None,
) -> None:
    encodings: tuple[str | None, ...] = (None, "cp1252", "latin-1")
    for encoding in encodings:
        # None: the encoding sniffed from the file's start. A later part that is not UTF-8
        # after all: Windows-1252 (what Excel writes), then Latin-1 for any byte left.
        try:
            _import_in_transaction(con, file_path, summary, actor, progress, encoding=encoding)
            return
        except UnicodeDecodeError:
            continue
        except (ImportRefused, readers.UnreadableFile) as refusal:
            summary.status = "refused"
            summary.message_code = refusal.code
            summary.message = refusal.detail or None
            summary.missing_columns = getattr(refusal, "missing", [])
            _record_refusal(con, summary, actor)
            return


def _record_refusal(con: duckdb.DuckDBPyConnection, summary: ImportSummary, actor: str) -> None:
    message = summary.message_code or "refused"
    if summary.missing_columns:
        message += ": " + ", ".join(summary.missing_columns)
    with db.transaction(con):
        import_id = con.execute("SELECT nextval('import_ids')").fetchall()[0][0]
        summary.import_id = int(import_id)
        con.execute(
            "INSERT INTO imports (import_id, file_name, imported_at, imported_by, status, message) "
            "VALUES (?, ?, current_timestamp, ?, 'refused', ?)",
            [import_id, summary.file_name, actor, message],
        )
        db.write_audit(con, actor, "import_refused", summary.file_name, json.dumps({"reason": message}), 0)


def _import_in_transaction(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    summary: ImportSummary,
    actor: str,
    progress: readers.ProgressCallback | None,
    encoding: str | None = None,
) -> None:
    source, shape, mapping = _read_source(path, progress, encoding)
    summary.shape = shape
    with tempfile.TemporaryDirectory(prefix="pantau-import-") as folder:
        # Raw text rows spooled first, so that DuckDB parses them in one parallel,
        # streaming query (``_parse_staged``): a file of any size in bounded memory.
        spool = ParquetSpool(Path(folder) / "raw.parquet")
        for chunk in source.chunks:
            spool.add(chunk)
        staged = spool.close()
        with db.transaction(con):
            if shape == "roster":
                from lib.ingest import roster

                roster.import_roster(con, summary, actor, source.header, mapping, spool.sql() if staged else None)
                return
            _prepare_zones(con)
            _create_stage(con)
            if staged:
                _parse_staged(con, _row_sql(source.header, mapping, shape, spool.sql()), shape)
            _finish_import(con, summary, actor)


def _finish_import(con: duckdb.DuckDBPyConnection, summary: ImportSummary, actor: str, log_import: bool = True) -> None:
    """Inside the file's transaction: new events, persons, re-pairing and the summary.

    ``log_import`` False: no row in the import history and no audit record (a single
    tap on the check-in page is not an import).
    """
    import_id = int(con.execute("SELECT nextval('import_ids')").fetchall()[0][0])
    summary.import_id = import_id
    counts = con.execute(
        "SELECT (SELECT coalesce(sum(good_rows), 0) FROM stage_counts), (SELECT count(*) FROM stage_quarantine)"
    ).fetchall()[0]
    summary.quarantined = int(counts[1])
    summary.rows_read = int(counts[0]) + summary.quarantined
    staged_events = int(con.execute("SELECT count(*) FROM stage_events").fetchall()[0][0])

    buildings = [r[0] for r in con.execute("SELECT DISTINCT building FROM stage_events").fetchall()]
    summary.new_buildings = db.ensure_buildings(con, buildings)

    # RULES "Import": identity (person_id, building, action, ts), and for an area scan its
    # area too (ignoring case), so that an area scan never hides a door scan of the same
    # instant (area scans never change visits, README "Rooms"); the first row wins
    # within a file, and an event already stored is never written twice. Repeated rows
    # are rare, so only the rows whose identity hash occurs twice are compared in full
    # (a whole-file GROUP BY with every attribute is several times slower at 10 M rows).
    con.execute(
        """
        INSERT INTO events
        WITH repeated AS (
            SELECT hash(person_id, building, action, ts, lower(area)) AS key_hash
            FROM stage_events GROUP BY key_hash HAVING count(*) > 1
        ),
        first_rows AS (
            SELECT * FROM stage_events s ANTI JOIN repeated r
                ON hash(s.person_id, s.building, s.action, s.ts, lower(s.area)) = r.key_hash
            UNION ALL
            SELECT * FROM (
                SELECT s.* FROM stage_events s SEMI JOIN repeated r
                    ON hash(s.person_id, s.building, s.action, s.ts, lower(s.area)) = r.key_hash
            ) QUALIFY row_number() OVER (PARTITION BY person_id, building, action, ts, lower(area) ORDER BY row_no) = 1
        )
        SELECT f.person_id, f.building, f.action, f.ts, f.name, f.category, f.phone, f.gate, f.area, f.status, $import_id
        FROM first_rows f
        WHERE NOT EXISTS (
            SELECT 1 FROM events e
            WHERE e.person_id = f.person_id AND e.building = f.building
              AND e.action = f.action AND e.ts = f.ts AND lower(e.area) IS NOT DISTINCT FROM lower(f.area)
              AND e.ts >= (SELECT min(ts) FROM stage_events)
              AND e.ts <= (SELECT max(ts) FROM stage_events)
        )
        """,
        {"import_id": import_id},
    )
    # This import's events are the table's newest rows: zone maps on import_id find them.
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW new_events AS SELECT person_id, building, action, ts, {_STAGED_ATTRIBUTES} "
        f"FROM events WHERE import_id = {import_id}"
    )
    summary.events_new = int(con.execute("SELECT count(*) FROM new_events").fetchall()[0][0])
    # An area scan for a room not known yet creates the room (as a building is created).
    db.ensure_areas(con, "SELECT building, area FROM new_events")

    category_changed = update_persons(con)
    # Re-paired: persons with new door scans, from the first of them (area scans never
    # change a visit), and persons whose category changed (MAX_STAY), whole.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE affected AS
        SELECT person_id, n.from_ts, c.category
        FROM (SELECT person_id, min(ts) FILTER (WHERE area IS NULL) AS from_ts, bool_or(area IS NULL) AS has_door
              FROM new_events GROUP BY person_id) n
        JOIN person_categories c USING (person_id)
        WHERE n.has_door OR c.changed
        """
    )
    if category_changed:
        con.execute(
            "UPDATE affected SET from_ts = NULL WHERE person_id IN (SELECT person_id FROM person_categories WHERE changed)"
        )
    # Visits of the re-paired persons, their stored figures, and the area stays of everyone
    # whose area scans (from their first new one) or visits may have changed.
    outcome, stay_outcome = pairing.repair_and_refresh(
        con, "affected", import_id=import_id,
        stays_from="SELECT person_id, min(ts) AS from_ts FROM new_events WHERE area IS NOT NULL GROUP BY person_id",
    )
    summary.duplicates = staged_events - summary.events_new + outcome.duplicates + stay_outcome.duplicates
    summary.orphans = outcome.orphans + stay_outcome.orphans
    summary.new_visits = outcome.visits

    con.execute(
        """
        INSERT INTO quarantine (import_id, file_name, row_no, reason, raw)
        SELECT ?, ?, s.row_no, s.reason, s.raw FROM stage_quarantine s
        -- The same bad row of a file imported again is already on the quality page.
        WHERE NOT EXISTS (
            SELECT 1 FROM quarantine q
            WHERE q.file_name = ? AND q.row_no = s.row_no AND q.raw IS NOT DISTINCT FROM s.raw
        )
        ORDER BY s.row_no
        """,
        [import_id, summary.file_name, summary.file_name],
    )
    if not log_import:
        _drop_stage(con)
        return
    con.execute(
        """
        INSERT INTO imports (import_id, file_name, imported_at, imported_by, shape, status,
                             rows_read, events_new, duplicates, new_visits, orphans, quarantined)
        VALUES (?, ?, current_timestamp, ?, ?, 'ok', ?, ?, ?, ?, ?, ?)
        """,
        [
            import_id, summary.file_name, actor, summary.shape, summary.rows_read,
            summary.events_new, summary.duplicates, summary.new_visits, summary.orphans,
            summary.quarantined,
        ],
    )
    db.write_audit(
        con, actor, "import", summary.file_name,
        json.dumps({"shape": summary.shape, "quarantined": summary.quarantined,
                    **({"new_buildings": summary.new_buildings} if summary.new_buildings else {})}),
        summary.events_new,
    )
    _drop_stage(con)


def _drop_stage(con: duckdb.DuckDBPyConnection) -> None:
    for view in ("stage_events", "new_events"):
        con.execute(f"DROP VIEW IF EXISTS {view}")
    for table in ("parsed_rows", "stage_quarantine", "stage_counts", "affected", "person_updates", "person_categories"):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def record_events(
    con: duckdb.DuckDBPyConnection,
    events: Sequence[dict[str, object]],
    source: str,
    actor: str,
    log_import: bool = True,
) -> ImportSummary:
    """Store scan events made by the project itself (the self check-in page, the demo).

    Each dict has RULES event fields: ``timestamp`` (an aware datetime or text as in a
    file), ``person_id``, ``building``, ``action`` and optionally ``name``, ``category``,
    ``phone``, ``gate``, ``area``, ``status``. They go through the same parsing, dedup and
    pairing as an imported file, in one transaction.
    """
    header = ["timestamp", "person_id", "building", "action", *OPTIONAL_COLUMNS]
    mapping = {name: index for index, name in enumerate(header)}
    columns: dict[str, list[str | None]] = {f"c{i}": [] for i in range(len(header))}
    for event in events:
        for index, name in enumerate(header):
            value = event.get(name)
            if hasattr(value, "isoformat"):
                value = value.isoformat()  # type: ignore[union-attr]
            columns[f"c{index}"].append(None if value is None else str(value))
    chunk = pa.table(
        {**{k: pa.array(v, type=pa.string()) for k, v in columns.items()},
         "row_no": pa.array(range(1, len(events) + 1), type=pa.int64())}
    )
    summary = ImportSummary(file_name=source, shape="events")
    with db.transaction(con):
        _prepare_zones(con)
        _create_stage(con)
        con.register("recorded_rows", chunk)
        try:
            _parse_staged(con, _row_sql(header, mapping, "events", "recorded_rows"), "events")
        finally:
            con.unregister("recorded_rows")
        _finish_import(con, summary, actor, log_import=log_import)
    return summary
