"""Contact tracing (RULES "Contact tracing"), audited (RULES "Personal data").

Rule, exactly as RULES writes it:

- the index person's visits get ``tail`` minutes added after their end, then are clipped
  to the window ``[start, end)``;
- for every other person c, ``overlap(c)`` is the sum over each pair (index visit v,
  visit w of c in the **same building**) of ``max(0, min(v.end, w.end) - max(v.start, w.start))``;
- c is a contact when ``overlap(c) >= min_overlap``, compared exactly in integer
  microseconds (never after rounding to the one decimal shown);
- graded (docs/HOW_IT_WORKS.md "Rooms and the staff roster"): the index person's place segments (area stays, and assumed
  home-room time: the parts of their visits to their roster home building that no stay
  of theirs covers) get the tail and are clipped to the window; ``area_minutes(c)`` sums
  their overlaps with c's place segments in the same building and area. c is **K1** (same
  room) when ``area_minutes(c) >= min_overlap``, else **K2** (same building) when
  ``overlap(c)`` is.

Visit ends are those of :func:`lib.analytics.visits.effective_visits_sql`: a visit still open ends
at ``min(checkin_at + MAX_STAY, now)``. A contact is ``estimated`` when any visit of a
pair with positive overlap (the index visit or the contact's visit) was closed
automatically (``checkout_kind = 'auto'``) **or is still open** (its end is "now", so the
overlap can still grow). Because the rule is a sum over pairs, a tail long enough to run
into the index person's next visit in the same building counts that stretch twice;
that is the rules' rule and is kept as written.

All instants are UTC ``TIMESTAMPTZ`` / tz-aware pandas timestamps; minutes are minutes
of real time. Speed: the index person's visits are few; the other visits are reached by
a range join (``w.checkin_at < v.end AND w.end > v.start``) on the same building, and the
scan of ``visits`` is restricted by ``checkin_at < window end`` and
``auto_close_at > window start`` so DuckDB's zone maps skip row groups outside the
window (the table is roughly in time order). The second restriction is exact because
every visit ends at or before its ``auto_close_at`` (a scanned check-out is accepted
only up to ``checkin_at + MAX_STAY``, an automatic close is at most that: RULES "From
events to visits", ``lib.ingest.pairing``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from lib.analytics.stays import effective_stays_sql
from lib.analytics.visits import effective_visits_sql
from lib.core.errors import PantauError
from lib.core.i18n import t
from lib.core.timeutil import format_local_short, local_days
from lib.store import db

DEFAULT_MIN_OVERLAP_MINUTES = 15.0  # RULES: the health ministry's close-contact rule
DEFAULT_TAIL_MINUTES = 0.0
DAYS_BEFORE_ONSET = 2
DAYS_AFTER_ONSET = 14
US_PER_MINUTE = 60_000_000

BUILDING_CONTACT_COLUMNS = [
    "person_id",
    "name",
    "category",
    "phone",
    "buildings",
    "overlap_minutes",
    "first_contact",
    "last_contact",
    "estimated",
]
# Graded contacts: same room (K1) before same building (K2).
CONTACT_COLUMNS = [*BUILDING_CONTACT_COLUMNS, "unit", "grade", "areas", "area_minutes", "area_assumed"]
SECOND_DEGREE_COLUMNS = [*BUILDING_CONTACT_COLUMNS, "via"]
PERSON_COLUMNS = ["person_id", "name", "category", "phone", "unit", "last_seen"]
RECENT_DAYS = 30  # find_persons looks at this many days of visits first
# ... and then, while that does not settle the page, at these many (None: the whole history).
SEEN_WINDOWS_DAYS = (RECENT_DAYS, 180, 730, None)
SEARCH_LIMIT = 20  # matches listed for one search; more reads "type more"
VIA_SHOWN = 3  # people named in a second-degree contact's `via` on screen
SEARCH_ACTION = "find_person"  # the audit action of a person search (lib.store.retention knows it)

_NOW_SQL = "CAST($now AS TIMESTAMPTZ)"


class UnknownPersonError(PantauError, LookupError):
    """The index person is neither in ``persons`` nor in ``visits`` (text ``tracing.unknown_person``)."""

    TEXT_PREFIX = "tracing."

    def __init__(self, person_id: str) -> None:
        super().__init__("unknown_person", person=person_id)
        self.person_id = person_id


# --- window ----------------------------------------------------------------------------


def onset_window(day: date, tz: str = db.DEFAULT_TIMEZONE) -> tuple[datetime, datetime]:
    """the rules' default tracing window around symptom onset (or swab) ``day``, as UTC.

    From local midnight two days before ``day`` to fourteen days after it, **both end
    days included**, the way every date range of the app reads (``--from``/``--to``
    with dates, RULES "Command line"): onset 10 January gives 8 January 00:00 up to,
    not including, 25 January 00:00 local time, i.e. ``--from 8 Jan --to 24 Jan``.
    """
    return local_days(day - timedelta(days=DAYS_BEFORE_ONSET), DAYS_BEFORE_ONSET + DAYS_AFTER_ONSET + 1, tz)


def _utc(instant: datetime | pd.Timestamp, name: str) -> datetime:
    stamp = pd.Timestamp(instant)
    if stamp.tzinfo is None:
        raise ValueError(f"{name} must be time-zone aware (UTC instants), got {instant!r}")
    return stamp.tz_convert("UTC").to_pydatetime()


def _minutes_to_us(minutes: float, name: str) -> int:
    if minutes is None or not math.isfinite(float(minutes)) or float(minutes) < 0:
        raise ValueError(f"{name} must be a number of minutes >= 0, got {minutes!r}")
    # Overlaps are whole microseconds, so `overlap >= m` is `overlap >= ceil(m)`; the
    # round() only absorbs binary noise such as 0.1 * 60e6.
    return math.ceil(round(float(minutes) * US_PER_MINUTE, 3))


def _min_overlap_us(minutes: float) -> int:
    """The minimum overlap in microseconds, at least 1: RULES "Contact tracing", a minimum of
    0 means any overlap longer than zero, so K1 still needs time in a shared room (with 0
    itself, every contact has ``area_us >= 0`` and would be graded K1)."""
    return max(1, _minutes_to_us(minutes, "min_overlap_minutes"))


def _params(
    start: datetime, end: datetime, tail_minutes: float, now: datetime | None
) -> tuple[dict[str, Any], datetime, datetime]:
    start_utc, end_utc = _utc(start, "start"), _utc(end, "end")
    if end_utc <= start_utc:
        raise ValueError("the window end must be after its start")
    tail_us = _minutes_to_us(tail_minutes, "tail_minutes")
    now_utc = _utc(now, "now") if now is not None else datetime.now(UTC)
    params = {
        "start": start_utc,
        "end": end_utc,
        # An index visit can reach the window only if auto_close_at + tail > start.
        "index_floor": start_utc - timedelta(microseconds=tail_us),
        "tail_us": tail_us,
        "now": now_utc,
    }
    return params, start_utc, end_utc


# --- SQL ---------------------------------------------------------------------------------


def _effective_visits() -> str:
    return f"({effective_visits_sql(_NOW_SQL)})"


def _index_sql(person_filter: str, visits: str | None = None) -> str:
    """The index persons' visits: tail added, clipped to [start, end), empty ones dropped.
    ``visits``: a relation of effective visits to read them from (default all)."""
    return f"""
        SELECT person_id AS index_id, building, checkin_at, end_at, checkout_kind, inside_now,
               greatest(checkin_at, $start) AS v_start,
               least(end_at + to_microseconds($tail_us), $end) AS v_end
        FROM {visits or _effective_visits()} ev
        WHERE {person_filter}
          AND checkin_at < $end AND auto_close_at > $index_floor
          AND least(end_at + to_microseconds($tail_us), $end) > greatest(checkin_at, $start)
    """


def _pairs_sql(
    person_filter: str, exclude_filter: str, index_visits: str | None = None, other_visits: str | None = None
) -> str:
    """Every pair (index visit v, other visit w, same building) with positive overlap.

    RULES "Contact tracing"; a range join restricted to the window so zone maps skip
    old row groups. ``minutes_us`` is the pair's overlap in integer microseconds.
    ``index_visits`` / ``other_visits``: relations of effective visits to read each side
    from (default all).
    """
    return f"""
        WITH idx AS ({_index_sql(person_filter, index_visits)}),
        other AS (
            SELECT person_id, building, checkin_at, end_at, checkout_kind, inside_now
            FROM {other_visits or _effective_visits()} ev
            WHERE checkin_at < $end AND auto_close_at > $start AND NOT ({exclude_filter})
        )
        SELECT w.person_id AS contact_id, v.index_id, v.building,
               greatest(v.v_start, w.checkin_at) AS p_start,
               least(v.v_end, w.end_at) AS p_end,
               epoch_us(least(v.v_end, w.end_at)) - epoch_us(greatest(v.v_start, w.checkin_at)) AS overlap_us,
               (coalesce(v.checkout_kind, '') = 'auto' OR v.inside_now
                OR coalesce(w.checkout_kind, '') = 'auto' OR w.inside_now) AS estimated
        FROM idx v JOIN other w
          ON w.building = v.building AND w.checkin_at < v.v_end AND w.end_at > v.v_start
        -- A zero-length visit inside v passes the range join with zero overlap; the rules'
        -- first/last contact and `estimated` consider only pairs that share time.
        WHERE least(v.v_end, w.end_at) > greatest(v.v_start, w.checkin_at)
    """


def _contacts_sql(pairs_sql: str, group_key: str) -> str:
    """Per (group_key, contact): the rules' summed overlap, kept when >= the minimum."""
    return f"""
        WITH pairs AS ({pairs_sql}),
        per_contact AS (
            SELECT {group_key}, contact_id,
                   array_to_string(list_sort(list_distinct(list(building))), ';') AS buildings,
                   sum(overlap_us) AS overlap_us,
                   min(p_start) AS first_contact, max(p_end) AS last_contact,
                   bool_or(estimated) AS estimated
            FROM pairs GROUP BY ALL
        )
        SELECT * FROM per_contact WHERE overlap_us >= $min_us
    """


def _segments_ctes(
    prefix: str, persons: str, floor: str, home_places: str | None = None, visits: str | None = None
) -> str:
    """CTEs ``{prefix}_segments(person_id, building, area, s_start, s_end, estimated, assumed)``:
    where the persons of CTE ``persons`` were, reaching past ``floor`` and before ``$end``.
    With ``home_places`` (a CTE of ``building, area``), assumed home-room segments only in
    those places: a contact's home room elsewhere cannot share a room with the case, and
    reading the home visits of only the few staff homed there is what keeps the graded
    trace fast (at 50 M visits, 437 000 home visits of all staff against ~20 000; issue 27).
    ``visits``: a relation of effective visits holding at least those persons' visits
    reaching the window (default all).

    A person is in an area during each of their area stays; during the parts of their
    visits to their roster home building that none of their stays (any building) covers,
    they are assumed in their home room (docs/HOW_IT_WORKS.md "Rooms and the staff roster"). The uncovered parts of a visit
    are the gaps between its covering stays in start order (a running maximum of their
    ends). ``estimated``: the stay or visit ended automatically or is still open.
    """
    restrict = "" if home_places is None else (
        f"SEMI JOIN {home_places} hp ON hp.building = r.building AND hp.area = r.room"
    )
    return f"""
        {prefix}_roster AS (
            SELECT r.person_id, r.building, r.room FROM roster r {restrict}
            WHERE r.room IS NOT NULL AND r.building IS NOT NULL
        ),
        {prefix}_stays AS (
            SELECT s.person_id, s.building, s.area, s.start_at AS s_start, s.until_at AS s_end,
                   (coalesce(s.end_kind, '') = 'auto' OR s.inside_now) AS estimated
            FROM ({effective_stays_sql(_NOW_SQL)}) s SEMI JOIN {persons} p ON p.person_id = s.person_id
            WHERE s.start_at < $end AND s.auto_end_at > {floor} AND s.until_at > s.start_at
        ),
        {prefix}_home AS (
            SELECT row_number() OVER () AS vid, v.person_id, v.building, r.room AS area,
                   v.checkin_at AS v_start, v.end_at AS v_end,
                   (coalesce(v.checkout_kind, '') = 'auto' OR v.inside_now) AS estimated
            FROM {visits or _effective_visits()} v
            JOIN {prefix}_roster r ON r.person_id = v.person_id AND r.building = v.building
            SEMI JOIN {persons} p ON p.person_id = v.person_id
            WHERE v.checkin_at < $end AND v.auto_close_at > {floor} AND v.end_at > v.checkin_at
        ),
        {prefix}_covered AS (
            SELECT h.vid, greatest(s.s_start, h.v_start) AS c_start, least(s.s_end, h.v_end) AS c_end
            FROM {prefix}_home h JOIN {prefix}_stays s
              ON s.person_id = h.person_id AND s.s_start < h.v_end AND s.s_end > h.v_start
        ),
        {prefix}_ordered AS (
            SELECT vid, c_start, c_end,
                   max(c_end) OVER (PARTITION BY vid ORDER BY c_start, c_end
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
            FROM {prefix}_covered
        ),
        {prefix}_gaps AS (
            SELECT o.vid, coalesce(o.prev_end, h.v_start) AS g_start, o.c_start AS g_end
            FROM {prefix}_ordered o JOIN {prefix}_home h USING (vid)
            WHERE o.c_start > coalesce(o.prev_end, h.v_start)
            UNION ALL
            SELECT h.vid, coalesce(max(c.c_end), h.v_start) AS g_start, h.v_end AS g_end
            FROM {prefix}_home h LEFT JOIN {prefix}_covered c USING (vid)
            GROUP BY h.vid, h.v_start, h.v_end
            HAVING h.v_end > coalesce(max(c.c_end), h.v_start)
        ),
        {prefix}_segments AS (
            SELECT person_id, building, area, s_start, s_end, estimated, false AS assumed FROM {prefix}_stays
            UNION ALL
            SELECT h.person_id, h.building, h.area, g.g_start, g.g_end, h.estimated, true
            FROM {prefix}_gaps g JOIN {prefix}_home h USING (vid)
        )
    """


_NO_AREA_PAIRS = """
        area_pairs AS (
            SELECT CAST(NULL AS VARCHAR) AS contact_id, CAST(NULL AS VARCHAR) AS building,
                   CAST(NULL AS VARCHAR) AS area,
                   CAST(NULL AS TIMESTAMPTZ) AS p_start, CAST(NULL AS TIMESTAMPTZ) AS p_end,
                   CAST(0 AS BIGINT) AS overlap_us, false AS estimated, false AS assumed
            WHERE false
        )"""


def _has_places(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> bool:
    """Whether the index person has place segments at all: a stay reaching the window
    (tail included) or a roster home room. Without, the room part is skipped (most
    searches, while few buildings have room posters)."""
    rows = _frame(
        con,
        """SELECT EXISTS (SELECT 1 FROM stays WHERE person_id = $person AND start_at < $end
                                                AND auto_end_at > $index_floor)
               OR EXISTS (SELECT 1 FROM roster WHERE person_id = $person AND room IS NOT NULL
                                                 AND building IS NOT NULL) AS has_places""",
        params,
    )
    return bool(rows["has_places"].iloc[0])


def _graded_sql(places: bool = True) -> str:
    """RULES "Contact tracing" graded: per contact the building overlap (``overlap_us``) and the
    same-room overlap (``area_us``), integer microseconds, for the index person ``$person``.

    Contacts below the minimum on both are dropped; ``grade`` is 'K1' or 'K2'.
    """
    return f"""
        WITH {_graded_ctes(places)}
        SELECT *, CASE WHEN area_us >= $min_us THEN 'K1' ELSE 'K2' END AS grade
        FROM c WHERE area_us >= $min_us OR overlap_us >= $min_us
    """


def _graded_ctes(places: bool = True) -> str:
    """The CTEs of :func:`_graded_sql`: ``building_pairs`` and ``area_pairs`` (one row per
    pair with positive overlap: ``contact_id, building, [area,] p_start, p_end, overlap_us``)
    and ``c``, per contact before the minimum.

    Index place segments get the tail and are clipped to the window; a contact's segments
    are not extended. Candidates for the room overlap: persons with a stay in one of the
    index person's (building, area) places in the window, or whose roster home room is one.
    Both overlaps are range joins on (building[, area]) and time.
    """
    # Each of these reads visits once: the case's own (for both overlaps) and the window's in
    # the buildings that matter (the case's, and those of their rooms). At 50 M visits the
    # 14 days hold ~2 M visits, and every extra read of them cost ~15 ms (issue 27).
    case_visits = f"""
        case_visits AS MATERIALIZED (
            SELECT * FROM {_effective_visits()} ev
            WHERE person_id = $person AND checkin_at < $end AND auto_close_at > $index_floor
        )"""

    def window_visits(buildings: str) -> str:
        return f"""
        window_visits AS MATERIALIZED (
            SELECT * FROM {_effective_visits()} ev
            WHERE checkin_at < $end AND auto_close_at > $start AND building IN ({buildings})
        )"""

    if not places:
        room_part = f"{case_visits},{window_visits('SELECT building FROM case_visits')},{_NO_AREA_PAIRS}"
    else:
        room_part = f"""{case_visits},
        idx_person AS (SELECT $person AS person_id),
        {_segments_ctes('idx', 'idx_person', '$index_floor', visits='case_visits')},
        idx_seg AS (
            SELECT building, area, greatest(s_start, $start) AS x_start,
                   least(s_end + to_microseconds($tail_us), $end) AS x_end, estimated, assumed
            FROM idx_segments
            WHERE least(s_end + to_microseconds($tail_us), $end) > greatest(s_start, $start)
        ),
        idx_places AS (SELECT DISTINCT building, area FROM idx_seg),
        cand AS (
            SELECT DISTINCT person_id FROM (
                SELECT s.person_id FROM stays s SEMI JOIN idx_places i ON i.building = s.building AND i.area = s.area
                WHERE s.start_at < $end AND s.auto_end_at > $start
                UNION ALL
                SELECT r.person_id FROM roster r SEMI JOIN idx_places i ON i.building = r.building AND i.area = r.room
            ) WHERE person_id <> $person
        ),
        {window_visits('SELECT building FROM case_visits UNION SELECT building FROM idx_places')},
        {_segments_ctes('c', 'cand', '$start', home_places='idx_places', visits='window_visits')},
        area_pairs AS (
            SELECT y.person_id AS contact_id, x.building, x.area,
                   greatest(x.x_start, y.s_start) AS p_start, least(x.x_end, y.s_end) AS p_end,
                   epoch_us(least(x.x_end, y.s_end)) - epoch_us(greatest(x.x_start, y.s_start)) AS overlap_us,
                   (x.estimated OR y.estimated) AS estimated, (x.assumed OR y.assumed) AS assumed
            FROM idx_seg x JOIN c_segments y
              ON y.building = x.building AND y.area = x.area AND y.s_start < x.x_end AND y.s_end > x.x_start
            WHERE least(x.x_end, y.s_end) > greatest(x.x_start, y.s_start)
        )"""
    return f"""
        {room_part},
        building_pairs AS ({_pairs_sql("person_id = $person", "person_id = $person",
                                       index_visits="case_visits", other_visits="window_visits")}),
        per_building AS (
            SELECT contact_id, array_to_string(list_sort(list_distinct(list(building))), ';') AS buildings,
                   sum(overlap_us) AS overlap_us, min(p_start) AS first_contact, max(p_end) AS last_contact,
                   bool_or(estimated) AS estimated
            FROM building_pairs GROUP BY contact_id
        ),
        per_area AS (
            SELECT contact_id, array_to_string(list_sort(list_distinct(list(area))), ';') AS areas,
                   sum(overlap_us) AS area_us, min(p_start) AS first_contact, max(p_end) AS last_contact,
                   bool_or(estimated) AS estimated, bool_or(assumed) AS area_assumed
            FROM area_pairs GROUP BY contact_id
        ),
        c AS (
            SELECT coalesce(b.contact_id, a.contact_id) AS contact_id, coalesce(b.buildings, '') AS buildings,
                   coalesce(b.overlap_us, 0) AS overlap_us, coalesce(a.area_us, 0) AS area_us,
                   coalesce(a.areas, '') AS areas, coalesce(a.area_assumed, false) AS area_assumed,
                   least(b.first_contact, a.first_contact) AS first_contact,
                   greatest(b.last_contact, a.last_contact) AS last_contact,
                   coalesce(b.estimated, false) OR coalesce(a.estimated, false) AS estimated
            FROM per_building b FULL JOIN per_area a ON a.contact_id = b.contact_id
        )
    """


def _frame(con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any]) -> pd.DataFrame:
    return con.execute(query, {k: v for k, v in params.items() if f"${k}" in query}).df()


def _utc_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


# Ids are looked up by the primary-key index, ``person_id IN $ids`` with a list of at most
# ``_LOOKUP_BATCH``: DuckDB answers that from the index only up to ``index_scan_max_count``
# (2048) rows. A lookup costs ~8 us an id (mostly planning the list) whatever the table's
# size, and two cursors halve that on two cores; one scan of ``persons`` costs ~15 ns a
# person (1.1 M persons ~18 ms, 5.7 M ~80 ms; issue 27). The index is used while the ids are
# fewer than the persons over ``_SCAN_RATIO``: 12 489 contacts at 50 M visits take 55 ms
# instead of 80, 2 257 at 10 M 15 ms instead of 18.
_LOOKUP_BATCH = 2000
_SCAN_RATIO = 300


def _persons_estimate(con: duckdb.DuckDBPyConnection) -> int:
    """The number of rows of ``persons`` from the catalogue (no scan)."""
    rows = con.execute(
        "SELECT estimated_size FROM duckdb_tables() WHERE table_name = 'persons' AND schema_name = 'main' "
        "AND database_name = current_database()"
    ).fetchall()
    return int(rows[0][0] or 0) if rows else 0


def _in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``con`` is inside an explicit transaction: outside, each statement is a
    transaction of its own and gets a new id."""
    first = con.execute("SELECT txid_current()").fetchall()[0][0]
    return bool(con.execute("SELECT txid_current()").fetchall()[0][0] == first)


def person_details(con: duckdb.DuckDBPyConnection, person_ids: list[str]) -> pd.DataFrame:
    """``person_id, name, category, phone`` of the given persons that ``persons`` holds.

    Fetched by the primary key in batches (``_LOOKUP_BATCH``), where a join with ``persons``
    scans the whole table; one scan when the ids are many for the table's size
    (``_SCAN_RATIO``). More than one batch: a second cursor reads half of them in a thread,
    unless ``con`` is inside a transaction (a cursor would not see its writes). Unordered.
    """
    select = "SELECT person_id, name, category, phone FROM persons"
    unique = list(dict.fromkeys(str(p) for p in person_ids))
    if not unique:
        return con.execute(f"{select} WHERE false").df()  # the columns' types, no rows
    if len(unique) > _LOOKUP_BATCH and len(unique) * _SCAN_RATIO > _persons_estimate(con):
        return con.execute(f"{select} WHERE person_id IN (SELECT unnest($ids))", {"ids": unique}).df()

    def lookup(cursor: duckdb.DuckDBPyConnection, ids: list[str]) -> list[pd.DataFrame]:
        return [cursor.execute(f"{select} WHERE person_id IN $ids", {"ids": ids[first:first + _LOOKUP_BATCH]}).df()
                for first in range(0, len(ids), _LOOKUP_BATCH)]

    if len(unique) <= _LOOKUP_BATCH or _in_transaction(con):
        frames = lookup(con, unique)
    else:
        half = len(unique) // 2
        with con.cursor() as helper, ThreadPoolExecutor(max_workers=1) as pool:
            theirs = pool.submit(lookup, helper, unique[half:])
            frames = lookup(con, unique[:half]) + theirs.result()
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _with_person_details(con: duckdb.DuckDBPyConnection, contacts: pd.DataFrame) -> pd.DataFrame:
    """``contacts`` (a ``person_id`` column) with name, category and phone added, order kept.

    A contact missing from ``persons`` gets no name or phone and the category 'visitor'
    (RULES "Words": a person never categorised is a visitor), as the join did before.
    """
    details = person_details(con, contacts["person_id"].tolist())
    frame = contacts.merge(details, on="person_id", how="left", sort=False)
    frame["category"] = frame["category"].where(frame["category"].notna(), "visitor")
    return frame


# A trace names its contacts (CTE ``c``, column ``contact_id``) in its own statement, through
# persons.person_key (db.person_key): DuckDB filters one scan of 64-bit keys by the contacts'
# keys. At 50 M visits that names 12 489 contacts in ~30 ms of the trace, where the primary
# key took ~55 (issue 27). Joined on ``person_id`` too, so two ids sharing a key never swap
# names; ``_named_by_id`` names the rows this leaves without a category.
_NAMED_CONTACTS = f"""
        named AS (
            SELECT person_id, name, category, phone FROM persons
            WHERE person_key IN (SELECT {db.person_key("contact_id")} FROM c)
        )"""


def _named_by_id(con: duckdb.DuckDBPyConnection, contacts: pd.DataFrame) -> pd.DataFrame:
    """``contacts`` whose ``category`` is empty named by the primary key (order kept): a
    person written without a key (by a writer other than the import) or not in ``persons``
    at all, who then becomes a visitor (RULES "Words")."""
    unnamed = contacts["category"].isna()
    if unnamed.any():
        found = _with_person_details(con, contacts.loc[unnamed, ["person_id"]])
        for column in ("name", "category", "phone"):
            contacts.loc[unnamed, column] = found[column].to_numpy()
    return contacts


def _person_known(con: duckdb.DuckDBPyConnection, person_id: str) -> bool:
    """In ``persons`` (a primary-key lookup); only if not, any visit at all (a full scan)."""
    if con.execute("SELECT count(*) FROM persons WHERE person_id = ?", [person_id]).fetchall()[0][0]:
        return True
    rows = con.execute("SELECT 1 FROM visits WHERE person_id = ? LIMIT 1", [person_id]).fetchall()
    return bool(rows)


def _audit(
    con: duckdb.DuckDBPyConnection,
    actor: str,
    action: str,
    person_id: str,
    start: datetime,
    end: datetime,
    min_overlap_minutes: float,
    tail_minutes: float,
    rows: int,
    **extra: object,
) -> None:
    params = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "min_overlap_minutes": float(min_overlap_minutes),
        "tail_minutes": float(tail_minutes),
        **extra,
    }
    db.write_audit(con, actor, action, person_id, json.dumps(params, sort_keys=True), rows)


# --- public API --------------------------------------------------------------------------


def index_visits(
    con: duckdb.DuckDBPyConnection,
    person_id: str,
    start: datetime,
    end: datetime,
    tail_minutes: float = DEFAULT_TAIL_MINUTES,
    now: datetime | None = None,
) -> pd.DataFrame:
    """The case's visits as tracing uses them: ``building, start, end, checkout_kind``.

    ``end`` includes the tail; both ends are clipped to ``[start, end)`` (UTC,
    tz-aware). ``checkout_kind`` is 'scan', 'auto' or empty (None) while the person is
    still inside (the visit then ends at ``now``). Oldest first. Not audited: a page
    shows it next to an audited :func:`trace_contacts`.
    """
    params, _, _ = _params(start, end, tail_minutes, now)
    params["person"] = str(person_id)
    query = f"""
        SELECT building, v_start AS start, v_end AS "end", checkout_kind
        FROM ({_index_sql("person_id = $person")})
        ORDER BY start, building
    """
    return _utc_columns(_frame(con, query, params), ["start", "end"])


def contact_overlaps(
    con: duckdb.DuckDBPyConnection,
    person_id: str,
    start: datetime,
    end: datetime,
    min_overlap_minutes: float = DEFAULT_MIN_OVERLAP_MINUTES,
    tail_minutes: float = DEFAULT_TAIL_MINUTES,
    now: datetime | None = None,
) -> pd.DataFrame:
    """One row per contributing pair of the contacts: ``contact_id, building, area, start, end, minutes``.

    Only contacts of :func:`trace_contacts` (K1 or K2 under ``min_overlap_minutes``,
    RULES) appear; ``start``/``end`` is the shared stretch (UTC), ``minutes`` its length.
    A building overlap (a visit of the case with a visit of the contact) has an empty
    ``area``; a same-room overlap (RULES "Contact tracing", "Same room") names the room
    in ``area`` and ``assumed`` says whether a roster-assumed home-room segment made it
    (False for building rows). Ordered by contact, start, building, building rows
    before room rows. For a timeline chart; not audited.
    """
    params, _, _ = _params(start, end, tail_minutes, now)
    params.update(person=str(person_id), min_us=_min_overlap_us(min_overlap_minutes))
    query = f"""
        WITH {_graded_ctes(_has_places(con, params))},
        kept AS (SELECT contact_id FROM c WHERE area_us >= $min_us OR overlap_us >= $min_us),
        bars AS (
            SELECT contact_id, building, CAST(NULL AS VARCHAR) AS area, p_start, p_end, overlap_us,
                   false AS assumed, 0 AS kind
            FROM building_pairs
            UNION ALL
            SELECT contact_id, building, area, p_start, p_end, overlap_us, assumed, 1 AS kind
            FROM area_pairs
        )
        SELECT contact_id, building, area, p_start AS start, p_end AS "end",
               overlap_us / {US_PER_MINUTE}.0 AS minutes, assumed
        FROM bars SEMI JOIN kept USING (contact_id)
        ORDER BY contact_id, start, building, kind, area
    """
    frame = _utc_columns(_frame(con, query, params), ["start", "end"])
    frame["assumed"] = frame["assumed"].astype(bool)
    return frame


def trace_contacts(
    con: duckdb.DuckDBPyConnection,
    person_id: str,
    start: datetime,
    end: datetime,
    min_overlap_minutes: float = DEFAULT_MIN_OVERLAP_MINUTES,
    tail_minutes: float = DEFAULT_TAIL_MINUTES,
    actor: str = "cli",
    now: datetime | None = None,
    audit: bool = True,
) -> pd.DataFrame:
    """The contacts of ``person_id`` in ``[start, end)`` (RULES "Contact tracing").

    Columns (``CONTACT_COLUMNS``): person_id, name, category, phone, buildings (building
    ids of the building overlap joined with ``;``, sorted), overlap_minutes (float,
    minutes of real time, unrounded), first_contact / last_contact (UTC: start of the
    first and end of the last shared stretch, building or room), estimated (bool: a
    contributing visit or stay ended automatically or is still open), unit (roster),
    grade ('K1' same room, 'K2' same building), areas (areas with a positive same-room
    overlap, ``;``-joined, sorted), area_minutes (float), area_assumed (bool: an assumed
    home-room segment on either side contributed). K1 first, then area_minutes, then
    overlap_minutes, longest first, then person_id. ``now`` (UTC) ends visits and stays
    still open; default the clock.

    Writes one audit record ('trace', with the window, minimum, tail and the number of
    contacts) when ``audit``, also when the person is unknown, which then raises
    :class:`UnknownPersonError` (a typo must not read as "no contacts").
    """
    person_id = str(person_id)
    params, start_utc, end_utc = _params(start, end, tail_minutes, now)
    params.update(person=person_id, min_us=_min_overlap_us(min_overlap_minutes))
    if not _person_known(con, person_id):
        if audit:
            _audit(con, actor, "trace", person_id, start_utc, end_utc, min_overlap_minutes, tail_minutes, 0,
                   unknown_person=True)
        raise UnknownPersonError(person_id)
    query = f"""
        WITH c AS MATERIALIZED ({_graded_sql(_has_places(con, params))}),
        {_NAMED_CONTACTS}
        SELECT c.contact_id AS person_id, n.name, n.category, n.phone,
               c.buildings, c.overlap_us / {US_PER_MINUTE}.0 AS overlap_minutes,
               c.first_contact, c.last_contact, c.estimated, r.unit, c.grade, c.areas,
               c.area_us / {US_PER_MINUTE}.0 AS area_minutes, c.area_assumed
        FROM c LEFT JOIN roster r ON r.person_id = c.contact_id
               LEFT JOIN named n ON n.person_id = c.contact_id
    """
    # The rules' order, in pandas: DuckDB's sort of ~12 000 contacts cost ~10 ms (issue 27).
    # The minutes are the integer overlaps over one constant, so their ties are the same.
    frame = _frame(con, query, params).sort_values(
        ["grade", "area_minutes", "overlap_minutes", "person_id"], ascending=[True, False, False, True],
        kind="stable", ignore_index=True,
    )
    frame = _named_by_id(con, frame)
    frame = _utc_columns(frame, ["first_contact", "last_contact"])
    for column in ("estimated", "area_assumed"):
        frame[column] = frame[column].astype(bool)
    for column in ("overlap_minutes", "area_minutes"):
        frame[column] = frame[column].astype(float)
    frame = frame[CONTACT_COLUMNS].reset_index(drop=True)
    if audit:
        _audit(con, actor, "trace", person_id, start_utc, end_utc, min_overlap_minutes, tail_minutes, len(frame))
    return frame


def second_degree_contacts(
    con: duckdb.DuckDBPyConnection,
    person_id: str,
    start: datetime,
    end: datetime,
    min_overlap_minutes: float = DEFAULT_MIN_OVERLAP_MINUTES,
    tail_minutes: float = DEFAULT_TAIL_MINUTES,
    actor: str = "cli",
    now: datetime | None = None,
) -> pd.DataFrame:
    """Contacts of the contacts, one row per person (neither the case nor a first-degree contact).

    Each first-degree contact is traced like an index person with the same window,
    minimum and tail. A person is listed when they meet the minimum with at least one
    first-degree contact; ``via`` joins those contacts' ids with ``;`` (sorted);
    ``overlap_minutes`` is the longest of those links (not a sum across contacts),
    ``buildings``/``first_contact``/``last_contact``/``estimated`` cover all of them.
    Columns as :func:`trace_contacts` plus ``via``; same order. Audited as
    'trace_second_degree' (with the number of first-degree contacts).
    """
    person_id = str(person_id)
    first = trace_contacts(con, person_id, start, end, min_overlap_minutes, tail_minutes,
                           actor=actor, now=now, audit=False)
    params, start_utc, end_utc = _params(start, end, tail_minutes, now)
    first_ids = [str(x) for x in first["person_id"]]
    params.update(
        first=first_ids,
        excluded=[person_id, *first_ids],
        min_us=_min_overlap_us(min_overlap_minutes),
    )
    if first_ids:
        pairs = _pairs_sql(
            "list_contains(CAST($first AS VARCHAR[]), person_id)",
            "list_contains(CAST($excluded AS VARCHAR[]), person_id)",
        )
        query = f"""
            WITH links AS ({_contacts_sql(pairs, "index_id")}),
            c AS MATERIALIZED (
                SELECT contact_id, max(overlap_us) AS overlap_us,
                       array_to_string(list_sort(list_distinct(flatten(list(string_split(buildings, ';'))))), ';')
                           AS buildings,
                       min(first_contact) AS first_contact, max(last_contact) AS last_contact,
                       bool_or(estimated) AS estimated,
                       array_to_string(list_sort(list(index_id)), ';') AS via
                FROM links GROUP BY contact_id
            ),
            {_NAMED_CONTACTS}
            SELECT c.contact_id AS person_id, n.name, n.category, n.phone,
                   c.buildings, c.overlap_us / {US_PER_MINUTE}.0 AS overlap_minutes,
                   c.first_contact, c.last_contact, c.estimated, c.via
            FROM c LEFT JOIN named n ON n.person_id = c.contact_id
            ORDER BY c.overlap_us DESC, c.contact_id
        """
        frame = _named_by_id(con, _frame(con, query, params))
        frame = _utc_columns(frame, ["first_contact", "last_contact"])
        frame["estimated"] = frame["estimated"].astype(bool)
    else:
        frame = _empty(SECOND_DEGREE_COLUMNS)
    frame = frame[SECOND_DEGREE_COLUMNS].reset_index(drop=True)
    _audit(con, actor, "trace_second_degree", person_id, start_utc, end_utc, min_overlap_minutes,
           tail_minutes, len(frame), first_degree=len(first_ids))
    return frame


def _empty(columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    for column in ("first_contact", "last_contact", "last_seen"):
        if column in frame.columns:
            frame[column] = pd.Series(dtype="datetime64[us, UTC]")
    if "overlap_minutes" in frame.columns:
        frame["overlap_minutes"] = pd.Series(dtype="float64")
    if "estimated" in frame.columns:
        frame["estimated"] = pd.Series(dtype="bool")
    return frame


def _find_persons(con: duckdb.DuckDBPyConnection, query: str, limit: int) -> tuple[pd.DataFrame, int]:
    """:func:`find_persons`'s rows and the number of all persons that match."""
    text = (query or "").strip()
    if not text or limit <= 0:
        return _empty(PERSON_COLUMNS), 0
    digits = "".join(ch for ch in text if ch.isdigit())
    digits0 = "0" + digits[2:] if digits.startswith("62") else digits
    # The keys (lowered, accents stripped, the phone's digits) come ready from the search
    # index that every write of persons keeps (lib.store.person_search, where the NUL-joined
    # keys are shown to give exactly the per-field answer; issue 27): computing them for
    # every person on every search took 1.76 s at 1.1 M persons.
    tests = [] if "\x00" in text else ["contains(s.text_key, q.q)"]  # no stored cell holds a NUL
    if len(digits) >= 3:
        tests.append("contains(s.digit_key, q.digits)")
        if digits0 != digits:
            tests.append("contains(s.digit_key, q.digits0)")
    if not tests:
        return _empty(PERSON_COLUMNS), 0
    # Only the ids of the matches are read here: a common surname matches a few hundred
    # thousand persons at 50 M visits, and their names and phones took ~0.3 s to fetch
    # (a scan of ``persons``); only the listed ones are fetched below (issue 27).
    hits = con.sql(
        f"""
        WITH q AS (SELECT strip_accents(lower($q)) AS q, $digits AS digits, $digits0 AS digits0)
        SELECT s.person_id FROM person_search s, q WHERE {" OR ".join(tests)}
        """,
        params={"q": text, "digits": digits, "digits0": digits0},
    ).to_arrow_table()
    if hits.num_rows == 0:
        return _empty(PERSON_COLUMNS), 0
    # A common surname matches tens of thousands of persons, and their last visits over
    # the whole history took ~1 s at 10 M visits. The persons seen in the last days of the
    # data come first in the order, and a person seen since `since` has their (exact) last
    # visit among those since then. So the windows of SEEN_WINDOWS_DAYS are read from the
    # shortest (zone maps on checkin_at skip the rest) until one settles the page: it
    # fills the page, or every match was seen in it (a NIK typed: one person, issue 27);
    # the whole history only otherwise. ``rank`` keeps the persons tied with the last
    # listed, whom the name then orders.
    con.register("find_persons_hits", hits)
    try:
        latest = con.execute("SELECT max(checkin_at) FROM visits").fetchall()[0][0]
        frame = pd.DataFrame()
        for days in SEEN_WINDOWS_DAYS if latest is not None else ():
            if days is None:
                break
            seen = con.execute(
                """
                SELECT v.person_id, max(v.checkin_at) AS last_seen
                FROM visits v SEMI JOIN find_persons_hits h ON h.person_id = v.person_id
                WHERE v.checkin_at >= $since
                GROUP BY v.person_id
                QUALIFY rank() OVER (ORDER BY max(v.checkin_at) DESC) <= $limit
                """,
                {"since": latest - timedelta(days=days), "limit": int(limit)},
            ).df()
            if len(seen) >= limit or len(seen) == hits.num_rows:
                frame = seen.merge(_listed_details(con, seen["person_id"].tolist()), on="person_id", how="inner")
                frame = frame.sort_values(["last_seen", "name", "person_id"], ascending=[False, True, True],
                                          na_position="last", kind="stable").head(limit)
                break
        if frame.empty:
            frame = con.execute(
                """
                WITH seen AS (
                    SELECT v.person_id, max(v.checkin_at) AS last_seen
                    FROM visits v SEMI JOIN find_persons_hits h ON h.person_id = v.person_id
                    GROUP BY v.person_id
                )
                SELECT p.person_id, p.name, p.category, p.phone, r.unit, s.last_seen
                FROM persons p SEMI JOIN find_persons_hits h ON h.person_id = p.person_id
                LEFT JOIN roster r ON r.person_id = p.person_id
                LEFT JOIN seen s ON s.person_id = p.person_id
                ORDER BY s.last_seen DESC NULLS LAST, p.name, p.person_id
                LIMIT $limit
                """,
                {"limit": int(limit)},
            ).df()
    finally:
        con.unregister("find_persons_hits")
    frame["unit"] = frame["unit"].astype(object).where(frame["unit"].notna(), None)
    return _utc_columns(frame, ["last_seen"])[PERSON_COLUMNS].reset_index(drop=True), hits.num_rows


def _listed_details(con: duckdb.DuckDBPyConnection, person_ids: list[str]) -> pd.DataFrame:
    """``person_id, name, category, phone, unit`` of a page of listed persons (by the index)."""
    details = person_details(con, person_ids)
    units = con.execute(
        "SELECT person_id, unit FROM roster WHERE person_id IN (SELECT unnest($ids))", {"ids": person_ids}
    ).df()
    return details.merge(units, on="person_id", how="left")


def find_persons(con: duckdb.DuckDBPyConnection, query: str, limit: int = SEARCH_LIMIT) -> pd.DataFrame:
    """Persons whose name, person_id or phone contains ``query``, for picking an index case.

    Partial, case- and accent-insensitive ("selly" finds "Sélly"). A phone matches on
    its digits alone, and a leading country code 62 reads as 0 ("+62 812-34" finds
    "081234..."). Columns person_id, name, category, phone, unit (the person's unit when
    the staff roster gives one; else empty), last_seen (UTC instant of the
    person's latest check-in; empty if none), most recent first, at most ``limit``
    rows. An empty query finds nobody (no browsing of personal data). Not audited: see
    :func:`search_persons`.
    """
    return _find_persons(con, query, limit)[0]


@dataclass(frozen=True)
class PersonSearch:
    """One search for a person: the text typed, the listed matches and how many matched."""

    query: str
    matches: pd.DataFrame  # find_persons' rows, at most the limit
    total: int  # every person that matches, listed or not

    @property
    def more_than_listed(self) -> bool:
        """True when more persons match than are listed (the tracer should type more)."""
        return self.total > len(self.matches)


def search_persons(
    con: duckdb.DuckDBPyConnection,
    query: str,
    actor: str,
    limit: int = SEARCH_LIMIT,
    audit: bool = True,
) -> PersonSearch:
    """:func:`find_persons` for a user, audited (RULES "Personal data", "Contact tracing").

    The search lists names, ids and phones, so it is written to the audit log like a
    trace: action ``find_person``, subject the text typed (stripped), params
    ``{"query", "matches", "listed"}``, rows = the number of persons that matched. An
    empty text searches nothing and writes nothing. The caller decides when a search is
    a new one (``audit=False`` for a repeat of the same text, e.g. a page rerun).
    """
    text = (query or "").strip()
    matches, total = _find_persons(con, text, limit)
    if text and audit:
        params = {"query": text, "matches": total, "listed": len(matches)}
        db.write_audit(con, actor, SEARCH_ACTION, text, json.dumps(params, sort_keys=True, ensure_ascii=False), total)
    return PersonSearch(text, matches, total)


def match_label(person: Mapping[str, Any], tz_name: str, lang: str | None = None) -> str:
    """One match as a tracer picks it: 'Name · id · category · phone · unit · last seen'.

    The category in words, the last visit as local time with the zone named
    ('terakhir 03/01/2022 08:00 WITA'), the unit only when one is known (no empty part).
    """
    category = str(person.get("category") or "visitor")
    category_key = f"tracing.category.{category}"
    last_seen = person.get("last_seen")
    unit = person.get("unit")
    parts = [
        person.get("name") or "",
        str(person.get("person_id") or ""),
        t(category_key, lang) if category in db.CATEGORIES else category,
        person.get("phone") or "",
        unit if isinstance(unit, str) and unit.strip() else "",
        t("tracing.last_seen", lang, when=format_local_short(last_seen, tz_name))
        if last_seen is not None and not pd.isna(last_seen)
        else t("tracing.never_seen", lang),
    ]
    return " · ".join(str(p) for p in parts if p)


def via_summary(
    via: str | None, names: Mapping[str, Any], lang: str | None = None, shown: int = VIA_SHOWN
) -> str:
    """A second-degree contact's links in words: 'Name (id), Name (id) +12 lainnya'.

    ``via`` is :func:`second_degree_contacts`'s ids joined with ``;``; ``names`` maps an
    id to its name (the first-degree contacts, closest first). At most ``shown`` people
    are named, in ``names``' order (ids it lacks last, by id); the rest are counted.
    """
    rank = {str(person_id): index for index, person_id in enumerate(names)}
    ids = sorted((p for p in (via or "").split(";") if p), key=lambda p: (rank.get(p, len(rank)), p))
    named = []
    for person_id in ids[:shown]:
        name = names.get(person_id)
        named.append(f"{name} ({person_id})" if isinstance(name, str) and name else person_id)
    text = ", ".join(named)
    if len(ids) > shown:
        text += " " + t("tracing.via_more", lang, count=len(ids) - shown)
    return text
