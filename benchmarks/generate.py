"""Synthetic visit logs for the benchmark, generated with numpy (no per-row Python loops).

About 40 buildings of one province (time zone WITA, UTC+8) from Monday 2022-01-03 over
several years:

- civil servants (ASN) and contract staff (THL) arrive 07:00-08:30, about a third go out
  for lunch (a second visit in the afternoon), and leave 15:00-17:00; a few come in on a
  weekend; guards (THL) work 18:00 to the next morning;
- visitors come in office hours (08:00-15:00) for shorter stays, a few stay longer than the
  visitor MAX_STAY (their late check-out is an orphan);
- weekends are quiet; about 1 % of building-weekdays have a crowded event (a sudden crowd of
  visitors arriving within the hour and staying two hours);
- about 5 % of visits have a forgotten check-out, about 2 % have a double scan (a second
  check-in or check-out within a minute and a half);
- rooms (RULES "Places inside a building"): every building has an office per unit
  ("Ruang Keuangan", ...), a meeting room ("Ruang Rapat"), a hall ("Aula"), a service
  counter ("Loket Pelayanan") and a guard post ("Pos Jaga"); about a third of the visits
  hold one area stay (staff in their unit's office or a meeting, visitors at the counter,
  a crowd in the hall, guards at their post), scanned in and, but for 8 %, out inside the
  visit; the staff roster gives every staff member a unit, their building and their
  unit's office (guards: the post).

The generator knows the *intended* visits; :func:`stored_visits` turns them into exactly
what the rules' events-to-visits rules store (closed automatically at the next check-in or
at ``checkin + MAX_STAY``, still open at the end), so the visits can be written straight
into a database (:func:`write_store`, fast) or made from the events through the real
import (:func:`write_events_csv` + ``lib.ingest.importer.import_file``). Likewise
:func:`stored_stays` gives the area stays the import derives from the area scans (the
``stays`` table, written directly too), and :func:`write_roster_csv` the roster file
whose import gives the ``roster`` table :func:`write_store` writes. The smoke test checks
that both paths give the same visits, stays, areas and roster.

All instants are integer seconds since the epoch, UTC.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

START_LOCAL = "2022-01-03"  # a Monday
TIMEZONE = "Asia/Makassar"
OFFSET_S = 8 * 3600  # WITA, no daylight saving
DEDUP_S = 120
MAX_STAY_S = {"ASN": 12 * 3600, "THL": 12 * 3600, "visitor": 3 * 3600}
CATEGORY_NAMES = np.array(["ASN", "THL", "visitor"], dtype=object)
NO_TIME = np.iinfo(np.int64).max  # "no instant" in the int64 arrays (NULL)
AREA_STAY_S = 120 * 60  # the rules' default AREA_STAY; every generated area keeps it
UNITS = np.array(["Umum", "Keuangan", "Kepegawaian", "Perencanaan", "Pelayanan", "Hukum"], dtype=object)
AREA_NAMES = np.array([*(f"Ruang {u}" for u in UNITS), "Ruang Rapat", "Aula", "Loket Pelayanan", "Pos Jaga"],
                      dtype=object)
RAPAT, AULA, LOKET, POS_JAGA = len(UNITS), len(UNITS) + 1, len(UNITS) + 2, len(UNITS) + 3
# Where a visit comes from (the generator's parts): its room depends on it.
SRC_STAFF, SRC_GUARD, SRC_EVENT, SRC_VISITOR = 0, 1, 2, 3

SCALES = {"tiny": 20_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000, "50m": 50_000_000}

_FIRST = np.array(
    "Andi Budi Citra Dewi Eka Fajar Gita Hendra Indah Joko Kartika Lestari Made Nur Oktavia "
    "Putri Rizky Sari Tono Utami Vina Wahyu Yohanes Zainal Meiske Stevi Jeane Olvie Ferry Rinny".split(),
    dtype=object,
)
_LAST = np.array(
    "Lumenta Pangemanan Sondakh Wuisan Rondonuwu Manoppo Tumbel Sumual Kalangi Mandagi Pontoh "
    "Rumengan Tangkuman Walangitan Lasut Supit Mamahit Karundeng Runtuwene Tambuwun".split(),
    dtype=object,
)


@dataclass
class Dataset:
    """Intended visits (sorted by person, check-in) plus buildings and persons."""

    n_days: int
    start_utc: int  # local midnight of the first day, in UTC seconds
    # buildings
    building_ids: np.ndarray  # object
    capacity: np.ndarray
    threshold_people: np.ndarray
    # persons
    person_ids: np.ndarray  # object
    person_category: np.ndarray  # int8 index into CATEGORY_NAMES
    person_names: np.ndarray
    person_phones: np.ndarray
    # intended visits
    person: np.ndarray  # int64 person index
    building: np.ndarray  # int16 building index
    checkin: np.ndarray  # int64 seconds UTC
    checkout: np.ndarray  # intended check-out scan time (also for a forgotten one)
    forgot: np.ndarray  # bool: no check-out scan
    dup_in: np.ndarray  # seconds after check-in of a second check-in scan, 0 = none
    dup_out: np.ndarray  # seconds after check-out of a second check-out scan, 0 = none
    gate_in: np.ndarray  # int8 1..3
    gate_out: np.ndarray
    status: np.ndarray  # int8 0 hijau, 1 kuning
    # staff (person indices 0 .. n_staff-1) and the roster
    n_staff: int
    staff_building: np.ndarray  # int16 home building
    staff_unit: np.ndarray  # int8 index into UNITS
    staff_room: np.ndarray  # int8 index into AREA_NAMES: the unit's office, a guard's post
    # area stays (one per visit at most), sorted by visit
    stay_visit: np.ndarray  # int64 index of the visit holding the stay
    stay_area: np.ndarray  # int8 index into AREA_NAMES
    stay_start: np.ndarray  # int64 seconds UTC: the area check-in scan
    stay_end: np.ndarray  # the area check-out scan (none when stay_forgot)
    stay_forgot: np.ndarray  # bool: no area check-out scan

    @property
    def end_utc(self) -> int:
        return self.start_utc + self.n_days * 86400

    def day_start(self, day: int) -> int:
        return self.start_utc + day * 86400


def _start_utc() -> int:
    return int(np.datetime64(START_LOCAL + "T00:00:00", "s").astype(np.int64)) - OFFSET_S


def generate(
    n_visits: int,
    weeks: int = 156,
    n_buildings: int = 40,
    seed: int = 20220103,
) -> Dataset:
    """About ``n_visits`` visits (exactly, unless the population is too small)."""
    rng = np.random.default_rng(seed)
    n_days = weeks * 7
    start = _start_utc()
    dow = np.arange(n_days) % 7  # 0 = Monday

    # Buildings: sizes vary (a big city hall, small sub-district offices).
    weight = rng.lognormal(0.0, 0.6, n_buildings)
    weight /= weight.sum()

    # Staff share of visits ~ 70 %; visits per staff member over the period.
    weekday_days = int((dow < 5).sum())
    per_staff = weekday_days * 0.9 * 1.35 + (n_days - weekday_days) * 0.03
    n_staff = max(int(0.70 * n_visits / per_staff), n_buildings)
    staff_building = rng.choice(n_buildings, size=n_staff, p=weight).astype(np.int16)
    staff_category = np.where(rng.random(n_staff) < 0.65, 0, 1).astype(np.int8)
    guard = rng.random(n_staff) < 0.03
    staff_category[guard] = 1
    staff_per_building = np.bincount(staff_building, minlength=n_buildings)
    capacity = (staff_per_building * 1.6 + 20).round().astype(np.int64)
    threshold_people = (capacity * 0.75).round().astype(np.int64)

    parts: list[dict[str, np.ndarray]] = []

    # --- Day staff --------------------------------------------------------------------
    day_staff = np.nonzero(~guard)[0]
    attend_p = np.array([0.9, 0.9, 0.9, 0.9, 0.9, 0.04, 0.015])[dow]
    s_idx, d_idx = np.nonzero(rng.random((day_staff.size, n_days)) < attend_p)
    s_idx = day_staff[s_idx]
    n = s_idx.size
    base = start + d_idx.astype(np.int64) * 86400
    weekend = dow[d_idx] >= 5
    arrive = np.where(
        weekend,
        8 * 3600 + rng.integers(0, 2 * 3600, n),
        7 * 3600 + (rng.beta(2, 2, n) * 90 * 60).astype(np.int64),
    )
    leave = np.where(
        weekend,
        arrive + rng.integers(3 * 3600, 5 * 3600, n),
        15 * 3600 + (rng.beta(2, 2, n) * 120 * 60).astype(np.int64),
    )
    lunch = (~weekend) & (rng.random(n) < 0.35)
    lunch_out = 11 * 3600 + 45 * 60 + rng.integers(0, 45 * 60, n)
    lunch_back = lunch_out + rng.integers(30 * 60, 75 * 60, n)
    parts.append(
        {
            "person": s_idx,
            "building": staff_building[s_idx],
            "checkin": base + arrive,
            "checkout": base + np.where(lunch, lunch_out, leave),
            "source": np.full(n, SRC_STAFF, np.int8),
        }
    )
    parts.append(
        {
            "person": s_idx[lunch],
            "building": staff_building[s_idx[lunch]],
            "checkin": (base + lunch_back)[lunch],
            "checkout": (base + leave)[lunch],
            "source": np.full(int(lunch.sum()), SRC_STAFF, np.int8),
        }
    )
    # Locals live to the function's end: free each part's temporaries once it is made
    # (0.25-0.4 GB each at 50 M visits, issue 27). No random draw moves: the same data.
    del s_idx, d_idx, base, weekend, arrive, leave, lunch, lunch_out, lunch_back

    # --- Guards: night shifts across midnight, every day of the week -------------------
    guards = np.nonzero(guard)[0]
    g_idx, gd_idx = np.nonzero(rng.random((guards.size, n_days)) < 0.5)
    g_idx = guards[g_idx]
    g_in = start + gd_idx.astype(np.int64) * 86400 + 18 * 3600 + rng.integers(0, 30 * 60, g_idx.size)
    parts.append(
        {
            "person": g_idx,
            "building": staff_building[g_idx],
            "checkin": g_in,
            "checkout": g_in + rng.integers(int(10.5 * 3600), int(11.75 * 3600), g_idx.size),
            "source": np.full(g_idx.size, SRC_GUARD, np.int8),
        }
    )
    del g_idx, gd_idx, g_in

    staff_visits = sum(p["person"].size for p in parts)

    # --- Visitors ------------------------------------------------------------------------
    remaining = max(n_visits - staff_visits, n_visits // 10)
    n_pool = max(int(remaining / 2.5), 50)

    def visitor_ids(count: int) -> np.ndarray:
        # A few regular visitors come often, most come once or twice.
        return n_staff + np.minimum((n_pool * rng.random(count) ** 1.3).astype(np.int64), n_pool - 1)

    # Crowded events: about 1 % of building-weekdays.
    cells = np.nonzero(np.broadcast_to(dow < 5, (n_buildings, n_days)))
    pick = rng.random(cells[0].size) < 0.01
    ev_b, ev_d = cells[0][pick], cells[1][pick]
    ev_size = (capacity[ev_b] * rng.uniform(0.4, 0.9, ev_b.size)).astype(np.int64)
    ev_start = start + ev_d.astype(np.int64) * 86400 + 9 * 3600 + rng.integers(0, 4 * 3600, ev_b.size)
    rep = np.repeat(np.arange(ev_b.size), ev_size)
    ev_count = rep.size
    ev_in = ev_start[rep] + np.clip(rng.normal(0, 15 * 60, ev_count), -40 * 60, 40 * 60).astype(np.int64)
    parts.append(
        {
            "person": visitor_ids(ev_count),
            "building": ev_b[rep].astype(np.int16),
            "checkin": ev_in,
            "checkout": ev_in + rng.integers(90 * 60, 150 * 60, ev_count),
            "source": np.full(ev_count, SRC_EVENT, np.int8),
        }
    )
    del rep, ev_in

    # Ordinary visitors: building by size, weekdays busy, weekends quiet; a few percent
    # extra because overlapping visits of one person are dropped below.
    n_reg = max(int((n_visits - staff_visits - ev_count) * 1.04), n_visits // 20)
    day_factor = np.array([1.0, 1.0, 1.0, 1.0, 0.9, 0.08, 0.03])[dow]
    cell_p = np.outer(weight, day_factor).ravel()
    cell = rng.choice(cell_p.size, size=n_reg, p=cell_p / cell_p.sum())
    v_b, v_d = np.divmod(cell, n_days)
    v_in = start + v_d.astype(np.int64) * 86400 + 8 * 3600 + (rng.beta(2, 2.5, n_reg) * 7 * 3600).astype(np.int64)
    stay = np.clip(rng.lognormal(np.log(35 * 60), 0.6, n_reg), 180, 170 * 60).astype(np.int64)
    long_stay = rng.random(n_reg) < 0.005
    stay[long_stay] = rng.integers(185 * 60, 240 * 60, int(long_stay.sum()))
    parts.append({"person": visitor_ids(n_reg), "building": v_b.astype(np.int16), "checkin": v_in, "checkout": v_in + stay,
                  "source": np.full(n_reg, SRC_VISITOR, np.int8)})
    del cell, v_b, v_d, v_in, stay, long_stay

    def column(key: str, dtype: type) -> np.ndarray:
        # Each part's column is dropped as soon as it is copied into the whole.
        return np.concatenate([p.pop(key) for p in parts]).astype(dtype, copy=False)

    person = column("person", np.int64)
    building = column("building", np.int16)
    checkin = column("checkin", np.int64)
    checkout = column("checkout", np.int64)
    source = column("source", np.int8)
    parts.clear()

    order = np.lexsort((checkin, person))
    # One column at a time, so only one old column is alive beside the new ones.
    person = person[order]
    building = building[order]
    checkin = checkin[order]
    checkout = checkout[order]
    source = source[order]
    del order
    # One person is in one place at a time: drop a visit that begins before the
    # person's previous visit ended (plus a margin for the double scans).
    while True:
        conflict = np.zeros(person.size, dtype=bool)
        conflict[1:] = (person[1:] == person[:-1]) & (checkin[1:] < checkout[:-1] + 3 * 60)
        if not conflict.any():
            break
        keep = ~conflict
        del conflict
        person = person[keep]
        building = building[keep]
        checkin = checkin[keep]
        checkout = checkout[keep]
        source = source[keep]
        del keep
    if person.size > n_visits:
        drop = np.zeros(person.size, dtype=bool)
        drop[rng.choice(person.size, size=person.size - n_visits, replace=False)] = True
        keep = ~drop
        del drop
        person = person[keep]
        building = building[keep]
        checkin = checkin[keep]
        checkout = checkout[keep]
        source = source[keep]
        del keep

    n = person.size
    forgot = rng.random(n) < 0.05
    # Seconds below 90: int8 holds them (0.7 GB less at 50 M than int64, the same values).
    dup_in = np.where(rng.random(n) < 0.01, rng.integers(5, 90, n), 0).astype(np.int8)
    dup_out = np.where((rng.random(n) < 0.01) & ~forgot, rng.integers(5, 90, n), 0).astype(np.int8)

    n_persons = n_staff + n_pool
    person_category = np.concatenate([staff_category, np.full(n_pool, 2, dtype=np.int8)])
    idx = np.arange(n_persons)
    person_ids = np.empty(n_persons, dtype=object)
    # NIP-like 18 digits for ASN, a staff number for THL, a phone number for visitors.
    person_ids[:n_staff] = np.where(
        staff_category == 0,
        (197001012000000000 + idx[:n_staff] * 1_000_003).astype(str).astype(object),
        np.char.add("THL-", np.char.zfill(idx[:n_staff].astype(str), 6)).astype(object),
    )
    phones = np.char.add("08", np.char.zfill(((idx * 7_919_317) % 10_000_000_000).astype(str), 10)).astype(object)
    person_ids[n_staff:] = phones[n_staff:]
    names = (_FIRST[idx % _FIRST.size] + " " + _LAST[(idx // _FIRST.size) % _LAST.size]).astype(object)

    building_ids = np.array([f"GD{i + 1:02d}" for i in range(n_buildings)], dtype=object)
    rooms = _rooms(np.random.default_rng(seed + 1), n_staff, guard, person, person_category[person], source,
                   checkin, checkout)
    return Dataset(
        n_days=n_days,
        start_utc=start,
        building_ids=building_ids,
        capacity=capacity,
        threshold_people=threshold_people,
        person_ids=person_ids,
        person_category=person_category,
        person_names=names,
        person_phones=phones,
        person=person,
        building=building,
        checkin=checkin,
        checkout=checkout,
        forgot=forgot,
        dup_in=dup_in,
        dup_out=dup_out,
        gate_in=rng.integers(1, 4, n).astype(np.int8),
        gate_out=rng.integers(1, 4, n).astype(np.int8),
        status=(rng.random(n) < 0.03).astype(np.int8),
        n_staff=n_staff,
        staff_building=staff_building,
        **rooms,
    )


def _rooms(
    rng: np.random.Generator,
    n_staff: int,
    guard: np.ndarray,
    person: np.ndarray,
    category: np.ndarray,
    source: np.ndarray,
    checkin: np.ndarray,
    checkout: np.ndarray,
) -> dict[str, np.ndarray]:
    """The roster's units and rooms, and the visits' area stays (a generator of its own,
    so the visits are the same as before rooms existed).

    A stay lies inside its visit: scanned in at least a minute after the door check-in,
    10 to 110 minutes long (under AREA_STAY), scanned out at least a minute before the
    visit's intended end (its check-out, or its MAX_STAY when that comes first).
    """
    staff_unit = rng.integers(0, UNITS.size, n_staff).astype(np.int8)
    staff_room = staff_unit.copy()
    staff_room[guard] = POS_JAGA
    n = person.size
    max_stay = np.array([MAX_STAY_S["ASN"], MAX_STAY_S["THL"], MAX_STAY_S["visitor"]])[category]
    span = np.minimum(checkout, checkin + max_stay) - checkin
    del max_stay  # temporaries freed as soon as used (issue 27: 0.4 GB each at 50 M)
    length = np.minimum(rng.integers(10 * 60, 110 * 60, n), ((span - 120) * 0.8).astype(np.int64))
    has = (rng.random(n) < np.where(source == SRC_VISITOR, 0.4, 0.3)) & (length >= 60)
    start = checkin + 60 + (rng.random(n) * np.maximum(span - 120 - length, 0)).astype(np.int64)
    del span
    staff_pick = rng.random(n)
    office = staff_room[np.minimum(person, n_staff - 1)]
    area = np.select(
        [source == SRC_GUARD, source == SRC_EVENT, source == SRC_VISITOR, staff_pick < 0.5, staff_pick < 0.85],
        [POS_JAGA, AULA, LOKET, office, RAPAT],
        AULA,
    ).astype(np.int8)
    del staff_pick, office
    forgot = rng.random(n) < 0.08
    idx = np.nonzero(has)[0]
    return {
        "staff_unit": staff_unit,
        "staff_room": staff_room,
        "stay_visit": idx.astype(np.int64),
        "stay_area": area[idx],
        "stay_start": start[idx],
        "stay_end": (start + length)[idx],
        "stay_forgot": forgot[idx],
    }


# --- Events ----------------------------------------------------------------------------


def events(ds: Dataset, start: int | None = None, end: int | None = None) -> dict[str, np.ndarray]:
    """The scan events of the data set with ``start <= ts < end``, in time order.

    Columns: visit (index), person (index), building (index), is_checkin, ts, gate, status
    (int codes), duplicate, area (index into AREA_NAMES; -1 for a door scan).
    Door scans first, then area scans, at equal instants (a stable sort).
    """
    has_out = ~ds.forgot
    has_dup_in = ds.dup_in > 0
    has_dup_out = ds.dup_out > 0
    stay_out = ~ds.stay_forgot
    idx = np.concatenate(
        [
            np.arange(ds.person.size),
            np.nonzero(has_out)[0],
            np.nonzero(has_dup_in)[0],
            np.nonzero(has_dup_out)[0],
            ds.stay_visit,
            ds.stay_visit[stay_out],
        ]
    )
    kind = np.concatenate(
        [
            np.zeros(ds.person.size, np.int8),
            np.ones(int(has_out.sum()), np.int8),
            np.full(int(has_dup_in.sum()), 2, np.int8),
            np.full(int(has_dup_out.sum()), 3, np.int8),
            np.full(ds.stay_visit.size, 4, np.int8),
            np.full(int(stay_out.sum()), 5, np.int8),
        ]
    )
    n_door = idx.size - ds.stay_visit.size - int(stay_out.sum())
    area = np.concatenate([np.full(n_door, -1, np.int8), ds.stay_area, ds.stay_area[stay_out]])
    area_ts = np.concatenate([ds.stay_start, ds.stay_end[stay_out]])
    ts = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3],
        [ds.checkin[idx], ds.checkout[idx], ds.checkin[idx] + ds.dup_in[idx], ds.checkout[idx] + ds.dup_out[idx]],
        0,
    )
    ts[n_door:] = area_ts
    keep = np.ones(ts.size, dtype=bool)
    if start is not None:
        keep &= ts >= start
    if end is not None:
        keep &= ts < end
    idx, kind, ts, area = idx[keep], kind[keep], ts[keep], area[keep]
    order = np.argsort(ts, kind="stable")
    idx, kind, ts, area = idx[order], kind[order], ts[order], area[order]
    is_checkin = (kind == 0) | (kind == 2) | (kind == 4)
    return {
        "visit": idx,
        "person": ds.person[idx],
        "building": ds.building[idx],
        "is_checkin": is_checkin,
        "ts": ts,
        "gate": np.where(is_checkin, ds.gate_in[idx], ds.gate_out[idx]),
        "status": ds.status[idx],
        "duplicate": (kind == 2) | (kind == 3),
        "area": area,
    }


def _local_text(ts: np.ndarray) -> pa.Array:
    """Local wall-clock time, written by the CSV writer as '2022-01-03 08:01:23'."""
    return pa.array((ts + OFFSET_S).astype("datetime64[s]"))


def events_table(ds: Dataset, ev: dict[str, np.ndarray]) -> pa.Table:
    """Events as an office's export: local time without offset, one row per scan."""
    category_text = np.array(["ASN", "THL", "Pengunjung"], dtype=object)
    status_text = np.array(["hijau", "kuning"], dtype=object)
    p = ev["person"]
    return pa.table(
        {
            "timestamp": _local_text(ev["ts"]),
            "person_id": pa.array(ds.person_ids[p], pa.string()),
            "name": pa.array(ds.person_names[p], pa.string()),
            "category": pa.array(category_text[ds.person_category[p]], pa.string()),
            "phone": pa.array(ds.person_phones[p], pa.string()),
            "building": pa.array(ds.building_ids[ev["building"]], pa.string()),
            "gate": pa.array(np.char.add("G", ev["gate"].astype(str)).astype(object), pa.string()),
            "action": pa.array(np.where(ev["is_checkin"], "checkin", "checkout").astype(object), pa.string()),
            "status": pa.array(status_text[ev["status"]], pa.string()),
            # A door scan's area is empty (written as an empty field).
            "area": pa.array(np.where(ev["area"] >= 0, AREA_NAMES[np.maximum(ev["area"], 0)], None), pa.string()),
        }
    )


def visit_subset(ds: Dataset, chosen: np.ndarray) -> Dataset:
    """The data set restricted to the visits ``chosen`` (a boolean mask) and their stays,
    in the same order; person and building indices stay global."""
    from dataclasses import replace

    renumber = np.cumsum(chosen) - 1
    with_stay = chosen[ds.stay_visit]
    return replace(
        ds,
        person=ds.person[chosen], building=ds.building[chosen], checkin=ds.checkin[chosen],
        checkout=ds.checkout[chosen], forgot=ds.forgot[chosen], dup_in=ds.dup_in[chosen],
        dup_out=ds.dup_out[chosen], gate_in=ds.gate_in[chosen], gate_out=ds.gate_out[chosen],
        status=ds.status[chosen],
        stay_visit=renumber[ds.stay_visit[with_stay]], stay_area=ds.stay_area[with_stay],
        stay_start=ds.stay_start[with_stay], stay_end=ds.stay_end[with_stay],
        stay_forgot=ds.stay_forgot[with_stay],
    )


# Every scan of a visit lies within a day of its check-in (a guard's night: under 12 h).
EVENT_REACH_S = 2 * 86400
# The CSV is written per time window of this many days (issue 27: all events at once is
# ~8 GB of arrays at 50 M visits).
CSV_WINDOW_DAYS = 28


def write_events_csv(ds: Dataset, path: Path, start: int | None = None, end: int | None = None,
                     limit: int | None = None) -> int:
    """Write the events of ``[start, end)`` (the first ``limit`` of them) as CSV; returns rows.

    Streamed by time windows: each window's events come from the visits checked in up to
    :data:`EVENT_REACH_S` before it, in the order :func:`events` gives them for the whole
    data set (a subset keeps the order of its visits and stays, so ties sort alike)."""
    first = ds.start_utc if start is None else max(start, ds.start_utc)
    last = ds.end_utc + EVENT_REACH_S if end is None else end
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    written = 0
    schema = events_table(ds, {k: v[:0] for k, v in events(visit_subset(ds, ds.person < 0)).items()}).schema
    with pacsv.CSVWriter(tmp, schema, write_options=pacsv.WriteOptions(quoting_style="needed")) as writer:
        for lo in range(first, last, CSV_WINDOW_DAYS * 86400):
            hi = min(lo + CSV_WINDOW_DAYS * 86400, last)
            if limit is not None and written >= limit:
                break
            near = (ds.checkin >= lo - EVENT_REACH_S) & (ds.checkin < hi)
            ev = events(visit_subset(ds, near), lo, hi)
            del near
            if limit is not None:
                ev = {k: v[:limit - written] for k, v in ev.items()}
            writer.write_table(events_table(ds, ev))
            written += int(ev["ts"].size)
    tmp.replace(path)
    return written


# --- Stored visits (RULES "From events to visits") --------------------------------------------


def stored_visits(ds: Dataset, cut: int | None = None) -> dict[str, np.ndarray]:
    """What the pairing rules store once every event before ``cut`` is imported.

    Returns columns person, building, checkin_at, checkout_at (NO_TIME = NULL),
    kind (0 scan, 1 auto, 2 NULL), auto_close_at, category, gate_in, gate_out (0 = NULL),
    status; and the anomalies (duplicates, orphans).
    """
    cut_ = NO_TIME if cut is None else cut
    keep = ds.checkin < cut_
    person, building, checkin = ds.person[keep], ds.building[keep], ds.checkin[keep]
    checkout, forgot = ds.checkout[keep], ds.forgot[keep] | (ds.checkout[keep] >= cut_)
    category = ds.person_category[person]
    max_stay = np.array([MAX_STAY_S["ASN"], MAX_STAY_S["THL"], MAX_STAY_S["visitor"]])[category]
    deadline = checkin + max_stay
    same_next = np.zeros(person.size, dtype=bool)
    same_next[:-1] = person[1:] == person[:-1]
    next_in = np.full(person.size, NO_TIME)
    next_in[:-1] = np.where(same_next[:-1], checkin[1:], NO_TIME)
    late = ~forgot & (checkout > deadline)  # scanned out after MAX_STAY: orphan check-out
    out = np.where(
        ~forgot & ~late,
        checkout,
        np.where(forgot & (next_in <= deadline), next_in, np.where(next_in < NO_TIME, deadline, NO_TIME)),
    )
    out = np.where(late, deadline, out)
    kind = np.where(~forgot & ~late, 0, np.where(out == NO_TIME, 2, 1)).astype(np.int8)
    gate_out = np.where(kind == 0, ds.gate_out[keep], 0).astype(np.int8)

    dup_in = ds.dup_in[keep]
    dup_out = ds.dup_out[keep]
    a_in = (dup_in > 0) & (checkin + dup_in < cut_)
    a_dup_out = (dup_out > 0) & ~forgot & ~late & (checkout + dup_out < cut_)
    a_orphan = late & (checkout < cut_)
    anomalies = {
        "person": np.concatenate([person[a_in], person[a_dup_out], person[a_orphan]]),
        "building": np.concatenate([building[a_in], building[a_dup_out], building[a_orphan]]),
        "ts": np.concatenate([(checkin + dup_in)[a_in], (checkout + dup_out)[a_dup_out], checkout[a_orphan]]),
        "is_checkin": np.concatenate(
            [np.ones(int(a_in.sum()), bool), np.zeros(int(a_dup_out.sum() + a_orphan.sum()), bool)]
        ),
        "orphan": np.concatenate([np.zeros(int(a_in.sum() + a_dup_out.sum()), bool), np.ones(int(a_orphan.sum()), bool)]),
    }
    visits = {
        "person": person,
        "building": building,
        "checkin_at": checkin,
        "checkout_at": out,
        "kind": kind,
        "auto_close_at": deadline,
        "category": category,
        "gate_in": ds.gate_in[keep],
        "gate_out": gate_out,
        "status": ds.status[keep],
    }
    return {"visits": visits, "anomalies": anomalies}


def stored_stays(ds: Dataset, cut: int | None = None) -> dict[str, np.ndarray]:
    """The area stays the import derives once every event before ``cut`` is imported
    (RULES "Places inside a building"), as stored in ``stays``.

    Columns person, building, area (indices), start_at, end_at (NO_TIME = NULL, still
    open), kind (0 scan, 1 auto, 2 left, 3 NULL), auto_end_at. With one stay per visit,
    scanned out (if at all) inside it before AREA_STAY, the state machine reduces to:
    a stay scanned out before ``cut`` ends ``scan``; one not scanned out ends ``auto`` at
    ``start + AREA_STAY`` when a later area scan of the person in the building follows
    (it comes after the visit, so after that instant, or the next rule applies), else it
    is stored open. Then leaving ends the stay: its visit's stored end (a visit still
    open: its automatic close) before the stay's end (an open one: its AREA_STAY) ends it
    ``left`` there.
    """
    cut_ = NO_TIME if cut is None else cut
    keep = ds.stay_start < cut_
    vi, start, end = ds.stay_visit[keep], ds.stay_start[keep], ds.stay_end[keep]
    person, building = ds.person[vi], ds.building[vi]
    scanned = ~ds.stay_forgot[keep] & (end < cut_)
    order = np.lexsort((start, building, person))
    has_later = np.zeros(vi.size, dtype=bool)
    has_later[order[:-1]] = (person[order[1:]] == person[order[:-1]]) & (building[order[1:]] == building[order[:-1]])
    auto_end = start + AREA_STAY_S
    raw_end = np.where(scanned, end, np.where(has_later, auto_end, NO_TIME))
    raw_kind = np.where(scanned, 0, np.where(has_later, 1, 3))
    # The visit holding the stay, as stored_visits stores it (visits before the cut, in order).
    visits = stored_visits(ds, cut)["visits"]
    stored_index = np.cumsum(ds.checkin < cut_) - 1
    v = stored_index[vi]
    v_end = np.where(visits["checkout_at"][v] == NO_TIME, visits["auto_close_at"][v], visits["checkout_at"][v])
    left = v_end < np.where(raw_end == NO_TIME, auto_end, raw_end)
    return {
        "person": person,
        "building": building,
        "area": ds.stay_area[keep],
        "start_at": start,
        "end_at": np.where(left, v_end, raw_end),
        "kind": np.where(left, 2, raw_kind).astype(np.int8),
        "auto_end_at": auto_end,
    }


def roster_persons(ds: Dataset, cut: int | None = None) -> np.ndarray:
    """The staff on the roster: every staff member with a visit before ``cut`` (indices)."""
    cut_ = NO_TIME if cut is None else cut
    seen = np.unique(ds.person[ds.checkin < cut_])
    return seen[seen < ds.n_staff]


def roster_table(ds: Dataset, cut: int | None = None) -> pa.Table:
    """The staff roster as an office keeps it: person_id, unit, building, room."""
    who = roster_persons(ds, cut)
    return pa.table(
        {
            "person_id": pa.array(ds.person_ids[who], pa.string()),
            "unit": pa.array(UNITS[ds.staff_unit[who]], pa.string()),
            "building": pa.array(ds.building_ids[ds.staff_building[who]], pa.string()),
            "room": pa.array(AREA_NAMES[ds.staff_room[who]], pa.string()),
        }
    )


def write_roster_csv(ds: Dataset, path: Path, cut: int | None = None) -> int:
    """The roster as a CSV file (the third import shape); returns rows."""
    table = roster_table(ds, cut)
    path.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(table, path)
    return table.num_rows


def _ts_array(seconds: np.ndarray) -> pa.Array:
    mask = seconds == NO_TIME
    values = np.where(mask, 0, seconds).astype("datetime64[s]").astype("datetime64[us]")
    return pa.array(values, type=pa.timestamp("us", tz="UTC"), mask=mask)


def visits_arrow(ds: Dataset, v: dict[str, np.ndarray]) -> pa.Table:
    """Visits in the column order of ``lib.store.db``'s ``visits`` table."""
    kind_text = np.array(["scan", "auto", None], dtype=object)
    gate_text = np.array([None, "G1", "G2", "G3"], dtype=object)
    status_text = np.array(["hijau", "kuning"], dtype=object)
    return pa.table(
        {
            "person_id": pa.array(ds.person_ids[v["person"]], pa.string()),
            "building": pa.array(ds.building_ids[v["building"]], pa.string()),
            "checkin_at": _ts_array(v["checkin_at"]),
            "checkout_at": _ts_array(v["checkout_at"]),
            "checkout_kind": pa.array(kind_text[v["kind"]], pa.string()),
            "auto_close_at": _ts_array(v["auto_close_at"]),
            "category": pa.array(CATEGORY_NAMES[v["category"]], pa.string()),
            "gate_in": pa.array(gate_text[v["gate_in"]], pa.string()),
            "gate_out": pa.array(gate_text[v["gate_out"]], pa.string()),
            "area": pa.nulls(v["person"].size, pa.string()),
            "status": pa.array(status_text[v["status"]], pa.string()),
        }
    )


# Visits per block of persons in the streamed writer: a block's arrays and Arrow tables are
# a few hundred MB at most, whatever the scale (issue 27: the 50 M store within 8 GB).
BLOCK_VISITS = 500_000
# DuckDB's memory while it sorts the staged rows into the store (it spills to a folder next
# to the store beyond it); without it DuckDB takes 80 % of the machine's memory.
WRITER_MEMORY_LIMIT = "2GB"


def person_blocks(ds: Dataset, block_visits: int = BLOCK_VISITS) -> list[tuple[int, int]]:
    """Ranges ``[lo, hi)`` of visits, about ``block_visits`` each, that never split a
    person's visits: the visits are sorted by person, and pairing, anomalies, stays and a
    person's row depend only on that person's own visits, so each block is written alone."""
    bounds = [0]
    while bounds[-1] < ds.person.size:
        at = bounds[-1] + block_visits
        if at >= ds.person.size:
            bounds.append(ds.person.size)
            break
        # Back to the first visit of the person at ``at`` (forward when that is the block's start).
        start_of_person = int(np.searchsorted(ds.person, ds.person[at], side="left"))
        if start_of_person <= bounds[-1]:
            start_of_person = int(np.searchsorted(ds.person, ds.person[at], side="right"))
        bounds.append(start_of_person)
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def visit_slice(ds: Dataset, lo: int, hi: int) -> Dataset:
    """The data set restricted to visits ``[lo, hi)`` and their stays (views, no copies of
    the person tables); person and building indices stay global."""
    from dataclasses import replace

    s_lo, s_hi = np.searchsorted(ds.stay_visit, [lo, hi])
    return replace(
        ds,
        person=ds.person[lo:hi], building=ds.building[lo:hi], checkin=ds.checkin[lo:hi],
        checkout=ds.checkout[lo:hi], forgot=ds.forgot[lo:hi], dup_in=ds.dup_in[lo:hi],
        dup_out=ds.dup_out[lo:hi], gate_in=ds.gate_in[lo:hi], gate_out=ds.gate_out[lo:hi],
        status=ds.status[lo:hi],
        stay_visit=ds.stay_visit[s_lo:s_hi] - lo, stay_area=ds.stay_area[s_lo:s_hi],
        stay_start=ds.stay_start[s_lo:s_hi], stay_end=ds.stay_end[s_lo:s_hi],
        stay_forgot=ds.stay_forgot[s_lo:s_hi],
    )


def _block_tables(ds: Dataset, cut: int | None) -> tuple[dict[str, pa.Table], np.ndarray]:
    """One block's rows of persons, events, visits, anomalies and stays (Arrow), and the
    (building, room) pairs its area scans name."""
    stored = stored_visits(ds, cut)
    ev = events(ds, None, cut)
    # persons: the latest event of each person gives name/category/phone time.
    order = np.argsort(ev["person"], kind="stable")
    p_sorted = ev["person"][order]
    last = np.r_[p_sorted[1:] != p_sorted[:-1], True] if p_sorted.size else np.zeros(0, bool)
    who = p_sorted[last]
    last_ts = ev["ts"][order][last]
    category_text = np.array(["ASN", "THL", "visitor"], dtype=object)
    persons = pa.table(
        {
            "person_id": pa.array(ds.person_ids[who], pa.string()),
            "name": pa.array(ds.person_names[who], pa.string()),
            "name_at": _ts_array(last_ts),
            "category": pa.array(category_text[ds.person_category[who]], pa.string()),
            "category_at": _ts_array(last_ts),
            "phone": pa.array(ds.person_phones[who], pa.string()),
            "phone_at": _ts_array(last_ts),
        }
    )
    an = stored["anomalies"]
    anomalies = pa.table(
        {
            "person_id": pa.array(ds.person_ids[an["person"]], pa.string()),
            "building": pa.array(ds.building_ids[an["building"]], pa.string()),
            "ts": _ts_array(an["ts"]),
            "action": pa.array(np.where(an["is_checkin"], "checkin", "checkout").astype(object), pa.string()),
            "kind": pa.array(np.where(an["orphan"], "orphan", "duplicate").astype(object), pa.string()),
        }
    )
    visits = visits_arrow(ds, stored["visits"])
    del stored
    st = stored_stays(ds, cut)
    kind_text = np.array(["scan", "auto", "left", None], dtype=object)
    stays = pa.table(
        {
            "person_id": pa.array(ds.person_ids[st["person"]], pa.string()),
            "building": pa.array(ds.building_ids[st["building"]], pa.string()),
            "area": pa.array(AREA_NAMES[st["area"]], pa.string()),
            "start_at": _ts_array(st["start_at"]),
            "end_at": _ts_array(st["end_at"]),
            "end_kind": pa.array(kind_text[st["kind"]], pa.string()),
            "auto_end_at": _ts_array(st["auto_end_at"]),
        }
    )
    scanned = ev["area"] >= 0
    pairs = np.unique(ev["building"][scanned].astype(np.int64) * 256 + ev["area"][scanned])
    tables = {"persons": persons, "events": events_table(ds, ev), "visits": visits,
              "anomalies": anomalies, "stays": stays}
    return tables, pairs


def _insert_in_time_order(con, staged: str, column: str, insert: str) -> None:
    """Run ``insert`` (reading ``stage.<staged>``) window by window of ``column``, each
    window sorted: the table ends in time order while DuckDB sorts one window at a time
    (one sort of 125 M events at 50 M visits ran out of the writer's memory limit)."""
    low, high = con.execute(f"SELECT min({column}), max({column}) FROM stage.{staged}").fetchall()[0]
    if low is None:
        return
    step = dt.timedelta(days=CSV_WINDOW_DAYS)
    at = low
    while at <= high:
        con.execute(f"{insert} WHERE {column} >= ? AND {column} < ? ORDER BY {column}", [at, at + step])
        at += step


def write_store(ds: Dataset, path: Path, cut: int | None = None, log=print,
                block_visits: int = BLOCK_VISITS) -> dict[str, int]:
    """Write buildings, persons, events, visits, anomalies, areas, stays and the roster
    straight into a new database.

    Every event before ``cut`` is in ``events``; ``visits`` holds exactly what the import
    would have paired from them (see :func:`stored_visits`), ``stays`` what it derives
    from the area scans (:func:`stored_stays`), ``areas`` every room named by a scan or
    the roster, ``roster`` what importing :func:`write_roster_csv`'s file sets. Faster
    than importing the CSV, and the smoke test proves it is the same.

    Streamed (issue 27): the rows are made per block of persons (:func:`person_blocks`)
    and appended to a staging database next to the store; ``INSERT ... ORDER BY`` per
    28-day window of each table then moves them into the store in time order (what the
    zone maps of the readers need, as the import leaves them), DuckDB sorting one window
    at a time within :data:`WRITER_MEMORY_LIMIT`. Only one
    block's rows are in Python's memory at a time.
    """
    from lib.store import db, person_search

    stage_path = path.with_name(path.name + ".stage")
    for old in (path, path.with_suffix(path.suffix + ".wal"), stage_path, Path(str(stage_path) + ".wal")):
        if old.exists():
            old.unlink()
    con = db.connect(path)
    try:
        # A new file runs every migration, and one of them marks scans with an area for the
        # re-pairing that an older file needs; the rows written here are in today's shape, so
        # the app's first open must not re-pair the whole store (lib.ingest.upgrade.finish
        # would, on an empty file, just clear the mark).
        con.execute("DELETE FROM app_settings WHERE key = ?", [db.PENDING_AREA_SCANS])
        con.execute(f"SET memory_limit = '{WRITER_MEMORY_LIMIT}'")
        con.execute(f"SET temp_directory = '{path.with_name(path.name + '.spill')}'")
        con.execute(f"ATTACH '{stage_path}' AS stage")
        stage_made = False
        all_pairs = []
        for lo, hi in person_blocks(ds, block_visits):
            tables, pairs = _block_tables(visit_slice(ds, lo, hi), cut)
            all_pairs.append(pairs)
            for name, table in tables.items():
                con.register("block_arrow", table)
                if not stage_made:
                    con.execute(f"CREATE TABLE stage.{name} AS SELECT * FROM block_arrow")
                else:
                    con.execute(f"INSERT INTO stage.{name} SELECT * FROM block_arrow")
                con.unregister("block_arrow")
            stage_made = True
            del tables
        buildings = pa.table(
            {
                "building_id": pa.array(ds.building_ids, pa.string()),
                "capacity": pa.array(ds.capacity, pa.int32()),
                "threshold_people": pa.array(ds.threshold_people, pa.int32()),
            }
        )
        roster = roster_table(ds, cut)
        # Areas: each (building, room) an area scan before the cut or the roster names.
        who = roster_persons(ds, cut)
        pairs = np.unique(np.concatenate([
            *all_pairs,
            ds.staff_building[who].astype(np.int64) * 256 + ds.staff_room[who],
        ]))
        area_names = AREA_NAMES[pairs % 256]
        areas = pa.table(
            {
                "building": pa.array(ds.building_ids[pairs // 256], pa.string()),
                "area_key": pa.array(np.char.lower(area_names.astype(str)).astype(object), pa.string()),
                "area_id": pa.array(area_names, pa.string()),
            }
        )
        moment = _ts_array(np.array([ds.end_utc if cut is None else cut]))[0].as_py()
        # One statement per commit, not one transaction: a generated store that fails is
        # made again from scratch (bench.prepare), and DuckDB then writes each window's rows
        # out instead of holding the whole transaction (issue 27).
        con.register("b_arrow", buildings)
        con.execute(
            "INSERT INTO buildings (building_id, name, timezone, capacity, threshold_people) "
            f"SELECT building_id, building_id, '{TIMEZONE}', capacity, threshold_people FROM b_arrow"
        )
        # Events are stored with UTC instants, as the importer stores them; in time
        # order, as the writer before streaming inserted them.
        _insert_in_time_order(
            con, "events", '"timestamp"',
            f"""
            INSERT INTO events
            SELECT person_id, building, CASE WHEN action = 'checkin' THEN 'checkin' ELSE 'checkout' END,
                   CAST(CAST("timestamp" AS TIMESTAMP) - INTERVAL {OFFSET_S} SECOND AS TIMESTAMPTZ),
                   name,
                   CASE WHEN category IN ('ASN', 'THL') THEN category ELSE 'visitor' END,
                   phone, gate, area, status, NULL, NULL, NULL, NULL
            FROM stage.events
            """,
        )
        _insert_in_time_order(con, "visits", "checkin_at",
                              "INSERT INTO visits BY NAME SELECT * FROM stage.visits")
        _insert_in_time_order(con, "anomalies", "ts", "INSERT INTO scan_anomalies SELECT * FROM stage.anomalies")
        con.register("area_arrow", areas)
        con.execute("INSERT INTO areas (building, area_key, area_id, name) "
                    "SELECT building, area_key, area_id, area_id FROM area_arrow")
        _insert_in_time_order(con, "stays", "start_at", "INSERT INTO stays SELECT * FROM stage.stays")
        con.register("r_arrow", roster)
        # One roster import at the cut (import id 0: the store has no imports rows).
        con.execute("INSERT INTO roster SELECT person_id, unit, building, room, 0, ? FROM r_arrow", [moment])
        # Persons last: their primary key's index stays in memory, and the sorts above
        # need the writer's memory limit (5.7 M persons at 50 M visits).
        con.execute(f"INSERT INTO persons BY NAME SELECT *, {db.person_key()} AS person_key FROM stage.persons")
        # Written past the import, so the person search's index too (issue 27).
        person_search.rebuild(con)
        con.execute("DETACH stage")
        for old in (stage_path, Path(str(stage_path) + ".wal")):
            if old.exists():
                old.unlink()
        # The import keeps the stored hourly figures up to date; so does this writer.
        from datetime import UTC, datetime

        from lib.analytics import figures

        with db.transaction(con):
            figures.refresh(con, None, None, now=datetime.fromtimestamp(ds.end_utc if cut is None else cut, UTC))
        counts = {
            table: int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
            for table in ("buildings", "persons", "events", "visits", "scan_anomalies", "areas", "stays", "roster")
        }
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate benchmark data")
    parser.add_argument("--scale", choices=sorted(SCALES), default="100k")
    parser.add_argument("--csv", type=Path, help="write all events to this CSV file")
    parser.add_argument("--db", type=Path, help="write visits straight into this database file")
    args = parser.parse_args()
    t0 = time.perf_counter()
    ds = generate(SCALES[args.scale])
    print(f"generated {ds.person.size:,} visits of {ds.person_ids.size:,} persons in {time.perf_counter() - t0:.1f} s")
    if args.csv:
        rows = write_events_csv(ds, args.csv)
        print(f"wrote {rows:,} events to {args.csv} (CSV, the real import path)")
    if args.db:
        counts = write_store(ds, args.db)
        print(f"wrote {args.db} directly (visits inserted with SQL/Arrow, not through the import): {counts}")


if __name__ == "__main__":
    main()
