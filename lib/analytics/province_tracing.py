"""Tracing across sites without names (RULES "Province", "Contact tracing").

A provincial tracer holds the province key: the index person's pseudonym is computed from
their NIK (``province.pseudonym``), their published visits are found at every site, and
the pseudonyms whose visits overlapped theirs in the same building are listed per site,
graded with the published room stays: K1 when their stays in the same room add up to the
minimum (room level where stays are published), else K2. Scanned room stays only: the
home room a site's roster assumes is not published, so the site grades again, with its own
rules, when it opens the case from the signed request (``lib.outputs.province_requests``).
Names stay at the sites.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import pandas as pd

from lib.analytics import province

CONTACT_COLUMNS = [
    "site", "building", "person", "overlap_minutes", "first_contact", "last_contact", "grade", "areas", "area_minutes",
]
INDEX_COLUMNS = ["site", "building", "checkin_at", "checkout_at"]


def trace_pseudonym(
    con: duckdb.DuckDBPyConnection,
    lake: province.Lake,
    index: str,
    start: datetime,
    end: datetime,
    min_overlap_minutes: float = 15.0,
    now: datetime | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[province.LakeWarning]]:
    """The index pseudonym's published visits that overlap ``[start, end)`` (UTC) and,
    per site and building, every other pseudonym whose visit overlapped one of them:
    total overlap in minutes (at least ``min_overlap_minutes``; 0 means any overlap longer
    than zero), first and last moment together (UTC). A visit still open ends ``now``.

    Returns ``(index_visits, contacts, warnings)`` with ``INDEX_COLUMNS`` and ``CONTACT_COLUMNS``.
    """
    moment = now or datetime.now(UTC)
    # Local days of check-in: a visit begun the day before the window may reach into it.
    first_day = (start - timedelta(days=2)).date()
    last_day = (end + timedelta(days=1)).date()
    scan = province.scan_lake(lake, ("visits", "stays"), first_day, last_day)
    visits = province.read_dataset(con, lake, scan.files["visits"], "visits")
    stays = province.read_dataset(con, lake, scan.files["stays"], "stays")
    if visits.empty:
        return pd.DataFrame(columns=INDEX_COLUMNS), pd.DataFrame(columns=CONTACT_COLUMNS), scan.warnings
    cursor = con.cursor()
    try:
        cursor.register("lake_visits", visits)
        cursor.register("lake_stays", stays)
        # RULES "Contact tracing": overlaps are a range join, per site and building.
        base = """
            SELECT site, building, person, checkin_at,
                   coalesce(checkout_at, greatest(checkin_at, CAST(? AS TIMESTAMPTZ))) AS end_at
            FROM lake_visits
        """
        index_visits = cursor.execute(
            f"""
            SELECT site, building, checkin_at, end_at AS checkout_at FROM ({base})
            WHERE person = ? AND checkin_at < ? AND end_at > ?
            ORDER BY checkin_at, site, building
            """,
            [moment, index, end, start],
        ).df()
        contacts = cursor.execute(
            f"""
            WITH v AS ({base}),
            i AS (
                SELECT site, building, greatest(checkin_at, CAST(? AS TIMESTAMPTZ)) AS s,
                       least(end_at, CAST(? AS TIMESTAMPTZ)) AS e
                FROM v WHERE person = ? AND checkin_at < ? AND end_at > ?
            ),
            pairs AS (
                SELECT c.site, c.building, c.person, greatest(c.checkin_at, i.s) AS s, least(c.end_at, i.e) AS e
                FROM v AS c JOIN i ON c.site = i.site AND c.building = i.building
                 AND c.checkin_at < i.e AND i.s < c.end_at
                WHERE c.person <> ?
            )
            SELECT site, building, person,
                   sum(epoch_us(e) - epoch_us(s)) / 60e6 AS overlap_minutes,
                   min(s) AS first_contact, max(e) AS last_contact
            FROM pairs GROUP BY site, building, person
            HAVING sum(epoch_us(e) - epoch_us(s)) > 0 AND sum(epoch_us(e) - epoch_us(s)) / 60e6 >= ?
            """,
            [moment, start, end, index, end, start, index, float(min_overlap_minutes)],
        ).df()
        cursor.register("building_contacts", contacts)
        # RULES "Contact tracing", same room: the index person's stays (clipped to the window)
        # against every other stay in the same site, building and room; K1 at the minimum.
        contacts = cursor.execute(
            """
            WITH st AS (
                SELECT site, building, area, person, start_at,
                       coalesce(end_at, greatest(start_at, CAST($now AS TIMESTAMPTZ))) AS end_at
                FROM lake_stays
            ),
            i AS (
                SELECT site, building, area, greatest(start_at, CAST($start AS TIMESTAMPTZ)) AS s,
                       least(end_at, CAST($end AS TIMESTAMPTZ)) AS e
                FROM st WHERE person = $index AND start_at < $end AND end_at > $start
            ),
            rooms AS (
                SELECT c.site, c.building, c.person,
                       sum(epoch_us(least(c.end_at, i.e)) - epoch_us(greatest(c.start_at, i.s))) / 60e6 AS area_minutes,
                       string_agg(DISTINCT c.area, ';' ORDER BY c.area) AS areas
                FROM st AS c JOIN i ON c.site = i.site AND c.building = i.building AND c.area = i.area
                 AND c.start_at < i.e AND i.s < c.end_at
                WHERE c.person <> $index
                GROUP BY c.site, c.building, c.person
            )
            SELECT b.*, CASE WHEN coalesce(r.area_minutes, 0) > 0 AND r.area_minutes >= $min THEN 'K1' ELSE 'K2' END
                       AS grade,
                   coalesce(r.areas, '') AS areas, coalesce(r.area_minutes, 0.0) AS area_minutes
            FROM building_contacts b LEFT JOIN rooms r USING (site, building, person)
            ORDER BY site, building, grade, area_minutes DESC, overlap_minutes DESC, person
            """,
            {"now": moment, "start": start, "end": end, "index": index, "min": float(min_overlap_minutes)},
        ).df()
    finally:
        cursor.close()
    return index_visits, contacts[CONTACT_COLUMNS], scan.warnings


def local_window(first_day: date, last_day: date, tz: str = "Asia/Makassar") -> tuple[datetime, datetime]:
    """``[first_day 00:00, last_day + 1 00:00)`` local as UTC instants."""
    start = pd.Timestamp(first_day).tz_localize(tz).tz_convert("UTC").to_pydatetime()
    end = pd.Timestamp(last_day + timedelta(days=1)).tz_localize(tz).tz_convert("UTC").to_pydatetime()
    return start, end
