"""A typo in a scanner export, end to end: a real Chromium against `streamlit run` on the demo month.

An office's export names "kantor-walikot" for three scans. Imported from the command line
while the dashboard serves the file, it creates a new building that the summary lists.
The administrator sees it marked "baru, belum dikonfirmasi" on the Settings page and in the
Okupansi dropdown, merges it into Kantor Walikota Bitung, and then it is gone from the
dropdown and its visits are Kantor Walikota's.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.conftest import write_csv
from tests.e2e.conftest import (
    ROOT,
    StreamlitServer,
    click_and_wait,
    make_login,
    open_menu,
    pick_option,
    start_demo_server,
    wait_for_app,
)

pytestmark = pytest.mark.browser

TYPO = "kantor-walikot"
RIGHT = "kantor-walikota"
MARK = "baru, belum dikonfirmasi"
PERSONS = ["TYPO-0001", "TYPO-0002", "TYPO-0003"]


def cli(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line, run beside the server (it hands the work to the server)."""
    return subprocess.run(
        [sys.executable, "-m", "lib.cli", "--db", str(db_path), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[StreamlitServer]:
    """A demo server of this test's own: the merge changes the demo month's visits."""
    data_dir = tmp_path / "server"
    data_dir.mkdir()
    instance = start_demo_server(data_dir)
    yield instance
    instance.stop()


def dropdown_options(page: object, label: str) -> list[str]:
    """The options of the select box labelled ``label`` (opened, read, closed again)."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first  # type: ignore[attr-defined]
    wait_for_app(page)
    box.click()
    options = page.get_by_role("option")  # type: ignore[attr-defined]
    options.first.wait_for()
    texts = [t.strip() for t in options.all_inner_texts()]
    page.keyboard.press("Escape")  # type: ignore[attr-defined]
    expect(options).to_have_count(0)
    return texts


def choose(page: object, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label`` (inside a form: no run)."""
    box = page.get_by_role("combobox", name=label, exact=True)  # type: ignore[attr-defined]
    pick_option(page, box, option)
    expect(box).to_have_value(option)


def test_a_typo_building_is_marked_and_merged_into_the_right_one(server: StreamlitServer, page: object,
                                                                  tmp_path: Path) -> None:
    page.goto(server.url)  # type: ignore[attr-defined]  # the server opens the database first
    page.get_by_role("textbox", name="Kata sandi").wait_for()  # type: ignore[attr-defined]
    today = datetime.now(ZoneInfo("Asia/Makassar")).replace(microsecond=0)
    start = today - timedelta(days=1)
    rows = []
    for index, person in enumerate(PERSONS):
        rows.append([f"{start + timedelta(minutes=10 * index):%Y-%m-%d %H:%M:%S}", person, TYPO, "masuk", "pengunjung"])
        rows.append([f"{start + timedelta(minutes=60 + 10 * index):%Y-%m-%d %H:%M:%S}", person, TYPO, "keluar",
                     "pengunjung"])
    log = write_csv(tmp_path / "ekspor.csv", ["waktu", "person_id", "gedung", "aksi", "kategori"], rows)
    imported = cli(server.db_path, "ingest", str(log))
    assert imported.returncode == 0, imported.stderr
    summary = list(csv.DictReader(io.StringIO(imported.stdout)))
    assert summary[0]["new_visits"] == "3"
    assert summary[0]["new_buildings"] == TYPO

    make_login(page, server)("admin", "demo-admin")
    open_menu(page, "Okupansi")
    before = dropdown_options(page, "Gedung")
    assert f"{TYPO} · {MARK}" in before
    assert "Kantor Walikota Bitung" in before

    open_menu(page, "Pengaturan")
    page.get_by_role("heading", name="Gedung baru dari impor").wait_for()  # type: ignore[attr-defined]
    expect(page.get_by_role("combobox", name="Gedung baru", exact=True)).to_have_value(  # type: ignore[attr-defined]
        f"{TYPO} · {MARK} ({TYPO})"
    )
    page.get_by_text("6 pindaian dari 3 orang").first.wait_for()  # type: ignore[attr-defined]
    click_and_wait(page.locator('[data-testid="stRadio"]').get_by_text("Gabungkan ke gedung lain", exact=True))  # type: ignore[attr-defined]
    choose(page, "Gabungkan ke", f"Kantor Walikota Bitung ({RIGHT})")
    click_and_wait(page.get_by_role("button", name="Gabungkan", exact=True))  # type: ignore[attr-defined]
    page.get_by_text(f"{TYPO} digabung ke Kantor Walikota Bitung ({RIGHT}): 6 pindaian dipindah").first.wait_for()  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", name="Gedung baru dari impor")).to_have_count(0)  # type: ignore[attr-defined]

    open_menu(page, "Okupansi")
    after = dropdown_options(page, "Gedung")
    assert not any(TYPO in option and RIGHT not in option for option in after)
    assert not any(MARK in option for option in after)
    assert "Kantor Walikota Bitung" in after

    # The visits are Kantor Walikota's now, each one scanned in and out as in the export.
    listed = cli(server.db_path, "visits", "--building", RIGHT)
    assert listed.returncode == 0, listed.stderr
    moved = [r for r in csv.DictReader(io.StringIO(listed.stdout)) if r["person_id"] in PERSONS]
    assert sorted(r["person_id"] for r in moved) == PERSONS
    assert all(r["checkout_kind"] == "scan" for r in moved)
    gone = cli(server.db_path, "visits", "--building", TYPO)
    assert gone.returncode != 0 and TYPO in gone.stderr
