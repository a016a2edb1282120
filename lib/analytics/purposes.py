"""The week's visits by purpose or by host (issue 22; RULES "Weekly statistics").

What the leadership asks of a front desk: how many visits came for what (``keperluan``) and
to see whom (``tujuan`` / ``bertemu dengan``: a unit or a person), this week against the
week before. Aggregates only: no name, NIK or phone leaves this module.

A visit belongs to the local ISO week of its check-in in its building's zone (RULES "Time",
as ``lib.analytics.weekly``). Every visit of the week counts, a staff member's too: a visit
whose check-in named no purpose (or no host) counts under one label,
``UNSPECIFIED`` ("(tidak diisi)" / "(not given)" in the user's language), so the rows of a
building add up to its ``visits`` in ``weekly``. Purposes and hosts are grouped as written
(cleaned at entry: spaces folded), so the figures equal a plain count of the column.

A host may be a person (a staff member the visitor came to see). The leadership's figures
are by unit visited (RULES "Personal data": leadership sees aggregates, no names):
``names_as_units`` shows a host who is a stored person (by name, case and spaces ignored)
as their unit on the roster, or as ``PERSON_HOST`` ("(pegawai)" / "(a staff member)")
when the roster names none.
"""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pandas as pd

from lib.analytics.sweep import building_list
from lib.analytics.week_counts import parse_iso_week, week_bounds, week_label
from lib.analytics.weekly import leadership_buildings
from lib.core import i18n

BY_CHOICES = ("purpose", "host")
COLUMNS = ("week", "building", "{by}", "visits", "visitors", "visits_prev", "visits_change_pct")


def _name_key(text: str) -> str:
    """A name as hosts are matched to persons: case ignored, runs of spaces as one."""
    return f"lower(trim(regexp_replace({text}, '\\s+', ' ', 'g')))"


def unspecified_label(lang: str | None = None) -> str:
    """The label of visits whose check-in named no purpose or host, in ``lang``."""
    return i18n.t("purposes.unspecified", lang)


def weekly_by(
    con: duckdb.DuckDBPyConnection,
    week: str,
    by: str = "purpose",
    building: str | None = None,
    confirmed_only: bool = False,
    lang: str | None = None,
    names_as_units: bool = False,
) -> pd.DataFrame:
    """One row per building and purpose (``by='purpose'``) or host (``by='host'``) seen in
    the local ISO week ``week`` or the week before.

    Columns: ``week``, ``building``, ``purpose`` (or ``host``), ``visits`` (check-ins in
    the week), ``visitors`` (distinct persons of those visits), ``visits_prev`` (the week
    before) and ``visits_change_pct`` (percent against it; empty when it had none). Rows by
    building, most visits first, then by label. ``confirmed_only``: leave out buildings
    first seen in an import and not confirmed (the leadership's page and reports).
    ``names_as_units``: a host who is a stored person is shown as their unit (module docstring).
    """
    if by not in BY_CHOICES:
        raise ValueError(f"by must be one of {', '.join(BY_CHOICES)}, not {by!r}")
    year, number = parse_iso_week(week)
    targets = leadership_buildings(con, building) if confirmed_only else building_list(con, building)
    columns = [c.format(by=by) for c in COLUMNS]
    if not targets:
        return pd.DataFrame(columns=columns)
    previous = (week_bounds(year, number, "UTC")[0] - timedelta(days=7)).isocalendar()
    bounds = []
    for building_id, tz in targets:
        start, end = week_bounds(year, number, tz)
        prev_start, _ = week_bounds(previous.year, previous.week, tz)
        bounds.append((building_id, prev_start, start, end))
    as_units = names_as_units and by == "host"
    frame = con.execute(
        f"""
        WITH b AS (
            SELECT unnest($buildings::VARCHAR[]) AS building, unnest($prev_starts::TIMESTAMPTZ[]) AS prev_start,
                   unnest($starts::TIMESTAMPTZ[]) AS start_at, unnest($ends::TIMESTAMPTZ[]) AS end_at
        ),
        raw AS (
            SELECT v.building, v.person_id, nullif(trim(v.{by}), '') AS written, v.checkin_at >= b.start_at AS this_week
            FROM visits v JOIN b ON b.building = v.building
            WHERE v.checkin_at >= b.prev_start AND v.checkin_at < b.end_at
        ),
        -- Hosts who are stored persons, with their unit (only the week's hosts are looked up).
        person_hosts AS (
            SELECT {_name_key('p.name')} AS host_key, min(nullif(trim(r.unit), '')) AS unit
            FROM persons p LEFT JOIN roster r USING (person_id)
            WHERE {'true' if as_units else 'false'} AND p.name IS NOT NULL
              AND {_name_key('p.name')} IN (SELECT {_name_key('written')} FROM raw WHERE written IS NOT NULL)
            GROUP BY host_key
        ),
        v AS (
            SELECT raw.building, raw.person_id, raw.this_week,
                   CASE WHEN raw.written IS NULL THEN $unspecified
                        WHEN h.host_key IS NOT NULL THEN coalesce(h.unit, $person_host)
                        ELSE raw.written END AS label
            FROM raw LEFT JOIN person_hosts h ON h.host_key = {_name_key('raw.written')}
        )
        SELECT building, label,
               count(*) FILTER (WHERE this_week) AS visits,
               count(DISTINCT person_id) FILTER (WHERE this_week) AS visitors,
               count(*) FILTER (WHERE NOT this_week) AS visits_prev
        FROM v GROUP BY building, label
        ORDER BY building, visits DESC, label
        """,
        {
            "buildings": [b[0] for b in bounds], "prev_starts": [b[1] for b in bounds],
            "starts": [b[2] for b in bounds], "ends": [b[3] for b in bounds],
            "unspecified": unspecified_label(lang), "person_host": i18n.t("purposes.person_host", lang),
        },
    ).df()
    prev = frame["visits_prev"].astype(float)
    result = pd.DataFrame(
        {
            "week": week_label(year, number),
            "building": frame["building"].astype(str),
            by: frame["label"].astype(str),
            "visits": frame["visits"].astype("int64"),
            "visitors": frame["visitors"].astype("int64"),
            "visits_prev": frame["visits_prev"].astype("int64"),
            "visits_change_pct": ((frame["visits"].astype(float) - prev) / prev * 100).where(prev > 0),
        },
        columns=columns,
    )
    return result.reset_index(drop=True)
