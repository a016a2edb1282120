"""The week's visits by purpose or host (issue 22) against a plain-Python count.

Generated visits in buildings of different zones, check-ins around the ends of ISO weeks
(a visit belongs to the local week of its check-in, RULES "Time"), purposes and hosts given,
empty or missing: ``lib.analytics.purposes.weekly_by`` must equal counting them by hand.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import cli
from lib.analytics.purposes import weekly_by
from lib.analytics.weekly import weekly_stats
from lib.store import db

ZONES = {"kw": "Asia/Makassar", "jkt": "Asia/Jakarta", "pap": "Asia/Jayapura"}
MONDAY = datetime(2026, 11, 9, tzinfo=UTC)  # 2026-W46 begins (UTC); local Mondays differ by zone
WEEK = "2026-W46"
UNSPECIFIED = "(tidak diisi)"

visit = st.tuples(
    st.sampled_from(sorted(ZONES)),
    st.sampled_from(["p1", "p2", "p3", "p4", "p5"]),
    st.integers(min_value=-9 * 24 * 60, max_value=9 * 24 * 60),  # minutes from MONDAY: W45 to W47
    st.sampled_from(["Rapat", "Mengurus KTP", "rapat", "", None]),
    st.sampled_from(["Bagian Umum", "Pak Kadis", "", None]),
)


def fill(con: duckdb.DuckDBPyConnection, visits: list[tuple]) -> None:
    con.execute("DELETE FROM visits")
    con.execute("DELETE FROM buildings")
    for building, zone in ZONES.items():
        con.execute("INSERT INTO buildings (building_id, name, timezone) VALUES (?, ?, ?)", [building, building, zone])
    rows = []
    for building, person, minutes, purpose, host in visits:
        checkin = MONDAY + timedelta(minutes=minutes)
        rows.append([person, building, checkin, checkin + timedelta(minutes=30), checkin + timedelta(hours=3),
                     purpose, host])
    if rows:
        con.executemany(
            "INSERT INTO visits (person_id, building, checkin_at, checkout_at, checkout_kind, auto_close_at, category, "
            "purpose, host) VALUES (?, ?, ?, ?, 'scan', ?, 'visitor', ?, ?)",
            rows,
        )


def local_week(building: str, instant: datetime) -> tuple[int, int]:
    iso = instant.astimezone(ZoneInfo(ZONES[building])).isocalendar()
    return iso[0], iso[1]


def reference(visits: list[tuple], by: str) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(building, label) -> (visits, visitors, visits the week before), counted by hand."""
    column = 3 if by == "purpose" else 4
    this, before = (2026, 46), (2026, 45)
    now: Counter[tuple[str, str]] = Counter()
    prev: Counter[tuple[str, str]] = Counter()
    persons: dict[tuple[str, str], set[str]] = {}
    for row in visits:
        building, person, minutes = row[0], row[1], row[2]
        label = (row[column] or "").strip() or UNSPECIFIED
        week = local_week(building, MONDAY + timedelta(minutes=minutes))
        if week == this:
            now[(building, label)] += 1
            persons.setdefault((building, label), set()).add(person)
        elif week == before:
            prev[(building, label)] += 1
    keys = set(now) | set(prev)
    return {k: (now[k], len(persons.get(k, ())), prev[k]) for k in keys}


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    connection = db.connect(tmp_path_factory.mktemp("purposes") / "p.duckdb")
    yield connection
    connection.close()


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(visit, max_size=40), st.sampled_from(["purpose", "host"]))
def test_the_week_by_purpose_or_host_is_a_plain_count(con: duckdb.DuckDBPyConnection, visits: list[tuple], by: str) -> None:
    fill(con, visits)
    frame = weekly_by(con, WEEK, by=by)
    assert list(frame.columns) == ["week", "building", by, "visits", "visitors", "visits_prev", "visits_change_pct"]
    got = {(r.building, getattr(r, by)): (r.visits, r.visitors, r.visits_prev) for r in frame.itertuples()}
    want = reference(visits, by)
    assert got == want
    for r in frame.itertuples():
        if r.visits_prev:
            assert r.visits_change_pct == pytest.approx((r.visits - r.visits_prev) / r.visits_prev * 100)
        else:
            assert r.visits_change_pct != r.visits_change_pct  # NaN: no week before to compare with
    # The rows of a building add up to its visits in the weekly statistics.
    stats = weekly_stats(con, WEEK, use_stored=False).set_index("building")["visits"]
    for building in ZONES:
        assert int(frame.loc[frame["building"] == building, "visits"].sum()) == int(stats[building])


def test_one_building_only_and_an_unknown_by(con: duckdb.DuckDBPyConnection) -> None:
    fill(con, [("kw", "p1", 60, "Rapat", "Umum"), ("jkt", "p1", 60, "Rapat", "Umum")])
    assert weekly_by(con, WEEK, by="purpose", building="kw")["building"].tolist() == ["kw"]
    with pytest.raises(ValueError):
        weekly_by(con, WEEK, by="name")


def test_the_unspecified_label_is_in_the_users_language(con: duckdb.DuckDBPyConnection) -> None:
    fill(con, [("kw", "p1", 60, None, None)])
    assert weekly_by(con, WEEK, lang="en")["purpose"].tolist() == ["(not given)"]
    assert weekly_by(con, WEEK, lang="id")["purpose"].tolist() == ["(tidak diisi)"]


def test_the_command_line_by_host(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.duckdb"
    connection = db.connect(path)
    fill(connection, [("kw", "p1", 60, "Rapat", "Bagian Umum"), ("kw", "p2", 90, "Rapat", "Bagian Umum"),
                      ("kw", "p1", 60 - 7 * 24 * 60, "Rapat", "Bagian Umum"), ("kw", "p3", 61, "KTP", None)])
    connection.close()
    assert cli.main(["--db", str(path), "weekly", "--week", WEEK, "--by", "host"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "week,building,host,visits,visitors,visits_prev,visits_change_pct",
        "2026-W46,kw,Bagian Umum,2,2,1,100.0",
        "2026-W46,kw,(tidak diisi),1,1,0,",
    ]
    assert cli.main(["--db", str(path), "weekly", "--week", WEEK, "--by", "name"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_no_visits_gives_the_columns_only(con: duckdb.DuckDBPyConnection) -> None:
    fill(con, [])
    frame = weekly_by(con, WEEK, by="host")
    assert frame.empty and list(frame.columns)[2] == "host"


def test_leadership_sees_the_unit_of_a_host_who_is_a_person_never_the_name(con: duckdb.DuckDBPyConnection) -> None:
    fill(con, [("kw", "v1", 60, "Rapat", "Yohanis Rumengan"), ("kw", "v2", 70, "Rapat", " yohanis  rumengan"),
               ("kw", "v3", 80, "Rapat", "Deisy Mantiri"), ("kw", "v4", 90, "Rapat", "Bagian Umum")])
    con.execute("DELETE FROM persons; DELETE FROM roster")
    con.execute("INSERT INTO persons (person_id, name, category) VALUES ('s1', 'Yohanis Rumengan', 'ASN'), "
                "('s2', 'Deisy Mantiri', 'ASN')")
    con.execute("INSERT INTO roster (person_id, unit, import_id, imported_at) VALUES ('s1', 'Bagian Hukum', 1, now())")
    as_written = weekly_by(con, WEEK, by="host")
    assert "Yohanis Rumengan" in set(as_written["host"])  # the command line: as the book wrote it
    leadership = weekly_by(con, WEEK, by="host", names_as_units=True)
    # Matched by name with case and spacing ignored; a person off the roster has no unit to show.
    assert dict(zip(leadership["host"], leadership["visits"], strict=True)) == {
        "Bagian Hukum": 2, "(pegawai)": 1, "Bagian Umum": 1,
    }
    assert not {"Yohanis Rumengan", "Deisy Mantiri"} & set(leadership["host"])


def test_the_weekly_page_shows_the_week_by_purpose_and_host_as_lib_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Weekly page (AppTest, leadership): the building's table and bar chart by purpose, then by
    host, equal ``weekly_by`` with staff hosts shown as their unit."""
    from lib.analytics.week_counts import week_label
    from lib.ingest.importer import record_events
    from tests.support.app import make_app_env, open_page

    env = make_app_env(tmp_path, monkeypatch)
    con = env.con()
    iso = (env.now - timedelta(days=7)).isocalendar()
    week = week_label(iso[0], iso[1])
    monday = datetime.fromisocalendar(iso[0], iso[1], 2).replace(tzinfo=UTC)  # a Tuesday, 08:00 WITA
    rows = []
    for index, (purpose, host) in enumerate([("Rapat", "Bagian Umum"), ("Rapat", "Bagian Umum"),
                                             ("Mengurus KTP", "Yohanis Rumengan"), ("", "")]):
        at = monday + timedelta(hours=index)
        rows.append({"timestamp": at, "person_id": f"tamu-{index}", "building": "kantor", "action": "checkin",
                     "purpose": purpose, "host": host})
    rows.append({"timestamp": monday, "person_id": "staf-1", "building": "kantor", "action": "checkin",
                 "name": "Yohanis Rumengan", "category": "ASN"})
    record_events(con, rows, source="test", actor="test")
    at = open_page("pages/weekly.py", roles=["leadership"], username="pimpinan")
    at.selectbox(key="weekly_week").set_value(week).run()
    table = next(d.value for d in at.dataframe if "Keperluan" in d.value.columns)
    want = weekly_by(con, week, by="purpose", building="kantor", names_as_units=True)
    assert dict(zip(table["Keperluan"], table["Kunjungan"], strict=True)) == dict(
        zip(want["purpose"], want["visits"], strict=True))
    assert dict(zip(table["Keperluan"], table["Kunjungan"], strict=True)) == {"Rapat": 2, "Mengurus KTP": 1,
                                                                             "(tidak diisi)": 2}
    chart = next(c for c in at.get("plotly_chart") if "weekly_purpose_chart" in str(c.proto.id))
    assert "Mengurus KTP" in chart.proto.spec
    at.radio(key="weekly_purpose_by").set_value("host").run()
    table = next(d.value for d in at.dataframe if "Yang dikunjungi" in d.value.columns)
    assert "Yohanis Rumengan" not in set(table["Yang dikunjungi"])  # the leadership sees no names
    assert dict(zip(table["Yang dikunjungi"], table["Kunjungan"], strict=True)) == {
        "Bagian Umum": 2, "(pegawai)": 1, "(tidak diisi)": 2}


def test_the_report_pdf_and_xlsx_carry_the_week_by_purpose_and_host(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    import io
    import subprocess

    import openpyxl

    from lib.outputs import report

    fill(con, [("kw", "p1", 60, "Rapat", "Bagian Umum"), ("kw", "p2", 70, "Mengurus KTP", None),
               ("kw", "p1", 60 - 7 * 24 * 60, "Rapat", "Bagian Umum")])
    frames = {by: weekly_by(con, WEEK, by=by, lang="en") for by in ("purpose", "host")}
    stats = weekly_stats(con, WEEK, use_stored=False)
    book = openpyxl.load_workbook(io.BytesIO(report.weekly_report_xlsx(
        stats, stats.iloc[0:0], WEEK, {"kw": "Kantor Walikota"}, lang="en", purposes=frames)))
    rows = [[c.value for c in row] for row in book["By purpose"].iter_rows()]
    assert rows[0] == ["Building", "Purpose", "Visits", "Visitors (persons)", "Visits the week before", "Change (%)"]
    assert sorted(rows[1:]) == [["Kantor Walikota", "Mengurus KTP", 1, 1, 0, None],
                                ["Kantor Walikota", "Rapat", 1, 1, 1, 0]]
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(report.weekly_report_pdf(stats, WEEK, MONDAY.date(), MONDAY.date() + timedelta(days=6),
                                             {"kw": "Kantor Walikota"}, ZONES, "en", purposes=frames))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "Visits by purpose" in text and "Visits by host" in text
    assert any("Mengurus KTP" in line and line.split()[-4:] == ["1", "1", "0", "–"] for line in text.splitlines())
