"""Attacks of a bad file (RULES "Import", "Personal data"), replayed through the real
command line (``python -m lib.cli --db DB ingest FILE``, a database of its own) and through
a running server's hand-off (the command line forwards to the server that owns the file,
``lib/cli/owner.py``). Each bad row is quarantined with its reason, the good rows land,
nothing a file claims makes an import run for minutes or into gigabytes, and the spool of
a killed import is removed at the next start.

Figures (printed with ``-s``): the 2.3 MB XLSX that claims ``A1:XFD1048576`` and holds
300,000 formatted empty rows, and a 0.6 MB XLSX of 320 MB of empty cells.
"""

from __future__ import annotations

import csv
import io
import stat
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from lib.store import spool
from tests.e2e.conftest import ROOT, StreamlitServer
from tests.hardening.conftest import start_server
from tests.support.attacks import BAD_TEXT, cell_bomb_xlsx, huge_claim_xlsx, run_measured

HEAD = "timestamp,person_id,building,action,name\n"


def good(person: str) -> str:
    """Two good scans (a visit) of ``person``: each file brings scans of its own."""
    return f"2022-01-03 08:00,{person},b,in,Ani\n2022-01-03 09:00,{person},b,out,Ani\n"


def attack_files(folder: Path) -> dict[str, tuple[Path, tuple[str, int, int]]]:
    """name -> (file, (status, new events, quarantined)) as the summary must say."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, tuple[bytes, tuple[str, int, int]]] = {
        "controls.csv": ((HEAD + good("11") + f"2022-01-03 10:00,2,b,in,{BAD_TEXT}\n").encode(), ("ok", 3, 0)),
        "future.csv": ((HEAD + good("12") + "2099-01-01 08:00,3,b,in,X\n").encode(), ("ok", 2, 1)),
        "nul.csv": ((HEAD + good("13") + "2022-01-03 10:00,2,b,in,Bu\x00di\n").encode(), ("ok", 2, 1)),
        "giant.csv": ((HEAD + good("14") + "2022-01-03 10:00,2,b,in," + "Z" * 20_000_000 + "\n").encode(), ("ok", 2, 1)),
        "quote.csv": ((HEAD + '2022-01-03 07:00,9,b,in,"Unclosed\n' + good("15")).encode(), ("ok", 2, 1)),
        "unicode.txt": (
            b"\xff\xfe" + "Waktu\tNIP\tGedung\tAksi\r\n03/01/2022 08:00\t5\tb\tmasuk\r\n".encode("utf-16-le"),
            ("ok", 1, 0),
        ),
        "roster.csv": (b"nip,nama,unit\n7,Budi\x1b]0;x\x07,Umum\x1b[2J\n", ("ok", 0, 0)),
    }
    written = {}
    for name, (content, expected) in files.items():
        path = folder / name
        path.write_bytes(content)
        written[name] = (path, expected)
    return written


def summary_row(stdout: str) -> dict[str, str]:
    return next(csv.DictReader(io.StringIO(stdout)))


def cli(db_path: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lib.cli", "--db", str(db_path), "--lang", "en", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )


def stored_texts(db_path: Path) -> list[str]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = [
            *con.execute("SELECT name, phone FROM persons").fetchall(),
            *con.execute("SELECT unit FROM roster").fetchall(),
            *con.execute("SELECT raw FROM quarantine").fetchall(),
        ]
    finally:
        con.close()
    return [value for row in rows for value in row if value is not None]


def no_controls(values: list[str]) -> bool:
    return not any(unicodedata.category(c) == "Cc" for value in values for c in value)


@pytest.fixture(scope="module")
def server_with_leftover(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StreamlitServer, Path]]:
    """A server started on a database whose folder holds the spool of a killed import."""
    data_dir = tmp_path_factory.mktemp("file_attacks")
    leftover = spool.spool_root(data_dir / "pantau.duckdb") / "import-killed" / "raw.parquet"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"names and phones of a killed import")
    server = start_server(data_dir)
    yield server, leftover
    server.stop()


def test_attack_files_through_the_command_line(tmp_path: Path) -> None:
    database = tmp_path / "cli.duckdb"
    for name, (path, expected) in attack_files(tmp_path / "files").items():
        started = time.monotonic()
        done = cli(database, "ingest", str(path))
        seconds = time.monotonic() - started
        assert done.returncode == 0, (name, done.stderr)
        row = summary_row(done.stdout)
        assert (row["status"], int(row["events"]), int(row["quarantined"])) == expected, name
        print(f"{name}: {seconds:.1f} s")
    assert no_controls(stored_texts(database))
    con = duckdb.connect(str(database), read_only=True)
    reasons = sorted(r[0] for r in con.execute("SELECT reason FROM quarantine").fetchall())
    con.close()
    assert reasons == ["cell_too_large", "future", "nul_byte", "unclosed_quote"]


def test_xlsx_that_claims_all_of_excel_is_bounded_on_the_command_line(tmp_path: Path) -> None:
    claim = huge_claim_xlsx(tmp_path / "claim.xlsx", padding_rows=300_000)
    done, seconds, peak_mb = run_measured(["--db", str(tmp_path / "c.duckdb"), "ingest", str(claim)], timeout=180)
    print(f"huge-claim XLSX {claim.stat().st_size / 2**20:.1f} MB: {seconds:.1f} s, peak {peak_mb:.0f} MB")
    assert done.returncode == 0, done.stderr
    assert summary_row(done.stdout)["events"] == "2"
    assert seconds < 60 and peak_mb < 1500  # before: 7.9 GB and no answer in 150 s

    bomb = cell_bomb_xlsx(tmp_path / "bomb.xlsx", rows=2_000, cells_per_row=16_000)
    done, seconds, peak_mb = run_measured(
        ["--db", str(tmp_path / "c.duckdb"), "--lang", "en", "ingest", str(bomb)], timeout=180
    )
    print(f"cell-bomb XLSX {bomb.stat().st_size / 2**20:.1f} MB (32 M empty cells): {seconds:.1f} s, peak {peak_mb:.0f} MB")
    assert done.returncode == 1
    assert "File refused: the Excel file is beyond what can be read" in done.stderr
    assert seconds < 60 and peak_mb < 1500


def test_server_removes_a_killed_imports_spool_at_start(server_with_leftover: tuple[StreamlitServer, Path]) -> None:
    server, leftover = server_with_leftover
    assert (server.data_dir / "pantau.duckdb.owner").exists()  # the server opened the file
    assert not leftover.exists() and not leftover.parent.exists()
    root = spool.spool_root(server.db_path)
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


def test_attack_files_through_the_servers_hand_off(server_with_leftover: tuple[StreamlitServer, Path], tmp_path: Path) -> None:
    server, _ = server_with_leftover
    for name, (path, expected) in attack_files(tmp_path / "files").items():
        done = cli(server.db_path, "ingest", str(path))
        assert done.returncode == 0, (name, done.stderr)
        row = summary_row(done.stdout)
        assert (row["status"], int(row["events"]), int(row["quarantined"])) == expected, name

    claim = huge_claim_xlsx(tmp_path / "claim.xlsx", padding_rows=300_000)
    started = time.monotonic()
    done = cli(server.db_path, "ingest", str(claim), timeout=180)
    seconds = time.monotonic() - started
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    peak_mb = int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) / 1024
    print(f"huge-claim XLSX through the server: {seconds:.1f} s, server's peak RSS {peak_mb:.0f} MB")
    assert done.returncode == 0, done.stderr
    assert summary_row(done.stdout)["status"] == "ok"
    assert seconds < 60 and peak_mb < 1500  # before: the dashboard grew to 4.8 GB
    assert list(spool.spool_root(server.db_path).iterdir()) == []  # every spool removed after its import
