"""Issue 22, the guest book (buku tamu) imported with ``ingest FILE --building B``.

The held-back check, as a test: an office's export with the columns ``No, Tanggal, Nama,
NIK, Instansi, No HP, Keperluan, Bertemu Dengan, Jam Masuk, Jam Keluar``, phones written
three ways, rows without a NIK and bad rows, as CSV and as XLSX. Every good row must become
a visit with its local times, purpose and host; every bad row is counted as quarantined;
one person per NIK (or, without one, per phone); and ``weekly --by purpose`` equals a plain
count of the rows. The expectations are computed in plain Python from the rows themselves
(RULES "Import", guest book), not from the store.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.core.phone import international_phone, international_phone_sql, nik, nik_sql
from lib.store import db
from tests.support.cli import run_cli as run

HEADER = ["No", "Tanggal", "Nama", "NIK", "Instansi", "No HP", "Keperluan", "Bertemu Dengan", "Jam Masuk", "Jam Keluar"]
ZONE = ZoneInfo("Asia/Makassar")  # the building's zone (WITA)
BUILDING_ID, BUILDING_NAME = "mpp", "Mal Pelayanan Publik"
PURPOSES = ["Mengurus KTP", "Legalisir ijazah", "Rapat koordinasi", "Konsultasi izin usaha", ""]
HOSTS = ["Dinas Dukcapil", "Bagian Umum", "Pak Kadis", "DPMPTSP", ""]
INSTITUTIONS = ["PT Maju Jaya", "Universitas Sam Ratulangi", "Dinas Kesehatan", ""]
FIRST_DAY = date(2026, 11, 2)  # Monday of 2026-W45; the rows span W45 and W46
WEEKS = ("2026-W45", "2026-W46")


@dataclass(frozen=True)
class Visitor:
    name: str
    nik: str  # '' for a visitor the book knows by phone only
    phone_digits: str  # national digits after the 0, e.g. '81234567890'


@dataclass(frozen=True)
class Expected:
    person: str
    checkin: datetime  # local
    checkout: datetime | None  # local; None: left open, closed at MAX_STAY
    purpose: str
    host: str


def phone_written(visitor: Visitor, rng: random.Random) -> str:
    """The visitor's phone as a receptionist writes it: three ways (RULES "Import")."""
    d = visitor.phone_digits
    return rng.choice([f"0{d[:3]}-{d[3:7]}-{d[7:]}", f"+62 {d[:3]} {d[3:7]} {d[7:]}", f"62{d}"])


def time_written(moment: time, rng: random.Random) -> str:
    """08:15, 8.15 or 08.15: all read as 08:15 (RULES "Import")."""
    return rng.choice([f"{moment:%H:%M}", f"{moment.hour}.{moment.minute:02d}", f"{moment:%H.%M}"])


def guest_book(seed: int) -> tuple[list[list[object]], list[Expected], int]:
    """(rows of the book as written, the visits they must give, how many rows are bad)."""
    rng = random.Random(seed)
    visitors = [
        Visitor(f"Tamu {i}", f"71710{i:011d}" if i % 3 else "", f"8{rng.randrange(10**9, 10**10)}") for i in range(1, 13)
    ]
    rows: list[list[object]] = []
    expected: list[Expected] = []
    bad = 0
    for day_index in range(14):
        day = FIRST_DAY + timedelta(days=day_index)
        # One visit per visitor and day at most: the book's rows never overlap for a person.
        for visitor in rng.sample(visitors, rng.randrange(2, 7)):
            start = time(rng.randrange(7, 15), rng.randrange(60))
            stay = rng.randrange(5, 170)  # under a visitor's MAX_STAY of three hours
            end = (datetime.combine(day, start) + timedelta(minutes=stay)).time()
            left = rng.random() < 0.8 and end > start
            purpose, host = rng.choice(PURPOSES), rng.choice(HOSTS)
            given_nik = visitor.nik if visitor.nik and rng.random() < 0.9 else ""
            phone = phone_written(visitor, rng) if (not given_nik or rng.random() < 0.7) else ""
            person = visitor.nik if given_nik else f"62{visitor.phone_digits}"
            if not given_nik and visitor.nik:
                person = f"62{visitor.phone_digits}"  # the NIK left out: the phone is the identity
            rows.append([
                len(rows) + 1, f"{day:%d/%m/%Y}", visitor.name, given_nik, rng.choice(INSTITUTIONS), phone,
                purpose, host, time_written(start, rng), time_written(end, rng) if left else "",
            ])
            expected.append(Expected(
                person, datetime.combine(day, start, ZONE), datetime.combine(day, end, ZONE) if left else None,
                purpose, host,
            ))
    day = f"{FIRST_DAY + timedelta(days=3):%d/%m/%Y}"
    bad_rows = [
        [day, "Tanpa Identitas", "", "", "Rapat koordinasi", "Bagian Umum", "09:00", "10:00"],  # neither NIK nor phone
        [day, "NIK Pendek", "7171012345", "", "", "", "09:00", ""],  # 10 digits is no NIK, and no phone
        [day, "Jam Salah", "7171099999999999", "", "", "", "24:10", ""],  # no such time
        [day, "Keluar Dulu", "7171088888888888", "", "", "", "11:00", "10:30"],  # out before in
        [day, "Keluar Sama", "7171077777777777", "", "", "", "11:00", "11.00"],  # out not after in
        ["31/02/2026", "Tanggal Salah", "7171066666666666", "", "", "", "09:00", ""],  # no such date
        [day, "Tanpa Jam", "7171055555555555", "", "", "", "", ""],  # no time in
        [day, "Jam Keluar Rusak", "7171044444444444", "", "", "", "09:00", "sore"],  # unreadable time out
    ]
    for cells in bad_rows:
        date_text, name, nik_text, phone, purpose, host, time_in, time_out = cells
        rows.insert(rng.randrange(len(rows) + 1), [0, date_text, name, nik_text, "", phone, purpose, host, time_in, time_out])
        bad += 1
    for number, row in enumerate(rows, start=1):
        row[0] = number
    return rows, expected, bad


def write_csv_book(path: Path, rows: list[list[object]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def write_xlsx_book(path: Path, rows: list[list[object]]) -> Path:
    """As Excel keeps a guest book: dates as date cells, most times as time cells, the phone
    written as a number when it is all digits (the leading zero lost), the NIK as text."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Buku Tamu Mal Pelayanan Publik"])  # a title row above the header
    sheet.append(HEADER)
    for row in rows:
        cells = list(row)
        try:
            cells[1] = datetime.strptime(str(cells[1]), "%d/%m/%Y").date()
        except ValueError:
            pass  # '31/02/2026' stays text, as a typo would
        for index in (8, 9):
            text = str(cells[index]).replace(".", ":")
            if text and len(text.split(":")[0]) <= 2 and text.split(":")[0].isdigit() and int(text.split(":")[0]) < 24:
                try:
                    cells[index] = datetime.strptime(text, "%H:%M").time()
                except ValueError:
                    pass
        if str(cells[5]).isdigit():
            cells[5] = int(str(cells[5]))
        sheet.append(cells)
    workbook.save(path)
    return path


def new_database(tmp_path: Path) -> str:
    path = tmp_path / "pantau.duckdb"
    con = db.connect(path)
    con.execute("INSERT INTO buildings (building_id, name) VALUES (?, ?)", [BUILDING_ID, BUILDING_NAME])
    con.close()
    return str(path)


def table(out: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(out)))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_guest_book_imports_with_a_building_given(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    rows, expected, bad = guest_book(seed=22)
    book = (write_csv_book if kind == "csv" else write_xlsx_book)(tmp_path / f"buku-tamu.{kind}", rows)
    database = new_database(tmp_path)

    code, out, err = run(capsys, "--db", database, "ingest", str(book), "--building", "mal pelayanan publik")
    assert code == 0, err
    summary = table(out)[0]
    assert summary["status"] == "ok" and summary["shape"] == "visits"
    assert int(summary["rows"]) == len(rows)
    assert int(summary["quarantined"]) == bad
    assert int(summary["new_visits"]) == len(expected)
    assert summary["new_buildings"] == ""  # the book landed in the building given, no new one

    # Every visit with its local times, purpose and host.
    code, out, _ = run(capsys, "--db", database, "visits", "--building", BUILDING_ID)
    assert code == 0
    listed = table(out)
    assert list(listed[0]) == ["person_id", "building", "checkin_at", "checkout_at", "checkout_kind", "purpose", "host"]
    got = sorted(
        (v["person_id"], v["checkin_at"], v["checkout_at"], v["checkout_kind"], v["purpose"], v["host"]) for v in listed
    )
    max_stay = timedelta(minutes=db.DEFAULT_MAX_STAY_MINUTES["visitor"])
    want = sorted(
        (
            e.person, e.checkin.isoformat(),
            (e.checkout or e.checkin + max_stay).isoformat(), "scan" if e.checkout else "auto",
            e.purpose, e.host,
        )
        for e in expected
    )
    assert got == want

    # One person per NIK, or per phone in its one international form.
    con = duckdb.connect(database, read_only=True)
    try:
        persons = {r[0] for r in con.execute("SELECT DISTINCT person_id FROM visits").fetchall()}
        reasons = Counter(r[0] for r in con.execute("SELECT reason FROM quarantine").fetchall())
    finally:
        con.close()
    assert persons == {e.person for e in expected}
    assert all(len(p) == 16 or p.startswith("628") for p in persons)
    assert reasons == Counter({
        "no_identity": 2, "bad_timestamp": 2, "checkout_not_after_checkin": 2,
        "missing_value:checkin_at": 1, "bad_checkout_timestamp": 1,
    })

    # The week by purpose equals a plain count of the book's good rows.
    for week in WEEKS:
        code, out, _ = run(capsys, "--db", database, "weekly", "--week", week, "--by", "purpose")
        assert code == 0
        figures = table(out)
        assert list(figures[0]) == ["week", "building", "purpose", "visits", "visitors", "visits_prev", "visits_change_pct"]
        year, number = int(week[:4]), int(week[-2:])
        in_week = [e for e in expected if e.checkin.isocalendar()[:2] == (year, number)]
        before = [e for e in expected if e.checkin.isocalendar()[:2] == (year, number - 1)]
        plain = Counter(e.purpose or "(tidak diisi)" for e in in_week)
        plain_prev = Counter(e.purpose or "(tidak diisi)" for e in before)
        assert {r["purpose"]: int(r["visits"]) for r in figures if int(r["visits"])} == dict(plain)
        assert {r["purpose"]: int(r["visits_prev"]) for r in figures if int(r["visits_prev"])} == dict(plain_prev)
        for r in figures:
            visitors = {e.person for e in in_week if (e.purpose or "(tidak diisi)") == r["purpose"]}
            assert int(r["visitors"]) == len(visitors)
            assert r["building"] == BUILDING_ID and r["week"] == week


def test_importing_the_book_again_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows, expected, bad = guest_book(seed=7)
    book = write_csv_book(tmp_path / "buku.csv", rows)
    database = new_database(tmp_path)
    run(capsys, "--db", database, "ingest", str(book), "--building", BUILDING_ID)
    _, first, _ = run(capsys, "--db", database, "visits")
    code, out, _ = run(capsys, "--db", database, "ingest", str(book), "--building", BUILDING_ID)
    assert code == 0 and table(out)[0]["new_visits"] == "0"
    _, second, _ = run(capsys, "--db", database, "visits")
    assert first == second and len(table(first)) == len(expected)


def test_a_building_not_yet_known_becomes_a_new_unconfirmed_building(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """RULES "Import": a building named for a file and not configured yet is created with
    defaults and marked new, as one a log names first (a typo waits on Settings to be
    confirmed, renamed or merged); the book's visits land in it."""
    rows, _, _ = guest_book(seed=1)
    book = write_csv_book(tmp_path / "buku.csv", rows)
    database = new_database(tmp_path)
    code, out, _ = run(capsys, "--db", database, "--lang", "en", "ingest", str(book), "--building", "Balai Kota")
    assert code == 0 and table(out)[0]["new_buildings"] == "Balai Kota"
    con = duckdb.connect(database, read_only=True)
    try:
        assert con.execute("SELECT confirmed FROM buildings WHERE building_id = 'Balai Kota'").fetchall() == [(False,)]
        assert con.execute("SELECT count(*) FROM visits WHERE building = 'Balai Kota'").fetchall()[0][0] > 0
    finally:
        con.close()


def test_a_book_without_a_building_and_none_given_is_refused_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows, _, _ = guest_book(seed=2)
    book = write_csv_book(tmp_path / "buku.csv", rows)
    code, _, err = run(capsys, "--db", new_database(tmp_path), "--lang", "en", "ingest", str(book))
    assert code == 1 and "building" in err


def test_a_file_naming_its_buildings_keeps_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "two.csv"
    book.write_text(
        "Gedung,Tanggal,NIK,Jam Masuk,Jam Keluar\n"
        "kantor-camat,03/11/2026,7171010101010101,08:00,09:00\n"
        ",03/11/2026,7171020202020202,08:00,09:00\n",
        encoding="utf-8",
    )
    database = new_database(tmp_path)
    code, out, _ = run(capsys, "--db", database, "ingest", str(book), "--building", BUILDING_ID)
    assert code == 0 and table(out)[0]["new_buildings"] == "kantor-camat"
    _, out, _ = run(capsys, "--db", database, "visits")
    assert sorted((v["person_id"], v["building"]) for v in table(out)) == [
        ("7171010101010101", "kantor-camat"), ("7171020202020202", BUILDING_ID),
    ]


@pytest.mark.parametrize(
    ("written", "local"),
    [("08:15", "08:15:00"), ("8.15", "08:15:00"), ("08.15", "08:15:00"), ("8:05", "08:05:00"), ("23.59", "23:59:00"),
     ("07:30:15", "07:30:15")],
)
def test_times_of_day_as_people_write_them(tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str, local: str) -> None:
    book = tmp_path / "t.csv"
    book.write_text(f"Tanggal,No HP,Jam Masuk\n5-11-2026,0812-3456-7890,{written}\n", encoding="utf-8")
    database = new_database(tmp_path)
    code, out, _ = run(capsys, "--db", database, "ingest", str(book), "--building", BUILDING_ID)
    assert code == 0 and table(out)[0]["quarantined"] == "0"
    _, out, _ = run(capsys, "--db", database, "visits")
    assert table(out)[0]["checkin_at"] == f"2026-11-05T{local}+08:00"


@pytest.mark.parametrize(("date", "written"), [("02/11/26", "8.15"), ("2026-11-02", "1899-12-30 08:15:00")])
def test_a_two_digit_year_and_an_excel_time_with_day_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], date: str, written: str
) -> None:
    book = tmp_path / "t.csv"
    book.write_text(f"Tanggal,No HP,Jam Masuk\n{date},0812-3456-7890,{written}\n", encoding="utf-8")
    database = new_database(tmp_path)
    run(capsys, "--db", database, "ingest", str(book), "--building", BUILDING_ID)
    _, out, _ = run(capsys, "--db", database, "visits")
    assert table(out)[0]["checkin_at"] == "2026-11-02T08:15:00+08:00"


@pytest.mark.parametrize("dash", ["-", "--", "–"])
def test_a_dash_for_the_check_out_is_no_check_out(tmp_path: Path, capsys: pytest.CaptureFixture[str], dash: str) -> None:
    book = tmp_path / "t.csv"
    book.write_text(f"Tanggal,No HP,Jam Masuk,Jam Keluar\n02/11/2026,0812-3456-7890,08:15,{dash}\n", encoding="utf-8")
    database = new_database(tmp_path)
    _, out, _ = run(capsys, "--db", database, "ingest", str(book), "--building", BUILDING_ID)
    assert table(out)[0]["quarantined"] == "0" and table(out)[0]["new_visits"] == "1"
    _, out, _ = run(capsys, "--db", database, "visits")
    assert table(out)[0]["checkout_kind"] == "auto"  # left open, closed at MAX_STAY


@pytest.mark.parametrize("written", ["24:10", "8:60", "25.00", "8", "08:15 pagi"])
def test_a_time_that_is_no_time_of_day_is_quarantined(tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str) -> None:
    book = tmp_path / "t.csv"
    book.write_text(f"Tanggal,No HP,Jam Masuk\n05/11/2026,0812-3456-7890,{written}\n", encoding="utf-8")
    database = new_database(tmp_path)
    code, out, _ = run(capsys, "--db", database, "ingest", str(book), "--building", BUILDING_ID)
    assert code == 0 and table(out)[0]["quarantined"] == "1" and table(out)[0]["new_visits"] == "0"


def test_three_ways_of_writing_one_phone_are_one_person(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "p.csv"
    book.write_text(
        "Tanggal,No HP,Jam Masuk,Jam Keluar\n"
        "02/11/2026,0812-3456-7890,08:00,09:00\n"
        "03/11/2026,+62 812 3456 7890,08:00,09:00\n"
        "04/11/2026,6281234567890,08:00,09:00\n",
        encoding="utf-8",
    )
    database = new_database(tmp_path)
    run(capsys, "--db", database, "ingest", str(book), "--building", BUILDING_ID)
    _, out, _ = run(capsys, "--db", database, "visits")
    assert {v["person_id"] for v in table(out)} == {"6281234567890"}


def test_institution_goes_on_the_person_latest_non_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "i.csv"
    book.write_text(
        "Tanggal,NIK,Instansi,Jam Masuk\n"
        "02/11/2026,7171010101010101,PT Lama,08:00\n"
        "09/11/2026,7171010101010101,PT Baru,08:00\n"
        "10/11/2026,7171010101010101,,08:00\n",
        encoding="utf-8",
    )
    database = new_database(tmp_path)
    run(capsys, "--db", database, "ingest", str(book), "--building", BUILDING_ID)
    con = duckdb.connect(database, read_only=True)
    try:
        assert con.execute("SELECT institution FROM persons").fetchall() == [("PT Baru",)]
    finally:
        con.close()


# --- the phone normaliser: Python and the import's SQL agree -----------------------------

_phone_text = st.one_of(
    st.text(alphabet="0123456789 +-.()/", max_size=22),
    st.builds(lambda p, d, s: p + s.join([d[:3], d[3:7], d[7:]]),
              st.sampled_from(["0", "+62 ", "62", "+62 (0)", "00 62 ", "", "+1 ", "+"]),
              st.text(alphabet="0123456789", min_size=6, max_size=13), st.sampled_from(["", " ", "-", "."])),
)


_SQL_CON = duckdb.connect()
_READ_SQL = (
    f"SELECT {international_phone_sql('x')}, {nik_sql('x')} "
    "FROM (SELECT unnest($texts::VARCHAR[]) AS x, generate_subscripts($texts::VARCHAR[], 1) AS i) ORDER BY i"
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_phone_text, min_size=1, max_size=60))
def test_the_import_reads_a_phone_as_international_phone_does(texts: list[str]) -> None:
    rows = _SQL_CON.execute(_READ_SQL, {"texts": texts}).fetchall()
    assert [(r[0], r[1]) for r in rows] == [(international_phone(x), nik(x)) for x in texts]


@pytest.mark.parametrize(
    ("written", "international"),
    [("0812-3456-7890", "6281234567890"), ("+62 812 3456 7890", "6281234567890"), ("6281234567890", "6281234567890"),
     ("812 3456 7890", "6281234567890"), ("(0812) 3456.7890", "6281234567890"), ("+62 (0)812 3456 7890", "6281234567890"),
     ("0062 812 3456 7890", "6281234567890"), ("0431-862 123", "62431862123"), ("+1 415 555 0100", "14155550100"),
     ("", None), ("-", None), ("0812", None), ("abc", None), ("08123456789012345", None), ("+0812 3456 7890", None)],
)
def test_international_phone(written: str, international: str | None) -> None:
    assert international_phone(written) == international
