"""Command line over the same functions as the pages (SPEC "Command line").

``python -m lib.cli [--db PATH] COMMAND ...``: tables go to standard output as CSV (as
stored, for programs) or to ``--out FILE`` (.csv/.xlsx/.json, formula-safe, for people).
Any failure is one line on standard error and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import duckdb
import pandas as pd

from lib import db, export, i18n
from lib.timeutil import format_local_iso, parse_local_bound


class CliError(Exception):
    """A user-facing, one-line error; exit code 2 unless given."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CliError(i18n.t("cli.bad_argument", detail=message))


def _actor() -> str:
    try:
        return os.environ.get("PANTAU_USER") or f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _emit(frame: pd.DataFrame, out: str | None) -> None:
    if out:
        export.write_file(frame, out)
    else:
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")


def _local_columns(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, columns: Sequence[str], building_column: str = "building"
) -> pd.DataFrame:
    """UTC instants to ISO local time with offset, in each row's building zone."""
    zones = db.building_timezones(con)
    if building_column in frame.columns:
        row_zones = frame[building_column].map(lambda b: zones.get(b, db.DEFAULT_TIMEZONE))
    else:
        row_zones = pd.Series([db.DEFAULT_TIMEZONE] * len(frame), index=frame.index)
    for column in columns:
        frame[column] = format_local_iso(frame[column], row_zones)
    return frame


def window_bounds(
    con: duckdb.DuckDBPyConnection, building: str | None, start: str | None, end: str | None
) -> tuple[datetime | None, datetime | None]:
    """--from/--to in the building's zone (the default zone across buildings)."""
    zone = db.DEFAULT_TIMEZONE
    if building:
        zone = db.building_timezones(con).get(building, db.DEFAULT_TIMEZONE)
    try:
        lower = parse_local_bound(start, zone, is_end=False) if start else None
        upper = parse_local_bound(end, zone, is_end=True) if end else None
    except ValueError as error:
        raise CliError(i18n.t("cli.bad_argument", detail=str(error))) from None
    if lower is not None and upper is not None and upper <= lower:
        raise CliError(i18n.t("cli.bad_argument", detail="--to must be after --from"))
    return lower, upper


def require_building(con: duckdb.DuckDBPyConnection, building: str | None) -> None:
    if building and building not in db.building_timezones(con):
        raise CliError(i18n.t("cli.unknown_building", building=building))


# --- commands ----------------------------------------------------------------------


def cmd_ingest(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    from lib.importer import import_file

    for path in args.files:
        if not Path(path).is_file():
            raise CliError(i18n.t("cli.file_not_found", path=path))
    show_progress = sys.stderr.isatty()
    rows = []
    refused = False
    for path in args.files:
        def progress(share: float, name: str = Path(path).name) -> None:
            if show_progress:
                print(f"\r{name}: {share:6.1%}", end="", file=sys.stderr, flush=True)

        summary = import_file(con, path, actor=_actor(), progress=progress)
        if show_progress:
            print(file=sys.stderr)
        message = ""
        if summary.status == "refused":
            refused = True
            message = i18n.refusal_message(
                summary.message_code or "", missing=summary.missing_columns, detail=summary.message or ""
            )
            print(f"{path}: {message}", file=sys.stderr)
        rows.append(
            {
                "file": summary.file_name,
                "status": summary.status,
                "rows": summary.rows_read,
                "events": summary.events_new,
                "new_visits": summary.new_visits,
                "duplicates": summary.duplicates,
                "orphans": summary.orphans,
                "quarantined": summary.quarantined,
                "message": message,
            }
        )
    _emit(pd.DataFrame(rows), args.out)
    return 1 if refused else 0


def cmd_visits(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    from lib.visits import list_visits

    require_building(con, args.building)
    lower, upper = window_bounds(con, args.building, args.start, args.end)
    frame = list_visits(con, building=args.building, start=lower, end=upper)
    _emit(_local_columns(con, frame, ["checkin_at", "checkout_at"]), args.out)
    return 0


def cmd_demo(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    from lib.demo import load_demo

    result = load_demo(con, seed=args.seed)
    print(i18n.t("cli.demo_done", visits=result["visits"], buildings=result["buildings"]), file=sys.stderr)
    return 0


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="python -m lib.cli", description="Pantau: visit-log analytics")
    parser.add_argument("--db", help="DuckDB file (default data/pantau.duckdb or $PANTAU_DB)")
    parser.add_argument("--lang", choices=i18n.LANGUAGES, help="language of messages (id, en)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    def add(name: str, handler: Callable[[duckdb.DuckDBPyConnection, argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text)
        command.set_defaults(handler=handler)
        command.add_argument("--out", help="write to FILE (.csv, .xlsx, .json) instead of standard output")
        return command

    ingest = add("ingest", cmd_ingest, "import scanner exports (CSV, XLSX, Parquet)")
    ingest.add_argument("files", nargs="+")

    visits = add("visits", cmd_visits, "list visits")
    visits.add_argument("--building")
    visits.add_argument("--from", dest="start")
    visits.add_argument("--to", dest="end")

    demo = add("demo", cmd_demo, "fill the database with a realistic demo month")
    demo.add_argument("--seed", type=int, default=2022)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.lang:
            os.environ["PANTAU_LANG"] = args.lang
        try:
            con = db.connect(args.db)
        except duckdb.IOException as error:
            raise CliError(i18n.t("cli.db_locked", detail=str(error).splitlines()[0]), code=3) from None
        try:
            return int(args.handler(con, args))
        finally:
            con.close()
    except CliError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.code
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # the contract: never a traceback
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"error: {type(error).__name__}: {first_line}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
