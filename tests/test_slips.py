"""Visitor slips (issue 22): the 80 mm and A6 PDFs printed to PNG, their QR read back with a real
reader, and the address it holds checking that visitor out at the door."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from lib.ingest import front_desk
from lib.ingest.desk import CHECKED_OUT, CheckinDesk
from lib.outputs import checkin, slips
from lib.store import db, places
from lib.store.journal import Journal, journal_path
from tests.support.pdf import decode, pdf_pages_to_png, pdf_text

START = datetime(2026, 12, 7, 1, 5, tzinfo=UTC)  # 09:05 WITA
NIK = "3271020202020002"


class Clock:
    def __init__(self) -> None:
        self.at = START

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture(autouse=True)
def signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_QR_SIGNING_KEY", "test-key-for-slips")


@pytest.fixture
def desk(tmp_path: Path) -> CheckinDesk:
    path = tmp_path / "pantau.duckdb"
    database = db.SharedDatabase(path)
    con = database.cursor()
    con.execute("INSERT INTO buildings (building_id, name) VALUES ('balai', 'Balai Kota Bitung – Lobi Utama')")
    places.set_public_base_url(con, "https://pantau.bitungkota.go.id", "kabag")
    con.close()
    made = CheckinDesk(database, Journal(journal_path(path)), batch_seconds=3600, clock=Clock())
    made.start()
    yield made
    made.stop()


def checked_in_slip(desk: CheckinDesk) -> tuple[str, slips.SlipContent]:
    con = desk.database.cursor()
    person = front_desk.new_visitor("Ibu Wati Señorita", nik_text=NIK, institution="Kelurahan Bugis")
    answer = front_desk.check_in(desk, con, "balai", person, "Layanan administrasi", "", actor="resepsionis")
    pass_id = front_desk.issue_pass(con, person["person_id"], "balai")
    content = slips.slip_content(con, "balai", pass_id, person["name"], person["institution"], answer.at,  # type: ignore[union-attr]
                                 "Layanan administrasi", "Bagian Umum")
    con.close()
    return pass_id, content


@pytest.mark.parametrize("fmt", ["receipt", "a6"])
def test_the_slip_says_who_when_why_and_whom_and_its_qr_checks_the_visitor_out(
    desk: CheckinDesk, tmp_path: Path, fmt: str
) -> None:
    pass_id, content = checked_in_slip(desk)
    pdf = slips.slip_pdf(content, fmt)
    text = " ".join(pdf_text(pdf, tmp_path).split())
    for words in ("Ibu Wati Señorita", "Kelurahan Bugis", "Masuk: 07/12/2026 09:05 WITA", "Layanan administrasi",
                  "Bagian Umum", "Balai Kota Bitung – Lobi Utama"):
        assert words in text, words
    pages = pdf_pages_to_png(pdf, tmp_path, dpi=200)
    assert len(pages) == 1  # one slip, one page (the receipt as long as its content)
    [address] = decode(pages[0])
    assert address == content.url
    # The address names no NIK or phone: a random pass, signed like every Pantau address.
    assert NIK not in address and NIK not in text
    parts = urlsplit(address)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "pantau.bitungkota.go.id", "/checkin")
    con = desk.database.cursor()
    target = checkin.verify_checkin_params(con, dict(parse_qsl(parts.query)))
    assert isinstance(target, checkin.CheckinTarget)
    assert (target.building, target.action, target.visitor) == ("balai", "checkout", pass_id)
    # At the door: that address checks this visitor out.
    desk.clock.at += timedelta(minutes=40)  # type: ignore[attr-defined]
    desk.flush()
    answer = front_desk.check_out_by_pass(desk, con, target.visitor)
    assert answer is not None and answer.outcome == CHECKED_OUT and answer.stay_minutes == 40
    desk.flush()
    assert con.execute("SELECT person_id, checkout_kind FROM visits").fetchall() == [(NIK, "scan")]
    con.close()


def test_the_receipt_is_80_mm_wide_and_the_a6_is_a6(desk: CheckinDesk) -> None:
    from fpdf import FPDF  # noqa: F401 - fpdf2 is what writes them; pypdf-free check of the MediaBox below

    _, content = checked_in_slip(desk)
    for fmt, width_mm, height_mm in (("receipt", 80, None), ("a6", 105, 148)):
        pdf = slips.slip_pdf(content, fmt)
        box = pdf.split(b"/MediaBox [")[1].split(b"]")[0].split()
        width, height = (float(v) * 25.4 / 72 for v in box[2:4])
        assert round(width) == width_mm
        if height_mm:
            assert round(height) == height_mm
        else:
            assert 100 < height < 200  # a receipt as long as what it says


def test_an_edited_pass_address_is_refused(desk: CheckinDesk) -> None:
    pass_id, content = checked_in_slip(desk)
    query = dict(parse_qsl(urlsplit(content.url).query))
    con = desk.database.cursor()
    for change in ({"v": pass_id[:-1] + ("A" if pass_id[-1] != "A" else "B")}, {"a": "checkin"}, {"v": ""}):
        assert checkin.verify_checkin_params(con, {**query, **change}) == checkin.REFUSED_SIGNATURE
    con.close()
