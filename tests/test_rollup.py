"""``rollup --lake DEST weekly``: every site's weekly figures from the lake (RULES "Province").

Two demo stores published under two names into one lake: per site and building the
rollup gives what each site's own ``weekly`` gives (its columns, ``site`` first); what the
lake cannot vouch for is skipped with a warning, never mixed in.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from lib.analytics import province
from lib.analytics.week_counts import week_label
from lib.ingest import demo
from lib.store import db
from tests.support.cli import run_english as cli

KEY = "province-key-for-tests-0123456789abcdef"
SITES = {"kota-manado": 11, "kab-minahasa": 12}


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Path]]]:
    """Two sites' demo stores, each published by the command line under its own name."""
    folder = tmp_path_factory.mktemp("province")
    patch = pytest.MonkeyPatch()
    patch.setenv("PANTAU_SECRETS_FILE", str(folder / "secrets.json"))
    patch.setenv("PANTAU_DEMO", "0")
    patch.setenv("PANTAU_PROVINCE_KEY", KEY)
    databases = {}
    for name, seed in SITES.items():
        path = folder / f"{name}.duckdb"
        con = db.connect(path)
        demo.load_demo(con, seed=seed)
        con.close()
        databases[name] = path
        code, _, err = cli("--db", str(path), "publish", "--to", str(folder / "lake"), "--site", name)
        assert code == 0, err
    yield folder / "lake", databases
    patch.undo()


def finished_weeks() -> list[str]:
    """The demo month's finished weeks (their figures no longer move with the clock)."""
    today = datetime.now(UTC).date()
    weeks = []
    for back in (1, 2, 3):
        iso = (today - timedelta(weeks=back)).isocalendar()
        weeks.append(week_label(iso.year, iso.week))
    return weeks


@pytest.mark.parametrize("week", finished_weeks())
def test_rollup_gives_each_sites_own_weekly_figures(lake: tuple[Path, dict[str, Path]], week: str) -> None:
    folder, databases = lake
    code, out, err = cli("rollup", "--lake", str(folder), "weekly", "--week", week)
    assert code == 0 and err == ""
    rollup = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert list(rollup["site"].unique()) == sorted(SITES)
    for name, path in databases.items():
        code, own, _ = cli("--db", str(path), "weekly", "--week", week)
        assert code == 0
        expected = pd.read_csv(io.StringIO(own), dtype=str, keep_default_na=False)
        got = rollup[rollup["site"] == name].drop(columns="site").reset_index(drop=True)
        assert list(rollup.columns) == ["site", *expected.columns]
        assert int(expected["visits"].astype(int).sum()) > 100
        pd.testing.assert_frame_equal(got, expected)


def test_rollup_of_one_building_by_its_display_name(lake: tuple[Path, dict[str, Path]]) -> None:
    folder, _ = lake
    week = finished_weeks()[0]
    code, out, _ = cli("rollup", "--lake", str(folder), "weekly", "--week", week, "--building", "kantor walikota BITUNG")
    assert code == 0
    rows = pd.read_csv(io.StringIO(out))
    assert sorted(rows["site"]) == sorted(SITES) and set(rows["building"]) == {"kantor-walikota"}


def test_partitions_the_lake_cannot_vouch_for_are_skipped_with_a_warning(
    lake: tuple[Path, dict[str, Path]], tmp_path: Path
) -> None:
    source, _ = lake
    folder = tmp_path / "lake"
    shutil.copytree(source, folder)
    week = finished_weeks()[0]
    monday = province.monday_of(week).isoformat()
    weekly = folder / "weekly"
    good = weekly / "site=kota-manado" / f"day={monday}"
    # A site nobody registered (no manifest), a half-written partition, a newer schema, another key.
    shutil.copytree(good, weekly / "site=stranger" / f"day={monday}")
    shutil.copytree(good, weekly / "site=kota-manado" / f"{province.TEMP_PREFIX}day={monday}-0badc0de")
    for name, change in (("masa-depan", {"schema_version": province.SCHEMA_VERSION + 1}), ("lain", {"key_fingerprint": "0" * 32})):
        shutil.copytree(good, weekly / f"site={name}" / f"day={monday}")
        manifest = json.loads((folder / "_sites" / "kota-manado.json").read_text())
        manifest.update(site=name, **change)
        (folder / "_sites" / f"{name}.json").write_text(json.dumps(manifest))
    code, out, err = cli("rollup", "--lake", str(folder), "weekly", "--week", week)
    assert code == 0
    rows = pd.read_csv(io.StringIO(out))
    assert sorted(rows["site"].unique()) == sorted(SITES)
    _, clean, _ = cli("rollup", "--lake", str(source), "weekly", "--week", week)
    assert out == clean  # nothing of the skipped ones mixed in
    warnings = err.splitlines()
    assert any("'stranger' skipped: a site without a manifest" in w for w in warnings)
    assert any("half-written" in w and "kota-manado" in w for w in warnings)
    assert any("'masa-depan' skipped: published with a newer schema version" in w for w in warnings)
    assert any("'lain' skipped: published with another province's key" in w for w in warnings)


def test_a_lake_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    code, out, err = cli("rollup", "--lake", str(tmp_path / "missing"), "weekly", "--week", "2022-W02")
    assert code == 2 and out == ""
    assert err.startswith("error: the province's lake cannot be reached:") and len(err.splitlines()) == 1
    code, _, err = cli("rollup", "--lake", "s3://", "weekly", "--week", "2022-W02")
    assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err


def test_rollup_needs_no_site_database(lake: tuple[Path, dict[str, Path]], tmp_path: Path) -> None:
    folder, _ = lake
    missing = tmp_path / "none.duckdb"
    code, out, _ = cli("--db", str(missing), "rollup", "--lake", str(folder), "weekly", "--week", finished_weeks()[0])
    assert code == 0 and out.startswith("site,week,building,")
    assert not missing.exists()
    assert duckdb.sql("SELECT 1").fetchall() == [(1,)]
