"""Issue 22 on the Import page (AppTest): the building picker and the column-mapping step.

A guest book with headers Pantau does not know is not imported at the first click: the page
asks which column is what, refuses a mapping without a time or an identity (and says why),
previews the first rows, imports on the second click, and remembers the mapping, so the
next file with the same headers imports at once.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from lib.ingest import mapping
from tests.support.app import AppEnv, errors, open_page

ODD_BOOK = (
    b"Hari/Tgl;Nama Tamu;Nomor WA;Perlu;Menemui;Datang;Pulang\n"
    b"02/11/2026;Siti Aminah;0812-3456-7890;Mengurus KTP;Bagian Umum;08.15;09.00\n"
    b"02/11/2026;Tanpa Nomor;;Rapat;Bagian Umum;09.00;10.00\n"
    b"03/11/2026;Siti Aminah;+62 812 3456 7890;Legalisir;Dinas Dukcapil;10:30;11:00\n"
)
ANSWER = {"Hari/Tgl": "date", "Nama Tamu": "name", "Nomor WA": "phone", "Perlu": "purpose", "Menemui": "host",
          "Datang": "checkin_at", "Pulang": "checkout_at"}


def mapping_boxes(at: AppTest) -> dict[str, object]:
    return {box.label: box for box in at.selectbox if box.key and box.key.startswith("mapping_")}


def visits(env: AppEnv) -> list[tuple]:
    return env.con().execute(
        "SELECT person_id, strftime(timezone('Asia/Makassar', checkin_at), '%d/%m %H:%M'), purpose, host "
        "FROM visits WHERE building = 'kantor' AND purpose IS NOT NULL ORDER BY checkin_at"
    ).fetchall()


def test_an_unknown_guest_book_is_mapped_previewed_imported_and_remembered(app_env: AppEnv) -> None:
    at = open_page("pages/import_logs.py")
    at.selectbox(key="import_building").set_value("kantor").run()
    at.get("file_uploader")[0].set_value(("buku-tamu.csv", ODD_BOOK, "text/csv")).run()
    at.button(key="import_run").click().run()
    assert not at.exception, at.exception
    assert visits(app_env) == []  # nothing written before the mapping is confirmed
    boxes = mapping_boxes(at)
    assert sorted(boxes) == sorted(ANSWER)
    # Nothing chosen yet: refused, with the reasons in words.
    assert any("jam masuk" in e and "Tanpa waktu" in e for e in errors(at))
    assert any("NIK, nomor HP" in e for e in errors(at))
    assert at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("mapping_run_"))).disabled

    # A time but no identity: still refused, for the identity only.
    boxes["Datang"].set_value("checkin_at")
    boxes["Hari/Tgl"].set_value("date")
    at.run()
    assert not any("jam masuk" in e for e in errors(at)) and any("identitas" in e for e in errors(at))

    for column, target in ANSWER.items():
        mapping_boxes(at)[column].set_value(target)
    at.run()
    assert errors(at) == []
    preview = next(d.value for d in at.dataframe if "Orang (NIK / HP)" in d.value.columns)
    assert preview["Orang (NIK / HP)"].tolist() == ["6281234567890", "", "6281234567890"]
    assert preview["Masuk"].tolist()[0] == "2026-11-02T08:15:00+08:00"
    assert preview["Keperluan"].tolist() == ["Mengurus KTP", "Rapat", "Legalisir"]
    assert "tanpa identitas" in preview["Dikarantina karena"].tolist()[1]
    assert visits(app_env) == []  # the preview wrote nothing

    run_key = next(b.key for b in at.button if b.key and b.key.startswith("mapping_run_"))
    at.button(key=run_key).click().run()
    assert not at.exception, at.exception
    assert visits(app_env) == [
        ("6281234567890", "02/11 08:15", "Mengurus KTP", "Bagian Umum"),
        ("6281234567890", "03/11 10:30", "Legalisir", "Dinas Dukcapil"),
    ]
    summary = at.dataframe[0].value
    assert summary["File"].tolist() == ["buku-tamu.csv"] and summary["Dikarantina"].tolist() == [1]
    assert mapping_boxes(at) == {}  # the step is done

    # The next file with the same headers imports at the first click, with the mapping remembered.
    assert mapping.remembered_mapping(app_env.con(), list(ANSWER)) == ANSWER
    again = ODD_BOOK.replace(b"02/11/2026", b"09/11/2026").replace(b"03/11/2026", b"10/11/2026")
    at = open_page("pages/import_logs.py")
    at.selectbox(key="import_building").set_value("kantor").run()
    at.get("file_uploader")[0].set_value(("buku-tamu-2.csv", again, "text/csv")).run()
    at.button(key="import_run").click().run()
    assert not at.exception and mapping_boxes(at) == {}
    assert len(visits(app_env)) == 4


def test_a_recognised_guest_book_needs_only_the_building(app_env: AppEnv) -> None:
    book = (
        b"No,Tanggal,Nama,NIK,Instansi,No HP,Keperluan,Bertemu Dengan,Jam Masuk,Jam Keluar\n"
        b"1,02/11/2026,Rina,7171010101010101,PT Maju,0812 1111 2222,Rapat,Bagian Umum,8.30,9.15\n"
    )
    at = open_page("pages/import_logs.py", language="en")
    at.selectbox(key="import_building").set_value("kantor").run()
    at.get("file_uploader")[0].set_value(("book.csv", book, "text/csv")).run()
    at.button(key="import_run").click().run()
    assert not at.exception and mapping_boxes(at) == {}
    assert visits(app_env) == [("7171010101010101", "02/11 08:30", "Rapat", "Bagian Umum")]


def test_without_the_building_picked_a_guest_book_without_one_is_refused_naming_it(app_env: AppEnv) -> None:
    book = b"Tanggal,NIK,Jam Masuk\n02/11/2026,7171010101010101,08:30\n"
    at = open_page("pages/import_logs.py", language="en")
    at.get("file_uploader")[0].set_value(("book.csv", book, "text/csv")).run()
    at.button(key="import_run").click().run()
    assert not at.exception
    # Recognised headers but no building: the mapping step asks for it rather than a refusal.
    assert any("building" in e for e in errors(at))
    assert visits(app_env) == []


# --- the logic behind the step (lib.ingest.mapping) ------------------------------------------


def test_mapping_problems_say_what_is_missing() -> None:
    assert mapping.mapping_problems({}) == ["no_time", "no_identity", "no_building"]
    assert mapping.mapping_problems({"a": "checkin_at", "b": "phone"}, building_given=True) == []
    assert mapping.mapping_problems({"a": "timestamp", "b": "nik", "c": "building"}) == ["no_action"]
    assert mapping.mapping_problems({"a": "checkin_at", "b": "phone", "c": "phone"}, True) == ["twice"]


def test_apply_mapping_renames_and_drops_the_unused_columns() -> None:
    import pandas as pd

    frame = pd.DataFrame({"Datang": ["08.15"], "Nomor WA": ["0812"], "Catatan": ["x"]})
    renamed = mapping.apply_mapping(frame, {"Datang": "checkin_at", "Nomor WA": "phone", "Catatan": ""})
    assert list(renamed.columns) == ["checkin_at", "phone"] and renamed.iloc[0].tolist() == ["08.15", "0812"]


def test_a_mapping_is_remembered_for_the_same_headers_written_otherwise(tmp_path: Path) -> None:
    from lib.store import db

    con = db.connect(tmp_path / "m.duckdb")
    mapping.remember_mapping(con, ["Datang", "Nomor WA"], {"Datang": "checkin_at", "Nomor WA": "phone"})
    assert mapping.header_key(["datang", "nomor_wa"]) == mapping.header_key(["Datang", "Nomor WA"])
    assert mapping.remembered_mapping(con, ["Datang", "Nomor WA"]) == {"Datang": "checkin_at", "Nomor WA": "phone"}
    assert mapping.remembered_mapping(con, ["Datang", "Nomor HP"]) is None
    con.close()


def test_a_workbook_with_a_cover_sheet_needs_no_mapping(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Petunjuk", "Isi buku tamu di lembar berikut"])
    data = book.create_sheet("Buku Tamu")
    data.append(["Tanggal", "NIK", "Jam Masuk"])
    data.append(["02/11/2026", "7171010101010101", "08:15"])
    book.save(tmp_path / "b.xlsx")
    assert mapping.header_to_map(tmp_path / "b.xlsx", building_given=True) is None
    # Without the building the data sheet is the one to map (the cover sheet is passed over).
    assert mapping.header_to_map(tmp_path / "b.xlsx", building_given=False) == ["Tanggal", "NIK", "Jam Masuk"]
    header, rows = mapping.read_table(tmp_path / "b.xlsx")
    assert header == ["Tanggal", "NIK", "Jam Masuk"] and rows.iloc[0].tolist() == ["02/11/2026", "7171010101010101", "08:15"]
