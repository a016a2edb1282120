"""Attendance by unit (kehadiran per unit): staff on site against the work-from-office limit.

RULES "Attendance by unit": per unit of the staff roster and local day,
- ``headcount``: the roster's people of the unit (the roster as it is now);
- ``on_site``: those of them with a visit (any building) overlapping the local day
  ``[00:00, 24:00)`` of the default zone (WITA), a visit still open ending at
  ``min(checkin_at + MAX_STAY, now)`` (RULES "From events to visits");
- ``share``: on_site / headcount, three decimals.

The limit (``wfo_limit``) is the unit's own, else that of the unit's building (the home
building most of its people have; the smallest id on a tie), else none. Aggregates only:
no names, so leadership may see it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

from lib.analytics.visits import effective_visits_sql, now_sql
from lib.core.timeutil import local_days
from lib.store import db, office

ATTENDANCE_COLUMNS = ["unit", "day", "headcount", "on_site", "share"]


def day_bounds(day: date, tz_name: str = db.DEFAULT_TIMEZONE) -> tuple[datetime, datetime]:
    """The local day ``[00:00, next 00:00)`` of ``tz_name`` as UTC instants."""
    return local_days(day, 1, tz_name)


def attendance(
    con: duckdb.DuckDBPyConnection,
    first: date,
    last: date,
    unit: str | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """One row per roster unit and local day ``first..last`` (both included), zeros included.

    Columns ``ATTENDANCE_COLUMNS``: unit, day (a ``date``), headcount, on_site, share
    (0..1, three decimals; people, not visits). Ordered by unit, day.
    """
    if last < first:
        raise ValueError("the last day is before the first")
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    bounds = pd.DataFrame(
        {"day": days, "day_start": [day_bounds(d)[0] for d in days], "day_end": [day_bounds(d)[1] for d in days]}
    )
    unit_filter = "AND unit = $unit" if unit else ""
    params: dict[str, object] = {"lo": bounds["day_start"].min(), "hi": bounds["day_end"].max()}
    if unit:
        params["unit"] = unit
    con.register("attendance_days", bounds)
    try:
        frame = con.execute(
            f"""
            WITH staff AS (
                SELECT person_id, unit FROM roster WHERE nullif(trim(unit), '') IS NOT NULL {unit_filter}
            ),
            heads AS (SELECT unit, count(*) AS headcount FROM staff GROUP BY unit),
            v AS (
                SELECT person_id, checkin_at, end_at FROM ({effective_visits_sql(now_sql(now))})
                -- A check-out is never after the automatic close, so auto_close_at > $lo
                -- holds for every visit kept (RULES "From events to visits"): said on the
                -- column itself, zone maps skip the years before (a scan of every visit:
                -- 145 ms at 10 M, 0.8 s at 50 M; issue 27).
                WHERE checkin_at < $hi AND coalesce(checkout_at, auto_close_at) > $lo AND auto_close_at > $lo
            ),
            present AS (
                -- A range join: the visit overlaps the local day.
                SELECT s.unit, d.day, count(DISTINCT s.person_id) AS on_site
                FROM v JOIN staff s USING (person_id)
                JOIN attendance_days d ON v.checkin_at < d.day_end AND v.end_at > d.day_start
                GROUP BY s.unit, d.day
            )
            SELECT h.unit, d.day, h.headcount, coalesce(p.on_site, 0) AS on_site
            FROM heads h CROSS JOIN attendance_days d
            LEFT JOIN present p ON p.unit = h.unit AND p.day = d.day
            ORDER BY h.unit, d.day
            """,
            params,
        ).df()
    finally:
        con.unregister("attendance_days")
    if frame.empty:
        return pd.DataFrame(columns=ATTENDANCE_COLUMNS)
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    frame["headcount"] = frame["headcount"].astype(int)
    frame["on_site"] = frame["on_site"].astype(int)
    frame["share"] = (frame["on_site"] / frame["headcount"]).round(3)
    frame = frame.sort_values(["unit", "day"], kind="stable").reset_index(drop=True)
    return frame[ATTENDANCE_COLUMNS]


def last_complete_week(today: date) -> date:
    """The Monday of the last complete week (Monday to Sunday) before ``today``, the local day.

    What the attendance page opens on (RULES "Attendance by unit"): on a Monday, the week
    that ended yesterday, not six days still to come; on a Sunday, the week before (today
    is not over)."""
    return today - timedelta(days=today.weekday() + 7)


def unit_buildings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """unit -> the home building most of its roster people have (smallest id on a tie)."""
    rows = con.execute(
        """
        SELECT unit, building FROM (
            SELECT unit, building, row_number() OVER (PARTITION BY unit ORDER BY count(*) DESC, building) AS rank
            FROM roster WHERE nullif(trim(unit), '') IS NOT NULL AND building IS NOT NULL
            GROUP BY unit, building
        ) WHERE rank = 1
        """
    ).fetchall()
    return {str(u): str(b) for u, b in rows}


def with_limits(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, today: date | None = None) -> pd.DataFrame:
    """``frame`` (from :func:`attendance`) with ``limit`` (share 0..1 or NaN: none) and
    ``over`` (nullable: the share is strictly above the limit; empty when no limit is set,
    as nothing was judged, or when the day is still to come).

    With ``today`` (the local day, RULES "Attendance by unit"): ``day_state`` is 'past',
    'today' (the day is not over: its figures are so far) or 'future', whose ``on_site``
    and ``share`` are empty, not 0: nobody can have come yet.
    """
    limits = office.wfo_limits(con)
    homes = unit_buildings(con)
    out = frame.copy()

    def limit_of(unit: str) -> float | None:
        own = limits["unit"].get(unit)
        if own is not None:
            return own
        return limits["building"].get(homes.get(unit, ""))

    out["limit"] = pd.Series([limit_of(u) for u in out["unit"]], index=out.index, dtype="float64")
    out["on_site"] = out["on_site"].astype("Int64")
    if today is not None:
        out["day_state"] = ["future" if d > today else "today" if d == today else "past" for d in out["day"]]
        future = out["day_state"] == "future"
        out.loc[future, "on_site"] = pd.NA
        out["share"] = out["share"].astype("float64").where(~future)
    over = pd.Series(out["share"].astype("float64") > out["limit"], index=out.index, dtype="boolean")
    # No limit, or no share yet: not judged (empty), never a "no".
    out["over"] = over.where(out["limit"].notna() & out["share"].notna(), pd.NA)
    return out


def week_view(frame: pd.DataFrame) -> pd.DataFrame:
    """Units as rows, days as columns, the share in each cell (for the leadership's week)."""
    if frame.empty:
        return pd.DataFrame()
    return frame.pivot(index="unit", columns="day", values="share").sort_index()
