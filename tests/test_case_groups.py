"""Issue 23, a case at scale (RULES "Tracing cases"): group actions, the broadcast file, the
priority order and the work queue, grouped counts and paging, K2 in the leadership summary.

The store is tests/support/cases.py's (base_log): C0 the case; k1 with C0 in the meeting room (K1); k2a, k2b
(landline: no usable phone, a name that is a formula) and 'late' (ten days later) in the building (K2).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from lib.analytics import cases
from lib.core import i18n
from lib.ingest import importer
from lib.outputs import broadcast
from lib.store import db
from tests.support.cases import EVIL_NAME, NOW, ONSET, base_log
from tests.support.cli import run_cli as run

K2_IDS = {"k2a", "k2b", "late"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    path = tmp_path / "groups.duckdb"
    con = db.connect(path)
    importer.import_file(con, base_log(tmp_path))
    yield con, path
    con.close()


def statuses(con: duckdb.DuckDBPyConnection, case_id: int) -> dict[str, str]:
    frame = cases.case_contacts(con, case_id)
    return dict(zip(frame["person_id"], frame["status"], strict=True))


def audit_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT actor, action, subject, params, rows FROM audit_log WHERE action = 'case_contact_set' ORDER BY rowid"
    ).fetchall()


# --- group actions ----------------------------------------------------------------------------------


def test_a_whole_grade_changes_in_one_audited_step_and_k1_stays(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    moment = NOW + dt.timedelta(hours=2)
    result = cases.set_contacts(con, case_id, cases.Selection(grade="K2"), status="dihubungi",
                                note="pesan siaran", actor="ani", now=moment)
    assert set(result.person_ids) == K2_IDS and result.count == 3
    assert statuses(con, case_id) == {"k1": "belum", "k2a": "dihubungi", "k2b": "dihubungi", "late": "dihubungi"}
    contacts = cases.case_contacts(con, case_id).set_index("person_id")
    assert set(contacts.loc[list(K2_IDS), "status_by"]) == {"ani"}
    assert set(contacts.loc[list(K2_IDS), "note"]) == {"pesan siaran"}
    assert cases.hours_to_first_contact(con, case_id) == {p: pytest.approx(2.0) for p in K2_IDS}
    # One audit record for the group: its count and ids; one history row per contact.
    [(actor, _, subject, params, rows)] = audit_rows(con)
    recorded = json.loads(params)
    assert (actor, subject, rows) == ("ani", str(case_id), 3)
    assert recorded["count"] == 3 and set(recorded["ids"]) == K2_IDS and recorded["group"] == {"grade": "K2"}
    assert recorded["status"] == "dihubungi"
    history = con.execute("SELECT person_id, changed_by, status FROM case_updates ORDER BY person_id").fetchall()
    assert history == [(p, "ani", "dihubungi") for p in sorted(K2_IDS)]


def test_a_filtered_selection_by_room_day_and_unit(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    room = cases.set_contacts(con, case_id, cases.Selection(area="Rapat"), test_result="negatif", actor="t")
    assert room.person_ids == ["k1"]
    day = cases.set_contacts(con, case_id, cases.Selection(day=dt.date(2022, 1, 20)), status="tidak_terjangkau",
                             actor="t")
    assert day.person_ids == ["late"]
    no_unit = cases.set_contacts(con, case_id, cases.Selection(grade="K2", unit="", status="belum"),
                                 status="karantina", actor="t")
    assert set(no_unit.person_ids) == {"k2a", "k2b"}  # 'late' is tidak_terjangkau now
    assert statuses(con, case_id) == {"k1": "belum", "k2a": "karantina", "k2b": "karantina",
                                      "late": "tidak_terjangkau"}
    # A page's confirmed selection: only the ids it showed, even if the filter now takes more.
    picked = cases.set_contacts(con, case_id, cases.Selection(grade="K2"), person_ids=["k2b"], note="x", actor="t")
    assert picked.person_ids == ["k2b"]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"selection": cases.Selection(grade="K3"), "status": "dihubungi"}, "bad_grade"),
        ({"selection": cases.Selection(grade="K2"), "status": "ditelpon"}, "bad_status"),
        ({"selection": cases.Selection(status="entah"), "status": "dihubungi"}, "bad_status"),
        ({"selection": cases.Selection(grade="K2"), "test_result": "mungkin"}, "bad_test"),
        ({"selection": cases.Selection(grade="K2")}, "nothing_to_change"),
        ({"selection": cases.Selection(grade="K2", day=dt.date(2022, 1, 11)), "status": "dihubungi"},
         "empty_selection"),
        ({"person_ids": ["nobody"], "status": "dihubungi"}, "unknown_contact"),
    ],
)
def test_bad_group_actions_are_refused_and_change_nothing(store: tuple, kwargs: dict, code: str) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    before = cases.case_contacts(con, case_id)
    with pytest.raises(cases.CaseError) as caught:
        cases.set_contacts(con, case_id, actor="t", **kwargs)
    assert caught.value.code == code
    assert cases.case_contacts(con, case_id).equals(before)
    assert audit_rows(con) == [] and con.execute("SELECT count(*) FROM case_updates").fetchone() == (0,)
    for lang in ("id", "en"):  # the reason, said in both languages
        said = i18n.t(f"cases.error.{code}", lang, **caught.value.values)
        assert said and not said.startswith("cases.error")


def test_a_closed_case_refuses_a_group_action(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    cases.close_case(con, case_id, "t")
    with pytest.raises(cases.CaseError) as caught:
        cases.set_contacts(con, case_id, cases.Selection(grade="K2"), status="dihubungi", actor="t")
    assert caught.value.code == "case_closed"
    assert set(statuses(con, case_id).values()) == {"belum"} and audit_rows(con) == []
    assert i18n.t("cases.error.case_closed", "en", **caught.value.values) == f"case #{case_id} is closed"


def test_two_tracers_on_the_same_grade_both_audited_the_later_stands(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def change(actor: str, status: str) -> None:
        cursor = con.cursor()  # a connection of its own, as a second browser session has
        try:
            barrier.wait()
            cases.set_contacts(cursor, case_id, cases.Selection(grade="K2"), status=status, actor=actor)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            cursor.close()

    threads = [threading.Thread(target=change, args=a) for a in (("ani", "dihubungi"), ("budi", "tidak_terjangkau"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    records = audit_rows(con)
    assert sorted(r[0] for r in records) == ["ani", "budi"] and all(r[4] == 3 for r in records)
    later_actor, later_status = records[-1][0], json.loads(records[-1][3])["status"]
    contacts = cases.case_contacts(con, case_id)
    k2 = contacts[contacts["grade"] == "K2"]
    assert set(k2["status"]) == {later_status} and set(k2["status_by"]) == {later_actor}
    assert contacts.set_index("person_id").loc["k1", "status"] == "belum"


# --- the broadcast -----------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "(0812) 3456.7890"])
def test_every_written_form_of_a_mobile_number_becomes_62(phone: str) -> None:
    assert cases.normalize_phone(phone) == "6281234567890"


def test_broadcast_lists_exactly_the_grade_with_a_phone_and_the_rest_apart(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    made = broadcast.build_broadcast(con, case_id, "K2")
    rows = list(csv.DictReader(io.StringIO(made.data.decode("utf-8"))))
    assert list(rows[0]) == ["person_id", "name", "phone", "message"]  # no byte-order mark before the header
    assert {r["person_id"]: r["phone"] for r in rows} == {"k2a": "6281211112222", "late": "6285299998888"}
    by_id = {r["person_id"]: r for r in rows}
    assert by_id["k2a"]["message"].startswith("Halo Kontak Gedung,") and "10/01/2022" in by_id["k2a"]["message"]
    assert "Datang Belakangan" in by_id["late"]["message"] and "20/01/2022" in by_id["late"]["message"]
    assert "gedung yang sama" in by_id["k2a"]["message"]  # the K2 message, in Indonesian
    assert list(made.no_phone["person_id"]) == ["k2b"]
    no_phone = list(csv.reader(io.StringIO(broadcast.no_phone_csv(made).decode("utf-8-sig"))))
    assert no_phone[1][:2] == ["k2b", "'" + EVIL_NAME]  # formula-safe as every export
    k1 = broadcast.build_broadcast(con, case_id, "K1")
    assert list(k1.sendable["phone"]) == ["6281234567890"] and "ruangan yang sama" in k1.sendable["message"][0]


def test_broadcast_file_is_formula_safe(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    con.execute("UPDATE case_contacts SET name = '=HYPERLINK(\"http://x\")' WHERE person_id = 'k2a'")
    made = broadcast.build_broadcast(con, case_id, "K2")
    rows = {r["person_id"]: r for r in csv.DictReader(io.StringIO(made.data.decode("utf-8-sig")))}
    assert rows["k2a"]["name"] == "'=HYPERLINK(\"http://x\")"
    assert not rows["k2a"]["message"].startswith("=")


def test_a_grade_without_phones_says_so_and_makes_no_file(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    con.execute("UPDATE case_contacts SET phone = NULL WHERE grade = 'K2'")
    with pytest.raises(cases.CaseError) as caught:
        broadcast.build_broadcast(con, case_id, "K2")
    assert caught.value.code == "no_phones" and caught.value.values["without"] == 3
    assert "K2" in i18n.t("cases.error.no_phones", "en", **caught.value.values)
    with pytest.raises(cases.CaseError, match="bad_grade"):
        broadcast.build_broadcast(con, case_id, "K9")


def test_confirming_the_broadcast_marks_its_contacts_reached_once(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    cases.set_contact(con, case_id, "k2a", status="karantina", actor="t")
    made = broadcast.build_broadcast(con, case_id, "K2")
    assert statuses(con, case_id)["late"] == "belum"  # making the file marks nobody
    broadcast.record_broadcast(con, made, "ani")
    exported = con.execute("SELECT subject, params, rows FROM audit_log WHERE action = 'case_export'").fetchall()
    assert exported[0][0] == str(case_id) and json.loads(exported[0][1])["format"] == "broadcast_csv"
    assert exported[0][2] == 2
    result = cases.mark_broadcast_sent(con, case_id, made.person_ids, "ani")
    assert result.person_ids == ["late"]  # k2a is further on (karantina) and stays so; k2b had no phone
    assert statuses(con, case_id) == {"k1": "belum", "k2a": "karantina", "k2b": "belum", "late": "dihubungi"}
    assert json.loads(audit_rows(con)[-1][3])["via"] == "broadcast"


# --- priority and the work queue ----------------------------------------------------------------------


def test_priority_k1_first_unreached_first_then_longest_together(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    cases.set_contact(con, case_id, "k2a", status="dihubungi", actor="t")
    ordered = cases.in_priority_order(cases.case_contacts(con, case_id))
    # k2a (150 min in the building) was reached: it goes after k2b (60) and late (120).
    assert list(ordered["person_id"]) == ["k1", "late", "k2b", "k2a"]


def test_work_queue_puts_tests_due_and_unreached_after_a_day_on_top(store: tuple) -> None:
    con, _ = store
    opened = dt.datetime(2022, 1, 11, 1, 0, tzinfo=dt.UTC)  # 11 January 09:00 WITA
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", tracer="ani", now=opened)

    def queue(at: dt.datetime, tracer: str = "ani") -> list[tuple[str, str]]:
        frame = cases.work_queue(con, tracer, now=at)
        return list(zip(frame["person_id"], frame["reason"], strict=True))

    # An hour in: k1's entry test is due; the K2 wait, in priority order.
    assert queue(opened + dt.timedelta(hours=1)) == [
        ("k1", "test_entry"), ("k2a", ""), ("late", ""), ("k2b", "")]
    assert queue(opened, tracer="budi") == []  # only the tracer's own cases
    cases.set_contact(con, case_id, "k1", status="karantina", test_result="negatif", actor="ani",
                      now=opened + dt.timedelta(hours=2))
    cases.set_contact(con, case_id, "k2a", status="dihubungi", actor="ani", now=opened + dt.timedelta(hours=3))
    # A day later the K2 not yet reached are on top; k1 (tested, in quarantine) is not in the queue.
    assert queue(opened + dt.timedelta(hours=25)) == [("late", "not_reached"), ("k2b", "not_reached")]
    # The 13th day after k1's last contact (10 January): the exit test is due, at the top.
    exit_day = dt.datetime(2022, 1, 23, 1, 0, tzinfo=dt.UTC)
    assert cases.exit_test_day(cases.case_contacts(con, case_id).set_index("person_id").loc["k1", "last_contact"]) \
        == dt.date(2022, 1, 23)
    assert queue(exit_day)[0] == ("k1", "test_exit")
    assert queue(exit_day - dt.timedelta(days=1))[0] == ("late", "not_reached")  # 22 January: not yet
    cases.set_contact(con, case_id, "k1", test_result="negatif", actor="ani", now=exit_day)
    assert "k1" not in dict(queue(exit_day + dt.timedelta(hours=1)))
    cases.close_case(con, case_id, "ani")
    assert queue(exit_day) == []  # a closed case leaves the queue


# --- grouped counts, paging, the leadership summary ----------------------------------------------------


def test_contacts_grouped_by_day_and_unit_with_counts(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    cases.set_contact(con, case_id, "k2a", status="dihubungi", actor="t")
    contacts = cases.case_contacts(con, case_id)
    by_day = cases.contact_groups(contacts, "day")
    assert [tuple(r) for r in by_day.itertuples(index=False)] == [
        (dt.date(2022, 1, 10), 3, 1, 0, 2), (dt.date(2022, 1, 20), 1, 0, 0, 1)]
    by_unit = cases.contact_groups(contacts[contacts["grade"] == "K2"], "unit")
    assert [tuple(r) for r in by_unit.itertuples(index=False)] == [("", 3, 1, 0, 2)]
    rows, pages = cases.page_of(by_unit.loc[[0] * 120].reset_index(drop=True), 3)
    assert (len(rows), pages) == (20, 3)
    assert cases.page_of(contacts, 9, size=3)[0].equals(contacts.iloc[3:4])  # clamped to the last page


def test_leadership_sees_k2_reached_next_to_k1(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    opened = cases.get_case(con, case_id)["opened_at"]
    cases.set_contacts(con, case_id, cases.Selection(grade="K2", day=dt.date(2022, 1, 10)), status="dihubungi",
                       actor="t", now=opened + dt.timedelta(hours=5))
    cases.set_contact(con, case_id, "late", status="dihubungi", actor="t", now=opened + dt.timedelta(hours=50))
    row = cases.leadership_summary(con).iloc[0]
    assert (row["k1"], row["k2"]) == (1, 3)
    assert row["k1_reached_24h"] == 0.0
    assert (row["k2_reached_24h"], row["k2_reached_72h"]) == (pytest.approx(2 / 3), 1.0)


# --- the command line ----------------------------------------------------------------------------------


def test_case_set_grade_and_broadcast_commands(store: tuple, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    con, path = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    con.close()
    base = ["--db", str(path)]
    out = tmp_path / "k2.csv"
    code, _, err = run(capsys, *base, "case", "broadcast", str(case_id), "--grade", "K2", "--out", str(out))
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["person_id"] for r in rows] == ["k2a", "late"] and all(r["phone"].startswith("628") for r in rows)
    assert all(r["message"] for r in rows)
    assert "k2b" in err and "1" in err  # the contact without a usable phone, listed apart
    code, _, err = run(capsys, *base, "case", "set", str(case_id), "--grade", "K2", "--status", "dihubungi")
    assert code == 0 and f"#{case_id}: 3 kontak diubah" in err
    for args, expected in (
        (("case", "set", str(case_id), "--grade", "K3", "--status", "dihubungi"), "tingkat tidak dikenal: K3"),
        (("case", "set", str(case_id), "--grade", "K1", "--status", "ditelpon"), "status tidak dikenal: ditelpon"),
        (("case", "set", str(case_id), "--status", "dihubungi"), "berikan --contact"),
        (("case", "broadcast", str(case_id), "--grade", "K2", "--out", str(tmp_path / "x.txt")), ".csv"),
    ):
        code, _, err = run(capsys, *base, *args)
        assert code != 0 and expected in err and "Traceback" not in err, err
    code, _, err = run(capsys, *base, "--lang", "en", "case", "close", str(case_id))
    code, _, err = run(capsys, *base, "--lang", "en", "case", "set", str(case_id), "--grade", "K1", "--status",
                       "dihubungi")
    assert code != 0 and f"case #{case_id} is closed" in err
    con = db.connect(path)
    try:
        final = statuses(con, case_id)
        assert final == {"k1": "belum", "k2a": "dihubungi", "k2b": "dihubungi", "late": "dihubungi"}
    finally:
        con.close()


def test_broadcast_command_for_a_grade_without_phones(store: tuple, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    con, path = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    con.execute("UPDATE case_contacts SET phone = '021555' WHERE grade = 'K1'")
    con.close()
    out = tmp_path / "k1.csv"
    code, _, err = run(capsys, "--db", str(path), "case", "broadcast", str(case_id), "--grade", "K1", "--out", str(out))
    assert code != 0 and "tidak ada kontak K1" in err and not out.exists()


def test_links_for_a_whole_list_are_the_links_one_by_one(store: tuple) -> None:
    """The list-at-once WhatsApp links (the page's hundreds of K2) say what one link says."""
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=ONSET, actor="t", now=NOW)
    frame = cases.case_contacts(con, case_id)
    frame.loc[frame["person_id"] == "late", "last_contact"] = pd.NaT
    one_by_one = [
        cases.whatsapp_link(p, cases.fill_message(cases.message_template(con, g), n, last))
        for p, g, n, last in zip(frame["phone"], frame["grade"], frame["name"], frame["last_contact"], strict=True)
    ]
    assert cases.whatsapp_links(con, frame) == one_by_one
    assert sum(bool(link) for link in one_by_one) == 3  # k2b's landline has none
