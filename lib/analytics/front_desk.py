"""Figures of the front desk: visitors inside now with what they came for, expected visitors, no-shows.

RULES "The front desk". "Inside now" is the rules' reading of an open
visit (as ``lib.analytics.visits.effective_visits_sql``: not checked out, ``checkin_at +
MAX_STAY`` still ahead). An expected visitor who has not arrived by the end of their local
day is a no-show.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import pandas as pd

from lib.core.timeutil import local_days
from lib.store import db


def visitors_inside(con: duckdb.DuckDBPyConnection, building: str, now: datetime | None = None) -> pd.DataFrame:
    """Visitors (category ``visitor``: the desk's guests, not staff) inside ``building`` at
    ``now``, latest first: ``person_id, name, institution, purpose, host, checkin_at`` (UTC)."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    # ``effective_visits_sql``'s inside_now, written on the raw columns (as
    # lib.analytics.occupancy.inside_now) so the zone map on auto_close_at skips old rows.
    return con.execute(
        """
        SELECT v.person_id, coalesce(p.name, '') AS name, coalesce(p.institution, '') AS institution,
               coalesce(v.purpose, '') AS purpose, coalesce(v.host, '') AS host, v.checkin_at
        FROM visits v LEFT JOIN persons p USING (person_id)
        WHERE v.building = ? AND v.checkout_at IS NULL AND v.auto_close_at > ? AND v.checkin_at <= ?
          AND v.category = 'visitor'
        ORDER BY v.checkin_at DESC, v.person_id
        """,
        [building, moment, moment],
    ).df()


def inside_by_purpose(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> pd.DataFrame:
    """Visitors inside each building now per purpose: ``building, purpose, inside`` ('' for
    a visit without a purpose), most first. Staff are not counted (they come to work)."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return con.execute(
        """
        SELECT building, coalesce(nullif(trim(purpose), ''), '') AS purpose, count(*) AS inside
        FROM visits
        WHERE checkout_at IS NULL AND auto_close_at > ? AND checkin_at <= ? AND category = 'visitor'
        GROUP BY ALL ORDER BY building, inside DESC, purpose
        """,
        [moment, moment],
    ).df()


def _day_bounds(con: duckdb.DuckDBPyConnection, building: str, day: date) -> tuple[datetime, datetime]:
    return local_days(day, 1, db.building_timezones(con).get(building, db.DEFAULT_TIMEZONE))


def busiest_desk(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> str | None:
    """The building whose desk has the most to do now: visitors inside plus visitors still
    expected today (the desk page opens on it when the tablet's address names none; ties
    and a quiet day: the first building by id). None without buildings."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    rows = con.execute(
        """
        SELECT b.building_id,
               (SELECT count(*) FROM visits v WHERE v.building = b.building_id AND v.checkout_at IS NULL
                  AND v.auto_close_at > $now AND v.checkin_at <= $now AND v.category = 'visitor')
             + (SELECT count(*) FROM expected_visitors e WHERE e.building = b.building_id
                  AND e.expected_on = CAST(timezone(b.timezone, CAST($now AS TIMESTAMPTZ)) AS DATE)
                  AND e.arrived_at IS NULL) AS waiting
        FROM buildings b ORDER BY waiting DESC, b.building_id LIMIT 1
        """,
        {"now": moment},
    ).fetchall()
    return str(rows[0][0]) if rows else None


def expected_on(con: duckdb.DuckDBPyConnection, building: str, day: date) -> pd.DataFrame:
    """Visitors expected in ``building`` on the local ``day``, not arrived first:
    ``expected_id, name, phone, purpose, host, arrived_at`` (UTC, NaT when not arrived)."""
    return con.execute(
        """
        SELECT expected_id, name, phone, coalesce(purpose, '') AS purpose, coalesce(host, '') AS host, arrived_at
        FROM expected_visitors WHERE building = ? AND expected_on = ?
        ORDER BY arrived_at IS NOT NULL, lower(name), expected_id
        """,
        [building, day],
    ).df()


def no_shows(
    con: duckdb.DuckDBPyConnection, building: str | None, start: date, end: date, now: datetime | None = None
) -> pd.DataFrame:
    """Per building and local day in ``[start, end]`` (days with a registration only):
    ``building, day, expected, arrived, no_show``. A no-show is an expected visitor not
    arrived on a day already over (today's not yet arrived are still awaited)."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    frame = con.execute(
        """
        SELECT building, expected_on AS day, count(*) AS expected, count(arrived_at) AS arrived
        FROM expected_visitors
        WHERE expected_on BETWEEN ? AND ? AND (? IS NULL OR building = ?)
        GROUP BY ALL ORDER BY building, day
        """,
        [start, end, building, building],
    ).df()
    if frame.empty:
        return frame.assign(no_show=pd.Series(dtype="int64"))
    over = [
        _day_bounds(con, str(b), d.date() if hasattr(d, "date") else d)[1] <= moment
        for b, d in zip(frame["building"], frame["day"], strict=True)
    ]
    frame["no_show"] = [int(e - a) if done else 0 for e, a, done in zip(frame["expected"], frame["arrived"], over,
                                                                         strict=True)]
    return frame
