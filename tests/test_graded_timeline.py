"""The tracing timeline knows the room of a same-room overlap (RULES "Contact tracing", "Same room")."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

from lib.analytics import tracing
from lib.ingest import importer
from lib.outputs import charts
from tests.conftest import write_csv

WITA = dt.timezone(dt.timedelta(hours=8))
DAY = dt.datetime(2022, 1, 3, tzinfo=WITA)
LATER = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def at(hours: float) -> dt.datetime:
    return DAY + dt.timedelta(seconds=round(hours * 3600))


def test_room_overlaps_carry_their_room_and_the_assumed_mark(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rows = [
        (8, "case", "in", ""), (12, "case", "out", ""), (9, "case", "in", "Rapat"), (10, "case", "out", "Rapat"),
        (8, "room", "in", ""), (12, "room", "out", ""), (9.5, "room", "in", "Rapat"), (10, "room", "out", "Rapat"),
        (7, "hall", "in", ""), (13, "hall", "out", ""),
        (8, "desk", "in", ""), (11, "desk", "out", ""),
    ]
    importer.import_file(con, write_csv(tmp_path / "scans.csv", ["timestamp", "person_id", "building", "action", "area"],
                                        [[at(h).isoformat(), p, "kw", a, area] for h, p, a, area in rows]))
    importer.import_file(con, write_csv(tmp_path / "roster.csv", ["nip", "nama", "unit_kerja", "gedung", "ruang"],
                                        [["case", "C", "Umum", "kw", "Bagian Umum"],
                                         ["desk", "D", "Umum", "kw", "Bagian Umum"]]))
    window = (at(0), at(24))
    overlaps = tracing.contact_overlaps(con, "case", *window, now=LATER)
    rooms = overlaps[overlaps["area"].notna()]
    # room: in Rapat with the case 9:30-10:00 (scanned); desk: in Bagian Umum with the case
    # 8-9 and 10-11, both assumed from the roster; hall shares no room.
    got = sorted((r.contact_id, r.area, r.start.to_pydatetime(), r.end.to_pydatetime(), r.assumed)
                 for r in rooms.itertuples())
    assert got == [
        ("desk", "Bagian Umum", at(8), at(9), True),
        ("desk", "Bagian Umum", at(10), at(11), True),
        ("room", "Rapat", at(9.5), at(10), False),
    ]
    # The building overlaps are still there, with no room.
    building = overlaps[overlaps["area"].isna()]
    assert sorted(building["contact_id"].unique()) == ["desk", "hall", "room"]
    assert not building["assumed"].any()

    contacts = tracing.trace_contacts(con, "case", *window, audit=False, now=LATER)
    labels = {str(p): f"{p} ({p})" for p in contacts["person_id"]}
    visits = tracing.index_visits(con, "case", *window, now=LATER)
    data = json.loads(charts.timeline_figure(visits, overlaps, labels, "Asia/Makassar", "KASUS", "en").to_json())
    by_name = {trace["name"]: trace for trace in data["data"]}
    assert set(by_name) == {"kw", "Rapat · kw", "Bagian Umum · kw"}
    rapat = by_name["Rapat · kw"]
    assert [y for y in rapat["y"] if y] == ["room (room)", "room (room)"]
    assert [x for x in rapat["text"] if x] == ["Room: Rapat", "Room: Rapat"]
    assumed = [x for x in by_name["Bagian Umum · kw"]["text"] if x]
    assert assumed and all(x == "Room: Bagian Umum (from the staff roster, not scanned)" for x in assumed)
    # Every contact has its row; the case's row is on top.
    assert data["layout"]["yaxis"]["categoryarray"][-1] == "KASUS"
    assert set(data["layout"]["yaxis"]["categoryarray"]) == {"KASUS", *labels.values()}
