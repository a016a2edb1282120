"""``publish`` and ``rollup``: a site's data into the province's lake, and the lake's figures
across sites (RULES "Province", "Command line").

Registered by ``lib.cli.commands.build_parser`` (``add_commands``). A refusal is one line
on standard error in the run's language and exit code 2, as every command's.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pyarrow as pa

from lib.analytics import province
from lib.core import config, i18n
from lib.core.timeutil import format_local_iso, parse_local_bound
from lib.outputs import export, publish
from lib.store import db

# As ``weekly`` rounds them (lib/cli/commands.py cmd_weekly); tests/test_rollup.py compares both outputs.
WEEKLY_ROUNDING = (
    ("visits_per_day", 2), ("median_stay_minutes", 1), ("auto_close_share", 4),
    ("crowding_minutes", 1), ("visits_change_pct", 1), ("persons_change_pct", 1),
)


def _fail(args: argparse.Namespace, key: str, **values: object) -> int:
    print("error: " + i18n.t(key, args.lang, **values), file=args.stderr)
    return 2


def _required_key() -> str:
    """``PANTAU_PROVINCE_KEY`` for tracing across sites; a missing or short key is a
    ``PublishError`` (``no_key``, ``short_key``) that ``run`` says on one line, exit 2."""
    try:
        key = config.province_key()
    except config.SettingError:
        raise publish.PublishError("short_key") from None
    if not key:
        raise publish.PublishError("no_key")
    return key


def _emit(args: argparse.Namespace, frame: pd.DataFrame) -> None:
    if args.out:
        export.write_file(frame, args.out)
    else:
        frame.to_csv(args.stdout, index=False, lineterminator="\n")


def _day(text: str | None, is_end: bool) -> date | None:
    """A --from/--to date (``2022-01-03`` or ``03/01/2022``): whole local days, both included."""
    if not text:
        return None
    instant = parse_local_bound(text, "UTC", is_end=is_end)
    return (instant.date() if not is_end else (instant - pd.Timedelta(days=1)).date())


def _split_to(values: list[str]) -> tuple[str | None, str | None]:
    """``--to`` names the destination and, given twice, the window's last day: the value
    that reads as a date is the day, the other the destination."""
    if len(values) == 1:
        return values[0], None
    if len(values) != 2:
        raise ValueError("--to")
    dates = []
    for value in values:
        try:
            _day(value, is_end=True)
            dates.append(True)
        except ValueError:
            dates.append(False)
    if dates.count(True) != 1:
        raise ValueError("--to")
    return (values[1], values[0]) if dates[0] else (values[0], values[1])


def cmd_publish(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """The site's figures and pseudonymous visits into the lake (audited ``province_publish``)."""
    try:
        destination, last_text = _split_to(args.to_values or [])
    except ValueError:
        return _fail(args, "province.cli.two_to")
    if args.until:
        last_text = args.until
    if not destination:
        return _fail(args, "province.cli.no_destination")
    try:
        first_day, last_day = _day(args.start, is_end=False), _day(last_text, is_end=True)
    except ValueError as error:
        return _fail(args, "cli.bad_argument", detail=str(error))
    try:
        key = config.province_key()
    except config.SettingError:
        return _fail(args, "province.error.short_key")
    try:
        result = publish.publish(
            con, destination, args.site, key, first_day=first_day, last_day=last_day, actor=args.actor
        )
    except publish.PublishError as error:
        return _fail(args, f"province.error.{error.code}", **error.values)
    print(
        i18n.t("province.cli.published", args.lang, site=result.site, days=result.days, written=result.written,
               unchanged=result.unchanged, removed=result.removed, visits=result.rows.get("visits", 0)),
        file=args.stderr,
    )
    return 0


def warning_text(warning: province.LakeWarning, lang: str) -> str:
    """A skipped partition or site in words."""
    return i18n.t(f"province.warning.{warning.code}", lang, site=warning.site, dataset=warning.dataset,
                  partition=warning.partition)


def weekly_output(rows: pd.DataFrame, buildings: pd.DataFrame) -> pd.DataFrame:
    """The rollup's rows written as ``weekly`` writes its own: the same rounding, dates as
    ISO, the peak hour as local ISO time with offset in the building's zone."""
    frame = rows.copy()
    frame["busiest_day"] = frame["busiest_day"].map(
        lambda day: "" if day is None or pd.isna(day) else pd.Timestamp(day).date().isoformat()
    )
    for column, digits in WEEKLY_ROUNDING:
        frame[column] = frame[column].astype(float).round(digits)
    zones = {(str(r.site), str(r.building)): str(r.timezone) for r in buildings.itertuples(index=False)}
    row_zones = pd.Series(
        [zones.get((str(s), str(b)), db.DEFAULT_TIMEZONE) for s, b in zip(frame["site"], frame["building"], strict=True)],
        index=frame.index, dtype=object,
    )
    frame["peak_hour"] = format_local_iso(frame["peak_hour"], row_zones)
    return frame


def cmd_rollup_weekly(con: duckdb.DuckDBPyConnection | None, args: argparse.Namespace) -> int:
    """RULES "Weekly statistics" of every published site: ``site``, then ``weekly``'s columns."""
    try:
        province.monday_of(args.week)
    except ValueError as error:
        return _fail(args, "cli.bad_argument", detail=str(error))
    try:
        lake = province.open_lake(args.lake)
    except province.LakeError as error:
        return _fail(args, f"province.error.{error.code}", **error.values)
    memory = duckdb.connect()
    try:
        rows, warnings = province.rollup_weekly(memory, lake, args.week, building=args.building)
        buildings = province.published_buildings(memory, lake)
    except (OSError, pa.ArrowException, duckdb.IOException) as error:  # gone while being read
        return _fail(args, "province.error.unreachable", lake=args.lake, detail=str(error).splitlines()[0])
    finally:
        memory.close()
    for warning in warnings:
        print("warning: " + warning_text(warning, args.lang), file=args.stderr)
    _emit(args, weekly_output(rows, buildings))
    return 0


def add_commands(
    sub: argparse._SubParsersAction, add: Callable[[str, Callable[..., int], str], argparse.ArgumentParser]
) -> None:
    """``publish`` and ``rollup`` into ``build_parser``'s sub-commands (``add`` is its helper)."""
    publish_command = add("publish", cmd_publish, "the site's figures and pseudonymous visits as Parquet into the province's lake")
    publish_command.add_argument(
        "--to", dest="to_values", action="append", metavar="DEST",
        help="the lake (a folder or s3://...); given twice, the date one is the window's last day",
    )
    publish_command.add_argument("--site", required=True, help="this site's name in the lake (letters, digits, - and _)")
    publish_command.add_argument("--from", dest="start", help="first local day (default: the first with data)")
    publish_command.add_argument("--until", help="last local day, included (same as a second --to DATE)")

    rollup = sub.add_parser("rollup", help="figures of every site published to the province's lake (no database needed)")
    rollup.add_argument("--lake", required=True, help="the province's lake (a folder or s3://...)")
    group = rollup.add_subparsers(dest="rollup_command", required=True, parser_class=type(rollup))
    weekly = group.add_parser("weekly", help="weekly statistics per site and building: site, then weekly's columns")
    weekly.set_defaults(handler=cmd_rollup_weekly, without_database=True)
    weekly.add_argument("--out", help="write to FILE (.csv, .xlsx, .json) instead of standard output")
    weekly.add_argument("--week", required=True, help="ISO week, e.g. 2022-W02")
    weekly.add_argument("--building", help="a building's id or display name")

    add_tracing_commands(add)


def cmd_province_trace(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """The index person's contacts at every site, by pseudonym; ``--requests FOLDER`` writes
    each site's signed request. Audited 'province_trace' (subject: the pseudonym)."""
    from lib.analytics import cases, province_tracing
    from lib.outputs import province_requests

    key = _required_key()
    try:
        onset = _day(args.onset, is_end=False) if args.onset else None
        swab = _day(args.swab, is_end=False) if args.swab else None
    except ValueError as error:
        return _fail(args, "cli.bad_argument", detail=str(error))
    try:
        start, end = cases.case_window(onset, swab)
    except cases.CaseError as error:
        return _fail(args, f"cases.error.{error.code}", **error.values)
    try:
        lake = province.open_lake(args.lake)
    except province.LakeError as error:
        return _fail(args, f"province.error.{error.code}", **error.values)
    index = province.pseudonym(key, args.person.strip())
    memory = duckdb.connect()
    try:
        visits, contacts, warnings = province_tracing.trace_pseudonym(memory, lake, index, start, end, args.min_overlap)
    finally:
        memory.close()
    for warning in warnings:
        print("warning: " + warning_text(warning, args.lang), file=args.stderr)
    window = (start.astimezone(config_zone()).date(), (end.astimezone(config_zone()) - pd.Timedelta(days=1)).date())
    province_requests.audit_trace(con, index, args.actor, sorted(set(visits["site"])), len(contacts), window)
    if args.requests:
        requests = province_requests.build_requests(index, visits, contacts, onset, swab, args.min_overlap, args.actor)
        paths = province_requests.write_requests(args.requests, requests, key)
        print(i18n.t("province.cli.requests_written", args.lang, count=len(paths), folder=args.requests), file=args.stderr)
    frame = contacts.copy()
    frame["overlap_minutes"] = frame["overlap_minutes"].map(lambda minutes: f"{minutes:.1f}")
    for column in ("first_contact", "last_contact"):
        frame[column] = format_local_iso(frame[column], db.DEFAULT_TIMEZONE)
    _emit(args, frame)
    return 0


def config_zone() -> ZoneInfo:
    return ZoneInfo(db.DEFAULT_TIMEZONE)


def cmd_province_request(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """At a site: the province's signed request opened as a case (audited)."""
    from lib.analytics import cases
    from lib.outputs import province_requests

    key = _required_key()
    try:
        opened = province_requests.open_request(
            con, args.file, key, args.actor, site=args.site, tracer=args.tracer
        )
    except province_requests.RequestError as error:
        return _fail(args, f"province.request.{error.code}", **error.values)
    except cases.CaseError as error:
        return _fail(args, f"cases.error.{error.code}", **error.values)
    counts = cases.case_progress(con, opened.case_id)
    _emit(args, pd.DataFrame([{
        "case_id": opened.case_id, "person_id": opened.person_id, "contacts_in_request": opened.contacts_in_request,
        "contacts_known_here": opened.contacts_known_here, "k1": counts.k1, "k2": counts.k2,
    }]))
    return 0


def add_tracing_commands(add: Callable[[str, Callable[..., int], str], argparse.ArgumentParser]) -> None:
    trace = add("province-trace", cmd_province_trace, "contacts of a case at every published site, by pseudonym (audited)")
    trace.add_argument("--lake", required=True, help="the province's lake (a folder or s3://...)")
    trace.add_argument("--person", required=True, help="the index person's NIK (or the id the sites use)")
    when = trace.add_mutually_exclusive_group(required=True)
    when.add_argument("--onset", help="symptom onset date: two days before to fourteen after")
    when.add_argument("--swab", help="swab date, when there are no symptoms")
    trace.add_argument("--min-overlap", dest="min_overlap", type=float, default=15.0, help="minutes (default 15)")
    trace.add_argument("--requests", help="write each site's signed request into this folder")
    request = add("province-request", cmd_province_request, "open the province's signed request as a case here (audited)")
    request.add_argument("file", help="the <site>.request.json the province sent")
    request.add_argument("--site", help="this site's name in the lake: a request for another site is refused")
    request.add_argument("--tracer", help="the tracer assigned (default: you)")
