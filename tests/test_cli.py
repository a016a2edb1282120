"""RULES "Command line": ingest, visits and demo as a script or a scheduled job uses them."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from lib.store import db
from tests.conftest import write_csv
from tests.support.cli import run_cli as run

ROOT = Path(__file__).resolve().parents[1]


def test_ingest_prints_summary_and_visits_are_local_iso(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = str(tmp_path / "c.duckdb")
    log = write_csv(
        tmp_path / "scan.csv",
        ["timestamp", "person_id", "building", "action"],
        [["2022-01-03 08:00:00", "001", "kantor-walikota", "masuk"],
         ["2022-01-03 08:00:30", "001", "kantor-walikota", "masuk"],
         ["2022-01-03 10:15:00", "001", "kantor-walikota", "keluar"],
         ["2022-01-03 09:00:00", "002", "kantor-walikota", "keluar"],
         ["kemarin", "003", "kantor-walikota", "masuk"]],
    )
    code, out, _ = run(capsys, "--db", database, "ingest", str(log))
    assert code == 0
    summary = list(csv.DictReader(io.StringIO(out)))
    assert summary[0] | {"message": ""} == {
        "file": "scan.csv", "status": "ok", "rows": "5", "events": "4", "new_visits": "1",
        "duplicates": "1", "orphans": "1", "quarantined": "1", "message": "", "shape": "events", "persons": "0",
        # First named by this file: created new, unconfirmed, and listed in the summary.
        "new_buildings": "kantor-walikota",
    }
    code, out, _ = run(capsys, "--db", database, "visits", "--building", "kantor-walikota", "--from", "2022-01-03", "--to", "2022-01-03")
    assert code == 0
    assert out.splitlines() == [
        "person_id,building,checkin_at,checkout_at,checkout_kind,purpose,host",
        "001,kantor-walikota,2022-01-03T08:00:00+08:00,2022-01-03T10:15:00+08:00,scan,,",
    ]
    _, out, _ = run(capsys, "--db", database, "visits", "--from", "2022-01-04")
    assert out.splitlines() == ["person_id,building,checkin_at,checkout_at,checkout_kind,purpose,host"]


def test_refused_file_exit_1_and_data_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = str(tmp_path / "c.duckdb")
    good = write_csv(tmp_path / "good.csv", ["timestamp", "person_id", "building", "action"], [["2022-01-03 08:00", "1", "b", "in"]])
    assert run(capsys, "--db", database, "ingest", str(good))[0] == 0
    _, before, _ = run(capsys, "--db", database, "visits")
    other = write_csv(tmp_path / "pegawai.csv", ["nama", "jabatan"], [["Andi", "Staf"]])
    code, _, err = run(capsys, "--db", database, "--lang", "en", "ingest", str(other))
    assert code == 1
    assert "missing columns: timestamp, person_id, building, action" in err
    assert len(err.strip().splitlines()) == 1
    _, after, _ = run(capsys, "--db", database, "visits")
    assert after == before


@pytest.mark.parametrize(
    "args",
    [["visits", "--from", "03-13-2022"], ["visits", "--building", "tidak-ada"], ["nonsense"],
     ["ingest", "/no/such/file.csv"], ["visits", "--from", "2022-01-05", "--to", "2022-01-01"]],
)
def test_bad_arguments_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = run(capsys, "--db", str(tmp_path / "c.duckdb"), *args)
    assert code != 0 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("error:")
    assert "Traceback" not in err


def test_out_file_is_formula_safe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = str(tmp_path / "c.duckdb")
    log = write_csv(tmp_path / "f.csv", ["timestamp", "person_id", "building", "action"], [["2022-01-03 08:00", "=HYPERLINK(1)", "b", "in"]])
    run(capsys, "--db", database, "ingest", str(log))
    _, out, _ = run(capsys, "--db", database, "visits")
    assert "\n=HYPERLINK(1)," in out  # standard output is for programs: as stored
    run(capsys, "--db", database, "visits", "--out", str(tmp_path / "v.csv"))
    text = (tmp_path / "v.csv").read_text(encoding="utf-8-sig")
    assert "\n'=HYPERLINK(1)," in text


def test_demo_fills_a_month_in_a_subprocess(tmp_path: Path) -> None:
    database = tmp_path / "demo.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "lib.cli", "--db", str(database), "demo"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    con = db.connect(database)
    buildings = {r[0] for r in con.execute("SELECT DISTINCT building FROM visits").fetchall()}
    assert "kantor-walikota" in buildings and len(buildings) >= 4
    days = con.execute(
        "SELECT count(DISTINCT CAST(checkin_at AT TIME ZONE 'Asia/Makassar' AS DATE)) FROM visits"
    ).fetchall()[0][0]
    assert days >= 25
    kinds = dict(con.execute("SELECT category, count(DISTINCT person_id) FROM visits GROUP BY ALL").fetchall())
    assert kinds["ASN"] > 100 and kinds["THL"] > 20 and kinds["visitor"] > 200
    assert con.execute("SELECT count(*) FROM scan_anomalies WHERE kind = 'duplicate'").fetchall()[0][0] > 0
    assert con.execute("SELECT count(*) FROM visits WHERE checkout_kind = 'auto'").fetchall()[0][0] > 0
    assert con.execute("SELECT count(*) FROM gates WHERE building_id = 'kantor-walikota'").fetchall()[0][0] == 3
    con.close()


def test_a_forwarded_lang_answers_in_that_language_and_changes_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dashboard runs other processes' commands (``run_forwarded``): ``--lang en`` there
    must answer in English without changing the language of the dashboard's own sessions."""
    from lib.cli import commands
    from lib.core import i18n

    monkeypatch.delenv("PANTAU_LANG", raising=False)
    database = str(tmp_path / "f.duckdb")
    code, out, err = commands.run_forwarded(
        ["--db", database, "--lang", "en", "visits", "--building", "nowhere"], str(tmp_path), {"PANTAU_USER": "kabag"}
    )
    assert code != 0 and out == ""
    assert err.strip() == "error: " + i18n.t("cli.unknown_building_known", "en", building="nowhere", known="(no building yet)")
    assert err.strip() != "error: " + i18n.t("cli.unknown_building_known", "id", building="nowhere", known="(belum ada gedung)")
    assert i18n.current_language() == "id"
    code, _, err = commands.run_forwarded(
        ["--db", database, "visits", "--building", "nowhere"], str(tmp_path), {"PANTAU_LANG": "en"}
    )
    assert err.strip() == "error: " + i18n.t("cli.unknown_building_known", "en", building="nowhere", known="(no building yet)")
