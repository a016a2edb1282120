"""A case at scale in a real Chromium (issue 23, RULES "Tracing cases").

One building, yesterday: the index person, five colleagues with her in the meeting room
(K1) and 400 people elsewhere in the building (K2), 390 of them with a mobile number. A
tracer opens the case, sees the work queue, downloads the K2 broadcast file, confirms it
was sent (the 390 become reached in one click), then moves every K1 to quarantine with one
group action after its confirmation; the queue is left with the tests due.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from lib.ingest import importer
from lib.store import db, users
from tests.conftest import write_csv
from tests.e2e.conftest import (
    StreamlitServer,
    click_and_wait,
    make_login,
    open_expander,
    pick_option,
)

pytestmark = pytest.mark.browser

K1, K2, K2_WITHOUT_PHONE = 5, 400, 10
ACCOUNT: dict[str, str] = {}


def big_case_log(folder: Path) -> Path:
    """Yesterday in one building (local time), as a scanner export: cheap to import."""
    day = (datetime.now(ZoneInfo(db.DEFAULT_TIMEZONE)) - timedelta(days=1)).date().isoformat()
    rows = [
        [f"{day} 08:00", "C0", "kantor", "in", "", "Indeks Positif", "081200000000"],
        [f"{day} 12:00", "C0", "kantor", "out", "", "", ""],
        [f"{day} 09:00", "C0", "kantor", "in", "Rapat", "", ""],
        [f"{day} 10:00", "C0", "kantor", "out", "Rapat", "", ""],
    ]
    for n in range(K1):
        person = f"k1-{n}"
        rows += [
            [f"{day} 08:30", person, "kantor", "in", "", f"Rekan Rapat {n}", f"0813 0000 {n:04d}"],
            [f"{day} 12:00", person, "kantor", "out", "", "", ""],
            [f"{day} 09:00", person, "kantor", "in", "Rapat", "", ""],
            [f"{day} 10:00", person, "kantor", "out", "Rapat", "", ""],
        ]
    for n in range(K2):
        person = f"k2-{n:03d}"
        phone = "" if n < K2_WITHOUT_PHONE else f"+62 812-{n:04d}-{n:04d}"
        rows += [
            [f"{day} 09:{n % 6 * 5:02d}", person, "kantor", "in", "", f"Tamu Gedung {n:03d}", phone],
            [f"{day} 10:{n % 6 * 5:02d}", person, "kantor", "out", "", "", ""],
        ]
    return write_csv(folder / "kantor.csv", ["timestamp", "person_id", "building", "action", "area", "name", "phone"],
                     rows)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    folder: Path = tmp_path_factory.mktemp("case_groups")
    con = db.connect(folder / "pantau.duckdb")
    try:
        importer.import_file(con, big_case_log(folder))
    finally:
        con.close()
    ACCOUNT["pelacak"] = users.add_user(folder / "users.yaml", "pelacak", "Pelacak Satu", ["tracer"])
    started = StreamlitServer(folder, env={"PANTAU_DEMO": "0"})
    yield started
    started.stop()


def selectbox(page: Any, label: str) -> Any:
    return page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text(label, exact=True)).locator("input")


def pick(page: Any, label: str, option: str, runs: bool) -> None:
    """Pick an option of a selectbox; outside a form that is a run, waited for."""
    pick_option(page, selectbox(page, label), option, runs)
    expect(selectbox(page, label)).to_have_value(option)


def test_a_tracer_clears_a_400_contact_k2_in_a_few_clicks_and_sees_the_queue(server: StreamlitServer, page: Any) -> None:
    make_login(page, server)("pelacak", ACCOUNT["pelacak"])
    click_and_wait(page.locator('[data-testid="stSidebarNav"]').get_by_text("Kasus", exact=True))
    open_expander(page, "Buka kasus baru")
    page.get_by_role("textbox", name="ID orang (NIP/NIK/No. HP)").fill("C0")
    click_and_wait(page.get_by_role("button", name="Buka kasus", exact=True))
    page.get_by_text(re.compile(r"Kasus #\d+ dibuka")).first.wait_for()
    progress = page.get_by_text(re.compile(r"\d+ dari \d+ K1 dihubungi"))
    expect(progress).to_contain_text(f"0 dari {K1} K1 dihubungi, 0 tidak terjangkau · 0 dari {K2} K2 dihubungi")

    # The work queue: the K1 entry tests due on top.
    expect(page.get_by_role("heading", name="Hubungi sekarang")).to_be_visible()
    expect(page.get_by_text(f"{K1} mendesak dari {K1 + K2} kontak yang menunggu")).to_be_visible()

    # The K2 broadcast: one file, the numbers as 62…, a message each; those without a number apart.
    sendable = K2 - K2_WITHOUT_PHONE
    expect(page.get_by_text(f"{sendable} kontak K2 dengan nomor HP; {K2_WITHOUT_PHONE} tanpa")).to_be_visible()
    with page.expect_download() as download:
        click_and_wait(page.get_by_role("button", name=f"Unduh CSV siaran K2 ({sendable})"))
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert len(rows) == sendable and list(rows[0]) == ["person_id", "name", "phone", "message"]
    assert all(re.fullmatch(r"628\d{8,11}", r["phone"]) and r["name"] in r["message"] for r in rows)
    expect(progress).to_contain_text(f"0 dari {K2} K2 dihubungi")  # the file alone marks nobody
    click_and_wait(page.get_by_role("button", name=f"Pesan sudah terkirim: tandai {sendable} kontak 'dihubungi'"))
    expect(page.get_by_text(f"{sendable} kontak K2 ditandai 'dihubungi' (siaran).")).to_be_visible()
    expect(progress).to_contain_text(f"{sendable} dari {K2} K2 dihubungi")

    # The rest of K2 (no number) and K1 as groups: filter, one action, confirm.
    pick(page, "Jenis kontak", "K1", runs=True)
    expect(page.get_by_text(f"{K1} dari {K1 + K2} kontak dipilih", exact=False)).to_be_visible()
    pick(page, "Status baru", "karantina", runs=False)
    click_and_wait(page.get_by_role("button", name=f"Terapkan ke {K1} kontak"))
    expect(page.get_by_text(f"{K1} kontak akan diubah: status menjadi karantina")).to_be_visible()
    click_and_wait(page.get_by_role("button", name=f"Ya, ubah {K1} kontak"))
    expect(page.get_by_text(f"{K1} kontak diubah.")).to_be_visible()
    expect(progress).to_contain_text(f"{K1} dari {K1} K1 dihubungi")
    # Left in the queue: the ten K2 without a number, and the K1 tests still due.
    expect(page.get_by_text(f"{K1} mendesak dari {K1 + K2_WITHOUT_PHONE} kontak yang menunggu")).to_be_visible()
