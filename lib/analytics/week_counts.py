"""ISO weeks and the weekly counts of visits and persons (RULES "Weekly statistics", "Time").

``week_counts`` is the one SQL both the weekly page (``lib.analytics.weekly``) and the
stored figures (``lib.analytics.figures``) compute weeks with, so a stored week is
exactly what the live computation gives.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import duckdb
import pandas as pd

from lib.analytics.sweep import HOUR_US, to_us
from lib.analytics.visits import effective_visits_sql, now_sql
from lib.core.timeutil import fixed_offset_seconds, local_days, local_midnight

DAY_US = 24 * HOUR_US
WEEK_US = 7 * DAY_US
_WEEK_TEXT = re.compile(r"^\s*(\d{4})-?[Ww](\d{1,2})\s*$")


def parse_iso_week(text: str) -> tuple[int, int]:
    """'2022-W02' (or '2022W02', '2022-w2') as (2022, 2); ValueError for anything else."""
    match = _WEEK_TEXT.match(text or "")
    if match:
        year, week = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            pass
        else:
            return year, week
    raise ValueError(f"not an ISO week like 2022-W02: {text!r}")


def week_label(year: int, week: int) -> str:
    return f"{year}-W{week:02d}"


def week_bounds(year: int, week: int, tz: str) -> tuple[datetime, datetime]:
    """UTC instants of Monday 00:00 local of the ISO week and of the Monday after."""
    return local_days(date.fromisocalendar(year, week, 1), 7, tz)


def week_counts(
    con: duckdb.DuckDBPyConnection,
    targets: list[tuple[str, str]],
    first_monday: date,
    n_weeks: int,
    now: datetime,
    detail: bool,
) -> pd.DataFrame:
    """Visit counts per building and week index (0 = ``first_monday``'s week).

    ``detail`` adds persons per category, visits per weekday (``day0..day6``) and the
    count of visits closed automatically.
    """
    names = [b for b, _ in targets]
    offsets = [fixed_offset_seconds(tz) for _, tz in targets]
    start_utc = [week_bounds(*first_monday.isocalendar()[:2], tz)[0] for _, tz in targets]
    last_monday = first_monday + timedelta(weeks=n_weeks)
    end_utc = [local_midnight(last_monday, tz) for _, tz in targets]
    local_origin_us = to_us(datetime(first_monday.year, first_monday.month, first_monday.day, tzinfo=UTC))
    days = "".join(
        f", count(*) FILTER (WHERE local_us // {DAY_US} % 7 = {day}) AS day{day}" for day in range(7)
    )
    visit_detail = f", count(*) FILTER (WHERE checkout_kind = 'auto') AS auto_closed{days}" if detail else ""
    person_detail = (
        """, count(*) FILTER (WHERE category = 'ASN') AS "persons_ASN",
               count(*) FILTER (WHERE category = 'THL') AS "persons_THL",
               count(*) FILTER (WHERE category NOT IN ('ASN', 'THL')) AS persons_visitor"""
        if detail
        else ""
    )
    # RULES "Weekly statistics" + "Time": a visit counts in the local ISO week and day of its
    # check-in. Fixed-offset zones shift by a constant (no per-row time-zone function);
    # the constant UTC range on checkin_at lets DuckDB skip old row groups. Distinct
    # persons in two steps (one row per person and category first): cheaper than several
    # DISTINCT aggregates over every visit.
    query = f"""
        WITH b AS (
            SELECT unnest(?::VARCHAR[]) AS building, unnest(?::BIGINT[]) AS off_us,
                   unnest(?::VARCHAR[]) AS tz
        ),
        v AS (
            SELECT building, person_id, category, checkout_kind, checkin_at, checkout_at, local_us,
                   local_us // {WEEK_US} AS week_index
            FROM (
                SELECT v.building, v.person_id, v.category, v.checkout_kind, v.checkin_at, v.checkout_at,
                       CASE WHEN b.off_us IS NOT NULL THEN epoch_us(v.checkin_at) + b.off_us
                            ELSE epoch_us(timezone(b.tz, v.checkin_at)) END - ? AS local_us
                FROM ({effective_visits_sql(now_sql(now))}) AS v JOIN b ON b.building = v.building
                WHERE v.checkin_at >= ? AND v.checkin_at < ?
            )
            WHERE local_us >= 0 AND local_us < {n_weeks * WEEK_US}
        ),
        per_visit AS (
            SELECT building, week_index, count(*) AS visits,
                   quantile_cont(CAST(epoch_us(checkout_at) - epoch_us(checkin_at) AS DOUBLE), 0.5)
                       FILTER (WHERE checkout_kind = 'scan') / 60e6 AS median_stay_minutes{visit_detail}
            FROM v GROUP BY building, week_index
        ),
        per_person AS (
            SELECT building, week_index, count(DISTINCT person_id) AS persons{person_detail}
            FROM (SELECT DISTINCT building, week_index, person_id, category FROM v)
            GROUP BY building, week_index
        )
        SELECT * FROM per_visit JOIN per_person USING (building, week_index)
    """
    params = [
        names,
        [None if off is None else off * 1_000_000 for off in offsets],
        [tz for _, tz in targets],
        local_origin_us,
        min(start_utc) if start_utc else datetime.now(UTC),
        max(end_utc) if end_utc else datetime.now(UTC),
    ]
    return con.execute(query, params).df() if targets else pd.DataFrame()
