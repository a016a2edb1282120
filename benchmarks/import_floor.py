"""The least DuckDB itself spends on the benchmark's CSV, with none of Pantau's rules.

    python -m benchmarks.import_floor --scale 10m

Issue 3 asks every operation to be 5x faster than pandas. For the CSV import, a fifth
of pandas' time is less than DuckDB needs on this machine just to write the three
tables every import of the file must write, with no rule applied. This script times
those bare writes on the same file, so anyone can check that bound next to
``benchmarks.bench``'s figures (each step one statement, committed, into a new file):

1. ``events``: the CSV's rows, timestamps parsed (no validation, dedup or quarantine);
2. ``visits``: one row per check-in event in the visits table's shape (no pairing);
3. ``persons``: one row per person with the latest name, category and phone.

It also times ``ORDER BY person_id, ts`` of the stored events (what the pairing pass
reads), as information: a cleverer order might be cheaper, so it is not in the bound.
All cores, DuckDB's default memory limit; medians of ``--runs`` runs.
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

STEPS = {
    "events": (
        "CREATE TABLE events AS "
        "SELECT strptime(timestamp, '%Y-%m-%d %H:%M:%S') AS ts, * EXCLUDE (timestamp) "
        "FROM read_csv($csv, all_varchar = true)"
    ),
    "visits": (
        "CREATE TABLE visits AS "
        "SELECT person_id, building, ts AS checkin_at, ts + INTERVAL 1 HOUR AS checkout_at, 'scan' AS checkout_kind, "
        "ts + INTERVAL 12 HOUR AS auto_close_at, category, gate AS gate_in, gate AS gate_out, status "
        "FROM events WHERE action = 'checkin'"
    ),
    "persons": (
        "CREATE TABLE persons AS "
        "SELECT person_id, arg_max(name, ts) AS name, max(ts) AS name_at, arg_max(category, ts) AS category, "
        "max(ts) AS category_at, arg_max(phone, ts) AS phone, max(ts) AS phone_at FROM events GROUP BY person_id"
    ),
    "order": "CREATE TEMP TABLE ordered AS SELECT person_id, ts, building, action FROM events ORDER BY person_id, ts",
}


WRITES = ("events", "visits", "persons")  # the bound; "order" is information only


def time_floor(csv_path: Path, runs: int, steps: tuple[str, ...] = tuple(STEPS)) -> dict[str, float]:
    """Median seconds of each step (see the module docstring)."""
    seconds: dict[str, list[float]] = {step: [] for step in steps}
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="pantau-floor-") as folder:
            con = duckdb.connect(str(Path(folder) / "floor.duckdb"))
            try:
                for step in steps:
                    sql = STEPS[step]
                    started = time.perf_counter()
                    con.execute(sql, {"csv": str(csv_path)} if "$csv" in sql else {})
                    con.execute("CHECKPOINT")
                    seconds[step].append(time.perf_counter() - started)
            finally:
                con.close()
    return {step: statistics.median(values) for step, values in seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="10m", choices=sorted(bench.gen.SCALES))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    meta = bench.prepare(args.scale)
    csv_path = bench.scale_dir(args.scale) / "import.csv"
    floor = time_floor(csv_path, args.runs)
    writes = floor["events"] + floor["visits"] + floor["persons"]
    lines = [
        f"# DuckDB's bare floor for the CSV import ({args.scale}, {meta['import_rows']:,} events)",
        "",
        f"Medians of {args.runs} runs; each step one statement, committed, into a new file.",
        "",
        f"- write the events (`CREATE TABLE AS` from the CSV, timestamps parsed): {floor['events']:.1f} s",
        f"- write one visit per check-in (no pairing): {floor['visits']:.1f} s",
        f"- write the persons (latest values): {floor['persons']:.1f} s",
        f"- **the three writes: {writes:.1f} s**",
        f"- (information) order the events per person and time: {floor['order']:.1f} s",
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
