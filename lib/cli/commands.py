"""Command line over the same functions as the pages (RULES "Command line").

``python -m lib.cli [--db PATH] COMMAND ...``: tables go to standard output as CSV (as
stored, for programs) or to ``--out FILE`` (.csv/.xlsx/.json, formula-safe, for people).
Any failure is one line on standard error and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import io
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NoReturn, TextIO

import duckdb
import pandas as pd

from lib.cli import owner
from lib.cli import province as province_cli
from lib.core import config, i18n, logs
from lib.core.errors import PantauError
from lib.core.timeutil import format_local_iso, parse_local_bound
from lib.ingest import upgrade
from lib.outputs import export
from lib.store import backup, db, places, spool


class CliError(PantauError):
    """The command line's own one-line refusal: ``key`` is a whole text key (no prefix), said
    in the run's language; exit code 2 unless given. A lib function's ``PantauError`` needs
    no wrapping: ``run`` says it the same way."""

    def __init__(self, key: str, code: int = 2, text: str | None = None, **values: object) -> None:
        super().__init__(key, **values)
        self.exit_code, self.text = code, text

    @classmethod
    def plain(cls, text: str, code: int = 2) -> CliError:
        """An error whose text is already in words (from a lib function that says it)."""
        return cls("", code=code, text=text)

    def message(self, lang: str | None = None) -> str:
        return self.text if self.text is not None else super().message(lang)


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CliError("cli.bad_argument", detail=message)


def _emit(args: argparse.Namespace, frame: pd.DataFrame) -> None:
    if args.out:
        export.write_file(frame, args.out)
    else:
        frame.to_csv(args.stdout, index=False, lineterminator="\n")


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
        raise CliError("cli.bad_argument", detail=str(error)) from None
    if lower is not None and upper is not None and upper <= lower:
        raise CliError("cli.bad_argument", detail="--to must be after --from")
    return lower, upper


def building_id(con: duckdb.DuckDBPyConnection, building: str, lang: str) -> str:
    """The id of the building the user typed (its id or display name, ignoring case and
    spaces: ``places.resolve_building``); else the one-line error listing the buildings."""
    from lib.store import places

    found = places.resolve_building(con, building)
    if found is None:
        raise CliError(
            "cli.unknown_building_known", building=building.strip(),
            known=places.known_buildings_text(con) or i18n.t("cli.no_buildings", lang),
        )
    return found


def require_building(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> None:
    """``args.building`` as typed becomes the building's id (None stays None)."""
    if args.building:
        args.building = building_id(con, args.building, args.lang)


# --- commands ----------------------------------------------------------------------


def cmd_ingest(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    from lib.ingest.importer import import_file

    for path in args.files:
        if not Path(path).is_file():
            raise CliError("cli.file_not_found", path=path)
    # RULES "Import": --building supplies the building of a file without one (a guest book):
    # a known one by id or name, else a new building (listed under new_buildings).
    show_progress = args.stderr.isatty()
    rows = []
    refused = False
    for path in args.files:
        def progress(share: float, name: str = Path(path).name) -> None:
            if show_progress:
                print(f"\r{name}: {share:6.1%}", end="", file=args.stderr, flush=True)

        summary = import_file(con, path, actor=args.actor, progress=progress, building=args.building)
        if show_progress:
            print(file=args.stderr)
        message = ""
        if summary.status == "refused":
            refused = True
            message = i18n.refusal_message(
                summary.message_code or "", args.lang, missing=summary.missing_columns, detail=summary.message or ""
            )
            print(f"{path}: {message}", file=args.stderr)
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
                # A staff roster: how many persons' unit / home building / home room it set.
                "shape": summary.shape or "",
                "persons": summary.persons_set,
                # Buildings first named by this file: new, unconfirmed until an admin acts.
                "new_buildings": ";".join(summary.new_buildings),
            }
        )
    _emit(args, pd.DataFrame(rows))
    return 1 if refused else 0


def cmd_visits(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    from lib.analytics.visits import list_visits

    require_building(con, args)
    lower, upper = window_bounds(con, args.building, args.start, args.end)
    frame = list_visits(con, building=args.building, start=lower, end=upper)
    _emit(args, _local_columns(con, frame, ["checkin_at", "checkout_at"]))
    return 0


def _poster_address_warning(con: duckdb.DuckDBPyConnection, base_url: str | None, lang: str) -> str | None:
    """A warning line when the poster's QR would hold an address a phone cannot open."""
    from lib.outputs import checkin
    from lib.store import places

    stored = places.public_base_url(con)
    problem = places.public_address_problem(base_url or stored)
    if problem is None:
        return None
    url = checkin.poster_base_url(con, base_url)
    return i18n.t("posters.cli_warning", lang, problem=i18n.t(f"posters.problem.{problem}", lang, url=url))


def cmd_stays(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """Area stays that began in the window, by start; an open stay has an empty end."""
    from lib.analytics.stays import list_stays

    require_building(con, args)
    lower, upper = window_bounds(con, args.building, args.start, args.end)
    frame = list_stays(con, building=args.building, start=lower, end=upper)
    _emit(args, _local_columns(con, frame, ["start", "end"]))
    return 0


# The address the dashboard of this process answers on (``note_app_address``), None in a
# command-line process of its own.
_app_address: str | None = None


def note_app_address(host: str | None, port: int | str | None, base_path: str | None = None) -> str | None:
    """Remember the address this process's dashboard serves (``serve.py`` at start, from
    Streamlit's ``server.address``, ``server.port`` and ``server.baseUrlPath``): a poster
    made by a command handed to the dashboard (``lib.cli.owner``) while no public address
    is set then opens the app that runs, not the default port. Returns the address."""
    global _app_address
    if port in (None, "", 0):
        return None
    name = (host or "").strip()
    if name in ("", "0.0.0.0", "::"):  # every interface: this machine is reached as localhost
        name = "localhost"
    if ":" in name and not name.startswith("["):
        name = f"[{name}]"  # an IPv6 address in a URL
    path = (base_path or "").strip().strip("/")
    _app_address = f"http://{name}:{int(port)}" + (f"/{path}" if path else "")
    return _app_address


def cmd_poster(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    from lib.outputs import checkin
    from lib.outputs.posters import write_poster
    from lib.store import places

    base_url = None
    if args.base_url is not None:
        try:
            base_url = places.normalize_public_url(args.base_url)
        except places.SettingsError:
            raise CliError("posters.cli_bad_base_url", url=args.base_url) from None
    elif places.public_base_url(con) is None and _app_address is not None:
        # No public address set: the app that runs here, on its own port (issue 26).
        base_url = _app_address

    if not args.building:
        raise CliError("cli.bad_argument", detail="--building is required")
    require_building(con, args)
    if not args.out:
        raise CliError("cli.bad_argument", detail="--out FILE (.pdf or .png) is required")
    if args.gate and args.area:
        raise CliError("posters.cli_gate_and_area")
    if sum(bool(x) for x in (args.all, args.all_areas, args.area)) > 1:
        raise CliError("posters.cli_all_and_area")
    if args.gate and checkin.gate_name(con, args.building, args.gate) is None:
        raise CliError("posters.cli_unknown_gate", gate=args.gate)
    if args.area and checkin.area_row(con, args.building, args.area) is None:
        raise CliError("posters.cli_unknown_area", building=args.building, area=args.area)
    if args.all_areas and places.list_areas(con, args.building).empty:
        raise CliError("posters.cli_no_areas", building=args.building)
    try:
        path = write_poster(
            con, args.building, args.gate, args.action, args.out, all_posters=args.all, base_url=base_url,
            area=args.area, all_areas=args.all_areas,
        )
    except ValueError as error:
        raise CliError.plain(str(error)) from None
    warning = _poster_address_warning(con, base_url, args.lang)
    if warning:
        print(warning, file=args.stderr)
    print(i18n.t("cli.poster_app_address", args.lang, url=checkin.poster_base_url(con, base_url)), file=args.stderr)
    print(i18n.t("posters.cli_written", args.lang, path=path), file=args.stderr)
    return 0


def _parse_day(text: str) -> date:
    value = text.strip()
    try:
        return date.fromisoformat(value) if "-" in value else datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        raise CliError("cli.bad_argument", detail=f"not a date: {text!r}") from None


def cmd_trace(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """RULES "Contact tracing": --from/--to in the default zone; a missing bound comes from
    the --onset/--swab window (two days before to fourteen days after, both days included)."""
    from lib.analytics import tracing

    lower, upper = window_bounds(con, None, args.start, args.end)
    onset = args.onset or args.swab
    if onset:
        default_lower, default_upper = tracing.onset_window(_parse_day(onset), db.DEFAULT_TIMEZONE)
        lower = default_lower if lower is None else lower
        upper = default_upper if upper is None else upper
    if lower is None or upper is None:
        raise CliError("cli.bad_argument", detail="give --from and --to, or --onset/--swab")
    if upper <= lower:
        raise CliError("cli.bad_argument", detail="--to must be after --from")
    try:
        frame = tracing.trace_contacts(
            con, args.person, lower, upper, min_overlap_minutes=args.min_overlap,
            tail_minutes=args.tail, actor=args.actor,
        )
    except tracing.UnknownPersonError:
        raise CliError("cli.unknown_person", person=args.person) from None
    except ValueError as error:
        raise CliError("cli.bad_argument", detail=str(error)) from None
    # One building: its zone; a contact across buildings: the default zone.
    frame["zone_building"] = frame["buildings"].where(~frame["buildings"].str.contains(";", regex=False), None)
    frame = _local_columns(con, frame, ["first_contact", "last_contact"], building_column="zone_building")
    for column in ("overlap_minutes", "area_minutes"):
        frame[column] = frame[column].map(lambda minutes: f"{minutes:.1f}")
    for column in ("estimated", "area_assumed"):
        frame[column] = frame[column].map(lambda flag: "true" if flag else "false")
    _emit(args, frame[tracing.CONTACT_COLUMNS])
    return 0


# --- case: tracing cases (RULES "Tracing cases") -------------------------------------------


def _case_contacts_out(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> pd.DataFrame:
    """A case's contacts in ``trace``'s program formats, plus the follow-up columns."""
    from lib.analytics import cases

    frame = frame.copy()
    frame["zone_building"] = frame["buildings"].where(
        ~frame["buildings"].fillna("").str.contains(";", regex=False), None
    )
    frame = _local_columns(con, frame, ["first_contact", "last_contact"], building_column="zone_building")
    frame["status_at"] = format_local_iso(frame["status_at"], db.DEFAULT_TIMEZONE)
    for column in ("overlap_minutes", "area_minutes"):
        frame[column] = frame[column].map(lambda minutes: f"{minutes:.1f}")
    for column in ("estimated", "area_assumed"):
        frame[column] = frame[column].map(lambda flag: "true" if flag else "false")
    return frame[cases.CASE_CONTACT_COLUMNS]


def cmd_case_open(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """``case_id, person_id, window_from, window_to, k1, k2``; the window ISO local with offset, ``to`` exclusive."""
    from lib.analytics import cases

    onset = _parse_day(args.onset) if args.onset else None
    swab = _parse_day(args.swab) if args.swab else None
    isolation = _parse_day(args.isolation) if args.isolation else None
    case_id = cases.open_case(
        con, args.person, onset=onset, swab=swab, isolation=isolation, min_overlap=args.min_overlap,
        tail=args.tail, tracer=args.tracer, actor=args.actor, parent_case_id=args.parent,
    )
    case = cases.get_case(con, case_id)
    counts = cases.case_progress(con, case_id)
    frame = pd.DataFrame([{
        "case_id": case_id, "person_id": case["person_id"],
        "window_from": case["window_from"], "window_to": case["window_to"], "k1": counts.k1, "k2": counts.k2,
    }])
    _emit(args, _local_columns(con, frame, ["window_from", "window_to"]))
    return 0


def cmd_case_list(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """Every case as a tree (parents before their children) with its progress."""
    from lib.analytics import cases

    frame = cases.list_cases(con)
    frame = _local_columns(con, frame, ["window_from", "window_to", "opened_at", "snapshot_at", "closed_at"])
    for column in ("onset_date", "swab_date", "isolation_date"):
        frame[column] = frame[column].map(lambda d: "" if d is None or pd.isna(d) else pd.Timestamp(d).date().isoformat())
    frame["parent_case_id"] = frame["parent_case_id"].map(lambda p: "" if p is None or pd.isna(p) else str(int(p)))
    frame["done_share"] = frame["done_share"].map(lambda v: "" if v is None or pd.isna(v) else f"{v:.4f}")
    _emit(args, frame)
    return 0


def cmd_case_contacts(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """The graded columns of ``trace`` as of the case's snapshot, then the follow-up (audited 'case_view')."""
    from lib.analytics import cases

    frame = cases.view_case(con, args.case_id, args.actor)
    _emit(args, _case_contacts_out(con, frame))
    return 0


def cmd_case_set(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """Change one contact's follow-up (``--contact``: prints its row as ``case contacts`` does), or
    every contact of a grade, unit, room or day in one audited step (a count on standard error)."""
    from lib.analytics import cases

    group = (args.grade, args.unit, args.area, args.day)
    if (args.contact is None) == all(value is None for value in group):
        raise CliError("cases.error.need_contact_or_group")
    if args.contact is not None:
        row = cases.set_contact(
            con, args.case_id, args.contact, status=args.status, test_result=args.test, note=args.note,
            actor=args.actor,
        )
        _emit(args, _case_contacts_out(con, pd.DataFrame([row])))
        return 0
    selection = cases.Selection(grade=args.grade, unit=args.unit, area=args.area,
                                day=_parse_day(args.day) if args.day else None)
    result = cases.set_contacts(con, args.case_id, selection, status=args.status, test_result=args.test,
                                note=args.note, actor=args.actor)
    print(i18n.t("cases.cli_group_set", args.lang, case=result.case_id, count=result.count), file=args.stderr)
    return 0


def cmd_case_broadcast(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """A grade's broadcast file (``person_id, name, phone, message``, audited 'case_export'); the
    contacts without a usable phone are listed on standard error."""
    from lib.analytics import cases
    from lib.outputs import broadcast

    if not args.out or Path(args.out).suffix.lower() != ".csv":
        raise CliError("cases.error.bad_broadcast_out")
    made = broadcast.build_broadcast(con, args.case_id, args.grade)
    Path(args.out).write_bytes(made.data)
    broadcast.record_broadcast(con, made, args.actor)
    print(i18n.t("cases.cli_broadcast", args.lang, path=args.out, rows=len(made.sendable), grade=made.grade),
          file=args.stderr)
    if not made.no_phone.empty:
        print(i18n.t("cases.cli_no_phone", args.lang, count=len(made.no_phone), grade=made.grade), file=args.stderr)
        for person, name, phone in made.no_phone[cases.NO_PHONE_COLUMNS].itertuples(index=False):
            print(f"  {person}\t{name or ''}\t{phone or ''}", file=args.stderr)
    return 0


def cmd_case_export(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """The Puskesmas XLSX (summary, K1, K2), audited 'case_export'."""
    from lib.analytics import cases
    from lib.outputs import case_export

    if not args.out or Path(args.out).suffix.lower() != ".xlsx":
        raise CliError("cases.error.bad_out")
    data, rows = case_export.case_xlsx_bytes(con, args.case_id, args.lang)
    Path(args.out).write_bytes(data)
    cases.record_export(con, args.case_id, args.actor, "xlsx", rows)
    print(i18n.t("cases.cli_exported", args.lang, path=args.out, rows=rows), file=args.stderr)
    return 0


def cmd_case_close(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    from lib.analytics import cases

    cases.close_case(con, args.case_id, args.actor)
    _emit(args, pd.DataFrame([{"case_id": int(args.case_id), "status": "closed"}]))
    return 0


def _required_window(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> tuple[datetime, datetime]:
    lower, upper = window_bounds(con, args.building, args.start, args.end)
    if lower is None or upper is None:
        raise CliError("cli.bad_argument", detail="--from and --to are required")
    return lower, upper


def cmd_occupancy(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """RULES "Occupancy": one row per local hour (and category), zeros included."""
    from lib.analytics.occupancy import hourly_occupancy

    require_building(con, args)
    lower, upper = _required_window(con, args)
    frame = hourly_occupancy(con, lower, upper, building=args.building, by_category=args.by_category)
    frame["person_hours"] = frame["person_hours"].round(4)
    _emit(args, _local_columns(con, frame, ["hour"]))
    return 0


def cmd_crowding(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """RULES "Crowding": whole episodes that overlap the window."""
    from lib.analytics.crowding import crowding_episodes

    require_building(con, args)
    if args.threshold is not None and args.threshold < 0:
        raise CliError("cli.bad_argument", detail="--threshold must be 0 or more")
    lower, upper = _required_window(con, args)
    frame = crowding_episodes(con, lower, upper, building=args.building, threshold=args.threshold)
    frame["minutes"] = frame["minutes"].round(1)
    _emit(args, _local_columns(con, frame, ["start", "end"]))
    return 0


def cmd_weekly(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """RULES "Weekly statistics": one row per building."""
    from lib.analytics.weekly import parse_iso_week, weekly_stats

    require_building(con, args)
    try:
        parse_iso_week(args.week)
    except ValueError as error:
        raise CliError("cli.bad_argument", detail=str(error)) from None
    if args.by:
        # Issue 22: the week's visits per purpose or host, aggregates only (lib.analytics.purposes).
        from lib.analytics.purposes import weekly_by

        frame = weekly_by(con, args.week, by=args.by, building=args.building, lang=args.lang)
        frame["visits_change_pct"] = frame["visits_change_pct"].round(1)
        _emit(args, frame)
        return 0
    frame = weekly_stats(con, args.week, building=args.building)
    frame["busiest_day"] = frame["busiest_day"].map(lambda day: day.isoformat() if day is not None else "")
    for column, digits in (
        ("visits_per_day", 2), ("median_stay_minutes", 1), ("auto_close_share", 4),
        ("crowding_minutes", 1), ("visits_change_pct", 1), ("persons_change_pct", 1),
    ):
        frame[column] = frame[column].round(digits)
    _emit(args, _local_columns(con, frame, ["peak_hour"]))
    return 0


def cmd_rollcall(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """RULES "Roll-call": everyone inside at --at (default now); a .pdf --out prints it."""
    from lib.analytics.rollcall import rollcall
    from lib.outputs.rollcall_pdf import rollcall_pdf

    require_building(con, args)
    now = datetime.now(UTC)
    at = now
    if args.at:
        zone = db.building_timezones(con).get(args.building, db.DEFAULT_TIMEZONE) if args.building else db.DEFAULT_TIMEZONE
        try:
            at = parse_local_bound(args.at, zone, is_end=False)
        except ValueError as error:
            raise CliError("cli.bad_argument", detail=str(error)) from None
        if at > now:
            raise CliError("rollcall.cli_future")
    frame = rollcall(con, at, building=args.building)
    if args.out and Path(args.out).suffix.lower() == ".pdf":
        zones = db.building_timezones(con)
        names = places.building_display_names(con)
        data = rollcall_pdf(frame, at, names=names, timezones=zones, lang=args.lang, generated_at=now)
        Path(args.out).write_bytes(data)
        print(i18n.t("rollcall.cli_written", args.lang, path=args.out, people=len(frame)), file=args.stderr)
        return 0
    frame["area_assumed"] = frame["area_assumed"].map(lambda flag: "true" if flag else "false")
    _emit(args, _local_columns(con, frame, ["checkin_at"]))
    return 0


def cmd_alerts(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """RULES "Alerts": the alerts due now (or at a past --at); --send also posts the ones not
    sent in the last hour to the webhook of Settings, as the dashboard does every minute."""
    from lib.analytics.alerts import ALERT_COLUMNS, alerts_due
    from lib.outputs import webhook

    now = datetime.now(UTC)
    at = now
    if args.at:
        try:
            at = parse_local_bound(args.at, db.DEFAULT_TIMEZONE, is_end=False)
        except ValueError as error:
            raise CliError("cli.bad_argument", detail=str(error)) from None
        if at > now:
            raise CliError("cli.bad_argument", detail="--at is in the future")
    if args.send:
        counts = webhook.deliver_due(con, at)
        print(", ".join(f"{k}: {v}" for k, v in counts.items()), file=args.stderr)
    frame = alerts_due(con, at)
    _emit(args, frame[ALERT_COLUMNS[:-1]])
    return 0


def cmd_attendance(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """RULES "Attendance by unit": one row per roster unit and local day (both ends included)."""
    from lib.analytics.attendance import attendance

    first, last = _parse_day(args.start), _parse_day(args.end)
    if last < first:
        raise CliError("cli.bad_argument", detail="--to must not be before --from")
    if (last - first).days > 366:
        raise CliError("cli.bad_argument", detail="at most 366 days at once")
    frame = attendance(con, first, last, unit=args.unit)
    frame["day"] = frame["day"].map(lambda day: day.isoformat())
    frame["share"] = frame["share"].map(lambda share: f"{share:.3f}")
    _emit(args, frame)
    return 0


def cmd_demo(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    from lib.ingest.demo import load_demo

    result = load_demo(con, seed=args.seed)
    print(i18n.t("cli.demo_done", args.lang, visits=result["visits"], buildings=result["buildings"]), file=args.stderr)
    return 0


def cmd_backup(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    from lib.store import backup

    visits = backup.backup(con, args.file, actor=args.actor)  # a BackupError is said by run()
    print(i18n.t("backup.written", args.lang, file=args.file, visits=visits), file=args.stderr)
    return 0


def cmd_restore(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    from lib.store import backup

    visits = backup.restore(con, args.file, actor=args.actor)
    print(i18n.t("backup.restored", args.lang, file=args.file, visits=visits), file=args.stderr)
    return 0


def cmd_purge(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    from lib.store import retention

    if args.days is not None and args.days < 1:
        raise CliError("cli.bad_argument", detail="--days must be at least 1")
    counts = retention.purge(con, days=args.days, actor=args.actor)
    args.rewrite_after = True  # main() rewrites the file once this connection is closed
    _emit(args, pd.DataFrame([{"table": k, "rows": v} for k, v in counts.items()]))
    return 0


def _rewrite_database_file(db_path: Path) -> None:
    """After a purge: the dashboard's own file is rewritten by it, a free file here."""
    from lib.store import retention

    if owner.owns(db_path):
        db.shared(db_path).rewrite_file()
    else:
        retention.rewrite_closed_file(db_path)


# --- buildings, users and settings: what the Settings and Users pages do (issue 26) -------


def cmd_buildings_list(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """Every building as Settings lists it (``places.list_buildings``): id first, then name,
    time zone and whether it is confirmed, then its thresholds (people), MAX_STAY (minutes)
    and gate count."""
    from lib.store import places

    frame = places.list_buildings(con)
    frame["confirmed"] = frame["confirmed"].map(lambda flag: "true" if flag else "false")
    first = ["building_id", "name", "timezone", "confirmed"]
    _emit(args, frame[first + [c for c in frame.columns if c not in first]])
    return 0


def cmd_buildings_confirm(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    from lib.ingest import buildings

    building = building_id(con, args.building, args.lang)
    buildings.confirm_building(con, building, args.actor)
    print(i18n.t("cli.buildings.confirmed", args.lang, building=building), file=args.stderr)
    return 0


def cmd_buildings_rename(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """A new building's rename confirms it (as Settings' "new building" section does); a
    confirmed building keeps its other settings (Settings' building form)."""
    from lib.ingest import buildings

    building = building_id(con, args.building, args.lang)
    buildings.set_building_name(con, building, args.name, args.actor)
    print(i18n.t("cli.buildings.renamed", args.lang, building=building, name=args.name.strip()), file=args.stderr)
    return 0


def cmd_buildings_merge(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """A new building (a typo in a log) into an existing one (``buildings.merge_building``)."""
    from lib.ingest import buildings

    source, target = building_id(con, args.source, args.lang), building_id(con, args.target, args.lang)
    merged = buildings.merge_building(con, source, target, args.actor)
    print(i18n.t("cli.buildings.merged", args.lang, building=source, target=target, **merged), file=args.stderr)
    return 0


def _audit(con: duckdb.DuckDBPyConnection, args: argparse.Namespace, action: str, subject: str,
           params: dict[str, object] | None = None) -> None:
    """One audit record by the command's user, as the page's ``audit`` writes it."""
    db.write_audit(con, args.actor, action, subject, json.dumps(params, default=str) if params is not None else None, 1)


def cmd_users_list(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """Every account as the Users page lists it, never a password hash: username, name,
    roles (';'-separated), active, failed_logins, throttled_until (ISO, default zone), demo."""
    from lib.store import users

    frame = users.list_users()
    records = users.load_users()
    frame["roles"] = frame["roles"].map(";".join)
    frame.insert(3, "active", ["true" if users.is_active(records.get(u)) else "false" for u in frame["username"]])
    frame["throttled_until"] = format_local_iso(frame["throttled_until"], db.DEFAULT_TIMEZONE)
    frame["demo"] = frame["demo"].map(lambda flag: "true" if flag else "false")
    _emit(args, frame)
    return 0


def cmd_users_add(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """A new account; its generated password is printed once (standard output) and kept nowhere."""
    from lib.store import users

    roles = list(args.roles or [])
    password = users.add_user(None, args.username, args.name or "", roles)
    username = users.normalize_username(args.username)
    _audit(con, args, "user_create", username, {"roles": roles})
    print(i18n.t("cli.users.added", args.lang, username=username, password=password), file=args.stdout)
    return 0


def cmd_users_deactivate(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    from lib.store import users

    username = args.username.strip().lower()
    changed = users.set_active(None, username, False)
    if changed:
        _audit(con, args, "user_deactivate", username)
    key = "cli.users.deactivated" if changed else "cli.users.already_inactive"
    print(i18n.t(key, args.lang, username=username), file=args.stderr)
    return 0


def cmd_users_reset_password(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """A new generated password, printed once; every session of the user ends."""
    from lib.store import users

    username = args.username.strip().lower()
    password = users.reset_password(None, username)
    _audit(con, args, "user_password_reset", username)
    print(i18n.t("cli.users.reset", args.lang, username=username, password=password), file=args.stdout)
    return 0


def _whole_number(key: str, value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise CliError("cli.settings.bad_number", setting=key, value=value) from None


def _settings(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[Callable[[], object], Callable[[str, str], bool]]]:
    """The settings kept in the database that the Settings page edits: key -> (read the
    value, store a typed text as ``actor``; True when it changed). The same functions as the page."""
    from lib.analytics import cases
    from lib.outputs import publish
    from lib.store import office, places

    def hours() -> str:
        start, end = office.office_hours(con)
        return f"{start:%H:%M}-{end:%H:%M}"

    table: dict[str, tuple[Callable[[], object], Callable[[str, str], bool]]] = {
        places.PUBLIC_BASE_SETTING: (
            lambda: places.public_base_url(con) or "", lambda v, a: places.set_public_base_url(con, v, a)
        ),
        "retention_days": (
            lambda: places.retention_days(con),
            lambda v, a: places.set_retention_days(con, _whole_number("retention_days", v), a),
        ),
        office.WEBHOOK_KEY: (lambda: office.webhook_url(con) or "", lambda v, a: office.set_webhook_url(con, v, a)),
        office.OFFICE_HOURS_KEY: (hours, lambda v, a: office.set_office_hours(con, v, a)),
        office.BACKUP_KEEP_KEY: (
            lambda: office.backup_keep(con),
            lambda v, a: office.set_backup_keep(con, _whole_number(office.BACKUP_KEEP_KEY, v), a),
        ),
        # The nightly publish to the province (README "Province"): both must be set for it to run.
        publish.DESTINATION_SETTING: (
            lambda: db.get_setting(con, publish.DESTINATION_SETTING) or "",
            lambda v, a: publish.set_publish_settings(con, v, db.get_setting(con, publish.SITE_SETTING) or "", a),
        ),
        publish.SITE_SETTING: (
            lambda: db.get_setting(con, publish.SITE_SETTING) or "",
            lambda v, a: publish.set_publish_settings(con, db.get_setting(con, publish.DESTINATION_SETTING) or "", v, a),
        ),
    }
    for grade in cases.GRADES:
        table[f"case_message:{grade}"] = (
            lambda g=grade: cases.message_template(con, g),
            lambda v, a, g=grade: cases.set_message_template(con, g, v, a),
        )
    staff = places.expected_staff(con)
    for building in places.list_buildings(con)["building_id"]:
        key = f"expected_staff:{building}"
        table[key] = (
            lambda b=building: staff.get(b, 0),
            lambda v, a, b=building, k=key: places.set_expected_staff(con, b, _whole_number(k, v), a),
        )
    return table


def _setting_key(con: duckdb.DuckDBPyConnection, key: str, known: Sequence[str], lang: str) -> str:
    """``key`` as typed; ``expected_staff:`` may name its building by id or display name."""
    clean = key.strip()
    if clean.lower().startswith("expected_staff:"):
        clean = "expected_staff:" + building_id(con, clean.split(":", 1)[1], lang)
    if clean not in known:
        raise CliError("cli.settings.unknown_key", setting=key, known=", ".join(known))
    return clean


def cmd_settings_get(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """``key,value`` of one setting, or of every one."""
    table = _settings(con)
    keys = [_setting_key(con, args.key, list(table), args.lang)] if args.key else list(table)
    _emit(args, pd.DataFrame({"key": keys, "value": [str(table[k][0]()) for k in keys]}))
    return 0


def cmd_settings_set(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """Store one setting as the Settings page does (checked, audited 'setting_change')."""

    table = _settings(con)
    key = _setting_key(con, args.key, list(table), args.lang)
    read, write = table[key]
    changed = write(args.value, args.actor)
    text = "cli.settings.saved" if changed else "cli.settings.unchanged"
    print(i18n.t(text, args.lang, setting=key, value=read()), file=args.stderr)
    return 0


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="python -m lib.cli", description="Pantau: visit-log analytics")
    parser.add_argument("--db", help="DuckDB file (default data/pantau.duckdb or $PANTAU_DB)")
    parser.add_argument("--lang", choices=i18n.LANGUAGES, help="language of messages (id, en)")
    parser.add_argument(
        "--traceback", action="store_true",
        help="on an unexpected error, print the whole traceback (for a bug report) instead of one line",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    def add(name: str, handler: Callable[[duckdb.DuckDBPyConnection, argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text)
        command.set_defaults(handler=handler)
        command.add_argument("--out", help="write to FILE (.csv, .xlsx, .json) instead of standard output")
        return command

    ingest = add("ingest", cmd_ingest, "import scanner exports and staff rosters (CSV, XLSX, Parquet)")
    ingest.add_argument("files", nargs="+")
    ingest.add_argument("--building", help="the building of rows that name none (a guest book of one building)")

    visits = add("visits", cmd_visits, "list visits")
    visits.add_argument("--building")
    visits.add_argument("--from", dest="start")
    visits.add_argument("--to", dest="end")

    stays = add("stays", cmd_stays, "list area stays (rooms inside buildings), by start")
    stays.add_argument("--building")
    stays.add_argument("--from", dest="start")
    stays.add_argument("--to", dest="end")

    poster = add(
        "poster", cmd_poster,
        "a printable QR poster (.pdf or .png) of a door or a room; --all: every gate and action in one PDF; "
        "--all-areas: every room's poster in one PDF",
    )
    poster.add_argument("--building")
    poster.add_argument("--gate")
    poster.add_argument("--area", help="a room of the building (not with --gate)")
    poster.add_argument("--action", choices=("checkin", "checkout"))
    poster.add_argument("--all", action="store_true", help="all door posters of the building in one PDF")
    poster.add_argument(
        "--all-areas", dest="all_areas", action="store_true",
        help="every room's poster in one PDF (--action alone, else check-in and check-out)",
    )
    poster.add_argument(
        "--base-url", dest="base_url",
        help="public address of the app for this poster only (default: the public address setting)",
    )

    trace = add("trace", cmd_trace, "contacts of a case (audited)")
    trace.add_argument("--person", required=True, help="person_id of the index case")
    trace.add_argument("--from", dest="start", help="local date or date-time (default: from --onset/--swab)")
    trace.add_argument("--to", dest="end", help="local date or date-time (default: from --onset/--swab)")
    trace.add_argument("--min-overlap", dest="min_overlap", type=float, default=15.0, help="minutes (default 15)")
    trace.add_argument("--tail", type=float, default=0.0, help="minutes added after each visit of the case")
    onset = trace.add_mutually_exclusive_group()
    onset.add_argument("--onset", help="symptom onset date: window two days before to fourteen days after")
    onset.add_argument("--swab", help="swab date, when there are no symptoms: same window")

    def add_group(name: str, help_text: str) -> Callable[..., argparse.ArgumentParser]:
        group = sub.add_parser(name, help=help_text).add_subparsers(
            dest=f"{name}_command", required=True, parser_class=OneLineParser
        )

        def add_to_group(command_name: str, handler: Callable[[duckdb.DuckDBPyConnection, argparse.Namespace], int],
                         command_help: str) -> argparse.ArgumentParser:
            command = group.add_parser(command_name, help=command_help)
            command.set_defaults(handler=handler)
            command.add_argument("--out", help="write to FILE (.csv, .xlsx, .json) instead of standard output")
            return command

        return add_to_group

    # A command of commands: ``case open``, ``buildings merge``, ``users add`` ...
    add_case = add_group("case", "tracing cases: open, list, contacts, set, broadcast, export, close (audited)")

    case_open = add_case("open", cmd_case_open, "open a case and keep its graded contact list")
    case_open.add_argument("--person", required=True, help="person_id of the index case")
    case_date = case_open.add_mutually_exclusive_group()
    case_date.add_argument("--onset", help="symptom onset date")
    case_date.add_argument("--swab", help="swab date, when there are no symptoms")
    case_open.add_argument("--isolation", help="isolation date: the window ends there")
    case_open.add_argument("--min-overlap", dest="min_overlap", type=float, default=15.0, help="minutes (default 15)")
    case_open.add_argument("--tail", type=float, default=0.0, help="minutes added after each visit of the case")
    case_open.add_argument("--tracer", help="the tracer assigned (default: you)")
    case_open.add_argument("--parent", type=int, help="the case this one came from")
    add_case("list", cmd_case_list, "every case with its progress")
    case_contacts = add_case("contacts", cmd_case_contacts, "a case's contacts and their follow-up")
    case_contacts.add_argument("case_id")
    case_set = add_case("set", cmd_case_set, "change a contact's follow-up, or a whole grade's (--grade)")
    case_set.add_argument("case_id")
    case_set.add_argument("--contact", help="person_id of the contact")
    case_set.add_argument("--grade", help="every contact of this grade (K1 or K2)")
    case_set.add_argument("--unit", help="every contact of this unit ('' for no unit)")
    case_set.add_argument("--area", help="every contact who shared this room with the case")
    case_set.add_argument("--day", help="every contact whose last contact was on this local date")
    case_set.add_argument("--status", help="belum, dihubungi, tidak_terjangkau, karantina, selesai")
    case_set.add_argument("--test", help="negatif or positif ('' clears)")
    case_set.add_argument("--note", help="a note ('' clears)")
    case_export = add_case("export", cmd_case_export, "the XLSX for the Puskesmas (--out FILE.xlsx)")
    case_export.add_argument("case_id")
    case_broadcast = add_case("broadcast", cmd_case_broadcast,
                              "a grade's contacts with a phone, for a broadcast list (--out FILE.csv)")
    case_broadcast.add_argument("case_id")
    case_broadcast.add_argument("--grade", required=True, help="K1 or K2")
    case_close = add_case("close", cmd_case_close, "close a case")
    case_close.add_argument("case_id")

    occupancy = add("occupancy", cmd_occupancy, "hourly occupancy of a building (peak, present, person-hours)")
    occupancy.add_argument("--building", required=True)
    occupancy.add_argument("--from", dest="start", required=True, help="local date or date-time")
    occupancy.add_argument("--to", dest="end", required=True, help="local date (included) or date-time")
    occupancy.add_argument("--by-category", dest="by_category", action="store_true", help="one row per category")

    crowding = add("crowding", cmd_crowding, "crowding episodes (occupancy above the threshold)")
    crowding.add_argument("--building")
    crowding.add_argument("--from", dest="start", required=True, help="local date or date-time")
    crowding.add_argument("--to", dest="end", required=True, help="local date (included) or date-time")
    crowding.add_argument("--threshold", type=int, help="people; overrides each building's threshold")

    weekly = add("weekly", cmd_weekly, "weekly statistics, one row per building")
    weekly.add_argument("--week", required=True, help="ISO week, e.g. 2022-W02")
    weekly.add_argument("--building")
    weekly.add_argument(
        "--by", choices=("purpose", "host"),
        help="one row per purpose or per host (unit or person visited) instead of per building",
    )

    backup_command = add("backup", cmd_backup, "write a consistent copy of the database (works while the app runs)")
    backup_command.add_argument("file", help="the new backup file (.duckdb)")
    restore_command = add("restore", cmd_restore, "replace the data with a backup's")
    restore_command.add_argument("file")
    purge = add("purge", cmd_purge, "remove personal data older than the retention period")
    purge.add_argument("--days", type=int, help="retention in days (default: the setting, 30)")

    rollcall = add("rollcall", cmd_rollcall, "everyone inside now or at --at, by room (.pdf --out: printable list)")
    rollcall.add_argument("--building")
    rollcall.add_argument("--at", help="local date-time (default: now); never in the future")

    alerts = add("alerts", cmd_alerts, "alerts due now or at --at; --send posts them to the webhook")
    alerts.add_argument("--at", help="local date-time (default: now); never in the future")
    alerts.add_argument("--send", action="store_true", help="post the alerts not sent in the last hour")

    attendance = add("attendance", cmd_attendance, "staff on site per roster unit and local day")
    attendance.add_argument("--from", dest="start", required=True, help="local date")
    attendance.add_argument("--to", dest="end", required=True, help="local date (included)")
    attendance.add_argument("--unit")

    demo = add("demo", cmd_demo, "fill the database with a realistic demo month")
    demo.add_argument("--seed", type=int, default=2022)

    # What Settings and Users do, for a script or a cron job (issue 26); every change audited.

    building_help = "a building's id or display name (case and spaces ignored)"
    add_building = add_group("buildings", "buildings: list, confirm, rename, merge (as Settings does)")
    add_building("list", cmd_buildings_list, "every building: id, name, time zone, confirmed, thresholds, MAX_STAY")
    add_building("confirm", cmd_buildings_confirm, "confirm a new building (first seen in an import)").add_argument(
        "building", help=building_help
    )
    rename = add_building("rename", cmd_buildings_rename, "change a building's display name (a new one is confirmed)")
    rename.add_argument("building", help=building_help)
    rename.add_argument("name", help="the new display name")
    merge = add_building("merge", cmd_buildings_merge, "merge a new building (a typo in a log) into another")
    merge.add_argument("source", metavar="FROM", help=building_help)
    merge.add_argument("target", metavar="INTO", help=building_help)

    add_user = add_group("users", "dashboard accounts: list, add, deactivate, reset-password (as Users does)")
    add_user("list", cmd_users_list, "every account (no password hashes)")
    user_add = add_user("add", cmd_users_add, "a new account; prints its generated password once")
    user_add.add_argument("username")
    user_add.add_argument("--name", help="the person's name")
    # Roles checked by lib.store.users (its refusal is in the user's language, argparse's is not).
    user_add.add_argument("--role", dest="roles", action="append", help="admin, leadership or tracer; repeat for several")
    add_user("deactivate", cmd_users_deactivate, "the account can no longer log in; its sessions end").add_argument(
        "username"
    )
    add_user("reset-password", cmd_users_reset_password, "a new generated password, printed once").add_argument(
        "username"
    )

    add_setting = add_group("settings", "settings kept in the database (as the Settings page edits them)")
    add_setting("get", cmd_settings_get, "key,value of one setting or of all").add_argument("key", nargs="?")
    setting_set = add_setting("set", cmd_settings_set, "change a setting (checked and audited)")
    setting_set.add_argument("key")
    setting_set.add_argument("value")

    province_cli.add_commands(sub, add)  # publish, rollup (RULES "Province")
    return parser


PATH_OPTIONS = ("--out", "--db")
PATH_COMMANDS = ("ingest", "backup", "restore")
# Their arguments are names and values, never files (only --out is): a username or a
# building's name that happens to be a folder here stays as typed.
NAME_COMMANDS = ("buildings", "users", "settings")


def absolute_paths(argv: Sequence[str]) -> list[str]:
    """The arguments with file paths made absolute, for a process with another cwd."""
    result: list[str] = []
    previous = ""
    in_path_command = in_name_command = False
    for token in argv:
        if token in PATH_COMMANDS:
            in_path_command = True
        if token in NAME_COMMANDS and not in_path_command and previous not in (*PATH_OPTIONS, "--lang"):
            in_name_command = True
        is_path = previous in PATH_OPTIONS or (
            not token.startswith("-") and not in_name_command
            and (in_path_command and token not in PATH_COMMANDS or Path(token).exists())
        )
        result.append(os.path.abspath(token) if is_path and previous not in ("--lang",) else token)
        previous = token
    return result


def _default_actor() -> str:
    try:
        return config.cli_user() or f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def run(
    arguments: Sequence[str], stdout: TextIO, stderr: TextIO, actor: str | None = None, lang: str | None = None
) -> int:
    """One command-line run writing to the given streams, for ``actor`` in ``lang``.

    The process's own run (``main``) and a run the dashboard does for another process
    (``run_forwarded``) differ only in these arguments: nothing here changes the
    environment, so a forwarded ``--lang en`` never changes the dashboard's language.
    """
    try:
        config.check_settings()  # a bad PANTAU_* value is refused before anything is opened
    except config.SettingError as error:
        if lang not in i18n.LANGUAGES:
            try:
                lang = config.language() or "id"
            except config.SettingError:  # PANTAU_LANG itself is the bad one
                lang = "id"
        expected = i18n.t(f"setting.expected.{error.expected}", lang)
        print("error: " + i18n.t("cli.bad_setting", lang, name=error.name, value=error.value, expected=expected),
              file=stderr)
        return 2
    lang = lang if lang in i18n.LANGUAGES else i18n.current_language()
    try:
        parser = build_parser()
        args = parser.parse_args(list(arguments))
        lang = args.lang or lang
        args.lang, args.stdout, args.stderr = lang, stdout, stderr
        args.actor = actor or _default_actor()
        if getattr(args, "without_database", False):  # rollup reads the lake only
            return int(args.handler(None, args))
        try:
            con = db.connect(args.db)
        except duckdb.IOException as error:
            # The dashboard holds the file: it runs the command for us (lib/cli/owner.py).
            db_path = Path(args.db) if args.db else db.default_db_path()
            forwarded = ["--db", str(db_path.resolve()), *absolute_paths(arguments)] if not args.db else absolute_paths(arguments)
            answer = owner.forward(db_path, forwarded, {"PANTAU_LANG": lang, "PANTAU_USER": args.actor})
            if answer is None:
                raise CliError("cli.db_locked", code=3, detail=str(error).splitlines()[0]) from None
            code, out, err = answer
            stdout.write(out)
            stderr.write(err)
            return code
        db_file = Path(args.db) if args.db else db.default_db_path()
        if not owner.owns(db_file):  # inside the dashboard an import of its own may be spooling
            spool.remove_leftovers(db_file)  # what a killed import left (lib/store/spool.py)
            backup.remove_partials(db_file)  # and a nightly backup a crash cut short
        try:
            upgrade.finish(con)  # a data step the schema's migration left (lib/ingest/upgrade.py)
            code = int(args.handler(con, args))
            upgrade.finish(con)  # e.g. after restoring an older backup
        finally:
            con.close()
        if getattr(args, "rewrite_after", False):
            _rewrite_database_file(Path(args.db) if args.db else db.default_db_path())
        return code
    except CliError as error:
        print(f"error: {error.message(lang)}", file=stderr)
        return error.exit_code
    except PantauError as error:  # a lib refusal no handler turned into a CliError: still in words
        print(f"error: {error.message(lang)}", file=stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("error: " + i18n.t("cli.interrupted", lang), file=stderr)
        return 130
    except Exception as error:  # the contract: one line, unless --traceback asks for the bug report
        if "--traceback" in arguments:
            traceback.print_exc(file=stderr)
        else:
            first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
            print(f"error: {type(error).__name__}: {first_line} (--traceback shows where)", file=stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m lib.cli``: this process's arguments and streams."""
    db.private_files_from_now_on()  # RULES "Personal data": every file it writes is owner-only
    logs.configure(logging.WARNING)  # standard output is the command's answer; warnings to stderr
    return run(sys.argv[1:] if argv is None else argv, sys.stdout, sys.stderr)


def run_forwarded(argv: list[str], cwd: str, env: dict[str, str]) -> tuple[int, str, str]:
    """The dashboard's runner for another process's command (``owner.serve``): its output comes back as text."""
    out, err = io.StringIO(), io.StringIO()
    code = run(argv, out, err, actor=env.get("PANTAU_USER"), lang=env.get("PANTAU_LANG"))
    return code, out.getvalue(), err.getvalue()
