"""RULES "Personal data": retention purge, a file that really forgets, backups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lib.analytics.visits import list_visits
from lib.ingest import importer
from lib.store import backup, db, retention
from tests.conftest import write_csv

NOW = dt.datetime(2022, 3, 1, 12, 0, tzinfo=dt.UTC)
HEADER = ["timestamp", "person_id", "building", "action", "name", "category", "phone"]


def old_and_new_log(folder: Path) -> Path:
    rows = []
    for day in (3, 4, 5):  # January: older than 30 days on 1 March
        rows += [
            [f"2022-01-0{day} 08:00", "7172012301900001", "kantor-walikota", "in", "Yohanis Lama", "tamu", "081299990001"],
            [f"2022-01-0{day} 09:30", "7172012301900001", "kantor-walikota", "out", "", "", ""],
            [f"2022-01-0{day} 08:30", "198501012010011001", "kantor-walikota", "in", "Sherly Pegawai", "ASN", "081299990002"],
            [f"2022-01-0{day} 16:00", "198501012010011001", "kantor-walikota", "out", "", "", ""],
        ]
    rows += [
        ["2022-02-25 08:30", "198501012010011001", "kantor-walikota", "in", "Sherly Baru", "ASN", ""],
        ["2022-02-25 16:00", "198501012010011001", "kantor-walikota", "out", "", "", ""],
    ]
    return write_csv(folder / "log.csv", HEADER, rows)


def figures(con) -> list[tuple]:  # type: ignore[no-untyped-def]
    """What old charts are drawn from: visits per local day, distinct persons, person-hours."""
    return con.execute(
        """SELECT CAST(checkin_at AT TIME ZONE 'Asia/Makassar' AS DATE) AS day, count(*), count(DISTINCT person_id),
                  round(sum(epoch(checkout_at - checkin_at)) / 3600, 3), count(DISTINCT category)
           FROM visits GROUP BY ALL ORDER BY ALL"""
    ).fetchall()



def test_purge_removes_old_personal_data_keeps_figures(tmp_path: Path) -> None:
    path = tmp_path / "p.duckdb"
    con = db.connect(path)
    importer.import_file(con, old_and_new_log(tmp_path))
    con.execute("INSERT INTO audit_log VALUES ('2022-01-06 00:00:00+00', 'pelacak', 'trace', '7172012301900001', '{}', 1)")
    before = figures(con)
    counts = retention.purge(con, now=NOW)
    assert counts["visits"] == 6 and counts["events"] == 12
    assert figures(con) == before
    weekly_persons = con.execute(
        "SELECT count(DISTINCT person_id) FROM visits WHERE checkin_at < '2022-01-10'"
    ).fetchall()[0][0]
    assert weekly_persons == 2  # one pseudonym per person within the week
    assert con.execute("SELECT name, phone FROM persons WHERE person_id = '198501012010011001'").fetchall() == [("Sherly Baru", None)]
    assert con.execute("SELECT count(*) FROM persons WHERE person_id = '7172012301900001'").fetchall()[0][0] == 0
    recent = list_visits(con, start=dt.datetime(2022, 2, 1, tzinfo=dt.UTC), now=NOW)
    assert list(recent.person_id) == ["198501012010011001"]
    assert retention.purge(con, now=NOW)["visits"] == 0  # twice changes nothing
    con.close()
    retention.rewrite_closed_file(path)
    content = path.read_bytes()
    for secret in (b"Yohanis Lama", b"Sherly Pegawai", b"081299990001", b"081299990002", b"7172012301900001"):
        assert secret not in content, secret
    assert b"Sherly Baru" in content  # within the period: kept
    con = db.connect(path)
    assert figures(con) == before
    con.close()


def test_purge_period_is_a_setting(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "s.duckdb")
    importer.import_file(con, old_and_new_log(tmp_path))
    db.set_setting(con, "retention_days", "90")
    assert retention.purge(con, now=NOW)["visits"] == 0
    db.set_setting(con, "retention_days", "30")
    assert retention.purge(con, now=NOW)["visits"] == 6


def test_restore_into_a_new_file_keeps_import_ids_apart(tmp_path: Path) -> None:
    """Check-in taps have import ids but no import record; a restored file must not reuse them."""
    con = db.connect(tmp_path / "live.duckdb")
    importer.import_file(con, old_and_new_log(tmp_path))
    for minute in range(3):  # taps on the check-in page: events without an import record
        importer.record_events(con, [{"timestamp": NOW - dt.timedelta(days=1, minutes=minute), "person_id": f"tap{minute}",
                                      "building": "kantor-walikota", "action": "in"}],
                               source="checkin", actor="checkin", log_import=False)
    backup.backup(con, tmp_path / "copy.duckdb")
    fresh = db.connect(tmp_path / "fresh.duckdb")
    backup.restore(fresh, tmp_path / "copy.duckdb")
    later = write_csv(tmp_path / "later.csv", HEADER[:4], [["2022-02-26 08:00", "9", "kantor-walikota", "in"]])
    summary = importer.import_file(fresh, later)
    assert (summary.events_new, summary.new_visits) == (1, 1)


def test_backup_and_restore(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "live.duckdb")
    importer.import_file(con, old_and_new_log(tmp_path))
    expected = list_visits(con, now=NOW)
    assert backup.backup(con, tmp_path / "copy.duckdb") == len(expected)
    with pytest.raises(backup.BackupError):
        backup.backup(con, tmp_path / "copy.duckdb")
    con.execute("DELETE FROM visits")
    assert backup.restore(con, tmp_path / "copy.duckdb") == len(expected)
    assert list_visits(con, now=NOW).equals(expected)
    later = write_csv(tmp_path / "later.csv", HEADER[:4], [["2022-02-26 08:00", "9", "kantor-walikota", "in"]])
    assert importer.import_file(con, later).events_new == 1  # import ids continue after a restore
    with pytest.raises(backup.BackupError):
        backup.restore(con, tmp_path / "missing.duckdb")
    (tmp_path / "junk.duckdb").write_bytes(b"not a database")
    with pytest.raises(backup.BackupError):
        backup.restore(con, tmp_path / "junk.duckdb")


def test_nightly_purge_runs_once_a_day_from_two_oclock_never_at_first_start(tmp_path: Path) -> None:
    path = tmp_path / "n.duckdb"
    con = db.connect(path)
    importer.import_file(con, old_and_new_log(tmp_path))
    con.close()
    shared = db.SharedDatabase(path)
    wita = dt.timezone(dt.timedelta(hours=8))
    first_start = dt.datetime(2022, 3, 1, 9, 0, tzinfo=wita)
    assert retention.nightly_purge(shared, now=first_start) is False
    assert retention.nightly_purge(shared, now=dt.datetime(2022, 3, 2, 1, 30, tzinfo=wita)) is False
    assert retention.nightly_purge(shared, now=dt.datetime(2022, 3, 2, 2, 5, tzinfo=wita)) is True
    assert retention.nightly_purge(shared, now=dt.datetime(2022, 3, 2, 14, 0, tzinfo=wita)) is False
    cursor = shared.cursor()
    names = {r[0] for r in cursor.execute("SELECT name FROM events WHERE name IS NOT NULL").fetchall()}
    assert names == {"Sherly Baru"}
    assert cursor.execute("SELECT actor FROM audit_log WHERE action = 'purge'").fetchall() == [("schedule",)]
    cursor.close()
    shared.close()
    assert b"Yohanis Lama" not in path.read_bytes()


def test_visit_across_the_cutoff_survives_a_later_full_repairing(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "x.duckdb")
    rows = [["2022-01-29 20:00", "S1", "pos-jaga", "in", "Penjaga Malam", "THL", "0812"],
            ["2022-01-30 07:00", "S1", "pos-jaga", "out", "", "", ""]]
    importer.import_file(con, write_csv(tmp_path / "night.csv", HEADER, rows))
    cutoff_now = dt.datetime(2022, 2, 28, 20, 0, tzinfo=dt.UTC)  # cutoff 2022-01-29 20:00 UTC: mid-visit
    retention.purge(con, now=cutoff_now)
    before = list_visits(con, now=NOW)
    assert list(before.person_id) == ["S1"]
    from lib.ingest import pairing

    with db.transaction(con):
        pairing.repair_all(con)
    assert list_visits(con, now=NOW).equals(before)
    assert con.execute("SELECT count(*) FROM events WHERE name IS NOT NULL AND ts < '2022-01-29 20:00+00'").fetchall()[0][0] == 0


def test_purge_forgets_a_case_after_its_window_and_keeps_its_counts(tmp_path: Path) -> None:
    """RULES "Tracing cases": names, phones, ids and notes of a case go once the retention
    period has passed since its window ended; grades, statuses and so the counts stay."""
    from lib.analytics import cases

    con = db.connect(tmp_path / "c.duckdb")
    importer.import_file(con, old_and_new_log(tmp_path))
    opened = dt.datetime(2022, 1, 6, 2, 0, tzinfo=dt.UTC)
    case_id = cases.open_case(con, "198501012010011001", onset=dt.date(2022, 1, 5), actor="pelacak", now=opened,
                              tracer="pelacak")
    cases.set_contact(con, case_id, "7172012301900001", status="karantina", test_result="negatif",
                      note="istri Yohanis Lama", actor="pelacak", now=opened)
    counted = cases.list_cases(con)[["k1", "k2", "k2_reached"]].to_dict("records")
    assert counted == [{"k1": 0, "k2": 1, "k2_reached": 1}]
    window_end = cases.get_case(con, case_id)["window_to"]
    # The audit records are stamped by the clock; as if written when the case was worked on.
    con.execute("UPDATE audit_log SET logged_at = ? WHERE action LIKE 'case%'", [opened])
    # The period has not passed since the window ended (20 January + 30 days): kept.
    retention.purge(con, now=window_end + dt.timedelta(days=29))
    assert cases.case_contacts(con, case_id)["name"].tolist() == ["Yohanis Lama"]
    counts = retention.purge(con, now=window_end + dt.timedelta(days=31))
    assert (counts["cases"], counts["case_contacts"], counts["case_updates"]) == (1, 1, 1)
    stored = con.execute("SELECT person_id, person_name, notes, purged_at IS NOT NULL FROM cases").fetchall()
    assert stored == [(None, None, None, True)]
    contacts = con.execute("SELECT person_id, name, phone, note, grade, status, test_result FROM case_contacts").fetchall()
    assert contacts == [(None, None, None, None, "K2", "karantina", "negatif")]
    assert con.execute("SELECT person_id, note FROM case_updates").fetchall() == [(None, None)]
    assert cases.list_cases(con)[["k1", "k2", "k2_reached"]].to_dict("records") == counted
    assert cases.leadership_summary(con)["contacts"].tolist() == [1]
    audit_subjects = con.execute("SELECT subject, params FROM audit_log WHERE action LIKE 'case%'").fetchall()
    assert all(s.startswith(retention.PSEUDONYM_PREFIX) and p is None for s, p in audit_subjects)
    assert retention.purge(con, now=window_end + dt.timedelta(days=32))["cases"] == 0  # twice changes nothing
    con.close()


def test_audit_log_after_the_period_keeps_every_event_but_no_id_name_or_phone(tmp_path: Path) -> None:
    """RULES "Personal data": every audited look at a person (trace, search by name or phone,
    case work, export, a marshal's roll-call tick) stays in the log after the period, with
    who and when, but the NIK, name and phone of the person are gone from it."""
    import json

    from lib.analytics import cases, tracing
    from lib.store import ticks

    con = db.connect(tmp_path / "a.duckdb")
    importer.import_file(con, old_and_new_log(tmp_path))
    nik, name, phone = "7172012301900001", "Yohanis Lama", "081299990001"
    january = dt.datetime(2022, 1, 3, tzinfo=dt.UTC), dt.datetime(2022, 1, 6, tzinfo=dt.UTC)
    tracing.trace_contacts(con, nik, *january, actor="pelacak")
    tracing.second_degree_contacts(con, nik, *january, actor="pelacak")
    for typed in (name, phone, nik):
        tracing.search_persons(con, typed, actor="pelacak")
    opened = dt.datetime(2022, 1, 6, 2, 0, tzinfo=dt.UTC)
    case_id = cases.open_case(con, nik, onset=dt.date(2022, 1, 5), actor="pelacak", now=opened)
    cases.view_case(con, case_id, actor="pelacak")
    cases.set_contact(con, case_id, "198501012010011001", status="dihubungi", note=f"telp {phone}", actor="pelacak",
                      now=opened)
    cases.record_export(con, case_id, actor="pelacak", file_format="xlsx", rows=1)
    cases.close_case(con, case_id, actor="pelacak", now=opened)
    rollcall = ticks.start_rollcall(con, opened, "kantor-walikota", actor="marsekal")
    ticks.set_tick(con, rollcall, "kantor-walikota", nik, True, actor="marsekal")
    ticks.set_tick(con, rollcall, "kantor-walikota", nik, False, actor="marsekal")
    with db.transaction(con):  # what the tracing page writes on a download (pages/tracing.py)
        db.write_audit(con, "pelacak", "export_trace", nik, json.dumps({"person_id": nik, "format": "csv"}), 1)
    # Audit records are stamped by the clock: as if all of this happened in early January.
    con.execute("UPDATE audit_log SET logged_at = ?", [opened])
    before = con.execute("SELECT actor, action, rows FROM audit_log ORDER BY rowid").fetchall()

    retention.purge(con, now=NOW)

    after = con.execute("SELECT actor, action, rows FROM audit_log WHERE action <> 'purge' ORDER BY rowid").fetchall()
    assert after == before  # every event is still there: who did what, when, how many rows
    leftovers = con.execute(
        "SELECT action, subject, params FROM audit_log WHERE "
        "concat_ws('|', subject, params) ILIKE ? OR concat_ws('|', subject, params) ILIKE ? "
        "OR concat_ws('|', subject, params) ILIKE ?",
        [f"%{nik}%", f"%{name}%", f"%{phone}%"],
    ).fetchall()
    assert leftovers == []
    # The person searched for is the pseudonym old visits get (same key, same function).
    key = retention.get_secret("pseudonym_key")
    expected = con.execute(
        f"SELECT {retention._pseudonym_sql('?', 'CAST(? AS TIMESTAMPTZ)', key)}", [nik, opened]
    ).fetchall()[0][0]
    subjects = {s for (s,) in con.execute("SELECT subject FROM audit_log WHERE action IN ('trace', 'rollcall_tick')").fetchall()}
    assert subjects == {expected}
    con.close()


def test_audit_log_within_the_period_keeps_whom_was_searched(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "b.duckdb")
    with db.transaction(con):
        db.write_audit(con, "marsekal", "rollcall_tick", "7172012301900001", '{"rollcall": 1}', 1)
    con.execute("UPDATE audit_log SET logged_at = ?", [NOW - dt.timedelta(days=29)])
    retention.purge(con, now=NOW)
    assert con.execute("SELECT subject FROM audit_log WHERE action = 'rollcall_tick'").fetchall() == [("7172012301900001",)]
    con.close()


def test_a_guest_book_institution_goes_with_the_name_and_purpose_and_host_stay(tmp_path: Path) -> None:
    """RULES "Personal data": the institution a visitor wrote beside the name is personal
    data of the visitor and goes after the period; the visit's purpose and host stay, so the
    old weeks' figures by purpose and host still add up."""
    book = write_csv(
        tmp_path / "buku.csv",
        ["Tanggal", "Nama", "NIK", "Instansi", "Keperluan", "Bertemu Dengan", "Jam Masuk", "Jam Keluar"],
        [["05/01/2022", "Yohanis Lama", "7172012301900001", "CV Rahasia Sejahtera", "Rapat", "Bagian Umum",
          "08.15", "09.30"]],
    )
    con = db.connect(tmp_path / "p.duckdb")
    importer.import_file(con, book, building="kantor-walikota")
    retention.purge(con, now=NOW)
    kept = con.execute("SELECT purpose, host FROM visits").fetchall()
    leftovers = con.execute(
        "SELECT (SELECT count(*) FROM events WHERE institution IS NOT NULL)"
        " + (SELECT count(*) FROM persons WHERE institution IS NOT NULL)"
    ).fetchall()[0][0]
    con.close()
    assert kept == [("Rapat", "Bagian Umum")] and leftovers == 0
