"""Buildings first seen in an import: new and unconfirmed until an administrator confirms,
renames, merges or deletes them (RULES "Import", last rule); leadership totals leave them out.

The merge and delete checks compare against a second store into which the same rows were
imported with the right building from the start (or without the deleted building's rows):
visits, anomalies and the stored hourly and weekly figures must be identical, which is a
real check of the re-pairing with the full rules.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, date
from pathlib import Path

import duckdb
import pytest

from lib.analytics import weekly
from lib.ingest import buildings, importer
from lib.outputs import report
from lib.store import db, places
from tests.conftest import write_csv
from tests.support.old_store import store_at_version

HEADER = ["timestamp", "person_id", "building", "action", "category"]
TYPO = "kantr-walikota"  # a typo of kantor-walikota in one office's export

# Rows as an office exports them: some scans were typed with the wrong building.
ROWS: list[list[object]] = [
    # A: in at the right building, out at the typo. Before the merge: an open visit
    # (closed automatically) and an orphan check-out; after: one scanned visit.
    ["2022-01-03 08:00:00", "A", "kantor-walikota", "masuk", "ASN"],
    ["2022-01-03 12:00:00", "A", TYPO, "keluar", "ASN"],
    # B: in at the typo, out at the right building.
    ["2022-01-03 09:00:00", "B", TYPO, "masuk", "visitor"],
    ["2022-01-03 10:00:00", "B", "kantor-walikota", "keluar", "visitor"],
    # C: the same scan exported twice, once with each spelling: one event after the merge.
    ["2022-01-03 08:30:00", "C", "kantor-walikota", "masuk", "THL"],
    ["2022-01-03 08:30:00", "C", TYPO, "masuk", "THL"],
    ["2022-01-03 11:00:00", "C", "kantor-walikota", "keluar", "THL"],
    # D: open visit at another building; a check-in at the typo, then one at the right
    # building 60 s later: after the merge the second is a duplicate scan (DEDUP).
    ["2022-01-03 07:00:00", "D", "dinas-kesehatan", "masuk", "ASN"],
    ["2022-01-03 08:00:00", "D", TYPO, "masuk", "ASN"],
    ["2022-01-03 08:01:00", "D", "kantor-walikota", "masuk", "ASN"],
    ["2022-01-03 16:00:00", "D", "kantor-walikota", "keluar", "ASN"],
    # E: untouched by the typo.
    ["2022-01-04 08:00:00", "E", "kantor-walikota", "masuk", "ASN"],
    ["2022-01-04 15:00:00", "E", "kantor-walikota", "keluar", "ASN"],
]


def configured(con: duckdb.DuckDBPyConnection) -> None:
    """The office's real building, set up by the administrator (so: confirmed)."""
    buildings.save_building(
        con,
        buildings.BuildingForm(building_id="kantor-walikota", name="Kantor Walikota", timezone="Asia/Makassar",
                               capacity=50, threshold_mode="people", threshold_people=2),
        "kabag",
    )


def store(path: Path, rows: list[list[object]], csv_path: Path) -> duckdb.DuckDBPyConnection:
    con = db.connect(path)
    configured(con)
    importer.import_file(con, write_csv(csv_path, HEADER, rows), actor="kabag")
    return con


def state(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    """Everything the pages read about visits: visits, anomalies and the stored figures."""
    queries = {
        "visits": "SELECT person_id, building, checkin_at, checkout_at, checkout_kind, auto_close_at, category "
                  "FROM visits ORDER BY ALL",
        "anomalies": "SELECT * FROM scan_anomalies ORDER BY ALL",
        "hourly": "SELECT * FROM hourly_figures ORDER BY ALL",
        "hourly_state": "SELECT building, until FROM hourly_figures_state ORDER BY ALL",
        "weekly": "SELECT * FROM weekly_figures ORDER BY ALL",
        "events": "SELECT person_id, building, action, ts FROM events ORDER BY ALL",
    }
    return {name: con.execute(sql).fetchall() for name, sql in queries.items()}


def audit(con: duckdb.DuckDBPyConnection, action: str) -> list[tuple[str, str, str | None]]:
    return con.execute(
        "SELECT actor, subject, params FROM audit_log WHERE action = ? ORDER BY logged_at", [action]
    ).fetchall()


def test_an_import_creates_unknown_buildings_unconfirmed_and_lists_them(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "p.duckdb")
    configured(con)
    summary = importer.import_file(con, write_csv(tmp_path / "log.csv", HEADER, ROWS))
    assert summary.status == "ok"
    assert summary.new_buildings == ["dinas-kesehatan", TYPO]
    assert db.unconfirmed_buildings(con) == {"dinas-kesehatan", TYPO}
    listed = places.list_buildings(con).set_index("building_id")["confirmed"].to_dict()
    assert listed == {"dinas-kesehatan": False, "kantor-walikota": True, TYPO: False}
    new = places.new_buildings(con).set_index("building_id")
    assert new.loc[TYPO, "events"] == 4 and new.loc[TYPO, "persons"] == 4
    # The same file again names nothing new.
    assert importer.import_file(con, write_csv(tmp_path / "log.csv", HEADER, ROWS)).new_buildings == []
    # An empty store still imports: every building is created (new).
    empty = db.connect(tmp_path / "empty.duckdb")
    assert importer.import_file(empty, write_csv(tmp_path / "e.csv", HEADER, ROWS[:2])).new_buildings == [
        "kantor-walikota", TYPO
    ]


def test_merge_gives_the_visits_of_a_log_with_the_right_building(tmp_path: Path) -> None:
    con = store(tmp_path / "typo.duckdb", ROWS, tmp_path / "typo.csv")
    before = state(con)
    right_rows = [[r[0], r[1], "kantor-walikota" if r[2] == TYPO else r[2], *r[3:]] for r in ROWS]
    reference = store(tmp_path / "right.duckdb", right_rows, tmp_path / "right.csv")
    expected = state(reference)
    assert before["visits"] != expected["visits"]  # the typo really made other visits

    result = buildings.merge_building(con, TYPO, "kantor-walikota", "kabag")
    assert result == {"moved": 3, "dropped": 1, "persons": 4}
    assert state(con) == expected
    # A's visit is one scanned visit of four hours now, D's second check-in a duplicate.
    visits = con.execute(
        "SELECT person_id, checkout_kind FROM visits WHERE building = 'kantor-walikota' ORDER BY ALL"
    ).fetchall()
    assert ("A", "scan") in visits and ("B", "scan") in visits
    assert TYPO not in {r[0] for r in con.execute("SELECT building_id FROM buildings").fetchall()}
    assert audit(con, "building_merge")[0][:2] == ("kabag", TYPO)
    assert '"into": "kantor-walikota"' in (audit(con, "building_merge")[0][2] or "")


def test_merge_into_an_unknown_or_the_same_building_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    con = store(tmp_path / "typo.duckdb", ROWS, tmp_path / "typo.csv")
    before = state(con)
    with pytest.raises(places.SettingsError) as same:
        buildings.merge_building(con, TYPO, TYPO, "kabag")
    assert same.value.code == "merge_same"
    with pytest.raises(places.SettingsError) as unknown:
        buildings.merge_building(con, TYPO, "tidak-ada", "kabag")
    assert unknown.value.code == "unknown_building"
    with pytest.raises(places.SettingsError) as confirmed:
        buildings.merge_building(con, "kantor-walikota", "dinas-kesehatan", "kabag")
    assert confirmed.value.code == "not_new"
    assert state(con) == before
    assert audit(con, "building_merge") == []


def test_delete_removes_the_building_and_re_pairs_the_rest(tmp_path: Path) -> None:
    con = store(tmp_path / "typo.duckdb", ROWS, tmp_path / "typo.csv")
    reference = store(tmp_path / "none.duckdb", [r for r in ROWS if r[2] != TYPO], tmp_path / "none.csv")
    result = buildings.delete_building(con, TYPO, "kabag")
    assert result == {"events": 4, "persons": 4}
    assert state(con) == state(reference)
    for table in ("events", "visits", "scan_anomalies", "hourly_figures", "weekly_figures"):
        assert con.execute(f"SELECT count(*) FROM {table} WHERE building = ?", [TYPO]).fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) FROM buildings WHERE building_id = ?", [TYPO]).fetchall()[0][0] == 0
    assert audit(con, "building_delete")[0][:2] == ("kabag", TYPO)
    with pytest.raises(places.SettingsError) as again:
        buildings.delete_building(con, TYPO, "kabag")
    assert again.value.code == "unknown_building"


def test_confirm_and_rename_end_the_new_state_and_are_audited(tmp_path: Path) -> None:
    con = store(tmp_path / "typo.duckdb", ROWS, tmp_path / "typo.csv")
    buildings.confirm_building(con, "dinas-kesehatan", "kabag")
    with pytest.raises(places.SettingsError) as empty:
        buildings.rename_building(con, TYPO, "   ", "kabag")
    assert empty.value.code == "bad_name"
    buildings.rename_building(con, TYPO, "  Kantor Walikota (lama) ", "kabag")
    assert db.unconfirmed_buildings(con) == set()
    names = places.list_buildings(con).set_index("building_id")["name"].to_dict()
    assert names[TYPO] == "Kantor Walikota (lama)"
    assert [r[1] for r in audit(con, "building_confirm")] == ["dinas-kesehatan"]
    assert [r[1] for r in audit(con, "building_rename")] == [TYPO]
    with pytest.raises(places.SettingsError) as done:
        buildings.confirm_building(con, TYPO, "kabag")
    assert done.value.code == "not_new"


def test_saving_a_building_in_settings_confirms_it(tmp_path: Path) -> None:
    con = store(tmp_path / "typo.duckdb", ROWS, tmp_path / "typo.csv")
    result = buildings.save_building(
        con, buildings.BuildingForm(building_id="dinas-kesehatan", name="Dinas Kesehatan", timezone="Asia/Makassar",
                                    capacity=None, threshold_mode="none"), "kabag",
    )
    assert result["changes"]["confirmed"] == (False, True)
    assert db.unconfirmed_buildings(con) == {TYPO}


def test_leadership_totals_leave_unconfirmed_buildings_out(tmp_path: Path) -> None:
    con = store(tmp_path / "typo.duckdb", ROWS, tmp_path / "typo.csv")
    everything = weekly.weekly_stats(con, "2022-W01")
    leadership = weekly.weekly_stats(con, "2022-W01", confirmed_only=True)
    assert set(everything["building"]) == {"dinas-kesehatan", "kantor-walikota", TYPO}
    assert list(leadership["building"]) == ["kantor-walikota"]
    trend = weekly.weekly_trend(con, "2022-W01", weeks=2, confirmed_only=True)
    assert set(trend["building"]) == {"kantor-walikota"}
    pdf = report.weekly_report_pdf(leadership, "2022-W01", date(2022, 1, 3), date(2022, 1, 9), lang="id")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "di 1 gedung" in " ".join(text.split())
    assert TYPO not in text
    # Once confirmed, a building counts.
    buildings.confirm_building(con, TYPO, "kabag")
    assert TYPO in set(weekly.weekly_stats(con, "2022-W01", confirmed_only=True)["building"])


def test_an_old_file_gets_the_flag_and_its_buildings_stay_confirmed(tmp_path: Path) -> None:
    """Migration 6 on a version-5 file: buildings already there count as confirmed."""
    path = tmp_path / "old.duckdb"
    old = store_at_version(path, 5)
    old.execute("INSERT INTO buildings (building_id, name) VALUES ('kantor', 'Kantor'), ('gudang', 'gudang')")
    old.close()

    con = db.connect(path)
    assert db.schema_version(con) == len(db.MIGRATIONS) >= 6
    assert con.execute("SELECT building_id, confirmed FROM buildings ORDER BY 1").fetchall() == [
        ("gudang", True), ("kantor", True)
    ]
    summary = importer.import_file(con, write_csv(tmp_path / "n.csv", HEADER, ROWS[:2]))
    assert summary.new_buildings == ["kantor-walikota", TYPO]
    assert db.unconfirmed_buildings(con) == {"kantor-walikota", TYPO}
    con.close()


def test_now_overview_marks_new_buildings_and_has_no_nan_light(tmp_path: Path) -> None:
    """A building without threshold has the light None (pandas 3 would make it NaN, which once
    reached the Sekarang page as the raw text key 'now.light.nan')."""
    from datetime import UTC, datetime

    from lib.analytics import live

    con = store(tmp_path / "typo.duckdb", ROWS, tmp_path / "typo.csv")
    overview = live.now_overview(con, datetime(2022, 1, 3, 2, 0, tzinfo=UTC)).set_index("building")
    assert overview.loc[TYPO, "light"] is None
    assert overview.loc["kantor-walikota", "light"] in ("green", "yellow", "red")
    assert overview["confirmed"].to_dict() == {"dinas-kesehatan": False, "kantor-walikota": True, TYPO: False}


def test_an_import_naming_a_building_by_its_display_name_lands_in_that_building(tmp_path: Path) -> None:
    """Issue 26 item 2: "Kantor Walikota Bitung" in the building column is ``kantor-walikota``
    (its display name, in any case and spacing), not a second building of the same name."""
    con = db.connect(tmp_path / "p.duckdb")
    buildings.save_building(
        con,
        buildings.BuildingForm(building_id="kantor-walikota", name="Kantor Walikota Bitung", timezone="Asia/Makassar",
                               capacity=50, threshold_mode="none"),
        "kabag",
    )
    rows: list[list[object]] = [
        ["2022-01-03 08:00:00", "A", "Kantor Walikota Bitung", "masuk", "ASN"],
        ["2022-01-03 12:00:00", "A", "  kantor   WALIKOTA bitung ", "keluar", "ASN"],
        ["2022-01-03 09:00:00", "B", "KANTOR-WALIKOTA", "masuk", "visitor"],
        ["2022-01-03 10:00:00", "B", "kantor-walikota", "keluar", "visitor"],
    ]
    summary = importer.import_file(con, write_csv(tmp_path / "named.csv", HEADER, rows), actor="kabag")
    assert summary.status == "ok" and summary.new_buildings == []
    assert list(places.list_buildings(con)["building_id"]) == ["kantor-walikota"]
    visits = con.execute(
        "SELECT person_id, building, checkin_at, checkout_at, checkout_kind FROM visits ORDER BY person_id"
    ).fetchall()
    # Local times in the building's zone (WITA): 08:00 is 00:00 UTC.
    assert [(p, b, str(i.astimezone(UTC))[:16], str(o.astimezone(UTC))[:16], k) for p, b, i, o, k in visits] == [
        ("A", "kantor-walikota", "2022-01-03 00:00", "2022-01-03 04:00", "scan"),
        ("B", "kantor-walikota", "2022-01-03 01:00", "2022-01-03 02:00", "scan"),
    ]
    # A name that matches no building is still a new one.
    other = importer.import_file(
        con, write_csv(tmp_path / "other.csv", HEADER, [["2022-01-04 08:00:00", "C", "Dinas Kesehatan", "masuk", "ASN"]])
    )
    assert other.new_buildings == ["Dinas Kesehatan"]


def test_a_roster_naming_the_home_building_by_its_display_name_uses_that_building(tmp_path: Path) -> None:
    """A staff roster's "gedung" column written as the building's display name is that
    building: no second building of the same name on the Now page."""
    con = db.connect(tmp_path / "p.duckdb")
    buildings.save_building(
        con,
        buildings.BuildingForm(building_id="kantor-walikota", name="Kantor Walikota Bitung", timezone="Asia/Makassar",
                               capacity=50, threshold_mode="none"),
        "kabag",
    )
    roster = write_csv(tmp_path / "roster.csv", ["nip", "nama", "unit_kerja", "gedung"],
                       [["1", "Siti", "Umum", " kantor walikota  BITUNG"], ["2", "Budi", "Umum", "Dinas Kesehatan"]],
                       delimiter=";")
    importer.import_file(con, roster, actor="kabag")
    assert sorted(places.list_buildings(con)["building_id"]) == ["Dinas Kesehatan", "kantor-walikota"]
    assert con.execute("SELECT person_id, building FROM roster ORDER BY person_id").fetchall() == [
        ("1", "kantor-walikota"), ("2", "Dinas Kesehatan")]
    con.close()
