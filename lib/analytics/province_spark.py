"""The weekly roll-up on Apache Spark, for a lake past one machine (RULES "Province").

The same Parquet files DuckDB reads (``lib.analytics.province``), read by Spark in local
mode here and on a cluster unchanged (README "Province": the cluster set-up). Only the
files :func:`province.scan_lake` vouches for are handed to Spark, so the skip rules are
the same. pyspark is imported when a function runs, never at import: the app and the
command line do not need Java.

``weekly_from_visits`` is the roll-up both engines run over the published visits
(RULES "Weekly statistics", the columns visits can give): ``site, building, visits,
persons, persons_ASN, persons_THL, persons_visitor, visits_mon..visits_sun, busiest_day,
busiest_day_visits, median_stay_minutes, auto_close_share``. The DuckDB twin is
:func:`province.weekly_from_visits`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd

from lib.analytics import province

SPARK_CONFIG = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    # A site called "2022" stays text; ``day`` is cast to a date by the query.
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.driver.memory": "1g",
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.execution.arrow.pyspark.enabled": "true",  # toPandas through Arrow
}


def spark_session(cores: int = 2, app_name: str = "pantau-province") -> Any:
    """A local Spark (``local[cores]``); on a cluster, ``SparkSession.builder.master(...)`` instead."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(f"local[{cores}]").appName(app_name)
    for key, value in SPARK_CONFIG.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def weekly_from_visits(spark: Any, lake: province.Lake, week: str) -> tuple[pd.DataFrame, list[province.LakeWarning]]:
    """The week's figures per site and building from the published visits, by Spark."""
    from pyspark.sql import functions as F

    monday = province.monday_of(week)
    scan = province.scan_lake(lake, ("visits",), monday, monday + timedelta(days=6))
    files = scan.files["visits"]
    if not files:
        return pd.DataFrame(columns=province.VISIT_WEEKLY_COLUMNS), scan.warnings
    visits = _visits(spark, lake, files)
    stay_us = (F.unix_micros("checkout_at") - F.unix_micros("checkin_at")).cast("double")
    weekday = F.datediff("day", F.lit(monday.isoformat()).cast("date"))
    aggregates = [
        F.count(F.lit(1)).alias("visits"),
        F.countDistinct("person").alias("persons"),
        F.countDistinct(F.when(F.col("category") == "ASN", F.col("person"))).alias("persons_ASN"),
        F.countDistinct(F.when(F.col("category") == "THL", F.col("person"))).alias("persons_THL"),
        F.countDistinct(F.when(~F.col("category").isin("ASN", "THL"), F.col("person"))).alias("persons_visitor"),
        *(F.count(F.when(weekday == d, 1)).alias(f"visits_{name}") for d, name in enumerate(province.WEEKDAYS)),
        (F.percentile(F.when(F.col("checkout_kind") == "scan", stay_us), F.lit(0.5)) / 60e6).alias("median_stay_minutes"),
        (F.count(F.when(F.col("checkout_kind") == "auto", 1)) / F.count(F.lit(1))).alias("auto_close_share"),
    ]
    frame = visits.groupBy("site", "building").agg(*aggregates).orderBy("site", "building").toPandas()
    return province.busiest_days(frame, monday), scan.warnings


def stop(spark: Any) -> None:
    spark.stop()



def _visits(spark: Any, lake: province.Lake, files: list[str]) -> Any:
    """The published visits of ``files`` with ``site`` and ``day`` (a date) from the folders."""
    from pyspark.sql import functions as F

    base = lake.path("visits")
    if lake.local:
        files = ["file://" + f for f in files]
        base = "file://" + base
    return spark.read.option("basePath", base).parquet(*files).withColumn("day", F.to_date("day"))


def weeks_from_visits(spark: Any, lake: province.Lake) -> tuple[pd.DataFrame, list[province.LakeWarning]]:
    """``province.weeks_from_visits`` on Spark: per site, building and ISO week, visits and persons."""
    from pyspark.sql import functions as F

    scan = province.scan_lake(lake, ("visits",))
    if not scan.files["visits"]:
        return pd.DataFrame(columns=province.WEEKS_COLUMNS), scan.warnings
    visits = _visits(spark, lake, scan.files["visits"])
    week = F.format_string("%04d-W%02d", F.year(F.date_sub(F.next_day("day", "Mon"), 4)), F.weekofyear("day"))
    frame = (
        visits.groupBy("site", "building", week.alias("week"))
        .agg(F.count(F.lit(1)).alias("visits"), F.countDistinct("person").alias("persons"))
        .orderBy("site", "building", "week")
        .toPandas()
    )
    return frame.astype({"visits": "int64", "persons": "int64"}), scan.warnings
