"""The tracer's person search through its index (issue 27, ``lib.store.person_search``).

The search reads the keys the index keeps; its answers must stay those of the rules'
reading (RULES "Contact tracing": partial, case- and accent-insensitive name, id or phone;
a phone's digits alone, 62 read as 0), checked against plain Python on random persons
written through the write paths that keep the index: the persons upsert every import and
tap goes through, a second upsert that renames and re-numbers, a retention purge, a restore.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.analytics import tracing
from lib.ingest.rows import update_persons
from lib.store import backup, db, person_search, retention

BASE = datetime(2022, 1, 3, tzinfo=UTC)
LETTERS = "abcelnoSYWÉéüñ "
name_text = st.text(alphabet=LETTERS, min_size=1, max_size=10)
phone_text = st.one_of(
    st.from_regex(r"(\+62 ?|62|0)8[0-9]{2}[- ]?[0-9]{2,4}", fullmatch=True),
    st.from_regex(r"[0-9]{3,8}", fullmatch=True),
)
person_id_text = st.from_regex(r"(P|7171)[0-9]{1,4}", fullmatch=True)


def _key(text: str) -> str:
    """Lowered, accents stripped (what RULES calls case- and accent-insensitive)."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))


def reference(persons: dict[str, tuple[str | None, str | None]], query: str) -> set[str]:
    """RULES "Contact tracing", the person search, literally."""
    text = query.strip()
    if not text:
        return set()
    q = _key(text)
    digits = "".join(c for c in text if c.isdigit())
    digits0 = "0" + digits[2:] if digits.startswith("62") else digits
    found = set()
    for person_id, (name, phone) in persons.items():
        phone_digits = "".join(c for c in (phone or "") if c.isdigit())
        phone_digits0 = "0" + phone_digits[2:] if phone_digits.startswith("62") else phone_digits
        if (q in _key(name or "") or q in _key(person_id) or q in (phone or "").lower()
                or (len(digits) >= 3 and (digits in phone_digits or digits0 in phone_digits0))):
            found.add(person_id)
    return found


def _upsert(con: duckdb.DuckDBPyConnection, rows: dict[str, tuple[str | None, str | None]], at: datetime) -> None:
    """The persons upsert every import, tap and roster import goes through."""
    frame = pd.DataFrame(
        [(pid, at, name, "visitor", phone) for pid, (name, phone) in rows.items()],
        columns=["person_id", "ts", "name", "category", "phone"],
    )
    con.register("person_rows", frame)
    try:
        update_persons(con, "person_rows")
    finally:
        con.unregister("person_rows")


def _found(con: duckdb.DuckDBPyConnection, query: str) -> set[str]:
    search = tracing.search_persons(con, query, actor="t", limit=10_000, audit=False)
    assert search.total == len(search.matches)
    return set(search.matches["person_id"])


def _queries(persons: dict[str, tuple[str | None, str | None]], data: st.DataObject) -> list[str]:
    """Random texts and pieces of the stored names, ids and phones, in other cases."""
    texts = data.draw(st.lists(st.one_of(name_text, phone_text, person_id_text), max_size=3))
    for person_id, (name, phone) in list(persons.items())[:4]:
        for field in (name, phone, person_id):
            if field:
                start = data.draw(st.integers(0, len(field) - 1))
                piece = field[start:start + data.draw(st.integers(1, 6))]
                texts.append(piece.upper() if data.draw(st.booleans()) else piece)
    return texts


person_fields = st.tuples(st.one_of(st.none(), name_text), st.one_of(st.none(), phone_text))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.dictionaries(person_id_text, person_fields, max_size=12),
    second=st.dictionaries(person_id_text, person_fields, max_size=6),
    data=st.data(),
)
def test_search_matches_the_rules_after_every_upsert(
    con: duckdb.DuckDBPyConnection,
    first: dict[str, tuple[str | None, str | None]],
    second: dict[str, tuple[str | None, str | None]],
    data: st.DataObject,
) -> None:
    con.execute("DELETE FROM persons; DELETE FROM person_search")
    _upsert(con, first, BASE)
    stored = dict(first)
    for query in _queries(stored, data):
        assert _found(con, query) == reference(stored, query), query

    # Later rows rename and re-number (RULES "Words": the latest non-empty value is kept).
    _upsert(con, second, BASE + timedelta(days=1))
    for person_id, (name, phone) in second.items():
        old_name, old_phone = stored.get(person_id, (None, None))
        stored[person_id] = (name if name is not None else old_name, phone if phone is not None else old_phone)
    for query in _queries(stored, data):
        assert _found(con, query) == reference(stored, query), query


def test_a_purge_takes_names_and_phones_out_of_the_search(tmp_path: Path) -> None:
    """RULES "Personal data": after the period a person's old name and phone are gone, from
    the search too (found neither by them nor listed with them)."""
    con = db.connect(tmp_path / "p.duckdb")
    _upsert(con, {"7171001": ("Yohanis Lama", "081299990001"), "7171002": ("Sélly Baru", "081288880002")}, BASE)
    con.execute("UPDATE persons SET name_at = ?, phone_at = ? WHERE person_id = '7171002'",
                [BASE + timedelta(days=400)] * 2)
    # Both keep a recent visit, so both stay stored; only the first one's name and phone are old.
    recent = BASE + timedelta(days=190)
    for person_id in ("7171001", "7171002"):
        con.execute(
            "INSERT INTO visits (person_id, building, checkin_at, checkout_at, checkout_kind, auto_close_at, "
            "category) VALUES (?, 'A', ?, ?, 'scan', ?, 'visitor')",
            [person_id, recent, recent + timedelta(hours=1), recent + timedelta(hours=3)],
        )
    assert _found(con, "yohanis") == {"7171001"} and _found(con, "9999") == {"7171001"}

    retention.purge(con, now=BASE + timedelta(days=200))

    assert con.execute("SELECT name, phone FROM persons WHERE person_id = '7171001'").fetchall() == [(None, None)]
    assert _found(con, "yohanis") == set() and _found(con, "9999") == set()
    assert _found(con, "7171001") == {"7171001"}  # the id stays searchable, as it stays stored
    assert _found(con, "selly") == {"7171002"}
    # A person with nothing left is deleted, and gone from the search.
    con.execute("DELETE FROM visits WHERE person_id = '7171002'")
    retention.purge(con, now=BASE + timedelta(days=500))
    remaining = {row[0] for row in con.execute("SELECT person_id FROM persons").fetchall()}
    assert "7171002" not in remaining
    assert _found(con, "7171") == remaining and _found(con, "selly") == set()
    con.close()


def test_a_restore_brings_the_backups_persons_into_the_search(tmp_path: Path) -> None:
    """A backup's persons are found after a restore, also from a backup whose index is empty
    (as one made before the index is, once migrated)."""
    con = db.connect(tmp_path / "live.duckdb")
    _upsert(con, {"P1": ("Sélly Wuwung", "0812-3456")}, BASE)
    backup.backup(con, tmp_path / "b.duckdb")
    side = duckdb.connect(str(tmp_path / "b.duckdb"))
    side.execute("DELETE FROM person_search")
    side.close()
    _upsert(con, {"P2": ("Yohanis", "0813")}, BASE)
    assert _found(con, "yohanis") == {"P2"}

    backup.restore(con, tmp_path / "b.duckdb")

    assert _found(con, "selly") == {"P1"} and _found(con, "+62 812 345") == {"P1"}
    assert _found(con, "yohanis") == set()
    con.close()


def test_the_migration_fills_the_index_from_the_stored_persons(tmp_path: Path) -> None:
    """An existing store gets its index from the migration, with the keys refresh() makes."""
    con = db.connect(tmp_path / "m.duckdb")
    _upsert(con, {"P1": ("Sélly Wuwung", "+62 812-3456"), "P2": (None, None)}, BASE)
    made = con.execute("SELECT * FROM person_search ORDER BY person_id").fetchall()
    con.execute("DELETE FROM person_search")
    migration = next(script for script in db.MIGRATIONS if "CREATE TABLE person_search" in script)
    insert = migration[migration.index("INSERT INTO person_search"):]
    assert "person_search" in migration.split("INSERT")[0]
    con.execute(insert)
    assert con.execute("SELECT * FROM person_search ORDER BY person_id").fetchall() == made
    person_search.rebuild(con)
    assert con.execute("SELECT * FROM person_search ORDER BY person_id").fetchall() == made
    con.close()


def test_an_upsert_of_more_persons_than_one_index_batch_is_searchable(con: duckdb.DuckDBPyConnection) -> None:
    """A large file (more persons than DuckDB reads by the key index) reaches the index too,
    renames included."""
    count = 2500
    first = {f"P{i}": (f"Nama {i}", f"0812{i:06d}") for i in range(count)}
    _upsert(con, first, BASE)
    _upsert(con, {f"P{i}": (f"Baru {i}", None) for i in range(0, count, 7)}, BASE + timedelta(days=1))
    stored = {pid: ((f"Baru {pid[1:]}" if int(pid[1:]) % 7 == 0 else name), phone)
              for pid, (name, phone) in first.items()}
    for query in ("nama 12", "baru 14", "0812 0024", "p249"):
        assert _found(con, query) == reference(stored, query), query


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    persons=st.dictionaries(st.from_regex(r"P[0-9]{1,2}", fullmatch=True),
                            st.sampled_from(["Tumbel A", "Tumbel B", "Tumbél", None]), min_size=1, max_size=10),
    visits=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 1200)), max_size=25),
    limit=st.integers(1, 6),
)
def test_the_listed_persons_and_last_visits_match_the_whole_history(
    con: duckdb.DuckDBPyConnection, persons: dict[str, str | None], visits: list[tuple[int, int]], limit: int
) -> None:
    """The search reads the last visits window by window (30, 180, 730 days, then all); the
    page is the one the whole history gives: most recent first, never seen last, then name, id."""
    con.execute("DELETE FROM persons; DELETE FROM person_search; DELETE FROM visits")
    _upsert(con, {pid: (name, None) for pid, name in persons.items()}, BASE)
    ids = sorted(persons)
    last: dict[str, datetime] = {}
    for who, days_back in visits:
        person_id = ids[who % len(ids)]
        at = BASE + timedelta(days=1300 - days_back)
        con.execute(
            "INSERT INTO visits (person_id, building, checkin_at, checkout_at, checkout_kind, auto_close_at, "
            "category) VALUES (?, 'A', ?, ?, 'scan', ?, 'visitor')",
            [person_id, at, at + timedelta(hours=1), at + timedelta(hours=3)],
        )
        last[person_id] = max(last.get(person_id, at), at)
    matching = reference({pid: (name, None) for pid, name in persons.items()}, "tumbel")

    got = tracing.search_persons(con, "tumbel", actor="t", limit=limit, audit=False)

    never = datetime.max.replace(tzinfo=UTC)
    order = sorted(matching, key=lambda p: (last.get(p) is None, -(last.get(p, never) - BASE).total_seconds(),
                                            persons[p] or "\uffff", p))[:limit]
    assert got.total == len(matching)
    assert list(got.matches["person_id"]) == order
    assert [None if pd.isna(t) else t.to_pydatetime() for t in got.matches["last_seen"]] == [last.get(p) for p in order]
