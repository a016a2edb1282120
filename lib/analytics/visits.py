"""Visits as users see them: stored visits with the automatic close applied up to now."""

from __future__ import annotations

from datetime import datetime

import duckdb
import numpy as np
import pandas as pd


def now_sql(now: datetime | None) -> str:
    """SQL for "now": the clock, or a fixed instant (tests, reports of a past moment).

    A literal, not a parameter, because ``effective_visits_sql`` uses it several times.
    """
    if now is None:
        return "current_timestamp"
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return f"CAST('{now.isoformat()}' AS TIMESTAMPTZ)"


def effective_visits_sql(now: str = "current_timestamp", with_purpose: bool = False) -> str:
    """SELECT over ``visits`` with the rules' reading of a visit still open.

    An open visit is closed automatically at ``auto_close_at`` once that is past
    (``checkout_at``/``checkout_kind`` then say so); until then it is ``inside_now`` and
    analytics end it at ``end_at = min(auto_close_at, now)`` (RULES "From events to visits").
    ``now`` is an SQL expression: use ``now_sql(now)``. ``with_purpose``: the visit's purpose
    and host (issue 22, from its check-in event) too.
    """
    extra = ", purpose, host" if with_purpose else ""
    return f"""
        SELECT person_id, building, checkin_at,
               coalesce(checkout_at, CASE WHEN auto_close_at <= {now} THEN auto_close_at END) AS checkout_at,
               coalesce(checkout_kind, CASE WHEN auto_close_at <= {now} THEN 'auto' END) AS checkout_kind,
               coalesce(checkout_at, greatest(checkin_at, least(auto_close_at, {now}))) AS end_at,
               (checkout_at IS NULL AND auto_close_at > {now}) AS inside_now,
               auto_close_at, category, gate_in, gate_out, area, status{extra}
        FROM visits
    """


def effective_end_us(
    checkin_us: np.ndarray, checkout_us: np.ndarray, auto_close_us: np.ndarray, now_us: int
) -> np.ndarray:
    """``end_at`` of :func:`effective_visits_sql` on integer microseconds, for numpy callers.

    The check-out; for a visit not closed (NULL: a masked entry, as DuckDB's
    ``fetchnumpy`` gives it) ``min(auto_close_at, now)``, never before the check-in.
    """
    open_end = np.maximum(checkin_us, np.minimum(auto_close_us, now_us))
    if isinstance(checkout_us, np.ma.MaskedArray):
        return np.where(np.ma.getmaskarray(checkout_us), open_end, checkout_us.filled(0)).astype(np.int64)
    return np.asarray(checkout_us, dtype=np.int64)


def window_where(
    instant_column: str, building: str | None, start: datetime | None, end: datetime | None
) -> tuple[str, list[object]]:
    """A WHERE clause (and its parameters) keeping rows of ``building`` (all when None) whose
    ``instant_column`` lies in ``[start, end)``; an open bound does not filter."""
    conditions: list[str] = []
    params: list[object] = []
    if building:
        conditions.append("building = ?")
        params.append(building)
    if start is not None:
        conditions.append(f"{instant_column} >= ?")
        params.append(start)
    if end is not None:
        conditions.append(f"{instant_column} < ?")
        params.append(end)
    return ("WHERE " + " AND ".join(conditions)) if conditions else "", params


def list_visits(
    con: duckdb.DuckDBPyConnection,
    building: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Visits that began in ``[start, end)`` (UTC), oldest first.

    Columns: person_id, building, checkin_at, checkout_at, checkout_kind (UTC instants;
    an empty checkout means the person is still inside), then purpose and host (issue 22:
    what the visit was for and whom it was with; empty when the check-in said nothing).
    """
    where, params = window_where("checkin_at", building, start, end)
    query = f"""
        SELECT person_id, building, checkin_at, checkout_at, checkout_kind, purpose, host
        FROM ({effective_visits_sql(now_sql(now), with_purpose=True)}) {where}
        ORDER BY checkin_at, person_id, building
    """
    return con.execute(query, params).df()
