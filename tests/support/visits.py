"""Visits written straight into the store, and RULES "Occupancy" and "Crowding" read in
plain Python: the references the figures of lib/analytics are checked against (property
tests with Hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
from hypothesis import strategies as st

# Monday 2022-01-03 00:00 WITA; a second building in India's UTC+5:30 checks local hours
# that do not start on a UTC hour.
BASE = datetime(2022, 1, 2, 16, tzinfo=UTC)
ZONES = {"A": "Asia/Makassar", "B": "Asia/Kolkata"}
MAX_STAY_S = {"ASN": 12 * 3600, "THL": 12 * 3600, "visitor": 3 * 3600}
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class V:
    person: str
    building: str
    checkin: datetime
    checkout: datetime | None
    kind: str | None
    category: str

    @property
    def auto_close(self) -> datetime:
        return self.checkin + timedelta(seconds=MAX_STAY_S[self.category])

    def end(self, now: datetime) -> datetime:
        """RULES: an open visit ends at min(checkin + MAX_STAY, now)."""
        if self.checkout is not None:
            return self.checkout
        return max(self.checkin, min(self.auto_close, now))

    def effective_kind(self, now: datetime) -> str | None:
        if self.checkout is not None:
            return self.kind
        return "auto" if self.auto_close <= now else None


@st.composite
def visit_sets(draw: st.DrawFn, buildings: tuple[str, ...] = ("A", "B"), span_hours: int = 72) -> list[V]:
    """Per person a time-ordered run of disjoint visits, as the pairing makes them.

    Zero-length visits, back-to-back visits, re-entries within the hour, visits across
    midnight and an open last visit all occur.
    """
    visits: list[V] = []
    for number in range(draw(st.integers(1, 7))):
        person = f"P{number}"
        category = draw(st.sampled_from(["ASN", "THL", "visitor"]))
        t = BASE + timedelta(seconds=draw(st.integers(-6 * 3600, span_hours * 3600)))
        count = draw(st.integers(1, 5))
        for i in range(count):
            t += timedelta(seconds=draw(st.sampled_from([0, 0, 60, 600, 1799, 3600, 5400, 36000])))
            t += timedelta(seconds=draw(st.sampled_from([0, 0, 17])))
            stay = draw(
                st.sampled_from([0, 60, 900, 2700, 3600, 3661, 7200, 10800, 30000, 43200])
                | st.integers(0, MAX_STAY_S[category])
            )
            stay = min(stay, MAX_STAY_S[category])
            building = draw(st.sampled_from(buildings))
            if i == count - 1 and draw(st.integers(0, 3)) == 0:
                visits.append(V(person, building, t, None, None, category))
                break
            kind = "auto" if stay == MAX_STAY_S[category] else draw(st.sampled_from(["scan", "scan", "auto"]))
            checkout = t + timedelta(seconds=stay)
            visits.append(V(person, building, t, checkout, kind, category))
            t = checkout
    return visits


def load(con: duckdb.DuckDBPyConnection, visits: list[V], buildings: dict[str, dict] | None = None) -> None:
    """Replace buildings and visits with these (straight into the tables)."""
    con.execute("DELETE FROM visits; DELETE FROM buildings")
    for building, zone in ZONES.items():
        extra = (buildings or {}).get(building, {})
        con.execute(
            "INSERT INTO buildings (building_id, name, timezone, capacity, threshold_people, threshold_share, ppkm_level)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [building, f"Gedung {building}", zone, extra.get("capacity"), extra.get("threshold_people"),
             extra.get("threshold_share"), extra.get("ppkm_level")],
        )
    if visits:
        rows = pd.DataFrame(
            [[v.person, v.building, v.checkin, v.checkout, v.kind, v.auto_close, v.category] for v in visits],
            columns=["person_id", "building", "checkin_at", "checkout_at", "checkout_kind", "auto_close_at", "category"],
        )
        for column in ("checkin_at", "checkout_at", "auto_close_at"):
            rows[column] = pd.to_datetime(rows[column], utc=True)
        con.register("new_visits_frame", rows)
        con.execute(
            "INSERT INTO visits (person_id, building, checkin_at, checkout_at, checkout_kind, auto_close_at, category)"
            " SELECT person_id, building, checkin_at, checkout_at, checkout_kind, auto_close_at, category"
            " FROM new_visits_frame"
        )
        con.unregister("new_visits_frame")


def reference_hours(start: datetime, end: datetime, zone: str) -> list[datetime]:
    """Local hour starts (UTC) from the hour containing ``start`` while before ``end``."""
    local = start.astimezone(ZoneInfo(zone)).replace(minute=0, second=0, microsecond=0)
    hour, hours = local.astimezone(UTC), []
    while hour < end:
        hours.append(hour)
        hour += HOUR
    return hours


def reference_hourly(visits: list[V], building: str, hour: datetime, now: datetime, category: str | None = None):
    """RULES "Occupancy" for one hour, straight from the words."""
    spans = [
        (v.person, v.checkin, v.end(now))
        for v in visits
        if v.building == building and (category is None or v.category == category) and v.end(now) > v.checkin
    ]
    hour_end = hour + HOUR
    instants = [hour] + [a for _, a, _ in spans if hour < a < hour_end]
    peak = max(sum(1 for _, a, b in spans if a <= t < b) for t in instants)
    present = len({p for p, a, b in spans if a < hour_end and b > hour})
    seconds = sum(max(0.0, (min(b, hour_end) - max(a, hour)).total_seconds()) for _, a, b in spans)
    return peak, present, seconds / 3600


def reference_episodes(visits: list[V], building: str, threshold: int, now: datetime, start: datetime, end: datetime):
    """RULES "Crowding": maximal intervals with concurrency > threshold that overlap
    [start, end), whole."""
    spans = [(v.checkin, v.end(now)) for v in visits if v.building == building and v.end(now) > v.checkin]
    instants = sorted({a for a, _ in spans} | {b for _, b in spans})
    episodes, current = [], None
    for t in instants:
        count = sum(1 for a, b in spans if a <= t < b)
        if count > threshold:
            current = [t, None, count] if current is None else [current[0], None, max(current[2], count)]
        elif current is not None:
            episodes.append((building, current[0], t, current[2]))
            current = None
    return [e for e in episodes if e[1] < end and e[2] > start]
