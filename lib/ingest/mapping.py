"""The column-mapping step of the Import page (issue 22; RULES "Import").

A file whose headers Pantau does not recognise (a guest book typed by hand: ``Jam Datang``,
``Nomor WA``, ``Perlu``) is not refused out of hand: the user says which of its columns is
the date, the time in and out, the name, the NIK, the phone, the purpose, the host..., sees
what the first rows become, and only then imports. The mapping is remembered for the next
file with the same headers (``app_settings``, keyed by a hash of the header list).

The logic is here, the page (``pages/import_logs.py``) only shows it:
``read_table`` (header and first rows), ``suggested_mapping``, ``mapping_problems`` (a
mapping without a time or an identity is refused, and why), ``apply_mapping`` (the frame
with its columns renamed), ``preview`` (the first rows as the import would read them,
nothing written), ``remember_mapping`` / ``remembered_mapping``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import duckdb
import pandas as pd
import pyarrow as pa

from lib.core.timeutil import format_local_iso
from lib.ingest import importer, readers
from lib.store import db, spool

# What a column may be mapped to, in the order the page offers them; '' is "not used".
TARGETS = (
    "date", "checkin_at", "checkout_at", "timestamp", "action", "name", "nik", "person_id", "phone",
    "institution", "purpose", "host", "building", "gate", "area", "category", "status",
)
IGNORED = ""
SETTING_PREFIX = "import_mapping:"
PREVIEW_ROWS = 10
# The columns of ``preview``: what the import makes of a row, or why it would quarantine it.
PREVIEW_COLUMNS = ("row_no", "person_id", "building", "checkin_at", "checkout_at", "name", "purpose", "host", "reason")


@contextmanager
def private_copy(con: duckdb.DuckDBPyConnection, stream: BinaryIO, name: str) -> Iterator[Path]:
    """An uploaded file copied to the database's private spool folder (it holds names and
    phones: owner-only, removed on leaving, as ``lib.ui.data.import_upload`` does), keeping
    its suffix so its format is told as the import tells it."""
    with spool.private_folder(con, "mapping-") as folder:
        path = folder / ("upload" + Path(name).suffix.lower()[:10])
        with open(path, "wb") as handle:
            shutil.copyfileobj(stream, handle, length=1024 * 1024)
        yield path


def header_key(header: Sequence[str]) -> str:
    """A hash of the header list as names are matched (case, spaces, '-' and '_' ignored)."""
    normalized = [importer.normalize_column_name(str(h)) for h in header]
    return hashlib.sha256(json.dumps(normalized, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def read_table(path: Path, rows: int = PREVIEW_ROWS) -> tuple[list[str], pd.DataFrame]:
    """The header of the file's table (in a workbook, the sheet with the most columns Pantau
    recognises, the first of equals: a cover sheet is passed over) and its first ``rows``
    rows as text, columns named as in the file. Raises ``readers.UnreadableFile``."""
    kind = readers.detect_format(path)
    if kind == "xlsx":
        sheets = list(readers.read_xlsx_sheets(path))
        if not sheets:
            raise readers.UnreadableFile("empty")
        source = max(sheets, key=lambda s: len(importer.map_columns(importer._clean_header(s.header))))
    elif kind == "parquet":
        source = readers.read_parquet(path)
    else:
        source = _csv_source(path)
    header = importer._clean_header([str(h) for h in source.header])  # as the import matches them
    frame = pd.DataFrame(columns=header)
    if rows <= 0:
        return header, frame
    try:
        first: pa.Table | None = next(iter(source.chunks), None)
    except readers.NeedsCarefulReading:  # what the fast reader would get wrong: record by record
        first = next(iter(readers.read_csv_careful(path, readers.sniff_encoding(path)).chunks), None)
    if first is not None:
        head = first.slice(0, rows)
        frame = pd.DataFrame({name: head.column(f"c{i}").to_pylist() for i, name in enumerate(header)})
    return header, frame


def _csv_source(path: Path) -> readers.TableSource:
    """A CSV's table by the fast reader (its first chunk is one block, not 100,000 records
    parsed one by one), as the import reads it first."""
    encoding = readers.sniff_encoding(path)
    try:
        return readers.read_csv(path, encoding)
    except readers.NeedsCarefulReading:
        return readers.read_csv_careful(path, encoding)


def suggested_mapping(header: Sequence[str]) -> dict[str, str]:
    """Header -> target for the columns Pantau recognises by name (RULES "Import"), '' for the rest."""
    recognised = {index: canonical for canonical, index in importer.map_columns(header).items()}
    return {name: recognised.get(index, IGNORED) if recognised.get(index) in TARGETS else IGNORED
            for index, name in enumerate(header)}


def mapping_problems(mapping: Mapping[str, str], building_given: bool = False) -> list[str]:
    """Why a mapping cannot import, as text keys (``mapping.problem.<code>``); [] when it can.

    A file needs a time (the check-in time, or a scan time with its in/out column), an
    identity (person id, NIK or phone: RULES "Import") and a building (unless the import
    gives one); one column per target."""
    chosen = [target for target in mapping.values() if target]
    problems: list[str] = []
    if len(chosen) != len(set(chosen)):
        problems.append("twice")
    targets = set(chosen)
    if not targets & {"checkin_at", "timestamp"}:
        problems.append("no_time")
    elif "checkin_at" not in targets and "action" not in targets:
        problems.append("no_action")
    if not targets & {"person_id", "nik", "phone"}:
        problems.append("no_identity")
    if "building" not in targets and not building_given:
        problems.append("no_building")
    return problems


def apply_mapping(frame: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
    """``frame`` with its mapped columns renamed to their targets; unused columns dropped."""
    used = {name: target for name, target in mapping.items() if target and name in frame.columns}
    return frame[list(used)].rename(columns=used)


def preview(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    mapping: Mapping[str, str],
    building: str | None = None,
    rows: int = PREVIEW_ROWS,
) -> pd.DataFrame:
    """The first ``rows`` rows of the file as the import would read them with ``mapping``:
    ``PREVIEW_COLUMNS``, instants as local ISO text of the row's building, ``reason`` the
    quarantine reason code or ''. Nothing is written (temporary tables of this cursor only)."""
    header, frame = read_table(path, rows)
    renamed = apply_mapping(frame, mapping)
    columns = list(renamed.columns)
    index = {name: i for i, name in enumerate(columns)}
    table = pa.table(
        {
            **{f"c{i}": pa.array([None if v is None else str(v) for v in renamed[name]], type=pa.string())
               for i, name in enumerate(columns)},
            "row_no": pa.array(range(2, 2 + len(renamed)), type=pa.int64()),
            readers.PROBLEM_COLUMN: pa.nulls(len(renamed), type=pa.string()),
        }
    )
    shape, _ = importer.detect_shape(index, building_given=building is not None)
    if shape not in ("events", "visits") or not len(renamed):
        return pd.DataFrame(columns=list(PREVIEW_COLUMNS))
    building_id = importer.supplied_building(con, building) if building else None
    table = importer._clean_chunk(table, index)
    importer._prepare_zones(con)
    con.register("mapping_preview_rows", table)
    try:
        out = con.execute(
            f"""SELECT row_no, person_id, building, ts, ts_out, name, purpose, host, coalesce(reason, '') AS reason
                FROM ({importer._row_sql(columns, index, shape, 'mapping_preview_rows', building_id)})
                ORDER BY row_no"""
        ).df()
    finally:
        con.unregister("mapping_preview_rows")
    known = db.building_timezones(con)
    zones = out["building"].map(lambda b: known.get(str(b), db.DEFAULT_TIMEZONE))
    for column in ("ts", "ts_out"):
        out[column] = format_local_iso(pd.to_datetime(out[column], utc=True), zones).fillna("")
    out = out.rename(columns={"ts": "checkin_at", "ts_out": "checkout_at"})
    return out[list(PREVIEW_COLUMNS)].fillna("")


def remember_mapping(con: duckdb.DuckDBPyConnection, header: Sequence[str], mapping: Mapping[str, str]) -> None:
    """Keep the mapping for the next file with the same headers."""
    used = {name: target for name, target in mapping.items() if target in TARGETS}
    db.set_setting(con, SETTING_PREFIX + header_key(header), json.dumps(used, ensure_ascii=False))


def remembered_mapping(con: duckdb.DuckDBPyConnection, header: Sequence[str]) -> dict[str, str] | None:
    """The mapping last used for a file with these headers, or None."""
    stored = db.get_setting(con, SETTING_PREFIX + header_key(header))
    if not stored:
        return None
    try:
        loaded = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(loaded, dict):
        return None
    return {str(name): str(loaded.get(name) or IGNORED) for name in header if str(loaded.get(name) or "") in TARGETS + (IGNORED,)}


def header_to_map(path: Path, building_given: bool = False) -> list[str] | None:
    """The header the mapping step must ask about, or None when the import reads the file
    by its own headers (in a workbook: some sheet it recognises, as the import looks for
    one) or cannot read it at all (the import then says why)."""
    try:
        if readers.detect_format(path) == "xlsx":
            headers = [importer._clean_header(source.header) for source in readers.read_xlsx_sheets(path)]
        else:
            headers = [read_table(path, rows=0)[0]]
    except readers.UnreadableFile:
        return None
    if not headers or any(recognised(header, building_given) for header in headers):
        return None
    return max(headers, key=lambda header: len(importer.map_columns(header)))  # as read_table picks


def recognised(header: Sequence[str], building_given: bool = False) -> bool:
    """Whether the import reads the file by its own headers (no mapping step needed)."""
    shape, _ = importer.detect_shape(importer.map_columns(header), building_given=building_given)
    return shape is not None
