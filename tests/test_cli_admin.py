"""Issue 26 items 1 and 3: the command line speaks the user's words.

A building is typed by its id or its display name (case and spaces ignored) in every
command; an unknown one gets a one-line error, in the user's language, listing the known
buildings. ``buildings``, ``users`` and ``settings`` do what the Settings and Users pages do,
audited with the command's user. A poster made while the app runs on another port holds
that port.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from lib.ingest import buildings, importer
from lib.store import db, places, users
from tests.conftest import write_csv
from tests.e2e.conftest import ROOT, StreamlitServer
from tests.support.cli import run_cli as run

HEADER = ["timestamp", "person_id", "building", "action", "category", "area"]
NAME = "Kantor Walikota Bitung"


def rows(out: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(out)))


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database with ``kantor-walikota`` ("Kantor Walikota Bitung", confirmed, threshold 1)
    and a week of visits there, plus ``kantr-walikota``, a typo first seen in an import."""
    monkeypatch.setenv("PANTAU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PANTAU_USER", "kabag.umum")
    monkeypatch.delenv("PANTAU_LANG", raising=False)
    path = tmp_path / "p.duckdb"
    con = db.connect(path)
    buildings.save_building(
        con,
        buildings.BuildingForm(
            building_id="kantor-walikota",
            name=NAME,
            timezone="Asia/Makassar",
            capacity=10,
            threshold_mode="people",
            threshold_people=1,
        ),
        "kabag",
    )
    log = [
        ["2022-01-10 08:00:00", "A", "kantor-walikota", "masuk", "ASN", ""],
        ["2022-01-10 08:05:00", "A", "kantor-walikota", "masuk", "ASN", "Aula"],
        ["2022-01-10 09:00:00", "B", "kantor-walikota", "masuk", "visitor", ""],
        ["2022-01-10 10:00:00", "B", "kantor-walikota", "keluar", "visitor", ""],
        ["2022-01-10 12:00:00", "A", "kantor-walikota", "keluar", "ASN", ""],
        ["2022-01-11 08:00:00", "C", "kantr-walikota", "masuk", "ASN", ""],
        ["2022-01-11 09:00:00", "C", "kantr-walikota", "keluar", "ASN", ""],
    ]
    importer.import_file(con, write_csv(tmp_path / "log.csv", HEADER, log), actor="kabag")
    con.close()
    return str(path)


def audit(database: str, action: str) -> list[tuple[str, str, str | None]]:
    con = duckdb.connect(database, read_only=True)
    try:
        return con.execute(
            "SELECT actor, subject, params FROM audit_log WHERE action = ? ORDER BY logged_at", [action]
        ).fetchall()
    finally:
        con.close()


# --- item 1: a building by its id or its display name --------------------------------------

COMMANDS = [
    ["weekly", "--week", "2022-W02"],
    ["visits", "--from", "2022-01-10", "--to", "2022-01-16"],
    ["stays", "--from", "2022-01-10", "--to", "2022-01-16"],
    ["occupancy", "--from", "2022-01-10", "--to", "2022-01-10"],
    ["crowding", "--from", "2022-01-10", "--to", "2022-01-10"],
    ["rollcall", "--at", "2022-01-10 11:00"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_command_takes_the_display_name_as_the_id(
    office: str, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, by_id, err = run(capsys, "--db", office, *command, "--building", "kantor-walikota")
    assert code == 0, err
    assert len(rows(by_id)) > 0  # the week has data: the comparison below means something
    for typed in (NAME, "  kantor   WALIKOTA bitung ", "KANTOR-WALIKOTA"):
        code, out, err = run(capsys, "--db", office, *command, "--building", typed)
        assert (code, err) == (0, ""), typed
        assert out == by_id, typed


def test_a_poster_takes_the_display_name(
    office: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys,
        "--db",
        office,
        "poster",
        "--building",
        "kantor walikota bitung",
        "--action",
        "checkin",
        "--out",
        str(tmp_path / "p.png"),
    )
    assert code == 0, err
    (url,) = decode(tmp_path / "p.png")
    assert "/checkin?b=kantor-walikota&" in url


def test_an_unknown_building_lists_the_known_ones_in_the_users_language(
    office: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "--db", office, "weekly", "--week", "2022-W02", "--building", "Kantor Walikota"
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1  # one line
    assert err.startswith("error: gedung tidak dikenal: Kantor Walikota; gedung yang ada: ")
    assert "kantor-walikota (Kantor Walikota Bitung)" in err and "kantr-walikota" in err
    code, _, err = run(capsys, "--db", office, "--lang", "en", "visits", "--building", "nowhere")
    assert code == 2
    assert err.startswith("error: unknown building: nowhere; known buildings: ")
    assert "kantor-walikota (Kantor Walikota Bitung)" in err


def test_resolver_prefers_an_exact_id_and_ignores_a_shared_name(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "r.duckdb")
    for building_id, name in (("A", "Gedung"), ("a", "Gedung"), ("b", "a")):
        con.execute(
            "INSERT INTO buildings (building_id, name, timezone) VALUES (?, ?, 'Asia/Makassar')",
            [building_id, name],
        )
    assert places.resolve_building(con, "A") == "A"
    assert places.resolve_building(con, " a ") == "a"
    assert places.resolve_building(con, "gedung") is None  # two buildings share it: say which, by id
    assert places.resolve_building(con, "B") == "b"
    assert places.resolve_building(con, "nothing") is None


# --- buildings ---------------------------------------------------------------------------------


def test_buildings_list_confirm_rename_merge_are_audited_with_the_users_login(
    office: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", office, "buildings", "list")
    assert code == 0
    listed = rows(out)
    assert list(listed[0])[:4] == ["building_id", "name", "timezone", "confirmed"]
    assert [(r["building_id"], r["name"], r["confirmed"]) for r in listed] == [
        ("kantor-walikota", NAME, "true"),
        ("kantr-walikota", "kantr-walikota", "false"),
    ]
    # A confirmed building is not "new": confirming it says so, in words.
    code, _, err = run(capsys, "--db", office, "buildings", "confirm", NAME)
    assert code == 2 and "kantor-walikota" in err and "Traceback" not in err
    # Renaming a confirmed building keeps its settings (threshold 1 person) and audits it.
    code, _, err = run(
        capsys, "--db", office, "buildings", "rename", "kantor-walikota", "Kantor Wali Kota Bitung"
    )
    assert code == 0 and "Kantor Wali Kota Bitung" in err
    con = duckdb.connect(office, read_only=True)
    assert con.execute(
        "SELECT name, threshold_people, capacity FROM buildings WHERE building_id = 'kantor-walikota'"
    ).fetchall() == [("Kantor Wali Kota Bitung", 1, 10)]
    con.close()
    assert [(a, s) for a, s, _ in audit(office, "building_update")][-1] == ("kabag.umum", "kantor-walikota")
    # The typo merged into the real building, named by its (new) display name.
    code, _, err = run(
        capsys, "--db", office, "buildings", "merge", "KANTR-walikota", "kantor wali kota bitung"
    )
    assert code == 0, err
    assert err.startswith("gedung kantr-walikota digabung ke kantor-walikota: 2 pindaian dipindah")
    _, out, _ = run(capsys, "--db", office, "buildings", "list")
    assert [r["building_id"] for r in rows(out)] == ["kantor-walikota"]
    _, out, _ = run(capsys, "--db", office, "visits", "--building", "kantor-walikota")
    assert sorted(r["person_id"] for r in rows(out)) == ["A", "B", "C"]
    merged = audit(office, "building_merge")
    assert merged[-1][0] == "kabag.umum" and json.loads(merged[-1][2] or "{}")["into"] == "kantor-walikota"


def test_rename_and_confirm_a_new_building(office: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "--db", office, "--lang", "en", "buildings", "rename", "kantr-walikota", "  Gudang  "
    )
    assert code == 0 and err == "building kantr-walikota is now named Gudang\n"
    _, out, _ = run(capsys, "--db", office, "buildings", "list")
    assert ("kantr-walikota", "Gudang", "true") in [
        (r["building_id"], r["name"], r["confirmed"]) for r in rows(out)
    ]
    assert audit(office, "building_rename")[-1][:2] == ("kabag.umum", "kantr-walikota")
    code, _, err = run(capsys, "--db", office, "buildings", "rename", "gudang", " ")
    assert code == 2 and err == "error: Nama tidak boleh kosong.\n"


# --- users -----------------------------------------------------------------------------------


def test_users_add_list_reset_deactivate(
    office: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys,
        "--db",
        office,
        "users",
        "add",
        "Rina",
        "--name",
        "Rina S.",
        "--role",
        "tracer",
        "--role",
        "leadership",
    )
    assert code == 0, err
    password = out.strip().rsplit(": ", 1)[1]
    record = users.load_users()["rina"]
    assert users.check_password(password, record["password"])
    assert record["roles"] == ["leadership", "tracer"]
    assert audit(office, "user_create")[-1] == (
        "kabag.umum",
        "rina",
        json.dumps({"roles": ["tracer", "leadership"]}),
    )
    # The list never shows a hash.
    code, out, _ = run(capsys, "--db", office, "users", "list")
    assert code == 0
    assert rows(out) == [
        {
            "username": "rina",
            "name": "Rina S.",
            "roles": "leadership;tracer",
            "active": "true",
            "failed_logins": "0",
            "throttled_until": "",
            "demo": "false",
        }
    ]
    assert "$2" not in out and password not in out
    # A reset prints a new password, once; the old one stops working.
    code, out, _ = run(capsys, "--db", office, "users", "reset-password", "rina")
    new_password = out.strip().rsplit(": ", 1)[1]
    assert code == 0 and new_password != password
    assert users.check_password(new_password, users.load_users()["rina"]["password"])
    assert not users.check_password(password, users.load_users()["rina"]["password"])
    assert audit(office, "user_password_reset")[-1][:2] == ("kabag.umum", "rina")
    code, _, err = run(capsys, "--db", office, "users", "deactivate", "rina")
    assert code == 0 and err == "pengguna rina dinonaktifkan\n"
    assert not users.is_active(users.load_users()["rina"])
    assert audit(office, "user_deactivate")[-1][:2] == ("kabag.umum", "rina")
    # Refusals are the page's words, one line.
    code, _, err = run(capsys, "--db", office, "users", "add", "rina", "--role", "tracer")
    assert code == 2 and err == "error: Pengguna rina sudah ada.\n"
    code, _, err = run(capsys, "--db", office, "--lang", "en", "users", "deactivate", "nobody")
    assert code == 2 and err == "error: Unknown user: nobody\n"


# --- settings --------------------------------------------------------------------------------


def test_settings_get_and_set_like_the_settings_page(office: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", office, "settings", "get")
    assert code == 0
    values = {r["key"]: r["value"] for r in rows(out)}
    assert values["retention_days"] == "30" and values["public_base_url"] == ""
    assert values["expected_staff:kantor-walikota"] == "0"
    code, _, err = run(
        capsys, "--db", office, "settings", "set", "public_base_url", "https://pantau.bitungkota.go.id/"
    )
    assert code == 0 and err == "public_base_url disimpan: https://pantau.bitungkota.go.id\n"
    code, _, _ = run(capsys, "--db", office, "settings", "set", "retention_days", "60")
    assert code == 0
    code, _, _ = run(capsys, "--db", office, "settings", "set", f"expected_staff:{NAME}", "25")
    assert code == 0
    _, out, _ = run(capsys, "--db", office, "settings", "get", "retention_days")
    assert rows(out) == [{"key": "retention_days", "value": "60"}]
    con = db.connect(office)
    assert places.public_base_url(con) == "https://pantau.bitungkota.go.id"
    assert places.retention_days(con) == 60 and places.expected_staff(con) == {"kantor-walikota": 25}
    con.close()
    changes = audit(office, "setting_change")
    assert [(a, s) for a, s, _ in changes] == [
        ("kabag.umum", "public_base_url"),
        ("kabag.umum", "retention_days"),
        ("kabag.umum", "expected_staff:kantor-walikota"),
    ]
    # Refused: the page's checks, an unknown key listing the known ones, a word for a number.
    code, _, err = run(capsys, "--db", office, "settings", "set", "retention_days", "0")
    assert code == 2 and err == "error: Masa simpan harus 1 sampai 3650 hari.\n"
    code, _, err = run(capsys, "--db", office, "--lang", "en", "settings", "set", "retention", "5")
    assert code == 2 and err.startswith(
        "error: unknown setting: retention; known settings: public_base_url, retention_days"
    )
    code, _, err = run(capsys, "--db", office, "settings", "set", "backup_keep", "tujuh")
    assert code == 2 and err == "error: backup_keep harus berupa bilangan bulat, bukan tujuh\n"
    assert len(audit(office, "setting_change")) == 3


# --- item 3: a poster made while the app runs on another port --------------------------------


def decode(png: Path) -> list[str]:
    tool = shutil.which("zbarimg")
    if tool is None:
        pytest.fail("zbarimg is required (Debian package zbar-tools)")
    done = subprocess.run([tool, "--raw", "-q", str(png)], capture_output=True, text=True)
    assert done.returncode in (0, 4), done.stderr
    return [line for line in done.stdout.splitlines() if line.strip()]


def test_a_cli_poster_while_the_app_runs_holds_the_apps_port(tmp_path: Path) -> None:
    data = tmp_path / "live"
    data.mkdir()
    con = db.connect(data / "pantau.duckdb")
    buildings.save_building(
        con,
        buildings.BuildingForm(
            building_id="kantor-walikota",
            name=NAME,
            timezone="Asia/Makassar",
            capacity=None,
            threshold_mode="none",
        ),
        "kabag",
    )
    con.close()
    server = StreamlitServer(data, env={"PANTAU_DEMO": "0"})
    try:
        assert server.port != 8501
        env = {
            **os.environ,
            "PANTAU_DB": str(server.db_path),
            "PANTAU_DATA_DIR": str(data),
            "PANTAU_LANG": "en",
        }
        poster = tmp_path / "poster.png"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "lib.cli",
                "poster",
                "--building",
                NAME,
                "--action",
                "checkin",
                "--out",
                str(poster),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert f"address in the QR code: http://127.0.0.1:{server.port}\n" in done.stderr
        (url,) = decode(poster)
        assert url.startswith(f"http://127.0.0.1:{server.port}/checkin?b=kantor-walikota")
        # The same words work when the command is handed to the running dashboard.
        for command in (["visits", "--building", "  kantor walikota BITUNG"], ["buildings", "list"]):
            done = subprocess.run(
                [sys.executable, "-m", "lib.cli", *command],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr
        assert rows(done.stdout)[0]["name"] == NAME
    finally:
        server.stop()


def test_names_handed_to_the_dashboard_stay_names_even_where_a_folder_has_that_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command handed to the dashboard gets its file paths made absolute; a username or a
    building name that is also a folder here must not become a path."""
    from lib.cli.commands import absolute_paths

    (tmp_path / "rina").mkdir()
    monkeypatch.chdir(tmp_path)
    assert absolute_paths(["users", "add", "rina", "--role", "tracer"]) == [
        "users",
        "add",
        "rina",
        "--role",
        "tracer",
    ]
    assert absolute_paths(["buildings", "rename", "rina", "rina", "--out", "x.csv"])[:4] == [
        "buildings",
        "rename",
        "rina",
        "rina",
    ]
    assert absolute_paths(["ingest", "rina"]) == ["ingest", str(tmp_path / "rina")]
