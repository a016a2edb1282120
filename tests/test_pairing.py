"""RULES "From events to visits": one test per rule, and the pairing against a reference."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.analytics.visits import list_visits
from lib.ingest import importer, pairing
from lib.store import db, spool
from tests.conftest import write_csv

WITA = dt.timezone(dt.timedelta(hours=8))
HEADER = ["timestamp", "person_id", "building", "action", "category"]
DAY = dt.datetime(2022, 1, 3, tzinfo=WITA)
LATER = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def at(hours: float) -> dt.datetime:
    return DAY + dt.timedelta(hours=hours)


def ingest(con: duckdb.DuckDBPyConnection, tmp_path: Path, rows: list[tuple[float, str, str, str, str]], name: str = "e.csv") -> importer.ImportSummary:
    """rows: (hours after 2022-01-03 00:00 WITA, person, building, action, category)."""
    csv_rows = [[at(h).isoformat(), p, b, a, c] for h, p, b, a, c in rows]
    return importer.import_file(con, write_csv(tmp_path / name, HEADER, csv_rows))


def visits(con: duckdb.DuckDBPyConnection, now: dt.datetime = LATER) -> list[tuple[str, str, float, float | None, str | None]]:
    frame = list_visits(con, now=now)
    out = []
    for r in frame.itertuples():
        end = None if pd.isna(r.checkout_at) else (r.checkout_at.to_pydatetime() - DAY).total_seconds() / 3600
        out.append((r.person_id, r.building, (r.checkin_at.to_pydatetime() - DAY).total_seconds() / 3600, end,
                    None if pd.isna(r.checkout_kind) else r.checkout_kind))
    return out


def anomalies(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return [(a, k) for a, k in con.execute("SELECT action, kind FROM scan_anomalies ORDER BY ts").fetchall()]


SEC = 1 / 3600


def test_duplicate_checkin_within_dedup_ignored(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [(8, "1", "b", "in", "ASN"), (8 + 120 * SEC, "1", "b", "in", "ASN"), (9, "1", "b", "out", "ASN")])
    assert visits(con) == [("1", "b", 8, 9, "scan")]
    assert anomalies(con) == [("checkin", "duplicate")]


def test_checkin_after_dedup_closes_and_reopens(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [(8, "1", "b", "in", "ASN"), (8 + 121 * SEC, "1", "b", "in", "ASN"), (9, "1", "b", "out", "ASN")])
    assert visits(con) == [("1", "b", 8, 8 + 121 * SEC, "auto"), ("1", "b", 8 + 121 * SEC, 9, "scan")]


def test_checkin_elsewhere_closes_open_visit_at_min_of_max_stay_and_t(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [
        (8, "1", "a", "in", "visitor"), (9, "1", "b", "in", "visitor"), (10, "1", "b", "out", "visitor"),
        (11, "2", "a", "in", "visitor"), (15, "2", "b", "in", "visitor"),
    ])
    assert visits(con) == [
        ("1", "a", 8, 9, "auto"), ("1", "b", 9, 10, "scan"),
        ("2", "a", 11, 14, "auto"),  # visitor MAX_STAY 3 h, before the next check-in
        ("2", "b", 15, 18, "auto"),
    ]


def test_checkout_at_exactly_max_stay_is_a_scan(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [(8, "1", "b", "in", "visitor"), (11, "1", "b", "out", "visitor")])
    assert visits(con) == [("1", "b", 8, 11, "scan")]


def test_checkout_after_max_stay_is_orphan_and_visit_closed_auto(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [(8, "1", "b", "in", "visitor"), (11 + SEC, "1", "b", "out", "visitor")])
    assert visits(con) == [("1", "b", 8, 11, "auto")]
    assert anomalies(con) == [("checkout", "orphan")]


def test_duplicate_checkout_within_dedup_of_a_scan(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [
        (8, "1", "b", "in", "ASN"), (12, "1", "b", "out", "ASN"), (12 + 120 * SEC, "1", "b", "out", "ASN"),
        (13, "2", "b", "in", "ASN"), (14, "2", "b", "out", "ASN"), (14 + 121 * SEC, "2", "b", "out", "ASN"),
    ])
    assert anomalies(con) == [("checkout", "duplicate"), ("checkout", "orphan")]


def test_checkout_after_an_auto_close_is_not_a_duplicate(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [(8, "1", "a", "in", "ASN"), (9, "1", "b", "in", "ASN"), (9 + 60 * SEC, "1", "a", "out", "ASN")])
    assert anomalies(con) == [("checkout", "orphan")]


def test_checkout_in_other_building_is_orphan_and_open_visit_stays(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [(8, "1", "a", "in", "ASN"), (9, "1", "b", "out", "ASN"), (10, "1", "a", "out", "ASN")])
    assert visits(con) == [("1", "a", 8, 10, "scan")]
    assert anomalies(con) == [("checkout", "orphan")]


def test_orphan_checkout_without_any_visit(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    summary = ingest(con, tmp_path, [(9, "1", "b", "out", "ASN")])
    assert visits(con) == [] and summary.orphans == 1


def test_equal_timestamps_checkout_first(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [(8, "1", "b", "in", "ASN"), (12, "1", "b", "in", "ASN"), (12, "1", "b", "out", "ASN"), (13, "1", "b", "out", "ASN")])
    assert visits(con) == [("1", "b", 8, 12, "scan"), ("1", "b", 12, 13, "scan")]


def test_open_visit_inside_until_max_stay_then_closed_auto(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, tmp_path, [(8, "1", "b", "in", "ASN")])
    assert visits(con, now=at(10)) == [("1", "b", 8, None, None)]
    assert visits(con, now=at(20)) == [("1", "b", 8, 20, "auto")]
    inside = con.execute(
        "SELECT inside_now, end_at FROM (" + __import__("lib.analytics.visits", fromlist=["x"]).effective_visits_sql(
            f"CAST('{at(10).isoformat()}' AS TIMESTAMPTZ)") + ")"
    ).fetchall()
    assert inside == [(True, at(10))]


def test_max_stay_per_building_and_category(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    con.execute("INSERT INTO buildings (building_id, name, max_stay_thl_min) VALUES ('pos', 'Pos Jaga', 900)")
    ingest(con, tmp_path, [(8, "asn", "b", "in", "ASN"), (8, "thl", "b", "in", "THL"), (8, "tamu", "b", "in", "pengunjung"),
                           (8, "guard", "pos", "in", "THL")])
    ends = {p: end for p, _, _, end, _ in visits(con)}
    assert ends == {"asn": 20, "thl": 20, "tamu": 11, "guard": 23}


def test_counts_per_building_and_day(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    summary = ingest(con, tmp_path, [
        (8, "1", "b", "in", "ASN"), (8 + SEC, "1", "b", "in", "ASN"), (9, "1", "b", "out", "ASN"),
        (9, "2", "b", "out", "ASN"), (10, "3", "c", "in", "visitor"),
    ])
    assert (summary.events_new, summary.duplicates, summary.orphans, summary.new_visits) == (5, 1, 1, 2)
    per_day = con.execute(
        """SELECT building, CAST(ts AT TIME ZONE 'Asia/Makassar' AS DATE) AS day, kind, count(*)
           FROM scan_anomalies GROUP BY ALL ORDER BY ALL"""
    ).fetchall()
    assert per_day == [("b", dt.date(2022, 1, 3), "duplicate", 1), ("b", dt.date(2022, 1, 3), "orphan", 1)]


def test_incremental_import_equals_one_import(tmp_path: Path) -> None:
    rows = [(8, "1", "b", "in", "ASN"), (12, "1", "b", "out", "ASN"), (12 + 30 * SEC, "1", "b", "out", "ASN"),
            (13, "1", "b", "in", "ASN"), (17, "1", "b", "out", "ASN"), (30, "1", "b", "in", "ASN")]
    whole = db.connect(tmp_path / "whole.duckdb")
    ingest(whole, tmp_path, rows, "all.csv")
    parts = db.connect(tmp_path / "parts.duckdb")
    for index, row in enumerate(reversed(rows)):
        ingest(parts, tmp_path, [row], f"part{index}.csv")
    assert visits(parts) == visits(whole)
    assert sorted(anomalies(parts)) == sorted(anomalies(whole))


def test_import_summary_counts_only_this_files_events(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "s.duckdb")
    first = [(8, "1", "b", "in", "ASN"), (12, "1", "b", "out", "ASN"), (12 + 30 * SEC, "1", "b", "out", "ASN"),
             (8, "1", "b", "in", "ASN"),  # the same row twice in one file
             (20, "1", "b", "out", "ASN")]  # nobody inside: an orphan
    summary = ingest(con, tmp_path, first, "first.csv")
    assert (summary.rows_read, summary.events_new, summary.new_visits) == (5, 4, 1)
    assert (summary.duplicates, summary.orphans) == (2, 1)  # the repeated row and the check-out 30 s later
    # A later export repeats the old rows and adds a visit with a double check-in.
    second = [*first, (13, "1", "b", "in", "ASN"), (13 + 60 * SEC, "1", "b", "in", "ASN"), (17, "1", "b", "out", "ASN")]
    again = ingest(con, tmp_path, second, "second.csv")
    assert (again.rows_read, again.events_new, again.new_visits) == (8, 3, 1)
    assert (again.duplicates, again.orphans) == (5 + 1, 0)  # the five old rows, the double check-in


# --- property test: the store against a literal reading of RULES ----------------------

DEDUP = 120
MAX_STAY = {"ASN": 12 * 3600, "THL": 12 * 3600, "visitor": 3 * 3600}


@dataclass
class RefVisit:
    person: str
    building: str
    start: int
    end: int | None = None
    kind: str | None = None


def reference_visits(events: list[tuple[int, str, str, str]], category: dict[str, str], now: int) -> list[tuple[str, str, int, int | None, str | None]]:
    """RULES "From events to visits", literally, in seconds. events: (t, person, building, action)."""
    result: list[RefVisit] = []
    for person in sorted({e[1] for e in events}):
        mine = sorted((e for e in events if e[1] == person), key=lambda e: (e[0], e[3] == "checkin", e[2]))
        max_stay = MAX_STAY[category[person]]
        open_visit: RefVisit | None = None
        last_in: dict[str, RefVisit] = {}
        for t, _, building, action in mine:
            if action == "checkin":
                if open_visit and open_visit.building == building and t - open_visit.start <= DEDUP:
                    continue
                if open_visit:
                    open_visit.end, open_visit.kind = min(open_visit.start + max_stay, t), "auto"
                    last_in[open_visit.building] = open_visit
                open_visit = RefVisit(person, building, t)
                result.append(open_visit)
            elif open_visit and open_visit.building == building:
                if t <= open_visit.start + max_stay:
                    open_visit.end, open_visit.kind = t, "scan"
                else:
                    open_visit.end, open_visit.kind = open_visit.start + max_stay, "auto"
                last_in[building], open_visit = open_visit, None
        if open_visit and open_visit.start + max_stay <= now:
            open_visit.end, open_visit.kind = open_visit.start + max_stay, "auto"
    return sorted((v.person, v.building, v.start, v.end, v.kind) for v in result)


event_strategy = st.tuples(
    st.integers(0, 30 * 3600).map(lambda s: s - s % 30),  # half-minute grid: many ties and DEDUP edges
    st.sampled_from(["p1", "p2", "007"]),
    st.sampled_from(["kantor-walikota", "dinas"]),
    st.sampled_from(["checkin", "checkout"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    events=st.lists(event_strategy, min_size=1, max_size=40),
    categories=st.fixed_dictionaries({p: st.sampled_from(["ASN", "visitor"]) for p in ["p1", "p2", "007"]}),
    chunks=st.integers(1, 4),
    seed=st.integers(0, 10**6),
    now_after_last=st.integers(0, 16 * 3600),
    stream_rows=st.sampled_from([None, None, 1, 3]),
)
def test_pairing_matches_reference(tmp_path_factory, events, categories, chunks, seed, now_after_last,  # type: ignore[no-untyped-def]
                                   stream_rows) -> None:
    """Random streams, imported as overlapping files in random order, pair as RULES says.

    ``stream_rows``: the re-pairing reads its events in chunks this small and spools its
    output to Parquet, as a big import does (one person's events then span chunks).
    """
    if stream_rows is not None:
        with (mock.patch.object(pairing, "EVENTS_PER_BATCH", stream_rows),
              mock.patch.object(pairing, "SPOOL_ROWS", stream_rows + 1)):
            _pairing_matches_reference(tmp_path_factory, events, categories, chunks, seed, now_after_last)
    else:
        _pairing_matches_reference(tmp_path_factory, events, categories, chunks, seed, now_after_last)


def _pairing_matches_reference(tmp_path_factory, events, categories, chunks, seed, now_after_last) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("prop")
    con = db.connect(folder / "p.duckdb")
    rng = random.Random(seed)
    rows = [[(DAY + dt.timedelta(seconds=t)).isoformat(), p, b, a, categories[p]] for t, p, b, a in events]
    files = []
    for index in range(chunks):
        part = [r for r in rows if rng.random() < 0.6] or rows[:1]
        files.append(write_csv(folder / f"part{index}.csv", HEADER, part))
    files.append(write_csv(folder / "all.csv", HEADER, rows))  # everything arrives eventually
    rng.shuffle(files)
    for path in files:
        importer.import_file(con, path)
    # "now" is never before a recorded scan.
    now_seconds = max(t for t, *_ in events) + now_after_last
    now = DAY + dt.timedelta(seconds=now_seconds)
    frame = list_visits(con, now=now)
    got = sorted(
        (r.person_id, r.building, int((r.checkin_at - DAY).total_seconds()),
         None if pd.isna(r.checkout_at) else int((r.checkout_at - DAY).total_seconds()),
         None if pd.isna(r.checkout_kind) else r.checkout_kind)
        for r in frame.itertuples()
    )
    unique_events = list({(t, p, b, a) for t, p, b, a in events})
    assert got == reference_visits(unique_events, categories, now_seconds)
    con.close()


def test_a_large_re_pairing_spools_person_ids_beside_the_database_not_in_the_system_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The re-pairing's spool holds person ids: it goes to the database's private spool
    folder (0700, cleared at the next start after a crash), never to /tmp."""
    seen: list[Path] = []
    real_spool = spool.ParquetSpool

    def recording_spool(path: Path) -> object:
        seen.append(Path(path))
        assert oct(Path(path).parent.stat().st_mode & 0o777) == "0o700"
        return real_spool(path)

    monkeypatch.setattr(spool, "ParquetSpool", recording_spool)
    monkeypatch.setattr(pairing, "SPOOL_ROWS", 1)
    monkeypatch.setattr(pairing, "EVENTS_PER_BATCH", 2)
    con = db.connect(tmp_path / "p.duckdb")
    rows = [[(DAY + dt.timedelta(minutes=m)).isoformat(), f"p{m % 3}", "kw", "in" if m % 2 == 0 else "out", "ASN"]
            for m in range(12)]
    importer.import_file(con, write_csv(tmp_path / "log.csv", HEADER, rows))
    assert seen and all(tmp_path in path.parents for path in seen)
    assert len(list_visits(con, now=DAY + dt.timedelta(hours=1))) == 6
    assert not any(path.exists() for path in seen)  # removed when the job ended
    con.close()
