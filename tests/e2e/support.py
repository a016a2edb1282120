"""Helpers of the browser tests: a poster's QR address read as a phone reads it, and a
server folder whose store has one building and its public address set."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from lib.ingest import importer
from lib.store import db, places
from tests.e2e import conftest as e2e


def decode_poster(pdf: bytes, folder: Path) -> str:
    """The one QR address on the poster's first page (pdftoppm, then zbarimg)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "poster.pdf").write_bytes(pdf)
    subprocess.run(
        [
            shutil.which("pdftoppm") or "pdftoppm",
            "-r",
            "150",
            "-png",
            str(folder / "poster.pdf"),
            str(folder / "page"),
        ],
        check=True,
    )
    done = subprocess.run(
        [shutil.which("zbarimg") or "zbarimg", "--raw", "-q", str(folder / "page-1.png")],
        capture_output=True,
        text=True,
        check=True,
    )
    [address] = done.stdout.split()
    return address


def poster_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str, capacity: int, threshold: int, inside: int
) -> tuple[Path, duckdb.DuckDBPyConnection]:
    """A server folder whose store has one building, 'kantor' (Kantor Wali Kota Bitung), with
    ``inside`` visitors who checked in half an hour ago, and as public address the one the
    server will listen on (so a poster made now opens it). Returns the folder and the open
    store, for the test to add to and close before starting the server."""
    monkeypatch.setenv("PANTAU_QR_SIGNING_KEY", key)
    monkeypatch.setenv("PANTAU_SECRETS_FILE", str(tmp_path / "secrets.json"))
    data_dir = tmp_path / "server"
    data_dir.mkdir()
    port = e2e.free_port()
    monkeypatch.setattr(e2e, "free_port", lambda: port)  # the address printed on the poster
    con = db.connect(data_dir / "pantau.duckdb")
    con.execute(
        "INSERT INTO buildings (building_id, name, capacity, threshold_people) "
        "VALUES ('kantor', 'Kantor Wali Kota Bitung', ?, ?)",
        [capacity, threshold],
    )
    places.set_public_base_url(con, f"http://127.0.0.1:{port}", "test")
    earlier = datetime.now(UTC) - timedelta(minutes=30)
    visitors = [
        {"timestamp": earlier, "person_id": f"08120000000{i}", "building": "kantor", "action": "checkin",
         "category": "visitor"}
        for i in range(inside)
    ]
    importer.record_events(con, visitors, source="seed", actor="test")
    return data_dir, con
