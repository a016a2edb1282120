"""Import of scanner exports into the store (RULES "Import").

A file is read in chunks (``lib.ingest.readers``); each chunk is parsed and validated in SQL.
Good rows become events, bad rows go to the quarantine with their row number, reason and
raw content. One file is one transaction: it lands whole or not at all, and a file that
fits neither shape is refused before anything is written.

Every cell is cleaned where it enters (``lib.core.text.clean_text``: no control
characters, bidi overrides or runs of spaces; RULES "Personal data"), so no name a file
brings can break an export or a terminal later. A row with a NUL byte or a cell over
``readers.MAX_CELL_CHARS`` is quarantined, not the file; so is a row dated more than a day
ahead (RULES "Import").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from lib.core import config
from lib.core.errors import PantauError
from lib.core.phone import international_phone_sql, nik_sql
from lib.core.text import clean_text
from lib.core.timeutil import fixed_offset_seconds
from lib.ingest import pairing, readers
from lib.ingest.rows import ImportSummary, cell_text_sql, person_id_sql, raw_row_sql, update_persons
from lib.store import db, places
from lib.store.relations import AreasNamed, PersonsToRepair, StayRestarts
from lib.store.spool import ParquetSpool, private_folder

# RULES "Import": column names match case-insensitively, ignoring spaces, '-' and '_'.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "timestamp": ("timestamp", "waktu", "datetime", "time", "waktuscan", "tanggalwaktu", "scantime"),
    "person_id": ("personid", "idorang", "nip", "idpegawai", "idpengunjung", "noidentitas", "id"),
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
    # The staff roster (docs/HOW_IT_WORKS.md "Rooms and the staff roster"): the person's unit; their home room is ``area``.
    "unit": ("unit", "unitkerja", "bagian", "bidang"),
    # The guest book (buku tamu, issue 22; RULES "Import"): a NIK is the identity when there is
    # no person_id (else the phone); the local date goes with time-of-day columns
    # (``jam_masuk``, ``jam_keluar``); purpose and host go on the visit, institution on the person.
    "nik": ("nik", "noktp", "nomorktp", "nomornik"),
    "date": ("date", "tanggal", "tgl", "tanggalkunjungan"),
    "purpose": ("purpose", "keperluan", "maksud", "maksudkunjungan", "tujuankunjungan"),
    "host": ("host", "tujuan", "bertemu", "bertemudengan", "yangditemui", "yangdikunjungi"),
    "institution": ("institution", "instansi", "asalinstansi", "organisasi"),
}
EVENT_COLUMNS = ("timestamp", "person_id", "building", "action")
VISIT_COLUMNS = ("person_id", "building", "checkin_at")
# A roster has an id and a unit or room, and none of the scan or visit columns.
SCAN_ONLY_COLUMNS = ("timestamp", "action", "checkin_at", "checkout_at", "gate", "status")
OPTIONAL_COLUMNS = ("name", "category", "phone", "gate", "area", "status", "purpose", "host", "institution")
# RULES "Import": a row's identity when the file has no person_id column: the NIK, else the phone.
IDENTITY_COLUMNS = ("person_id", "nik", "phone")

# RULES "Personal data": the longest text kept of each column once cleaned (longer is cut).
CELL_MAX_CHARS: dict[str, int] = {
    "timestamp": 100, "checkin_at": 100, "checkout_at": 100, "action": 50, "category": 50, "status": 50,
    "person_id": 200, "building": 200, "name": 200, "phone": 50, "gate": 200, "area": 200, "unit": 200,
    "nik": 50, "date": 100, "purpose": 200, "host": 200, "institution": 200,
}
# A column Pantau does not read is kept for the quarantine's raw row only.
OTHER_CELL_MAX_CHARS = 1000
BUILDING_NAME_MAX_CHARS = 120  # a building supplied for a whole file (--building)
# RULES "Import": a row dated later than this after the import's "now" is quarantined.
FUTURE_TOLERANCE = timedelta(days=1)

CHECKIN_WORDS = ("checkin", "check-in", "check in", "in", "masuk")
CHECKOUT_WORDS = ("checkout", "check-out", "check out", "out", "keluar")
CATEGORY_WORDS = {"asn": "ASN", "thl": "THL"}  # anything else non-empty reads as visitor


class ImportRefused(PantauError):
    """A file refused whole (texts ``refused.<code>``): nothing of it is written."""

    TEXT_PREFIX = "refused."

    def __init__(self, code: str, detail: str = "", missing: Sequence[str] = ()) -> None:
        super().__init__(code, columns=", ".join(missing), detail=detail)
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


def detect_shape(mapping: dict[str, int], building_given: bool = False) -> tuple[str | None, list[str]]:
    """('events' | 'visits' | 'roster' | None, the missing columns of the shape the file looks like).

    A file with a check-in/check-out time column is taken to be a visits list; a file
    with a unit or room column and none of the scan or visit columns is a staff roster;
    any other file is judged as a scan-event log. A NIK or phone column stands for
    ``person_id`` in a scan or visit file (RULES "Import": identity without person_id), and
    ``building_given`` (``ingest FILE --building B``) for ``building``.
    """
    present = set(mapping)
    if any(c in mapping for c in IDENTITY_COLUMNS):
        present.add("person_id")
    if building_given:
        present.add("building")
    missing_events = [c for c in EVENT_COLUMNS if c not in present]
    missing_visits = [c for c in VISIT_COLUMNS if c not in present]
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


def _future_limit() -> datetime:
    """The latest instant a row may carry: now plus a day (RULES "Import")."""
    return datetime.now(UTC) + FUTURE_TOLERANCE


# RULES "Import", guest book: a time of day as people write it: 08:15, 8.15, 08.15, 08:15:30;
# an XLSX time cell formatted with a date reads as Excel's day zero, 1899-12-30 08:15:00.
_TIME_OF_DAY = r"^(?:1899-12-3[01][ T])?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$"
# A local date, day first (07/12/2026, 7-12-2026, 07.12.2026, 07/12/26 for 2026), or ISO
# (2026-12-07, as an XLSX date cell reads, with a midnight time when the cell held a date-time).
_DAY_FIRST_DATE = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$"
_ISO_DATE = r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$"


def local_date_sql(text: str) -> str:
    """A date cell as ``YYYY-MM-DD`` text (NULL when it is no date; day first, or ISO)."""
    year = f"regexp_extract({text}, '{_DAY_FIRST_DATE}', 3)"
    day_first = (
        f"try_strptime(CASE WHEN length({year}) = 2 THEN '20' || {year} ELSE {year} END || '-' "
        f"|| regexp_extract({text}, '{_DAY_FIRST_DATE}', 2) || '-' || regexp_extract({text}, '{_DAY_FIRST_DATE}', 1), '%Y-%m-%d')"
    )
    iso = f"try_strptime(regexp_extract({text}, '{_ISO_DATE}', 1) || '-' || regexp_extract({text}, '{_ISO_DATE}', 2) || '-' || regexp_extract({text}, '{_ISO_DATE}', 3), '%Y-%m-%d')"
    return (
        f"strftime(CASE WHEN regexp_matches({text}, '{_DAY_FIRST_DATE}') THEN {day_first} "
        f"WHEN regexp_matches({text}, '{_ISO_DATE}') THEN {iso} END, '%Y-%m-%d')"
    )


def is_time_of_day_sql(text: str) -> str:
    return f"regexp_matches({text}, '{_TIME_OF_DAY}')"


def date_and_time_sql(date_text: str, time_text: str) -> str:
    """The guest book's ``tanggal`` + ``jam_masuk`` as one local timestamp text
    (``YYYY-MM-DD HH:MM:SS``). A time that is no time of day (24:10, 8:75) or a date that
    is no date gives text that does not parse (the row is quarantined as unreadable); a
    cell that already holds a whole timestamp is kept as it is."""
    def part(n: int) -> str:
        return f"regexp_extract({time_text}, '{_TIME_OF_DAY}', {n})"

    hours, minutes, seconds = (f"try_cast({part(n)} AS INTEGER)" for n in (1, 2, 3))
    valid = f"({hours} BETWEEN 0 AND 23 AND {minutes} BETWEEN 0 AND 59 AND coalesce({seconds}, 0) BETWEEN 0 AND 59)"
    clock = f"lpad({part(1)}, 2, '0') || ':' || {part(2)} || ':' || coalesce(nullif({part(3)}, ''), '00')"
    return (
        f"CASE WHEN {time_text} IS NULL THEN NULL "
        f"WHEN NOT {is_time_of_day_sql(time_text)} THEN {time_text} "
        f"WHEN {valid} AND {local_date_sql(date_text)} IS NOT NULL THEN {local_date_sql(date_text)} || ' ' || {clock} "
        f"ELSE {time_text} END"
    )


def _identity_sql(col: dict[str, str], mapping: dict[str, int]) -> str:
    """The row's person: its person_id; in a file without one (a guest book) the NIK when it
    is 16 digits, else the phone in its one international form (``lib.core.phone``)."""
    if "person_id" in mapping:
        return person_id_sql(col["person_id"])
    return f"coalesce({nik_sql(col['nik'])}, {international_phone_sql(col['phone'])})"


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _row_sql(
    header: Sequence[str], mapping: dict[str, int], shape: str, source: str, building: str | None = None
) -> str:
    """SELECT over the chunk giving parsed values and a quarantine reason per row.

    A reason the reader gave (``problem``: a NUL byte, a cell too large, an unclosed
    quote) comes first. A row whose instant is more than a day after now is 'future': the
    building's local now plus a day is the same instant in every zone, so instants are
    compared (RULES "Import"). ``building``: the building of rows whose file names none
    (``ingest FILE --building B``); a file naming buildings keeps its own.
    """
    future = f"TIMESTAMPTZ '{_future_limit().isoformat()}'"
    col = {name: cell_text_sql(mapping.get(name)) for name in COLUMN_ALIASES}
    if building is not None:
        col["building"] = f"coalesce({col['building']}, {_sql_text(building)})"
    # A guest book writes a dash for a check-out nobody noted: no check-out, not a bad one.
    col["checkout_at"] = f"nullif(regexp_replace({col['checkout_at']}, '^[-–—]+$', ''), '')"
    if "date" in mapping:
        for name in ("timestamp", "checkin_at", "checkout_at"):
            col[name] = date_and_time_sql(col["date"], col[name])
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
        parse_checks = (
            f"WHEN ts IS NULL THEN 'bad_timestamp' WHEN action IS NULL THEN 'bad_action' WHEN ts > {future} THEN 'future'"
        )
    else:
        required = ["person_id", "building", "checkin_at"]
        ts_text, ts_out_text, action_value = col["checkin_at"], col["checkout_at"], "'checkin'"
        parse_checks = (
            "WHEN ts IS NULL THEN 'bad_timestamp' "
            "WHEN ts_out_text IS NOT NULL AND ts_out IS NULL THEN 'bad_checkout_timestamp' "
            "WHEN ts_out IS NOT NULL AND ts_out <= ts THEN 'checkout_not_after_checkin' "
            f"WHEN ts > {future} OR ts_out > {future} THEN 'future'"
        )
    missing_checks = " ".join(
        f"WHEN {col[name]} IS NULL THEN 'missing_value:{name}'" for name in required if name != "person_id"
    )
    if "person_id" in mapping:
        missing_checks = f"WHEN {col['person_id']} IS NULL THEN 'missing_value:person_id' " + missing_checks
    else:  # RULES "Import": neither a NIK nor a phone that reads as one: no identity
        missing_checks = f"WHEN {_identity_sql(col, mapping)} IS NULL THEN 'no_identity' " + missing_checks
    if "date" in mapping:
        time_column = "timestamp" if shape == "events" else "checkin_at"
        raw_time = cell_text_sql(mapping.get(time_column))
        missing_checks += (
            f" WHEN {raw_time} IS NOT NULL AND {is_time_of_day_sql(raw_time)} AND {col['date']} IS NULL "
            "THEN 'missing_value:date'"
        )
    default_offset = fixed_offset_seconds(db.DEFAULT_TIMEZONE)
    return f"""
        WITH base AS (
            SELECT chunk.*,
                   {_identity_sql(col, mapping)} AS person_id,
                   {col['building']} AS building,
                   {action_value} AS action,
                   {col['name']} AS name, {category} AS category, {col['phone']} AS phone,
                   {col['gate']} AS gate, {col['area']} AS area, lower({col['status']}) AS status,
                   {col['purpose']} AS purpose, {col['host']} AS host, {col['institution']} AS institution,
                   {ts_text} AS ts_text, {ts_out_text} AS ts_out_text,
                   CASE WHEN problem IS NOT NULL THEN problem
                        WHEN row_no < 0 THEN 'wrong_field_count' {missing_checks} END AS missing
            FROM {source} chunk
        ), exact AS (
            SELECT base.*, e.building_id AS exact_id
            FROM base LEFT JOIN import_zones e ON e.building_id = base.building
        ), resolved AS (
            -- A building named by its display name, or its id in another case or spacing, is
            -- that building (issue 26): only a name matching none is a new building.
            SELECT exact.* EXCLUDE (exact_id) REPLACE (coalesce(exact_id, k.building_id, exact.building) AS building)
            FROM exact LEFT JOIN import_building_keys k
                ON k.name_key = CASE WHEN exact_id IS NULL THEN {BUILDING_KEY_SQL.format(text='exact.building')} END
        ), zoned AS (
            -- A building not configured yet gets the default zone (RULES "Time").
            SELECT resolved.*, coalesce(z.timezone, '{db.DEFAULT_TIMEZONE}') AS zone_name,
                   CASE WHEN z.building_id IS NULL THEN {default_offset}
                        ELSE z.fixed_offset_s END AS zone_offset_s
            FROM resolved LEFT JOIN import_zones z ON z.building_id = resolved.building
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


# ``places.building_key`` in SQL: case ignored, spaces trimmed, runs of spaces as one.
BUILDING_KEY_SQL = "lower(trim(regexp_replace({text}, '\\s+', ' ', 'g')))"


def _prepare_zones(con: duckdb.DuckDBPyConnection) -> None:
    """``import_zones``: every building's zone; ``import_building_keys``: the ids and display
    names a log may name a building by (``places.building_lookup``)."""
    lookup = places.building_lookup(con)
    con.execute("CREATE OR REPLACE TEMP TABLE import_building_keys (name_key TEXT, building_id TEXT)")
    if lookup:
        con.executemany("INSERT INTO import_building_keys VALUES (?, ?)", [[k, b] for k, b in lookup.items()])
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
            name TEXT, category TEXT, phone TEXT, gate TEXT, area TEXT, status TEXT,
            purpose TEXT, host TEXT, institution TEXT, reason TEXT, raw TEXT);
        CREATE OR REPLACE TEMP TABLE stage_quarantine (row_no BIGINT, reason TEXT, raw TEXT);
        CREATE OR REPLACE TEMP TABLE stage_counts (good_rows BIGINT);
        """
    )
    _stage_events_view(con, "events")


_STAGED_ATTRIBUTES = "name, category, phone, gate, area, status, purpose, host, institution"


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
                   purpose, host, institution, reason, raw
            FROM ({row_sql})"""
    )
    con.execute(
        "INSERT INTO stage_quarantine SELECT abs(row_no), reason, raw FROM parsed_rows WHERE reason IS NOT NULL"
    )
    con.execute("INSERT INTO stage_counts SELECT count(*) FROM parsed_rows WHERE reason IS NULL")
    _stage_events_view(con, shape)


def _plain_text(column: pa.ChunkedArray, limit: int) -> bool:
    """Whether no cell of ``column`` can need cleaning: printable ASCII only, no double
    space, none longer than ``limit``. A look at the raw bytes (a few ms per 100,000 rows);
    a false alarm only sends the column through the exact check."""
    import numpy as np

    if column.null_count == len(column):
        return True
    if (pc.max(pc.binary_length(column)).as_py() or 0) > limit:
        return False
    for piece in column.chunks:
        data = piece.buffers()[2]
        if data is None:
            continue
        raw = np.frombuffer(data, dtype=np.uint8)
        if ((raw < 0x20) | (raw > 0x7E)).any() or ((raw[:-1] == 0x20) & (raw[1:] == 0x20)).any():
            return False
    return True


def _clean_chunk(chunk: pa.Table, mapping: dict[str, int], line_breaks_need_care: bool = False) -> pa.Table:
    """A chunk's cells cleaned where they enter (RULES "Personal data"), its bad rows marked.

    Each cell goes through ``clean_text`` (controls, bidi overrides and runs of spaces
    removed, cut to ``CELL_MAX_CHARS`` of its column; leading and trailing spaces are left
    to the SQL's ``trim``). Most cells are plain ASCII with nothing to clean: a look at
    the bytes finds the columns that are not, and only their odd cells pass through
    Python. A row with a NUL byte gets the problem 'nul_byte', one with a cell over
    ``readers.MAX_CELL_CHARS`` 'cell_too_large' (the reader's own problem stays first).
    ``line_breaks_need_care``: a line break in a cell raises ``readers.NeedsCarefulReading``
    (the fast CSV reader cannot tell a two-line cell from an unclosed quote).
    """
    names = [name for name in chunk.column_names if name.startswith("c") and name[1:].isdigit()]
    canonical_of = {index: canonical for canonical, index in mapping.items()}
    problem = chunk.column(readers.PROBLEM_COLUMN)
    raw_line: list[bool] | None = None
    for name in names:
        column = chunk.column(name)
        limit = CELL_MAX_CHARS.get(canonical_of.get(int(name[1:]), ""), OTHER_CELL_MAX_CHARS)
        if _plain_text(column, limit):
            continue
        if line_breaks_need_care and pc.any(pc.match_substring_regex(column, "[\\r\\n]")).as_py():
            raise readers.NeedsCarefulReading("line break in a cell")
        for code, found in (
            ("nul_byte", pc.match_substring(column, "\x00")),
            ("cell_too_large", pc.greater(pc.utf8_length(column), readers.MAX_CELL_CHARS)),
        ):
            found = pc.fill_null(found, False)
            if pc.any(found).as_py():
                problem = pc.if_else(pc.and_(pc.is_null(problem), found), code, problem)
        needs = pc.fill_null(
            pc.or_(
                pc.match_substring_regex(column, "[^\\x20-\\x7e]|  "),
                pc.greater(pc.utf8_length(column), limit),
            ),
            False,
        )
        if not pc.any(needs).as_py():
            continue
        if raw_line is None:
            # A row whose c0 holds the whole raw line (wrong field count, a reader's problem) keeps more of it.
            raw_line = pc.fill_null(
                pc.or_(pc.less(chunk.column("row_no"), 0), pc.is_valid(problem)), False
            ).to_pylist()
        values = column.to_pylist()
        for index in pc.indices_nonzero(needs).to_pylist():
            values[index] = clean_text(values[index], OTHER_CELL_MAX_CHARS if raw_line[index] else limit)
        chunk = chunk.set_column(chunk.column_names.index(name), name, pa.array(values, type=pa.string()))
    return chunk.set_column(chunk.column_names.index(readers.PROBLEM_COLUMN), readers.PROBLEM_COLUMN, problem)


def _mapping_of(header: Sequence[str], renames: dict[str, str] | None) -> dict[str, int]:
    """Canonical column -> index: the header's own names, or the mapping step's choices
    (a header named there is read as the canonical column it was mapped to, nothing else)."""
    if not renames:
        mapping = map_columns(header)
        looks_like_roster = ("unit" in mapping or "area" in mapping) and not any(c in mapping for c in SCAN_ONLY_COLUMNS)
        if looks_like_roster and "nik" in mapping and "person_id" not in mapping:
            mapping["person_id"] = mapping.pop("nik")  # a roster keyed by NIK: its id as written
        return mapping
    wanted = {clean_text(k, OTHER_CELL_MAX_CHARS): v for k, v in renames.items() if v}
    mapping: dict[str, int] = {}
    for index, name in enumerate(header):
        canonical = wanted.get(name)
        if canonical in COLUMN_ALIASES and canonical not in mapping:
            mapping[canonical] = index
    return mapping


def _clean_header(header: Sequence[str]) -> list[str]:
    """Column names cleaned as cells are: a no-break space or a zero-width mark Excel left
    in ``Person\u00a0ID`` no longer hides the column, and no control reaches the quarantine."""
    return [clean_text(name, OTHER_CELL_MAX_CHARS) for name in header]


def _read_source(
    path: Path,
    progress: readers.ProgressCallback | None,
    encoding: str | None = None,
    careful: bool = False,
    building_given: bool = False,
    renames: dict[str, str] | None = None,
) -> tuple[readers.TableSource, str, dict[str, int]]:
    """The first table in the file that fits a shape; refuses the file otherwise.

    ``encoding`` applies to CSV only; None sniffs it from the start of the file.
    ``careful``: a CSV is read by ``readers.read_csv_careful`` (record by record).
    ``building_given``: the import supplies a building for rows without one.
    ``renames``: the column-mapping step's answer (file header -> canonical column), for a
    file whose headers Pantau does not recognise (``lib.ingest.mapping``).
    """
    kind = readers.detect_format(path)
    if kind == "xlsx":
        first_missing: list[str] | None = None
        for source in readers.read_xlsx_sheets(path, progress):
            source.header = _clean_header(source.header)
            mapping = _mapping_of(source.header, renames)
            shape, missing = detect_shape(mapping, building_given)
            if shape is not None:
                return source, shape, mapping
            if first_missing is None:
                first_missing = missing
        raise ImportRefused("missing_columns", missing=first_missing or list(EVENT_COLUMNS))
    if kind == "parquet":
        source = readers.read_parquet(path, progress)
    else:
        encoding = encoding or readers.sniff_encoding(path)
        try:
            source = (readers.read_csv_careful if careful else readers.read_csv)(path, encoding, progress)
        except readers.NeedsCarefulReading:  # Arrow cannot even start (a header beyond its block)
            source = readers.read_csv_careful(path, encoding, progress)
    source.header = _clean_header(source.header)
    mapping = _mapping_of(source.header, renames)
    shape, missing = detect_shape(mapping, building_given)
    if shape is None:
        raise ImportRefused("missing_columns", missing=missing)
    return source, shape, mapping


# DuckDB may use config.import_memory_limit() during the import of a file of at least
# BOUNDED_FROM_BYTES and spills the rest to disk, so a large export streams through in
# bounded memory (issue: 1 GB CSV well under 2 GB). A smaller file skips the cap: setting
# and restoring it costs ~15 ms, 3 % of importing one day's file into 10 M visits.
BOUNDED_FROM_BYTES = 32 * 2**20


@contextmanager
def _bounded_memory(con: duckdb.DuckDBPyConnection, limit: str | None = None) -> Iterator[None]:
    previous = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('preserve_insertion_order')"
    ).fetchall()[0]
    con.execute(f"SET memory_limit = '{limit or config.import_memory_limit()}'")
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = '{previous[0]}'")
        con.execute(f"SET preserve_insertion_order = {str(previous[1]).lower()}")


def supplied_building(con: duckdb.DuckDBPyConnection, building: str) -> str:
    """The building a whole file is imported into (``ingest FILE --building B``): the id of
    the building ``building`` names (its id or display name, case and spacing ignored,
    ``places.resolve_building``), else ``building`` itself as the id of a new building,
    created unconfirmed like any building a log names first (RULES "Import"): a typo
    shows on the Settings page to be confirmed, renamed or merged, never silently counted."""
    return places.resolve_building(con, building) or clean_text(building, BUILDING_NAME_MAX_CHARS)


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    actor: str = "cli",
    display_name: str | None = None,
    progress: readers.ProgressCallback | None = None,
    building: str | None = None,
    renames: dict[str, str] | None = None,
) -> ImportSummary:
    """Import one file in one transaction; returns its summary (also stored in ``imports``).

    ``building``: the building of rows that name none (a guest book is one building's
    book; RULES "Import"), by id or display name, or a new building (``supplied_building``). ``renames``: the column-mapping step's choices
    (``lib.ingest.mapping``)."""
    file_path = Path(path)
    building_id = supplied_building(con, building) if building else None
    summary = ImportSummary(file_name=display_name or file_path.name)
    options = {"building": building_id, "renames": renames}
    try:
        if file_path.stat().st_size >= BOUNDED_FROM_BYTES:
            with _bounded_memory(con):
                _import_with_fallbacks(con, file_path, summary, actor, progress, **options)
        else:
            _import_with_fallbacks(con, file_path, summary, actor, progress, **options)
    except duckdb.OutOfMemoryException:
        # Nothing was written (one transaction); some step could not spill within the
        # import's cap: the persons' primary-key index stays in memory while it grows (5.7 M
        # new persons from a 50 M-event file did not fit in 768 MB). Again with four times
        # the cap, and only then with all the memory DuckDB is allowed (80 % of the machine:
        # 19 GB for that file on 24 GB; issue 27).
        for cap in (config.import_retry_memory_limit(), None):
            summary = ImportSummary(file_name=display_name or file_path.name)
            try:
                with _bounded_memory(con, cap) if cap else nullcontext():
                    _import_with_fallbacks(con, file_path, summary, actor, progress, **options)
                break
            except duckdb.OutOfMemoryException:
                if cap is None:
                    raise
    return summary


def _import_with_fallbacks(
    con: duckdb.DuckDBPyConnection,
    file_path: Path,
    summary: ImportSummary,
    actor: str,
    progress: readers.ProgressCallback | None,
    building: str | None = None,
    renames: dict[str, str] | None = None,
) -> None:
    encodings: tuple[str | None, ...] = (None, "cp1252", "latin-1")
    for encoding in encodings:
        # None: the encoding sniffed from the file's start. A later part that is not UTF-8
        # after all: Windows-1252 (what Excel writes), then Latin-1 for any byte left.
        try:
            _import_in_transaction(con, file_path, summary, actor, progress, encoding, building, renames)
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
    building: str | None = None,
    renames: dict[str, str] | None = None,
) -> None:
    given = building is not None
    source, shape, mapping = _read_source(path, progress, encoding, building_given=given, renames=renames)
    summary.shape = shape
    # The spool holds names and phones: in the database's own private folder, 0600
    # (lib.store.spool), removed at the next start if this process is killed.
    with private_folder(con, "import-") as folder:
        # Raw text rows spooled first, so that DuckDB parses them in one parallel,
        # streaming query (``_parse_staged``): a file of any size in bounded memory.
        with ParquetSpool(folder / "raw.parquet", dictionaries=True) as spool:
            try:
                for chunk in source.chunks:
                    spool.add(_clean_chunk(chunk, mapping, line_breaks_need_care=source.fast_csv))
                careful = False
            except readers.NeedsCarefulReading:
                careful = True
        if careful:
            # The fast reader would merge or lose rows: the whole file again, record by record.
            source, shape, mapping = _read_source(path, progress, encoding, careful=True, building_given=given, renames=renames)
            with ParquetSpool(folder / "raw-careful.parquet", dictionaries=True) as spool:
                for chunk in source.chunks:
                    spool.add(_clean_chunk(chunk, mapping))
        staged = spool.close()  # closed already: whether anything was spooled
        with db.transaction(con):
            if shape == "roster":
                from lib.ingest import roster

                roster.import_roster(con, summary, actor, source.header, mapping, spool.sql() if staged else None)
                return
            _prepare_zones(con)
            _create_stage(con)
            if staged:
                _parse_staged(con, _row_sql(source.header, mapping, shape, spool.sql(), building), shape)
            _finish_import(con, summary, actor)


# An event's identity (RULES "Import") as one hash, over the staged rows aliased ``s``.
_EVENT_KEY_HASH = "hash(s.person_id, s.building, s.action, s.ts, lower(s.area))"
# The columns of ``events`` in order, from staged rows aliased ``{s}``.
_EVENT_VALUES = (
    "{s}.person_id, {s}.building, {s}.action, {s}.ts, {s}.name, {s}.category, {s}.phone, {s}.gate, {s}.area, "
    "{s}.status, $import_id, {s}.purpose, {s}.host, {s}.institution"
)


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
    # instant (area scans never change visits, docs/HOW_IT_WORKS.md "Rooms and the staff roster"); the first row wins
    # within a file, and an event already stored is never written twice. Repeated rows
    # are rare, so only the rows whose identity hash occurs twice are compared in full
    # (a whole-file GROUP BY with every attribute is several times slower at 10 M rows).
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE repeated_keys AS
        SELECT {_EVENT_KEY_HASH} AS key_hash FROM stage_events s GROUP BY key_hash HAVING count(*) > 1
        """
    )
    # No repeated row and no stored event in the file's time span (the usual file: a
    # day or a month not imported before): every row is new, written in one plain
    # INSERT. The full check costs twice the time at 10 M rows (issue 27).
    repeated, first_ts, last_ts, stored = con.execute(
        """
        SELECT EXISTS (FROM repeated_keys), first_ts, last_ts,
               EXISTS (FROM events WHERE ts >= first_ts AND ts <= last_ts)
        FROM (SELECT min(ts) AS first_ts, max(ts) AS last_ts FROM stage_events)
        """
    ).fetchall()[0]
    if not (repeated or stored):
        con.execute(f"INSERT INTO events SELECT {_EVENT_VALUES.format(s='s')} FROM stage_events s", {"import_id": import_id})
    else:
        con.execute(
            f"""
            INSERT INTO events
            -- Not materialized: 10 M staged rows would be copied (and spilled) once more.
            WITH first_rows AS NOT MATERIALIZED (
                SELECT * FROM stage_events s ANTI JOIN repeated_keys r ON {_EVENT_KEY_HASH} = r.key_hash
                UNION ALL
                SELECT * FROM (
                    SELECT s.* FROM stage_events s SEMI JOIN repeated_keys r ON {_EVENT_KEY_HASH} = r.key_hash
                ) QUALIFY row_number() OVER (PARTITION BY person_id, building, action, ts, lower(area) ORDER BY row_no) = 1
            )
            SELECT {_EVENT_VALUES.format(s='f')}
            FROM first_rows f
            WHERE NOT EXISTS (
                SELECT 1 FROM events e
                WHERE e.person_id = f.person_id AND e.building = f.building
                  AND e.action = f.action AND e.ts = f.ts AND lower(e.area) IS NOT DISTINCT FROM lower(f.area)
                  AND e.ts >= $first_ts AND e.ts <= $last_ts
            )
            """,
            {"import_id": import_id, "first_ts": first_ts, "last_ts": last_ts},
        )
    con.execute("DROP TABLE repeated_keys")
    # This import's events are the table's newest rows: zone maps on import_id find them.
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW new_events AS SELECT person_id, building, action, ts, {_STAGED_ATTRIBUTES} "
        f"FROM events WHERE import_id = {import_id}"
    )
    summary.events_new = int(con.execute("SELECT count(*) FROM new_events").fetchall()[0][0])
    # An area scan for a room not known yet creates the room (as a building is created).
    db.ensure_areas(con, AreasNamed("SELECT building, area FROM new_events"))

    category_changed = update_persons(con)
    # Re-paired: persons with new door scans, from the first of them (area scans never
    # change a visit), and persons whose category changed (MAX_STAY), whole.
    affected = PersonsToRepair.create(
        con,
        """
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
        con, affected, import_id=import_id,
        stays_from=StayRestarts(
            "SELECT person_id, min(ts) AS from_ts FROM new_events WHERE area IS NOT NULL GROUP BY person_id"
        ),
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
    ``phone``, ``gate``, ``area``, ``status``, ``purpose``, ``host``, ``institution`` (issue
    22: the front desk's fields). They go through the same parsing, dedup and
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
         "row_no": pa.array(range(1, len(events) + 1), type=pa.int64()),
         readers.PROBLEM_COLUMN: pa.nulls(len(events), type=pa.string())}
    )
    chunk = _clean_chunk(chunk, mapping)
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
