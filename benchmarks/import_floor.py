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

    python -m benchmarks.import_floor --scale 50m --day

The same bound for "one day's events into the store" (issue 27): on one copy of the store,
each held-out day's bare writes in one transaction, with none of the rules (no repeat
check, pairing, room stays, figures or search keys); on a second copy, in the same run
and alternating day by day, Pantau's real import of the same day
(``lib.ingest.importer.import_file``, as ``benchmarks.bench``'s ``import_day``):

1. parse the day's CSV into a temporary table;
2. append its rows to ``events``;
3. the persons: update the stored ones from the day's latest values and insert the new
   ones (a join of the day's persons with the stored ones, as the import does);
4. one visit per door check-in (no pairing);
5. commit (timed, but not in the bound: see ``day_report``).
"""

from __future__ import annotations

import argparse
import json
import shutil
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


# One day's bare writes (``--day``), in the order run; ``$csv``: the day's file.
DAY_STEPS = {
    "parse": (
        "CREATE OR REPLACE TEMP TABLE day AS "
        "SELECT CAST(strptime(timestamp, '%Y-%m-%d %H:%M:%S') - INTERVAL 8 HOUR AS TIMESTAMPTZ) AS ts, "
        "* EXCLUDE (timestamp) REPLACE (nullif(area, '') AS area) FROM read_csv($csv, all_varchar = true)"
    ),
    "events": (
        "INSERT INTO events (person_id, building, action, ts, name, category, phone, gate, area, status) "
        "SELECT person_id, building, action, ts, name, category, phone, gate, area, status FROM day"
    ),
    # The cheapest upsert found for the import (lib/ingest/rows.py): one join finds the stored
    # rows, which are then updated by row id; the others are inserted.
    "persons": (
        "CREATE OR REPLACE TEMP TABLE day_persons AS "
        "SELECT d.*, p.rowid AS stored_row FROM ("
        "    SELECT person_id, arg_max(name, ts) AS name, arg_max(category, ts) AS category, "
        "           arg_max(phone, ts) AS phone, max(ts) AS seen_at FROM day GROUP BY person_id"
        ") d LEFT JOIN persons p USING (person_id); "
        "UPDATE persons SET name = d.name, name_at = d.seen_at, category = d.category, category_at = d.seen_at, "
        "phone = d.phone, phone_at = d.seen_at FROM day_persons d WHERE persons.rowid = d.stored_row; "
        "INSERT INTO persons (person_id, name, name_at, category, category_at, phone, phone_at) "
        "SELECT person_id, name, seen_at, category, seen_at, phone, seen_at FROM day_persons WHERE stored_row IS NULL"
    ),
    "visits": (
        "INSERT INTO visits (person_id, building, checkin_at, checkout_at, checkout_kind, auto_close_at, category, "
        "gate_in, gate_out, status) "
        "SELECT person_id, building, ts, ts + INTERVAL 1 HOUR, 'scan', ts + INTERVAL 12 HOUR, category, gate, gate, "
        "status FROM day WHERE action = 'checkin' AND area IS NULL"
    ),
    "commit": "COMMIT",
}


def time_day_floor(scale: str, meta: dict[str, object], runs: int) -> tuple[dict[str, float], list[float]]:
    """Median seconds of each of ``DAY_STEPS`` over ``runs`` held-out days, and the real
    import's seconds of the same days, run alternately on two copies of the store (the
    first held-out day, a warm-up, is imported on both and not counted)."""
    from lib.ingest import importer
    from lib.store import db

    folder = bench.scale_dir(scale)
    days = [folder / day["path"] for day in meta["days"]][: runs + 1]  # type: ignore[index]
    seconds: dict[str, list[float]] = {step: [] for step in DAY_STEPS}
    imports: list[float] = []
    with tempfile.TemporaryDirectory(prefix="pantau-day-floor-", dir=folder) as work:
        bare_path, real_path = Path(work) / "bare.duckdb", Path(work) / "real.duckdb"
        shutil.copyfile(folder / "store.duckdb", bare_path)
        shutil.copyfile(folder / "store.duckdb", real_path)
        bare, real = db.connect(bare_path), db.connect(real_path)
        try:
            for index, day in enumerate(days):
                bare.execute("BEGIN TRANSACTION")
                timed: dict[str, float] = {}
                for step, sql in DAY_STEPS.items():
                    started = time.perf_counter()
                    bare.execute(sql, {"csv": str(day)} if "$csv" in sql else {})
                    timed[step] = time.perf_counter() - started
                started = time.perf_counter()
                importer.import_file(real, day, actor="bench")
                real_seconds = time.perf_counter() - started
                if index == 0:
                    continue  # warm-up
                for step, value in timed.items():
                    seconds[step].append(value)
                imports.append(real_seconds)
                print(f"{day.name}: bare writes {sum(timed.values()) - timed['commit']:.2f} s "
                      f"(their commit {timed['commit']:.2f} s), import {real_seconds:.2f} s")
        finally:
            bare.close()
            real.close()
    return {step: statistics.median(values) for step, values in seconds.items()}, imports


def day_report(scale: str, meta: dict[str, object], runs: int) -> str:
    floor, imports = time_day_floor(scale, meta, runs)
    # The bare transaction's commit took 1.3-1.9 s at 50 M where the import's own commit
    # takes ~0.15 s (7-8 Dec 2026; not understood): shown, but not counted in the bound.
    writes = sum(value for step, value in floor.items() if step != "commit")
    rows = [day["rows"] for day in meta["days"]][1 : runs + 1]  # type: ignore[index]
    lines = [
        f"# DuckDB's bare floor for one day's import ({scale}, {meta['visits_total']:,} visits stored)",
        "",
        f"{runs} held-out days of {min(rows):,}-{max(rows):,} events each; medians. Bare writes on one copy of",
        "the store, Pantau's import of the same day on another, alternately in one process.",
        "",
        *(f"- {step}: {value * 1000:.0f} ms" for step, value in floor.items() if step != "commit"),
        f"- **the bare writes, without their commit: {writes * 1000:.0f} ms**",
        f"- (information) their commit: {floor['commit'] * 1000:.0f} ms",
        f"- **Pantau's import: {statistics.median(imports) * 1000:.0f} ms** (runs: "
        + ", ".join(f"{value * 1000:.0f}" for value in imports) + f"), {statistics.median(imports) / writes:.1f}x the floor",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="10m", choices=sorted(bench.gen.SCALES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--day", action="store_true", help="one day's import into the store instead of the CSV")
    args = parser.parse_args()
    meta = bench.prepare(args.scale)
    if args.day:
        text = day_report(args.scale, meta, args.runs)
        print(text)
        (bench.RESULTS / f"import-day-floor-{args.scale}.md").write_text(text)
        return
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
