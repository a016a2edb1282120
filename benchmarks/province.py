"""The province roll-up on DuckDB and on Spark, side by side (RULES "Province", issue 24).

Generates a lake of N sites over W weeks of published visits (the layout and manifests of
``lib.outputs.publish``, written straight as Parquet: publishing goes through each site's
own store, which a benchmark of the reading engines does not need), then times the same
two roll-ups on both engines over the same files and checks they give the same answer:

- ``weekly``: one ISO week per site and building (``province.weekly_from_visits``);
- ``year``: every week per site and building, visits and distinct persons
  (``province.weeks_from_visits``), the national roll-up.

    .venv/bin/python -m benchmarks.province                       # 4 sites, 4 weeks (a minute)
    .venv/bin/python -m benchmarks.province --sites 60 --weeks 52 # tens of millions of visits

Figures go to ``benchmarks/results/province-<sites>x<weeks>.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lib.analytics import province, province_spark
from lib.outputs import publish

HERE = Path(__file__).resolve().parent
KEY = "benchmark-only-province-key-not-a-secret-0123"  # a generated lake, no real person
OFFSET_US = 8 * 3600 * 1_000_000  # WITA
CATEGORY_SHARE = (("ASN", 0.45), ("THL", 0.15), ("visitor", 0.40))


def generate_site(lake: province.Lake, site: str, first_monday: date, weeks: int, rng: np.random.Generator) -> int:
    """One site: 3-8 buildings, a pool of persons, weekday rushes and quiet weekends."""
    buildings = [f"gedung-{i:02d}" for i in range(int(rng.integers(3, 9)))]
    sizes = rng.lognormal(6.0, 0.6, len(buildings)).astype(int) + 50  # visits per weekday per building
    persons = int(sizes.sum() * 0.8)
    categories = rng.choice([c for c, _ in CATEGORY_SHARE], persons, p=[s for _, s in CATEGORY_SHARE])
    units = np.array([f"Bagian {u}" for u in "ABCDEF"], dtype=object)
    person_unit = np.where(categories == "visitor", None, rng.choice(units, persons))
    pseudonyms = np.array([publish.pseudonym(KEY, f"{site}-{p}") for p in range(persons)], dtype=object)
    total = 0
    for offset in range(weeks * 7):
        day = first_monday + timedelta(days=offset)
        weekend = day.weekday() >= 5
        counts = rng.poisson(sizes * (0.08 if weekend else 1.0))
        n = int(counts.sum())
        if n == 0:
            continue
        building = np.repeat(np.array(buildings, dtype=object), counts)
        person = rng.integers(0, persons, n)
        local_midnight_us = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1e6) - OFFSET_US
        checkin = local_midnight_us + (rng.normal(9.5, 1.8, n).clip(6, 17) * 3600e6).astype(np.int64)
        stay = (rng.lognormal(np.log(90), 0.8, n).clip(5, 600) * 60e6).astype(np.int64)
        kind = np.where(rng.random(n) < 0.05, "auto", "scan").astype(object)
        table = pa.table({
            "person": pseudonyms[person], "building": building,
            "checkin_at": pa.array(checkin, pa.timestamp("us", tz="UTC")),
            "checkout_at": pa.array(checkin + stay, pa.timestamp("us", tz="UTC")),
            "checkout_kind": kind, "category": categories[person], "unit": person_unit[person],
        }, schema=province.SCHEMAS["visits"])
        folder = lake.path("visits", f"site={site}", f"day={day.isoformat()}")
        os.makedirs(folder, exist_ok=True)
        pq.write_table(table, f"{folder}/{province.PART_FILE}", compression="zstd")
        total += n
    frame = pd.DataFrame({"building": buildings, "name": buildings, "timezone": "Asia/Makassar", "confirmed": True,
                          "capacity": None, "threshold_people": None})
    os.makedirs(lake.path("buildings", f"site={site}"), exist_ok=True)
    pq.write_table(pa.Table.from_pandas(frame, schema=province.SCHEMAS["buildings"], preserve_index=False),
                   lake.path("buildings", f"site={site}", province.PART_FILE))
    publish.write_manifest(lake, site, publish.key_fingerprint(KEY), datetime.now(UTC))
    return total


def timed(function, runs: int) -> tuple[list[float], object]:
    seconds, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - started)
    return seconds, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=4)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--cores", type=int, default=2, help="Spark's local[N] (DuckDB uses every core too)")
    parser.add_argument("--work", default=str(HERE / "work" / "province"))
    parser.add_argument("--keep", action="store_true", help="reuse the lake generated before with the same size")
    args = parser.parse_args()

    root = Path(args.work) / f"{args.sites}x{args.weeks}"
    first_monday = date(2025, 1, 6)
    rng = np.random.default_rng(24)
    started = time.perf_counter()
    if not (args.keep and (root / province.LAKE_FILE).exists()):
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        lake = province.open_lake(str(root))
        publish.start_lake(lake, publish.key_fingerprint(KEY))
        for number in range(args.sites):
            generate_site(lake, f"site-{number:03d}", first_monday, args.weeks, rng)
    lake = province.open_lake(str(root))
    generated = time.perf_counter() - started
    files = list(root.rglob("*.parquet"))
    visits = duckdb.sql(f"SELECT count(*) FROM read_parquet('{root}/visits/*/*/*.parquet')").fetchall()[0][0]
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    print(f"lake: {args.sites} sites, {args.weeks} weeks, {visits:,} visits, {len(files):,} files, {size_mb:.0f} MB "
          f"(generated in {generated:.0f} s)")
    week_iso = (first_monday + timedelta(weeks=args.weeks - 1)).isocalendar()
    week = f"{week_iso.year}-W{week_iso.week:02d}"

    con = duckdb.connect()
    figures: dict[str, dict[str, list[float]]] = {}
    figures["weekly"] = {"duckdb": timed(lambda: province.weekly_from_visits(con, lake, week)[0], args.runs)[0]}
    duck_weekly = province.weekly_from_visits(con, lake, week)[0]
    figures["year"] = {"duckdb": timed(lambda: province.weeks_from_visits(con, lake)[0], args.runs)[0]}
    duck_year = province.weeks_from_visits(con, lake)[0]

    spark_started = time.perf_counter()
    spark = province_spark.spark_session(cores=args.cores)
    spark_start = time.perf_counter() - spark_started
    try:
        figures["weekly"]["spark"], spark_weekly = timed(
            lambda: province_spark.weekly_from_visits(spark, lake, week)[0], args.runs)
        figures["year"]["spark"], spark_year = timed(lambda: province_spark.weeks_from_visits(spark, lake)[0], args.runs)
    finally:
        province_spark.stop(spark)
    pd.testing.assert_frame_equal(spark_weekly, duck_weekly, check_exact=False, rtol=1e-9)
    pd.testing.assert_frame_equal(spark_year.reset_index(drop=True), duck_year.reset_index(drop=True))

    result = {
        "sites": args.sites, "weeks": args.weeks, "visits": int(visits), "files": len(files),
        "lake_mb": round(size_mb, 1), "cores": os.cpu_count(), "spark_cores": args.cores,
        "spark_session_start_s": round(spark_start, 2), "week": week, "runs": args.runs,
        "seconds": {q: {e: [round(s, 3) for s in v] for e, v in engines.items()} for q, engines in figures.items()},
        "same_answer": True, "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    out = HERE / "results" / f"province-{args.sites}x{args.weeks}"
    out.parent.mkdir(exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        f"# Province roll-up: {args.sites} sites x {args.weeks} weeks",
        "",
        f"{visits:,} published visits in {len(files):,} Parquet files ({size_mb:.0f} MB); "
        f"{os.cpu_count()} cores; Spark local[{args.cores}], session start {spark_start:.1f} s (not in the figures).",
        "Best of the runs, seconds; both engines gave the same answer.",
        "",
        "| roll-up | DuckDB | Spark |",
        "|---|---|---|",
        *(f"| {q} | {min(e['duckdb']):.2f} | {min(e['spark']):.2f} |" for q, e in figures.items()),
        "",
    ]
    out.with_suffix(".md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
