"""The building manager's lists: roll-call (RULES "Roll-call") and attendance by unit
(RULES "Attendance by unit"), each against a plain-Python reading of the rules on random
door scans, area scans and roster rows, imported as an office would."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.analytics.attendance import attendance, day_bounds, week_view, with_limits
from lib.analytics.rollcall import ROLLCALL_COLUMNS, rollcall
from lib.analytics.stays import list_stays
from lib.analytics.visits import list_visits
from lib.ingest import importer
from lib.store import db, office, retention, ticks
from tests.conftest import write_csv
from tests.support.cli import run_cli as run

WITA = dt.timezone(dt.timedelta(hours=8))
DAY = dt.datetime(2022, 1, 3, tzinfo=WITA)  # a Monday
LATER = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
HEADER = ["timestamp", "person_id", "name", "building", "action", "area", "category", "phone"]
ROSTER_HEADER = ["nip", "unit_kerja", "gedung", "ruang"]
PERSONS = ["001", "002", "003", "004", "005"]
BUILDINGS = ["kw", "dk"]
AREAS = ["Ruang A", "Ruang B"]


def at(hours: float) -> dt.datetime:
    return DAY + dt.timedelta(seconds=round(hours * 3600))


def load(con: duckdb.DuckDBPyConnection, folder: Path, scans: list[tuple], roster_rows: list[tuple]) -> None:
    """scans: (hours after 2022-01-03 00:00 WITA, person, building, action, area or '', category)."""
    rows = [[at(h).isoformat(), p, f"Nama {p}", b, a, ar, c, f"08{p}"] for h, p, b, a, ar, c in scans]
    if rows:
        importer.import_file(con, write_csv(folder / "scans.csv", HEADER, rows))
    if roster_rows:
        importer.import_file(con, write_csv(folder / "roster.csv", ROSTER_HEADER, [list(r) for r in roster_rows]))


# --- a plain reading of the rules -----------------------------------------------------------


def stored(con: duckdb.DuckDBPyConnection) -> tuple:
    """Visits and stays (far in the future: every open one shows its automatic end), roster, names."""
    return (
        list_visits(con, now=LATER), list_stays(con, now=LATER),
        {r[0]: r[1:] for r in con.execute("SELECT person_id, unit, building, room FROM roster").fetchall()},
        {r[0]: r[1] for r in con.execute("SELECT person_id, name FROM persons").fetchall()},
    )


def expected_rollcall(con: duckdb.DuckDBPyConnection, t: dt.datetime, building: str | None = None,
                      data: tuple | None = None) -> list[tuple]:
    """Inside at t: checkin <= t < end (an open visit ends at its automatic close); the room:
    a stay in that building holding t, else the roster home room in the home building."""
    visits, stays, roster, names = data or stored(con)
    out = []
    for v in visits.itertuples():
        if building and v.building != building:
            continue
        if not (v.checkin_at <= t < v.checkout_at):
            continue
        holding = [s for s in stays.itertuples()
                   if s.person_id == v.person_id and s.building == v.building and s.start <= t < s.end]
        unit, home, room = roster.get(v.person_id, (None, None, None))
        if holding:
            area, assumed = max(holding, key=lambda s: s.start).area, False
        elif home == v.building and room:
            area, assumed = room, True
        else:
            area, assumed = "", False
        out.append((v.building, area, assumed, v.person_id, names.get(v.person_id) or "", unit or ""))
    return sorted(out, key=lambda r: (r[0], r[1], r[4], r[3]))


def got_rollcall(con: duckdb.DuckDBPyConnection, t: dt.datetime, building: str | None = None) -> list[tuple]:
    frame = rollcall(con, t, building)
    return [(r.building, r.area, bool(r.area_assumed), r.person_id, r.name, r.unit) for r in frame.itertuples()]


scan = st.tuples(
    st.integers(min_value=0, max_value=60).map(lambda n: n / 2),  # half hours: midnight and equal instants happen
    st.sampled_from(PERSONS),
    st.sampled_from(BUILDINGS),
    st.sampled_from(["checkin", "checkout"]),
    st.sampled_from(["", "", *AREAS]),
    st.sampled_from(["ASN", "visitor"]),
)
roster_row = st.tuples(
    st.sampled_from(PERSONS), st.sampled_from(["Umum", "Keuangan"]), st.sampled_from(BUILDINGS),
    st.sampled_from(["", *AREAS]),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scans=st.lists(scan, min_size=1, max_size=25),
    roster_rows=st.lists(roster_row, max_size=4, unique_by=lambda r: r[0]),
    instants=st.lists(st.floats(min_value=0, max_value=34, allow_nan=False), min_size=1, max_size=6),
)
def test_rollcall_matches_a_plain_reading(scans: list[tuple], roster_rows: list[tuple], instants: list[float]) -> None:
    folder = Path(tempfile.mkdtemp())
    con = db.connect(folder / "p.duckdb")
    try:
        load(con, folder, scans, roster_rows)
        # The scans' own instants too: a check-in is inside at its instant, a check-out is not.
        data = stored(con)
        for hour in instants + sorted({s[0] for s in scans}):
            t = at(hour)
            assert got_rollcall(con, t) == expected_rollcall(con, t, data=data)
            assert got_rollcall(con, t, "kw") == expected_rollcall(con, t, "kw", data=data)
    finally:
        con.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_rollcall_room_from_scan_else_roster_else_building(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    load(con, tmp_path, [
        (8, "001", "kw", "checkin", "", "ASN"), (8.5, "001", "kw", "checkin", "Ruang A", "ASN"),
        (8, "002", "kw", "checkin", "", "ASN"),
        (8, "003", "kw", "checkin", "", "visitor"),
        (8, "004", "dk", "checkin", "", "ASN"),
        (8, "005", "kw", "checkin", "", "visitor"), (9, "005", "kw", "checkout", "", "visitor"),
    ], [("001", "Umum", "kw", "Ruang B"), ("002", "Umum", "kw", "Ruang B"), ("004", "Keuangan", "kw", "Ruang B")])
    frame = rollcall(con, at(10))
    assert list(frame.columns) == ROLLCALL_COLUMNS
    rows = [(r.building, r.area, r.area_assumed, r.person_id, r.unit) for r in frame.itertuples()]
    assert rows == [
        # 004 visits another building than the roster's home: only "in the building".
        ("dk", "", False, "004", "Keuangan"),
        ("kw", "", False, "003", ""),  # a visitor with no room scanned
        ("kw", "Ruang A", False, "001", "Umum"),  # the scanned room wins over the roster's
        ("kw", "Ruang B", True, "002", "Umum"),  # no scan: the roster's home room, assumed
    ]
    assert frame.loc[frame["person_id"] == "001", "phone"].item() == "08001"
    # 005 left at 09:00: inside at 08:59, not at 09:00 ([checkin, end)).
    assert "005" in set(rollcall(con, at(9) - dt.timedelta(seconds=1))["person_id"])
    assert "005" not in set(rollcall(con, at(9))["person_id"])


# --- attendance -------------------------------------------------------------------------


def expected_attendance(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> list[tuple]:
    visits = list_visits(con, now=LATER)
    roster = {r[0]: r[1] for r in con.execute("SELECT person_id, unit FROM roster WHERE unit IS NOT NULL").fetchall()}
    out = []
    for unit in sorted(set(roster.values())):
        people = {p for p, u in roster.items() if u == unit}
        day = first
        while day <= last:
            start, end = day_bounds(day)
            on_site = {v.person_id for v in visits.itertuples()
                       if v.person_id in people and v.checkin_at < end and v.checkout_at > start}
            out.append((unit, day, len(people), len(on_site), round(len(on_site) / len(people), 3)))
            day += dt.timedelta(days=1)
    return out


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scans=st.lists(scan, min_size=1, max_size=25),
    roster_rows=st.lists(roster_row, min_size=1, max_size=5, unique_by=lambda r: r[0]),
)
def test_attendance_matches_a_plain_reading(scans: list[tuple], roster_rows: list[tuple]) -> None:
    folder = Path(tempfile.mkdtemp())
    con = db.connect(folder / "p.duckdb")
    try:
        load(con, folder, scans, roster_rows)
        first, last = dt.date(2022, 1, 2), dt.date(2022, 1, 5)
        frame = attendance(con, first, last, now=LATER)
        got = [(r.unit, r.day, r.headcount, r.on_site, r.share) for r in frame.itertuples()]
        assert got == expected_attendance(con, first, last)
    finally:
        con.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_attendance_day_is_local_and_limits_come_from_unit_or_building(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # 001 works 23:00-01:00 WITA across midnight: on site both local days; 002 never came;
    # 003 leaves at midnight sharp: on site on the 3rd only ([checkin, end) meets the day).
    load(con, tmp_path, [(23, "001", "kw", "checkin", "", "ASN"), (25, "001", "kw", "checkout", "", "ASN"),
                         (22, "003", "dk", "checkin", "", "ASN"), (24, "003", "dk", "checkout", "", "ASN"),
                         (9, "003", "dk", "checkin", "", "ASN"), (10, "003", "dk", "checkout", "", "ASN")],
         [("001", "Umum", "kw", ""), ("002", "Umum", "kw", ""), ("003", "Keuangan", "dk", "")])
    frame = attendance(con, dt.date(2022, 1, 3), dt.date(2022, 1, 4))
    assert [(r.unit, str(r.day), r.headcount, r.on_site, r.share) for r in frame.itertuples()] == [
        ("Keuangan", "2022-01-03", 1, 1, 1.0), ("Keuangan", "2022-01-04", 1, 0, 0.0),
        ("Umum", "2022-01-03", 2, 1, 0.5), ("Umum", "2022-01-04", 2, 1, 0.5),
    ]
    office.set_wfo_limit(con, "building", "kw", office.wfo_share(ppkm_level=4), "admin")  # 25 %
    office.set_wfo_limit(con, "unit", "Keuangan", 0.5, "admin")
    limited = with_limits(con, frame)
    assert list(limited["limit"]) == [0.5, 0.5, 0.25, 0.25]
    assert list(limited["over"]) == [True, False, True, True]
    assert week_view(frame).loc["Umum"].tolist() == [0.5, 0.5]
    # A PPKM preset outside 1..4 or a share above 100 % is refused.
    with pytest.raises(office.SettingsError):
        office.wfo_share(ppkm_level=5)
    with pytest.raises(office.SettingsError):
        office.set_wfo_limit(con, "unit", "Umum", 1.5, "admin")


def test_attendance_days_after_today_are_blank_and_no_limit_is_not_judged(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """Seen on a Saturday: Sunday showed '0 %' and 'no' as if nobody came, and units without
    any WFO limit were judged 'no'. A day to come has no figures; without a limit, no verdict."""
    load(con, tmp_path, [(9, "001", "kw", "checkin", "", "ASN"), (10, "001", "kw", "checkout", "", "ASN"),
                         (33, "003", "dk", "checkin", "", "ASN"), (34, "003", "dk", "checkout", "", "ASN")],
         [("001", "Umum", "kw", ""), ("002", "Umum", "kw", ""), ("003", "Keuangan", "dk", "")])
    office.set_wfo_limit(con, "unit", "Keuangan", 0.5, "admin")  # Umum: no limit at all
    frame = attendance(con, dt.date(2022, 1, 3), dt.date(2022, 1, 5))
    limited = with_limits(con, frame, today=dt.date(2022, 1, 4))
    rows = {(r.unit, str(r.day)): r for r in limited.itertuples()}
    assert [rows[("Keuangan", d)].day_state for d in ("2022-01-03", "2022-01-04", "2022-01-05")] == [
        "past", "today", "future"]
    # Today's share is counted (so far) and judged against the limit.
    assert rows[("Keuangan", "2022-01-04")].share == 1.0
    assert bool(rows[("Keuangan", "2022-01-04")].over)
    # A limit, and under it: a real "no".
    assert pd.notna(rows[("Keuangan", "2022-01-03")].over) and not rows[("Keuangan", "2022-01-03")].over
    # Tomorrow: no share, no head on site, no verdict (not 0, not False).
    future = rows[("Keuangan", "2022-01-05")]
    assert pd.isna(future.share) and pd.isna(future.on_site) and pd.isna(future.over)
    assert future.headcount == 1
    # Umum has no limit: never judged, not even on a day with people on site.
    assert rows[("Umum", "2022-01-03")].share == 0.5 and pd.isna(rows[("Umum", "2022-01-03")].over)
    assert int(limited["over"].sum()) == 1
    # The week view keeps the blank: tomorrow is missing, not 0.
    assert pd.isna(week_view(limited).loc["Umum"].iloc[-1])


# --- ticks -----------------------------------------------------------------------------


def test_ticks_are_kept_audited_and_purged(con: duckdb.DuckDBPyConnection) -> None:
    rollcall_id = ticks.start_rollcall(con, at(10), "kw", "admin")
    assert ticks.set_tick(con, rollcall_id, "kw", "001", True, "marshal")
    assert not ticks.set_tick(con, rollcall_id, "kw", "001", True, "marshal")  # already ticked
    assert ticks.set_tick(con, rollcall_id, "kw", "002", True, "marshal")
    assert ticks.set_tick(con, rollcall_id, "kw", "002", False, "marshal")
    assert ticks.ticked_set(con, rollcall_id) == {("kw", "001")}
    assert ticks.latest_rollcall(con, "kw")["rollcall_id"] == rollcall_id
    actions = [r[0] for r in con.execute("SELECT action FROM audit_log ORDER BY logged_at, action").fetchall()]
    assert actions.count("rollcall_tick") == 2 and actions.count("rollcall_untick") == 1
    assert "rollcall_start" in actions
    counts = retention.purge(con, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=40))
    assert counts["rollcall_ticks"] == 2
    assert ticks.ticked_set(con, rollcall_id) == set()


# --- the command line ------------------------------------------------------------------


@pytest.fixture
def loaded(tmp_path: Path) -> str:
    database = tmp_path / "c.duckdb"
    con = db.connect(database)
    load(con, tmp_path, [
        (8, "002", "kw", "checkin", "", "ASN"), (8.2, "002", "kw", "checkin", "Ruang A", "ASN"),
        (8, "001", "kw", "checkin", "", "ASN"),
        (9, "003", "dk", "checkin", "", "visitor"), (9.5, "003", "dk", "checkout", "", "visitor"),
    ], [("001", "Umum", "kw", "Ruang B"), ("002", "Umum", "kw", "")])
    con.close()
    return str(database)


def test_cli_rollcall_csv_columns_order_and_future_refused(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", loaded, "rollcall", "--at", "2022-01-03 09:15")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["building", "area", "area_assumed", "person_id", "name", "category", "unit", "phone", "checkin_at"]
    assert [r[:4] for r in rows[1:]] == [
        ["dk", "", "false", "003"], ["kw", "Ruang A", "false", "002"], ["kw", "Ruang B", "true", "001"],
    ]
    assert rows[1][8] == "2022-01-03T09:00:00+08:00"
    code, out, _ = run(capsys, "--db", loaded, "rollcall", "--building", "kw", "--at", "2022-01-03T09:45:00+08:00")
    assert [r[3] for r in list(csv.reader(io.StringIO(out)))[1:]] == ["002", "001"]
    future = (dt.datetime.now(WITA) + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    code, out, err = run(capsys, "--db", loaded, "--lang", "en", "rollcall", "--at", future)
    assert code == 2 and out == ""
    assert err.strip() == "error: --at is in the future: a roll-call is for now or a past instant"
    code, _, err = run(capsys, "--db", loaded, "rollcall", "--building", "nowhere")
    assert code == 2 and "nowhere" in err


def test_cli_rollcall_pdf_names_the_people_inside(loaded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "apel.pdf"
    code, _, err = run(capsys, "--db", loaded, "rollcall", "--at", "2022-01-03 09:15", "--out", str(target))
    assert code == 0 and "3" in err
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert "Nama 001" in text and "Nama 002" in text and "Nama 003" in text
    assert "Ruang A" in text and "Ruang B" in text
    # At 09:45 the visitor 003 had left: not on the list.
    run(capsys, "--db", loaded, "rollcall", "--at", "2022-01-03 09:45", "--out", str(target))
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert "Nama 003" not in text and "Nama 001" in text


def test_cli_attendance_columns_and_unit(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", loaded, "attendance", "--from", "2022-01-03", "--to", "2022-01-04")
    assert code == 0
    assert out.splitlines() == [
        "unit,day,headcount,on_site,share",
        "Umum,2022-01-03,2,2,1.000",
        # Both ASN visits stay open: they end at 08:00 + 12 h = 20:00 WITA, the same day.
        "Umum,2022-01-04,2,0,0.000",
    ]
    code, out, _ = run(capsys, "--db", loaded, "attendance", "--from", "2022-01-03", "--to", "2022-01-03", "--unit", "Nope")
    assert code == 0 and out.splitlines() == ["unit,day,headcount,on_site,share"]
    code, _, err = run(capsys, "--db", loaded, "attendance", "--from", "2022-01-05", "--to", "2022-01-03")
    assert code == 2 and err.startswith("error:")
