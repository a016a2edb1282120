"""Hostile input for the import: control characters, XLSX files that claim or unzip to far
more than they hold, and a command run in a process of its own with its time and memory
measured."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from tests.support import ROOT

# A terminal escape and a bell in a name: must never reach the store nor a terminal.
BAD_TEXT = "Tamu \x1b[31m\x07"

SCAN_ROWS = [
    ["timestamp", "person_id", "building", "action", "name"],
    ["2022-01-03 08:00", "1", "b", "in", "Ani"],
    ["2022-01-03 09:00", "1", "b", "out", "Ani"],
]


def workbook_bytes(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Scan"
    for row in rows:
        sheet.append(row)
    sheet["A10"].font = Font(bold=True)  # a style for the padding cells (s="1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_sheet(path: Path, rows: list[list[str]], edit_head, padding) -> Path:  # type: ignore[no-untyped-def]
    """An XLSX whose first sheet's XML is rewritten: ``edit_head`` changes the part before
    ``</sheetData>``, ``padding()`` yields the XML written after the real rows."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes(rows)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, data)
                continue
            head, tail = data.decode().split("</sheetData>")
            head = edit_head(re.sub(r'<row r="10".*?</row>', "", head))
            part = zipfile.ZipInfo(info.filename)
            part.compress_type = zipfile.ZIP_DEFLATED
            with out.open(part, "w", force_zip64=True) as handle:
                handle.write(head.encode())
                for block in padding():
                    handle.write(block)
                handle.write(("</sheetData>" + tail).encode())
    return path


def huge_claim_xlsx(path: Path, padding_rows: int = 60_000) -> Path:
    """Two real scans, a declared dimension of all of Excel (``A1:XFD1048576``) and
    ``padding_rows`` formatted empty rows reaching column XFD, as the 2.5 MB file that grew
    the dashboard to 4.8 GB (300,000 padding rows make 2.3 MB)."""

    def padding():  # type: ignore[no-untyped-def]
        block: list[str] = []
        for row in range(10, 10 + padding_rows):
            block.append(f'<row r="{row}"><c r="A{row}" s="1"/><c r="XFD{row}" s="1"/></row>')
            if len(block) == 10_000:
                yield "".join(block).encode()
                block = []
        yield "".join(block).encode()

    return rewrite_sheet(
        path, SCAN_ROWS, lambda head: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', head),
        padding,
    )


def cell_bomb_xlsx(path: Path, rows: int, cells_per_row: int) -> Path:
    """Real scans, then ``rows`` rows of ``cells_per_row`` formatted empty cells: a few
    hundred kB that unzip to hundreds of MB of XML."""
    row = ("<row>" + '<c s="1"/>' * cells_per_row + "</row>").encode()
    return rewrite_sheet(path, SCAN_ROWS, lambda head: head, lambda: (row for _ in range(rows)))


def run_measured(arguments: list[str], timeout: float = 120.0) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run ``python -m lib.cli ARGS`` in a process of its own; (result, seconds, peak MB of its RSS)."""
    probe = (
        "import resource, subprocess, sys, time, json\n"
        "start = time.monotonic()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "seconds = time.monotonic() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps([done.returncode, done.stdout, done.stderr, seconds, peak]))\n"
    )
    outer = subprocess.run(
        [sys.executable, "-c", probe, sys.executable, "-m", "lib.cli", *arguments],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )
    code, out, err, seconds, peak = json.loads(outer.stdout)
    return subprocess.CompletedProcess(arguments, code, out, err), float(seconds), float(peak)
