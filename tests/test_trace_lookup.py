"""The trace's persons lookup by id list (issue 27): the names, phones and categories of the
contacts come from the primary key, not a join that scans ``persons``; the same answer as a
plain-Python lookup on random persons, missing ones and lists longer than one index batch.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.analytics import tracing

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
