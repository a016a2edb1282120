"""Attacks on a visitor's own addresses (the front desk: a slip's QR, an expected visitor's
link), over HTTP against a real server (``streamlit run serve.py``, as ``./pantau.sh run``):

1. a chat app's link preview (a GET) of an expected visitor's link checks them in;
2. a slip's pass edited into another visitor's (a guessed id) or another building checks
   somebody out;
3. a slip's address shows the visitor's NIK;
4. another site's page posts a visitor's link from the phones of its own visitors.

What the server kept is read from the file once it has stopped (the last test).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from lib.ingest import front_desk, importer
from lib.outputs import checkin
from lib.store import db
from tests.e2e.conftest import StreamlitServer
from tests.hardening.conftest import start_server
from tests.support.phone import outcome, signing_with, token_of

NIK = "7172015506900004"


@dataclass
class Desk:
    server: StreamlitServer
    data_dir: Path
    slip: str  # a slip's address (path and query)
    expected: str  # an expected visitor's personal link


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    data_dir = tmp_path_factory.mktemp("front_desk_attacks")
    patch = signing_with(data_dir)
    try:
        con = db.connect(data_dir / "pantau.duckdb")
        con.execute("INSERT INTO buildings (building_id, name) VALUES ('kantor', 'Kantor Wali Kota'), ('dinas', 'Dinas')")
        importer.record_events(con, [{"timestamp": datetime.now(UTC) - timedelta(minutes=30), "person_id": NIK,
                                      "building": "kantor", "action": "checkin", "name": "Ibu Wati",
                                      "category": "visitor"}], source="seed", actor="test")
        pass_id = front_desk.issue_pass(con, NIK, "kantor")
        expected_id = front_desk.add_expected(con, "kantor", front_desk.building_today(con, "kantor"), "Pak Joko",
                                              "0812 9999 0000", "", "", actor="test")
        slip = checkin.pass_url(con, "kantor", pass_id)
        expected = checkin.expected_url(con, "kantor", expected_id)
        con.close()
        server = start_server(data_dir)
    finally:
        patch.undo()
    try:
        yield Desk(server, data_dir, slip[slip.index("/checkin"):], expected[expected.index("/checkin"):])
    finally:
        server.stop()


def edited(address: str, **change: str) -> str:
    parts = urlsplit(address)
    return f"{parts.path}?{urlencode({**dict(parse_qsl(parts.query)), **change})}"


def test_1_a_link_preview_checks_nobody_in(desk: Desk) -> None:
    with httpx.Client(base_url=desk.server.url, timeout=30) as client:
        for _ in range(3):  # a chat app and its previews open the link, never press the button
            shown = client.get(desk.expected)
            assert shown.status_code == 200 and "Pak Joko" in shown.text
    # (The store, read at the end: no visit of Pak Joko's phone.)


def test_2_an_edited_slip_checks_nobody_out(desk: Desk) -> None:
    with httpx.Client(base_url=desk.server.url, timeout=30) as client:
        token = token_of(client, desk.slip)
        for address in (edited(desk.slip, v="AAAAAAAAAAAAAAAAAAAAAA"), edited(desk.slip, b="dinas"),
                        edited(desk.slip, a="checkin")):
            assert client.get(address).status_code == 403
            refused = client.post(address, data={"f": token})
            assert refused.status_code == 403 and outcome(refused) == "refused"


def test_3_a_slips_address_shows_the_name_never_the_nik(desk: Desk) -> None:
    assert NIK not in desk.slip
    with httpx.Client(base_url=desk.server.url, timeout=30) as client:
        shown = client.get(desk.slip)
        assert shown.status_code == 200 and "Ibu Wati" in shown.text and NIK not in shown.text


def test_4_another_sites_page_cannot_post_a_visitors_link(desk: Desk) -> None:
    with httpx.Client(base_url=desk.server.url, timeout=30) as client:
        token = token_of(client, desk.expected)
        refused = client.post(desk.expected, data={"f": token}, headers={"Origin": "https://evil.example"})
        assert refused.status_code == 403


def test_5_the_store_after_the_attacks(desk: Desk) -> None:
    """The genuine slip still works; then what the server kept, read once it has stopped."""
    with httpx.Client(base_url=desk.server.url, timeout=30) as client:
        out = client.post(desk.slip, data={"f": token_of(client, desk.slip)})
        assert (out.status_code, outcome(out)) == (200, "checked_out")
    desk.server.stop()
    con = db.connect(desk.data_dir / "pantau.duckdb")
    visits = con.execute("SELECT person_id, building, checkout_kind FROM visits ORDER BY person_id").fetchall()
    con.close()
    assert visits == [(NIK, "kantor", "scan")]  # nobody checked in by a preview, nobody else out
    assert re.fullmatch(r"/checkin\?b=kantor&a=checkout&v=[\w-]{22}&s=[\w-]{22}", desk.slip)
