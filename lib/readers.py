"""Streaming readers for the files offices export: CSV, XLSX and Parquet.

Each reader yields the header and then chunks of rows as Arrow tables of text columns
plus the row number a person would see (the spreadsheet row: header = row 1), so the
importer never holds a whole file in memory (SPEC "Import").
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

CHUNK_ROWS = 100_000
ProgressCallback = Callable[[float], None]

csv.field_size_limit(16 * 1024 * 1024)


class UnreadableFile(Exception):
    """The file cannot be read as a table at all; ``code`` names the reason for i18n."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass
class TableSource:
    """One table found in a file: its header and a generator of row chunks."""

    header: list[str]
    chunks: Iterator[pa.Table]
    sheet: str | None = None


def detect_format(path: Path) -> str:
    """'csv', 'xlsx' or 'parquet', from the first bytes first and the name second."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix == ".parquet":
        return "parquet"
    return "csv"


def _chunk_table(width: int, row_numbers: list[int], rows: list[list[str | None]]) -> pa.Table:
    columns = {f"c{i}": pa.array([row[i] for row in rows], type=pa.string()) for i in range(width)}
    columns["row_no"] = pa.array(row_numbers, type=pa.int64())
    return pa.table(columns)


def _cell_text(value: object) -> str | None:
    """A spreadsheet cell as text: integers keep their digits, date-times are ISO."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    text = str(value)
    return text


# --- CSV ---------------------------------------------------------------------------


def sniff_encoding(path: Path) -> str:
    """'utf-8-sig' when the start of the file is valid UTF-8, else Windows-1252."""
    with open(path, "rb") as handle:
        sample = handle.read(4 * 1024 * 1024)
    if b"\x00" in sample:
        raise UnreadableFile("binary")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of the header line: the most frequent of ',', ';' and tab."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_csv(path: Path, encoding: str, progress: ProgressCallback | None = None) -> TableSource:
    total = max(path.stat().st_size, 1)
    handle = open(path, newline="", encoding=encoding, errors="strict" if encoding.startswith("utf") else "replace")  # noqa: SIM115
    first_line = ""
    while True:
        line = handle.readline()
        if not line:
            break
        if line.strip():
            first_line = line
            break
    if not first_line:
        handle.close()
        raise UnreadableFile("empty")
    delimiter = sniff_delimiter(first_line)
    handle.seek(0)
    reader = csv.reader(handle, delimiter=delimiter)
    header: list[str] | None = None
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                header = [cell.strip().lstrip("\ufeff") for cell in row]
                break
    except csv.Error as error:
        handle.close()
        raise UnreadableFile("not_a_table", str(error)) from None
    if header is None:
        handle.close()
        raise UnreadableFile("empty")
    width = len(header)

    def chunks() -> Iterator[pa.Table]:
        row_numbers: list[int] = []
        rows: list[list[str | None]] = []
        previous_line = reader.line_num
        try:
            for row in reader:
                start_line = previous_line + 1
                previous_line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) > width and any(cell.strip() for cell in row[width:]):
                    # More fields than the header: kept whole for the quarantine.
                    row_numbers.append(-start_line)
                    rows.append([delimiter.join(row)] + [None] * (width - 1))
                else:
                    padded: list[str | None] = list(row[:width])
                    padded.extend([None] * (width - len(padded)))
                    row_numbers.append(start_line)
                    rows.append(padded)
                if len(rows) >= CHUNK_ROWS:
                    yield _chunk_table(width, row_numbers, rows)
                    row_numbers, rows = [], []
                    if progress is not None:
                        progress(min(handle.buffer.tell() / total, 1.0))
            if rows:
                yield _chunk_table(width, row_numbers, rows)
        except csv.Error as error:
            raise UnreadableFile("not_a_table", str(error)) from None
        finally:
            handle.close()
        if progress is not None:
            progress(1.0)

    return TableSource(header=header, chunks=chunks())


# --- XLSX --------------------------------------------------------------------------


def read_xlsx_sheets(path: Path, progress: ProgressCallback | None = None) -> Iterator[TableSource]:
    """Every sheet of a workbook as a table: header = first row with two or more cells."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        raise UnreadableFile("bad_xlsx", str(error).splitlines()[0] if str(error) else "") from None
    sheet_names = list(workbook.sheetnames)
    for sheet_index, sheet_name in enumerate(sheet_names):
        sheet = workbook[sheet_name]
        rows_iter = sheet.iter_rows(values_only=True)
        header: list[str] | None = None
        header_row = 0
        for row_number, values in enumerate(rows_iter, start=1):
            cells = [_cell_text(v) for v in values]
            if sum(1 for c in cells if c is not None and c.strip()) >= 2:
                header = [(c or "").strip() for c in cells]
                header_row = row_number
                break
            if row_number >= 50:
                break
        if header is None:
            continue
        width = len(header)

        def chunks(
            rows_iter: Iterator[tuple[object, ...]] = rows_iter,
            width: int = width,
            header_row: int = header_row,
            sheet_index: int = sheet_index,
        ) -> Iterator[pa.Table]:
            row_numbers: list[int] = []
            rows: list[list[str | None]] = []
            for row_number, values in enumerate(rows_iter, start=header_row + 1):
                cells = [_cell_text(v) for v in values[:width]]
                if not any(c is not None and c.strip() for c in cells):
                    continue
                cells.extend([None] * (width - len(cells)))
                row_numbers.append(row_number)
                rows.append(cells)
                if len(rows) >= CHUNK_ROWS:
                    yield _chunk_table(width, row_numbers, rows)
                    row_numbers, rows = [], []
            if rows:
                yield _chunk_table(width, row_numbers, rows)
            if progress is not None:
                progress((sheet_index + 1) / len(sheet_names))

        yield TableSource(header=header, chunks=chunks(), sheet=sheet_name)


# --- Parquet -----------------------------------------------------------------------


def _arrow_column_text(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A Parquet column as text; native date-times become ISO, with 'Z' when zoned."""
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_timestamp(kind):
        if kind.tz is not None:
            in_utc = pc.cast(column, pa.timestamp("us", tz="UTC"))
            return pc.strftime(in_utc, format="%Y-%m-%dT%H:%M:%S+00:00")
        return pc.strftime(pc.cast(column, pa.timestamp("us")), format="%Y-%m-%d %H:%M:%S")
    if pa.types.is_floating(kind):
        as_text = []
        for value in column.to_pylist():
            as_text.append(_cell_text(value))
        return pa.array(as_text, type=pa.string())
    if pa.types.is_dictionary(kind):
        column = pc.cast(column, kind.value_type)
    return pc.cast(column, pa.string())


def read_parquet(path: Path, progress: ProgressCallback | None = None) -> TableSource:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError, ...
        raise UnreadableFile("bad_parquet", str(error).splitlines()[0] if str(error) else "") from None
    header = [str(name) for name in parquet.schema_arrow.names]
    total_rows = max(parquet.metadata.num_rows, 1)

    def chunks() -> Iterator[pa.Table]:
        first_row = 2
        for batch in parquet.iter_batches(batch_size=CHUNK_ROWS):
            columns = {f"c{i}": _arrow_column_text(batch.column(i)) for i in range(len(header))}
            columns["row_no"] = pa.array(range(first_row, first_row + batch.num_rows), type=pa.int64())
            first_row += batch.num_rows
            yield pa.table(columns)
            if progress is not None:
                progress(min((first_row - 2) / total_rows, 1.0))

    return TableSource(header=header, chunks=chunks())
