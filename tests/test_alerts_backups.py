"""Alerts due (RULES "Alerts"), their webhook against a real HTTP server on 127.0.0.1, and
the nightly backups: rotation and a restore drill (backup, damage the file, restore)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from lib.analytics import alerts
from lib.analytics.occupancy import hourly_occupancy
from lib.analytics.visits import list_visits
from lib.ingest import importer
from lib.outputs import webhook
from lib.store import backup, db, office
from tests.conftest import write_csv

WITA = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2022, 1, 31, tzinfo=WITA)  # the day of the checks; the four Mondays before hold the usual scans
HEADER = ["timestamp", "person_id", "building", "action", "gate", "area", "category"]


def at(day: dt.datetime, hour: float) -> dt.datetime:
    return day + dt.timedelta(minutes=round(hour * 60))


def scenario(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """kw (threshold 3) holds 5 staff, two of them in Ruang A (capacity 2); dk (threshold 5)
    holds 4; a visitor never checked out this morning; door g1 of kw had scans around 10:00
    on each of the last four Mondays but none today; a visitor comes at 16:30."""
    rows: list[list[object]] = []
    for weeks in range(1, 5):
        day = MONDAY - dt.timedelta(weeks=weeks)
        rows.append([at(day, 10).isoformat(), f"G{weeks}", "kw", "checkin", "g1", "", "visitor"])
        rows.append([at(day, 10 + 5 / 60).isoformat(), f"H{weeks}", "kw", "checkin", "", "", "visitor"])
        if weeks <= 2:
            rows.append([at(day, 10).isoformat(), f"J{weeks}", "dk", "checkin", "g2", "", "visitor"])
    for person in ("A", "B", "C", "D"):
        rows.append([at(MONDAY, 8).isoformat(), person, "kw", "checkin", "", "", "ASN"])
    for person in ("A", "B"):
        rows.append([at(MONDAY, 9.5).isoformat(), person, "kw", "checkin", "", "Ruang A", "ASN"])  # AREA_STAY: until 11:30
    rows.append([at(MONDAY, 10 + 10 / 60).isoformat(), "E", "kw", "checkin", "", "", "ASN"])
    for person in ("P", "Q", "R", "S"):
        rows.append([at(MONDAY, 8).isoformat(), person, "dk", "checkin", "", "", "ASN"])
    rows.append([at(MONDAY, 6).isoformat(), "W", "kw", "checkin", "", "", "visitor"])
    rows.append([at(MONDAY, 16.5).isoformat(), "V", "kw", "checkin", "", "", "visitor"])
    importer.import_file(con, write_csv(folder / "scans.csv", HEADER, rows))
    con.execute("UPDATE buildings SET threshold_people = 3 WHERE building_id = 'kw'")
    con.execute("UPDATE buildings SET threshold_people = 5 WHERE building_id = 'dk'")
    con.execute("UPDATE areas SET capacity = 2 WHERE area_id = 'Ruang A'")


EXPECTED_AT_1030 = [
    ("building_over", "kw", "", 5, 3),
    ("overstay", "kw", "", 1, None),
    ("building_near", "dk", "", 4, 5),
    ("room_near", "kw", "Ruang A", 2, 2),
    ("silent_door", "kw", "g1", 4, 3),
]


def due(con: duckdb.DuckDBPyConnection, moment: dt.datetime) -> list[tuple]:
    frame = alerts.alerts_due(con, moment)
    return [(r.kind, r.building, r.place, r.value, None if r.limit is None or r.limit != r.limit else r.limit)
            for r in frame.astype(object).where(frame.notna(), None).itertuples()]


def test_alerts_due_in_office_hours_and_after(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    scenario(con, tmp_path)
    assert due(con, at(MONDAY, 10.5)) == EXPECTED_AT_1030
    # 17:00 is after office hours: the visitor V is reported, doors are not checked.
    at_five = due(con, at(MONDAY, 17))
    assert ("after_hours", "kw", "", 1, None) in at_five
    assert not [a for a in at_five if a[0] == "silent_door"]
    # Office hours are a setting: until 18:00, V is no longer "after hours" at 17:00.
    office.set_office_hours(con, "07:00-18:00", "admin")
    assert not [a for a in due(con, at(MONDAY, 17)) if a[0] == "after_hours"]
    with pytest.raises(office.SettingsError):
        office.set_office_hours(con, "16:00-07:00", "admin")


# --- the webhook against a real server -----------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.status = 200
        self.delay = 0.0


@pytest.fixture
def server() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if recorder.delay:
                time.sleep(recorder.delay)
            recorder.bodies.append(json.loads(body))
            self.send_response(recorder.status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/hook", recorder
    httpd.shutdown()
    httpd.server_close()


def test_webhook_receives_exactly_the_alerts_due_once_an_hour(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, server: tuple[str, Recorder]
) -> None:
    url, recorder = server
    scenario(con, tmp_path)
    # Without a URL nothing is posted.
    assert webhook.deliver_due(con, at(MONDAY, 10.5))["due"] == 0
    office.set_webhook_url(con, url, "admin")
    counts = webhook.deliver_due(con, at(MONDAY, 10.5), backoff=0)
    assert counts == {"due": 5, "sent": 5, "failed": 0, "waiting": 0}
    assert [(b["kind"], b["building"], b["place"], b["value"], b["limit"]) for b in recorder.bodies] == EXPECTED_AT_1030
    assert recorder.bodies[0]["at"] == "2022-01-31T10:30:00+08:00"
    assert "kw" in recorder.bodies[0]["message"]
    assert not any("name" in body for body in recorder.bodies)  # figures only, nobody named
    # Five minutes later the same alerts are still due: not posted again within the hour.
    assert webhook.deliver_due(con, at(MONDAY, 10.5 + 5 / 60), backoff=0)["sent"] == 0
    assert len(recorder.bodies) == 5
    logged = webhook.deliveries(con)
    assert len(logged) == 5 and logged["delivered"].all() and set(logged["status"]) == {200}
    # An hour and a minute later, the alerts still due are posted again (the silent door is
    # no longer due: its usual scans were around 10:00; the room's stays ended at 11:30).
    webhook.deliver_due(con, at(MONDAY, 11.5 + 1 / 60), backoff=0)
    assert [b["kind"] for b in recorder.bodies[5:]] == ["building_over", "overstay", "building_near"]


def test_webhook_rate_limit_holds_the_rest_for_the_next_run(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, server: tuple[str, Recorder], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, recorder = server
    scenario(con, tmp_path)
    office.set_webhook_url(con, url, "admin")
    monkeypatch.setattr(webhook, "MAX_PER_RUN", 2)
    assert webhook.deliver_due(con, at(MONDAY, 10.5), backoff=0) == {"due": 5, "sent": 2, "failed": 0, "waiting": 3}
    assert [b["kind"] for b in recorder.bodies] == ["building_over", "overstay"]  # the worst first
    webhook.deliver_due(con, at(MONDAY, 10.5 + 1 / 60), backoff=0)
    assert [b["kind"] for b in recorder.bodies][2:] == ["building_near", "room_near"]


def test_webhook_500_and_timeout_are_retried_logged_and_never_block(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, server: tuple[str, Recorder], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, recorder = server
    scenario(con, tmp_path)
    office.set_webhook_url(con, url, "admin")
    monkeypatch.setattr(webhook, "MAX_PER_RUN", 1)
    recorder.status = 500
    assert webhook.deliver_due(con, at(MONDAY, 10.5), backoff=0)["failed"] == 1
    logged = webhook.deliveries(con)
    assert sorted(logged["attempt"]) == [1, 2, 3] and set(logged["status"]) == {500} and not logged["delivered"].any()
    # Not marked sent: the next run tries again, and this time the server answers.
    recorder.status = 200
    assert webhook.deliver_due(con, at(MONDAY, 10.5 + 1 / 60), backoff=0)["sent"] == 1
    # A server slower than the timeout: three attempts, each logged with its error, and the
    # run returns in about three timeouts.
    recorder.delay = 1.5
    con.execute("DELETE FROM alert_sent")
    started = time.monotonic()
    counts = webhook.deliver_due(con, at(MONDAY, 10.5 + 2 / 60), backoff=0, timeout=0.3)
    assert counts["failed"] == 1 and time.monotonic() - started < 3
    errors = webhook.deliveries(con, limit=3)
    assert errors["error"].str.contains("timed out|TimeoutError", regex=True).all()
    # Meanwhile the Now page's reading of the alerts needs no network at all.
    assert due(con, at(MONDAY, 10.5)) == EXPECTED_AT_1030


def test_webhook_url_must_be_http(con: duckdb.DuckDBPyConnection) -> None:
    for bad in ("ftp://example.org/x", "http://exa mple.org", "hooks.example.org", "http://:80/x", "http://h:99999/"):
        with pytest.raises(office.SettingsError):
            office.set_webhook_url(con, bad, "admin")
    assert office.set_webhook_url(con, " https://hooks.example.org/pantau ", "admin")
    assert office.webhook_url(con) == "https://hooks.example.org/pantau"
    assert office.set_webhook_url(con, "", "admin") and office.webhook_url(con) is None


# --- backups ---------------------------------------------------------------------------


def test_backup_rotation_keeps_the_newest(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    office.set_backup_keep(con, 2, "admin")
    (folder).mkdir()
    (folder / "pantau-20220101-010000.duckdb.partial").write_bytes(b"half")  # a crash's leftover
    made = [backup.backup_now(con, folder, now=at(MONDAY, 1 + n)) for n in range(4)]
    listed = backup.list_backups(folder, now=at(MONDAY, 6))
    assert list(listed["name"]) == [made[3].name, made[2].name]
    assert (listed["size_bytes"] > 0).all()
    assert not list(folder.glob("*.partial*"))
    with pytest.raises(office.SettingsError):
        office.set_backup_keep(con, 0, "admin")


def test_a_backup_waits_for_a_running_import(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """An import holds the write lock for its one transaction; the backup takes it too, so
    it starts only when the import is done and holds every row of it."""
    folder = tmp_path / "backups"
    done: list[Path] = []
    with db.transaction(con):
        con.execute("INSERT INTO buildings (building_id, name) VALUES ('kw', 'Kantor')")
        worker = threading.Thread(target=lambda: done.append(backup.backup_now(con.cursor(), folder, now=at(MONDAY, 1))))
        worker.start()
        worker.join(timeout=1.0)
        assert worker.is_alive() and not done  # waiting for the "import"
        assert not folder.exists() or not list(folder.glob("pantau-*"))  # nothing written yet
    worker.join(timeout=30)
    assert done
    copy = duckdb.connect(str(done[0]), read_only=True)
    try:
        assert copy.execute("SELECT building_id FROM buildings").fetchall() == [("kw",)]
    finally:
        copy.close()


def test_nightly_backup_once_a_day_from_one_oclock(tmp_path: Path) -> None:
    database = db.SharedDatabase(tmp_path / "p.duckdb")
    try:
        assert backup.nightly_backup(database, now=at(MONDAY, 12)) is None  # the first start records the day
        tuesday = MONDAY + dt.timedelta(days=1)
        assert backup.nightly_backup(database, now=at(tuesday, 0.5)) is None  # before 01:00
        made = backup.nightly_backup(database, now=at(tuesday, 1.25))
        assert made is not None and made.parent == backup.backup_folder(database.path)
        assert backup.nightly_backup(database, now=at(tuesday, 3)) is None  # once a day
    finally:
        database.close()


def test_nightly_job_deletes_backups_older_than_the_retention_period(tmp_path: Path) -> None:
    """RULES "Personal data": a backup holds names and phones, so it goes with them. Kept
    backups (rotation keeps 7) would otherwise outlive a 3-day retention period."""
    database = db.SharedDatabase(tmp_path / "p.duckdb")
    cursor = database.cursor()
    try:
        db.set_setting(cursor, "retention_days", "3")
        office.set_backup_keep(cursor, 7, "admin")
        folder = backup.backup_folder(database.path)
        made = [backup.backup_now(cursor, folder, now=at(MONDAY + dt.timedelta(days=day), 1)) for day in range(5)]
        (folder / "mine.duckdb").write_bytes(b"an administrator's own file")  # not a nightly backup: left alone
        assert backup.nightly_backup(database, now=at(MONDAY + dt.timedelta(days=5), 0.5)) is None  # first start
        names = list(backup.list_backups(folder)["name"])
        # 5 days later, 00:30: backups of Monday (5 days) and Tuesday (4 days) are past 3 days.
        assert names == [path.name for path in reversed(made[2:])]
        assert (folder / "mine.duckdb").exists()
    finally:
        cursor.close()
        database.close()


def test_restore_drill_backup_damage_restore_figures_equal(tmp_path: Path) -> None:
    path = tmp_path / "p.duckdb"
    con = db.connect(path)
    scenario(con, tmp_path)
    window = (at(MONDAY - dt.timedelta(weeks=4), 0), at(MONDAY, 24))
    later = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)

    def figures(connection: duckdb.DuckDBPyConnection) -> tuple:
        visits = list_visits(connection, now=later)
        hourly = hourly_occupancy(connection, *window, building="kw")
        return visits.to_csv(index=False), hourly.to_csv(index=False), due(connection, at(MONDAY, 10.5))

    before = figures(con)
    copy = backup.backup_now(con, tmp_path / "backups", now=at(MONDAY, 23))
    con.close()
    # Damage the file: zeros over its first half (headers and data), as a failing disk leaves it.
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.write(b"\0" * (size // 2))
    with pytest.raises(duckdb.Error):
        broken = db.connect(path)
        broken.execute("SELECT count(*) FROM visits").fetchall()
        broken.close()
    path.unlink()
    Path(str(path) + ".wal").unlink(missing_ok=True)
    fresh = db.connect(path)
    try:
        backup.restore(fresh, copy)
        assert figures(fresh) == before
    finally:
        fresh.close()


def test_cli_alerts_lists_and_sends(tmp_path: Path, server: tuple[str, Recorder],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    from lib import cli

    url, recorder = server
    database = tmp_path / "c.duckdb"
    con = db.connect(database)
    scenario(con, tmp_path)
    office.set_webhook_url(con, url, "admin")
    con.close()
    code = cli.main(["--db", str(database), "alerts", "--at", "2022-01-31 10:30", "--send"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0] == "kind,building,place,value,limit"
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == [a[0] for a in EXPECTED_AT_1030]
    assert [b["kind"] for b in recorder.bodies] == [a[0] for a in EXPECTED_AT_1030]
