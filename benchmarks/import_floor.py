"""The least DuckDB itself spends on the benchmark's CSV, with none of Pantau's rules.

    python -m benchmarks.import_floor --scale 10m

Issue 3 asks every operation to be 5x faster than pandas. For the CSV import, a fifth
of pandas' time is less than DuckDB needs on this machine just to store the events
durably and to order them per person (pairing is a pass per person in time order,
SPEC "From events to visits"). This script times those two bare steps on the same
file, so anyone can check that bound next to ``benchmarks.bench``'s figures:

1. ``store``: one ``CREATE TABLE ... AS SELECT`` of the CSV, timestamps parsed, into a
   new database file, committed (no validation, dedup, quarantine or persons);
2. ``sort``: the stored events ordered by person and time into a temporary table.

Both use all cores and DuckDB's default memory limit. Medians of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks import bench


def time_floor(csv_path: Path, runs: int) -> dict[str, float]:
    """Median seconds of the two bare steps (see the module docstring)."""
    store_s: list[float] = []
    sort_s: list[float] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="pantau-floor-") as folder:
            con = duckdb.connect(str(Path(folder) / "floor.duckdb"))
            try:
                started = time.perf_counter()
                con.execute(
                    "CREATE TABLE events AS "
                    "SELECT strptime(timestamp, '%Y-%m-%d %H:%M:%S') AS ts, * EXCLUDE (timestamp) "
                    "FROM read_csv(?, all_varchar = true)",
                    [str(csv_path)],
                )
                con.execute("CHECKPOINT")
                store_s.append(time.perf_counter() - started)
                started = time.perf_counter()
                con.execute(
                    "CREATE TEMP TABLE ordered AS SELECT person_id, ts, building, action FROM events "
                    "ORDER BY person_id, ts"
                )
                sort_s.append(time.perf_counter() - started)
            finally:
                con.close()
    return {"store_s": statistics.median(store_s), "sort_s": statistics.median(sort_s)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="10m", choices=sorted(bench.gen.SCALES))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    meta = bench.prepare(args.scale)
    csv_path = bench.scale_dir(args.scale) / "import.csv"
    floor = time_floor(csv_path, args.runs)
    total = floor["store_s"] + floor["sort_s"]
    lines = [
        f"# DuckDB's bare floor for the CSV import ({args.scale}, {meta['import_rows']:,} events)",
        "",
        f"- store the events (CREATE TABLE AS from the CSV, committed): {floor['store_s']:.1f} s",
        f"- order them per person and time: {floor['sort_s']:.1f} s",
        f"- together: {total:.1f} s",
    ]
    summary = bench.RESULTS / f"{args.scale}.json"
    operations = json.loads(summary.read_text())["operations"] if summary.exists() else {}
    if "import_csv" in operations:
        pandas_s = operations["import_csv"]["pandas"]["median_ms"] / 1000
        lines.append(
            f"- pandas' import (from the last `benchmarks.bench` run): {pandas_s:.1f} s; "
            f"5x faster would be {pandas_s / 5:.1f} s"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    (bench.RESULTS / f"import-floor-{args.scale}.md").write_text(text)


if __name__ == "__main__":
    main()
