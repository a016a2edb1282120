"""Importing and reading from the command line while the dashboard serves the same file.

DuckDB lets one process hold the file; the dashboard is that process, and the command
line hands its work to it (lib/cli/owner.py). Nothing may be lost and no lock error shown.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import write_csv
from tests.e2e.conftest import ROOT, StreamlitServer, wait_for_app

pytestmark = pytest.mark.browser


def cli(db_path: Path, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lib.cli", "--db", str(db_path), *args],
        cwd=cwd, capture_output=True, text=True, timeout=300, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    )


def test_cli_import_while_dashboard_serves(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "server"
    data_dir.mkdir()
    server = StreamlitServer(data_dir, env={"PANTAU_DEMO": "0"})
    try:
        page.goto(server.url)  # the first session opens the database in the server
        page.get_by_role("textbox", name="Kata sandi").wait_for()
        assert (data_dir / "pantau.duckdb.owner").exists()
        rows = []
        for person in range(300):
            rows.append([f"2022-01-03 {8 + person % 3:02d}:{person % 60:02d}:00", f"P{person:04d}", "kantor-walikota", "masuk", "ASN"])
            rows.append([f"2022-01-03 {15 + person % 2:02d}:{person % 60:02d}:00", f"P{person:04d}", "kantor-walikota", "keluar", "ASN"])
        first = write_csv(tmp_path / "pagi.csv", ["waktu", "person_id", "gedung", "aksi", "kategori"], rows[::2])
        second = write_csv(tmp_path / "sore.csv", ["waktu", "person_id", "gedung", "aksi", "kategori"], rows[1::2])

        # Two imports at once, from another working directory (relative paths), while the
        # browser keeps reloading the dashboard.
        results: list[subprocess.CompletedProcess[str]] = []
        threads = [
            threading.Thread(target=lambda f=f: results.append(cli(server.db_path, "ingest", f.name, cwd=tmp_path)))
            for f in (first, second)
        ]
        for thread in threads:
            thread.start()
        for _ in range(3):
            page.reload()
            wait_for_app(page)
        for thread in threads:
            thread.join()
        for result in results:
            assert result.returncode == 0, result.stderr
            assert "lock" not in result.stderr.lower()
        listed = cli(server.db_path, "visits", "--building", "kantor-walikota")
        assert listed.returncode == 0, listed.stderr
        visits = list(csv.DictReader(io.StringIO(listed.stdout)))
        assert len(visits) == 300
        assert {visit["checkout_kind"] for visit in visits} == {"scan"}
        assert cli(server.db_path, "ingest", str(first)).stdout.splitlines()[1].split(",")[3] == "0"  # again: nothing new
        saved = cli(server.db_path, "backup", "cadangan.duckdb", cwd=tmp_path)
        assert saved.returncode == 0, saved.stderr
        assert (tmp_path / "cadangan.duckdb").exists()
    finally:
        server.stop()
    # After the server is gone the file is the command line's own, with everything in it.
    direct = cli(server.db_path, "visits")
    assert direct.returncode == 0 and len(direct.stdout.strip().splitlines()) == 301
    from_backup = cli(tmp_path / "cadangan.duckdb", "visits")
    assert from_backup.stdout == direct.stdout
