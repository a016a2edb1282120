"""Stored text that an attacker or a broken file wrote is still written and shown as text.

A name with control characters (``Tamu \\x1b[31m\\x07``) already in the database must not
break any XLSX (openpyxl refuses such characters) or the Tracing page; a name written as
Markdown (a link, an image that calls out, bold, HTML) must be shown as those characters on
every page, never as a live link or image (RULES "Personal data").
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import openpyxl
import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from lib import cli
from lib.analytics import cases, tracing, weekly
from lib.ingest import importer
from lib.outputs import case_export, report
from lib.outputs.export import PLACEHOLDER, xlsx_bytes
from lib.outputs.rollcall_pdf import rollcall_pdf
from lib.store import db
from lib.ui.plain import escape_markdown
from tests.conftest import write_csv
from tests.support.app import PASSWORDS, AppEnv, new_app, submit_login, tree_text

EVIL_CONTROL = "Tamu \x1b[31m\x07"
SHOWN_CONTROL = f"Tamu {PLACEHOLDER}[31m{PLACEHOLDER}"  # what a spreadsheet shows of it
EVIL_LINK = "[Evakuasi SEKARANG](https://evil.example)"
EVIL_IMAGE = "![x](http://127.0.0.1:9/beacon.png)"
EVIL_BOLD = "**bold** <b>html</b> https://evil.example/auto"
EVIL_NAMES = {"ctl": EVIL_CONTROL, "link": EVIL_LINK, "image": EVIL_IMAGE, "bold": EVIL_BOLD}
EVIL_BUILDING = "Kantor \x1b[0m [Gedung](https://evil.example)"
EVIL_ROOM = "![r](http://127.0.0.1:9/room.png)"
NOW = dt.datetime(2022, 1, 26, 2, 0, tzinfo=dt.UTC)


def tamper(con: duckdb.DuckDBPyConnection) -> None:
    """Write the evil names straight into the database, past every check at the entry."""
    for person_id, name in EVIL_NAMES.items():
        con.execute("UPDATE persons SET name = ? WHERE person_id = ?", [name, person_id])
    con.execute("UPDATE buildings SET name = ? WHERE building_id = 'kw'", [EVIL_BUILDING])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    """Building kw on 10 January 2022: the case C0 and four people with evil names beside them."""
    path = tmp_path / "evil.duckdb"
    con = db.connect(path)
    rows = [["2022-01-10 08:00", "C0", "kw", "in", "Kasus"], ["2022-01-10 12:00", "C0", "kw", "out", ""]]
    for person_id in EVIL_NAMES:
        rows += [["2022-01-10 08:30", person_id, "kw", "in", "Nama"], ["2022-01-10 11:00", person_id, "kw", "out", ""]]
    importer.import_file(con, write_csv(tmp_path / "log.csv", ["timestamp", "person_id", "building", "action", "name"], rows))
    tamper(con)
    yield con, path
    con.close()


def all_cells(data: bytes) -> list[object]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in book for line in sheet.iter_rows(values_only=True) for cell in line]


def window() -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime(2022, 1, 8, tzinfo=dt.UTC), dt.datetime(2022, 1, 20, tzinfo=dt.UTC)


# --- 1. every XLSX writes whatever is stored ---------------------------------------------------------


def test_tracing_xlsx_writes_a_name_with_control_characters(store: tuple) -> None:
    con, _ = store
    contacts = tracing.trace_contacts(con, "C0", *window(), 15, 0, actor="t")
    frame = report.trace_export_frame(contacts, "Asia/Makassar", "id", {"kw": EVIL_BUILDING})
    cells = all_cells(xlsx_bytes(frame, "Kontak"))
    assert SHOWN_CONTROL in cells
    assert EVIL_LINK in cells  # a spreadsheet cell is text already: kept as stored
    assert any(isinstance(c, str) and c.startswith("Kantor ") and PLACEHOLDER in c for c in cells)


def test_case_export_writes_a_name_with_control_characters(store: tuple) -> None:
    con, _ = store
    case_id = cases.open_case(con, "C0", onset=dt.date(2022, 1, 10), actor="t", now=NOW)
    data, rows = case_export.case_xlsx_bytes(con, case_id, "id")
    assert rows == len(EVIL_NAMES)
    assert SHOWN_CONTROL in all_cells(data)


def test_rollcall_xlsx_and_pdf_from_the_command_line(store: tuple, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    con, path = store
    con.close()
    out = tmp_path / "apel.xlsx"
    code = cli.main(["--db", str(path), "rollcall", "--at", "2022-01-10 10:00", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert SHOWN_CONTROL in all_cells(out.read_bytes())
    pdf = tmp_path / "apel.pdf"
    assert cli.main(["--db", str(path), "rollcall", "--at", "2022-01-10 10:00", "--out", str(pdf)]) == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Tamu" in text and "\x1b" not in text and "\x07" not in text


def missing_glyphs(caplog: pytest.LogCaptureFixture) -> list[str]:
    """fpdf2 logs every character its font has no glyph for (a control character drawn as is)."""
    return [r.getMessage() for r in caplog.records if "missing the following glyphs" in r.getMessage()]


def test_rollcall_pdf_shows_control_characters_as_placeholders(store: tuple, caplog: pytest.LogCaptureFixture) -> None:
    from lib.analytics.rollcall import rollcall

    con, _ = store
    at = dt.datetime(2022, 1, 10, 2, 0, tzinfo=dt.UTC)
    frame = rollcall(con, at)
    assert EVIL_CONTROL in set(frame["name"])
    with caplog.at_level(logging.WARNING):
        data = rollcall_pdf(frame, at, names={"kw": EVIL_BUILDING}, lang="id")
    assert data.startswith(b"%PDF")
    assert missing_glyphs(caplog) == []


def test_weekly_report_xlsx_and_pdf_with_an_evil_building_name(store: tuple, caplog: pytest.LogCaptureFixture) -> None:
    con, _ = store
    stats = weekly.weekly_stats(con, "2022-W02", now=NOW)
    trend = weekly.weekly_trend(con, "2022-W02")
    names = {"kw": EVIL_BUILDING}
    cells = all_cells(report.weekly_report_xlsx(stats, trend, "2022-W02", names, lang="id"))
    assert any(isinstance(c, str) and c.startswith("Kantor ") and PLACEHOLDER in c for c in cells)
    with caplog.at_level(logging.WARNING):
        pdf = report.weekly_report_pdf(stats, "2022-W02", dt.date(2022, 1, 10), dt.date(2022, 1, 16), names, lang="id")
    assert pdf.startswith(b"%PDF")
    assert missing_glyphs(caplog) == []


# --- 2. Markdown in stored text is shown as text ------------------------------------------------------


def rendered_html(markdown_body: str) -> str:
    """The body as a CommonMark renderer draws it (Streamlit's renderer follows CommonMark)."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown_body)


def test_the_escape_shows_exactly_the_text() -> None:
    for name in [*EVIL_NAMES.values(), "Siti_Rahma*wati", "a\\b", "1.234,5 $x$"]:
        html = rendered_html(escape_markdown(name))
        assert "<a " not in html and "<img" not in html and "<strong>" not in html and "<em>" not in html
        assert "<b>" not in html
    shown = rendered_html(escape_markdown(EVIL_LINK)).strip().replace("\u2060", "")  # the joiner shows nothing
    assert shown == "<p>[Evakuasi SEKARANG](https://evil.example)</p>"
    assert escape_markdown("# Judul\n- x") == "\\# Judul - x"  # one line, no heading
    assert escape_markdown("1. Budi") == "1\\. Budi"
    # GitHub's bare autolinks are broken; plain names, phones and file names stay as typed.
    assert "https://" not in escape_markdown(EVIL_BOLD) and "www." not in escape_markdown("www.evil.example")
    assert escape_markdown("www.evil.example").replace("\u2060", "") == "www.evil.example"
    assert escape_markdown("Siti Rahma, 0812-3456 (absen.csv)") == "Siti Rahma, 0812-3456 (absen.csv)"


def markdown_bodies(at: AppTest) -> list[str]:
    """Every Markdown text the run sent: bodies, labels and tooltips (whatever the element)."""
    bodies: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            for field in ("body", "label", "help"):
                value = getattr(proto, field, None)
                if isinstance(value, str) and value:
                    bodies.append(value)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return bodies


def assert_shown_as_text(at: AppTest, names: list[str]) -> None:
    assert not at.exception, at.exception
    bodies = markdown_bodies(at)
    for body in bodies:
        html = rendered_html(body)
        assert "evil.example" not in html or 'href="https://evil.example' not in html, body
        assert "beacon.png" not in html or "<img" not in html, body
        assert "room.png" not in html or "<img" not in html, body
        assert "<b>html</b>" not in html and "<strong>bold</strong>" not in html, body
        # GitHub-flavoured Markdown (Streamlit's) would also link a bare address.
        assert "https://evil.example" not in body and "http://127.0.0.1:9" not in body, body
    shown = "\n".join(bodies)
    for name in names:  # each shown somewhere, escaped
        assert escape_markdown(name) in shown, name


@pytest.fixture
def evil_app(app_env: AppEnv) -> AppEnv:
    """The AppTest dashboard's database with evil names inside now (and a building name)."""
    env = app_env
    con = env.con()
    events = []
    for index, person_id in enumerate([*EVIL_NAMES, "C0"]):
        events.append({"timestamp": env.now - dt.timedelta(minutes=90 - index), "person_id": person_id,
                       "building": "kantor", "action": "checkin", "name": "Nama", "category": "ASN",
                       "area": ""})
        events.append({"timestamp": env.now - dt.timedelta(minutes=80 - index), "person_id": person_id,
                       "building": "kantor", "action": "checkin", "name": "Nama", "category": "ASN",
                       "area": EVIL_ROOM})
    importer.record_events(con, events, "setup", "setup")
    for person_id, name in EVIL_NAMES.items():
        con.execute("UPDATE persons SET name = ? WHERE person_id = ?", [name, person_id])
    con.execute("UPDATE persons SET name = ? WHERE person_id = 'C0'", [EVIL_LINK + " kasus"])
    con.execute("UPDATE buildings SET name = ? WHERE building_id = 'kantor'", [EVIL_BUILDING])
    return env


def logged_in(username: str) -> AppTest:
    at = submit_login(new_app().run(), username, PASSWORDS[username])
    assert at.session_state["authentication_status"] is True
    return at


def test_rollcall_now_and_alerts_show_stored_markdown_as_text(evil_app: AppEnv) -> None:
    at = logged_in("kabag")  # the Now page first
    assert_shown_as_text(at, [EVIL_BUILDING])
    at.switch_page("pages/rollcall.py").run()
    assert_shown_as_text(at, [*EVIL_NAMES.values(), EVIL_BUILDING, EVIL_ROOM])
    at.button(key="rollcall_start").click().run()  # the ticking list: names are checkbox labels
    assert_shown_as_text(at, [*EVIL_NAMES.values(), EVIL_ROOM])
    assert any(escape_markdown(EVIL_LINK) in c.label for c in at.checkbox)


def test_tracing_and_cases_show_stored_markdown_as_text(evil_app: AppEnv) -> None:
    at = logged_in("pelacak")
    at.switch_page("pages/tracing.py").run()
    at.text_input(key="tracing_query").input("C0").run()
    at.selectbox(key="tracing_person").select("C0").run()
    at.button(key="tracing_run").click().run()
    assert not at.exception, at.exception
    assert_shown_as_text(at, [EVIL_LINK + " kasus"])
    text = tree_text(at)
    assert "Tamu" in text  # the contact list (a table: never Markdown) names the person
    # The timeline (Plotly draws <b> and <a href> in its labels) shows the names as typed.
    spec = json.dumps(json.loads(at.get("plotly_chart")[0].proto.spec))
    assert "&lt;b&gt;html&lt;/b&gt;" in spec and "<b>html</b>" not in spec
    at.button(key="tracing_open_case").click().run()
    at.button(key="cases_open").click().run()
    assert not at.exception, at.exception
    assert_shown_as_text(at, [EVIL_LINK + " kasus"])
