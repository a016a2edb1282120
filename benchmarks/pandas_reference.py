"""Plain pandas versions of the project's computations, for the benchmark's comparison.

Each function does what a data analyst would write with pandas for the same RULES rule,
on data already in memory (:func:`load_visits` reads it once; that load is not timed).
They are also a second, independent reading of RULES: the benchmark asserts that they give
the same answers as ``lib/``.

Instants are integer microseconds since the epoch (UTC) inside; results carry tz-aware
UTC ``Timestamp`` columns. Local hours/days/weeks use each building's fixed UTC offset
(the Indonesian zones have no daylight saving, RULES "Time").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

US = 1_000_000
HOUR_US = 3600 * US
DAY_US = 86400 * US
DEDUP_US = 120 * US
MAX_STAY_US = {"ASN": 12 * HOUR_US, "THL": 12 * HOUR_US, "visitor": 3 * HOUR_US}
OFFSETS_S = {"Asia/Jakarta": 7 * 3600, "Asia/Pontianak": 7 * 3600, "Asia/Makassar": 8 * 3600,
             "Asia/Jayapura": 9 * 3600}


def to_us(instant: dt.datetime | pd.Timestamp) -> int:
    stamp = pd.Timestamp(instant)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return int(stamp.tz_convert("UTC").value // 1000)


def from_us(values: pd.Series | np.ndarray) -> pd.Series:
    return pd.Series(pd.to_datetime(np.asarray(values, dtype=np.int64), unit="us", utc=True))


# --- Loading (not timed) ----------------------------------------------------------------


def load_buildings(con) -> pd.DataFrame:
    frame = con.execute(
        "SELECT building_id, timezone, capacity, threshold_people, threshold_share, ppkm_level FROM buildings"
    ).df()
    frame["offset_us"] = frame["timezone"].map(OFFSETS_S).astype(np.int64) * US
    return frame.set_index("building_id")


def load_persons(con) -> pd.DataFrame:
    return con.execute("SELECT person_id, name, category, phone FROM persons").df().set_index("person_id")


def load_visits(con, now: dt.datetime) -> pd.DataFrame:
    """The visits table as pandas, with the rules' end of an open visit at ``now`` applied.

    Columns: person_id, building (category dtype), category, checkin, end (int64 us),
    kind ('scan' / 'auto' / None = still inside), estimated (closed automatically or open).
    """
    frame = con.execute(
        """
        SELECT person_id, building, category, epoch_us(checkin_at) AS checkin,
               epoch_us(checkout_at) AS checkout, checkout_kind, epoch_us(auto_close_at) AS deadline
        FROM visits
        """
    ).df()
    now_us = to_us(now)
    checkout = frame["checkout"]
    closed_later = checkout.isna() & (frame["deadline"] <= now_us)
    end = checkout.fillna(np.maximum(frame["checkin"], np.minimum(frame["deadline"], now_us)))
    kind = frame["checkout_kind"].where(~closed_later, "auto")
    frame = pd.DataFrame(
        {
            "person_id": frame["person_id"],
            "building": frame["building"].astype("category"),
            "category": frame["category"].astype("category"),
            "checkin": frame["checkin"].astype(np.int64),
            "end": end.astype(np.int64),
            "kind": kind,
            "estimated": kind.ne("scan").to_numpy(),
        }
    )
    return frame


# --- Occupancy --------------------------------------------------------------------------


def _window(visits: pd.DataFrame, start: int, end: int, building: str | None) -> pd.DataFrame:
    sel = (visits["checkin"] < end) & (visits["end"] > start) & (visits["end"] > visits["checkin"])
    if building is not None:
        sel &= visits["building"] == building
    return visits.loc[sel]


def _sweep_levels(v: pd.DataFrame, marks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Concurrent occupancy at each instant where it changes (or a mark is): rows building, t, level (sorted).

    A zero-length visit occupies nothing (RULES "Occupancy"): left out, or its +1 after
    its own -1 at the same instant would show as a momentary extra person. At an instant
    t the occupancy counts the visits with ``checkin <= t < end``, i.e. after every change
    at t: only the last row of each instant is kept. The running sum between (after the
    first of two departures at the same instant, say) is nobody's occupancy, and read at
    an hour start it would be a level of the previous hour counted in this one.
    """
    v = v[v["end"] > v["checkin"]]
    parts = [
        pd.DataFrame({"building": v["building"].astype(str).to_numpy(), "t": v["checkin"].to_numpy(), "d": 1}),
        pd.DataFrame({"building": v["building"].astype(str).to_numpy(), "t": v["end"].to_numpy(), "d": -1}),
    ]
    if marks is not None:
        parts.append(marks.assign(d=0))
    ev = pd.concat(parts, ignore_index=True).sort_values(["building", "t", "d"], kind="stable")
    # Each building's +1/-1 sum to zero, so one running sum serves all buildings.
    ev["level"] = ev["d"].cumsum()
    return ev.drop_duplicates(["building", "t"], keep="last")


def hourly_occupancy(
    visits: pd.DataFrame,
    buildings: pd.DataFrame,
    start: dt.datetime,
    end: dt.datetime,
    building: str | None = None,
) -> pd.DataFrame:
    """RULES "Occupancy": building, hour (UTC instant of the local hour start), peak, present, person_hours."""
    start_us, end_us = to_us(start), to_us(end)
    ids = [building] if building is not None else sorted(buildings.index)
    v = _window(visits, start_us, end_us, building)
    offset = buildings["offset_us"]

    # Every local hour of the window, for every building (zero rows included).
    grid = []
    for b in ids:
        off = int(offset[b])
        first = (start_us + off) // HOUR_US * HOUR_US - off
        hours = np.arange(first, end_us, HOUR_US, dtype=np.int64)
        grid.append(pd.DataFrame({"building": b, "hour": hours}))
    grid_frame = pd.concat(grid, ignore_index=True)

    # person_hours and present: each visit split at local hour boundaries.
    v_off = v["building"].astype(str).map(offset).to_numpy(dtype=np.int64)
    lo = np.maximum(v["checkin"].to_numpy(), start_us)
    hi = np.minimum(v["end"].to_numpy(), end_us)
    h_first = (lo + v_off) // HOUR_US
    h_last = (hi - 1 + v_off) // HOUR_US
    count = (h_last - h_first + 1).astype(np.int64)
    rep = np.repeat(np.arange(len(v)), count)
    step = np.arange(rep.size) - np.repeat(np.cumsum(count) - count, count)
    hour = (h_first[rep] + step) * HOUR_US - v_off[rep]
    seconds = np.minimum(hi[rep], hour + HOUR_US) - np.maximum(lo[rep], hour)
    pieces = pd.DataFrame(
        {
            "building": v["building"].astype(str).to_numpy()[rep],
            "hour": hour,
            "person_id": v["person_id"].to_numpy()[rep],
            "us": seconds,
        }
    )
    agg = pieces.groupby(["building", "hour"]).agg(present=("person_id", "nunique"), us=("us", "sum"))
    agg["person_hours"] = agg["us"] / HOUR_US

    # peak: running level after each check-in/end and at each hour start.
    levels = _sweep_levels(v, grid_frame.rename(columns={"hour": "t"}))
    levels = levels[(levels["t"] >= start_us) & (levels["t"] < end_us)]
    levels = levels[levels["building"].isin(ids)]
    l_off = levels["building"].map(offset).to_numpy(dtype=np.int64)
    levels = levels.assign(hour=(levels["t"].to_numpy() + l_off) // HOUR_US * HOUR_US - l_off)
    peak = levels.groupby(["building", "hour"])["level"].max().rename("peak")

    out = grid_frame.join(peak, on=["building", "hour"]).join(agg[["present", "person_hours"]], on=["building", "hour"])
    out = out.fillna({"peak": 0, "present": 0, "person_hours": 0.0})
    out["peak"] = out["peak"].astype(np.int64)
    out["present"] = out["present"].astype(np.int64)
    out["hour"] = from_us(out["hour"]).to_numpy()
    return out[["building", "hour", "peak", "present", "person_hours"]].sort_values(["building", "hour"]).reset_index(
        drop=True
    )


# --- Crowding ---------------------------------------------------------------------------


def building_threshold(buildings: pd.DataFrame, building: str) -> float | None:
    row = buildings.loc[building]
    if pd.notna(row["threshold_people"]):
        return float(row["threshold_people"])
    share = row["threshold_share"]
    if pd.isna(share) and pd.notna(row["ppkm_level"]):
        share = {1: 1.0, 2: 0.75, 3: 0.5, 4: 0.25}.get(int(row["ppkm_level"]))
    if pd.notna(share) and pd.notna(row["capacity"]):
        return float(row["capacity"]) * float(share)
    return None


def crowding_episodes(
    visits: pd.DataFrame,
    buildings: pd.DataFrame,
    start: dt.datetime,
    end: dt.datetime,
    building: str,
    threshold: float | None = None,
) -> pd.DataFrame:
    """RULES "Crowding": maximal intervals with occupancy > threshold, clipped to the window."""
    start_us, end_us = to_us(start), to_us(end)
    limit = building_threshold(buildings, building) if threshold is None else float(threshold)
    columns = ["building", "start", "end", "minutes", "peak"]
    v = _window(visits, start_us, end_us, building)
    if limit is None or v.empty:
        return pd.DataFrame(columns=columns)
    ev = _sweep_levels(v)
    level = ev.groupby("t", sort=True)["level"].last()  # the level from each instant on
    t = level.index.to_numpy()
    lv = level.to_numpy()
    above = lv > limit
    begin = above & ~np.r_[False, above[:-1]]
    stop = ~above & np.r_[False, above[:-1]]
    starts, stops = t[begin], t[stop]
    run = np.cumsum(begin)  # episode number of each instant
    peaks = pd.Series(lv[above]).groupby(run[above]).max().to_numpy()
    s = np.maximum(starts, start_us)
    e = np.minimum(stops, end_us)
    keep = e > s
    out = pd.DataFrame(
        {"building": building, "start": s[keep], "end": e[keep], "minutes": (e[keep] - s[keep]) / (60 * US),
         "peak": peaks[keep].astype(np.int64)}
    )
    out["start"] = from_us(out["start"]).to_numpy()
    out["end"] = from_us(out["end"]).to_numpy()
    return out[columns].reset_index(drop=True)


# --- Places inside a building ------------------------------------------------------------


def load_stays(con, now: dt.datetime) -> pd.DataFrame:
    """The stays table as pandas, read like visits (RULES "Places inside a building").

    Columns: person_id, building, area, start, end (int64 us: the stored end, or for a
    stay still open ``auto_end`` once that is past, else ``now``; never before start),
    end_at / end_kind (the end and kind a list shows: NA / None while still inside),
    auto_end, estimated (ended automatically or still open).
    """
    frame = con.execute(
        """
        SELECT person_id, building, area, epoch_us(start_at) AS start, epoch_us(end_at) AS end_at, end_kind,
               epoch_us(auto_end_at) AS auto_end
        FROM stays
        """
    ).df()
    now_us = to_us(now)
    open_ = frame["end_at"].isna()
    past = open_ & (frame["auto_end"] <= now_us)
    until = frame["end_at"].fillna(np.maximum(frame["start"], np.minimum(frame["auto_end"], now_us)))
    kind = frame["end_kind"].where(~past, "auto")
    return pd.DataFrame(
        {
            "person_id": frame["person_id"],
            "building": frame["building"],
            "area": frame["area"],
            "start": frame["start"].astype(np.int64),
            "end": until.astype(np.int64),
            "end_at": frame["end_at"].where(~past, frame["auto_end"]).astype("Int64"),
            "end_kind": kind,
            "auto_end": frame["auto_end"].astype(np.int64),
            "estimated": (kind.eq("auto") | (open_ & ~past)).to_numpy(),
        }
    )


def load_roster(con) -> pd.DataFrame:
    """The staff roster, index person_id: unit, building, room."""
    return con.execute("SELECT person_id, unit, building, room FROM roster").df().set_index("person_id")


def list_stays(stays: pd.DataFrame, building: str, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
    """The stays of one building that began in ``[start, end)``: person_id, building, area, start,
    end (empty while inside), end_kind; oldest first (then person, building, area)."""
    start_us, end_us = to_us(start), to_us(end)
    sel = stays.loc[(stays["building"] == building) & (stays["start"] >= start_us) & (stays["start"] < end_us)]
    sel = sel.sort_values(["start", "person_id", "building", "area"])
    return pd.DataFrame(
        {
            "person_id": sel["person_id"].to_numpy(),
            "building": sel["building"].to_numpy(),
            "area": sel["area"].to_numpy(),
            "start": from_us(sel["start"]).to_numpy(),
            "end": pd.to_datetime(sel["end_at"].to_numpy(dtype="float64"), unit="us", utc=True),
            "end_kind": sel["end_kind"].to_numpy(),
        }
    )


def _segments(visits: pd.DataFrame, stays: pd.DataFrame, roster: pd.DataFrame, persons: pd.Index,
              floor: int, end: int) -> pd.DataFrame:
    """Where ``persons`` were, reaching past ``floor`` and before ``end`` (RULES "Places inside a building"):

    their stays, and the parts of their visits to their roster home building that none of
    their stays covers, assumed in the home room. Columns person_id, building, area, s, e,
    estimated, assumed.
    """
    st = stays.loc[stays["person_id"].isin(persons) & (stays["start"] < end) & (stays["auto_end"] > floor)
                   & (stays["end"] > stays["start"])]
    seg_stays = pd.DataFrame({"person_id": st["person_id"].to_numpy(), "building": st["building"].to_numpy(),
                              "area": st["area"].to_numpy(), "s": st["start"].to_numpy(), "e": st["end"].to_numpy(),
                              "estimated": st["estimated"].to_numpy(), "assumed": False})
    home = roster.loc[roster.index.intersection(persons)].dropna(subset=["room", "building"])
    # Visits reaching past the floor (lib filters on the automatic close; a visit ending
    # before the floor adds nothing once the segments are clipped to the window).
    v = visits.loc[visits["person_id"].isin(home.index) & (visits["checkin"] < end) & (visits["end"] > floor)
                   & (visits["end"] > visits["checkin"])]
    v = v.assign(building=v["building"].astype(str)).merge(
        home.rename(columns={"building": "home", "room": "area"})[["home", "area"]],
        left_on="person_id", right_index=True)
    v = v.loc[v["building"] == v["home"]].reset_index(drop=True)
    v["vid"] = np.arange(len(v))
    # The stays covering each home visit, clipped to it; the gaps between them (a running
    # maximum of their ends in start order) are the assumed home-room time.
    cov = v[["vid", "person_id", "checkin", "end"]].merge(seg_stays[["person_id", "s", "e"]], on="person_id")
    cov = cov.loc[(cov["s"] < cov["end"]) & (cov["e"] > cov["checkin"])]
    cov = cov.assign(cs=np.maximum(cov["s"], cov["checkin"]), ce=np.minimum(cov["e"], cov["end"]))
    cov = cov.sort_values(["vid", "cs", "ce"])
    reach = cov.groupby("vid")["ce"].cummax()
    prev = reach.groupby(cov["vid"]).shift(1)
    gap_start = prev.fillna(cov["checkin"]).astype(np.int64)
    inner = pd.DataFrame({"vid": cov["vid"], "s": gap_start, "e": cov["cs"]}).loc[cov["cs"] > gap_start]
    last = reach.groupby(cov["vid"]).max()
    tail_start = pd.Series(v["checkin"].to_numpy(), index=v["vid"]).copy()
    tail_start.loc[last.index] = np.maximum(last.to_numpy(), tail_start.loc[last.index].to_numpy())
    after = pd.DataFrame({"vid": v["vid"], "s": tail_start.loc[v["vid"]].to_numpy(), "e": v["end"].to_numpy()})
    gaps = pd.concat([inner, after.loc[after["e"] > after["s"]]], ignore_index=True)
    gaps = gaps.merge(v[["vid", "person_id", "building", "area", "estimated"]], on="vid")
    seg_home = gaps[["person_id", "building", "area", "s", "e", "estimated"]].assign(assumed=True)
    return pd.concat([seg_stays, seg_home], ignore_index=True)


def trace_graded(
    visits: pd.DataFrame,
    stays: pd.DataFrame,
    roster: pd.DataFrame,
    persons: pd.DataFrame,
    person_id: str,
    start: dt.datetime,
    end: dt.datetime,
    min_overlap_minutes: float = 15,
    tail_minutes: float = 0,
) -> pd.DataFrame:
    """RULES "Contact tracing", graded: the building overlap plus the same-room overlap of
    place segments (stays and assumed home-room time); K1 when the room overlap reaches
    the minimum, else K2; K1 first, then room time, building time (longest first), id."""
    start_us, end_us = to_us(start), to_us(end)
    tail_us = int(round(tail_minutes * 60 * US))
    min_us = int(np.ceil(round(min_overlap_minutes * 60 * US, 3)))
    # Building overlap (RULES "Contact tracing"), every contact with a positive one.
    index = visits.loc[visits["person_id"] == person_id]
    vs = np.maximum(index["checkin"].to_numpy(), start_us)
    ve = np.minimum(index["end"].to_numpy() + tail_us, end_us)
    index = pd.DataFrame({"building": index["building"].astype(str).to_numpy(), "vs": vs, "ve": ve,
                          "v_est": index["estimated"].to_numpy()})[ve > vs]
    others = visits.loc[(visits["checkin"] < end_us) & (visits["end"] > start_us)
                        & visits["building"].isin(index["building"].unique()) & (visits["person_id"] != person_id)]
    pairs = index.merge(others.assign(building=others["building"].astype(str)), on="building")
    p_start = np.maximum(pairs["vs"].to_numpy(), pairs["checkin"].to_numpy())
    p_end = np.minimum(pairs["ve"].to_numpy(), pairs["end"].to_numpy())
    pairs = pairs.assign(p_start=p_start, p_end=p_end, overlap=p_end - p_start,
                         est=pairs["v_est"].to_numpy() | pairs["estimated"].to_numpy())
    pairs = pairs[pairs["overlap"] > 0]
    per_b = pairs.groupby("person_id").agg(
        overlap=("overlap", "sum"), b_first=("p_start", "min"), b_last=("p_end", "max"), b_est=("est", "any"),
        buildings=("building", lambda s: ";".join(sorted(set(s)))),
    )
    # Room overlap: the index person's segments (tail added, clipped) against everyone
    # else's in the same building and area.
    mine = _segments(visits, stays, roster, pd.Index([person_id]), start_us - tail_us, end_us)
    mine = mine.assign(s=np.maximum(mine["s"], start_us), e=np.minimum(mine["e"] + tail_us, end_us))
    mine = mine.loc[mine["e"] > mine["s"]]
    places = mine[["building", "area"]].drop_duplicates()
    in_places = stays.merge(places, on=["building", "area"])
    in_places = in_places.loc[(in_places["start"] < end_us) & (in_places["auto_end"] > start_us)]
    homes = roster.reset_index().merge(places, left_on=["building", "room"], right_on=["building", "area"])
    cand = pd.Index(pd.concat([in_places["person_id"], homes["person_id"]]).unique()).difference([person_id])
    theirs = _segments(visits, stays, roster, cand, start_us, end_us)
    ap = mine.drop(columns="person_id").merge(theirs, on=["building", "area"], suffixes=("_x", "_y"))
    a_start = np.maximum(ap["s_x"].to_numpy(), ap["s_y"].to_numpy())
    a_end = np.minimum(ap["e_x"].to_numpy(), ap["e_y"].to_numpy())
    ap = ap.assign(a_start=a_start, a_end=a_end, a_us=a_end - a_start,
                   a_est=ap["estimated_x"].to_numpy() | ap["estimated_y"].to_numpy(),
                   a_assumed=ap["assumed_x"].to_numpy() | ap["assumed_y"].to_numpy())
    ap = ap.loc[ap["a_us"] > 0]
    per_a = ap.groupby("person_id").agg(
        area_us=("a_us", "sum"), a_first=("a_start", "min"), a_last=("a_end", "max"), a_est=("a_est", "any"),
        area_assumed=("a_assumed", "any"), areas=("area", lambda s: ";".join(sorted(set(s)))),
    )
    per = per_b.join(per_a, how="outer")
    per["overlap"] = per["overlap"].fillna(0)
    per["area_us"] = per["area_us"].fillna(0)
    # A minimum of 0 means any overlap longer than zero (RULES "Contact tracing").
    min_us = max(1, min_us)
    per = per.loc[(per["area_us"] >= min_us) | (per["overlap"] >= min_us)].copy()
    per["grade"] = np.where(per["area_us"] >= min_us, "K1", "K2")
    per["buildings"] = per["buildings"].fillna("")
    per["areas"] = per["areas"].fillna("")
    per["area_assumed"] = per["area_assumed"].astype("boolean").fillna(False).astype(bool)
    per["estimated"] = (per["b_est"].astype("boolean").fillna(False) | per["a_est"].astype("boolean").fillna(False)
                        ).astype(bool)
    per["first_contact"] = per[["b_first", "a_first"]].min(axis=1)
    per["last_contact"] = per[["b_last", "a_last"]].max(axis=1)
    per = per.join(persons, how="left").join(roster[["unit"]], how="left")
    per["category"] = per["category"].fillna("visitor")
    per = per.reset_index().rename(columns={"index": "person_id"})
    per = per.sort_values(["grade", "area_us", "overlap", "person_id"], ascending=[True, False, False, True])
    per["overlap_minutes"] = per["overlap"] / (60 * US)
    per["area_minutes"] = per["area_us"] / (60 * US)
    per["first_contact"] = from_us(per["first_contact"].astype(np.int64)).to_numpy()
    per["last_contact"] = from_us(per["last_contact"].astype(np.int64)).to_numpy()
    columns = ["person_id", "name", "category", "phone", "buildings", "overlap_minutes", "first_contact",
               "last_contact", "estimated", "unit", "grade", "areas", "area_minutes", "area_assumed"]
    return per[columns].reset_index(drop=True)


# --- Weekly statistics ------------------------------------------------------------------


def week_bounds(week: str, offset_us: int) -> tuple[int, int]:
    """'2022-W02' -> [Monday 00:00, next Monday 00:00) local, as UTC microseconds."""
    monday = dt.date.fromisocalendar(int(week[:4]), int(week.split("W")[1]), 1)
    start = int(pd.Timestamp(monday).tz_localize("UTC").value // 1000) - offset_us
    return start, start + 7 * DAY_US


def weekly_stats(
    visits: pd.DataFrame, buildings: pd.DataFrame, week: str, with_previous: bool = True
) -> pd.DataFrame:
    """RULES "Weekly statistics", one row per building (every configured building).

    visits (check-in in the week), persons (distinct; and per category), median stay in
    minutes (scanned check-outs only), auto_close_share, busiest day (local date), peak and
    peak hour (UTC instant of the local hour with the highest peak; the earliest on a
    tie), crowding episodes and their minutes; with ``with_previous`` the previous week's
    visits and persons and the change.
    """
    rows = []
    for b in sorted(buildings.index):
        off = int(buildings.loc[b, "offset_us"])
        ws, we = week_bounds(week, off)
        v = visits.loc[(visits["building"] == b) & (visits["checkin"] >= ws) & (visits["checkin"] < we)]
        scanned = v.loc[v["kind"] == "scan"]
        day = (v["checkin"] + off) // DAY_US
        per_day = day.value_counts()
        busiest = (
            dt.date(1970, 1, 1) + dt.timedelta(days=int(per_day.sort_index().idxmax())) if len(per_day) else None
        )
        row = {
            "building": b,
            "visits": len(v),
            "persons": v["person_id"].nunique(),
            **{f"persons_{c}": v.loc[v["category"] == c, "person_id"].nunique() for c in ("ASN", "THL", "visitor")},
            "median_stay_minutes": float(((scanned["end"] - scanned["checkin"]) / (60 * US)).median())
            if len(scanned) else None,
            "auto_close_share": float((v["kind"] == "auto").mean()) if len(v) else None,
            "busiest_day": busiest,
        }
        rows.append(row)
    out = pd.DataFrame(rows)
    # Peak hour and crowding from the hourly figures of the whole week.
    any_off = int(buildings["offset_us"].iloc[0])
    ws, we = week_bounds(week, any_off)
    hourly = hourly_occupancy(visits, buildings, from_us([ws])[0], from_us([we])[0])
    best = hourly.sort_values(["building", "peak", "hour"], ascending=[True, False, True]).drop_duplicates("building")
    out = out.merge(best[["building", "peak", "hour"]].rename(columns={"hour": "peak_hour"}), on="building", how="left")
    crowd = []
    for b in out["building"]:
        episodes = crowding_episodes(visits, buildings, from_us([ws])[0], from_us([we])[0], b)
        crowd.append((len(episodes), float(episodes["minutes"].sum()) if len(episodes) else 0.0))
    out["crowding_episodes"] = [c[0] for c in crowd]
    out["crowding_minutes"] = [c[1] for c in crowd]
    if with_previous:
        year, number, _ = (dt.date.fromisocalendar(int(week[:4]), int(week.split("W")[1]), 1)
                           - dt.timedelta(days=7)).isocalendar()
        previous = weekly_counts(visits, buildings, f"{year}-W{number:02d}")
        out = out.merge(previous.add_suffix("_prev").rename(columns={"building_prev": "building"}), on="building")
        out["visits_change"] = out["visits"] - out["visits_prev"]
        out["persons_change"] = out["persons"] - out["persons_prev"]
    return out


def weekly_counts(visits: pd.DataFrame, buildings: pd.DataFrame, week: str) -> pd.DataFrame:
    """Visits and distinct persons per building in one ISO week (check-in in the week)."""
    rows = []
    for b in sorted(buildings.index):
        ws, we = week_bounds(week, int(buildings.loc[b, "offset_us"]))
        v = visits.loc[(visits["building"] == b) & (visits["checkin"] >= ws) & (visits["checkin"] < we)]
        rows.append({"building": b, "visits": len(v), "persons": v["person_id"].nunique()})
    return pd.DataFrame(rows)


def weekly_trend(visits: pd.DataFrame, buildings: pd.DataFrame, week: str, weeks: int = 12) -> pd.DataFrame:
    """Visits and persons per building for the ``weeks`` ISO weeks ending with ``week``."""
    monday = dt.date.fromisocalendar(int(week[:4]), int(week.split("W")[1]), 1)
    frames = []
    for k in range(weeks - 1, -1, -1):
        year, number, _ = (monday - dt.timedelta(days=7 * k)).isocalendar()
        label = f"{year}-W{number:02d}"
        frames.append(weekly_counts(visits, buildings, label).assign(week=label))
    return pd.concat(frames, ignore_index=True)[["week", "building", "visits", "persons"]]


# --- Import: read the CSV and pair events into visits -------------------------------------

# RULES "Import": an event's identity, and for an area scan its area too (lower case; "" = a door scan).
EVENT_KEY = ["person_id", "building", "is_checkin", "ts", "area"]
PAIRING_ORDER = ["person_id", "ts", "is_checkin", "building"]  # RULES: at equal timestamps a check-out first
ACTIONS = {"checkin": 1, "check-in": 1, "check in": 1, "in": 1, "masuk": 1,
           "checkout": 0, "check-out": 0, "check out": 0, "out": 0, "keluar": 0}


def read_events(path: str | Path, default_offset_s: int = 8 * 3600) -> tuple[pd.DataFrame, int]:
    """An events CSV as a frame (person_id, building, is_checkin, ts, category, area), and its row count.

    ``area`` is the area of an area scan in lower case, "" for a door scan (area scans
    never make visits: RULES "Places inside a building").

    Timestamps without offset are local time (all buildings of the benchmark are in one
    fixed-offset zone). A row repeated within the file is kept once (the first).
    """
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.columns = [c.strip().lower() for c in df.columns]
    local = pd.to_datetime(df["timestamp"], format="%Y-%m-%d %H:%M:%S")
    ts = local.to_numpy().astype("datetime64[us]").astype(np.int64) - default_offset_s * US
    action = df["action"].str.strip().str.lower().map(ACTIONS)
    category = df["category"].str.strip().str.lower().map({"asn": "ASN", "thl": "THL"})
    category = category.where(category.notna(), np.where(df["category"].str.strip() == "", None, "visitor"))
    area = df["area"].str.strip().str.lower() if "area" in df.columns else ""
    ev = pd.DataFrame({"person_id": df["person_id"].str.strip(), "building": df["building"].str.strip(),
                       "is_checkin": action.astype(np.int8), "ts": ts, "category": category.astype("str"),
                       "area": area})
    return ev.drop_duplicates(EVENT_KEY), len(df)


def latest_categories(ev: pd.DataFrame) -> pd.DataFrame:
    """Per person the latest non-empty category and its event time (RULES "Words")."""
    known = ev.dropna(subset=["category"]).sort_values("ts", kind="stable")
    return known.groupby("person_id").agg(category=("category", "last"), category_at=("ts", "last"))


def import_csv(path: str | Path, default_offset_s: int = 8 * 3600) -> tuple[pd.DataFrame, dict[str, int]]:
    """Read an events CSV with pandas and pair the events into visits (RULES rules), in Python.

    Returns visits (person_id, building, checkin_at, checkout_at, checkout_kind, category)
    and counts of duplicates and orphans.
    """
    ev, rows = read_events(path, default_offset_s)
    latest = latest_categories(ev)["category"]
    door = ev.loc[ev["area"] == ""].sort_values(PAIRING_ORDER)
    visits, dup, orphans = _pair(door, latest)
    return as_visits(visits), {"duplicates": rows - len(ev) + dup, "orphans": orphans}


def as_visits(frame: pd.DataFrame) -> pd.DataFrame:
    """Visits with instants as tz-aware UTC timestamps, in the columns the benchmark compares."""
    return pd.DataFrame(
        {
            "person_id": frame["person_id"].array,
            "building": frame["building"].array,
            "checkin_at": from_us(frame["checkin"]).array,
            "checkout_at": pd.to_datetime(frame["checkout"].astype("Int64"), unit="us", utc=True).array,
            "checkout_kind": frame["kind"].array,
            "category": frame["category"].array,
        }
    )


def _rows(frame: pd.DataFrame, columns: list[str], step: int = 1_000_000) -> Iterator[tuple]:
    """The rows of ``frame`` as tuples of plain Python values, a million at a time (bounded memory)."""
    for i in range(0, len(frame), step):
        part = frame.iloc[i:i + step]
        yield from zip(*(part[c].tolist() for c in columns), strict=True)


def _pair(ev: pd.DataFrame, latest_category: pd.Series) -> tuple[pd.DataFrame, int, int]:
    """RULES "From events to visits" over events sorted in PAIRING_ORDER, each person from an empty state.

    Returns visits (person_id, building, checkin, checkout (Int64, NA = open), kind,
    deadline = checkin + MAX_STAY, category; instants in microseconds) and the counts
    of duplicate and orphan scans. One pass over the rows as plain Python values.
    """
    out_person, out_building, out_in, out_out, out_kind, out_cat = [], [], [], [], [], []
    duplicates = orphans = 0
    category_of = latest_category.to_dict()
    person_id: str | None = None
    category = "visitor"
    max_stay = 0
    open_b: str | None = None
    open_in = 0
    last_close: dict[str, tuple[int, bool]] = {}

    def close(b: str, begin: int, end: int | None, kind: str | None) -> None:
        out_person.append(person_id)
        out_building.append(b)
        out_in.append(begin)
        out_out.append(end)
        out_kind.append(kind)
        out_cat.append(category)

    for person, building, is_in, t in _rows(ev, ["person_id", "building", "is_checkin", "ts"]):
        if person != person_id:
            if open_b is not None:
                close(open_b, open_in, None, None)
            person_id = person
            category = category_of.get(person) or "visitor"
            max_stay = MAX_STAY_US[category]
            open_b = None
            last_close = {}
        if open_b is not None and t > open_in + max_stay:
            close(open_b, open_in, open_in + max_stay, "auto")
            last_close[open_b] = (open_in + max_stay, False)
            open_b = None
        if is_in:
            if open_b is not None:
                if open_b == building and t - open_in <= DEDUP_US:
                    duplicates += 1
                    continue
                close(open_b, open_in, min(open_in + max_stay, t), "auto")
                last_close[open_b] = (t, False)
            open_b, open_in = building, t
        elif open_b == building:
            close(open_b, open_in, t, "scan")
            last_close[building] = (t, True)
            open_b = None
        else:
            previous = last_close.get(building)
            if previous is not None and previous[1] and t - previous[0] <= DEDUP_US:
                duplicates += 1
            else:
                orphans += 1
    if open_b is not None:
        close(open_b, open_in, None, None)
    checkin = np.asarray(out_in, dtype=np.int64)
    categories = pd.Series(out_cat, dtype="str")
    visits = pd.DataFrame(
        {
            "person_id": pd.Series(out_person, dtype="str"),
            "building": pd.Series(out_building, dtype="str"),
            "checkin": checkin,
            "checkout": pd.Series(out_out, dtype="Int64"),
            "kind": pd.Series(out_kind, dtype="str"),
            "deadline": checkin + categories.map(MAX_STAY_US).to_numpy(dtype=np.int64),
            "category": categories,
        }
    )
    return visits, duplicates, orphans


# --- Import one day's file into a store held in memory ------------------------------------


class Store:
    """The analytics store as pandas frames (loaded once, not timed), changed by :func:`import_events`.

    ``events``: person_id, building, is_checkin, ts, category. ``visits``: person_id,
    building, checkin, checkout (Int64, NA = open), kind, deadline (``auto_close_at``),
    category. ``persons`` (index person_id): category, category_at (Int64). Instants in
    microseconds since the epoch, UTC.
    """

    def __init__(self, events: pd.DataFrame, visits: pd.DataFrame, persons: pd.DataFrame) -> None:
        self.events = events
        self.visits = visits
        self.persons = persons


def load_store(con) -> Store:
    events = con.execute(
        "SELECT person_id, building, CAST(action = 'checkin' AS TINYINT) AS is_checkin, epoch_us(ts) AS ts, category, "
        "coalesce(lower(area), '') AS area FROM events"
    ).df()
    visits = con.execute(
        "SELECT person_id, building, epoch_us(checkin_at) AS checkin, epoch_us(checkout_at) AS checkout, "
        "checkout_kind AS kind, epoch_us(auto_close_at) AS deadline, category FROM visits"
    ).df()
    visits["checkout"] = visits["checkout"].astype("Int64")
    persons = con.execute("SELECT person_id, category, epoch_us(category_at) AS category_at FROM persons").df()
    persons["category_at"] = persons["category_at"].astype("Int64")
    # Few distinct values: categoricals (as load_visits has them), cheap to filter and copy.
    events = events.astype({"building": "category", "is_checkin": np.int8, "ts": np.int64, "category": "category",
                            "area": "category"})
    visits = visits.astype({"building": "category", "kind": "category", "category": "category"})
    return Store(events, visits, persons.set_index("person_id"))


def _append(frame: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``rows`` (same columns) below; categorical columns stay categorical."""
    rows = rows[list(frame.columns)].copy()
    for column in frame.columns:
        dtype = frame[column].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            missing = pd.Index(rows[column].dropna().unique()).difference(dtype.categories)
            if len(missing):
                frame[column] = frame[column].cat.add_categories(missing)
            rows[column] = pd.Categorical(rows[column], categories=frame[column].cat.categories)
    return pd.concat([frame, rows], ignore_index=True)


def _at_or_after(frame: pd.DataFrame, ts: str, is_checkin: pd.Series | int, building: str) -> np.ndarray:
    """Rows whose (ts, is_checkin, building) is not before the row's restart key (PAIRING_ORDER)."""
    t, s_t = frame[ts].to_numpy(), frame["s_ts"].to_numpy()
    in_, s_in = np.asarray(is_checkin), frame["s_in"].to_numpy()
    same_b = (frame[building].astype("str") >= frame["s_b"]).to_numpy(dtype=bool)
    return (t > s_t) | ((t == s_t) & ((in_ > s_in) | ((in_ == s_in) & same_b)))


def import_events(store: Store, path: str | Path, default_offset_s: int = 8 * 3600) -> dict[str, int]:
    """Import one events CSV into ``store`` (RULES "Import", "From events to visits").

    1. Read and normalise the file (:func:`read_events`); drop the events already stored
       (identity ``(person_id, building, action, ts)``: a merge with the stored events of
       the file's time span) and append the rest to ``store.events``.
    2. Persons' latest category (by event time); a person whose category changes is
       re-paired over the whole history (MAX_STAY depends on the category).
    3. Each affected person restarts at their earliest new event, or, when a visit was
       still open just before it (check-in earlier, closed at or after it, or not closed
       and its ``checkin + MAX_STAY`` not yet past), at that visit's check-in event. From
       an event that opened a visit the pairing state is empty-equivalent: what was open
       before was closed there or earlier and stays as stored, and the last closes only
       decide whether a stray check-out is a duplicate or an orphan, never a visit.
       (Same state as ``lib.ingest.pairing.repair`` rebuilds from the stored visits; a visit
       left open in the store past its MAX_STAY stays as stored, which every reader
       takes as closed automatically at ``checkin + MAX_STAY``.)
    4. The person's stored events from the restart on, new ones included, are paired
       again (:func:`_pair`); their visits from the restart on are replaced.

    Returns the counts of events in the file, new events and re-paired persons.
    """
    new, rows = read_events(path, default_offset_s)
    near = store.events.loc[(store.events["ts"] >= new["ts"].min()) & (store.events["ts"] <= new["ts"].max()),
                            EVENT_KEY]
    near = near.astype({"building": "str", "area": "str"}).drop_duplicates()
    stored = new.merge(near, on=EVENT_KEY, how="left", indicator=True)["_merge"] == "both"
    new = new.loc[~stored.to_numpy()]
    if new.empty:
        return {"rows": rows, "events_new": 0, "persons": 0}
    store.events = _append(store.events, new)

    # Persons: the latest non-empty category wins; a changed one re-pairs the whole history.
    seen = latest_categories(new)
    known = store.persons.reindex(seen.index)
    newer = (seen["category_at"] > known["category_at"].fillna(np.iinfo(np.int64).min)).to_numpy(dtype=bool)
    changed = set(seen.index[newer & known["category"].notna().to_numpy()
                             & (seen["category"] != known["category"]).to_numpy()])
    update = seen.loc[newer & known["category"].notna().to_numpy()]
    store.persons.loc[update.index, ["category", "category_at"]] = update[["category", "category_at"]]
    arrivals = pd.Index(new["person_id"].unique()).difference(store.persons.index)
    if len(arrivals):
        fresh = seen.reindex(arrivals).astype({"category_at": "Int64"})
        fresh["category"] = fresh["category"].fillna("visitor")
        store.persons = pd.concat([store.persons, fresh])

    # Restart key per affected person: (s_ts, s_in, s_b) in PAIRING_ORDER. Area scans never
    # change visits: only persons with new door scans are re-paired.
    start = new.loc[new["area"] == ""].groupby("person_id")["ts"].min().rename("from_ts").reset_index()
    full = start["person_id"].isin(changed).to_numpy()
    start, full_ids = start.loc[~full], sorted(changed)
    visits = store.visits
    lo = start["from_ts"].min() if len(start) else np.iinfo(np.int64).max
    # A visit open just before from_ts ends at or before its deadline, which is then >= from_ts.
    near_v = visits.loc[visits["deadline"].to_numpy() >= lo, ["person_id", "building", "checkin", "checkout",
                                                              "deadline"]]
    near_v = near_v.merge(start, on="person_id")
    until = near_v["checkout"].fillna(near_v["deadline"]).to_numpy(dtype=np.int64)
    seeds = near_v.loc[(near_v["checkin"].to_numpy() < near_v["from_ts"].to_numpy())
                       & (until >= near_v["from_ts"].to_numpy())]
    start = start.merge(seeds[["person_id", "checkin", "building"]], on="person_id", how="left")
    has_seed = start["checkin"].notna().to_numpy()
    start = pd.DataFrame(
        {
            "person_id": start["person_id"],
            "s_ts": np.where(has_seed, start["checkin"].fillna(0).to_numpy(np.int64), start["from_ts"].to_numpy()),
            "s_in": has_seed.astype(np.int8),
            "s_b": start["building"].astype("str").fillna(""),
        }
    )
    lo = start["s_ts"].min() if len(start) else np.iinfo(np.int64).max

    # The events to pair again, and the visits they replace.
    ev = store.events
    redo = ev.loc[ev["ts"].to_numpy() >= lo].merge(start, on="person_id")
    redo = redo.loc[_at_or_after(redo, "ts", redo["is_checkin"], "building"), ev.columns]
    later = visits.loc[visits["checkin"].to_numpy() >= lo, ["person_id", "building", "checkin"]]
    later = later.reset_index().merge(start, on="person_id")
    replaced = later.loc[_at_or_after(later, "checkin", 1, "building"), "index"].to_numpy()
    if full_ids:
        redo = pd.concat([redo, ev.loc[ev["person_id"].isin(full_ids)]], ignore_index=True)
        replaced = np.concatenate([replaced, np.flatnonzero(visits["person_id"].isin(full_ids).to_numpy())])
    redo = redo.loc[redo["area"].astype(str) == ""].sort_values(PAIRING_ORDER)
    paired, _, _ = _pair(redo, store.persons["category"].reindex(redo["person_id"].unique()))
    keep = np.ones(len(visits), dtype=bool)
    keep[replaced] = False
    store.visits = _append(visits.loc[keep], paired)
    return {"rows": rows, "events_new": len(new), "persons": len(start) + len(full_ids)}


def visits_between(store: Store, start_us: int, end_us: int) -> pd.DataFrame:
    """The stored visits with check-in in ``[start_us, end_us)``, as the benchmark compares them."""
    v = store.visits
    return as_visits(v.loc[(v["checkin"].to_numpy() >= start_us) & (v["checkin"].to_numpy() < end_us)])


def find_persons(persons: pd.DataFrame, visits: pd.DataFrame, roster: pd.DataFrame, query: str,
                 limit: int) -> dict:
    """The tracer's person search (RULES "Contact tracing"; issue 27) on DataFrames: persons
    whose name (lowered, accents stripped), id or phone contains the text, or whose phone's
    digits contain its digits (62 read as 0, three digits at least); the latest check-in of
    each, most recent first (never seen last), then name, then id; at most ``limit``, and
    how many matched. ``persons`` as :func:`load_persons`, ``visits`` as :func:`load_visits`."""
    import unicodedata

    def key(values: pd.Series) -> pd.Series:
        lowered = values.fillna("").astype(str).str.lower()
        return lowered.map(lambda s: "".join(c for c in unicodedata.normalize("NFD", s)
                                             if not unicodedata.combining(c)))

    text = query.strip()
    q = key(pd.Series([text])).iloc[0]
    digits = "".join(c for c in text if c.isdigit())
    digits0 = "0" + digits[2:] if digits.startswith("62") else digits
    ids = persons.index.to_series()
    hit = (key(persons["name"]).str.contains(q, regex=False) | key(ids).str.contains(q, regex=False)
           | persons["phone"].fillna("").str.lower().str.contains(q, regex=False))
    if len(digits) >= 3:
        phone_digits = persons["phone"].fillna("").str.replace(r"[^0-9]", "", regex=True)
        hit |= phone_digits.str.contains(digits, regex=False)
        hit |= phone_digits.str.replace(r"^62", "0", regex=True).str.contains(digits0, regex=False)
    matched = persons.loc[hit.to_numpy()].reset_index()
    last = visits.loc[visits["person_id"].isin(matched["person_id"])].groupby("person_id", observed=True)["checkin"].max()
    matched["last_seen_us"] = matched["person_id"].map(last)
    matched["unit"] = matched["person_id"].map(roster["unit"]) if len(roster) else None
    matched["never"] = matched["last_seen_us"].isna()
    matched = matched.sort_values(["never", "last_seen_us", "name", "person_id"],
                                  ascending=[True, False, True, True], na_position="last", kind="stable")
    return {"matches": matched.head(limit), "total": int(hit.sum())}
