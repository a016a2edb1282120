"""The live figures of the Sekarang / Now page, per building, as of an instant ``now``.

- **inside**: visits with ``checkin_at <= now < end`` where an open visit ends at
  ``checkin_at + MAX_STAY`` (RULES "From events to visits", "Occupancy"); with ``now`` the
  current time this is exactly ``inside_now`` of ``lib.analytics.visits.effective_visits_sql``.
  Split by category (ASN, THL, visitor).
- **traffic light** against the crowd threshold (RULES "Crowding"): ``green`` below 80 %
  of the threshold, ``yellow`` from 80 % up to the threshold, ``red`` above it (the same
  "strictly greater" as a crowding episode). No threshold: no light.
- **visits today**: visits that began today, local day of the building, up to now.
- **finished today**: visits that ended today up to now, by a scan or automatically.
- **last scans**: the newest scan events with the person's latest name and category.
- **all buildings**: the sum of the buildings' figures (one person inside two buildings,
  possible only with MAX_STAY, counts in each, as on the roll-call).

Buildings come in the order of their display names, case ignored
(what a reader looks for), the id breaking ties.

Instants in and out are UTC; local days come from each building's time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from lib.analytics.occupancy import inside_now
from lib.analytics.visits import effective_visits_sql
from lib.store import places
from lib.store.db import CATEGORIES

YELLOW_SHARE = 0.8


def traffic_light(inside: int, threshold: int | None) -> str | None:
    """'green' (< 80 % of the threshold), 'yellow' (up to the threshold), 'red' (above)."""
    if threshold is None:
        return None
    if inside > threshold:
        return "red"
    if inside >= YELLOW_SHARE * threshold:
        return "yellow"
    return "green"


def local_day_start(now: datetime, tz_name: str) -> datetime:
    """Start of the building's local day containing ``now``, as a UTC instant."""
    local = now.astimezone(ZoneInfo(tz_name))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def now_overview(con: duckdb.DuckDBPyConnection, now: datetime) -> pd.DataFrame:
    """One row per building: building, name, timezone, inside (total), inside_ASN,
    inside_THL, inside_visitor, threshold, light, visits_today, finished_today, confirmed
    (False: first seen in an import, not yet confirmed; ``light`` None: no threshold).
    Ordered by display name, case ignored (``name_order``), then id.
    ``visits_today``: visits that began today (the building's local day); ``finished_today``:
    those of them already over by ``now``.

    ``inside`` and the threshold come from ``lib.analytics.occupancy.inside_now`` and
    ``lib.analytics.crowding`` (the same figures as the occupancy pages)."""
    now = now.astimezone(UTC)
    columns = [
        "building", "name", "timezone", "inside", *[f"inside_{c}" for c in CATEGORIES],
        "threshold", "light", "visits_today", "finished_today", "confirmed",
    ]
    frame = places.list_buildings(con)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    inside = inside_now(con, now).rename(
        columns={"total": "inside", **{c: f"inside_{c}" for c in CATEGORIES}}
    )
    bounds = pd.DataFrame(
        {
            "building": frame["building_id"],
            "day_start": [local_day_start(now, tz) for tz in frame["timezone"]],
        }
    )
    # A visit lasts at most MAX_STAY, so only visits that began after the earliest day
    # start minus the longest MAX_STAY can begin or end today: a range on checkin_at lets
    # DuckDB skip the old row groups.
    longest = timedelta(
        minutes=int(frame[["max_stay_asn_min", "max_stay_thl_min", "max_stay_visitor_min"]].max().max())
    )
    earliest = min(min(bounds["day_start"]), now) - longest
    con.register("live_bounds", bounds)
    try:
        today = con.execute(
            f"""
            WITH v AS (
                SELECT building, checkin_at, checkout_at
                FROM ({effective_visits_sql('CAST($now AS TIMESTAMPTZ)')})
                WHERE checkin_at >= CAST($earliest AS TIMESTAMPTZ) AND checkin_at <= CAST($now AS TIMESTAMPTZ)
            )
            SELECT b.building,
                   count(v.building) FILTER (WHERE v.checkin_at >= b.day_start) AS visits_today,
                   -- Of today's visits, those already over (a scan out or MAX_STAY): never more
                   -- than the visits today, as a manager reads the two side by side.
                   count(v.building) FILTER (WHERE v.checkin_at >= b.day_start AND v.checkout_at <= $now)
                       AS finished_today
            FROM live_bounds b LEFT JOIN v ON v.building = b.building
            GROUP BY b.building
            """,
            {"now": now, "earliest": earliest},
        ).df()
    finally:
        con.unregister("live_bounds")
    out = frame[["building_id", "name", "timezone", "confirmed"]].rename(columns={"building_id": "building"})
    out = out.merge(inside.drop(columns=["name", "capacity"]), on="building", how="left")
    out = out.merge(today, on="building", how="left")
    for column in ["inside", *[f"inside_{c}" for c in CATEGORIES], "visits_today", "finished_today"]:
        out[column] = out[column].fillna(0).astype(int)
    out["threshold"] = out["threshold"].astype("Int64")
    out["light"] = pd.Series(
        [traffic_light(i, None if pd.isna(t) else int(t)) for i, t in zip(out["inside"], out["threshold"], strict=True)],
        dtype=object, index=out.index,
    )
    out["confirmed"] = out["confirmed"].astype(bool)
    return name_order(out)[columns].reset_index(drop=True)


def name_order(frame: pd.DataFrame, name: str = "name", building: str = "building") -> pd.DataFrame:
    """``frame`` sorted by display name, case ignored ('dinas' beside 'Dinas', an imported
    'KANTOR-X' no longer before every lower-case id), then by building id."""
    keys = frame[name].fillna(frame[building]).astype(str).str.casefold()
    return frame.assign(_order=keys).sort_values(["_order", building], kind="stable").drop(columns="_order")


def all_buildings(overview: pd.DataFrame) -> dict[str, int]:
    """The people inside now across every building of ``now_overview``: ``inside`` and
    ``inside_<category>`` (RULES "Roll-call": each building's count, summed)."""
    figures = ["inside", *[f"inside_{c}" for c in CATEGORIES]]
    return {figure: int(overview[figure].sum()) if len(overview) else 0 for figure in figures}


def last_scans(con: duckdb.DuckDBPyConnection, now: datetime, limit: int = 10) -> pd.DataFrame:
    """The newest ``limit`` scan events up to ``now``: ts (UTC), building, building_name,
    gate, gate_name, action, person_id, name, category. The names are those the settings
    and posters use (the id when a building or gate has no name; gate_name is missing for a
    scan without a gate). Personal data: for the admin page only."""
    # The newest events first, then their persons: joining persons before the LIMIT
    # would hash the whole persons table (a quarter of a second at 10 million visits).
    query = """
        SELECT e.ts, e.building, coalesce(b.name, e.building) AS building_name,
               e.gate, CASE WHEN e.gate IS NOT NULL THEN coalesce(g.name, e.gate) END AS gate_name,
               e.action, e.person_id, p.name, p.category
        FROM (
            SELECT ts, building, gate, action, person_id FROM events
            WHERE ts <= CAST(? AS TIMESTAMPTZ) {extra}
            ORDER BY ts DESC, person_id LIMIT ?
        ) e LEFT JOIN persons p USING (person_id)
        LEFT JOIN buildings b ON b.building_id = e.building
        LEFT JOIN gates g ON g.building_id = e.building AND g.gate_id = e.gate
        ORDER BY e.ts DESC, e.person_id
    """
    now = now.astimezone(UTC)
    # A quiet spell (a holiday) leaves fewer scans in the last days: widen step by step
    # rather than sort every event ever scanned.
    for days in (2, 31):
        recent = con.execute(
            query.format(extra="AND ts >= CAST(? AS TIMESTAMPTZ)"), [now, now - timedelta(days=days), limit]
        ).df()
        if len(recent) >= limit:
            return recent
    return con.execute(query.format(extra=""), [now, limit]).df()


def data_version(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    """(events, visits, a hash of the building and gate settings): changes with every
    scan or import, a purge, and any settings change (a threshold, a time zone, a name).

    A page may cache its live figures under this key (plus a short time to live, since
    "inside now" also changes with the clock when open visits reach MAX_STAY). Row
    counts come from DuckDB's metadata: about a millisecond at 10 million visits."""
    rows = con.execute(
        "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM visits), "
        "coalesce(hash((SELECT list(b ORDER BY b.building_id) FROM buildings b), "
        "(SELECT list(g ORDER BY g.building_id, g.gate_id) FROM gates g)), 0)"
    ).fetchall()
    events, visits, settings = rows[0]
    return int(events), int(visits), int(settings)
