"""The benchmark at a tiny scale: its generator and pandas references agree with lib/.

The benchmark asserts equality between the project and pandas at 1 and 10 million visits;
this proves on small data (in seconds) that the generator's direct database write is what
the real import makes of its CSV, and that each pandas reference gives lib's answer.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from benchmarks import bench
from benchmarks import generate as gen
from benchmarks import pandas_reference as pr
from lib import db, importer

VISIT_COLUMNS = ("person_id, building, checkin_at, checkout_at, checkout_kind, auto_close_at, category, "
                 "gate_in, gate_out, area, status")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("bench")
    ds = gen.generate(4000, weeks=4, n_buildings=5, seed=7)
    cut = ds.end_utc - 2 * 86400  # a Saturday: guards still inside, forgotten check-outs open
    csv_path = folder / "events.csv"
    rows = gen.write_events_csv(ds, csv_path, end=cut)
    imported = folder / "imported.duckdb"
    con = db.connect(imported)
    summary = importer.import_file(con, csv_path, actor="test")
    con.close()
    direct = folder / "direct.duckdb"
    gen.write_store(ds, direct, cut=cut)
    return {"ds": ds, "cut": cut, "csv": csv_path, "rows": rows, "imported": imported, "direct": direct,
            "summary": summary, "now": dt.datetime.fromtimestamp(cut, dt.UTC)}


def _difference(path_a: Path, path_b: Path, query: str) -> list[tuple]:
    con = db.connect(path_a, read_only=True)
    try:
        con.execute(f"ATTACH '{path_b}' AS other (READ_ONLY)")
        mine = query.format(schema="")
        theirs = query.format(schema="other.")
        return con.execute(f"({mine} EXCEPT ALL {theirs}) UNION ALL ({theirs} EXCEPT ALL {mine})").fetchall()
    finally:
        con.close()


def test_generated_data_is_realistic(tiny: dict) -> None:
    ds, summary = tiny["ds"], tiny["summary"]
    assert summary.status == "ok" and summary.quarantined == 0
    assert summary.rows_read == tiny["rows"]
    assert summary.duplicates > 0 and summary.orphans > 0  # double scans, overlong visitor stays
    stored = gen.stored_visits(ds, tiny["cut"])["visits"]
    share_auto = (stored["kind"] != 0).mean()
    assert 0.03 < share_auto < 0.10  # about 5 % forgotten check-outs
    local_hour = ((stored["checkin_at"] + gen.OFFSET_S) % 86400) // 3600
    staff = stored["category"] < 2
    assert 0.5 < ((local_hour[staff] >= 7) & (local_hour[staff] < 9)).mean() < 0.9  # morning arrivals
    weekday = ((stored["checkin_at"] + gen.OFFSET_S - ds.start_utc - gen.OFFSET_S) // 86400) % 7
    assert (weekday >= 5).mean() < 0.1  # quiet weekends


def test_direct_store_equals_the_real_import(tiny: dict) -> None:
    assert _difference(tiny["imported"], tiny["direct"], f"SELECT {VISIT_COLUMNS} FROM {{schema}}visits") == []
    assert _difference(tiny["imported"], tiny["direct"],
                       "SELECT person_id, building, ts, action, kind FROM {schema}scan_anomalies") == []
    assert _difference(tiny["imported"], tiny["direct"],
                       "SELECT person_id, building, action, ts, name, category, phone, gate, status "
                       "FROM {schema}events") == []
    assert _difference(tiny["imported"], tiny["direct"],
                       "SELECT person_id, name, category, phone FROM {schema}persons") == []


def test_pandas_import_equals_lib_import(tiny: dict) -> None:
    visits, counts = pr.import_csv(tiny["csv"])
    con = db.connect(tiny["imported"], read_only=True)
    lib_visits = con.execute(
        "SELECT person_id, building, checkin_at, checkout_at, checkout_kind, category FROM visits").df()
    con.close()
    lib_result = {"visits": lib_visits, "duplicates": tiny["summary"].duplicates, "orphans": tiny["summary"].orphans}
    assert bench.compare("import_csv", lib_result, {"visits": visits, **counts}) is None
    # The comparison notices a difference.
    changed = visits.copy()
    changed.loc[changed.index[0], "checkout_kind"] = "auto" if changed["checkout_kind"].iloc[0] == "scan" else "scan"
    assert bench.compare("import_csv", lib_result, {"visits": changed, **counts}) is not None


@pytest.fixture(scope="module")
def loaded(tiny: dict) -> dict:
    con = db.connect(tiny["direct"], read_only=True)
    try:
        return {"visits": pr.load_visits(con, tiny["now"]), "buildings": pr.load_buildings(con),
                "persons": pr.load_persons(con)}
    finally:
        con.close()


def test_pandas_occupancy_equals_lib(tiny: dict, loaded: dict) -> None:
    occupancy = pytest.importorskip("lib.occupancy")
    now = tiny["now"]
    start, end = now - dt.timedelta(days=10), now
    con = db.connect(tiny["direct"], read_only=True)
    try:
        lib_frame = occupancy.hourly_occupancy(con, start, end, now=now)
    finally:
        con.close()
    mine = pr.hourly_occupancy(loaded["visits"], loaded["buildings"], start, end)
    assert mine["peak"].max() > 0 and (mine["peak"] == 0).any()
    assert bench.compare("occupancy_31d", lib_frame, mine) is None


def test_pandas_crowding_equals_lib(tiny: dict, loaded: dict) -> None:
    crowding = pytest.importorskip("lib.crowding")
    now = tiny["now"]
    start, end = now - dt.timedelta(days=27), now
    con = db.connect(tiny["direct"], read_only=True)
    try:
        for building in loaded["buildings"].index:
            for threshold in (None, 3):
                lib_frame = crowding.crowding_episodes(con, start, end, building=building, threshold=threshold,
                                                       now=now)
                mine = pr.crowding_episodes(loaded["visits"], loaded["buildings"], start, end, building, threshold)
                assert bench.compare("crowding_31d", lib_frame, mine) is None, building
    finally:
        con.close()


def test_pandas_trace_equals_lib(tiny: dict, loaded: dict) -> None:
    from lib import tracing

    now = tiny["now"]
    start, end = now - dt.timedelta(days=14), now
    visits = loaded["visits"]
    people = list(visits.loc[visits["checkin"] >= pr.to_us(start), "person_id"].drop_duplicates().iloc[:12])
    con = db.connect(tiny["direct"], read_only=True)
    found = 0
    try:
        for person in people:
            for tail in (0, 30):
                lib_frame = tracing.trace_contacts(con, person, start, end, 15, tail, actor="test", now=now,
                                                   audit=False)
                mine = pr.trace_contacts(visits, loaded["persons"], person, start, end, 15, tail)
                assert bench.compare("trace_14d", lib_frame, mine) is None, person
                found += len(mine)
    finally:
        con.close()
    assert found > 0


def test_pandas_weekly_equals_lib(tiny: dict, loaded: dict) -> None:
    weekly = pytest.importorskip("lib.weekly")
    now = tiny["now"]
    week = "2022-W03"
    con = db.connect(tiny["direct"], read_only=True)
    try:
        lib_result = {"stats": weekly.weekly_stats(con, week, now=now),
                      "trend": weekly.weekly_trend(con, week, weeks=3, now=now)}
    finally:
        con.close()
    mine = {"stats": pr.weekly_stats(loaded["visits"], loaded["buildings"], week),
            "trend": pr.weekly_trend(loaded["visits"], loaded["buildings"], week, 3)}
    assert mine["stats"]["visits"].sum() > 0
    assert bench.compare_weekly(lib_result, mine) is None
