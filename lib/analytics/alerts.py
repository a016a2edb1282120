"""Alerts due at an instant, for the Now page and the webhook (RULES "Alerts").

Kinds (one row per kind, building and place):

- ``building_near`` / ``building_over``: the people inside a building (RULES "Roll-call",
  "inside at t") at 80 % of its crowd threshold or more / strictly above it;
- ``room_near`` / ``room_over``: the people in a room (RULES "Places inside a building": where a person is, the
  roster's home room included) against the room's capacity, the same way;
- ``after_hours``: visitors still inside outside office hours (``lib.store.office``,
  local time of the building, Monday to Friday);
- ``overstay``: visitors whose visit reached its MAX_STAY today (local day) without a
  check-out or any later scan: probably still inside, unregistered;
- ``silent_door``: in office hours, a door (a building's gate, or its posters without a
  gate) with no door scan in the last 60 minutes, while in at least 3 of the same
  weekday's last 4 weeks it had a scan in that same hour of the clock.

``value`` is the people counted (or the weeks with scans, for a silent door), ``limit``
what it is measured against. Aggregates only: no names, so they may leave Pantau.
:func:`alert_people` names the people behind the after-hours and overstay alerts, for the
administrator's Now page only (RULES "Personal data"): never the webhook.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from lib.analytics.live import YELLOW_SHARE, local_day_start
from lib.analytics.rollcall import rollcall
from lib.store import office, places

ALERT_COLUMNS = ["kind", "building", "place", "value", "limit", "key"]
PEOPLE_COLUMNS = ["kind", "building", "person_id", "name", "phone", "checkin_at", "until"]
# Worst first: the order of the Now page and of the webhook when it is rate-limited.
KINDS = ("building_over", "room_over", "after_hours", "overstay", "building_near", "room_near", "silent_door")
SILENT_MINUTES = 60
SILENT_WEEKS = 4
SILENT_USUAL_WEEKS = 3


def in_office_hours(con: duckdb.DuckDBPyConnection, now: datetime, tz_name: str) -> bool:
    """Whether ``now`` falls in office hours on the building's clock (Monday to Friday)."""
    start, end = office.office_hours(con)
    local = now.astimezone(ZoneInfo(tz_name))
    return local.weekday() in office.OFFICE_DAYS and start <= local.time() < end


def _level(kind: str, value: int, limit: int | None) -> str | None:
    """'over', 'near' or None for ``value`` people against ``limit`` (RULES "Crowding")."""
    if limit is None:
        return None
    if value > limit:
        return f"{kind}_over"
    if value >= YELLOW_SHARE * limit and value > 0:
        return f"{kind}_near"
    return None


def alerts_due(con: duckdb.DuckDBPyConnection, now: datetime) -> pd.DataFrame:
    """Every alert due at ``now`` (UTC-aware), worst kind first, then building and place.

    Columns ``ALERT_COLUMNS``; ``key`` is ``kind:building:place``, what the webhook
    de-duplicates on."""
    now = now.astimezone(UTC)
    rows: list[dict[str, object]] = []
    buildings = places.list_buildings(con)
    zones = dict(zip(buildings["building_id"], buildings["timezone"], strict=True))

    # The roll-call's reading of "inside at now" (equal to inside_now at the clock's now,
    # and right for a past instant too, when later scans closed visits since).
    present = rollcall(con, now)
    totals = present.groupby("building").size().to_dict()
    limits = places.thresholds(con)
    for building in buildings["building_id"]:
        count, threshold = int(totals.get(building, 0)), limits.get(building)
        kind = _level("building", count, threshold)
        if kind:
            rows.append({"kind": kind, "building": building, "place": "", "value": count, "limit": threshold})

    capacities = con.execute("SELECT building, area_id, capacity FROM areas WHERE capacity IS NOT NULL").fetchall()
    if capacities:
        in_rooms = present[present["area"] != ""].groupby(["building", "area"]).size().to_dict()
        for building, area, capacity in capacities:
            count = int(in_rooms.get((building, area), 0))
            kind = _level("room", count, int(capacity))
            if kind:
                rows.append({"kind": kind, "building": building, "place": area, "value": count, "limit": int(capacity)})

    visitors = present[present["category"] == "visitor"].groupby("building").size().to_dict()
    for building, count in visitors.items():
        if not in_office_hours(con, now, zones.get(building, "Asia/Makassar")):
            rows.append({"kind": "after_hours", "building": building, "place": "", "value": int(count), "limit": None})

    rows.extend(_overstays(con, now, zones))
    rows.extend(_silent_doors(con, now, zones))

    frame = pd.DataFrame(rows, columns=ALERT_COLUMNS[:-1])
    if frame.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    frame["key"] = frame["kind"] + ":" + frame["building"] + ":" + frame["place"]
    frame["order"] = frame["kind"].map(KINDS.index)
    frame = frame.sort_values(["order", "building", "place"]).drop(columns="order").reset_index(drop=True)
    frame["limit"] = frame["limit"].astype("Int64")
    return frame[ALERT_COLUMNS]


def _overstay_visits(con: duckdb.DuckDBPyConnection, now: datetime, zones: dict[str, str]) -> pd.DataFrame:
    """The visits behind the overstay alert: visitors' visits that ran into their MAX_STAY
    today (the building's local day) with no check-out and no later scan. Columns building,
    person_id, checkin_at, auto_close_at (UTC)."""
    earliest = min((local_day_start(now, tz) for tz in zones.values()), default=now)
    frame = con.execute(
        """
        SELECT building, person_id, checkin_at, auto_close_at FROM visits
        WHERE checkout_at IS NULL AND category = 'visitor' AND auto_close_at <= $now AND auto_close_at >= $earliest
        ORDER BY building, auto_close_at, person_id
        """,
        {"now": now, "earliest": earliest},
    ).df()
    starts = [local_day_start(now, zones.get(b, "Asia/Makassar")) for b in frame["building"]]
    today = [closed >= start for closed, start in zip(frame["auto_close_at"], starts, strict=True)]
    return frame[pd.Series(today, index=frame.index, dtype=bool)].reset_index(drop=True)


def _overstays(con: duckdb.DuckDBPyConnection, now: datetime, zones: dict[str, str]) -> list[dict[str, object]]:
    """Visitors whose visit ran into its MAX_STAY today (no check-out, no later scan)."""
    counts = _overstay_visits(con, now, zones).groupby("building").size()
    return [
        {"kind": "overstay", "building": building, "place": "", "value": int(count), "limit": None}
        for building, count in sorted(counts.items())
    ]


def alert_people(con: duckdb.DuckDBPyConnection, now: datetime) -> pd.DataFrame:
    """The people behind the ``after_hours`` and ``overstay`` alerts due at ``now``, so the
    administrator can find or call them. Personal data: the admin's Now page only.

    Columns ``PEOPLE_COLUMNS``: kind, building, person_id, name, phone (latest known, empty
    when none), checkin_at and ``until`` (UTC; ``until`` is the automatic close of an
    overstay, empty for a visitor still inside). The very rows :func:`alerts_due` counts:
    as many per kind and building as its ``value``."""
    now = now.astimezone(UTC)
    buildings = places.list_buildings(con)
    zones = dict(zip(buildings["building_id"], buildings["timezone"], strict=True))
    present = rollcall(con, now)
    visitors = present[present["category"] == "visitor"]
    closed = [b for b in visitors["building"].unique() if not in_office_hours(con, now, zones.get(b, "Asia/Makassar"))]
    after = visitors[visitors["building"].isin(closed)]
    parts = [
        pd.DataFrame({"kind": "after_hours", "building": after["building"], "person_id": after["person_id"],
                      "name": after["name"], "phone": after["phone"], "checkin_at": after["checkin_at"],
                      "until": pd.NaT}),
    ]
    overstays = _overstay_visits(con, now, zones)
    if len(overstays):
        persons = con.execute(
            "SELECT person_id, coalesce(name, '') AS name, coalesce(phone, '') AS phone FROM persons "
            "WHERE list_contains($ids, person_id)",
            {"ids": list(overstays["person_id"].unique())},
        ).df()
        overstays = overstays.merge(persons, on="person_id", how="left")
        parts.append(pd.DataFrame({"kind": "overstay", "building": overstays["building"],
                                   "person_id": overstays["person_id"], "name": overstays["name"].fillna(""),
                                   "phone": overstays["phone"].fillna(""), "checkin_at": overstays["checkin_at"],
                                   "until": overstays["auto_close_at"]}))
    frame = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else None
    if frame is None:
        return pd.DataFrame(columns=PEOPLE_COLUMNS)
    return frame.sort_values(["kind", "building", "name", "person_id"], kind="stable").reset_index(drop=True)[PEOPLE_COLUMNS]


def _silent_doors(con: duckdb.DuckDBPyConnection, now: datetime, zones: dict[str, str]) -> list[dict[str, object]]:
    """Doors silent for the last hour of office time that usually have scans then."""
    open_buildings = [b for b, tz in zones.items() if in_office_hours(con, now, tz)]
    if not open_buildings:
        return []
    window = timedelta(minutes=SILENT_MINUTES)
    windows = pd.DataFrame(
        {
            "week": list(range(SILENT_WEEKS + 1)),
            "w_start": [now - timedelta(weeks=k) - window for k in range(SILENT_WEEKS + 1)],
            "w_end": [now - timedelta(weeks=k) for k in range(SILENT_WEEKS + 1)],
        }
    )
    con.register("silent_windows", windows)
    try:
        rows = con.execute(
            """
            SELECT e.building, coalesce(e.gate, '') AS door,
                   count(DISTINCT w.week) FILTER (WHERE w.week > 0) AS usual_weeks,
                   count(*) FILTER (WHERE w.week = 0) AS recent
            FROM events e JOIN silent_windows w ON e.ts >= w.w_start AND e.ts < w.w_end
            WHERE e.area IS NULL AND e.ts >= $lo AND e.ts < $now AND list_contains($open, e.building)
            GROUP BY ALL
            """,
            {"lo": windows["w_start"].min(), "now": now, "open": open_buildings},
        ).fetchall()
    finally:
        con.unregister("silent_windows")
    return [
        {"kind": "silent_door", "building": building, "place": door, "value": int(weeks), "limit": SILENT_USUAL_WEEKS}
        for building, door, weeks, recent in sorted(rows)
        if recent == 0 and weeks >= SILENT_USUAL_WEEKS
    ]
