"""A realistic demo month for Bitung, ending now (local time, WITA).

The mayor's office (``kantor-walikota``, three gates) and three regional offices; civil
servants (ASN), contract staff (THL, with night guards) and visitors; lunch exits,
forgotten check-outs, double scans, stray check-outs, a crowded event day, and one civil
servant who later tests positive (``POSITIVE_CASE_ID``). The events are written as the
scanner exports an office would hand over (CSV with commas or semicolons, ISO or
day-first times, a few broken rows) and imported through the normal import path.

Rooms (RULES "Places inside a building"): each office has its units' rooms, a meeting
room, and the mayor's office and the sub-district office a service counter (``Loket
Pelayanan``). Meetings are door check-ins plus scans of the meeting room's poster,
visitors scan the counter, and the staff roster (``daftar-pegawai.csv``: unit, home
building, home room) is imported like the scan exports. A few rooms have a capacity, so
room crowding shows (the vaccination event in the hall, the odd overfull meeting). The
positive case works in the small ``Bagian Umum`` office: a trace lists her office mates
and the meeting colleagues at the health office as same-room (K1) contacts, and the rest
of the city hall as same-building (K2) contacts. Room events come from a random stream of
their own, so the month's door scans are the same with or without them.

The front desk (issue 22): visitors' check-ins carry a purpose (keperluan) from the office's
list, whom they came to see (a unit or a named member of staff) and an institution (instansi),
from a random stream of their own too; a few visitors are expected each day (pre-registered),
most of whom arrive and some of whom do not (no-shows), and a few more are expected today and
tomorrow. The demo accounts include a receptionist (``lib.store.users.DEMO_ACCOUNTS``).
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from lib.core import config
from lib.ingest import front_desk, importer
from lib.store import db

ZONE = ZoneInfo(db.DEFAULT_TIMEZONE)
POSITIVE_CASE_ID = "198705142010012003"
EVENT_DAY_OFFSET = 9  # the crowded event is this many days before today (moved to a weekday)

BUILDINGS = [
    # id, name, capacity, threshold people, threshold share, PPKM level, gates
    ("kantor-walikota", "Kantor Walikota Bitung", 300, None, None, 3,
     [("utama", "Pintu Utama"), ("samping", "Pintu Samping"), ("belakang", "Pintu Belakang")]),
    ("dinas-kesehatan", "Dinas Kesehatan", 120, 80, None, None, [("utama", "Pintu Utama")]),
    ("bappelitbang", "Kantor Bappelitbang", 80, None, 0.5, None, [("utama", "Pintu Utama")]),
    ("kecamatan-maesa", "Kantor Camat Maesa", 60, None, None, 2, [("utama", "Pintu Utama")]),
]
STAFF = {"kantor-walikota": (180, 50), "dinas-kesehatan": (60, 15), "bappelitbang": (35, 8), "kecamatan-maesa": (22, 7)}
VISITORS_PER_DAY = {"kantor-walikota": 45, "dinas-kesehatan": 30, "bappelitbang": 10, "kecamatan-maesa": 20}

# Units and home rooms per building: (unit, home room or None, ASN, THL). Filled in order;
# the staff a building has beyond the list join its last unit. THL without a room (drivers,
# cleaners, guards) are "in the building" only.
UNITS = {
    "kantor-walikota": [
        ("Bagian Umum", "Bagian Umum", 10, 0),
        ("Bagian Umum", "Loket Pelayanan", 5, 3),
        ("Bagian Keuangan", "Bagian Keuangan", 28, 4),
        ("Bagian Pemerintahan", "Bagian Pemerintahan", 26, 3),
        ("Bagian Hukum", "Bagian Hukum", 18, 2),
        ("Bagian Organisasi", "Bagian Organisasi", 20, 2),
        ("Bagian Perekonomian", "Bagian Perekonomian", 22, 3),
        ("Bagian Protokol dan Komunikasi Pimpinan", "Bagian Protokol", 25, 3),
        ("Bagian Pengadaan Barang/Jasa", "Bagian Pengadaan", 26, 3),
        ("Bagian Umum", None, 0, 100),
    ],
    "dinas-kesehatan": [
        ("Sekretariat", "Sekretariat", 15, 4),
        ("Bidang Pencegahan dan Pengendalian Penyakit", "Bidang P2P", 16, 3),
        ("Bidang Pelayanan Kesehatan", "Bidang Yankes", 15, 3),
        ("Bidang Kesehatan Masyarakat", "Bidang Kesmas", 14, 2),
        ("Sekretariat", None, 0, 100),
    ],
    "bappelitbang": [
        ("Sekretariat", "Sekretariat", 12, 3),
        ("Bidang Perencanaan", "Bidang Perencanaan", 12, 2),
        ("Bidang Penelitian dan Pengembangan", "Bidang Litbang", 11, 1),
        ("Sekretariat", None, 0, 100),
    ],
    "kecamatan-maesa": [
        ("Sekretariat Kecamatan", "Sekretariat Kecamatan", 8, 2),
        ("Seksi Pelayanan", "Loket Pelayanan", 6, 2),
        ("Seksi Pemerintahan", "Seksi Pemerintahan", 8, 1),
        ("Sekretariat Kecamatan", None, 0, 100),
    ],
}
MEETING_ROOM = "Ruang Rapat"
COUNTER = "Loket Pelayanan"
HALL = "Aula Lt. 1"
# Room settings (building, room, AREA_STAY minutes, capacity in people or None).
ROOMS = [
    ("kantor-walikota", HALL, 240, 150),
    ("kantor-walikota", MEETING_ROOM, 180, 20),
    ("kantor-walikota", COUNTER, 60, 6),
    ("dinas-kesehatan", MEETING_ROOM, 180, 12),
    ("bappelitbang", MEETING_ROOM, 180, None),
    ("kecamatan-maesa", COUNTER, 60, 4),
]
# Meetings per weekday: (building, how many on a day, usual size, the odd overfull size).
MEETINGS = [("kantor-walikota", 2, (6, 16), 26), ("dinas-kesehatan", 1, (4, 9), 14), ("bappelitbang", 1, (4, 8), 0)]
COUNTER_SHARE = 0.7  # of the visitors of an office with a counter scan its poster

FIRST_NAMES = [
    "Andi", "Budi", "Christian", "Debby", "Esther", "Fanny", "Grace", "Hendra", "Ivan", "Jeane",
    "Kevin", "Lydia", "Meiske", "Novita", "Olvie", "Priscilla", "Ronald", "Stevie", "Tommy", "Vanny",
    "Yohanis", "Stenly", "Fredy", "Marlina", "Sherly", "Yulin", "Rahmat", "Siti", "Nurhayati", "Abdul",
    "Hengky", "Maurits", "Theo", "Jultje", "Deisy", "Frangky", "Rivo", "Sélly", "Noldy", "Herry",
]
FAMILY_NAMES = [
    "Rorong", "Mantiri", "Lumentut", "Wowor", "Sondakh", "Rumengan", "Pangemanan", "Tumbelaka", "Lasut",
    "Kaunang", "Mandagi", "Rondonuwu", "Walangitan", "Sumampouw", "Tambuwun", "Karundeng", "Lengkong",
    "Makalew", "Moningka", "Sigar", "Pontoh", "Honandar", "Kalalo", "Paat", "Supit", "Damopolii",
]


@dataclass
class Person:
    person_id: str
    name: str
    category: str
    phone: str
    building: str
    night_guard: bool = False
    unit: str | None = None
    room: str | None = None


def _local(day: date, hour: float) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZONE) + timedelta(hours=hour)


def _people(rng: random.Random) -> tuple[list[Person], list[Person]]:
    staff: list[Person] = []
    used: set[str] = set()
    for building, (asn_count, thl_count) in STAFF.items():
        for index in range(asn_count + thl_count):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(FAMILY_NAMES)}"
            phone = f"08{rng.randint(11, 59)}{rng.randint(10_000_000, 99_999_999)}"
            if index < asn_count:
                while True:
                    born = date(1965, 1, 1) + timedelta(days=rng.randint(0, 12_000))
                    nip = f"{born:%Y%m%d}{rng.randint(1995, 2021)}{rng.randint(1, 12):02d}{rng.randint(1, 2)}{rng.randint(1, 999):03d}"
                    if nip not in used:
                        break
                staff.append(Person(nip, name, "ASN", phone, building))
            else:
                number = f"THL-{len(staff):04d}"
                staff.append(Person(number, name, "THL", phone, building, night_guard=index >= asn_count + thl_count - 2))
            used.add(staff[-1].person_id)
    staff[0] = Person(POSITIVE_CASE_ID, "Meiske Rumengan", "ASN", "081244556677", "kantor-walikota")
    visitors = []
    for _ in range(900):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(FAMILY_NAMES)}"
        phone = f"08{rng.randint(11, 59)}{rng.randint(10_000_000, 99_999_999)}"
        # Visitors identify with an ID card (NIK, Bitung 7172...) or with a phone number.
        person_id = f"7172{rng.randint(10**11, 10**12 - 1)}" if rng.random() < 0.6 else phone
        visitors.append(Person(person_id, name, "visitor", phone, ""))
    return staff, visitors


def _event(rows: list[dict[str, object]], person: Person, building: str, action: str, at: datetime,
           gate: str, area: str | None = None) -> None:
    rows.append(
        {
            "timestamp": at, "person_id": person.person_id, "building": building, "action": action,
            "name": person.name, "category": person.category, "phone": person.phone, "gate": gate,
            "area": area, "status": "hijau",
        }
    )


def _gate(rng: random.Random, building: str) -> str:
    if building == "kantor-walikota":
        return rng.choices(["utama", "samping", "belakang"], weights=[6, 3, 1])[0]
    return "utama"


def _staff_day(rng: random.Random, rows: list[dict[str, object]], person: Person, day: date) -> None:
    if day.weekday() == 6 or (day.weekday() == 5 and rng.random() < 0.9) or rng.random() < 0.07:
        return
    b = person.building
    arrive = rng.gauss(7.75, 0.3)
    leave = rng.gauss(16.1, 0.45)
    gate = _gate(rng, b)
    _event(rows, person, b, "checkin", _local(day, arrive), gate)
    if rng.random() < 0.02:  # a double scan at the door
        _event(rows, person, b, "checkin", _local(day, arrive + rng.uniform(10, 90) / 3600), gate)
    if rng.random() < 0.35:  # out for lunch and back
        out = rng.uniform(12.0, 12.4)
        _event(rows, person, b, "checkout", _local(day, out), gate)
        _event(rows, person, b, "checkin", _local(day, out + rng.uniform(0.6, 1.1)), gate)
    if rng.random() < 0.05:
        return  # forgot to scan out: closed automatically after MAX_STAY
    _event(rows, person, b, "checkout", _local(day, leave), _gate(rng, b))
    if rng.random() < 0.01:
        _event(rows, person, b, "checkout", _local(day, leave + rng.uniform(20, 100) / 3600), gate)


def _guard_night(rng: random.Random, rows: list[dict[str, object]], person: Person, day: date, shift: int) -> None:
    if (day.toordinal() + shift) % 2:
        return
    gate = "belakang" if person.building == "kantor-walikota" else "utama"
    # 18:00 to 05:45 next morning: within the 12-hour MAX_STAY of staff.
    _event(rows, person, person.building, "checkin", _local(day, 17.9 + rng.uniform(0, 0.2)), gate)
    _event(rows, person, person.building, "checkout", _local(day, 29.65 + rng.uniform(0, 0.2)), gate)


def _visitor_day(rng: random.Random, rows: list[dict[str, object]], visitors: list[Person], building: str, day: date, count: int) -> None:
    for visitor in rng.sample(visitors, count):
        arrive = rng.uniform(8.3, 15.0)
        stay = rng.uniform(0.25, 2.0)
        gate = _gate(rng, building)
        if rng.random() < 0.01:  # scanned only the check-out poster
            _event(rows, visitor, building, "checkout", _local(day, arrive + stay), gate)
            continue
        _event(rows, visitor, building, "checkin", _local(day, arrive), gate)
        if rng.random() < 0.10:
            continue  # forgot to scan out: closed automatically after 3 hours
        _event(rows, visitor, building, "checkout", _local(day, arrive + stay), gate)


def generate_events(today: date, seed: int = 2022) -> tuple[list[dict[str, object]], list[Person]]:
    """The demo month's scan events (local days ``today - 30`` .. ``today``), in time order."""
    rng = random.Random(seed)
    staff, visitors = _people(rng)
    rows: list[dict[str, object]] = []
    first_day = today - timedelta(days=30)
    event_day = today - timedelta(days=EVENT_DAY_OFFSET)
    while event_day.weekday() >= 5:
        event_day -= timedelta(days=1)
    guards = [p for p in staff if p.night_guard]
    for offset in range(31):
        day = first_day + timedelta(days=offset)
        for person in staff:
            if person.night_guard:
                _guard_night(rng, rows, person, day, guards.index(person))
            else:
                _staff_day(rng, rows, person, day)
        if day.weekday() < 5:
            for building, per_day in VISITORS_PER_DAY.items():
                _visitor_day(rng, rows, visitors, building, day, max(0, int(rng.gauss(per_day, per_day * 0.2))))
        elif day.weekday() == 5:
            _visitor_day(rng, rows, visitors, "kantor-walikota", day, 6)
        if day == event_day:
            # Sosialisasi vaksinasi in the main hall: a crowd well over the PPKM limit.
            for visitor in rng.sample(visitors, 230):
                arrive = rng.uniform(8.6, 9.3)
                _event(rows, visitor, "kantor-walikota", "checkin", _local(day, arrive), "utama")
                _event(rows, visitor, "kantor-walikota", "checkin", _local(day, arrive + 1 / 60), "utama", "Aula Lt. 1")
                if rng.random() < 0.9:
                    _event(rows, visitor, "kantor-walikota", "checkout", _local(day, rng.uniform(11.0, 11.5)), "utama")
    _positive_case_meetings(rng, rows, staff, today)
    _room_events(random.Random(seed + 1), rows, staff, visitors, first_day, event_day)
    _desk_details(random.Random(seed + 2), rows, staff)
    now = datetime.now(UTC)
    rows = [r for r in rows if r["timestamp"] <= now]  # type: ignore[operator]
    rows.sort(key=lambda r: r["timestamp"])  # type: ignore[arg-type, return-value]
    return rows, staff


def _positive_case_meetings(rng: random.Random, rows: list[dict[str, object]], staff: list[Person], today: date) -> None:
    """The case sat in long meetings at the health office in the days before the swab."""
    case = staff[0]
    colleagues = [p for p in staff if p.building == "dinas-kesehatan"][:6]
    for days_before in (6, 4):
        day = today - timedelta(days=days_before)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        rows[:] = [
            r for r in rows
            if not (r["person_id"] == case.person_id and r["timestamp"].astimezone(ZONE).date() == day)  # type: ignore[attr-defined]
        ]
        _event(rows, case, "kantor-walikota", "checkin", _local(day, 7.7), "utama")
        _event(rows, case, "kantor-walikota", "checkout", _local(day, 13.2), "samping")
        # A door scan makes the visit; the meeting room's own poster, a minute later, the stay.
        _event(rows, case, "dinas-kesehatan", "checkin", _local(day, 13.5), "utama")
        _event(rows, case, "dinas-kesehatan", "checkin", _local(day, 13.5 + 1 / 60), "utama", "Ruang Rapat")
        _event(rows, case, "dinas-kesehatan", "checkout", _local(day, 15.25), "utama")
        _event(rows, case, "kantor-walikota", "checkin", _local(day, 15.5), "samping")
        _event(rows, case, "kantor-walikota", "checkout", _local(day, 16.6), "utama")
        for colleague in colleagues[: 3 + days_before // 2]:
            start = 13.4 + rng.uniform(0, 0.5)
            _event(rows, colleague, "dinas-kesehatan", "checkin", _local(day, start), "utama")
            _event(rows, colleague, "dinas-kesehatan", "checkin", _local(day, start + 1 / 60), "utama", "Ruang Rapat")
            _event(rows, colleague, "dinas-kesehatan", "checkout", _local(day, start + rng.uniform(0.2, 1.8)), "utama")


def assign_units(staff: list[Person], rng: random.Random) -> None:
    """Each staff member's unit and home room (``UNITS``), the positive case in Bagian Umum."""
    for building, units in UNITS.items():
        for category, column in (("ASN", 2), ("THL", 3)):
            people = [p for p in staff if p.building == building and p.category == category and not p.night_guard]
            # The case first, so she lands in the first unit (Bagian Umum); the rest shuffled.
            rng.shuffle(people)
            people.sort(key=lambda p: p.person_id != POSITIVE_CASE_ID)
            position = 0
            for unit in units:
                for person in people[position:position + unit[column]]:
                    person.unit, person.room = unit[0], unit[1]
                position += unit[column]
        for guard in (p for p in staff if p.building == building and p.night_guard):
            guard.unit = units[-1][0]


def _room_events(rng: random.Random, rows: list[dict[str, object]], staff: list[Person], visitors: list[Person],
                 first_day: date, event_day: date) -> None:
    """Meetings (door check-in plus the meeting room's poster) and visitors at the counter."""
    assign_units(staff, rng)
    case = staff[0]
    present: dict[tuple[str, date], dict[str, tuple[float, float]]] = {}
    for row in rows:  # who was in which building on which day, first in and last out (hours)
        if row["area"] or row["person_id"] == case.person_id:
            continue  # the case sits only in the health-office meetings below
        local = row["timestamp"].astimezone(ZONE)  # type: ignore[attr-defined]
        hour = local.hour + local.minute / 60
        seen = present.setdefault((str(row["building"]), local.date()), {})
        first, last = seen.get(str(row["person_id"]), (hour, hour))
        seen[str(row["person_id"])] = (min(first, hour), max(last, hour))
    by_id = {p.person_id: p for p in staff}
    visitor_checkins = [r for r in rows if r["category"] == "visitor" and r["action"] == "checkin" and not r["area"]]
    in_hall = {r["person_id"] for r in rows if r["area"] == HALL}
    for offset in range(31):
        day = first_day + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for building, count, (low, high), overfull in MEETINGS:
            inside = present.get((building, day), {})
            for number in range(count):
                begin = rng.choice([9.0, 10.0]) if number == 0 else rng.choice([13.5, 14.0])
                length = rng.uniform(1.0, 2.0)
                size = overfull if overfull and rng.random() < 0.08 else rng.randint(low, high)
                # Staff who were inside for the whole meeting (lunch exits make a few miss it).
                able = sorted(pid for pid, (a, b) in inside.items()
                              if pid in by_id and a < begin - 0.1 and b > begin + length)
                for pid in rng.sample(able, min(size, len(able))):
                    _meeting_scans(rng, rows, by_id[pid], building, day, begin, length, guest=False)
                for guest in rng.sample(visitors, rng.choice([0, 0, 1, 2])):
                    _meeting_scans(rng, rows, guest, building, day, begin, length, guest=True)
    # Visitors who check in at an office with a counter go to it first (not those of the
    # vaccination event, who go to the hall).
    counters = {b for b, room, *_ in ROOMS if room == COUNTER}
    for row in visitor_checkins:
        local_day = row["timestamp"].astimezone(ZONE).date()  # type: ignore[attr-defined]
        if local_day == event_day and row["building"] == "kantor-walikota" and row["person_id"] in in_hall:
            continue
        if row["building"] not in counters or rng.random() >= COUNTER_SHARE:
            continue
        visitor = Person(str(row["person_id"]), str(row["name"]), "visitor", str(row["phone"]), "")
        start = row["timestamp"] + timedelta(minutes=rng.uniform(1, 4))  # type: ignore[operator]
        _event(rows, visitor, str(row["building"]), "checkin", start, str(row["gate"]), COUNTER)
        if rng.random() < 0.8:  # others just leave: the stay ends with the visit or on its own
            _event(rows, visitor, str(row["building"]), "checkout", start + timedelta(minutes=rng.uniform(5, 35)),
                   str(row["gate"]), COUNTER)


def _meeting_scans(rng: random.Random, rows: list[dict[str, object]], person: Person, building: str, day: date,
                   begin: float, length: float, guest: bool) -> None:
    """One participant: a guest checks in at the door first; everyone scans the room poster."""
    gate = _gate(rng, building)
    arrive = begin - rng.uniform(0, 0.15)
    if guest:
        _event(rows, person, building, "checkin", _local(day, arrive - 0.1), gate)
    _event(rows, person, building, "checkin", _local(day, arrive), gate, MEETING_ROOM)
    leave = begin + length + rng.uniform(-0.1, 0.1)
    if rng.random() < 0.85:  # some forget the room's check-out poster
        _event(rows, person, building, "checkout", _local(day, leave), gate, MEETING_ROOM)
    if guest:
        _event(rows, person, building, "checkout", _local(day, leave + 0.05), gate)


INSTITUTIONS = [
    "", "", "", "Warga", "Kelurahan Girian", "Kelurahan Madidir", "PT Samudera Bitung", "CV Maesa Jaya",
    "Universitas Sam Ratulangi", "Puskesmas Aertembaga", "Dinas Pendidikan", "Bank Sulutgo", "LSM Peduli Bitung",
]


def _desk_details(rng: random.Random, rows: list[dict[str, object]], staff: list[Person]) -> None:
    """Purpose, host and institution on visitors' door check-ins (the front desk's guest book)."""
    hosts: dict[str, list[str]] = {}
    for person in staff:
        if person.unit:
            hosts.setdefault(person.building, []).extend([person.unit, person.unit, person.name])
    for row in rows:
        if row["category"] != "visitor" or row["action"] != "checkin" or row.get("area"):
            continue
        building = str(row["building"])
        row["purpose"] = rng.choices(front_desk.DEFAULT_PURPOSES, weights=[8, 3, 4, 2, 1])[0]
        row["host"] = rng.choice(hosts.get(building) or [""]) if rng.random() < 0.8 else ""
        row["institution"] = rng.choice(INSTITUTIONS)


def _expected_visitors(con: duckdb.DuckDBPyConnection, rows: list[dict[str, object]], today: date) -> None:
    """A few pre-registered visitors per weekday of the last two weeks (most arrived, some
    no-shows), and some expected today and tomorrow, at the mayor's office."""
    rng = random.Random(today.toordinal())
    building = "kantor-walikota"
    came: dict[date, list[dict[str, object]]] = {}
    for row in rows:
        if row["building"] == building and row["category"] == "visitor" and row["action"] == "checkin" \
                and not row.get("area") and str(row["person_id"]).startswith("08"):
            came.setdefault(row["timestamp"].astimezone(ZONE).date(), []).append(row)  # type: ignore[attr-defined]
    records: list[list[object]] = []
    for offset in range(-14, 2):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        arrivals = rng.sample(came.get(day, []), min(3, len(came.get(day, [])))) if offset < 0 else []
        for row in arrivals:
            phone = f"62{str(row['person_id'])[1:]}"
            records.append([day, row["name"], phone, row.get("purpose") or "", row.get("host") or "", row["timestamp"],
                            str(row["person_id"])])
        for _ in range(1 if offset < 0 else 3):  # a no-show a day; today's and tomorrow's still awaited
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(FAMILY_NAMES)}"
            phone = f"628{rng.randint(11, 59)}{rng.randint(10_000_000, 99_999_999)}"
            records.append([day, name, phone, rng.choice(front_desk.DEFAULT_PURPOSES), "", None, None])
    with db.transaction(con):
        for day, name, phone, purpose, host, arrived, person_id in records:
            con.execute(
                "INSERT INTO expected_visitors VALUES (?, ?, ?, ?, ?, ?, ?, 'demo', ?, ?, ?)",
                [f"demo-{rng.getrandbits(64):016x}", building, day, name, phone, purpose, host,
                 _local(day, 7.0) - timedelta(days=1), arrived, person_id],
            )


def _write_roster(staff: list[Person], folder: Path) -> Path:
    """The staff roster as the personnel office keeps it (daftar pegawai): NIP, name, unit, office, room."""
    lines = ["nip,nama,kategori,unit_kerja,gedung,ruang"]
    for person in staff:
        lines.append(f"{person.person_id},{person.name},{person.category},{person.unit or ''},{person.building},"
                     f"{person.room or ''}")
    path = folder / "daftar-pegawai.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _write_exports(rows: list[dict[str, object]], folder: Path) -> list[Path]:
    """Scanner exports as offices hand them over: one file per building, each its own habits."""
    paths = []
    for building_id, *_ in BUILDINGS:
        subset = [r for r in rows if r["building"] == building_id]
        if building_id == "kecamatan-maesa":
            # An Indonesian spreadsheet: semicolons, Indonesian headers, day-first times.
            header = "waktu;person_id;gedung;aksi;nama;kategori;no_hp;pintu;area;status;keperluan;bertemu_dengan;instansi"
            lines = [header]
            for r in subset:
                local = r["timestamp"].astimezone(ZONE)  # type: ignore[attr-defined]
                aksi = "masuk" if r["action"] == "checkin" else "keluar"
                category = "pengunjung" if r["category"] == "visitor" else r["category"]
                lines.append(
                    f"{local:%d/%m/%Y %H:%M:%S};{r['person_id']};{building_id};{aksi};{r['name']};{category};"
                    f"{r['phone']};{r['gate']};{r['area'] or ''};{r['status']};{r.get('purpose') or ''};"
                    f"{r.get('host') or ''};{r.get('institution') or ''}"
                )
            lines.append("31/02/2022 08:00;123;kecamatan-maesa;masuk;Salah Tanggal;ASN;;utama;;hijau;;;")
            lines.append("01/03/2022 08:00;;kecamatan-maesa;masuk;Tanpa ID;ASN;;utama;;hijau;;;")
        else:
            header = "timestamp,person_id,building,action,name,category,phone,gate,area,status,purpose,host,institution"
            lines = [header]
            for r in subset:
                local = r["timestamp"].astimezone(ZONE)  # type: ignore[attr-defined]
                lines.append(
                    f"{local:%Y-%m-%d %H:%M:%S},{r['person_id']},{building_id},{r['action']},{r['name']},"
                    f"{r['category']},{r['phone']},{r['gate']},{r['area'] or ''},{r['status']},"
                    f"{r.get('purpose') or ''},{r.get('host') or ''},{r.get('institution') or ''}"
                )
            if building_id == "dinas-kesehatan":
                lines.append("2022-03-01 08:00:00,555,dinas-kesehatan,lewat,Aksi Salah,visitor,,utama,,hijau,,,")
        path = folder / f"scan-{building_id}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def configure_buildings(con: duckdb.DuckDBPyConnection) -> None:
    """The demo buildings with their capacity, crowd threshold and gates (confirmed buildings)."""
    for building_id, name, capacity, people, share, level, gates in BUILDINGS:
        con.execute(
            """
            INSERT INTO buildings (building_id, name, timezone, capacity, threshold_people, threshold_share, ppkm_level)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (building_id) DO UPDATE SET name = excluded.name, capacity = excluded.capacity,
                threshold_people = excluded.threshold_people, threshold_share = excluded.threshold_share,
                ppkm_level = excluded.ppkm_level, confirmed = true
            """,
            [building_id, name, db.DEFAULT_TIMEZONE, capacity, people, share, level],
        )
        for gate_id, gate_name in gates:
            con.execute(
                "INSERT INTO gates VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET name = excluded.name",
                [building_id, gate_id, gate_name],
            )
    for building_id, room, stay_minutes, capacity in ROOMS:
        con.execute(
            """
            INSERT INTO areas (building, area_key, area_id, name, area_stay_min, capacity)
            VALUES (?, lower(trim(?)), ?, ?, ?, ?)
            ON CONFLICT (building, area_key) DO UPDATE SET area_stay_min = excluded.area_stay_min,
                capacity = excluded.capacity
            """,
            [building_id, room, room, room, stay_minutes, capacity],
        )


def load_demo(con: duckdb.DuckDBPyConnection, seed: int = 2022, today: date | None = None) -> dict[str, int]:
    """Fill the database with the demo month and mark it as a demo (app setting demo_mode=1).

    Returns counts: events, visits, buildings. Importing twice changes nothing.
    """
    local_today = today or datetime.now(ZONE).date()
    rows, staff = generate_events(local_today, seed)
    with db.transaction(con):
        configure_buildings(con)
        db.set_setting(con, db.DEMO_MODE_SETTING, "1")
        db.set_setting(con, "demo_positive_case", POSITIVE_CASE_ID)
    with tempfile.TemporaryDirectory() as folder:
        for path in [*_write_exports(rows, Path(folder)), _write_roster(staff, Path(folder))]:
            importer.import_file(con, path, actor="demo")
    _expected_visitors(con, rows, local_today)
    counts = con.execute(
        "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM visits), (SELECT count(*) FROM buildings)"
    ).fetchall()[0]
    return {"events": int(counts[0]), "visits": int(counts[1]), "buildings": int(counts[2])}


def first_start_wants_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether this is a first start that gets the demo month: no scan stored yet, never a
    demo before (an emptied demo stays empty), and ``PANTAU_DEMO`` not ``0``. The server's
    start and the dashboard's first page both ask this one question."""
    empty = con.execute("SELECT count(*) FROM events").fetchall()[0][0] == 0
    return empty and db.get_setting(con, db.DEMO_MODE_SETTING) is None and config.demo_on_first_start()


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    return db.get_setting(con, db.DEMO_MODE_SETTING) == "1"
