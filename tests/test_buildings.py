"""Building settings: thresholds, validation, MAX_STAY re-pairing, gates, app settings, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from lib.analytics.visits import list_visits
from lib.ingest import buildings, importer
from lib.store import db, places

T0 = datetime(2022, 1, 3, 0, 0, tzinfo=UTC)  # 08:00 WITA


def form(**changes: object) -> buildings.BuildingForm:
    values: dict[str, object] = {
        "building_id": "kantor", "name": "Kantor", "timezone": "Asia/Makassar", "capacity": 100,
        "threshold_mode": "people", "threshold_people": 60,
    }
    values.update(changes)
    return buildings.BuildingForm(**values)  # type: ignore[arg-type]


def audit_actions(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT action FROM audit_log ORDER BY logged_at, rowid").fetchall()]


@pytest.mark.parametrize(
    ("mode", "extra", "threshold"),
    [
        ("people", {"threshold_people": 60}, 60),
        ("share", {"threshold_share": 0.75}, 75),
        ("ppkm", {"ppkm_level": 3}, 50),
        ("ppkm", {"ppkm_level": 2, "capacity": 45}, 33),  # 33.75 rounds down
        ("none", {}, None),
    ],
)
def test_threshold_modes(con: duckdb.DuckDBPyConnection, mode: str, extra: dict[str, object],
                         threshold: int | None) -> None:
    buildings.save_building(con, form(threshold_mode=mode, **extra), "kabag")
    assert places.thresholds(con) == {"kantor": threshold}
    row = con.execute("SELECT threshold_people, threshold_share, ppkm_level FROM buildings").fetchall()[0]
    assert sum(v is not None for v in row) == (0 if mode == "none" else 1)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"timezone": "Mars/Olympus"}, "bad_timezone"),
        ({"building_id": "no spaces"}, "bad_id"),
        ({"threshold_mode": "share", "threshold_share": 0.5, "capacity": None}, "needs_capacity"),
        ({"threshold_mode": "share", "threshold_share": 1.5}, "bad_share"),
        ({"threshold_mode": "ppkm", "ppkm_level": 5}, "bad_ppkm"),
        ({"max_stay_visitor_min": 0}, "bad_max_stay"),
        ({"capacity": -1}, "bad_capacity"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(con: duckdb.DuckDBPyConnection,
                                                       changes: dict[str, object], code: str) -> None:
    with pytest.raises(places.SettingsError) as error:
        buildings.save_building(con, form(**changes), "kabag")
    assert error.value.code == code
    assert con.execute("SELECT count(*) FROM buildings").fetchall()[0][0] == 0
    assert audit_actions(con) == []


def test_max_stay_change_repairs_visits_and_is_audited(con: duckdb.DuckDBPyConnection) -> None:
    buildings.save_building(con, form(), "kabag")
    importer.record_events(
        con,
        [
            {"timestamp": T0, "person_id": "v1", "building": "kantor", "action": "checkin", "category": "tamu"},
            {"timestamp": T0 + timedelta(hours=4), "person_id": "v1", "building": "kantor", "action": "checkout"},
        ],
        "test", "test",
    )
    now = T0 + timedelta(days=1)
    before = list_visits(con, now=now)
    # Visitor MAX_STAY 3 h: closed automatically at 3 h, the check-out at 4 h is an orphan.
    assert before["checkout_kind"].tolist() == ["auto"]
    assert before["checkout_at"].iloc[0] == T0 + timedelta(hours=3)
    result = buildings.save_building(con, form(max_stay_visitor_min=300), "kabag")
    assert result["repaired"] is True
    assert set(result["changes"]) == {"max_stay_visitor_min"}  # type: ignore[arg-type]
    after = list_visits(con, now=now)
    assert after["checkout_kind"].tolist() == ["scan"]
    assert after["checkout_at"].iloc[0] == T0 + timedelta(hours=4)
    assert con.execute("SELECT count(*) FROM scan_anomalies WHERE kind = 'orphan'").fetchall()[0][0] == 0
    record = con.execute(
        "SELECT actor, subject, params FROM audit_log WHERE action = 'building_update'"
    ).fetchall()
    assert record[0][0] == "kabag" and record[0][1] == "kantor"
    assert '"max_stay_visitor_min": {"old": 180, "new": 300}' in record[0][2]


def test_saving_unchanged_values_writes_no_audit(con: duckdb.DuckDBPyConnection) -> None:
    first = buildings.save_building(con, form(), "kabag")
    assert first["created"] is True
    second = buildings.save_building(con, form(), "kabag")
    assert second["changes"] == {} and second["repaired"] is False
    assert audit_actions(con) == ["building_create"]


def test_gates_are_added_and_renamed(con: duckdb.DuckDBPyConnection) -> None:
    buildings.save_building(con, form(), "kabag")
    assert places.save_gate(con, "kantor", "utama", "Pintu Utama", "kabag") is True
    assert places.save_gate(con, "kantor", "utama", "Pintu Depan", "kabag") is False
    gates = places.list_gates(con, "kantor")
    assert gates.to_dict("records") == [{"gate_id": "utama", "name": "Pintu Depan"}]
    with pytest.raises(places.SettingsError):
        places.save_gate(con, "nowhere", "utama", "x", "kabag")
    assert audit_actions(con)[-2:] == ["gate_create", "gate_update"]


def test_app_settings_are_validated_and_audited(con: duckdb.DuckDBPyConnection) -> None:
    assert places.retention_days(con) == 30
    assert places.set_retention_days(con, 25, "kabag") is True
    assert places.set_retention_days(con, 25, "kabag") is False
    assert places.retention_days(con) == 25
    with pytest.raises(places.SettingsError):
        places.set_retention_days(con, 0, "kabag")
    with pytest.raises(places.SettingsError):
        places.set_public_base_url(con, "javascript:alert(1)", "kabag")
    places.set_public_base_url(con, " https://pantau.bitungkota.go.id/ ", "kabag")
    assert places.public_base_url(con) == "https://pantau.bitungkota.go.id"
    places.set_expected_staff(con, "kantor", 180, "kabag")
    assert places.expected_staff(con) == {"kantor": 180}
    assert db.get_setting(con, "expected_staff:kantor") == "180"
    assert audit_actions(con).count("setting_change") == 3
