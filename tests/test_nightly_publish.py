"""The running app publishes to the province each night once Settings names where (issue 24)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lib.cli.commands import run
from lib.ingest import importer
from lib.outputs import publish
from lib.store import db

KEY = "k" * 40
AT_NIGHT = datetime(2026, 12, 7, 19, 30, tzinfo=UTC)  # 03:30 WITA on 8 December


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small site: two visits on 7 December."""
    path = tmp_path / "site.duckdb"
    con = db.connect(path)
    start = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)
    rows = [
        {"timestamp": start + timedelta(minutes=m), "person_id": p, "building": "kantor", "action": a,
         "name": f"Nama {p}", "category": "ASN"}
        for p, m, a in (("p1", 0, "checkin"), ("p1", 60, "checkout"), ("p2", 5, "checkin"), ("p2", 50, "checkout"))
    ]
    importer.record_events(con, rows, "setup", "setup")
    con.close()
    return path


def test_settings_name_the_lake_and_the_night_publishes_once(tmp_path: Path, site: Path) -> None:
    database = db.shared(site)
    lake = tmp_path / "lake"
    cur = database.cursor()
    try:
        assert publish.nightly_publish(database, KEY, now=AT_NIGHT) is False  # no destination named yet
        publish.set_publish_settings(cur, str(lake), "bitung", "admin")
        assert publish.nightly_publish(database, KEY, now=AT_NIGHT - timedelta(hours=3)) is False  # 00:30, too early
        assert publish.nightly_publish(database, KEY, now=AT_NIGHT) is True
        assert publish.nightly_publish(database, KEY, now=AT_NIGHT) is False  # once a day
        audit = cur.execute("SELECT actor, subject FROM audit_log WHERE action = 'province_publish'").fetchall()
    finally:
        cur.close()
    assert audit == [("schedule", "bitung")]
    assert (lake / "visits" / "site=bitung" / "day=2026-12-07").is_dir()


def test_a_refused_publish_is_tried_again_the_next_time(tmp_path: Path, site: Path) -> None:
    database = db.shared(site)
    cur = database.cursor()
    try:
        publish.set_publish_settings(cur, str(tmp_path / "lake"), "bitung", "admin")
    finally:
        cur.close()
    assert publish.nightly_publish(database, None, now=AT_NIGHT) is False  # no key: refused and logged
    assert publish.nightly_publish(database, KEY, now=AT_NIGHT) is True  # the key came: it runs


def test_the_command_line_sets_the_same_settings_and_refuses_a_bad_site(tmp_path: Path, site: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run(["--db", str(site), "settings", "set", "province_site", "bitung kota"], out, err) == 2
    assert err.getvalue().count("\n") == 1
    assert run(["--db", str(site), "settings", "set", "province_site", "bitung"], out, err) == 0
    assert run(["--db", str(site), "settings", "set", "province_publish_to", str(tmp_path)], out, err) == 0
    con = db.connect(site)
    try:
        assert publish.publish_settings(con) == (str(tmp_path), "bitung")
    finally:
        con.close()


def test_the_settings_page_names_the_destination_and_refuses_a_bad_site(app_env) -> None:  # type: ignore[no-untyped-def]
    from tests.support.app import errors, open_page

    at = open_page("pages/settings.py")
    at.text_input(key="settings_publish_to").set_value("/mnt/provinsi/lake")
    at.text_input(key="settings_publish_site").set_value("kota bitung!")
    at.button(key="settings_province_save").click().run()
    assert any("kota bitung!" in e for e in errors(at))
    assert publish.publish_settings(app_env.con()) is None  # nothing saved
    at.text_input(key="settings_publish_site").set_value("kota-bitung")
    at.button(key="settings_province_save").click().run()
    assert not errors(at)
    assert publish.publish_settings(app_env.con()) == ("/mnt/provinsi/lake", "kota-bitung")
