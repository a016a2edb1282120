"""Spark in local mode over a published lake gives the weekly figures DuckDB gives
(RULES "Province"): the same Parquet, past one machine, with the same answer.

Needs Java (Debian's ``default-jre-headless``, installed by ``./pantau.sh test``) and
pyspark (requirements-dev.txt). One Spark session for the module (~10 s to start).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from lib.analytics import province, province_spark
from lib.analytics.week_counts import week_label
from lib.ingest import demo
from lib.outputs import publish
from lib.store import db

KEY = "province-key-for-tests-0123456789abcdef"


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("spark")
    patch = pytest.MonkeyPatch()
    patch.setenv("PANTAU_SECRETS_FILE", str(folder / "secrets.json"))
    for name, seed in (("kota-bitung", 21), ("kota-tomohon", 22)):
        con = db.connect(folder / f"{name}.duckdb")
        demo.load_demo(con, seed=seed)
        publish.publish(con, str(folder / "lake"), name, KEY)
        con.close()
    yield folder / "lake"
    patch.undo()


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    if shutil.which("java") is None:
        pytest.fail("Java is required for the Spark test (apt-get install default-jre-headless)")
    session = province_spark.spark_session(cores=2)
    yield session
    province_spark.stop(session)


def last_week() -> str:
    iso = (datetime.now(UTC).date() - timedelta(weeks=1)).isocalendar()
    return week_label(iso.year, iso.week)


def test_spark_and_duckdb_give_the_same_weekly_figures(lake: Path, spark: object) -> None:
    opened = province.open_lake(str(lake))
    week = last_week()
    on_spark, _ = province_spark.weekly_from_visits(spark, opened, week)
    on_duckdb, _ = province.weekly_from_visits(duckdb.connect(), opened, week)
    assert len(on_spark) == 8 and on_spark["visits"].sum() > 1000
    pd.testing.assert_frame_equal(on_spark, on_duckdb, check_exact=False, rtol=1e-9)

    # And both equal what each site computed itself and published (the ``weekly`` command's figures).
    published, _ = province.rollup_weekly(duckdb.connect(), opened, week)
    same = [c for c in province.VISIT_WEEKLY_COLUMNS if c not in ("busiest_day",)]
    expected = published[same].reset_index(drop=True)
    pd.testing.assert_frame_equal(on_spark[same], expected, check_exact=False, rtol=1e-9, check_dtype=False)
    assert list(on_spark["busiest_day"]) == [pd.Timestamp(d).date() for d in published["busiest_day"]]


def test_spark_skips_what_duckdb_skips(lake: Path, spark: object, tmp_path: Path) -> None:
    copy = tmp_path / "lake"
    shutil.copytree(lake, copy)
    week = last_week()
    monday = province.monday_of(week)
    good = copy / "visits" / "site=kota-bitung" / f"day={monday.isoformat()}"
    shutil.copytree(good, copy / "visits" / "site=stranger" / f"day={monday.isoformat()}")
    shutil.copytree(good, copy / "visits" / "site=kota-bitung" / f"{province.TEMP_PREFIX}day={monday.isoformat()}-x")
    on_spark, warnings = province_spark.weekly_from_visits(spark, province.open_lake(str(copy)), week)
    clean, _ = province_spark.weekly_from_visits(spark, province.open_lake(str(lake)), week)
    pd.testing.assert_frame_equal(on_spark, clean)
    assert {w.code for w in warnings} == {"unknown_site", "half_written"}
