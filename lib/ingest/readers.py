"""Streaming readers for the files offices export: CSV, XLSX and Parquet.

Each reader yields the header and then chunks of rows as Arrow tables of text columns
plus the row number a person would see (the spreadsheet row: header = row 1), so the
importer never holds a whole file in memory (RULES "Import").

Nothing a file claims about itself is trusted: an XLSX's declared dimension, a zip part's
size, a CSV's quoting. Each reader works within the limits below whatever the file says,
and a file beyond them is refused with a reason (``UnreadableFile.code``) rather than
read for minutes into gigabytes.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import math
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

import pyarrow as pa

from lib.core.errors import PantauError

CHUNK_ROWS = 100_000
ProgressCallback = Callable[[float], None]

# A cell longer than this is no name, id or time: its row is quarantined ('cell_too_large',
# lib.ingest.importer), the rest of the file imports.
MAX_CELL_CHARS = 4 * 2**20
# Columns read from a table; cells to the right of them are ignored (an XLSX may "use"
# all 16,384 of Excel's columns through one formatted cell).
MAX_COLUMNS = 256
# Excel's own limits: a sheet with more rows, or a row with more cells, was not written by a
# spreadsheet; refused.
MAX_SHEET_ROWS = 1_048_576
MAX_ROW_CELLS = 16_384
# XLSX cells parsed in all (empty formatted cells included): 600,000 rows of eight columns.
# Parsing a cell costs openpyxl 2-4 µs, so this bounds an XLSX's reading time (< 20 s).
MAX_XLSX_CELLS = 5_000_000
# The shared strings, which openpyxl reads whole: their size uncompressed, and how many
# (each a Python string: 2 million are about 200 MB; a log of 600,000 rows has far fewer).
MAX_XLSX_PART_BYTES = 256 * 2**20
MAX_SHARED_STRINGS = 2_000_000
# Every other part openpyxl reads whole (styles, the workbook, themes): a real one is a few
# hundred KB; 14 million styles in 252 MB took 8.6 GB to parse.
MAX_XLSX_OTHER_PART_BYTES = 16 * 2**20
# A Parquet row group is decoded whole: pyarrow's own writers make at most 1,048,576 rows
# a group. More rows in all than an XLSX may hold per sheet times 20 is no office's export.
MAX_PARQUET_GROUP_ROWS = 1_048_576
MAX_PARQUET_ROWS = 20 * 1_048_576
# The text of one column of one chunk (CHUNK_ROWS rows) written out in full.
MAX_PARQUET_BATCH_TEXT_BYTES = 256 * 2**20
# A CSV record spanning more physical lines than this is an unclosed quote, not a cell.
MAX_RECORD_LINES = 200
# Column of a chunk where a reader names what is wrong with a row (NULL: nothing).
PROBLEM_COLUMN = "problem"

csv.field_size_limit(MAX_CELL_CHARS + 1024)


class UnreadableFile(PantauError):
    """The file cannot be read as a table at all (texts ``refused.<code>``)."""

    TEXT_PREFIX = "refused."

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code, detail=detail, limit=detail)
        self.detail = detail


class NeedsCarefulReading(Exception):
    """The fast CSV reader met something it would get wrong (a cell larger than its block,
    a line break inside a cell, a parse error): read the file again with ``read_csv_careful``."""


@dataclass
class TableSource:
    """One table found in a file: its header and a generator of row chunks."""

    header: list[str]
    chunks: Iterator[pa.Table]
    sheet: str | None = None
    # Read by ``read_csv`` (Arrow): a line break inside a cell may be a quoted two-line cell
    # or an unclosed quote that swallowed the rows below it, which only ``read_csv_careful``
    # tells apart; the importer reads such a file again with it.
    fast_csv: bool = False


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


def _chunk_table(
    width: int, row_numbers: list[int], rows: list[list[str | None]], problems: list[str | None] | None = None
) -> pa.Table:
    columns = {f"c{i}": pa.array([row[i] for row in rows], type=pa.string()) for i in range(width)}
    columns["row_no"] = pa.array(row_numbers, type=pa.int64())
    columns[PROBLEM_COLUMN] = pa.array(problems or [None] * len(rows), type=pa.string())
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


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the start reads as UTF-16 text with no byte-order mark.

    Latin text in UTF-16 has a zero byte in every other place; a binary file has zeros
    scattered everywhere.
    """
    head = sample[: 4096 - (min(len(sample), 4096) % 2)]
    pairs = len(head) // 2
    if pairs < 4:
        return None
    even_zeros = head[0::2].count(0)
    odd_zeros = head[1::2].count(0)
    if odd_zeros >= 0.4 * pairs and even_zeros <= 0.02 * pairs:
        return "utf-16-le"
    if even_zeros >= 0.4 * pairs and odd_zeros <= 0.02 * pairs:
        return "utf-16-be"
    return None


# Files people pick by mistake: images, PDFs, archives, an old binary .xls (OLE2), programs.
BINARY_SIGNATURES = (
    b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"\x7fELF",
    b"\xd0\xcf\x11\xe0",
)


def sniff_encoding(path: Path) -> str:
    """The encoding of a text file, from its start (RULES "Import").

    A byte-order mark decides (UTF-8, UTF-16 LE/BE: Excel's "Unicode text" is UTF-16 LE
    with a mark); UTF-16 without a mark is told by its zero bytes; else 'utf-8-sig' when
    the start is valid UTF-8, Windows-1252 otherwise. A few zero bytes in a text file are
    bad cells (their rows are quarantined); a file with many is binary and refused.
    """
    with open(path, "rb") as handle:
        sample = handle.read(4 * 1024 * 1024)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise UnreadableFile("binary")
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    bomless = _utf16_without_bom(sample)
    if bomless is not None:
        return bomless
    first_line = sample.split(b"\n", 1)[0]
    if (
        sample.startswith(BINARY_SIGNATURES)
        or b"\x00" in first_line
        or sample.count(b"\x00") > max(16, len(sample) // 100)
    ):
        raise UnreadableFile("binary")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _is_utf8(encoding: str) -> bool:
    return encoding.replace("_", "-").lower().startswith("utf-8")


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of the header line: the most frequent of ',', ';' and tab."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _first_record(path: Path, encoding: str) -> tuple[list[str], str, int]:
    """The header (first non-empty line), its delimiter and the physical lines it ends on."""
    with open(path, newline="", encoding=encoding, errors="replace") as handle:
        lines_before = 0
        while True:
            line = handle.readline(MAX_CELL_CHARS)
            if not line:
                break
            lines_before += 1
            if len(line) >= MAX_CELL_CHARS and not line.endswith(("\n", "\r")):
                raise UnreadableFile("not_a_table", "header")
            if line.strip():
                delimiter = sniff_delimiter(line)
                try:
                    header = next(csv.reader([line], delimiter=delimiter))
                except (csv.Error, StopIteration):
                    raise UnreadableFile("not_a_table", "header") from None
                if len(header) > MAX_COLUMNS * 16:
                    raise UnreadableFile("too_many_columns", str(MAX_COLUMNS))
                return [cell.strip().lstrip("\ufeff") for cell in header], delimiter, lines_before
    raise UnreadableFile("empty")


def read_csv(path: Path, encoding: str, progress: ProgressCallback | None = None) -> TableSource:
    """Stream a CSV with Arrow's reader (text columns only): the fast path.

    Row numbers count the file's non-empty records with the header as row 1, as a
    spreadsheet shows them. A record with another number of fields than the header
    comes through with a negative row number and its raw text in ``c0``, for the
    quarantine. Whatever Arrow would get wrong or cannot read (a line break inside a
    cell: perhaps an unclosed quote that swallowed the rows below it; a cell larger than
    Arrow's block; a parse error) raises ``NeedsCarefulReading`` while the chunks are
    read: the importer then reads the file again with ``read_csv_careful``.
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
                encoding="utf8" if _is_utf8(encoding) else encoding,
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
        raise NeedsCarefulReading(str(error).splitlines()[0]) from None

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
                raise NeedsCarefulReading(str(error).splitlines()[0]) from None
            skipped = sorted(n for n, _ in invalid if n >= next_number)
            candidates = np.arange(next_number, next_number + batch.num_rows + len(skipped) + 1)
            numbers = candidates[~np.isin(candidates, skipped)][: batch.num_rows]
            if batch.num_rows:
                next_number = int(numbers[-1]) + 1
            table = pa.Table.from_batches([batch]).append_column("row_no", pa.array(numbers, type=pa.int64()))
            table = table.append_column(PROBLEM_COLUMN, pa.nulls(table.num_rows, type=pa.string()))
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

    return TableSource(header=header, chunks=chunks(), fast_csv=True)


def _invalid_rows_table(width: int, rows: list[tuple[int, str]]) -> pa.Table:
    """Records with the wrong number of fields: negative row number, raw text in c0."""
    columns = {f"c{i}": pa.array([text if i == 0 else None for _, text in rows], type=pa.string()) for i in range(width)}
    columns["row_no"] = pa.array([-number for number, _ in rows], type=pa.int64())
    columns[PROBLEM_COLUMN] = pa.nulls(len(rows), type=pa.string())
    return pa.table(columns)


class _BoundedLines:
    """The physical lines of a text file, none longer than MAX_CELL_CHARS, with push-back.

    A longer line is cut: its start is handed on (without quotes, so that it cannot open a
    quoted cell) and the rest skipped, and ``oversize`` remembers it. ``taken`` lists the
    lines handed out since the last ``take()``: the lines of one CSV record.
    """

    def __init__(self, handle: TextIO) -> None:
        self.handle = handle
        self.pushed: list[tuple[str, bool, int]] = []
        self.taken: list[tuple[str, bool, int]] = []
        self.line_no = 0  # physical lines read from the file

    def __iter__(self) -> _BoundedLines:
        return self

    def __next__(self) -> str:
        if self.pushed:
            entry = self.pushed.pop()
        else:
            line = self.handle.readline(MAX_CELL_CHARS)
            if not line:
                raise StopIteration
            self.line_no += 1
            oversize = len(line) >= MAX_CELL_CHARS and not line.endswith(("\n", "\r"))
            if oversize:
                while True:  # skip the rest of the line, a piece at a time
                    rest = self.handle.readline(MAX_CELL_CHARS)
                    if not rest or rest.endswith(("\n", "\r")):
                        break
                line = line[:1000].replace('"', "") + "\n"
            entry = (line, oversize, self.line_no)
        self.taken.append(entry)
        return entry[0]

    def take(self) -> list[tuple[str, bool, int]]:
        taken, self.taken = self.taken, []
        return taken

    def push_back(self, entries: list[tuple[str, bool, int]]) -> None:
        self.pushed.extend(reversed(entries))


def read_csv_careful(path: Path, encoding: str, progress: ProgressCallback | None = None) -> TableSource:
    """Read a CSV record by record in Python: slower than ``read_csv``, but every defect of
    a record stays in that record's row (RULES "Import").

    - A line longer than MAX_CELL_CHARS: its row is marked 'cell_too_large', cut short.
    - A quote that never closes: the reader would swallow the rows below it into one cell.
      When a line inside such a record reads as a whole record by itself, the quote is
      judged unclosed: the line that opened it becomes a row marked 'unclosed_quote', and
      the lines after it are read again as rows of their own. So are records spanning
      more than MAX_RECORD_LINES lines. A quoted cell with a line break that swallowed no
      record (an address on two lines) stays one cell.
    Row numbers count records as ``read_csv`` does (header = row 1).
    """
    header, delimiter, header_lines = _first_record(path, encoding)
    width = len(header)
    total = max(path.stat().st_size, 1)

    def whole_record(text: str) -> bool:
        try:
            fields = next(csv.reader([text], delimiter=delimiter, strict=True))
        except (csv.Error, StopIteration):
            return False
        return width > 1 and len(fields) == width

    def chunks() -> Iterator[pa.Table]:
        with open(path, newline="", encoding=encoding) as handle:
            lines = _BoundedLines(handle)
            for _ in range(header_lines):
                next(lines, None)
            lines.take()
            reader = csv.reader(lines, delimiter=delimiter)
            record_no = 1
            row_numbers: list[int] = []
            rows: list[list[str | None]] = []
            problems: list[str | None] = []

            def add(cells: list[str | None], problem: str | None, number: int) -> None:
                row_numbers.append(number)
                rows.append(cells)
                problems.append(problem)

            while True:
                try:
                    fields: list[str] | None = next(reader)
                    error = False
                except StopIteration:
                    break
                except csv.Error:
                    fields, error = None, True
                taken = lines.take()
                if not taken:
                    break
                if len(taken) > 1 and (
                    error or len(taken) > MAX_RECORD_LINES or any(whole_record(t) for t, _, _ in taken[1:])
                ):
                    # An unclosed quote on the first line: that line alone is the bad row.
                    first, oversize, line_no = taken[0]
                    lines.push_back(taken[1:])
                    reader = csv.reader(lines, delimiter=delimiter)  # its state held the open quote
                    record_no += 1
                    text = first.rstrip("\r\n")
                    add([text] + [None] * (width - 1), "cell_too_large" if oversize else "unclosed_quote", record_no)
                    continue
                if not fields:  # an empty line is no record; a csv.Error: a cell over the field limit
                    if error:
                        record_no += 1
                        text = "".join(t for t, _, _ in taken).rstrip("\r\n")[:1000]
                        add([text] + [None] * (width - 1), "cell_too_large", record_no)
                    continue
                record_no += 1
                oversize = any(o for _, o, _ in taken)
                if all(not f.strip() for f in fields):
                    continue  # a record of empty cells: spreadsheet padding
                if len(fields) != width:
                    text = "".join(t for t, _, _ in taken).rstrip("\r\n")
                    add([text] + [None] * (width - 1), "cell_too_large" if oversize else None, -record_no)
                else:
                    add(list(fields), "cell_too_large" if oversize else None, record_no)
                if len(rows) >= CHUNK_ROWS:
                    yield _chunk_table(width, row_numbers, rows, problems)
                    row_numbers, rows, problems = [], [], []
                    if progress is not None:
                        progress(min(handle.buffer.tell() / total, 0.99))
            if rows:
                yield _chunk_table(width, row_numbers, rows, problems)
        if progress is not None:
            progress(1.0)

    return TableSource(header=header, chunks=chunks())


# --- XLSX --------------------------------------------------------------------------


class _XlsxBudget:
    """Counts the cells (``<c`` elements) of the sheet XML openpyxl parses, as it reads it.

    An XLSX is a zip: a 2.5 MB file can hold a gigabyte of XML, and openpyxl parses every
    formatted empty cell. Counting the raw bytes as they stream bounds the work however
    the file describes itself: over MAX_XLSX_CELLS cells, or a row of more than
    MAX_ROW_CELLS, the file is refused.
    """

    # A row or cell start tag as an XML parser reads it: any namespace prefix ("<x:c"), any
    # white space after the name ("<c\n"), or none ("<c>", "<c/>").
    TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c)[\s/>]")
    TAIL = 64  # a tag may be cut between two reads: its start is looked at again with the next

    def __init__(self) -> None:
        self.cells = 0
        self.row_cells = 0
        self.tail = b""

    def count(self, data: bytes) -> None:
        text = self.tail + data
        cut = max(len(text) - self.TAIL, 0) if data else len(text)
        for match in self.TAG.finditer(text):
            if match.start() >= cut:
                break  # counted with the next read, which starts with these bytes
            if match.group(1) == b"row":
                self.row_cells = 0
                continue
            self.row_cells += 1
            self.cells += 1
            if self.row_cells > MAX_ROW_CELLS:
                raise UnreadableFile("xlsx_too_large", f"> {MAX_ROW_CELLS} cells in a row")
        self.tail = text[cut:]
        if self.cells > MAX_XLSX_CELLS:
            raise UnreadableFile("xlsx_too_large", f"> {MAX_XLSX_CELLS:,} cells")


class _CountedSource:
    """A sheet's XML stream that reports every block read to an ``_XlsxBudget``."""

    def __init__(self, source: BinaryIO, budget: _XlsxBudget) -> None:
        self.source = source
        self.budget = budget

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.budget.count(data)
        return data

    def close(self) -> None:
        self.source.close()

    def __enter__(self) -> _CountedSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?si[\s/>]")


def _check_xlsx_parts(path: Path) -> None:
    """Refuse a workbook whose parts openpyxl reads whole are beyond what it can hold: the
    shared strings over MAX_XLSX_PART_BYTES uncompressed or MAX_SHARED_STRINGS strings
    (counted as they stream), any other part over MAX_XLSX_OTHER_PART_BYTES. Python's zip
    reader stops at the size a part declares, so the declared size is a true bound."""

    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = info.filename.lower()
                if "/worksheets/" in name:
                    continue  # streamed, bounded by _XlsxBudget
                shared = name.endswith("sharedstrings.xml")
                limit = MAX_XLSX_PART_BYTES if shared else MAX_XLSX_OTHER_PART_BYTES
                if info.file_size > limit:
                    raise UnreadableFile("xlsx_too_large", f"{info.filename}: {info.file_size / 2**20:,.1f} MB")
                if shared:
                    _count_shared_strings(archive, info)
    except zipfile.BadZipFile as error:
        raise UnreadableFile("bad_xlsx", str(error)) from None


def _count_shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    count, tail = 0, b""
    with archive.open(info) as part:
        while block := part.read(2**20):
            text = tail + block
            cut = max(len(text) - 16, 0)
            count += sum(1 for m in _SHARED_STRING.finditer(text) if m.start() < cut)
            tail = text[cut:]
            if count > MAX_SHARED_STRINGS:
                raise UnreadableFile("xlsx_too_large", f"> {MAX_SHARED_STRINGS:,} texts")


def read_xlsx_sheets(path: Path, progress: ProgressCallback | None = None) -> Iterator[TableSource]:
    """Every sheet of a workbook as a table: header = first row with two or more cells.

    The sheet's declared dimension is ignored (a file may claim ``A1:XFD1048576`` for
    three rows, or a smaller range than it holds): rows are read as they come, the first
    MAX_COLUMNS columns only, empty rows skipped, trailing empty header cells dropped. A
    sheet with more than MAX_SHEET_ROWS rows or more cells than ``_XlsxBudget`` allows is
    refused (``UnreadableFile('xlsx_too_large')``).
    """
    import openpyxl

    _check_xlsx_parts(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except UnreadableFile:
        raise
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        raise UnreadableFile("bad_xlsx", str(error).splitlines()[0] if str(error) else "") from None
    budget = _XlsxBudget()
    sheet_names = list(workbook.sheetnames)
    for sheet_index, sheet_name in enumerate(sheet_names):
        sheet = workbook[sheet_name]
        if not hasattr(sheet, "reset_dimensions"):
            continue  # a chart sheet
        sheet.reset_dimensions()  # the declared dimension is not trusted (neither way)
        # openpyxl 3.1's read-only sheet opens its XML here; counting what it reads is
        # what bounds the parse (requirements.txt pins openpyxl).
        original_source = sheet._get_source
        sheet._get_source = lambda original_source=original_source: _CountedSource(original_source(), budget)
        rows_iter = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        header: list[str] | None = None
        header_row = 0
        try:
            for row_number, values in enumerate(rows_iter, start=1):
                cells = [_cell_text(v) for v in values]
                if sum(1 for c in cells if c is not None and c.strip()) >= 2:
                    while cells and (cells[-1] is None or not cells[-1].strip()):
                        cells.pop()  # formatted but empty cells right of the header
                    header = [(c or "").strip() for c in cells]
                    header_row = row_number
                    break
                if row_number >= 50:
                    break
        except UnreadableFile:
            raise
        except Exception as error:  # a broken sheet XML
            raise UnreadableFile("bad_xlsx", str(error).splitlines()[0] if str(error) else "") from None
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
            try:
                for row_number, values in enumerate(rows_iter, start=header_row + 1):
                    if row_number > MAX_SHEET_ROWS:
                        raise UnreadableFile("xlsx_too_large", f"> {MAX_SHEET_ROWS:,} rows")
                    head = values[:width]
                    if all(v is None for v in head):
                        continue  # empty rows, however many the file holds, are skipped fast
                    cells = [_cell_text(v) for v in head]
                    if not any(c is not None and c.strip() for c in cells):
                        continue
                    cells.extend([None] * (width - len(cells)))
                    row_numbers.append(row_number)
                    rows.append(cells)
                    if len(rows) >= CHUNK_ROWS:
                        yield _chunk_table(width, row_numbers, rows)
                        row_numbers, rows = [], []
            except UnreadableFile:
                raise
            except Exception as error:  # a broken sheet XML
                raise UnreadableFile("bad_xlsx", str(error).splitlines()[0] if str(error) else "") from None
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
        # One long text repeated in every row is small in the file and huge written out:
        # the size it would take is counted from the dictionary before it is decoded.
        if pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type):
            chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
            expanded = sum(
                pc.sum(pc.take(pc.binary_length(chunk.dictionary), chunk.indices)).as_py() or 0 for chunk in chunks
            )
            if expanded > MAX_PARQUET_BATCH_TEXT_BYTES:
                raise UnreadableFile("parquet_too_large", f"{expanded // 2**20:,} MB of text in {len(column):,} rows")
        column = pc.cast(column, kind.value_type)
    return pc.cast(column, pa.string())


def read_parquet(path: Path, progress: ProgressCallback | None = None) -> TableSource:
    import pyarrow.parquet as pq

    try:
        # Text columns come back as dictionaries where the file stores them so, and are
        # decoded only after their written-out size is checked (_arrow_column_text).
        schema = pq.read_schema(path)
        texts = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
        parquet = pq.ParquetFile(path, read_dictionary=texts)
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError, ...
        raise UnreadableFile("bad_parquet", str(error).splitlines()[0] if str(error) else "") from None
    # The first MAX_COLUMNS columns only: a file may have thousands.
    names = [str(name) for name in parquet.schema_arrow.names]
    header = names[:MAX_COLUMNS]
    metadata = parquet.metadata
    total_rows = max(metadata.num_rows, 1)
    # A 290 KB file may declare 20 million rows of one repeated text: decoded whole per row
    # group, that is gigabytes. The counts are bounded before anything is decoded.
    if metadata.num_rows > MAX_PARQUET_ROWS:
        raise UnreadableFile("parquet_too_large", f"{metadata.num_rows:,} rows > {MAX_PARQUET_ROWS:,}")
    for group in range(metadata.num_row_groups):
        if metadata.row_group(group).num_rows > MAX_PARQUET_GROUP_ROWS:
            rows = metadata.row_group(group).num_rows
            raise UnreadableFile("parquet_too_large", f"{rows:,} rows in one row group > {MAX_PARQUET_GROUP_ROWS:,}")

    def chunks() -> Iterator[pa.Table]:
        first_row = 2
        batches = parquet.iter_batches(batch_size=CHUNK_ROWS, columns=header if len(names) > MAX_COLUMNS else None)
        while True:
            try:
                batch = next(batches)
                columns = {f"c{i}": _arrow_column_text(batch.column(i)) for i in range(len(header))}
            except StopIteration:
                return
            except (MemoryError, pa.ArrowMemoryError, pa.ArrowCapacityError) as error:
                # One text repeated in every row may still not fit once written out in full.
                raise UnreadableFile("parquet_too_large", type(error).__name__) from None
            columns["row_no"] = pa.array(range(first_row, first_row + batch.num_rows), type=pa.int64())
            columns[PROBLEM_COLUMN] = pa.nulls(batch.num_rows, type=pa.string())
            first_row += batch.num_rows
            yield pa.table(columns)
            if progress is not None:
                progress(min((first_row - 2) / total_rows, 1.0))

    return TableSource(header=header, chunks=chunks())
