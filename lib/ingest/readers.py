"""Streaming readers for the files offices export: CSV, XLSX and Parquet.

Each reader yields the header and then chunks of rows as Arrow tables of text columns
plus the row number a person would see (the spreadsheet row: header = row 1), so the
importer never holds a whole file in memory (RULES "Import").
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


def _first_record(path: Path, encoding: str) -> tuple[list[str], str, int]:
    """The header (first non-empty line), its delimiter and the physical lines it ends on."""
    with open(path, newline="", encoding=encoding, errors="replace") as handle:
        lines_before = 0
        for line in handle:
            lines_before += 1
            if line.strip():
                delimiter = sniff_delimiter(line)
                try:
                    header = next(csv.reader([line], delimiter=delimiter))
                except (csv.Error, StopIteration):
                    raise UnreadableFile("not_a_table", "header") from None
                return [cell.strip().lstrip("\ufeff") for cell in header], delimiter, lines_before
    raise UnreadableFile("empty")


def read_csv(path: Path, encoding: str, progress: ProgressCallback | None = None) -> TableSource:
    """Stream a CSV with Arrow's reader (text columns only).

    Row numbers count the file's non-empty records with the header as row 1, as a
    spreadsheet shows them. A record with another number of fields than the header
    comes through with a negative row number and its raw text in ``c0``, for the
    quarantine.
    """
    import numpy as np
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    header, delimiter, header_lines = _first_record(path, encoding)
    width = len(header)
    names = [f"c{i}" for i in range(width)]
    total = max(path.stat().st_size, 1)
    invalid: list[tuple[int, str]] = []

    def on_invalid_row(row: pa_csv.InvalidRow) -> str:
        invalid.append((int(row.number) if row.number is not None else -1, row.text))
        return "skip"

    source = open(path, "rb")  # noqa: SIM115 - closed when the chunks are done
    try:
        reader = pa_csv.open_csv(
            source,
            read_options=pa_csv.ReadOptions(
                column_names=names, skip_rows=header_lines, use_threads=False, block_size=2 << 20,
                encoding="utf8" if encoding.startswith("utf") else encoding,
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid_row
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as error:
        source.close()
        if "UTF8" in str(error):
            raise UnicodeDecodeError("utf-8", b"", 0, 1, str(error)) from None
        raise UnreadableFile("not_a_table", str(error).splitlines()[0]) from None

    def chunks() -> Iterator[pa.Table]:
        try:
            yield from batches()
        finally:
            source.close()

    def batches() -> Iterator[pa.Table]:
        next_number = 2  # the header is row 1
        consumed = 0  # bytes of the records read so far: cells plus separators
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as error:
                if "UTF8" in str(error):
                    raise UnicodeDecodeError("utf-8", b"", 0, 1, str(error)) from None
                raise UnreadableFile("not_a_table", str(error).splitlines()[0]) from None
            skipped = sorted(n for n, _ in invalid if n >= next_number)
            candidates = np.arange(next_number, next_number + batch.num_rows + len(skipped) + 1)
            numbers = candidates[~np.isin(candidates, skipped)][: batch.num_rows]
            if batch.num_rows:
                next_number = int(numbers[-1]) + 1
            table = pa.Table.from_batches([batch]).append_column("row_no", pa.array(numbers, type=pa.int64()))
            consumed += batch.num_rows * width + sum(
                int(pc.sum(pc.binary_length(batch.column(i))).as_py() or 0) for i in range(width)
            )
            # Records of empty cells only (",,,") are spreadsheet padding, not rows.
            blank = None
            for name in names:
                empty = pc.equal(pc.utf8_trim_whitespace(table.column(name)), "")
                blank = empty if blank is None else pc.and_(blank, empty)
                if not pc.any(blank).as_py():
                    break  # some cell of every row is filled: no padding in this batch
            else:
                if blank is not None:
                    table = table.filter(pc.invert(blank))
            if invalid:
                bad_rows = [(n, text) for n, text in invalid]
                invalid.clear()
                table = pa.concat_tables([table, _invalid_rows_table(width, bad_rows)])
            if table.num_rows:
                yield table
            if progress is not None:
                # Arrow reads ahead, so the file position says little; count what was parsed.
                progress(min(consumed / total, 0.99))
        if invalid:
            yield _invalid_rows_table(width, list(invalid))
            invalid.clear()
        if progress is not None:
            progress(1.0)

    return TableSource(header=header, chunks=chunks())


def _invalid_rows_table(width: int, rows: list[tuple[int, str]]) -> pa.Table:
    """Records with the wrong number of fields: negative row number, raw text in c0."""
    columns = {f"c{i}": pa.array([text if i == 0 else None for _, text in rows], type=pa.string()) for i in range(width)}
    columns["row_no"] = pa.array([-number for number, _ in rows], type=pa.int64())
    return pa.table(columns)


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
