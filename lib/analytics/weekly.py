"""Weekly statistics per building (RULES "Weekly statistics") and the weekly trend.

Weeks are ISO weeks (Monday first) in each building's local time (RULES "Time"); a visit
belongs to the week and the day of its check-in. ``weekly_stats`` has no total row across
buildings (persons do not add up across buildings; the command line shows one row per
building); :func:`city_week_totals` counts the city as a whole, each person once.

Fast at millions of visits: whole weeks whose figures can no longer change are read
from ``weekly_figures`` and the hourly peaks from ``hourly_figures`` (``lib.analytics.figures``
keeps both up to date at import, exactly equal to what the SQL and sweep below give);
only the rest (usually the current week) is computed. Crowding episodes are not stored:
one sweep over one week (plus a margin) per call is cheap. ``use_stored=False`` computes
everything from the visits (the reference the tests compare against).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd

from lib.analytics.crowding import episodes_for
from lib.analytics.figures import hourly_arrays, open_since, stored_weeks
from lib.analytics.sweep import HOUR_US, building_list, from_us, resolve_now, to_us
from lib.analytics.visits import effective_visits_sql, now_sql
from lib.analytics.week_counts import DAY_US, WEEK_US, parse_iso_week, week_bounds, week_counts, week_label
from lib.core.timeutil import fixed_offset_seconds
from lib.store import db
from lib.store.places import thresholds as building_thresholds

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


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


def _week_aggregates(
    con: duckdb.DuckDBPyConnection,
    targets: list[tuple[str, str]],
    first_monday: date,
    n_weeks: int,
    now: datetime,
    detail: bool,
    use_stored: bool = True,
    opens: dict[str, int] | None = None,
) -> pd.DataFrame:
    """``week_counts``, with the weeks ``lib.analytics.figures`` keeps read from there
    (the same SQL's stored result) and only the others computed (usually the last).
    ``opens``: ``figures.open_since(con, now)`` when the caller has it already."""
    if not use_stored or not targets:
        return week_counts(con, targets, first_monday, n_weeks, now, detail)
    counts, stored = stored_weeks(con, targets, first_monday, n_weeks, now, opens=opens)
    frames = [stored] if len(stored) else []
    live_from = int(counts.min())
    if live_from < n_weeks:
        live = week_counts(
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
    opens: dict[str, int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Highest hourly ``peak`` per (building, week) and the UTC µs of its first hour (-1: none).

    Arrays shaped (buildings, weeks); RULES "Occupancy" peak, local hours. The hourly
    peaks come from ``lib.analytics.figures.hourly_arrays`` (stored hours, the rest live).
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
    result = hourly_arrays(con, targets, first, hours, now, by_category=False, with_person=False, use_stored=use_stored,
                           opens=opens)
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


def _change_pct(current: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """Change against the previous week in percent; empty when the previous week had none."""
    prev = np.asarray(previous, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(prev > 0, (np.asarray(current, dtype=float) - prev) / prev * 100, np.nan)


def leadership_buildings(con: duckdb.DuckDBPyConnection, building: str | None) -> list[tuple[str, str]]:
    """``building_list`` without the buildings first seen in an import and not yet confirmed:
    a typo in a log must not add a building (and a block of zeros) to the leadership's
    totals (RULES "Import", last rule)."""
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
    was inside) and ``peak`` (RULES "Occupancy", every visit inside during the week counts,
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
    # The stored figures and the hourly peaks both need the visits still open at `now`:
    # read once (lib.analytics.figures.open_since), not once per use (issue 27).
    opens = open_since(con, now) if use_stored and targets else None
    counts = _week_aggregates(con, targets, previous_monday, 2, now, detail=True, use_stored=use_stored,
                              opens=opens)
    names = [b for b, _ in targets]
    current = _by_building(counts, 1, names)
    previous = _by_building(counts, 0, names)

    def column(source: dict[str, np.ndarray], name: str) -> np.ndarray:
        values = source.get(name)
        return np.zeros(len(names), dtype=np.int64) if values is None else np.nan_to_num(values).astype(np.int64)

    # The frame is built at once from arrays: ~30 column inserts into a DataFrame cost more
    # than the week's SQL (issue 27).
    visits, persons = column(current, "visits"), column(current, "persons")
    per_day = np.stack([column(current, f"day{day}") for day in range(7)], axis=1).reshape(len(names), 7)
    busiest = per_day.argmax(axis=1) if names else np.zeros(0, dtype=np.int64)
    peaks, peak_hours = _weekly_peaks(con, targets, this_monday, 1, now, use_stored, opens=opens)
    median = current.get("median_stay_minutes")
    episodes, minutes = _weekly_crowding(con, targets, year, number, now)
    visits_prev, persons_prev = column(previous, "visits"), column(previous, "persons")
    visits_float = visits.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        auto_share = np.where(visits > 0, column(current, "auto_closed") / visits_float, np.nan)
    columns: dict[str, object] = {
        "week": [label] * len(names),
        "building": names,
        "visits": visits,
        "persons": persons,
        **{f"persons_{category}": column(current, f"persons_{category}") for category in db.CATEGORIES},
        "visits_per_day": visits / 7,
        **{f"visits_{day_name}": per_day[:, day] for day, day_name in enumerate(WEEKDAY_NAMES)},
        "busiest_day": pd.Series(
            [this_monday + timedelta(days=int(d)) if v > 0 else None for d, v in zip(busiest, visits, strict=True)],
            dtype=object,
        ),
        "busiest_day_visits": per_day.max(axis=1) if names else np.zeros(0, dtype=np.int64),
        "peak_hour": from_us(np.where(peak_hours[:, 0] >= 0, peak_hours[:, 0], 0)).where(peak_hours[:, 0] >= 0),
        "peak": peaks[:, 0],
        "median_stay_minutes": np.full(len(names), np.nan) if median is None else median.astype(float),
        "auto_close_share": auto_share,
        "crowding_episodes": np.asarray([episodes.get(b, 0) for b in names], dtype=np.int64),
        "crowding_minutes": np.asarray([minutes.get(b, 0.0) for b in names], dtype=float),
        "visits_prev": visits_prev,
        "visits_change_pct": _change_pct(visits, visits_prev),
        "persons_prev": persons_prev,
        "persons_change_pct": _change_pct(persons, persons_prev),
    }
    return pd.DataFrame(columns)


def _by_building(counts: pd.DataFrame, week_index: int, names: list[str]) -> dict[str, np.ndarray]:
    """The columns of ``counts``' rows of one week as arrays in ``names``' order; NaN (float)
    where a building has no row."""
    if not len(counts):
        return {}
    rows = counts[counts["week_index"] == week_index]
    positions = pd.Index(rows["building"]).get_indexer(names)
    found = positions >= 0
    out = {}
    for name in rows.columns:
        if name in ("building", "week_index"):
            continue
        values = rows[name].to_numpy(dtype=float, na_value=np.nan)
        picked = np.full(len(names), np.nan)
        picked[found] = values[positions[found]]
        out[name] = picked
    return out


def _weekly_crowding(
    con: duckdb.DuckDBPyConnection, targets: list[tuple[str, str]], year: int, number: int, now: datetime
) -> tuple[dict[str, int], dict[str, float]]:
    """Episodes overlapping the local week and their minutes inside it, per building."""
    thresholds = building_thresholds(con)
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
    opens = open_since(con, now) if use_stored and targets else None  # once for both (issue 27)
    counts = _week_aggregates(con, targets, first_monday, weeks, now, detail=False, use_stored=use_stored,
                              opens=opens)
    peaks, _ = _weekly_peaks(con, targets, first_monday, weeks, now, use_stored, opens=opens)
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


# --- what leadership sees: the buildings counted, the weeks to pick, city-wide totals ----


def reported_buildings(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The buildings leadership's totals and choices cover, by id: every confirmed building.

    The one place that decides it: pages pass this list to :func:`city_week_totals`,
    :func:`data_weeks` and :func:`largest_building` and filter the weekly figures by it
    (a building left out here is left out of all of them).
    """
    return [b for b, _ in leadership_buildings(con, None)]


def _targets(con: duckdb.DuckDBPyConnection, buildings: Sequence[str] | None) -> list[tuple[str, str]]:
    """``(building, zone)`` of ``buildings`` (all when None), by id; unknown ids are ignored."""
    wanted = None if buildings is None else {str(b) for b in buildings}
    return [(b, tz) for b, tz in building_list(con, None) if wanted is None or b in wanted]


def data_weeks(
    con: duckdb.DuckDBPyConnection, buildings: Sequence[str] | None = None
) -> tuple[str, str] | None:
    """The first and the latest local ISO week with a check-in in ``buildings`` (all when
    None), e.g. ``('2022-W01', '2022-W05')``; None without any visit.

    Each building's first and last check-in is read in its own zone (RULES "Time").
    """
    targets = _targets(con, buildings)
    if not targets:
        return None
    zones = dict(targets)
    rows = con.execute(
        "SELECT building, min(checkin_at), max(checkin_at) FROM visits "
        "WHERE list_contains(?::VARCHAR[], building) GROUP BY building",
        [list(zones)],
    ).fetchall()
    if not rows:
        return None

    def week_of(instant: datetime, tz: str) -> tuple[int, int]:
        iso = instant.astimezone(ZoneInfo(tz)).date().isocalendar()
        return iso.year, iso.week

    first = min(week_of(low, zones[b]) for b, low, _ in rows)
    last = max(week_of(high, zones[b]) for b, _, high in rows)
    return week_label(*first), week_label(*last)


def partial_first_week(
    con: duckdb.DuckDBPyConnection, buildings: Sequence[str] | None = None
) -> tuple[str, date] | None:
    """The first local ISO week with data and the local day its data began, when that day
    is after the week's Monday (the log started mid-week); None otherwise or without data.

    Such a week holds only part of its days, so a rise from it to the next week is no
    growth: the page marks it on the trend and gives no change against it
    (:func:`without_change_against`). The earliest check-in of ``buildings`` (all when
    None), each building read in its own zone (RULES "Time").
    """
    targets = _targets(con, buildings)
    if not targets:
        return None
    zones = dict(targets)
    rows = con.execute(
        "SELECT building, min(checkin_at) FROM visits WHERE list_contains(?::VARCHAR[], building) GROUP BY building",
        [list(zones)],
    ).fetchall()
    if not rows:
        return None
    first_day = min(low.astimezone(ZoneInfo(zones[b])).date() for b, low in rows)
    if first_day.weekday() == 0:
        return None
    iso = first_day.isocalendar()
    return week_label(iso.year, iso.week), first_day


def without_change_against(figures: pd.DataFrame | dict, week: str, partial: tuple[str, date] | None) -> pd.DataFrame | dict:
    """``weekly_stats`` rows or ``city_week_totals`` of ``week`` with no change in percent
    when the week before is the partial first week (``partial_first_week``): comparing a
    full week with a few days is no growth. The previous week's counts stay."""
    if partial is None:
        return figures
    year, number = parse_iso_week(week)
    iso = (_monday(year, number) - timedelta(weeks=1)).isocalendar()
    if week_label(iso.year, iso.week) != partial[0]:
        return figures
    if isinstance(figures, pd.DataFrame):
        return figures.assign(visits_change_pct=np.nan, persons_change_pct=np.nan)
    return {**figures, "visits_change_pct": None, "persons_change_pct": None}


def week_choices(
    con: duckdb.DuckDBPyConnection, today: date, buildings: Sequence[str] | None = None, most: int = 26
) -> tuple[list[str], int]:
    """ISO weeks leadership can pick, newest first, and the index of the default one.

    From the latest week with data back to the first (at most ``most`` weeks; none
    without data), never weeks of zeros before the data began. The default is the last
    finished week: the newest, unless that is ``today``'s (unfinished) week and an
    older one exists.
    """
    span = data_weeks(con, buildings)
    if span is None:
        return [], 0
    first_monday = _monday(*parse_iso_week(span[0]))
    newest_monday = _monday(*parse_iso_week(span[1]))
    weeks = []
    monday = newest_monday
    while monday >= first_monday and len(weeks) < most:
        iso = monday.isocalendar()
        weeks.append(week_label(iso.year, iso.week))
        monday -= timedelta(weeks=1)
    this_week = today - timedelta(days=today.weekday())
    default = 1 if newest_monday >= this_week and len(weeks) > 1 else 0
    return weeks, default


def trend_from_first_data(trend: pd.DataFrame) -> pd.DataFrame:
    """``weekly_trend`` rows from the first week in which any of its buildings had a visit.

    The weeks of zeros before the data began are dropped (a 12-week trend of a log that
    started three weeks ago shows three weeks); a week without visits after that stays.
    Empty when no week had a visit.
    """
    if trend.empty:
        return trend
    weeks = trend.groupby("week", sort=True)["visits"].sum()
    with_data = weeks[weeks > 0]
    if with_data.empty:
        return trend.iloc[0:0]
    return trend[trend["week"] >= with_data.index[0]].reset_index(drop=True)


def largest_building(
    con: duckdb.DuckDBPyConnection, buildings: Sequence[str] | None = None, now: datetime | None = None
) -> str | None:
    """The building with the most visits in the latest ISO week with data (ties: lowest id).

    The weekly page's default building. None without any visit.
    """
    span = data_weeks(con, buildings)
    targets = _targets(con, buildings)
    if span is None or not targets:
        return None
    # Visit counts only (stored whole weeks, else live), not the whole of weekly_stats.
    counts = _week_aggregates(con, targets, _monday(*parse_iso_week(span[1])), 1, resolve_now(now), detail=False)
    if counts.empty:
        return None
    best = counts.sort_values(["visits", "building"], ascending=[False, True], kind="stable")
    return str(best["building"].iloc[0])


CITY_COLUMNS = [
    "week", "buildings", "visits", "persons", "persons_ASN", "persons_THL", "persons_visitor", "visits_per_day",
    *(f"visits_{d}" for d in WEEKDAY_NAMES), "busiest_day", "busiest_day_visits", "median_stay_minutes",
    "auto_close_share", "visits_prev", "visits_change_pct", "persons_prev", "persons_change_pct",
]


def city_week_totals(
    con: duckdb.DuckDBPyConnection,
    week: str,
    buildings: Sequence[str] | None = None,
    now: datetime | None = None,
) -> dict[str, object]:
    """The whole city (``buildings`` together, all when None) in the local ISO ``week``.

    Keys ``CITY_COLUMNS``, meaning what ``weekly_stats`` means for one building, each
    visit in its own building's local week and day: ``visits`` (the sum of the
    buildings' visits), ``persons`` and ``persons_ASN/THL/visitor`` (distinct persons
    **across** the buildings: a person in two buildings counts once), ``visits_per_day``
    (visits / 7), ``visits_mon..sun``, ``busiest_day`` (local date; None without visits)
    and its visits, ``median_stay_minutes`` (all scanned check-outs), ``auto_close_share``
    (0..1), ``visits_prev``/``persons_prev`` and the change in percent against the
    previous week (None when it had none); ``buildings`` is how many were counted. No
    peak: concurrent occupancy of separate buildings does not add up.
    """
    year, number = parse_iso_week(week)
    now = resolve_now(now)
    targets = _targets(con, buildings)
    this_monday = _monday(year, number)
    previous_monday = this_monday - timedelta(weeks=1)
    starts = [week_bounds(*previous_monday.isocalendar()[:2], tz)[0] for _, tz in targets]
    ends = [week_bounds(year, number, tz)[1] for _, tz in targets]
    origin_us = to_us(datetime(previous_monday.year, previous_monday.month, previous_monday.day, tzinfo=UTC))
    days = "".join(
        f", count(*) FILTER (WHERE local_us // {DAY_US} % 7 = {day}) AS day{day}" for day in range(7)
    )
    rows: list[tuple] = []
    if targets:
        # RULES "Weekly statistics" + "Time", as _week_aggregates_live: local week and day
        # of each check-in by a fixed offset where the zone has one; distinct persons
        # over all the buildings at once, so nobody is counted twice.
        rows = con.execute(
            f"""
            WITH b AS (
                SELECT unnest(?::VARCHAR[]) AS building, unnest(?::BIGINT[]) AS off_us,
                       unnest(?::VARCHAR[]) AS tz
            ),
            v AS (
                SELECT *, local_us // {WEEK_US} AS week_index FROM (
                    SELECT v.person_id, v.category, v.checkout_kind, v.checkin_at, v.checkout_at,
                           CASE WHEN b.off_us IS NOT NULL THEN epoch_us(v.checkin_at) + b.off_us
                                ELSE epoch_us(timezone(b.tz, v.checkin_at)) END - ? AS local_us
                    FROM ({effective_visits_sql(now_sql(now))}) AS v JOIN b ON b.building = v.building
                    WHERE v.checkin_at >= ? AND v.checkin_at < ?
                )
                WHERE local_us >= 0 AND local_us < {2 * WEEK_US}
            )
            SELECT week_index, count(*) AS visits, count(DISTINCT person_id) AS persons,
                   count(DISTINCT person_id) FILTER (WHERE category = 'ASN') AS persons_asn,
                   count(DISTINCT person_id) FILTER (WHERE category = 'THL') AS persons_thl,
                   count(DISTINCT person_id) FILTER (WHERE category NOT IN ('ASN', 'THL')) AS persons_visitor,
                   quantile_cont(CAST(epoch_us(checkout_at) - epoch_us(checkin_at) AS DOUBLE), 0.5)
                       FILTER (WHERE checkout_kind = 'scan') / 60e6 AS median_stay_minutes,
                   count(*) FILTER (WHERE checkout_kind = 'auto') AS auto_closed{days}
            FROM v GROUP BY week_index
            """,
            [
                [b for b, _ in targets],
                [None if (off := fixed_offset_seconds(tz)) is None else off * 1_000_000 for _, tz in targets],
                [tz for _, tz in targets],
                origin_us,
                min(starts),
                max(ends),
            ],
        ).fetchall()
    found = {int(r[0]): r for r in rows}

    def value(week_index: int, position: int) -> int:
        row = found.get(week_index)
        return int(row[position]) if row is not None else 0

    visits, persons = value(1, 1), value(1, 2)
    per_day = [value(1, 8 + day) for day in range(7)]
    visits_prev, persons_prev = value(0, 1), value(0, 2)
    median = found[1][6] if 1 in found and found[1][6] is not None else None
    busiest = int(np.argmax(per_day))
    totals: dict[str, object] = {
        "week": week_label(year, number),
        "buildings": len(targets),
        "visits": visits,
        "persons": persons,
        "persons_ASN": value(1, 3),
        "persons_THL": value(1, 4),
        "persons_visitor": value(1, 5),
        "visits_per_day": visits / 7,
        **{f"visits_{name}": per_day[day] for day, name in enumerate(WEEKDAY_NAMES)},
        "busiest_day": this_monday + timedelta(days=busiest) if visits else None,
        "busiest_day_visits": per_day[busiest],
        "median_stay_minutes": float(median) if median is not None else None,
        "auto_close_share": value(1, 7) / visits if visits else None,
        "visits_prev": visits_prev,
        "visits_change_pct": (visits - visits_prev) * 100.0 / visits_prev if visits_prev else None,
        "persons_prev": persons_prev,
        "persons_change_pct": (persons - persons_prev) * 100.0 / persons_prev if persons_prev else None,
    }
    return totals
