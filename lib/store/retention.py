"""Retention of personal data (RULES "Personal data").

Names, phone numbers and identity numbers older than the retention period (app setting
``retention_days``, default 30) are removed, while every figure stays what it was:

- names and phones of old events, and of persons last named/seen before the cutoff, are
  deleted; the raw rows of old quarantined lines are deleted (their reason and row number
  stay for the quality page);
- roster rows imported before the cutoff are deleted;
- roll-call ticks (who a marshal saw safe) older than the cutoff are deleted; so are the
  front desk's expected visitors (of a day before the cutoff) and slips' passes;
- in visits, area stays, duplicate/orphan scans and events older than the cutoff, the ``person_id`` is
  replaced by a pseudonym: an HMAC of the id and the visit's local ISO week under a server
  key kept outside the database file. Within a week the same person keeps one pseudonym,
  so hourly and weekly figures (distinct persons included) of old weeks are unchanged;
  across weeks nobody can be linked, and without the key nobody can be found by ID;
- the audit log keeps every event, who and when; in a record about a person (a trace, a
  search, case work, an export, a roll-call tick) the subject becomes the pseudonym (the
  same function and key as old visits, of the record's week) and the parameters go;
- a tracing case whose window ended before the cutoff loses its names, phones, ids and
  notes (index person and contacts); its grades, statuses and times, so its counts, stay.

Removed rows still sit in freed blocks of the DuckDB file until it is rewritten:
``SharedDatabase.rewrite_file`` (the running app after its daily purge) or
``rewrite_closed_file`` (the command line, when nothing else holds the file) does that.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from lib.store import db, person_search
from lib.store.audit import ACTIONS_WITHOUT_PERSONS
from lib.store.places import retention_days
from lib.store.secrets_store import get_secret

PSEUDONYM_PREFIX = "anon-"
# Audit actions kept whole after the retention period (``lib.store.audit``: every other one
# is about a person).
AUDIT_ACTIONS_WITHOUT_PERSONS = ACTIONS_WITHOUT_PERSONS


def _pseudonym_sql(id_column: str, instant_column: str, key: str) -> str:
    """Keyed, per-local-ISO-week pseudonym of an identity (hex, 20 characters)."""
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", key):
        raise ValueError("pseudonym key must be URL-safe text")
    week = f"strftime({instant_column} AT TIME ZONE '{db.DEFAULT_TIMEZONE}', '%G-W%V')"
    return f"'{PSEUDONYM_PREFIX}' || substr(sha256('{key}|' || {id_column} || '|' || {week}), 1, 20)"


def purge(con: duckdb.DuckDBPyConnection, now: datetime | None = None, days: int | None = None, actor: str = "system") -> dict[str, int]:
    """Remove personal data older than the retention period; returns what changed per table.

    Idempotent: pseudonyms are recognised and left alone.
    """
    moment = now or datetime.now(UTC)
    keep_days = days if days is not None else retention_days(con)
    cutoff = moment - timedelta(days=keep_days)
    counts: dict[str, int] = {}
    key = get_secret("pseudonym_key")
    with db.transaction(con):
        not_yet = f"NOT starts_with(person_id, '{PSEUDONYM_PREFIX}')"
        # Visits that ended before the cutoff (open ones are left for later).
        counts["visits"] = _count(con, f"""
            UPDATE visits SET person_id = {_pseudonym_sql('person_id', 'checkin_at', key)}
            WHERE {not_yet} AND coalesce(checkout_at, auto_close_at) < ?""", [cutoff])
        counts["scan_anomalies"] = _count(con, f"""
            UPDATE scan_anomalies SET person_id = {_pseudonym_sql('person_id', 'ts', key)}
            WHERE {not_yet} AND ts < ?""", [cutoff])
        # Area stays and area scans that made none, as visits and anomalies.
        counts["stays"] = _count(con, f"""
            UPDATE stays SET person_id = {_pseudonym_sql('person_id', 'start_at', key)}
            WHERE {not_yet} AND coalesce(end_at, auto_end_at) < ?""", [cutoff])
        counts["area_anomalies"] = _count(con, f"""
            UPDATE area_anomalies SET person_id = {_pseudonym_sql('person_id', 'ts', key)}
            WHERE {not_yet} AND ts < ?""", [cutoff])
        # A roster row is personal data of the day it was imported: a roster older than
        # the period is forgotten (import the current roster again to keep home rooms).
        counts["roster"] = _count(con, "DELETE FROM roster WHERE imported_at < ?", [cutoff])
        # A marshal's roll-call ticks name persons: gone with the rest after the period.
        counts["rollcall_ticks"] = _count(con, "DELETE FROM rollcall_ticks WHERE ticked_at < ?", [cutoff])
        # The front desk (issue 22): expected visitors (name, phone) and slips' passes (a person
        # id) go after the period, counted from the day expected or the slip printed; the
        # no-show counts of those days go with them (they are figures of the desk, not kept).
        counts["expected_visitors"] = _count(con, "DELETE FROM expected_visitors WHERE expected_on < ?",
                                             [cutoff.date()])
        counts["desk_passes"] = _count(con, "DELETE FROM desk_passes WHERE issued_at < ?", [cutoff])
        # Old events go, with their names and phones; only the check-in of a visit that is
        # kept (it ends after the cutoff) stays, without name or phone, so that pairing
        # the person again still finds where that visit began.
        counts["events"] = _count(con, """
            DELETE FROM events e WHERE e.ts < ? AND NOT (e.action = 'checkin' AND e.area IS NULL AND EXISTS (
                SELECT 1 FROM visits v WHERE v.person_id = e.person_id AND v.building = e.building
                  AND v.checkin_at = e.ts))
              AND NOT (e.action = 'checkin' AND e.area IS NOT NULL AND EXISTS (
                SELECT 1 FROM stays s WHERE s.person_id = e.person_id AND s.building = e.building
                  AND s.start_at = e.ts))""", [cutoff])
        # The institution a visitor wrote in a guest book goes with the name and phone; the
        # visit's purpose and host stay (the week's figures by purpose and host read them).
        _count(con, "UPDATE events SET name = NULL, phone = NULL, institution = NULL WHERE ts < ? "
               "AND (name IS NOT NULL OR phone IS NOT NULL OR institution IS NOT NULL)", [cutoff])
        counts["persons_deleted"] = _count(con, """
            DELETE FROM persons p WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.person_id = p.person_id)
              AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.person_id = p.person_id)
              AND NOT EXISTS (SELECT 1 FROM stays s WHERE s.person_id = p.person_id)
              AND NOT EXISTS (SELECT 1 FROM roster r WHERE r.person_id = p.person_id)""", [])
        counts["persons_cleared"] = _count(con, """
            UPDATE persons SET
                name = CASE WHEN name_at < ? THEN NULL ELSE name END,
                name_at = CASE WHEN name_at < ? THEN NULL ELSE name_at END,
                phone = CASE WHEN phone_at < ? THEN NULL ELSE phone END,
                phone_at = CASE WHEN phone_at < ? THEN NULL ELSE phone_at END,
                institution = CASE WHEN institution_at < ? THEN NULL ELSE institution END,
                institution_at = CASE WHEN institution_at < ? THEN NULL ELSE institution_at END
            WHERE name_at < ? OR phone_at < ? OR institution_at < ?""", [cutoff] * 9)
        if counts["persons_deleted"] or counts["persons_cleared"]:
            # The person search's keys hold the same names and phones (issue 27).
            person_search.rebuild(con)
        counts["quarantine"] = _count(con, """
            UPDATE quarantine SET raw = NULL WHERE raw IS NOT NULL
              AND import_id IN (SELECT import_id FROM imports WHERE imported_at < ?)""", [cutoff])
        # Tracing cases (RULES "Tracing cases"): once the period has passed since a case's window
        # ended, its names, phones, ids and notes go; grades, statuses, times and so every count stay.
        old_cases = "SELECT case_id FROM cases WHERE purged_at IS NULL AND window_to < ?"
        counts["case_contacts"] = _count(con, f"""
            UPDATE case_contacts SET person_id = NULL, name = NULL, phone = NULL, note = NULL
            WHERE case_id IN ({old_cases})""", [cutoff])
        counts["case_updates"] = _count(con, f"""
            UPDATE case_updates SET person_id = NULL, note = NULL WHERE case_id IN ({old_cases})""", [cutoff])
        counts["cases"] = _count(con, """
            UPDATE cases SET person_id = NULL, person_name = NULL, notes = NULL, parent_contact = NULL, purged_at = ?
            WHERE purged_at IS NULL AND window_to < ?""", [moment, cutoff])
        # The audit log keeps every event (who, what, when, how many rows); in a record about
        # a person (any action but those of AUDIT_ACTIONS_WITHOUT_PERSONS, so a new action is
        # covered from its first day) the subject becomes the pseudonym and the parameters go.
        kept_actions = ", ".join(f"'{action}'" for action in AUDIT_ACTIONS_WITHOUT_PERSONS)
        counts["audit_log"] = _count(con, f"""
            UPDATE audit_log SET subject = {_pseudonym_sql('subject', 'logged_at', key)}, params = NULL
            WHERE logged_at < ? AND action NOT IN ({kept_actions})
              AND (NOT starts_with(coalesce(subject, ''), '{PSEUDONYM_PREFIX}') OR params IS NOT NULL)
              AND (subject IS NOT NULL OR params IS NOT NULL)""", [cutoff])
        db.write_audit(con, actor, "purge", None, f'{{"cutoff": "{cutoff.isoformat()}", "days": {keep_days}}}',
                       sum(counts.values()))
    return counts


def _count(con: duckdb.DuckDBPyConnection, statement: str, params: list[object]) -> int:
    rows = con.execute(statement, params).fetchall()
    return int(rows[0][0]) if rows else 0


def rewrite_closed_file(path: Path) -> None:
    """Rewrite a database file that no process holds, so freed blocks are really gone."""
    shared = db.SharedDatabase(path)
    try:
        shared.rewrite_file()
    finally:
        shared.close()


NIGHTLY_HOUR = 2  # local time of the daily purge: a quiet hour for a government office


def nightly_purge(database: db.SharedDatabase, now: datetime | None = None) -> bool:
    """The running app's daily schedule: purge once a day from 02:00 local, then rewrite.

    The first start only records the day, so a freshly imported history is never purged
    as a side effect of starting the app. Returns whether a purge ran.
    """
    moment = now or datetime.now(UTC)
    local = moment.astimezone(ZoneInfo(db.DEFAULT_TIMEZONE))
    today = local.date().isoformat()
    cursor = database.cursor()
    try:
        last = db.get_setting(cursor, "last_purge_day")
        if last is None:
            with db.transaction(cursor):
                db.set_setting(cursor, "last_purge_day", today)
            return False
        if local.hour < NIGHTLY_HOUR or last >= today:
            return False
        purge(cursor, now=moment, actor="schedule")
        with db.transaction(cursor):
            db.set_setting(cursor, "last_purge_day", today)
    finally:
        cursor.close()
    database.rewrite_file()
    return True
