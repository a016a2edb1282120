"""Crowd thresholds and crowding episodes (RULES "Crowding").

A crowding episode is a maximal interval in which concurrent occupancy (visits with
``checkin_at <= t < end_at``, RULES "Occupancy") is strictly greater than the building's
threshold: occupancy equal to the threshold is not crowding.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

from lib.analytics.sweep import fetch_visits, from_us, resolve_now, to_us
from lib.store.places import thresholds

# RULES "Crowding": share of capacity allowed at each PPKM level of the office rules.
# How far beyond the asked window an episode that touches it is followed (first step,
# then doubled), and the most: an episode longer than that is cut at the limit.
SEARCH_MARGIN = timedelta(days=1)
SEARCH_LIMIT = timedelta(days=31)


def crowding_episodes(
    con: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    building: str | None = None,
    threshold: int | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Crowding episodes that overlap ``[start, end)``, whole (RULES "Crowding").

    Columns ``building, start, end, minutes, peak``: UTC instants (tz-aware), the length
    in minutes and the highest concurrent occupancy in the episode, ordered by building
    and start. Episodes are NOT clipped to the window: a manager asking for a week sees
    the whole episode that touches it (its true start before the window, its true end
    after), followed up to ``SEARCH_LIMIT`` beyond the window. An episode still going on
    at ``now`` (default: the clock) ends at ``now``, as open visits do.

    ``threshold`` overrides every building's own (``lib.store.places.thresholds``); buildings
    without either give no rows.
    """
    if threshold is not None and threshold < 0:
        raise ValueError("threshold must be zero or more")
    now = resolve_now(now)
    # thresholds lists every building (one query, not two).
    targets = []
    for name, own_limit in thresholds(con).items():
        limit = threshold if threshold is not None else own_limit
        if (building is None or name == building) and limit is not None:
            targets.append((name, int(limit)))
    return episodes_for(con, targets, start, end, now)


def episodes_touching(
    occupants: Callable[[datetime, datetime], tuple[np.ndarray, np.ndarray, np.ndarray]],
    limits: np.ndarray,
    start: datetime,
    end: datetime,
    margin: timedelta = SEARCH_MARGIN,
    search_limit: timedelta = SEARCH_LIMIT,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The whole episodes above ``limits`` that touch ``[start, end)``: (group, start_us,
    end_us, peak, touching mask) of ``sweep_episodes``.

    ``occupants(lo, hi)`` gives (group, start_us, end_us) of everyone inside during
    ``[lo, hi)`` (visits of buildings, or stays of a room). The sweep is exact only inside
    that span, so the search widens from ``margin`` (doubling, up to ``search_limit``) while
    an episode that touches the window may have begun before it or may go on past it.
    """
    before = after = margin
    while True:
        lo, hi = start - before, end + after
        group_of, starts, ends = occupants(lo, hi)
        group, ep_start, ep_end, peak = sweep_episodes(group_of, starts, ends, limits, to_us(lo))
        touching = (ep_start < to_us(end)) & (ep_end > to_us(start))
        cut_left = bool(np.any(touching & (ep_start <= to_us(lo)))) and before < search_limit
        cut_right = bool(np.any(touching & (ep_end >= to_us(hi)))) and after < search_limit
        if not (cut_left or cut_right):
            return group, ep_start, ep_end, peak, touching
        before = min(before * 2, search_limit) if cut_left else before
        after = min(after * 2, search_limit) if cut_right else after


def episodes_for(
    con: duckdb.DuckDBPyConnection,
    targets: list[tuple[str, int]],
    start: datetime,
    end: datetime,
    now: datetime,
) -> pd.DataFrame:
    """Episodes overlapping ``[start, end)`` of ``(building, threshold)`` pairs, whole."""
    columns = ["building", "start", "end", "minutes", "peak"]
    if not targets or end <= start:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns}).astype(
            {"start": "datetime64[us, UTC]", "end": "datetime64[us, UTC]", "minutes": float, "peak": np.int64}
        )
    targets = sorted(targets)  # the sweep then yields episodes by building and start
    names = [name for name, _ in targets]
    limits = np.asarray([limit for _, limit in targets], dtype=np.int64)

    def occupants(lo: datetime, hi: datetime) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        visits = fetch_visits(con, names, lo, hi, now)
        return visits["b"], visits["s"], visits["e"]

    group, ep_start, ep_end, peak, touching = episodes_touching(occupants, limits, start, end)
    return pd.DataFrame(
        {
            "building": np.asarray(names, dtype=object)[group[touching]],
            "start": from_us(ep_start[touching]),
            "end": from_us(ep_end[touching]),
            "minutes": (ep_end[touching] - ep_start[touching]) / 60e6,
            "peak": peak[touching],
        }
    )


def sweep_episodes(
    group: np.ndarray, s: np.ndarray, e: np.ndarray, limits: np.ndarray, lo_us: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Maximal runs of concurrency > limit per group: (group, start, end, peak) arrays.

    Visits begun before ``lo_us`` count from ``lo_us``. Events sort by (group, time,
    kind) with ends first; concurrency at an instant is the running sum after its last
    event, so a swap at one instant (one leaves, one enters) never splits an episode.
    """
    empty = np.zeros(0, dtype=np.int64)
    if len(s) == 0:
        return empty, empty, empty, empty
    s = np.maximum(s, lo_us)
    time_bits = ((int(e.max()) - lo_us) * 2 + 2).bit_length()
    if time_bits + max(1, (len(limits) - 1).bit_length()) > 62:
        raise ValueError("window too long for one crowding sweep")
    keys = np.concatenate([(group << time_bits) + (s - lo_us) * 2 + 1, (group << time_bits) + (e - lo_us) * 2])
    keys.sort()
    running = np.cumsum((keys & 1) * 2 - 1)  # every group's events net to zero: no reset
    event_group = keys >> time_bits
    times = (keys & ((1 << time_bits) - 1)) >> 1
    last = np.ones(len(keys), dtype=bool)  # the last event of each (group, instant)
    last[:-1] = (times[1:] != times[:-1]) | (event_group[1:] != event_group[:-1])
    inst_group, inst_time, inst_count = event_group[last], times[last] + lo_us, running[last]
    above = inst_count > limits[inst_group]
    previous_above = np.zeros(len(above), dtype=bool)
    previous_above[1:] = above[:-1] & (inst_group[1:] == inst_group[:-1])
    run_start = np.flatnonzero(above & ~previous_above)
    # Each group ends at zero people, at or below any limit, so every run has an end.
    run_end = np.flatnonzero(~above & np.concatenate([[False], above[:-1]]))
    if len(run_start) == 0:
        return empty, empty, empty, empty
    bounds = np.empty(2 * len(run_start), dtype=np.int64)
    bounds[0::2], bounds[1::2] = run_start, run_end
    peak = np.maximum.reduceat(inst_count, bounds)[0::2]
    return inst_group[run_start], inst_time[run_start], inst_time[run_end], peak
