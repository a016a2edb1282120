"""How a trace names its contacts (issue 27). The trace joins ``persons`` through
``person_key`` (the lower half of each id's MD5) in its own statement; a contact whose row has
no key, or who has no row, is named by the primary key. That lookup takes id lists in index
batches. Every path gives the same answer as a plain-Python lookup.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.analytics import tracing
from lib.ingest.importer import record_events
from lib.store import backup, db
from tests.support.old_store import store_at_version

BASE = datetime(2022, 1, 3, tzinfo=UTC)

person_row = st.tuples(
    st.sampled_from(["visitor", "ASN", "THL"]),
    st.one_of(st.none(), st.text(min_size=0, max_size=8)),
    st.one_of(st.none(), st.from_regex(r"08[0-9]{4,8}", fullmatch=True)),
)


def _store_persons(con: duckdb.DuckDBPyConnection, persons: dict[str, tuple[str, str | None, str | None]]) -> None:
    con.execute("DELETE FROM persons")
    if persons:
        con.executemany(
            "INSERT INTO persons (person_id, category, name, phone) VALUES (?, ?, ?, ?)",
            [(pid, *row) for pid, row in persons.items()],
        )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    persons=st.dictionaries(st.from_regex(r"P[0-9]{1,3}", fullmatch=True), person_row, max_size=30),
    asked=st.lists(st.from_regex(r"P[0-9]{1,3}", fullmatch=True), max_size=30),
)
def test_contact_details_match_a_plain_lookup(
    con: duckdb.DuckDBPyConnection, persons: dict[str, tuple[str, str | None, str | None]], asked: list[str]
) -> None:
    _store_persons(con, persons)
    contacts = pd.DataFrame({"person_id": pd.Series(list(dict.fromkeys(asked)), dtype="object"),
                             "order": range(len(dict.fromkeys(asked)))})

    got = tracing._with_person_details(con, contacts)

    # The contacts' order is kept; a person missing from `persons` reads as a nameless visitor.
    assert list(got["person_id"]) == list(contacts["person_id"])
    assert list(got["order"]) == list(contacts["order"])
    for row in got.itertuples():
        category, name, phone = persons.get(row.person_id, ("visitor", None, None))
        assert row.category == category
        assert (None if pd.isna(row.name) else row.name) == name
        assert (None if pd.isna(row.phone) else row.phone) == phone


@pytest.mark.parametrize(("scan_ratio", "in_transaction"), [
    (0, False),  # in index batches, half of them by a second cursor in a thread
    (0, True),  # in index batches on the caller's connection: a cursor would not see its writes
    (10**6, False),  # by one scan
])
def test_more_contacts_than_one_index_lookup_takes(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch, scan_ratio: int, in_transaction: bool
) -> None:
    monkeypatch.setattr(tracing, "_SCAN_RATIO", scan_ratio)
    count = tracing._LOOKUP_BATCH * 2 + 7
    if in_transaction:
        con.execute("BEGIN TRANSACTION")
    con.execute(
        "INSERT INTO persons (person_id, name, category, phone) "
        "SELECT 'P' || i, 'Name ' || i, 'ASN', '0812' || i FROM range(?) t(i)", [count]
    )
    ids = [f"P{i}" for i in range(count - 1, -1, -1)] + ["nobody"]
    got = tracing._with_person_details(con, pd.DataFrame({"person_id": ids}))
    assert list(got["person_id"]) == ids
    assert list(got["name"][:-1]) == [f"Name {i}" for i in range(count - 1, -1, -1)]
    assert pd.isna(got["name"].iloc[-1])
    assert list(got["category"]) == ["ASN"] * count + ["visitor"]
    if in_transaction:
        con.execute("ROLLBACK")


def test_trace_names_its_contacts(con: duckdb.DuckDBPyConnection) -> None:
    """End to end: a trace's contacts carry the stored name, phone and category; a contact
    with visits but no persons row is a nameless visitor."""
    con.execute("INSERT INTO buildings (building_id, name, timezone) VALUES ('A', 'A', 'Asia/Makassar')")
    con.execute("INSERT INTO persons (person_id, name, category, phone) VALUES "
                "('I', 'Index', 'ASN', '0811'), ('C1', 'Sélly', 'THL', '0812')")
    for person in ("I", "C1", "C2"):
        con.execute(
            "INSERT INTO visits (person_id, building, checkin_at, checkout_at, checkout_kind, auto_close_at, "
            "category) VALUES (?, 'A', ?, ?, 'scan', ?, 'visitor')",
            [person, BASE, BASE + timedelta(hours=1), BASE + timedelta(hours=3)],
        )
    got = tracing.trace_contacts(con, "I", BASE, BASE + timedelta(days=1), 15, 0, now=BASE + timedelta(days=1),
                                 audit=False)
    rows = got[["person_id", "name", "category", "phone"]].astype(object)
    assert rows.where(rows.notna(), None).values.tolist() == [
        ["C1", "Sélly", "THL", "0812"], ["C2", None, "visitor", None]]


def md5_lower(person_id: str) -> int:
    """persons.person_key by hand: the MD5's last 8 bytes as a little-endian number."""
    return int.from_bytes(hashlib.md5(person_id.encode()).digest()[8:], "little")


@settings(max_examples=60, deadline=None)
@given(person_id=st.text(max_size=40))
def test_the_person_key_is_fixed_by_the_digest_not_by_duckdb(person_id: str) -> None:
    """Any id, control characters and all, gets the key a plain MD5 gives."""
    key = duckdb.connect().execute(f"SELECT {db.person_key('$p')}", {"p": person_id}).fetchall()[0][0]
    assert key == md5_lower(person_id)


def _keys(con: duckdb.DuckDBPyConnection) -> dict[str, int | None]:
    return dict(con.execute("SELECT person_id, person_key FROM persons").fetchall())


def test_the_import_and_the_migration_write_every_persons_key(tmp_path: Path) -> None:
    """New persons from an import get their key; a store made before the key gets it from
    migration 14."""
    path = tmp_path / "old.duckdb"
    old = store_at_version(path, 13)
    old.execute("INSERT INTO persons (person_id, name) VALUES ('197001012022011001', 'Selly'), ('0812 ``*x*``', NULL)")
    old.close()

    con = db.connect(path)
    assert _keys(con) == {p: md5_lower(p) for p in ("197001012022011001", "0812 ``*x*``")}
    record_events(con, [
        {"timestamp": BASE, "person_id": "THL-0042", "building": "A", "action": "in", "name": "Jeane"},
        {"timestamp": BASE, "person_id": "197001012022011001", "building": "A", "action": "in", "name": "Selly W"},
    ], source="test", actor="test")
    keys = _keys(con)
    assert set(keys) == {"197001012022011001", "0812 ``*x*``", "THL-0042"}
    assert keys == {p: md5_lower(p) for p in keys}
    con.close()


def _visit(con: duckdb.DuckDBPyConnection, person: str, minutes: int) -> None:
    con.execute(
        "INSERT INTO visits (person_id, building, checkin_at, checkout_at, checkout_kind, auto_close_at, category) "
        "VALUES (?, 'A', ?, ?, 'scan', ?, 'visitor')",
        [person, BASE, BASE + timedelta(minutes=minutes), BASE + timedelta(hours=3)],
    )


def test_a_trace_names_keyed_contacts_in_its_statement_and_others_by_the_primary_key(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    con.execute("INSERT INTO buildings (building_id, name, timezone) VALUES ('A', 'A', 'Asia/Makassar')")
    con.execute("INSERT INTO persons (person_id, name, category, phone) VALUES ('case', 'Case', 'ASN', NULL), "
                "('keyed', 'Keyed Name', 'THL', '0811'), ('unkeyed', 'Written Without Key', 'ASN', '0812')")
    con.execute(f"UPDATE persons SET person_key = {db.person_key()} WHERE person_id <> 'unkeyed'")
    for person, minutes in (("case", 120), ("keyed", 90), ("unkeyed", 60), ("no-row", 30)):
        _visit(con, person, minutes)
    window = (BASE - timedelta(days=1), BASE + timedelta(days=1))
    asked: list[list[str]] = []
    by_primary_key = tracing.person_details
    monkeypatch.setattr(tracing, "person_details",
                        lambda c, ids: asked.append(list(ids)) or by_primary_key(c, ids))

    got = tracing.trace_contacts(con, "case", *window, 15, 0, now=window[1], audit=False).set_index("person_id")

    assert asked == [["unkeyed", "no-row"]]  # the keyed contact came with the trace's statement
    assert got.loc["keyed", ["name", "category", "phone"]].tolist() == ["Keyed Name", "THL", "0811"]
    assert got.loc["unkeyed", ["name", "category", "phone"]].tolist() == ["Written Without Key", "ASN", "0812"]
    assert got.loc["no-row", "category"] == "visitor" and pd.isna(got.loc["no-row", "name"])

    # Once every contact has a key, the primary key is not asked at all.
    con.execute(f"UPDATE persons SET person_key = {db.person_key()}")
    asked.clear()
    con.execute("DELETE FROM visits WHERE person_id = 'no-row'")
    again = tracing.trace_contacts(con, "case", *window, 15, 0, now=window[1], audit=False)
    assert asked == [] and set(again["person_id"]) == {"keyed", "unkeyed"}


def test_contacts_of_contacts_are_named_the_same_way(con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    con.execute("INSERT INTO buildings (building_id, name, timezone) VALUES ('A', 'A', 'Asia/Makassar')")
    con.execute("INSERT INTO persons (person_id, name, category, phone) VALUES ('case', 'Case', 'ASN', NULL), "
                "('first', 'First', 'ASN', NULL), ('keyed', 'Keyed Name', 'THL', '0811'), "
                "('unkeyed', 'Written Without Key', 'ASN', '0812')")
    con.execute(f"UPDATE persons SET person_key = {db.person_key()} WHERE person_id <> 'unkeyed'")
    # The case meets 'first' (09:00-10:00 against 09:30-11:30); the others meet only 'first', after 10:00.
    for person, start, end in (("case", 0, 60), ("first", 30, 150), ("keyed", 80, 140), ("unkeyed", 90, 140),
                               ("no-row", 100, 140)):
        con.execute(
            "INSERT INTO visits (person_id, building, checkin_at, checkout_at, checkout_kind, auto_close_at, category) "
            "VALUES (?, 'A', ?, ?, 'scan', ?, 'visitor')",
            [person, BASE + timedelta(minutes=start), BASE + timedelta(minutes=end), BASE + timedelta(hours=5)],
        )
    window = (BASE - timedelta(days=1), BASE + timedelta(days=1))
    asked: list[list[str]] = []
    by_primary_key = tracing.person_details
    monkeypatch.setattr(tracing, "person_details",
                        lambda c, ids: asked.append(list(ids)) or by_primary_key(c, ids))

    got = tracing.second_degree_contacts(con, "case", *window, 15, 0, now=window[1]).set_index("person_id")

    assert sorted(got.index) == ["keyed", "no-row", "unkeyed"] and set(got["via"]) == {"first"}
    assert asked == [["unkeyed", "no-row"]]  # 'first' and 'keyed' came with the statements
    assert got.loc["keyed", ["name", "category", "phone"]].tolist() == ["Keyed Name", "THL", "0811"]
    assert got.loc["unkeyed", ["name", "category", "phone"]].tolist() == ["Written Without Key", "ASN", "0812"]
    assert got.loc["no-row", "category"] == "visitor" and pd.isna(got.loc["no-row", "name"])


def test_a_restore_from_before_the_key_gives_every_person_one(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "live.duckdb")
    record_events(con, [{"timestamp": BASE, "person_id": "P1", "building": "A", "action": "in", "name": "Selly"}],
                  source="test", actor="test")
    backup.backup(con, tmp_path / "b.duckdb")
    side = duckdb.connect(str(tmp_path / "b.duckdb"))
    side.execute("UPDATE persons SET person_key = NULL")  # as a backup made before migration 14 holds
    side.close()

    backup.restore(con, tmp_path / "b.duckdb")

    assert _keys(con) == {"P1": md5_lower("P1")}
    con.close()
