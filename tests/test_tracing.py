"""Contact tracing (RULES "Contact tracing", "Personal data", "Command line").

The SQL is pitted against a short plain-Python reading of the rules' rule on random visits.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import cli
from lib.analytics import tracing
from lib.ingest.importer import record_events
from lib.store import db, person_search

BASE = datetime(2022, 1, 3, tzinfo=UTC)  # Monday 08:00 WITA
US = 1_000_000
MINUTE_US = 60 * US
MAX_STAY_US = 180 * MINUTE_US
INDEX = "P0"
PERSONS = ["P0", "P1", "P2", "P3", "P4"]
BUILDINGS = ["A", "B"]


def at(us: int) -> datetime:
    return BASE + timedelta(microseconds=us)


@dataclass(frozen=True)
class Visit:
    """One stored visit, times in microseconds after BASE; kind 'scan', 'auto' or 'open'."""

    person: str
    building: str
    start: int
    length: int
    kind: str

    def end(self, now: int) -> int:
        """RULES: a closed visit ends at its checkout; one still open at min(auto close, now)."""
        if self.kind == "open":
            return max(self.start, min(self.start + MAX_STAY_US, now))
        return self.start + self.length



def store(con: duckdb.DuckDBPyConnection, visits: list[Visit], names: dict[str, str] | None = None) -> None:
    """Write visits as the pairing would (checkout <= auto close = checkin + MAX_STAY)."""
    con.execute("DELETE FROM visits; DELETE FROM persons; DELETE FROM audit_log; DELETE FROM buildings")
    con.execute("INSERT INTO buildings (building_id, name, timezone) VALUES ('A', 'A', 'Asia/Makassar'), "
                "('B', 'B', 'Asia/Jakarta')")
    for person in PERSONS:
        con.execute(f"INSERT INTO persons (person_id, name, category, phone, person_key) "
                    f"VALUES ($p, $name, 'visitor', $phone, {db.person_key('$p')})",
                    {"p": person, "name": (names or {}).get(person, f"Name {person}"), "phone": f"0812{person[1:]}"})
    person_search.rebuild(con)  # written here past the import, so its search keys too (issue 27)
    rows = []
    for v in visits:
        closed = v.kind != "open"
        rows.append((v.person, v.building, at(v.start), at(v.start + v.length) if closed else None,
                     v.kind if closed else None, at(v.start + MAX_STAY_US)))
    if rows:
        con.executemany(
            "INSERT INTO visits (person_id, building, checkin_at, checkout_at, checkout_kind, auto_close_at, "
            "category) VALUES (?, ?, ?, ?, ?, ?, 'visitor')",
            rows,
        )


def reference(visits: list[Visit], index: str, start: int, end: int, min_us: int, tail: int, now: int) -> dict:
    """RULES, literally: clip index visits (+tail) to [start, end); sum same-building pair overlaps."""
    idx = []
    for v in visits:
        if v.person == index:
            s, e = max(v.start, start), min(v.end(now) + tail, end)
            if e > s:
                idx.append((v, s, e))
    found: dict[str, dict] = {}
    for w in visits:
        if w.person == index:
            continue
        for v, s, e in idx:
            overlap = min(e, w.end(now)) - max(s, w.start)
            if w.building != v.building or overlap <= 0:
                continue
            c = found.setdefault(w.person, {"us": 0, "b": set(), "first": None, "last": None, "est": False})
            c["us"] += overlap
            c["b"].add(v.building)
            first, last = max(s, w.start), min(e, w.end(now))
            c["first"] = first if c["first"] is None else min(c["first"], first)
            c["last"] = last if c["last"] is None else max(c["last"], last)
            c["est"] |= v.kind != "scan" or w.kind != "scan"
    return {p: c for p, c in found.items() if c["us"] >= min_us}


minutes = st.integers(min_value=0, max_value=24 * 60)
visit_strategy = st.builds(
    Visit,
    person=st.sampled_from(PERSONS),
    building=st.sampled_from(BUILDINGS),
    # Whole minutes plus sometimes a few seconds, so sums land on and just off the minimum.
    start=st.tuples(minutes, st.sampled_from([0, 0, 1, 30])).map(lambda t: t[0] * MINUTE_US + t[1] * US),
    length=st.tuples(st.integers(0, 180), st.sampled_from([0, 0, -1])).map(
        lambda t: max(0, t[0] * MINUTE_US + t[1] * US)
    ),
    kind=st.sampled_from(["scan", "scan", "scan", "auto", "open"]),
)


@settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    visits=st.lists(visit_strategy, min_size=1, max_size=25),
    window=st.tuples(st.integers(-60, 12 * 60), st.integers(1, 20 * 60)),
    tail_min=st.sampled_from([0.0, 0.0, 5.0, 7.5, 30.0]),
    min_overlap=st.sampled_from([15.0, 15.0, 1.0, 0.5, 30.0, 0.0]),
    now_min=st.integers(0, 26 * 60),
)
def test_trace_matches_spec_reference(
    con: duckdb.DuckDBPyConnection,
    visits: list[Visit],
    window: tuple[int, int],
    tail_min: float,
    min_overlap: float,
    now_min: int,
) -> None:
    # Automatic closes happen at MAX_STAY, as the pairing makes them.
    visits = [Visit(v.person, v.building, v.start, MAX_STAY_US, "auto") if v.kind == "auto" else v for v in visits]
    store(con, visits)
    start, end = window[0] * MINUTE_US, (window[0] + window[1]) * MINUTE_US
    now = now_min * MINUTE_US
    tail = round(tail_min * MINUTE_US)
    expected = reference(visits, INDEX, start, end, round(min_overlap * MINUTE_US), tail, now)

    got = tracing.trace_contacts(con, INDEX, at(start), at(end), min_overlap, tail_min, actor="t", now=at(now))

    assert list(got.columns) == tracing.CONTACT_COLUMNS
    assert set(got["person_id"]) == set(expected)
    order = sorted(expected, key=lambda p: (-expected[p]["us"], p))
    assert list(got["person_id"]) == order
    for row in got.itertuples():
        c = expected[row.person_id]
        assert round(row.overlap_minutes * MINUTE_US) == c["us"]
        assert row.buildings == ";".join(sorted(c["b"]))
        assert row.first_contact == at(c["first"])
        assert row.last_contact == at(c["last"])
        assert bool(row.estimated) is c["est"]
        assert row.name == f"Name {row.person_id}"

    # The timeline helpers agree with the same reading.
    pairs = tracing.contact_overlaps(con, INDEX, at(start), at(end), min_overlap, tail_min, now=at(now))
    assert set(pairs["contact_id"]) == set(expected)
    for person, c in expected.items():
        mine = pairs[pairs["contact_id"] == person]
        assert round(mine["minutes"].sum() * MINUTE_US) == c["us"]
        assert (mine["minutes"] > 0).all()
    clipped = tracing.index_visits(con, INDEX, at(start), at(end), tail_min, now=at(now))
    expected_idx = sorted(
        (at(max(v.start, start)), at(min(v.end(now) + tail, end)), v.building)
        for v in visits
        if v.person == INDEX and min(v.end(now) + tail, end) > max(v.start, start)
    )
    assert sorted(zip(clipped["start"], clipped["end"], clipped["building"], strict=True)) == expected_idx


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(visits=st.lists(visit_strategy, min_size=1, max_size=20), min_overlap=st.sampled_from([1.0, 15.0]))
def test_second_degree_matches_reference(
    con: duckdb.DuckDBPyConnection, visits: list[Visit], min_overlap: float
) -> None:
    store(con, visits)
    start, end, now = -60 * MINUTE_US, 30 * 60 * MINUTE_US, 30 * 60 * MINUTE_US
    min_us = round(min_overlap * MINUTE_US)
    first = reference(visits, INDEX, start, end, min_us, 0, now)
    expected: dict[str, dict] = {}
    for via in sorted(first):
        others = [v for v in visits if v.person not in {INDEX, *first} or v.person == via]
        for person, c in reference(others, via, start, end, min_us, 0, now).items():
            entry = expected.setdefault(person, {"us": 0, "via": []})
            entry["us"] = max(entry["us"], c["us"])
            entry["via"].append(via)

    got = tracing.second_degree_contacts(con, INDEX, at(start), at(end), min_overlap, now=at(now))

    assert list(got.columns) == tracing.SECOND_DEGREE_COLUMNS
    assert set(got["person_id"]) == set(expected)
    for row in got.itertuples():
        assert row.via == ";".join(sorted(expected[row.person_id]["via"]))
        assert round(row.overlap_minutes * MINUTE_US) == expected[row.person_id]["us"]
    audit = con.execute("SELECT action, subject, rows FROM audit_log").fetchall()
    assert audit == [("trace_second_degree", INDEX, len(expected))]


def test_minimum_overlap_is_exact_and_buildings_apart_do_not_count(con: duckdb.DuckDBPyConnection) -> None:
    visits = [
        Visit("P0", "A", 0, 60 * MINUTE_US, "scan"),
        Visit("P1", "A", 45 * MINUTE_US, 60 * MINUTE_US, "scan"),  # exactly 15 min together
        Visit("P2", "A", 45 * MINUTE_US + 1, 60 * MINUTE_US, "scan"),  # one microsecond short
        Visit("P3", "B", 0, 60 * MINUTE_US, "scan"),  # same hours, other building
        # Two short stays that add up to exactly 15 minutes.
        Visit("P4", "A", 0, 10 * MINUTE_US, "scan"),
        Visit("P4", "A", 55 * MINUTE_US, 30 * MINUTE_US, "scan"),
    ]
    store(con, visits)
    got = tracing.trace_contacts(con, "P0", at(-MINUTE_US), at(600 * MINUTE_US), now=at(10**12))
    assert list(got["person_id"]) == ["P1", "P4"]
    assert list(got["overlap_minutes"]) == [15.0, 15.0]
    assert not got["estimated"].any()


def test_zero_length_visit_shares_no_time(con: duckdb.DuckDBPyConnection) -> None:
    """A check-in and check-out in the same instant inside the case's stay is no contact moment."""
    visits = [
        Visit("P0", "A", 0, 60 * MINUTE_US, "scan"),
        Visit("P1", "A", 0, 30 * MINUTE_US, "scan"),
        Visit("P1", "A", 50 * MINUTE_US, 0, "auto"),  # zero length, automatic: must not mark estimated
    ]
    store(con, visits)
    window = (at(0), at(600 * MINUTE_US))
    got = tracing.trace_contacts(con, "P0", *window, now=at(10**12))
    assert got["last_contact"].tolist() == [at(30 * MINUTE_US)]
    assert got["estimated"].tolist() == [False]
    pairs = tracing.contact_overlaps(con, "P0", *window, now=at(10**12))
    assert pairs["minutes"].tolist() == [30.0]


def test_tail_catches_late_arrivals_and_window_cuts(con: duckdb.DuckDBPyConnection) -> None:
    visits = [
        Visit("P0", "A", 0, 60 * MINUTE_US, "scan"),  # 08:00-09:00 WITA
        Visit("P1", "A", 60 * MINUTE_US, 60 * MINUTE_US, "scan"),  # arrives as the case leaves
    ]
    store(con, visits)
    window = (at(0), at(24 * 60 * MINUTE_US))
    assert tracing.trace_contacts(con, "P0", *window, now=at(10**12)).empty
    with_tail = tracing.trace_contacts(con, "P0", *window, tail_minutes=20, now=at(10**12))
    assert list(with_tail["person_id"]) == ["P1"]
    assert with_tail["overlap_minutes"].iloc[0] == 20.0
    # The window ends 10 minutes after the case left: the tail is cut there.
    cut = tracing.trace_contacts(con, "P0", at(0), at(70 * MINUTE_US), min_overlap_minutes=5, tail_minutes=20,
                                 now=at(10**12))
    assert cut["overlap_minutes"].tolist() == [10.0]


def test_open_and_auto_closed_visits_are_estimated(con: duckdb.DuckDBPyConnection) -> None:
    visits = [
        Visit("P0", "A", 0, 120 * MINUTE_US, "scan"),
        Visit("P1", "A", 0, 0, "open"),  # still inside at now = 01:00 after BASE
        Visit("P2", "A", 0, 60 * MINUTE_US, "scan"),
    ]
    store(con, visits)
    now = at(60 * MINUTE_US)
    got = tracing.trace_contacts(con, "P0", at(0), at(600 * MINUTE_US), now=now).set_index("person_id")
    assert got.loc["P1", "overlap_minutes"] == 60.0  # ends at now
    assert bool(got.loc["P1", "estimated"]) is True
    assert bool(got.loc["P2", "estimated"]) is False


def test_every_search_is_audited_with_parameters(con: duckdb.DuckDBPyConnection) -> None:
    store(con, [Visit("P0", "A", 0, 60 * MINUTE_US, "scan"), Visit("P1", "A", 0, 60 * MINUTE_US, "scan")])
    start, end = at(0), at(600 * MINUTE_US)
    tracing.trace_contacts(con, "P0", start, end, 20, 5, actor="tracer1", now=at(10**12))
    tracing.trace_contacts(con, "P0", start, end, 90, actor="tracer2", now=at(10**12))
    tracing.trace_contacts(con, "P0", start, end, actor="page", now=at(10**12), audit=False)
    rows = con.execute("SELECT actor, action, subject, params, rows FROM audit_log ORDER BY logged_at").fetchall()
    assert [(r[0], r[1], r[2], r[4]) for r in rows] == [("tracer1", "trace", "P0", 1), ("tracer2", "trace", "P0", 0)]
    params = json.loads(rows[0][3])
    assert params["min_overlap_minutes"] == 20.0 and params["tail_minutes"] == 5.0
    assert datetime.fromisoformat(params["from"]) == start and datetime.fromisoformat(params["to"]) == end

    with pytest.raises(tracing.UnknownPersonError):
        tracing.trace_contacts(con, "NOBODY", start, end, actor="tracer3")
    last = con.execute("SELECT actor, subject, rows FROM audit_log WHERE actor = 'tracer3'").fetchall()
    assert last == [("tracer3", "NOBODY", 0)]


def test_bad_arguments_are_refused(con: duckdb.DuckDBPyConnection) -> None:
    store(con, [])
    with pytest.raises(ValueError):
        tracing.trace_contacts(con, "P0", at(10), at(10))
    with pytest.raises(ValueError):
        tracing.trace_contacts(con, "P0", at(0), at(10), tail_minutes=-1)
    with pytest.raises(ValueError):
        tracing.trace_contacts(con, "P0", datetime(2022, 1, 1), at(10))


def test_onset_window_two_days_before_to_fourteen_after_both_included() -> None:
    lower, upper = tracing.onset_window(date(2022, 1, 10))
    assert lower == datetime(2022, 1, 7, 16, tzinfo=UTC)  # 8 Jan 00:00 WITA
    assert upper == datetime(2022, 1, 24, 16, tzinfo=UTC)  # 25 Jan 00:00 WITA: the 24th is included
    lower_wib, _ = tracing.onset_window(date(2022, 1, 10), "Asia/Jakarta")
    assert lower_wib == datetime(2022, 1, 7, 17, tzinfo=UTC)


def test_find_persons_partial_accent_and_phone(con: duckdb.DuckDBPyConnection) -> None:
    store(
        con,
        [Visit("P1", "A", 0, MINUTE_US, "scan"), Visit("P2", "A", 5 * MINUTE_US, MINUTE_US, "scan")],
        names={"P1": "Sélly Wuwung", "P2": "Selly Rompas", "P3": "Yohanis"},
    )
    con.execute("UPDATE persons SET phone = '0812-3456-789' WHERE person_id = 'P3'")
    person_search.rebuild(con)  # the phone written here past the import: its search keys too
    found = tracing.find_persons(con, "selly")
    assert list(found.columns) == tracing.PERSON_COLUMNS
    assert list(found["person_id"]) == ["P2", "P1"]  # most recently seen first
    assert found["last_seen"].iloc[0] == at(5 * MINUTE_US)
    assert list(tracing.find_persons(con, "SÉLLY W")["person_id"]) == ["P1"]
    assert list(tracing.find_persons(con, "3456")["person_id"]) == ["P3"]
    assert list(tracing.find_persons(con, "+62 812 345")["person_id"]) == ["P3"]
    assert list(tracing.find_persons(con, "p4")["person_id"]) == ["P4"]
    assert tracing.find_persons(con, "  ").empty
    assert len(tracing.find_persons(con, "name", limit=2)) == 2


def test_find_persons_orders_recent_and_long_ago_visitors_exactly(con: duckdb.DuckDBPyConnection) -> None:
    """The search looks at the last RECENT_DAYS first; persons seen only before that, or
    never, still come in order when the recent ones do not fill the page."""
    day = 24 * 60 * MINUTE_US
    long_ago = -(tracing.RECENT_DAYS + 5) * day
    store(
        con,
        [
            Visit("P0", "A", 0, MINUTE_US, "scan"),  # the latest visit of the data
            Visit("P1", "A", -2 * day, MINUTE_US, "scan"),
            Visit("P1", "B", long_ago, MINUTE_US, "scan"),
            Visit("P2", "A", long_ago + day, MINUTE_US, "scan"),
            Visit("P3", "B", long_ago, MINUTE_US, "scan"),
        ],
        names={p: f"Tumbel {p}" for p in PERSONS},
    )

    def found(limit: int) -> list[tuple[str, datetime | None]]:
        frame = tracing.find_persons(con, "tumbel", limit=limit)
        return [(r.person_id, None if pd.isna(r.last_seen) else r.last_seen.to_pydatetime())
                for r in frame.itertuples()]

    everyone = [("P0", at(0)), ("P1", at(-2 * day)), ("P2", at(long_ago + day)), ("P3", at(long_ago)),
                ("P4", None)]
    assert found(2) == everyone[:2]  # the recent days fill the page
    assert found(3) == everyone[:3]  # they do not: the whole history
    assert found(20) == everyone  # P4 never came: last


def _events(person: str, building: str, local_in: str, local_out: str | None, name: str) -> list[dict]:
    rows: list[dict] = [{"timestamp": local_in, "person_id": person, "building": building, "action": "checkin",
                         "name": name, "category": "ASN", "phone": "=0812 555"}]
    if local_out:
        rows.append({"timestamp": local_out, "person_id": person, "building": building, "action": "checkout"})
    return rows


@pytest.fixture
def traced_db(tmp_path: Path) -> Path:
    """A case in two buildings, through the real import and pairing."""
    from lib.store import db

    path = tmp_path / "trace.duckdb"
    con = db.connect(path)
    con.execute("INSERT INTO buildings (building_id, name, timezone) VALUES ('JKT', 'JKT', 'Asia/Jakarta')")
    events = (
        _events("0071", "KANTOR", "2022-01-10 08:00:00", "2022-01-10 09:00:00", "Kasus")
        + _events("0071", "JKT", "2022-01-10 12:00:00", "2022-01-10 13:00:00", "Kasus")
        + _events("0072", "KANTOR", "2022-01-10 08:30:00", "2022-01-10 10:00:00", "Ani")
        + _events("0072", "JKT", "2022-01-10 12:00:00", "2022-01-10 12:10:00", "Ani")
        + _events("0073", "JKT", "2022-01-10 12:20:00", None, "Budi")  # never scans out: auto close
        + _events("0074", "KANTOR", "2022-01-10 08:50:00", "2022-01-10 09:30:00", "Citra")  # 10 min only
        + _events("0075", "KANTOR", "2022-01-06 08:00:00", "2022-01-06 09:00:00", "Dedi")  # before the window
        + _events("0071", "KANTOR", "2022-01-06 08:00:00", "2022-01-06 09:00:00", "Kasus")
    )
    record_events(con, events, source="test", actor="test")
    con.close()
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_trace_columns_and_formats(traced_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--db", str(traced_db), "trace", "--person", "0071", "--onset", "2022-01-10")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0].keys()) == tracing.CONTACT_COLUMNS
    assert [r["person_id"] for r in rows] == ["0072", "0073"]
    ani, budi = rows
    assert ani["buildings"] == "JKT;KANTOR"
    assert ani["overlap_minutes"] == "40.0"  # 30 min at KANTOR + 10 min at JKT
    assert ani["estimated"] == "false"
    assert ani["first_contact"] == "2022-01-10T08:30:00+08:00"  # across buildings: the default zone
    assert ani["last_contact"] == "2022-01-10T13:10:00+08:00"
    assert ani["phone"] == "=0812 555"  # standard output is written as stored
    assert budi["buildings"] == "JKT"
    assert budi["overlap_minutes"] == "40.0"
    assert budi["estimated"] == "true"
    assert budi["first_contact"] == "2022-01-10T12:20:00+07:00"  # one building: its zone

    # --from/--to win over the onset window; the 6 January visit is out of it.
    code, out, _ = _run(capsys, "--db", str(traced_db), "trace", "--person", "0071", "--from", "2022-01-05",
                        "--to", "2022-01-06", "--min-overlap", "10")
    assert code == 0
    assert [r["person_id"] for r in csv.DictReader(io.StringIO(out))] == ["0075"]

    code, out, _ = _run(capsys, "--db", str(traced_db), "trace", "--person", "0071", "--from", "2022-01-10 08:00",
                        "--to", "2022-01-10 09:00", "--min-overlap", "10", "--tail", "30")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["person_id"], r["overlap_minutes"]) for r in rows] == [("0072", "30.0"), ("0074", "10.0")]

    # People-facing file: the formula-looking phone is neutralised.
    out_file = traced_db.parent / "contacts.csv"
    code, _, err = _run(capsys, "--db", str(traced_db), "trace", "--person", "0071", "--swab", "10/01/2022",
                        "--out", str(out_file))
    assert code == 0, err
    assert "'=0812 555" in out_file.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    "argv",
    [
        ["trace", "--person", "9999", "--onset", "2022-01-10"],
        ["trace", "--person", "0071"],
        ["trace", "--person", "0071", "--from", "2022-01-10"],
        ["trace", "--person", "0071", "--onset", "10-01-2022x"],
        ["trace", "--person", "0071", "--onset", "2022-01-10", "--swab", "2022-01-10"],
        ["trace", "--person", "0071", "--onset", "2022-01-10", "--tail", "-5"],
        ["trace", "--person", "0071", "--from", "2022-01-10", "--to", "2022-01-09"],
    ],
)
def test_cli_trace_errors_are_one_line(traced_db: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = _run(capsys, "--db", str(traced_db), *argv)
    assert code != 0
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_cli_unknown_person_names_the_person(
    traced_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANTAU_LANG", "id")  # restored afterwards: --lang sets it for the process
    code, _, err = _run(capsys, "--db", str(traced_db), "--lang", "en", "trace", "--person", "9999",
                        "--onset", "2022-01-10")
    assert code == 2
    assert err.strip() == "error: person not found: 9999"


# --- the person search: audited, details of each match, "type more" --------------------


def test_person_search_is_audited_with_text_and_match_count(con: duckdb.DuckDBPyConnection) -> None:
    """RULES "Personal data": a search that lists names is written to the audit log."""
    store(con, [Visit("P1", "A", 0, MINUTE_US, "scan")], names={"P1": "Sélly Wuwung", "P2": "Selly Rompas"})
    search = tracing.search_persons(con, "  selly ", actor="tracer1")
    assert search.query == "selly" and search.total == 2 and not search.more_than_listed
    assert list(search.matches["person_id"]) == ["P1", "P2"]
    tracing.search_persons(con, "nobody-like-this", actor="tracer1")
    tracing.search_persons(con, "selly", actor="tracer1", audit=False)  # a page rerun: not a new search
    tracing.search_persons(con, "   ", actor="tracer1")  # nothing typed: nothing searched
    rows = con.execute("SELECT actor, action, subject, params, rows FROM audit_log ORDER BY logged_at, rowid").fetchall()
    assert [(r[0], r[1], r[2], r[4]) for r in rows] == [
        ("tracer1", "find_person", "selly", 2), ("tracer1", "find_person", "nobody-like-this", 0),
    ]
    assert json.loads(rows[0][3]) == {"query": "selly", "matches": 2, "listed": 2}


def test_person_search_says_when_more_match_than_are_listed(con: duckdb.DuckDBPyConnection) -> None:
    store(con, [], names={p: f"Tumbel {p}" for p in PERSONS})
    search = tracing.search_persons(con, "tumbel", actor="t", limit=3)
    assert len(search.matches) == 3 and search.total == 5 and search.more_than_listed
    assert con.execute("SELECT rows FROM audit_log").fetchall() == [(5,)]  # every match is counted


@pytest.mark.parametrize("lang", ["id", "en"])
def test_match_label_names_category_last_seen_in_local_time_and_no_empty_unit(
    con: duckdb.DuckDBPyConnection, lang: str
) -> None:
    store(con, [Visit("P1", "A", 30 * MINUTE_US, MINUTE_US, "scan")], names={"P1": "Sélly Wuwung"})
    con.execute("UPDATE persons SET category = 'ASN' WHERE person_id = 'P1'")
    found = tracing.find_persons(con, "P")
    assert found["unit"].isna().all()  # no roster yet: no unit known
    by_id = {r["person_id"]: r for r in found.to_dict("records")}
    label = tracing.match_label(by_id["P1"], "Asia/Makassar", lang)
    seen = "terakhir" if lang == "id" else "last seen"
    assert label == f"Sélly Wuwung · P1 · ASN · 08121 · {seen} 03/01/2022 08:30 WITA"
    never = tracing.match_label(by_id["P2"], "Asia/Makassar", lang)
    visitor, no_visits = ("pengunjung", "belum pernah berkunjung") if lang == "id" else ("visitor", "no visits")
    assert never == f"Name P2 · P2 · {visitor} · 08122 · {no_visits}"
    assert " ·  · " not in label + never


def test_match_label_shows_the_unit_once_the_roster_gives_one(con: duckdb.DuckDBPyConnection) -> None:
    """The staff roster's unit of a person reaches the search and its label."""
    store(con, [], names={"P1": "Sélly Wuwung"})
    con.execute("INSERT INTO roster (person_id, unit, import_id, imported_at) VALUES ('P1', 'Bagian Umum', 1, now())")
    found = tracing.find_persons(con, "sélly")
    assert found["unit"].tolist() == ["Bagian Umum"]
    assert "· Bagian Umum ·" in tracing.match_label(found.iloc[0].to_dict(), "Asia/Makassar", "id")


def test_via_summary_names_a_few_closest_links_then_counts_the_rest() -> None:
    names = {"c9": "Ani", "c1": "Budi", "c5": None, "c3": "Dewi"}  # first-degree contacts, closest first
    assert tracing.via_summary("c1", names, "id") == "Budi (c1)"
    assert tracing.via_summary("c1;c3;c5;c9", names, "id") == "Ani (c9), Budi (c1), c5 +1 lainnya"
    many = ";".join(["c1"] + [f"z{i:04d}" for i in range(600)])
    text = tracing.via_summary(many, names, "en")
    assert text == "Budi (c1), z0000, z0001 +598 more"
    assert len(text) < 60
    assert tracing.via_summary("", names, "id") == ""
