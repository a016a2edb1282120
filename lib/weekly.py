"""Weekly statistics per building (SPEC "Weekly statistics") and the weekly trend.

Weeks are ISO weeks (Monday first) in each building's local time (SPEC "Time"); a visit
belongs to the week and the day of its check-in. No total row across buildings: persons
do not add up across buildings, and pages and the command line show one row per building.

Fast at millions of visits: whole weeks whose figures can no longer change are read
from ``weekly_figures`` and the hourly peaks from ``hourly_figures`` (``lib.aggregates``
keeps both up to date at import, exactly equal to what the SQL and sweep below give);
only the rest (usually the current week) is computed. Crowding episodes are not stored:
one sweep over one week (plus a margin) per call is cheap. ``use_stored=False`` computes
everything from the visits (the reference the tests compare against).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd

from lib import db
from lib.aggregates import hourly_arrays, stored_weeks
from lib.crowding import effective_thresholds, episodes_for
from lib.occupancy import HOUR_US, building_list, from_us, resolve_now, to_us
from lib.timeutil import fixed_offset_seconds
from lib.visits import effective_visits_sql, now_sql

DAY_US = 24 * HOUR_US
WEEK_US = 7 * DAY_US
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
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
    monday = date.fromisocalendar(year, week, 1)
    zone = ZoneInfo(tz)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
    following = monday + timedelta(days=7)
    end = datetime(following.year, following.month, following.day, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _monday(year: int, week: int) -> date:
    return date.fromisocalendar(year, week, 1)


def _weeks_back(week: str, count: int) -> list[tuple[int, int]]:
    """The ``count`` ISO weeks ending with ``week``, oldest first."""
    monday = _monday(*parse_iso_week(week))
    weeks = []
    for back in range(count - 1, -1, -1):
        iso = (monday - timedelta(weeks=back)).isocalendar()
        weeks.append((iso.year, iso.week))
    return weeks


def _week_aggregates_live(
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
    end_utc = [
        datetime(last_monday.year, last_monday.month, last_monday.day, tzinfo=ZoneInfo(tz)).astimezone(UTC)
        for _, tz in targets
    ]
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
    # SPEC "Weekly statistics" + "Time": a visit counts in the local ISO week and day of its
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


def _week_aggregates(
    con: duckdb.DuckDBPyConnection,
    targets: list[tuple[str, str]],
    first_monday: date,
    n_weeks: int,
    now: datetime,
    detail: bool,
    use_stored: bool = True,
) -> pd.DataFrame:
    """``_week_aggregates_live``, with the weeks ``lib.aggregates`` keeps read from there
    (the same SQL's stored result) and only the others computed (usually the last)."""
    if not use_stored or not targets:
        return _week_aggregates_live(con, targets, first_monday, n_weeks, now, detail)
    counts, stored = stored_weeks(con, targets, first_monday, n_weeks, now)
    frames = [stored] if len(stored) else []
    live_from = int(counts.min())
    if live_from < n_weeks:
        live = _week_aggregates_live(
            con, targets, first_monday + timedelta(weeks=live_from), n_weeks - live_from, now, detail
        )
        if len(live):
            live["week_index"] += live_from
            done = live["building"].map(dict(zip([b for b, _ in targets], counts, strict=True)))
            frames.append(live[live["week_index"] >= done])
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    columns = list(_week_aggregates_columns(detail))
    return frame[["building", "week_index", *columns]].astype({"week_index": np.int64})


def _week_aggregates_columns(detail: bool) -> tuple[str, ...]:
    if detail:
        return ("visits", "median_stay_minutes", "auto_closed", *(f"day{d}" for d in range(7)),
                "persons", "persons_ASN", "persons_THL", "persons_visitor")
    return ("visits", "median_stay_minutes", "persons")


def _weekly_peaks(
    con: duckdb.DuckDBPyConnection,
    targets: list[tuple[str, str]],
    first_monday: date,
    n_weeks: int,
    now: datetime,
    use_stored: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Highest hourly ``peak`` per (building, week) and the UTC µs of its first hour (-1: none).

    Arrays shaped (buildings, weeks); SPEC "Occupancy" peak, local hours. The hourly
    peaks come from ``lib.aggregates.hourly_arrays`` (stored hours, the rest live).
    """
    zones = [tz for _, tz in targets]
    per_zone = {
        tz: [to_us(week_bounds(*(first_monday + timedelta(weeks=w)).isocalendar()[:2], tz)[0]) for w in range(n_weeks + 1)]
        for tz in set(zones)
    }
    week_starts = np.asarray([per_zone[tz] for tz in zones], dtype=np.int64).reshape(len(zones), n_weeks + 1)
    peaks = np.zeros((len(zones), n_weeks), dtype=np.int64)
    peak_hours = np.full((len(zones), n_weeks), -1, dtype=np.int64)
    if not targets:
        return peaks, peak_hours
    first = week_starts[:, 0]
    hours = (week_starts[:, -1] - first) // HOUR_US
    result = hourly_arrays(con, targets, first, hours, now, by_category=False, with_person=False, use_stored=use_stored)
    for g in range(len(zones)):
        peak = result.peak[result.offset[g] : result.offset[g] + hours[g]]
        # Week w owns hours [bounds[w], bounds[w + 1]) of this building (local weeks).
        bounds = (week_starts[g] - first[g]) // HOUR_US
        for w in range(n_weeks):
            in_week = peak[bounds[w] : bounds[w + 1]]
            if len(in_week) and in_week.max() > 0:
                best = int(np.argmax(in_week))
                peaks[g, w] = int(in_week[best])
                peak_hours[g, w] = int(first[g] + (bounds[w] + best) * HOUR_US)
    return peaks, peak_hours


def _change_pct(current: pd.Series, previous: pd.Series) -> pd.Series:
    """Change against the previous week in percent; empty when the previous week had none."""
    prev = previous.astype(float)
    return ((current.astype(float) - prev) / prev * 100).where(prev > 0)


def leadership_buildings(con: duckdb.DuckDBPyConnection, building: str | None) -> list[tuple[str, str]]:
    """``building_list`` without the buildings first seen in an import and not yet confirmed:
    a typo in a log must not add a building (and a block of zeros) to the leadership's
    totals (SPEC "Import", last rule)."""
    new = db.unconfirmed_buildings(con)
    return [(b, tz) for b, tz in building_list(con, building) if b not in new]


def weekly_stats(
    con: duckdb.DuckDBPyConnection,
    week: str,
    building: str | None = None,
    now: datetime | None = None,
    use_stored: bool = True,
    confirmed_only: bool = False,
) -> pd.DataFrame:
    """One row per building (all, or ``building``) for the local ISO week ``week``.

    ``confirmed_only``: leave out unconfirmed buildings (the leadership's page and reports).

    Columns: ``week`` ('2022-W02'), ``building``; ``visits`` (check-in in the week),
    ``persons`` and ``persons_ASN/THL/visitor`` (distinct persons of those visits, per
    the visit's category); ``visits_per_day`` (visits / 7) and ``visits_mon..visits_sun``
    (by local day of check-in); ``busiest_day`` (local date, the earliest of equal days;
    empty without visits) and ``busiest_day_visits``; ``peak_hour`` (UTC instant of the
    start of the first local hour with the week's highest hourly peak; empty when nobody
    was inside) and ``peak`` (SPEC "Occupancy", every visit inside during the week counts,
    even one begun the week before); ``median_stay_minutes`` (scanned check-outs only);
    ``auto_close_share`` (0..1: visits closed automatically / visits, open visits past
    their MAX_STAY at ``now`` included); ``crowding_episodes`` (episodes overlapping the
    week) and ``crowding_minutes`` (their minutes inside the week, so weeks add up; 0 for
    a building without threshold); ``visits_prev``, ``persons_prev`` and
    ``visits_change_pct``, ``persons_change_pct`` (percent against the previous ISO week,
    empty when it had none).
    """
    year, number = parse_iso_week(week)
    label = week_label(year, number)
    now = resolve_now(now)
    targets = leadership_buildings(con, building) if confirmed_only else building_list(con, building)
    this_monday = _monday(year, number)
    previous_monday = this_monday - timedelta(weeks=1)
    counts = _week_aggregates(con, targets, previous_monday, 2, now, detail=True, use_stored=use_stored)
    current = counts[counts["week_index"] == 1].set_index("building") if len(counts) else pd.DataFrame()
    previous = counts[counts["week_index"] == 0].set_index("building") if len(counts) else pd.DataFrame()
    names = [b for b, _ in targets]
    frame = pd.DataFrame({"week": [label] * len(names), "building": names})

    def column(source: pd.DataFrame, name: str) -> pd.Series:
        if name not in source.columns:
            return pd.Series([0] * len(names), dtype=np.int64)
        return source[name].reindex(names).fillna(0).astype(np.int64).reset_index(drop=True)

    frame["visits"] = column(current, "visits")
    frame["persons"] = column(current, "persons")
    for category in ("ASN", "THL", "visitor"):
        frame[f"persons_{category}"] = column(current, f"persons_{category}")
    frame["visits_per_day"] = frame["visits"] / 7
    per_day = np.stack([column(current, f"day{day}").to_numpy() for day in range(7)], axis=1) if names else np.zeros((0, 7), dtype=np.int64)
    for day, day_name in enumerate(WEEKDAY_NAMES):
        frame[f"visits_{day_name}"] = per_day[:, day]
    busiest = per_day.argmax(axis=1) if names else np.zeros(0, dtype=np.int64)
    frame["busiest_day"] = pd.Series(
        [this_monday + timedelta(days=int(d)) if v > 0 else None for d, v in zip(busiest, frame["visits"], strict=True)],
        dtype=object,
    )
    frame["busiest_day_visits"] = per_day.max(axis=1) if names else np.zeros(0, dtype=np.int64)

    peaks, peak_hours = _weekly_peaks(con, targets, this_monday, 1, now, use_stored)
    frame["peak_hour"] = from_us(np.where(peak_hours[:, 0] >= 0, peak_hours[:, 0], 0)).where(peak_hours[:, 0] >= 0)
    frame["peak"] = peaks[:, 0]
    frame["median_stay_minutes"] = (
        current["median_stay_minutes"].reindex(names).astype(float).reset_index(drop=True)
        if "median_stay_minutes" in current.columns
        else pd.Series([np.nan] * len(names), dtype=float)
    )
    frame["auto_close_share"] = (column(current, "auto_closed") / frame["visits"].astype(float)).where(frame["visits"] > 0)

    episodes, minutes = _weekly_crowding(con, targets, year, number, now)
    frame["crowding_episodes"] = np.asarray([episodes.get(b, 0) for b in names], dtype=np.int64)
    frame["crowding_minutes"] = np.asarray([minutes.get(b, 0.0) for b in names], dtype=float)
    frame["visits_prev"] = column(previous, "visits")
    frame["visits_change_pct"] = _change_pct(frame["visits"], frame["visits_prev"])
    frame["persons_prev"] = column(previous, "persons")
    frame["persons_change_pct"] = _change_pct(frame["persons"], frame["persons_prev"])
    return frame


def _weekly_crowding(
    con: duckdb.DuckDBPyConnection, targets: list[tuple[str, str]], year: int, number: int, now: datetime
) -> tuple[dict[str, int], dict[str, float]]:
    """Episodes overlapping the local week and their minutes inside it, per building."""
    thresholds = effective_thresholds(con)
    by_zone: dict[str, list[tuple[str, int]]] = {}
    for name, tz in targets:
        limit = thresholds.get(name)
        if limit is not None:
            by_zone.setdefault(tz, []).append((name, limit))
    counts: dict[str, int] = {}
    minutes: dict[str, float] = {}
    for tz, pairs in by_zone.items():
        start, end = week_bounds(year, number, tz)
        episodes = episodes_for(con, pairs, start, end, now)
        if episodes.empty:
            continue
        inside = (episodes["end"].clip(upper=end) - episodes["start"].clip(lower=start)).dt.total_seconds() / 60
        grouped = pd.DataFrame({"building": episodes["building"], "minutes": inside}).groupby("building")
        counts.update(grouped.size().astype(int).to_dict())
        minutes.update(grouped["minutes"].sum().astype(float).to_dict())
    return counts, minutes


def weekly_trend(
    con: duckdb.DuckDBPyConnection,
    week: str,
    weeks: int = 12,
    building: str | None = None,
    now: datetime | None = None,
    use_stored: bool = True,
    confirmed_only: bool = False,
) -> pd.DataFrame:
    """The ``weeks`` ISO weeks ending with ``week``, oldest first, per building.

    ``confirmed_only``: leave out unconfirmed buildings, as ``weekly_stats``.

    Columns ``week, building, visits, persons, peak, median_stay_minutes`` with the same
    meaning as in ``weekly_stats``; every week of every building is a row (zeros, and an
    empty median, in weeks without visits).
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    now = resolve_now(now)
    targets = leadership_buildings(con, building) if confirmed_only else building_list(con, building)
    names = [b for b, _ in targets]
    labels = [week_label(y, w) for y, w in _weeks_back(week, weeks)]
    first_monday = _monday(*parse_iso_week(labels[0]))
    counts = _week_aggregates(con, targets, first_monday, weeks, now, detail=False, use_stored=use_stored)
    peaks, _ = _weekly_peaks(con, targets, first_monday, weeks, now, use_stored)
    frame = pd.DataFrame(
        {
            "week": np.tile(np.asarray(labels, dtype=object), len(names)),
            "building": np.repeat(np.asarray(names, dtype=object), weeks),
            "week_index": np.tile(np.arange(weeks), len(names)),
        }
    )
    if len(counts):
        frame = frame.merge(counts, on=["building", "week_index"], how="left")
    for column in ("visits", "persons"):
        frame[column] = frame[column].fillna(0).astype(np.int64) if column in frame else 0
    frame["peak"] = peaks.reshape(-1) if len(names) else np.zeros(0, dtype=np.int64)
    if "median_stay_minutes" not in frame:
        frame["median_stay_minutes"] = np.nan
    frame["median_stay_minutes"] = frame["median_stay_minutes"].astype(float)
    return frame[["week", "building", "visits", "persons", "peak", "median_stay_minutes"]]
