"""RULES "Tracing cases": the window, the snapshot, follow-up, WhatsApp, XLSX, aggregates, the command."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
from pathlib import Path

import duckdb
import openpyxl
import pytest

from lib.analytics import cases, tracing
from lib.ingest import importer
from lib.outputs import case_export
from lib.outputs.export import FORMULA_STARTS
from lib.store import db
from tests.support.cases import EVIL_NAME, NOW, ONSET, base_log, scans
from tests.support.cli import run_cli as run


@pytest.fixture
def store(tmp_path: Path) -> tuple[duckdb.DuckDBPyConnection, Path]:
    path = tmp_path / "cases.duckdb"
    con = db.connect(path)
    importer.import_file(con, base_log(tmp_path))
    yield con, path
    con.close()


def wita(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone(dt.timedelta(hours=8))).astimezone(dt.UTC)


# --- the window -------------------------------------------------------------------------------


def test_window_two_days_before_to_fourteen_after_ending_at_isolation() -> None:
    today = dt.date(2022, 2, 1)
    full = (wita(dt.date(2022, 1, 8)), wita(dt.date(2022, 1, 25)))  # 8 Jan 00:00 to 24 Jan included
    assert cases.case_window(onset=ONSET, today=today) == full
    assert cases.case_window(swab=ONSET, today=today) == full
    assert cases.case_window(onset=ONSET, isolation=dt.date(2022, 1, 15), today=today) == (
        full[0], wita(dt.date(2022, 1, 15)))  # the isolation day itself is outside
    assert cases.case_window(onset=ONSET, isolation=dt.date(2022, 1, 30), today=today) == full  # later: no change
    for kwargs, code in (
        ({"onset": dt.date(2022, 2, 2)}, "future_date"),
        ({"onset": ONSET, "isolation": dt.date(2022, 2, 2)}, "future_date"),
        ({"onset": ONSET, "isolation": dt.date(2022, 1, 8)}, "isolation_before_window"),
        ({"onset": ONSET, "isolation": dt.date(2022, 1, 7)}, "isolation_before_window"),
        ({}, "need_onset"),
        ({"onset": ONSET, "swab": ONSET}, "need_onset"),
    ):
        with pytest.raises(cases.CaseError) as error:
            cases.case_window(today=today, **kwargs)
        assert error.value.code == code


def test_case_keeps_the_same_contacts_and_grades_as_trace(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="tracer1", now=NOW)
    start, end = cases.case_window(onset=ONSET, today=NOW.date())
    expected = tracing.trace_contacts(con, "C0", start, end, audit=False, now=NOW)
    got = cases.case_contacts(con, case_id)
    assert list(got.columns) == cases.CASE_CONTACT_COLUMNS
    assert list(got["person_id"]) == list(expected["person_id"]) == ["k1", "k2a", "late", "k2b"]
    assert list(got["grade"]) == list(expected["grade"]) == ["K1", "K2", "K2", "K2"]
    assert got["overlap_minutes"].tolist() == expected["overlap_minutes"].tolist()
    assert got["area_minutes"].tolist() == expected["area_minutes"].tolist()
    assert got["last_contact"].tolist() == expected["last_contact"].tolist()
    assert set(got["status"]) == {"belum"}
    case = cases.get_case(con, case_id)
    assert (case["window_from"], case["window_to"], case["tracer"], case["person_name"]) == (
        start, end, "tracer1", "Kasus Satu")
    audit = con.execute("SELECT actor, action, subject, rows, params FROM audit_log WHERE action LIKE 'case%'").fetchall()
    assert [a[:4] for a in audit] == [("tracer1", "case_open", str(case_id), 4)]
    assert json.loads(audit[0][4])["k1"] == 1
    # Isolation on 15 January: the visit of the 20th is outside, 'late' is no contact.
    isolated = cases.open_case(con, "C0", onset=ONSET, isolation=dt.date(2022, 1, 15), actor="tracer1", now=NOW)
    assert list(cases.case_contacts(con, isolated)["person_id"]) == ["k1", "k2a", "k2b"]


def test_bad_input_writes_nothing(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    before = con.execute("SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM audit_log), "
                         "(SELECT count(*) FROM case_updates)").fetchall()
    attempts = [
        (lambda: cases.open_case(con, "NOBODY", onset=ONSET, now=NOW), "unknown_person"),
        (lambda: cases.open_case(con, "C0", onset=dt.date(2022, 1, 27), now=NOW), "future_date"),
        (lambda: cases.open_case(con, "C0", onset=ONSET, isolation=dt.date(2022, 1, 5), now=NOW),
         "isolation_before_window"),
        (lambda: cases.set_contact(con, case_id, "k1", status="sembuh"), "bad_status"),
        (lambda: cases.set_contact(con, case_id, "k1", test_result="reaktif"), "bad_test"),
        (lambda: cases.set_contact(con, case_id, "NOBODY", status="dihubungi"), "unknown_contact"),
        (lambda: cases.set_contact(con, 99, "k1", status="dihubungi"), "unknown_case"),
    ]
    for attempt, code in attempts:
        with pytest.raises(cases.CaseError) as error:
            attempt()
        assert error.value.code == code
    after = con.execute("SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM audit_log), "
                        "(SELECT count(*) FROM case_updates)").fetchall()
    assert after == before


# --- follow-up -----------------------------------------------------------------------------------


def test_status_changes_are_kept_returned_and_audited(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    opened = cases.get_case(con, case_id)["opened_at"]
    moment = opened + dt.timedelta(hours=5)
    row = cases.set_contact(con, case_id, "k1", status="dihubungi", note="sudah ditelepon", actor="ani", now=moment)
    assert (row["status"], row["note"], row["status_by"], row["status_at"]) == ("dihubungi", "sudah ditelepon", "ani", moment)
    cases.set_contact(con, case_id, "k1", test_result="positif", actor="budi", now=moment + dt.timedelta(hours=1))
    cases.set_contact(con, case_id, "k2a", status="tidak_terjangkau", actor="ani", now=moment)
    got = cases.case_contacts(con, case_id).set_index("person_id")
    # A test result alone leaves the status and the note as they were.
    assert (got.loc["k1", "status"], got.loc["k1", "test_result"], got.loc["k1", "note"]) == (
        "dihubungi", "positif", "sudah ditelepon")
    assert got.loc["k1", "status_by"] == "budi"
    assert got.loc["k2a", "status"] == "tidak_terjangkau"
    audit = con.execute(
        "SELECT actor, subject, params FROM audit_log WHERE action = 'case_contact_set' ORDER BY rowid").fetchall()
    assert [(a, s) for a, s, _ in audit] == [("ani", "k1"), ("budi", "k1"), ("ani", "k2a")]
    second = json.loads(audit[1][2])
    assert second["test_result"] == {"old": None, "new": "positif"}
    assert second["status"] == {"old": "dihubungi", "new": "dihubungi"}
    progress = cases.case_progress(con, case_id)
    assert (progress.k1, progress.k1_reached, progress.k2, progress.k2_reached, progress.k2_unreachable) == (1, 1, 3, 0, 1)
    assert progress.hours_to_first_contact == [pytest.approx(5.0)]


def test_two_tracers_at_once_both_audited_the_later_stands(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def change(actor: str, status: str) -> None:
        cursor = con.cursor()
        try:
            barrier.wait()
            cases.set_contact(cursor, case_id, "k2a", status=status, note=f"oleh {actor}", actor=actor)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            cursor.close()

    threads = [threading.Thread(target=change, args=a) for a in (("ani", "dihubungi"), ("budi", "karantina"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    updates = con.execute("SELECT changed_by, status FROM case_updates ORDER BY changed_at").fetchall()
    assert sorted(updates) == [("ani", "dihubungi"), ("budi", "karantina")]
    audited = con.execute("SELECT actor FROM audit_log WHERE action = 'case_contact_set'").fetchall()
    assert sorted(a for (a,) in audited) == ["ani", "budi"]
    later_by, later_status = updates[-1]
    row = cases.case_contacts(con, case_id).set_index("person_id").loc["k2a"]
    assert (row["status"], row["status_by"], row["note"]) == (later_status, later_by, f"oleh {later_by}")


def test_refresh_shows_what_changed_and_keeps_follow_up(store: tuple, tmp_path: Path) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    cases.set_contact(con, case_id, "k2a", status="dihubungi", actor="ani")
    importer.import_file(con, scans(tmp_path, "more.csv", [
        ["2022-01-10 08:00", "new", "kw", "in", "", "Baru", "081377776666"],
        ["2022-01-10 09:00", "new", "kw", "out", "", "", ""],
    ]))
    result = cases.refresh_case(con, case_id, actor="ani", now=NOW)
    assert (result.added, result.removed, result.regraded) == (["new"], [], [])
    got = cases.case_contacts(con, case_id).set_index("person_id")
    assert got.loc["k2a", "status"] == "dihubungi" and got.loc["new", "status"] == "belum"
    assert con.execute("SELECT count(*) FROM audit_log WHERE action = 'case_refresh'").fetchall()[0][0] == 1


def test_positive_contact_opens_a_linked_case_shown_as_a_tree(store: tuple) -> None:
    con, _ = store
    first = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    other = cases.open_case(con, "k2a", swab=ONSET, actor="t", now=NOW)
    cases.set_contact(con, first, "k1", status="karantina", test_result="positif", actor="t")
    child = cases.open_case(con, "k1", swab=dt.date(2022, 1, 12), actor="t", now=NOW)
    listed = cases.list_cases(con)
    assert list(zip(listed["case_id"], listed["depth"], strict=True)) == [(other, 0), (first, 0), (child, 1)]
    assert int(listed.set_index("case_id").loc[child, "parent_case_id"]) == first
    cases.close_case(con, first, actor="t")
    with pytest.raises(cases.CaseError) as error:
        cases.set_contact(con, first, "k1", status="selesai")
    assert error.value.code == "case_closed"


# --- WhatsApp ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("phone", "number"), [
    ("081234567890", "6281234567890"),
    ("+62 812-3456-7890", "6281234567890"),
    ("6281234567890", "6281234567890"),
    ("81234567890", "6281234567890"),
    ("0812.3456.789", "628123456789"),
    ("(0812) 3456 7890", "6281234567890"),
    ("021555123", None),  # a landline
    ("+1 415 555 0100", None),  # not Indonesian
    ("0812-ABC", None),
    ("0812", None),  # too short
    ("", None),
    (None, None),
])
def test_phones_are_normalised_for_whatsapp(phone: str | None, number: str | None) -> None:
    assert cases.normalize_phone(phone) == number


def test_whatsapp_links_carry_the_number_and_the_grade_message(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    links = cases.case_contacts(con, case_id).set_index("person_id")["whatsapp"]
    assert links["k1"].startswith("https://wa.me/6281234567890?text=")
    assert "karantina" in links["k1"] and "Kontak%20Ruang" in links["k1"] and "10%2F01%2F2022" in links["k1"]
    assert links["k2a"].startswith("https://wa.me/6281211112222?text=") and "pantau%20kesehatan" in links["k2a"]
    assert links["late"].startswith("https://wa.me/6285299998888?text=")
    assert links["k2b"] == ""  # a landline: no link
    assert cases.set_message_template(con, "K2", "Halo {nama}, mohon cek kesehatan.", actor="admin")
    links = cases.case_contacts(con, case_id).set_index("person_id")["whatsapp"]
    assert links["k2a"] == "https://wa.me/6281211112222?text=Halo%20Kontak%20Gedung%2C%20mohon%20cek%20kesehatan."
    assert con.execute("SELECT actor, subject FROM audit_log WHERE action = 'setting_change'").fetchall() == [
        ("admin", "case_message:K2")]


# --- files and aggregates ---------------------------------------------------------------------------


def test_xlsx_has_summary_and_grade_sheets_and_no_formula(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    cases.set_contact(con, case_id, "k1", status="karantina", test_result="negatif", note="=1+1", actor="t")
    cases.set_contact(con, case_id, "k2a", status="tidak_terjangkau", actor="t")
    data, rows = case_export.case_xlsx_bytes(con, case_id, "id")
    assert rows == 4
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Ringkasan", "K1", "K2"]
    k1 = [[c.value for c in r] for r in book["K1"].iter_rows()]
    assert k1[0] == ["ID", "Nama", "No. HP", "Kategori", "Unit kerja", "Ruang", "Tanggal kontak terakhir", "Menit",
                     "Status", "Hasil tes"]
    assert k1[1][0] == "k1" and k1[1][2] == "'+62 812-3456-7890" and k1[1][7] == 60.0
    assert k1[1][8:] == ["karantina", "negatif"]
    k2 = list(book["K2"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in k2] == ["k2a", "late", "k2b"]
    assert [r[8] for r in k2] == ["tidak_terjangkau", "belum", "belum"]  # the codes `case set` takes
    for sheet in book:
        for line in sheet.iter_rows():
            for cell in line:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
                assert not (isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS)), cell.value
    k2b = next(r for r in book["K2"].iter_rows(min_row=2, values_only=True) if r[0] == "k2b")
    assert k2b[1] == "'" + EVIL_NAME


def test_leadership_sees_counts_without_names(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    opened = cases.get_case(con, case_id)["opened_at"]
    cases.set_contact(con, case_id, "k1", status="dihubungi", actor="t", now=opened + dt.timedelta(hours=30))
    summary = cases.leadership_summary(con)
    assert list(summary.columns) == cases.LEADERSHIP_COLUMNS
    row = summary.iloc[0]
    assert (row["cases"], row["contacts"], row["k1"]) == (1, 4, 1)
    assert (row["k1_reached_24h"], row["k1_reached_72h"]) == (0.0, 1.0)
    text = summary.to_csv(header=False, index=False)
    for personal in ("C0", "k1", "Kasus Satu", "Kontak", "0812", "6281"):
        assert personal not in text


# --- the command line ------------------------------------------------------------------------------------


def test_case_commands(store: tuple, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    con, path = store
    con.close()
    database = ["--db", str(path), "--lang", "en"]
    code, out, _ = run(capsys, *database, "case", "open", "--person", "C0", "--onset", "2022-01-10", "--tracer", "ani")
    assert code == 0
    assert out.splitlines() == [
        "case_id,person_id,window_from,window_to,k1,k2",
        "1,C0,2022-01-08T00:00:00+08:00,2022-01-25T00:00:00+08:00,1,3",
    ]
    code, out, _ = run(capsys, *database, "case", "open", "--person", "C0", "--swab", "10/01/2022",
                       "--isolation", "2022-01-15", "--min-overlap", "15", "--tail", "0")
    assert out.splitlines()[1] == "2,C0,2022-01-08T00:00:00+08:00,2022-01-15T00:00:00+08:00,1,2"
    code, out, _ = run(capsys, *database, "case", "set", "1", "--contact", "k1", "--status", "dihubungi",
                       "--test", "positif", "--note", "ditelepon")
    assert code == 0
    code, out, _ = run(capsys, *database, "case", "contacts", "1")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == cases.CASE_CONTACT_COLUMNS
    assert {k: rows[0][k] for k in ("person_id", "grade", "area_minutes", "status", "test_result", "note")} == {
        "person_id": "k1", "grade": "K1", "area_minutes": "60.0", "status": "dihubungi", "test_result": "positif",
        "note": "ditelepon"}
    assert rows[0]["status_at"].endswith("+08:00") and rows[0]["status_by"]
    assert rows[0]["whatsapp"].startswith("https://wa.me/6281234567890?text=")
    assert [r["whatsapp"] for r in rows if r["person_id"] == "k2b"] == [""]
    # The same graded columns as `trace` over the case's window.
    code, traced, _ = run(capsys, *database, "trace", "--person", "C0", "--from", "2022-01-08", "--to", "2022-01-24")
    traced_rows = list(csv.DictReader(io.StringIO(traced)))
    assert [{k: r[k] for k in tracing.CONTACT_COLUMNS} for r in rows] == traced_rows
    code, out, _ = run(capsys, *database, "case", "list")
    listed = list(csv.DictReader(io.StringIO(out)))
    assert [(r["case_id"], r["tracer"], r["k1"], r["k1_reached"], r["k2"]) for r in listed][-1] == ("1", "ani", "1", "1", "3")
    target = tmp_path / "kasus.xlsx"
    code, _, err = run(capsys, *database, "case", "export", "1", "--out", str(target))
    assert code == 0 and "kasus.xlsx" in err
    exported = openpyxl.load_workbook(target)
    assert exported.sheetnames == ["Summary", "K1", "K2"]
    assert [r[0] for r in exported["K1"].iter_rows(values_only=True)][:1] == ["ID"]
    assert list(exported["K1"].iter_rows(min_row=2, values_only=True))[0][8:] == ("dihubungi", "positif")
    code, out, _ = run(capsys, *database, "case", "close", "1")
    assert code == 0 and out.splitlines() == ["case_id,status", "1,closed"]
    con = db.connect(path)
    actions = [a for (a,) in con.execute("SELECT action FROM audit_log WHERE action LIKE 'case%' ORDER BY rowid").fetchall()]
    con.close()
    assert actions == ["case_open", "case_open", "case_contact_set", "case_view", "case_export", "case_close"]


@pytest.mark.parametrize(("args", "message"), [
    (["case", "open", "--person", "NOBODY", "--onset", "2022-01-10"], "unknown person: NOBODY"),
    (["case", "open", "--person", "C0", "--onset", "2999-01-01"], "after today"),
    (["case", "open", "--person", "C0", "--onset", "2022-01-10", "--isolation", "2022-01-01"], "isolation date"),
    (["case", "open", "--person", "C0"], "exactly one"),
    (["case", "open", "--person", "C0", "--onset", "kemarin"], "not a date"),
    (["case", "set", "1", "--contact", "k1", "--status", "sembuh"], "unknown status: sembuh"),
    (["case", "set", "1", "--contact", "k1", "--test", "reaktif"], "unknown test result"),
    (["case", "set", "1", "--contact", "k1"], "nothing to change"),
    (["case", "set", "1", "--contact", "NOBODY", "--status", "selesai"], "not a contact"),
    (["case", "contacts", "7"], "unknown case: 7"),
    (["case", "export", "1", "--out", "kasus.csv"], ".xlsx"),
    (["case", "close", "x"], "unknown case"),
])
def test_case_bad_input_one_line_nothing_written(
    store: tuple, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    con, path = store
    cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    con.close()
    code, out, err = run(capsys, "--db", str(path), "--lang", "en", *args)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1
    con = db.connect(path)
    assert con.execute("SELECT count(*) FROM cases").fetchall()[0][0] == 1
    assert con.execute("SELECT count(*) FROM case_updates").fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) FROM audit_log WHERE action LIKE 'case%'").fetchall()[0][0] == 1
