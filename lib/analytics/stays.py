"""Area stays as the pages, tracing and the command line read them (RULES "Places inside a building").

``lib.ingest.areas`` derives the ``stays`` table from area scans; here a stay still open is
read like a visit still open: it ends ``auto`` at ``start + AREA_STAY`` once that is past.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from lib.analytics.visits import now_sql, window_where


def effective_stays_sql(now: str = "current_timestamp") -> str:
    """SELECT over ``stays`` read like visits: an open stay ends ``auto`` at ``auto_end_at``
    once that is past; until then it is ``inside_now`` and ``until_at`` is
    ``min(auto_end_at, now)``. ``now`` is an SQL expression (``lib.analytics.visits.now_sql``)."""
    return f"""
        SELECT person_id, building, area, start_at,
               coalesce(end_at, CASE WHEN auto_end_at <= {now} THEN auto_end_at END) AS end_at,
               coalesce(end_kind, CASE WHEN auto_end_at <= {now} THEN 'auto' END) AS end_kind,
               coalesce(end_at, greatest(start_at, least(auto_end_at, {now}))) AS until_at,
               (end_at IS NULL AND auto_end_at > {now}) AS inside_now, auto_end_at
        FROM stays
    """


def list_stays(
    con: duckdb.DuckDBPyConnection,
    building: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Area stays that began in ``[start, end)`` (UTC), oldest first.

    Columns: person_id, building, area, start, end, end_kind (UTC instants; an empty end
    means the person is still in the area, as an open visit reads).
    """
    where, params = window_where("start_at", building, start, end)
    query = f"""
        SELECT person_id, building, area, start_at AS start, end_at AS "end", end_kind
        FROM ({effective_stays_sql(now_sql(now))}) {where}
        ORDER BY start_at, person_id, building, area
    """
    return con.execute(query, params).df()
