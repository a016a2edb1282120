"""The weekly report (PDF, XLSX) and the trace export of lib/outputs/report.py."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from lib.outputs import charts, report
from lib.outputs.export import csv_bytes, xlsx_bytes


def stats_row(building: str, visits: int = 1234, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "week": "2022-W02", "building": building, "visits": visits, "persons": 300, "persons_ASN": 180, "persons_THL": 50,
        "persons_visitor": 70, "visits_per_day": visits / 7,
        **{column: 10 * (index + 1) for index, column in enumerate(charts.WEEKDAY_COLUMNS)},
        "busiest_day": date(2022, 1, 16), "busiest_day_visits": 70,
        "peak_hour": pd.Timestamp("2022-01-12 02:00", tz="UTC"), "peak": 140, "median_stay_minutes": 421.0,
        "auto_close_share": 0.05, "crowding_episodes": 2, "crowding_minutes": 95.0, "visits_prev": 1000,
        "visits_change_pct": 23.4, "persons_prev": 290, "persons_change_pct": 3.4,
    }
    row.update(extra)
    return row


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[Path]:
    path = tmp_path / "render.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    return sorted(tmp_path.glob("page*.png"))


def test_format_number_indonesian_and_english() -> None:
    assert report.format_number(1234.5, "id", 1) == "1.234,5"
    assert report.format_number(1234.5, "en", 1) == "1,234.5"
    assert report.format_number(None, "id") == "–"
    assert report.format_number(float("nan"), "en") == "–"
    assert report.format_change(12.345, "id") == "+12,3 %"
    assert report.format_change(-3, "en") == "-3.0 %"
    assert report.format_change(None, "en") == "–"


def test_pdf_is_one_a4_page_with_week_buildings_and_figures(tmp_path: Path) -> None:
    stats = pd.DataFrame([stats_row("kantor-walikota"), stats_row("dinas-kesehatan", visits=80, visits_prev=0,
                                                                   visits_change_pct=None)])
    names = {"kantor-walikota": "Kantor Walikota Bitung", "dinas-kesehatan": "Dinas Kesehatan"}
    pdf = report.weekly_report_pdf(stats, "2022-W02", date(2022, 1, 10), date(2022, 1, 16), names, lang="id",
                                   generated_at=datetime(2022, 1, 17, 8, 0))
    assert pdf.startswith(b"%PDF")
    pages = pdf_pages(pdf, tmp_path)
    assert len(pages) == 1
    text = pdf_text(pdf, tmp_path)
    assert "2022-W02" in text and "10/01/2022" in text and "16/01/2022" in text
    assert "Kantor Walikota Bitung" in text and "Dinas Kesehatan" in text
    assert "1.234 (+23,4 %)" in text  # Indonesian number format and the change against last week
    assert "1.314 kunjungan" in text  # the total of both buildings
    assert "Rab 12/01/2022 10:00 WITA (140)" in text  # peak hour in local time, zone named
    # A4 portrait: 595 x 842 points.
    info = subprocess.run(["pdfinfo", str(tmp_path / "render.pdf")], check=True, capture_output=True, text=True).stdout
    assert "595.28 x 841.89" in info


def test_pdf_in_english_and_many_buildings_stay_on_one_page(tmp_path: Path) -> None:
    stats = pd.DataFrame([stats_row(f"gedung-{i}", visits=10 + i) for i in range(9)])
    pdf = report.weekly_report_pdf(stats, "2022-W52", date(2022, 12, 26), date(2023, 1, 1), lang="en")
    assert len(pdf_pages(pdf, tmp_path)) == 1
    text = pdf_text(pdf, tmp_path)
    assert "Weekly Building Visit Report" in text and "2022-W52" in text
    for i in range(9):
        assert f"gedung-{i}" in text


def test_pdf_prints_non_latin1_building_names(tmp_path: Path) -> None:
    stats = pd.DataFrame([stats_row("g1")])
    pdf = report.weekly_report_pdf(stats, "2022-W02", date(2022, 1, 10), date(2022, 1, 16),
                                   {"g1": "Kantor Čamat – Ŝelatan ✓"}, lang="id")
    assert "Kantor Čamat – Ŝelatan ✓" in pdf_text(pdf, tmp_path)


def test_pdf_of_an_empty_week(tmp_path: Path) -> None:
    pdf = report.weekly_report_pdf(pd.DataFrame(columns=list(stats_row("x"))), "2022-W02", date(2022, 1, 10),
                                   date(2022, 1, 16), lang="id")
    assert "Tidak ada kunjungan" in pdf_text(pdf, tmp_path)


def test_xlsx_has_both_sheets_local_times_and_no_formulas() -> None:
    stats = pd.DataFrame([stats_row("=HYPERLINK(\"http://x\")")])
    trend = pd.DataFrame({"week": ["2022-W01", "2022-W02"], "building": ["@b", "@b"], "visits": [3, 4],
                          "persons": [1, 2], "peak": [1, 2], "median_stay_minutes": [5.0, None]})
    data = report.weekly_report_xlsx(stats, trend, "2022-W02", {"=HYPERLINK(\"http://x\")": "+cmd"}, lang="en")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Week", "Trend"]
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in texts)
    assert "'=HYPERLINK(\"http://x\")" in texts and "'+cmd" in texts and "'@b" in texts
    week = book["Week"]
    header = [c.value for c in week[1]]
    peak_hour = week.cell(row=2, column=header.index("Peak hour (local time)") + 1).value
    assert peak_hour == "2022-01-12T10:00:00+08:00"
    assert week.cell(row=2, column=header.index("Visits") + 1).value == 1234


def sheet_rows(data: bytes, name: str) -> list[dict[str, object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data))[name]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_weekly_xlsx_headers_in_the_language_rounded_and_no_rows_of_zeros(lang: str) -> None:
    stats = pd.DataFrame([stats_row("b1", visits=1000, median_stay_minutes=421.456, auto_close_share=0.05123,
                                    crowding_minutes=95.04, visits_change_pct=23.456),
                          stats_row("b2", visits=10, persons=9, crowding_episodes=1, crowding_minutes=3.0)])
    trend = pd.DataFrame({"week": ["2022-W01", "2022-W01", "2022-W02", "2022-W02"], "building": ["b1", "b2"] * 2,
                          "visits": [0, 3, 1000, 10], "persons": [0, 2, 300, 9], "peak": [0, 1, 140, 5],
                          "median_stay_minutes": [None, 12.345, 421.456, 30.0]})
    city = {"week": "2022-W02", "buildings": 2, "visits": 1010, "persons": 305, "visits_per_day": 1010 / 7,
            "median_stay_minutes": 400.04, "auto_close_share": 0.2, "busiest_day": date(2022, 1, 16)}
    names = {"b1": "Kantor Walikota", "b2": "Dinas Kesehatan"}
    data = report.weekly_report_xlsx(stats, trend, "2022-W02", names, lang=lang, city=city)
    week_sheet, trend_sheet = ("Minggu", "Tren") if lang == "id" else ("Week", "Trend")
    rows = sheet_rows(data, week_sheet)
    h = {  # a few headers a reader of the file sees
        "name": "Gedung" if lang == "id" else "Building", "visits": "Kunjungan" if lang == "id" else "Visits",
        "persons": "Orang" if lang == "id" else "Persons",
        "median": "Median lama tinggal (menit)" if lang == "id" else "Median stay (minutes)",
        "auto": "Ditutup otomatis (%)" if lang == "id" else "Closed automatically (%)",
        "per_day": "Kunjungan per hari" if lang == "id" else "Visits per day",
        "crowding": "Menit kerumunan" if lang == "id" else "Crowding minutes",
        "change": "Perubahan kunjungan (%)" if lang == "id" else "Change in visits (%)",
    }
    assert not any(isinstance(k, str) and "_" in k for k in rows[0])  # no program column names
    city_row, b1 = rows[0], rows[1]
    assert city_row[h["name"]] == ("Seluruh kota" if lang == "id" else "Whole city")
    assert (city_row[h["visits"]], city_row[h["persons"]]) == (1010, 305)
    assert city_row[h["crowding"]] == 98.0 and city_row[h["auto"]] == 20.0  # the buildings' crowding summed
    assert b1[h["name"]] == "Kantor Walikota" and b1[h["visits"]] == 1000
    assert b1[h["median"]] == 421.5 and b1[h["auto"]] == 5.1 and b1[h["per_day"]] == 142.9
    assert b1[h["crowding"]] == 95.0 and b1[h["change"]] == 23.5
    trend_rows = sheet_rows(data, trend_sheet)
    assert len(trend_rows) == 3  # b1's week of zeros is left out
    assert all(r[h["visits"]] or r[h["persons"]] for r in trend_rows)
    assert [r[h["median"]] for r in trend_rows] == [12.3, 421.5, 30.0]
    assert trend_rows[0][h["name"]] == "Dinas Kesehatan"


TRACE_HEADERS = {
    "id": ["ID", "Nama", "Kategori", "No. HP", "Gedung", "Menit bersama", "Kontak pertama", "Kontak terakhir",
           "Perkiraan"],
    "en": ["ID", "Name", "Category", "Phone", "Buildings", "Minutes together", "First contact", "Last contact",
           "Estimated"],
}


def export_contacts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": ["0012", "c2"], "name": ["=cmd|' /C calc'!A0", "Sélly Rorong"], "category": ["ASN", "visitor"],
            "phone": ["+62812", "0812"], "buildings": ["b1;b2", "b1"], "overlap_minutes": [90.04, 15.0],
            "first_contact": pd.to_datetime(["2022-01-03 00:30", "2022-01-03 01:00"], utc=True),
            "last_contact": pd.to_datetime(["2022-01-03 02:00", "2022-01-03 01:15"], utc=True),
            "estimated": [True, False],
        }
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_trace_export_in_the_users_language_with_building_names_and_words(lang: str) -> None:
    """Headers in the interface's language, building names, ya/tidak; formula-safe; local times."""
    names = {"b1": "Kantor Walikota", "b2": "Dinas Kesehatan"}
    frame = report.trace_export_frame(export_contacts(), "Asia/Makassar", lang, names)
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"))))
    assert rows[0] == TRACE_HEADERS[lang]
    yes, no = ("ya", "tidak") if lang == "id" else ("yes", "no")
    visitor = "pengunjung" if lang == "id" else "visitor"
    assert rows[1] == ["0012", "'=cmd|' /C calc'!A0", "ASN", "'+62812", "Kantor Walikota; Dinas Kesehatan", "90.0",
                       "2022-01-03T08:30:00+08:00", "2022-01-03T10:00:00+08:00", yes]
    assert rows[2][2:5] == [visitor, "0812", "Kantor Walikota"] and rows[2][-1] == no
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame)))
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert "'=cmd|' /C calc'!A0" in values and "Sélly Rorong" in values and "0012" in values
    assert TRACE_HEADERS[lang][4] in values and "b1;b2" not in values


@pytest.mark.parametrize("lang", ["id", "en"])
def test_graded_trace_export_names_grade_room_unit_and_the_roster_mark(lang: str) -> None:
    """The graded columns read on their own: the grade in words, the rooms, the roster mark."""
    contacts = export_contacts().assign(
        unit=["Bagian Umum", None], grade=["K1", "K2"], areas=["Bagian Umum;Ruang Rapat", ""],
        area_minutes=[45.04, 0.0], area_assumed=[True, False],
    )
    frame = report.trace_export_frame(contacts, "Asia/Makassar", lang)
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"))))
    graded = {
        "id": ["Unit kerja", "Jenis kontak", "Ruang", "Menit satu ruangan", "Ruang dari daftar pegawai"],
        "en": ["Unit", "Contact grade", "Rooms", "Minutes in the same room", "Room from the roster"],
    }[lang]
    assert rows[0] == [*TRACE_HEADERS[lang], *graded]
    yes, no = ("ya", "tidak") if lang == "id" else ("yes", "no")
    k1, k2 = ("K1 (satu ruangan)", "K2 (satu gedung)") if lang == "id" else ("K1 (same room)", "K2 (same building)")
    assert rows[1][-5:] == ["Bagian Umum", k1, "Bagian Umum; Ruang Rapat", "45.0", yes]
    assert rows[2][-5:] == ["", k2, "", "0.0", no]


def test_trace_export_with_second_degree_names_the_links() -> None:
    """Degree 1 then 2; `via` names the first-degree contacts, a few of many with "+N lainnya"."""
    first = export_contacts()
    many = ";".join(["c2", "0012"] + [f"x{i:03d}" for i in range(report.EXPORT_VIA_SHOWN + 5)])
    second = export_contacts().assign(person_id=["s1", "s2"], via=["0012", many])
    frame = report.trace_export_frame(first, "Asia/Makassar", "id", {}, second)
    assert list(frame.columns) == ["Tingkat", *TRACE_HEADERS["id"], "Melalui"]
    assert frame["Tingkat"].tolist() == [1, 1, 2, 2]
    assert frame["Melalui"].tolist()[:3] == ["", "", "=cmd|' /C calc'!A0 (0012)"]
    # The first-degree contacts in their order (longest overlap first), then the rest by id.
    assert frame["Melalui"].iloc[3].startswith("=cmd|' /C calc'!A0 (0012), Sélly Rorong (c2), x000, x001")
    assert frame["Melalui"].iloc[3].endswith(" +7 lainnya")
    assert frame["Gedung"].tolist()[0] == "b1; b2"  # an unknown building keeps its id
    text = csv_bytes(frame).decode("utf-8-sig")
    assert "\n2,s1,'=cmd" in text.replace("\r", "")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_building_figures_label_every_number(lang: str) -> None:
    pairs = report.building_figures(stats_row("b"), "Asia/Makassar", lang)
    assert len(pairs) == 9
    values = dict(pairs)
    key = "Hari tersibuk" if lang == "id" else "Busiest day"
    assert values[key] == ("Min 16/01/2022 (70)" if lang == "id" else "Sun 16/01/2022 (70)")


def test_report_from_real_weekly_stats_has_figures_and_no_names(con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """On a database with names and phones: the day split adds up to weekly_stats, no names leak."""
    import random
    from datetime import UTC, timedelta

    from lib.analytics import weekly
    from lib.ingest import importer

    rng = random.Random(7)
    people = [(f"P{i:03d}", f"Orang Nama{i:03d}", rng.choice(["ASN", "THL", "tamu"]), f"0812{i:08d}") for i in range(40)]
    events = []
    monday = datetime(2022, 1, 9, 16, 0, tzinfo=UTC)  # Monday 10 January 00:00 WITA
    for pid, name, category, phone in people:
        for day in rng.sample(range(-3, 10), 5):
            start = monday + timedelta(days=day, hours=rng.uniform(6, 20))
            building = rng.choice(["g1", "g2"])
            base = {"person_id": pid, "building": building, "name": name, "category": category, "phone": phone}
            events.append({**base, "timestamp": start, "action": "checkin"})
            if rng.random() < 0.8:
                events.append({**base, "timestamp": start + timedelta(minutes=rng.uniform(5, 300)), "action": "checkout"})
    importer.record_events(con, events, "test", "test")
    stats = weekly.weekly_stats(con, "2022-W02", now=datetime(2022, 3, 1, tzinfo=UTC))
    assert len(stats) == 2 and stats["visits"].sum() > 0
    for building in ("g1", "g2"):
        daily = report.visits_per_day_by_category(con, "2022-W02", building)
        assert len(daily) == 21 and daily["day"].min() == date(2022, 1, 10)
        per_day = daily.groupby("day")["visits"].sum().tolist()
        row = stats[stats["building"] == building].iloc[0]
        assert per_day == [int(row[c]) for c in charts.WEEKDAY_COLUMNS]
    pdf = report.weekly_report_pdf(stats, "2022-W02", date(2022, 1, 10), date(2022, 1, 16), lang="en")
    text = pdf_text(pdf, tmp_path)
    assert "g1" in text and "g2" in text and "2022-W02" in text
    trend = weekly.weekly_trend(con, "2022-W02", now=datetime(2022, 3, 1, tzinfo=UTC))
    sheet_text = "\n".join(
        str(c.value) for sheet in openpyxl.load_workbook(io.BytesIO(report.weekly_report_xlsx(stats, trend, "2022-W02")))
        for row in sheet.iter_rows() for c in row
    )
    for _, name, _, phone in people:
        assert name not in text and phone not in text
        assert name not in sheet_text and phone not in sheet_text


@pytest.mark.parametrize("lang", ["id", "en"])
def test_comparison_table_has_short_complete_cells_and_explains_the_city_peak(lang: str) -> None:
    """Seen at 1440 px: the peak hour cut at '...09:00 WIT' and the city's crowding at
    '23 episodes, 2,801 minu'. Every figure keeps its own short cell; nothing is lost."""
    stats = pd.DataFrame([stats_row("b1"), stats_row("b2", visits=70, crowding_episodes=1, crowding_minutes=5.0)])
    city = {key: value for key, value in stats_row("city").items() if key not in ("peak_hour", "peak")}
    table = report.comparison_table(city, stats, {"b1": "Kantor Walikota Bitung"}, {}, "Asia/Makassar", lang)
    assert list(table.columns) == ["Seluruh kota" if lang == "id" else "Whole city", "Kantor Walikota Bitung", "b2"]
    peak_hour = "Jam puncak (WITA)" if lang == "id" else "Peak hour (WITA)"
    peak = "Puncak (orang di dalam)" if lang == "id" else "Peak (people inside)"
    episodes, minutes = ("Episode kerumunan", "Menit kerumunan") if lang == "id" else ("Crowding episodes", "Crowding minutes")
    b1 = table["Kantor Walikota Bitung"]
    # 02:00 UTC on Wednesday 12/01 is 10:00 WITA; the zone is in the row's label.
    assert b1[peak_hour] == ("Rab 12/01 10:00" if lang == "id" else "Wed 12/01 10:00")
    assert b1[peak] == "140" and b1[episodes] == "2" and b1[minutes] == "95"
    assert b1["Hari tersibuk" if lang == "id" else "Busiest day"] == ("Min 16/01 (70)" if lang == "id" else "Sun 16/01 (70)")
    # The whole city: its peak is not added up across buildings (and says so); crowding adds up.
    city_column = table.iloc[:, 0]
    not_added = "tidak dijumlahkan" if lang == "id" else "not added up"
    assert city_column[peak_hour] == not_added and city_column[peak] == not_added
    assert city_column[episodes] == "3" and city_column[minutes] == "100"
    assert "–" not in set(city_column)
    # Short enough for a fifth of a 1440 px page (the longest before was 31 characters).
    assert max(len(cell) for cell in table.to_numpy().ravel()) <= 18


def test_comparison_table_names_the_zone_in_each_cell_when_zones_differ() -> None:
    stats = pd.DataFrame([stats_row("b1"), stats_row("b2")])
    table = report.comparison_table(stats_row("city"), stats, {}, {"b2": "Asia/Jakarta"}, "Asia/Makassar", "en")
    label = "Peak hour (local time)"
    assert table.loc[label, "b1"] == "Wed 12/01 10:00 WITA" and table.loc[label, "b2"] == "Wed 12/01 09:00 WIB"
